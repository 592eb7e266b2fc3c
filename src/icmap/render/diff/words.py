"""Sentences for ``icmap diff``, shared by the text and markdown renderers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.analysis.loops import cycle_text
from icmap.model import format_hours
from icmap.render.report import stream_words

if TYPE_CHECKING:
    from icmap.analysis.diff import (
        DetailChange,
        OrgDiff,
        PathChange,
        RelationChange,
        ScoreChange,
        StreamChange,
        SuppressionChange,
        TypeChange,
    )
    from icmap.analysis.streams import StreamFlow
    from icmap.diagnostics import Diagnostic
    from icmap.model import Relation


def amount(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "hops":
        return f"{value:g} hop{'' if value == 1 else 's'}"
    return format_hours(value, weeks=False)


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
        elif field == "process_time_hours":
            parts.append(
                f"process time {format_hours(old) if isinstance(old, float) else 'none'} → "
                f"{format_hours(new) if isinstance(new, float) else 'none'}"
            )
        elif field == "complete_accurate":
            was = "none" if not isinstance(old, float) else stream_words.percent(old)
            now = "none" if not isinstance(new, float) else stream_words.percent(new)
            parts.append(f"%C&A {was} → {now}")
        elif field == "streams":
            was = ", ".join(map(str, old)) or "none"  # type: ignore[call-overload]
            now = ", ".join(map(str, new)) or "none"  # type: ignore[call-overload]
            parts.append(f"streams {was} → {now}")
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


def detail_change(c: DetailChange) -> str:
    """``wait-staff: group Front of house → Dining room; lead none → Ann Lee``; a description
    that changed is said to, not quoted (the JSON has both)."""
    parts = []
    for name, (old, new) in c.changes.items():
        if name == "description":
            parts.append(
                "description added"
                if old is None
                else "description removed"
                if new is None
                else "description changed"
            )
        elif name == "name":  # a name left out is shown as the id
            parts.append(f"name {old or c.id} → {new or c.id}")
        else:
            parts.append(f"{name} {old or 'none'} → {new or 'none'}")
    kind = "" if c.kind == "team" else f"{c.kind} "
    return f"{kind}{c.id}: {'; '.join(parts)}"


def suppression_change(c: SuppressionChange) -> str:
    """``legal: + ignores no-path-to-customer ('Outsourced next quarter')``."""
    parts = [f"+ ignores {rule} ({reason!r})" for rule, reason in c.added]
    parts += [f"- no longer ignores {rule}" for rule, _ in c.removed]
    return f"{c.team}: {'; '.join(parts)}"


def finding(d: Diagnostic) -> str:
    """A check finding as ``icmap check`` prints it, without its hint: where (in the head for a
    new one, the base for one gone), severity, message, code."""
    return d.format().partition("\n")[0]


def path_change(p: PathChange) -> str:
    before = " → ".join(p.before) if p.before else "none"
    after = " → ".join(p.after) if p.after else "none"
    totals = f"{amount(p.before_total, p.before_unit)} → {amount(p.after_total, p.unit)}"
    if p.before == p.after:
        return f"{p.customer}: {totals} (same chain: {after})"
    return f"{p.customer}: {totals}; was {before}; now {after}"


def _measure(name: str, before: str, after: str) -> str:
    """``lead time 3d → 2d``, or ``lead time 3d`` when the change leaves it."""
    return f"{name} {before}" if before == after else f"{name} {before} → {after}"


def _shares(flow: StreamFlow) -> tuple[str, str]:
    """A stream's flow efficiency and rolled %C&A in words, ``—`` where unknown."""
    efficiency = flow.flow_efficiency
    rolled = flow.rolled_ca
    return (
        "—" if efficiency is None else stream_words.percent(efficiency),
        "—" if rolled is None else stream_words.percent(rolled),
    )


def _stream_numbers(flow: StreamFlow) -> list[str]:
    """The numbers of a stream added or removed."""
    efficiency, rolled = _shares(flow)
    return [
        f"lead time {stream_words.lead_time(flow)}",
        f"flow efficiency {efficiency}",
        f"rolled %C&A {rolled}",
        f"{flow.handoffs} hand-off{'' if flow.handoffs == 1 else 's'}",
    ]


def stream_change(c: StreamChange) -> str:
    """What the change does to one stream: its numbers before → after, and the relations that
    joined or left it.

    ``Order to delivery (order): lead time 3.08d → 2.08d (target 3d: missed by 2h → 3d: met,
    22h to spare); flow efficiency 8.8% → 12.8%; rolled %C&A 83.8% → 76.2%; hand-offs 5 → 6;
    joined: planning → web: Promotions``
    """
    if c.before is None and c.after is not None:
        return f"+ {stream_words.title(c.after)}: added; {'; '.join(_stream_numbers(c.after))}"
    if c.after is None and c.before is not None:
        numbers = "; ".join(_stream_numbers(c.before))
        return f"- {stream_words.title(c.before)}: removed; was {numbers}"
    assert c.before is not None and c.after is not None
    old, new = c.before, c.after
    lead = _measure("lead time", amount(old.lead_time, old.unit), amount(new.lead_time, new.unit))
    if old.stream.target is not None or new.stream.target is not None:
        lead += f" ({_measure('target', stream_words.target(old), stream_words.target(new))})"
    (old_efficiency, old_rolled), (new_efficiency, new_rolled) = _shares(old), _shares(new)
    parts = [
        lead,
        _measure("flow efficiency", old_efficiency, new_efficiency),
        _measure("rolled %C&A", old_rolled, new_rolled),
        _measure("hand-offs", str(old.handoffs), str(new.handoffs)),
    ]
    if old.path != new.path:
        parts.append(f"critical path now {' → '.join(new.path)}")
    if old.stream.name != new.stream.name:
        parts.append(
            f"name {old.stream.name or old.stream.id} → {new.stream.name or new.stream.id}"
        )
    for said in ("description", "starts"):
        if getattr(old.stream, said) != getattr(new.stream, said):
            parts.append(f"{said} changed")
    if c.handoffs_added:
        parts.append("joined: " + ", ".join(f"{p} → {r}: {w}" for p, r, w in c.handoffs_added))
    if c.handoffs_removed:
        parts.append("left: " + ", ".join(f"{p} → {r}: {w}" for p, r, w in c.handoffs_removed))
    return f"{stream_words.title(new)}: {'; '.join(parts)}" + ("" if c.changed else " (no change)")


