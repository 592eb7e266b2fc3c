"""``icmap diff -f json``: one object (documented in docs/diff.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from icmap.render.check.json import finding_data
from icmap.render.json_text import dumps
from icmap.render.report.json import stream_data

if TYPE_CHECKING:
    from icmap.analysis.diff import OrgDiff
    from icmap.model import Relation

SCHEMA_VERSION = 1


def _relation(r: Relation) -> dict[str, Any]:
    return {
        "provider": r.provider,
        "receiver": r.receiver,
        "what": r.what,
        "lead_time_hours": r.lead_time.hours if r.lead_time else None,
        "satisfaction": r.satisfaction,
    }


def diff_data(diff: OrgDiff, base: str, head: str, failed: list[str]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "base": base,
        "head": head,
        "organisation": None
        if diff.organisation is None
        else {"before": diff.organisation[0], "after": diff.organisation[1]},
        "added": diff.added,
        "removed": diff.removed,
        "renamed": [{"kind": r.kind, "old": r.old, "new": r.new} for r in diff.renamed],
        "relations": {
            "added": [_relation(r) for r in diff.relations_added],
            "removed": [_relation(r) for r in diff.relations_removed],
            "changed": [
                {
                    "provider": c.provider,
                    "receiver": c.receiver,
                    "what": c.what,
                    "changes": {k: {"before": v[0], "after": v[1]} for k, v in c.changes.items()},
                }
                for c in diff.relations_changed
            ],
        },
        "surveys": {
            "rounds_added": diff.rounds_added,
            "rounds_removed": diff.rounds_removed,
            "rounds_changed": diff.rounds_changed,
            "scores_changed": [
                {
                    "provider": c.provider,
                    "receiver": c.receiver,
                    "what": c.what,
                    "before": {
                        "satisfaction": c.before,
                        "round": c.before_round,
                        "answers": c.before_answers,
                    },
                    "after": {
                        "satisfaction": c.after,
                        "round": c.after_round,
                        "answers": c.after_answers,
                    },
                }
                for c in diff.scores_changed
            ],
        },
        "team_types_changed": [
            {"team": t.team, "before": t.before, "after": t.after} for t in diff.types_changed
        ],
        "details_changed": [
            {
                "kind": c.kind,
                "id": c.id,
                "changes": {k: {"before": v[0], "after": v[1]} for k, v in c.changes.items()},
            }
            for c in diff.details_changed
        ],
        "suppressions_changed": [
            {
                "team": c.team,
                "added": [{"rule": rule, "reason": reason} for rule, reason in c.added],
                "removed": [{"rule": rule, "reason": reason} for rule, reason in c.removed],
            }
            for c in diff.suppressions_changed
        ],
        "lost_path": diff.lost_path,
        "gained_path": diff.gained_path,
        "front_line": {"added": diff.front_line_added, "removed": diff.front_line_removed},
        "critical_paths": [
            {
                "customer": p.customer,
                "unit": p.unit,
                "before": {
                    "path": list(p.before) if p.before else None,
                    "total": p.before_total,
                    "unit": p.before_unit,
                },
                "after": {
                    "path": list(p.after) if p.after else None,
                    "total": p.after_total,
                    "unit": p.unit,
                },
            }
            for p in diff.critical_paths
        ],
        "streams": [
            {
                "stream": c.stream,
                "changed": c.changed,
                "before": stream_data(c.before) if c.before is not None else None,
                "after": stream_data(c.after) if c.after is not None else None,
                "handoffs_added": [
                    {"provider": p, "receiver": r, "what": w} for p, r, w in c.handoffs_added
                ],
                "handoffs_removed": [
                    {"provider": p, "receiver": r, "what": w} for p, r, w in c.handoffs_removed
                ],
            }
            for c in diff.streams
        ],
        "chokepoints": {"new": diff.chokepoints_new, "gone": diff.chokepoints_gone},
        "loops": {
            "new": diff.loops_new,
            "gone": diff.loops_gone,
            "new_cycles": [[list(c) for c in cycles] for cycles in diff.loops_new_cycles],
            "gone_cycles": [[list(c) for c in cycles] for cycles in diff.loops_gone_cycles],
            "changed": [{"before": b, "after": a} for b, a in diff.loops_changed],
        },
        "findings": {
            # Each as icmap check -f json gives it: where it is in the head when new, in the
            # base when gone.
            "new": [finding_data(d) for d in diff.findings_new],
            "gone": [finding_data(d) for d in diff.findings_gone],
        },
        "failed": failed,
    }


def render(diff: OrgDiff, base: str, head: str, failed: list[str]) -> str:
    return dumps(diff_data(diff, base, head, failed))
