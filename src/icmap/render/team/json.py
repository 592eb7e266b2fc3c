"""``icmap team -f json``: one object per team, documented in docs/cli.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from icmap.render.impact.json import impact_data
from icmap.render.json_text import dumps

if TYPE_CHECKING:
    from icmap.analysis.team_page import HandOff, TeamPage

SCHEMA_VERSION = 1


def _hand_off(hand_off: HandOff, side: str) -> dict[str, Any]:
    return {
        side: hand_off.party,
        "kind": hand_off.kind,
        "what": hand_off.what,
        "lead_time_hours": hand_off.lead_time_hours,
        "satisfaction": hand_off.satisfaction,
        "feedback": hand_off.feedback,
        "mode": hand_off.mode,
        "since": hand_off.since.isoformat() if hand_off.since else None,
        "until": hand_off.until.isoformat() if hand_off.until else None,
        "state": hand_off.state,
        "survey": _survey(hand_off),
        "declared_lead_time_hours": hand_off.declared_lead_time_hours,
        "measured": _measured(hand_off),
    }


def _measured(hand_off: HandOff) -> dict[str, Any] | None:
    """What an event log measured of the hand-off (``--events``), or ``None``."""
    found = hand_off.measured
    if found is None:
        return None
    return {
        "handoffs": found.handoffs,
        "cases": found.cases,
        "median_hours": found.median.hours if found.median else None,
        "p85_hours": found.p85.hours if found.p85 else None,
        "return_rate": found.return_rate,
        "first": found.first.isoformat() if found.first else None,
        "last": found.last.isoformat() if found.last else None,
        "file": found.seen.file if found.seen else None,
        "line": found.seen.line if found.seen else None,
    }


def _survey(hand_off: HandOff) -> dict[str, Any] | None:
    survey = hand_off.survey
    if survey is None:
        return None
    experienced = survey.experienced
    return {
        "round": survey.round,
        "mean": survey.mean,
        "answers": survey.answers,
        "yaml_satisfaction": survey.declared,
        "experienced_lead_time_hours": experienced.hours if experienced else None,
        "lead_time_answers": survey.lead_time_answers,
        "lead_time_round": survey.lead_time_round if experienced else None,
    }


def team_data(page: TeamPage) -> dict[str, Any]:
    impact = impact_data(page.impact, down=True, up=True)
    return {
        "schema_version": SCHEMA_VERSION,
        "team": page.team,
        "name": page.name,
        "kind": page.kind,
        "type": page.type,
        "group": page.group,
        "lead": page.lead,
        "description": page.description,
        "provides": [_hand_off(h, "to") for h in page.provides],
        "receives": [_hand_off(h, "from") for h in page.receives],
        "distances": [{"customer": c, "hops": n} for c, n in page.distances.items()],
        "critical_for": list(page.critical_for),
        "tied_to": list(page.tied_to),
        "slack": page.slack,
        "slack_unit": page.unit,
        "slack_lower_bound": page.slack_lower_bound,
        "chokepoint": page.chokepoint,
        "dependents": list(page.dependents),
        "blast_radius": {
            "verdict": page.verdict(),
            "downstream": [h["team"] for h in impact["downstream"]],
            "customers": [c["customer"] for c in impact["customers"]],
            "stranded": impact["stranded"],
        },
        "streams": [
            {
                "stream": flow.id,
                "name": flow.stream.label,
                "customer": flow.customer,
                "on_critical_path": place.on_critical_path,
                "step": place.position,
                "steps": place.steps,
                "slack": place.slack,
                "slack_unit": flow.unit,
                "slack_lower_bound": place.slack_lower_bound,
                "tied": place.tied,
            }
            for flow, place in page.streams
        ],
    }


def render(page: TeamPage) -> str:
    return dumps(team_data(page))