def _stream_summary(diff: OrgDiff) -> list[str]:
    """One line per stream the change touches: added, removed, or what moved."""
    lines = []
    for c in diff.streams:
        if not c.changed:
            continue
        if c.before is None:
            lines.append(f"value stream added: {c.stream}")
            continue
        if c.after is None:
            lines.append(f"value stream removed: {c.stream}")
            continue
        old, new = c.before, c.after
        moved = []
        if old.lead_time != new.lead_time or old.unit != new.unit:
            moved.append(
                f"lead time {amount(old.lead_time, old.unit)} → {amount(new.lead_time, new.unit)}"
            )
        if (
            old.target_met is not None
            and new.target_met is not None
            and old.target_met != new.target_met
        ):
            moved.append("now meets its target" if new.target_met else "⚠ now misses its target")
        (old_efficiency, old_rolled), (new_efficiency, new_rolled) = _shares(old), _shares(new)
        if old_rolled != new_rolled:
            moved.append(f"rolled %C&A {old_rolled} → {new_rolled}")
        if old_efficiency != new_efficiency:
            moved.append(f"flow efficiency {old_efficiency} → {new_efficiency}")
        if c.handoffs_added or c.handoffs_removed:
            moved.append(
                f"hand-offs {len(c.handoffs_added)} added, {len(c.handoffs_removed)} removed"
            )
        if old.stream.name != new.stream.name:
            moved.append("renamed")
        if (old.stream.description, old.stream.starts) != (
            new.stream.description,
            new.stream.starts,
        ):
            moved.append("described anew")
        lines.append(f"value stream {c.stream}: {', '.join(moved) or 'critical path changed'}")
    return lines


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


def _detail_lines(diff: OrgDiff) -> list[str]:
    """Types, group moves, then names, leads and descriptions, each a line naming who."""
    lines = []
    if diff.types_changed:
        n = len(diff.types_changed)
        lines.append(f"team types: {n} changed: {', '.join(t.team for t in diff.types_changed)}")
    moved = [c.id for c in diff.details_changed if "group" in c.changes]
    if moved:
        teams = f"{len(moved)} team{'s' if len(moved) != 1 else ''}"
        lines.append(f"{teams} moved group: {', '.join(moved)}")
    silenced = [c.team for c in diff.suppressions_changed if c.added]
    if silenced:
        lines.append(f"⚠ check rules newly ignored by: {', '.join(silenced)}")
    others = [c.id for c in diff.details_changed if c.changes.keys() - {"group"}]
    if others:
        lines.append(f"names, leads or descriptions: {len(others)} changed: {', '.join(others)}")
    return lines


def summary(diff: OrgDiff) -> list[str]:
    """The short list a reviewer reads first."""
    lines = []
    if diff.organisation is not None:
        before, after = diff.organisation
        lines.append(f"organisation: {before or 'no name'} → {after or 'no name'}")
    for kind, ids in diff.added.items():
        lines.append(f"{len(ids)} {kind}{'s' if len(ids) != 1 else ''} added: {', '.join(ids)}")
    for kind, ids in diff.removed.items():
        lines.append(f"{len(ids)} {kind}{'s' if len(ids) != 1 else ''} removed: {', '.join(ids)}")
    lines += [f"{r.kind} {r.old} looks renamed to {r.new}" for r in diff.renamed]
    counts = (len(diff.relations_added), len(diff.relations_removed), len(diff.relations_changed))
    if any(counts):
        lines.append(f"hand-offs: {counts[0]} added, {counts[1]} removed, {counts[2]} changed")
    lines += _survey_lines(diff)
    lines += _detail_lines(diff)
    if diff.lost_path:
        lines.append(f"⚠ lost their path to the customer: {', '.join(diff.lost_path)}")
    if diff.gained_path:
        lines.append(f"now reach the customer: {', '.join(diff.gained_path)}")
    for p in diff.critical_paths:
        if p.changed:
            totals = f"{amount(p.before_total, p.before_unit)} → {amount(p.after_total, p.unit)}"
            lines.append(f"critical path to {p.customer}: {totals}")
    lines += _stream_summary(diff)
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
        ("Rules ignored (ignore:)", [suppression_change(c) for c in diff.suppressions_changed]),
        (
            "Names, groups, leads and descriptions changed",
            [detail_change(c) for c in diff.details_changed],
        ),
        (
            "Front line",
            [f"+ {t}" for t in diff.front_line_added] + [f"- {t}" for t in diff.front_line_removed],
        ),
        ("Critical paths", [path_change(p) for p in diff.critical_paths if p.changed]),
        ("Value streams", [stream_change(c) for c in diff.streams if c.changed]),
        (
            "Check findings",
            [f"+ {finding(d)}" for d in diff.findings_new]
            + [f"- {finding(d)}" for d in diff.findings_gone],
        ),
    ]
    return [(title, items) for title, items in found if items]
