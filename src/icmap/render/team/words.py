"""Words shared by the terminal and markdown team pages, so both say the same."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.analysis.weakest import LOW_SATISFACTION
from icmap.model import format_hours
from icmap.render.report import stream_words
from icmap.render.report.words import amount, plural, satisfaction

if TYPE_CHECKING:
    from icmap.analysis.team_page import HandOff, TeamPage

#: Column headers of the provides and receives tables.
HEADERS = ("what", "lead time", "satisfaction", "interaction")


def title(page: TeamPage) -> str:
    """``Booking (booking)``, or the id alone when the name is the id."""
    return page.team if page.name == page.team else f"{page.name} ({page.team})"


def kind_line(page: TeamPage) -> str:
    """What the team is: its type, group and lead, in one line."""
    if page.kind == "supplier":
        what = "Outside supplier"
    elif page.type:
        what = f"{page.type[0].upper()}{page.type[1:]} team"
    else:
        what = "Team"
    extra = [f"group {page.group}"] if page.group else []
    extra += [f"lead {page.lead}"] if page.lead else []
    return what + (f"; {', '.join(extra)}" if extra else "")


def party(hand_off: HandOff) -> str:
    """The other side of a hand-off, with a word for customers and suppliers."""
    if hand_off.kind == "customer":
        return f"{hand_off.party} (external customer)"
    if hand_off.kind == "supplier":
        return f"{hand_off.party} (outside supplier)"
    return hand_off.party


def cells(hand_off: HandOff) -> tuple[str, str, str, str]:
    """The what, lead time, satisfaction and interaction cells of one hand-off."""
    lead = "—" if hand_off.lead_time_hours is None else format_hours(hand_off.lead_time_hours)
    score = "—" if hand_off.satisfaction is None else satisfaction(hand_off.satisfaction)
    survey = hand_off.survey
    if survey is not None and survey.experienced is not None:
        lead += f" ({format_hours(survey.experienced.hours)} experienced)"
    lead += measured(hand_off)
    if survey is not None and survey.mean is not None:
        plural = "" if survey.answers == 1 else "s"
        score += f" (survey {survey.round}, {survey.answers} answer{plural}"
        score += "" if survey.declared is None else f"; YAML {survey.declared:g}"
        score += ")"
    if hand_off.satisfaction is not None and hand_off.satisfaction < LOW_SATISFACTION:
        score += " ⚠"  # below 3, as the tree and the report mark it
    return hand_off.what, lead, score, interaction(hand_off)


def measured(hand_off: HandOff) -> str:
    """What an event log measured of a hand-off, after its lead time: `` (measured: median
    5.5h, p85 9h, 37 hand-offs)``, or `` (measured; declared 4h: …)`` when the
    lead time shown is the measured median (``--lead-times measured``); nothing without one.
    """
    found = hand_off.measured
    if found is None:
        return ""
    parts = []
    if found.median is not None:
        parts.append(f"median {format_hours(found.median.hours)}")
    if found.p85 is not None:
        parts.append(f"p85 {format_hours(found.p85.hours)}")
    parts.append(f"{found.handoffs:,} hand-off{'s' if found.handoffs != 1 else ''}")
    if found.return_rate:
        parts.append(f"{round(found.return_rate * 100, 1):g}% come straight back")
    declared = hand_off.declared_lead_time_hours
    if declared != hand_off.lead_time_hours:
        shown = "—" if declared is None else format_hours(declared)
        return f" (measured; declared {shown}: {', '.join(parts)})"
    return f" (measured: {', '.join(parts)})"


def interaction(hand_off: HandOff) -> str:
    """Mode, dates, state and feedback in words: ``collaboration until 2026-12-15, blocking``."""
    words = []
    if hand_off.mode:
        mode = hand_off.mode
        if hand_off.since:
            mode += f" since {hand_off.since.isoformat()}"
        if hand_off.until:
            mode += f" until {hand_off.until.isoformat()}"
        words.append(mode)
    if hand_off.state:
        words.append(hand_off.state)
    if hand_off.feedback:
        words.append("↺ feedback")
    return ", ".join(words) or "—"


def distances(page: TeamPage) -> str:
    """How far the team's work is from each customer it reaches."""
    if not page.distances:
        return "Its work reaches no external customer."
    parts = [f"{c}: {plural(hops, 'hand-off')}" for c, hops in page.distances.items()]
    return "; ".join(parts) + "."


def critical(page: TeamPage) -> str:
    """Whether the team is on a critical path, and its slack."""
    if page.critical_for:
        tied = set(page.tied_to)
        named = [c + (" (tied)" if c in tied else "") for c in page.critical_for]
        return f"On the critical path to {', '.join(named)}: no slack."
    if page.slack is None:
        return "On no critical path: its delivered work reaches no customer."
    if page.slack_lower_bound and page.slack == 0:
        return (
            "On no critical path; its slack is not known: it is in a loop, where icmap finds "
            "only a lower bound (here 0)."
        )
    if page.slack_lower_bound:
        return (
            f"On no critical path; slack at least {amount(page.slack, page.unit)}: it is in a "
            "loop, where slack is a lower bound."
        )
    if page.slack == 0:
        return "On no critical path, but no slack: a chain through it is as long as one."
    return f"On no critical path; slack {amount(page.slack, page.unit)}."


def chokepoint(page: TeamPage) -> str:
    """Whether the team is a chokepoint, and who depends on it."""
    if not page.dependents:
        return "Not a chokepoint: no other team depends on it alone to reach a customer."
    return (
        f"A chokepoint: every path to a customer from {', '.join(page.dependents)} runs through it."
    )


def streams(page: TeamPage) -> list[str] | None:
    """The value streams the team serves, its place in each; ``None`` when the org declares
    none (the page then has no such section)."""
    if not page.streams_declared:
        return None
    if not page.streams:
        return ["Serves no value stream: none of its hand-offs is part of one."]
    return [stream_words.team_line(flow, place) for flow, place in page.streams]
