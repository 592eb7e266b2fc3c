"""Words and numbers for value streams, shared by the report, team pages and diff, so all say
the same (:mod:`icmap.analysis.streams` computes every number)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.analysis.critical import CriticalPath
from icmap.model import format_hours, format_share
from icmap.render.report.words import amount, chain, critical_notes

if TYPE_CHECKING:
    from icmap.analysis.cadence import MixedCadence
    from icmap.analysis.streams import StreamFlow, StreamStep, TeamPlace

#: Column headers of the report's value-streams table, in :func:`row`'s order; the terminal
#: leaves out the last two (:func:`constraints` says them under the table).
HEADERS = (
    "stream",
    "customer",
    "lead time",
    "target",
    "flow efficiency",
    "rolled %C&A",
    "hand-offs",
    "teams",
    "constraint",
    "quality constraint",
)
#: Under the critical paths of an org with streams: which numbers to read for a flow.
ACROSS_STREAMS = (
    "these paths run through every hand-off of the org; each value stream's own path and lead "
    "time are under Value streams"
)
#: Where the format says how to declare streams.
STREAMS_DOC = "docs/format.md#value-streams"


#: Shares read the same in every output: the report, the pictures, the diff.
percent = format_share


def hours(value: float) -> str:
    """A stream's duration, in the unit style of totals and slack (``3.08d``, not weeks)."""
    return format_hours(value, weeks=False)


def target(flow: StreamFlow) -> str:
    """``3d: missed by 2h``, ``14d: met, 8d to spare``; ``—`` without a target."""
    promised = flow.stream.target
    if promised is None:
        return "—"
    gap = flow.target_gap
    if gap is None:
        return f"{hours(promised.hours)}: no lead times to compare"
    if gap > 0:
        return f"{hours(promised.hours)}: missed by {hours(gap)}"
    if gap == 0:
        return f"{hours(promised.hours)}: met"
    return f"{hours(promised.hours)}: met, {hours(-gap)} to spare"


def lead_time(flow: StreamFlow) -> str:
    """``3.08d (target 3d: missed by 2h)``; the lead time alone without a target."""
    text = amount(flow.lead_time, flow.unit)
    return text if flow.stream.target is None else f"{text} (target {target(flow)})"


def efficiency(flow: StreamFlow) -> str:
    """``8.8% (3 of 3 timed)``: over the critical path's hand-offs that give a
    process time."""
    shown = "—" if flow.flow_efficiency is None else percent(flow.flow_efficiency)
    return f"{shown} ({flow.process_known} of {len(flow.steps)} timed)"


def quality(flow: StreamFlow) -> str:
    """``83.8% (3 of 5 rated)``: the rolled %C&A, over every hand-off of the stream."""
    shown = "—" if flow.rolled_ca is None else percent(flow.rolled_ca)
    return f"{shown} ({flow.ca_known} of {flow.handoffs} rated)"


def step_lead(step: StreamStep | None) -> str:
    """``carrier → shoppers (2d)``: a step and its lead time."""
    if step is None:
        return "—"
    lead = "no lead time" if step.lead_time is None else hours(step.lead_time)
    return f"{step.provider} → {step.receiver} ({lead})"


def step_quality(step: StreamStep | None) -> str:
    """``fulfil → carrier (90%)``: a hand-off and its %C&A."""
    if step is None or step.complete_accurate is None:
        return "—"
    return f"{step.provider} → {step.receiver} ({percent(step.complete_accurate)})"


def row(flow: StreamFlow) -> tuple[str, ...]:
    """The cells of the report's table, in :data:`HEADERS` order."""
    return (
        flow.stream.label,
        flow.customer,
        amount(flow.lead_time, flow.unit),
        target(flow),
        efficiency(flow),
        quality(flow),
        str(flow.handoffs),
        str(len(flow.teams)),
        step_lead(flow.constraint),
        step_quality(flow.quality_constraint),
    )


def constraints(flow: StreamFlow) -> str:
    """``constraint: carrier → shoppers (2d); quality constraint: fulfil → carrier (90%)``."""
    text = f"constraint: {step_lead(flow.constraint)}"
    if flow.quality_constraint is not None:
        text += f"; quality constraint: {step_quality(flow.quality_constraint)}"
    return text


def title(flow: StreamFlow) -> str:
    """``Order to delivery (order)``, or the id alone when the stream has no name."""
    label = flow.stream.label
    return label if label == flow.id else f"{label} ({flow.id})"


def details(flow: StreamFlow) -> list[str]:
    """What the table has no room for: what starts it, rework, the lowest %C&A, caveats."""
    lines = []
    if flow.stream.starts:
        lines.append(f"starts: {flow.stream.starts}")
    if flow.lead_time_with_rework is not None:
        lines.append(
            f"with rework: {hours(flow.lead_time_with_rework)} expected "
            "(each step's lead time ÷ its %C&A)"
        )
    if flow.costliest:
        shown = ", ".join(
            f"{s.provider} → {s.receiver} {percent(s.complete_accurate or 0.0)}"
            for s in flow.costliest
        )
        lines.append(f"lowest %C&A: {shown}")
    path = CriticalPath(
        flow.customer, flow.path, flow.lead_time, flow.missing_lead_times, flow.exact, flow.ties
    )
    notes = critical_notes(path, flow.unit)
    lines += [f"note: {note.replace('in this org', 'in this stream')}" for note in notes]
    return lines


def path_line(flow: StreamFlow) -> str:
    """``Order to delivery (order): stock → fulfil → carrier → shoppers``."""
    return f"{title(flow)}: {chain(flow.path)}"


def place(flow: StreamFlow, where: TeamPlace) -> str:
    """A team's place in a stream: ``on its critical path, step 2 of 3``, or off it with its
    slack."""
    if where.on_critical_path and where.position is not None:
        return f"on its critical path, step {where.position} of {where.steps}"
    if where.slack is None:
        return "off its critical path"
    if where.tied or (where.slack == 0 and not where.slack_lower_bound):
        return "off its critical path as shown, but no slack: a chain through it is as long"
    if where.slack_lower_bound:
        return (
            "off its critical path; slack not known: in a loop, icmap finds only a lower bound"
            if where.slack == 0
            else f"off its critical path; slack at least {amount(where.slack, flow.unit)}, a "
            "lower bound in a loop"
        )
    return f"off its critical path; slack {amount(where.slack, flow.unit)}"


def team_line(flow: StreamFlow, where: TeamPlace) -> str:
    """``Order to delivery (order) → shoppers: on its critical path, step 2 of 3 (lead time
    3.08d; target 3d: missed by 2h).``"""
    numbers = f"lead time {amount(flow.lead_time, flow.unit)}"
    if flow.stream.target is not None:
        numbers += f"; target {target(flow)}"
    return f"{title(flow)} → {flow.customer}: {place(flow, where)} ({numbers})."


def mixed_cadence(mix: MixedCadence) -> str:
    """The hint for a critical path that strings a slow cadence onto a fast one."""
    slow, fast = mix.slowest, mix.fastest
    return (
        f"this path mixes cadences: {slow.provider} → {slow.receiver} takes "
        f"{format_hours(slow.hours)}, {mix.ratio:,.0f} times as long as {fast.provider} → "
        f"{fast.receiver} ({format_hours(fast.hours)}), so it may string "
        "together flows that no single piece of work travels; declare value streams to "
        f"measure each flow on its own ({STREAMS_DOC})"
    )
