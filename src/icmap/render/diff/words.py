"""Sentences for ``icmap diff``, shared by the text and markdown renderers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.analysis.loops import cycle_text
from icmap.model import format_hours

if TYPE_CHECKING:
    from icmap.analysis.diff import (
        OrgDiff,
        PathChange,
        RelationChange,
        ScoreChange,
        TypeChange,
    )
    from icmap.model import Relation


def amount(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:g} hops" if unit == "hops" else format_hours(value, weeks=False)


def relation(r: Relation) -> str:
    lead = f" ({format_hours(r.lead_time.hours)})" if r.lead_time else ""
    return f"{r.provider} → {r.receiver}: {r.what}{lead}"


def change(c: RelationChange) -> str:
    parts = []
    for field, (old, new) in c.changes.items():
        if field == "lead_time_hours":
            parts.append(
                f"lead time {format_hours(old) if isinstance(old, float) else 'none'} → "
                f"{format_hours(new) if isinstance(new, float) else 'none'}"
            )
        elif field == "satisfaction":
            before = "none" if old is None else old
            after = "none" if new is None else new
            parts.append(f"satisfaction {before} → {after}")
        elif field == "feedback":
            parts.append("now marked feedback" if new else "no longer marked feedback")
        elif field in ("mode", "state", "since", "until"):
            parts.append(
                f"{field} {'none' if old is None else old} → {'none' if new is None else new}"
            )
        else:
            parts.append(f"declared by {'+'.join(map(str, old))} → {'+'.join(map(str, new))}")  # type: ignore[call-overload]
    return f"{c.provider} → {c.receiver}: {c.what}: {'; '.join(parts)}"


def score_change(c: ScoreChange) -> str:
    """``kitchen → expediters: Plated dishes: 4.25 (2026-q2, 2 answers) → 2.75 (2026-q3, …)``."""

    def side(score: float | None, survey_round: str | None, answers: int) -> str:
        if score is None:
            return "none"
        shown = f"{round(score, 2):g}"
        if survey_round is None:
            return f"{shown} (YAML)"
        return f"{shown} ({survey_round}, {answers} answer{'' if answers == 1 else 's'})"

    before = side(c.before, c.before_round, c.before_answers)
    after = side(c.after, c.after_round, c.after_answers)
    return f"{c.provider} → {c.receiver}: {c.what}: satisfaction {before} → {after}"


def type_change(t: TypeChange) -> str:
    return f"{t.team}: type {t.before or 'none'} → {t.after or 'none'}"


def path_change(p: PathChange) -> str:
    before = " → ".join(p.before) if p.before else "none"
    after = " → ".join(p.after) if p.after else "none"
    totals = f"{amount(p.before_total, p.unit)} → {amount(p.after_total, p.unit)}"
    if p.before == p.after:
        return f"{p.customer}: {totals} (same chain: {after})"
    return f"{p.customer}: {totals}; was {before}; now {after}"


def _loop_lines(diff: OrgDiff) -> list[str]:
    """New and gone loops by their shortest cycles; changed ones by their teams."""
    lines: list[str] = []
    for cycles in diff.loops_new_cycles:
        lines.append(f"new loop: {'; '.join(cycle_text(c) for c in cycles)}")
    for cycles in diff.loops_gone_cycles:
        lines.append(f"loop gone: {'; '.join(cycle_text(c) for c in cycles)}")
    for before, after in diff.loops_changed:
        lines.append(
            f"loop changed: {', '.join(before)} ({len(before)} teams) → "
            f"{', '.join(after)} ({len(after)} teams)"
        )
    return lines


def _survey_lines(diff: OrgDiff) -> list[str]:
    scores = len(diff.scores_changed)
    changed = f"{scores} score{'' if scores == 1 else 's'} changed"
    rounds = [f"{', '.join(diff.rounds_added)} added"] if diff.rounds_added else []
    rounds += [f"{', '.join(diff.rounds_removed)} removed"] if diff.rounds_removed else []
    rounds += [f"{', '.join(diff.rounds_changed)} changed"] if diff.rounds_changed else []
    if rounds:
        return [f"survey rounds: {'; '.join(rounds)}; {changed}"]
    return [f"survey scores: {changed}"] if scores else []


def summary(diff: OrgDiff) -> list[str]:
    """The short list a reviewer reads first."""
    lines = []
    for kind, ids in diff.added.items():
        lines.append(f"{len(ids)} {kind}{'s' if len(ids) != 1 else ''} added: {', '.join(ids)}")
    for kind, ids in diff.removed.items():
        lines.append(f"{len(ids)} {kind}{'s' if len(ids) != 1 else ''} removed: {', '.join(ids)}")
    lines += [f"{r.kind} {r.old} looks renamed to {r.new}" for r in diff.renamed]
    counts = (len(diff.relations_added), len(diff.relations_removed), len(diff.relations_changed))
    if any(counts):
        lines.append(f"hand-offs: {counts[0]} added, {counts[1]} removed, {counts[2]} changed")
    lines += _survey_lines(diff)
    if diff.types_changed:
        n = len(diff.types_changed)
        lines.append(f"team types: {n} changed: {', '.join(t.team for t in diff.types_changed)}")
    if diff.lost_path:
        lines.append(f"⚠ lost their path to the customer: {', '.join(diff.lost_path)}")
    if diff.gained_path:
        lines.append(f"now reach the customer: {', '.join(diff.gained_path)}")
    for p in diff.critical_paths:
        if p.before != p.after or abs(p.growth) > 1e-9:
            totals = f"{amount(p.before_total, p.unit)} → {amount(p.after_total, p.unit)}"
            lines.append(f"critical path to {p.customer}: {totals}")
    if diff.chokepoints_new:
        lines.append(f"⚠ new chokepoints: {', '.join(diff.chokepoints_new)}")
    if diff.chokepoints_gone:
        lines.append(f"chokepoints gone: {', '.join(diff.chokepoints_gone)}")
    lines += _loop_lines(diff)
    if diff.findings_new or diff.findings_gone:
        lines.append(
            f"check findings: {len(diff.findings_new)} new, {len(diff.findings_gone)} gone"
        )
    return lines or ["no change to the internal-customer graph"]


def sections(diff: OrgDiff) -> list[tuple[str, list[str]]]:
    """Titled lists of details, empty ones left out."""
    found = [
        ("Hand-offs added", [relation(r) for r in diff.relations_added]),
        ("Hand-offs removed", [relation(r) for r in diff.relations_removed]),
        ("Hand-offs changed", [change(c) for c in diff.relations_changed]),
        ("Survey scores changed", [score_change(c) for c in diff.scores_changed]),
        ("Team types changed", [type_change(t) for t in diff.types_changed]),
        (
            "Front line",
            [f"+ {t}" for t in diff.front_line_added] + [f"- {t}" for t in diff.front_line_removed],
        ),
        ("Critical paths", [path_change(p) for p in diff.critical_paths]),
        (
            "Check findings",
            [f"+ {d.code} {d.message}" for d in diff.findings_new]
            + [f"- {d.code} {d.message}" for d in diff.findings_gone],
        ),
    ]
    return [(title, items) for title, items in found if items]
