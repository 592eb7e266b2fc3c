"""``icmap impact -f json``: one object, documented in docs/impact.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from icmap.render.json_text import dumps

if TYPE_CHECKING:
    from icmap.analysis.impact import Hit, Impact

SCHEMA_VERSION = 2


def _hit(hit: Hit) -> dict[str, Any]:
    return {
        "team": hit.team,
        "distance": hit.distance,
        "via": hit.via,
        "first_handoff": list(hit.first_handoff),
        "only_through_feedback": hit.feedback,
    }


def impact_data(result: Impact, *, down: bool, up: bool) -> dict[str, Any]:
    hours = result.unit == "hours"
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "team": result.failed[0] if len(result.failed) == 1 else list(result.failed),
        "failed": list(result.failed),
        "verdict": result.verdict(),
        "critical_for": list(result.critical_for),
        "tied_to": list(result.tied_to),
        "chain_unit": result.unit,
        "loops": [{"teams": list(c.teams), "feedback": c.feedback} for c in result.loops],
    }
    if down:
        data["downstream"] = [_hit(h) for h in result.downstream]
        data["customers"] = [
            {
                "customer": c.customer,
                "fastest": {
                    "path": list(c.fastest),
                    "lead_time_hours": c.fastest_hours if hours else None,
                    "hops": len(c.fastest) - 1,
                    "missing_lead_times": c.fastest_missing,
                    "through_feedback": c.fastest_feedback,
                },
                "longest": None
                if c.longest is None
                else {
                    "path": list(c.longest.path),
                    "lead_time_hours": c.longest.total if hours else None,
                    "hops": len(c.longest.path) - 1,
                    "missing_lead_times": c.longest.missing_lead_times,
                    "exact": c.longest.exact,
                },
            }
            for c in result.customers
        ]
    if up:
        data["stranded"] = list(result.stranded)
        data["upstream"] = [_hit(h) for h in result.upstream]
    return data


def render(result: Impact, *, down: bool, up: bool) -> str:
    return dumps(impact_data(result, down=down, up=up))
