"""Words and numbers of the report's measured section, shared by the terminal, Markdown and
the HTML page's headlines (:mod:`icmap.analysis.measured` computes every number)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.model import format_hours, format_share
from icmap.render.report.words import plural

if TYPE_CHECKING:
    from icmap.analysis.measured import Ending, FlowPair, MeasuredFlow, PingPong

#: The section's title.
TITLE = "Measured flow (from the event log)"
#: Columns of the busiest and slowest tables, in :func:`pair_row`'s order.
PAIR_HEADERS = ("hand-off", "hand-offs", "cases", "median", "85th pct", "back")
#: Columns of the ping-pong table, in :func:`ping_pong_row`'s order.
PING_PONG_HEADERS = ("hand-off", "back", "of hand-offs", "the other way")
#: Columns of the endings table, in :func:`ending_row`'s order.
ENDING_HEADERS = ("team", "cases", "share", "alone", "last stay median", "85th pct")
#: What the times and rates mean, under the section's first line.
MEANING = (
    "Median, 85th pct: how long a case stayed with the provider before the receiver took it; "
    "back: the share of hand-offs the receiver handed straight back (ping-pong)"
)
#: Where the numbers are explained.
DOC = "docs/events.md#reading-the-measured-map"


def hours(value: float | None) -> str:
    """A measured time in the unit style of totals (``17.8h``, ``3.5d``); ``—`` without."""
    return "—" if value is None else format_hours(value, weeks=False)


def share(value: float | None) -> str:
    """A share as the report writes them (``27%``, ``0.42%``); ``—`` without."""
    return "—" if value is None else format_share(value)


def pair_name(pair: FlowPair) -> str:
    return f"{pair.provider} → {pair.receiver}"


def intro(flow: MeasuredFlow) -> str:
    """``4,580 cases ended, 2010-01-13 to 2014-01-03; 5,989 hand-offs between teams in 6 pairs.``"""
    text = f"{flow.cases:,} case{'' if flow.cases == 1 else 's'} ended with a customer"
    if flow.first is not None and flow.last is not None:
        text += f", {flow.first.isoformat()} to {flow.last.isoformat()}"
    text += (
        f"; {flow.handoffs:,} hand-off{'' if flow.handoffs == 1 else 's'} between teams "
        f"in {plural(flow.pairs, 'pair')}."
    )
    return text


def pair_row(pair: FlowPair) -> tuple[str, ...]:
    """A busiest or slowest hand-off, in :data:`PAIR_HEADERS` order."""
    return (
        pair_name(pair),
        f"{pair.handoffs:,}",
        f"{pair.cases:,}",
        hours(pair.median_hours),
        hours(pair.p85_hours),
        share(pair.return_rate),
    )


def ping_pong_row(ping: PingPong) -> tuple[str, ...]:
    """A ping-pong pair, in :data:`PING_PONG_HEADERS` order, with the other direction's rate
    and hand-offs."""
    pair, back = ping.pair, ping.back
    other = "—" if back is None else f"{share(back.return_rate)} of {back.handoffs:,}"
    return (pair_name(pair), share(pair.return_rate), f"{pair.handoffs:,}", other)


def ending_row(ending: Ending) -> tuple[str, ...]:
    """A team where cases end, in :data:`ENDING_HEADERS` order."""
    alone = "—" if ending.alone is None else f"{ending.alone:,}"
    return (
        ending.team,
        f"{ending.cases:,}",
        share(ending.share),
        alone,
        hours(ending.median_hours),
        hours(ending.p85_hours),
    )


def alone_line(flow: MeasuredFlow) -> str | None:
    """``Closed by one team alone, never handed on: 1,234 of 4,580 cases (27%).``"""
    if flow.alone is None:
        return None
    return (
        f"Closed by one team alone, never handed on: {flow.alone:,} of {flow.cases:,} "
        f"cases ({share(flow.alone_share)})."
    )


def slowest_title(flow: MeasuredFlow) -> str:
    return f"Slowest hand-offs (85th percentile, at least {flow.min_handoffs} hand-offs)"


def ping_pong_title(flow: MeasuredFlow) -> str:
    return f"Ping-pong: work handed straight back (at least {flow.min_handoffs} hand-offs)"


def notes(flow: MeasuredFlow) -> list[str]:
    """What the lists leave out."""
    found = []
    if flow.ping_pong_too_few:
        count = flow.ping_pong_too_few
        found.append(
            f"{plural(count, 'pair')} with returns but fewer than {flow.min_handoffs} "
            f"hand-offs {'is' if count == 1 else 'are'} left out of ping-pong."
        )
    if flow.unmeasured:
        found.append(
            f"{plural(flow.unmeasured, 'relation')} of the org carr"
            f"{'ies' if flow.unmeasured == 1 else 'y'} no measured numbers."
        )
    left = flow.left_out
    if left is not None and (left.cases or left.undeclared_handoffs or left.unmatched_teams):
        said = []
        if left.cases:
            said.append(
                f"{left.cases:,} of the log's {left.log_cases:,} cases, which end with a team the "
                "org does not have, one whose customer it does not say, or by a hand-off to a "
                "customer it does not declare"
            )
        if left.undeclared_handoffs:
            said.append(
                f"{_count(left.undeclared_handoffs)} in {plural(left.undeclared_pairs, 'pair')} "
                "of teams the org does not declare"
            )
        if left.unmatched_teams:
            said.append(
                f"everything of {plural(left.unmatched_teams, 'team')} of the log that "
                f"match{'es' if left.unmatched_teams == 1 else ''} no team of the org"
            )
        found.append(
            "Left out of these lists: "
            + "; ".join(said)
            + ". icmap check --events lists the drift (IC701, IC705)."
        )
    return found


def _count(handoffs: int) -> str:
    return f"{handoffs:,} hand-off{'' if handoffs == 1 else 's'}"


def headlines(flow: MeasuredFlow) -> dict[str, list[str]]:
    """The HTML page's measured headlines: one line per entry, by list."""
    return {
        "busiest": [
            f"{pair_name(p)}: {_count(p.handoffs)}, median {hours(p.median_hours)}, "
            f"85th pct {hours(p.p85_hours)}"
            for p in flow.busiest
        ],
        "slowest": [
            f"{pair_name(p)}: 85th pct {hours(p.p85_hours)} (median {hours(p.median_hours)}, "
            f"{_count(p.handoffs)})"
            for p in flow.slowest
        ],
        "ping_pong": [
            f"{pair_name(p.pair)}: {share(p.pair.return_rate)} back of {p.pair.handoffs:,} "
            "hand-offs"
            + ("" if p.back is None else f" ({share(p.back.return_rate)} the other way)")
            for p in flow.ping_pong
        ],
        "endings": [
            f"{e.team}: {e.cases:,} cases ({share(e.share)})"
            + ("" if e.alone is None else f", {e.alone:,} alone")
            for e in flow.endings
        ],
    }
