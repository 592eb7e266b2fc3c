"""A value stream's numbers in words, the same in every picture of it (tree, DOT, Mermaid,
the HTML page, the timeline)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.model import format_hours
from icmap.render.report import stream_words as report_words
from icmap.render.report.stream_words import percent
from icmap.render.report.words import plural

if TYPE_CHECKING:
    from icmap.analysis.streams import StreamFlow, StreamStep


def lead(flow: StreamFlow, hours: float) -> str:
    """A time of the stream: hours in days and hours, or hand-offs counted without lead times."""
    if flow.unit == "hops":
        return f"{hours:g} hand-off{'' if hours == 1 else 's'}"
    return format_hours(hours, weeks=False)


def target(flow: StreamFlow) -> str | None:
    """``3d: missed by 1d``, ``3d: met, 1.7d to spare``; ``None`` without a target."""
    return None if flow.stream.target is None else report_words.target(flow)


def step_name(step: StreamStep) -> str:
    return f"{step.provider} → {step.receiver}"


def efficiency(flow: StreamFlow) -> str:
    if flow.flow_efficiency is None or flow.process_time is None:
        return "no process times on the critical path"
    steps = len(flow.steps)
    known = "" if flow.process_known == steps else f", {flow.process_known} of {steps} steps"
    return f"{percent(flow.flow_efficiency)} (work {lead(flow, flow.process_time)}{known})"


def rolled(flow: StreamFlow) -> str:
    if flow.rolled_ca is None:
        return "no %C&A given"
    if flow.ca_known == flow.handoffs:
        return f"{percent(flow.rolled_ca)} (over {flow.handoffs} hand-offs)"
    given = f"{flow.ca_known} of {flow.handoffs}"
    return f"{percent(flow.rolled_ca)} ({given} hand-offs rated)"


def facts(flow: StreamFlow) -> list[tuple[str, str]]:
    """The stream's numbers as (what, value) pairs, in the order a reader asks for them."""
    found = [("Lead time", lead(flow, flow.lead_time))]
    promised = target(flow)
    if promised is not None:
        found.append(("Target", promised))
    found += [("Flow efficiency", efficiency(flow)), ("Rolled %C&A", rolled(flow))]
    if flow.lead_time_with_rework is not None:
        found.append(("Lead time with rework", lead(flow, flow.lead_time_with_rework)))
    teams = len(flow.teams)
    found.append(("Hand-offs", f"{flow.handoffs}, between {teams} team{'s' if teams != 1 else ''}"))
    if flow.constraint is not None and flow.constraint.lead_time is not None:
        found.append(
            (
                "Constraint",
                f"{step_name(flow.constraint)} ({lead(flow, flow.constraint.lead_time)})",
            )
        )
    quality = flow.quality_constraint
    if quality is not None and quality.complete_accurate is not None:
        found.append(
            ("Lowest %C&A", f"{step_name(quality)} ({percent(quality.complete_accurate)})")
        )
    if flow.missing_lead_times and flow.unit == "hours":
        missing = plural(flow.missing_lead_times, "hand-off")
        found.append(("Caveat", f"{missing} without a lead time"))
    if not flow.exact:
        found.append(("Caveat", "a large loop was cut to find the critical path"))
    return found


def summary(flow: StreamFlow) -> str:
    """One line under a picture's title: lead time and target, flow efficiency, rolled %C&A."""
    parts = [f"lead time {lead(flow, flow.lead_time)}"]
    if flow.stream.target is not None:
        parts[0] += f" (target {target(flow)})"
    if flow.flow_efficiency is not None:
        parts.append(f"flow efficiency {percent(flow.flow_efficiency)}")
    if flow.rolled_ca is not None:
        parts.append(f"rolled %C&A {percent(flow.rolled_ca)}")
    parts.append(f"{flow.handoffs} hand-offs")
    return " · ".join(parts)
