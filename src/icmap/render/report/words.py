"""Words and numbers shared by the terminal and markdown reports, so both say the same."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from icmap.analysis.loops import cycle_text
from icmap.model import format_hours

if TYPE_CHECKING:
    from icmap.analysis.chokepoints import Chokepoint
    from icmap.analysis.critical import CriticalPath, Unit
    from icmap.analysis.feedback import Candidate, LoopCrossing
    from icmap.analysis.loops import Loop
    from icmap.analysis.report import Report
    from icmap.analysis.weakest import WeakLink

#: How many rows the longer lists show before saying how many more there are.
TOP = 10
#: Distances the histogram shows one by one; more are shown as ranges.
HISTOGRAM_ROWS = 20
#: The weakest-links section of an org whose hand-offs carry no satisfaction score.
NO_SCORES = (
    "none: no hand-off on the way to a customer has a satisfaction score "
    "(give hand-offs a satisfaction score, or run a survey)"
)


def stranded_names(point: Chokepoint, shown: int | None = None) -> str:
    """A chokepoint's dependents by id, the first ``shown`` of them (all it lists when
    ``None``), and how many more it strands: ``a, b, c … and 97 more``."""
    names = point.dependents if shown is None else point.dependents[:shown]
    rest = point.stranded - len(names)
    return ", ".join(names) + (f" … and {rest:,} more" if rest > 0 else "")


def amount(value: float, unit: Unit) -> str:
    """A total or a slack in human units: ``19.51d`` or ``4 hops``."""
    if unit == "hops":
        return f"{value:g} hop{'' if value == 1 else 's'}"
    return format_hours(value, weeks=False)


def chain(path: tuple[str, ...] | list[str]) -> str:
    return " → ".join(path)


def critical_notes(path: CriticalPath, unit: Unit) -> list[str]:
    """Caveats a reader must see next to a critical path."""
    if len(path.path) == 1:
        return ["no delivery hand-off reaches this customer (only feedback, or nothing)"]
    notes = []
    if unit == "hops":
        notes.append("no lead times in this org: hand-offs counted instead")
    elif path.missing_lead_times:
        n = path.missing_lead_times
        notes.append(f"{n} hand-off{'s' if n != 1 else ''} on it without a lead time, counted as 0")
    if not path.exact:
        notes.append("a loop was too large to search exactly: this chain may not be the longest")
    if path.ties:
        notes.append(tie_text(path))
    return notes


def tie_text(path: CriticalPath) -> str:
    """Other chains as long as the path shown: the hand-offs off it that are on them.

    >>> from icmap.analysis.critical import CriticalPath
    >>> tie_text(CriticalPath("users", ("a", "app", "users"), 3.0, 0, ties=(("b", "app"),)))
    'paths tie: 1 more hand-off is on a chain as long as this one: b → app'
    """
    count = len(path.ties)
    shown = ", ".join(f"{u} → {v}" for u, v in path.ties[:TOP])
    if count > TOP:
        shown += f", … and {count - TOP} more"
    verb = "is" if count == 1 else "are"
    text = f"paths tie: {plural(count, 'more hand-off')} {verb} on a chain as long as this one: "
    return text + shown


def slack_amount(report: Report, team: str, value: float) -> str:
    """A team's slack in words: ``at least 3.96d`` for a team in a loop, where it is a lower
    bound."""
    shown = amount(value, report.critical.unit)
    return f"at least {shown}" if team in report.critical.looped else shown


def no_slack(report: Report) -> str:
    """How many teams have no slack: those on a critical path, and those outside loops whose
    slack is 0. A team in a loop on no critical path has a slack of *at least* 0, which says
    nothing: it is counted apart, not called critical."""
    critical = report.critical
    zero = [team for team, value in critical.slack.items() if value == 0]
    unknown = critical.slack_unknown()
    count = len(zero) - len(unknown)
    text = (
        f"{plural(count, 'team or supplier')} {'has' if count == 1 else 'have'} no slack: critical."
    )
    if unknown:
        names = ", ".join(unknown[:TOP]) + (
            f" and {len(unknown) - TOP} more" if len(unknown) > TOP else ""
        )
        text += (
            f" Slack not known for {plural(len(unknown), 'team')} in a loop and on no critical "
            f"path ({names}): inside a loop icmap finds only a lower bound, here 0."
        )
    return text


def feedback_only_text(report: Report) -> str | None:
    """Teams whose work reaches a customer only as feedback, or ``None``."""
    if not report.feedback_only:
        return None
    return (
        f"Reach a customer only through feedback hand-offs (no delivery chain, so no slack): "
        f"{', '.join(report.feedback_only)}."
    )


def satisfaction(value: float) -> str:
    """A score with one decimal, or two when it has them: a survey mean of 3.25 is not shown
    as 3.2 beside the 3.25 of the survey table (nor 2.75 as 2.8, rounded the other way).

    >>> satisfaction(4.0), satisfaction(3.25), satisfaction(2.75), satisfaction(4.1666)
    ('4.0', '3.25', '2.75', '4.17')
    """
    return f"{value:.1f}" if round(value, 1) == round(value, 2) else f"{value:.2f}"


def link(weak: WeakLink | None) -> str:
    if weak is None:
        return "—"
    source = ""
    if weak.survey_round is not None:
        source = f", survey {weak.survey_round}: {answers(weak.answers)}"
    score = satisfaction(weak.satisfaction)
    return f"{weak.provider} → {weak.receiver}: {weak.what} ({score}{source})"


def answers(count: int) -> str:
    """``1 answer``, ``3 answers``."""
    return f"{count} answer{'' if count == 1 else 's'}"


def distance_histogram(report: Report) -> list[tuple[str, int]]:
    """``(hops, number of teams)`` rows, then the disconnected count.

    Past :data:`HISTOGRAM_ROWS` distances (an org that is one long chain has as many as
    teams), the rows are ranges of equal width, at most :data:`HISTOGRAM_ROWS` of them:
    ``1-15``, ``16-30``… (the last may be shorter).
    """
    teams = {n for n in report.reach.hops if n not in _suppliers(report)}
    counts = Counter(report.reach.hops[n] for n in teams)
    if len(counts) <= HISTOGRAM_ROWS:
        rows = [(str(h), counts[h]) for h in sorted(counts)]
    else:
        low, high = min(counts), max(counts)
        width = -(-(high - low + 1) // HISTOGRAM_ROWS)
        ranges: Counter[int] = Counter()
        for hops, n in counts.items():
            ranges[(hops - low) // width] += n
        rows = [
            (_span(low + k * width, min(high, low + (k + 1) * width - 1)), ranges[k])
            for k in sorted(ranges)
        ]
    disconnected = [n for n in report.reach.disconnected if n not in _suppliers(report)]
    if disconnected:
        rows.append(("none", len(disconnected)))
    return rows


def _span(first: int, last: int) -> str:
    return f"{first:,}" if first == last else f"{first:,}-{last:,}"


def _suppliers(report: Report) -> set[str]:
    return set(report.suppliers)


def top_slack(report: Report) -> list[tuple[str, float]]:
    """Teams with slack, the most first (ties by id); critical teams are counted elsewhere."""
    slack = [(team, value) for team, value in report.critical.slack.items() if value > 0]
    return sorted(slack, key=lambda item: (-item[1], item[0]))[:TOP]


def plural(count: int, word: str) -> str:
    """``1 team``, ``2 teams``; the last word of each alternative takes the ``s``.

    >>> plural(2, "team or supplier"), plural(0, "outside supplier"), plural(1, "team")
    ('2 teams or suppliers', '0 outside suppliers', '1 team')
    """
    if count == 1:
        return f"{count} {word}"
    return f"{count} {' or '.join(part + 's' for part in word.split(' or '))}"


def events_line(report: Report) -> str | None:
    """What the report's lead times are when an event log is laid over the org, or ``None``.

    >>> from icmap.model import EventOverlay
    >>> from datetime import date
    >>> log = EventOverlay(("t.csv",), date(2026, 1, 5), date(2026, 3, 29), 10, 4, "measured",
    ...                    (), (), replaced=9)
    >>> from types import SimpleNamespace
    >>> events_line(SimpleNamespace(events=log))  # doctest: +NORMALIZE_WHITESPACE
    'Lead times measured: the median of t.csv (2026-01-05 to 2026-03-29) on 9 hand-offs,
     the declared one on the rest'
    """
    log = report.events
    if log is None:
        return None
    files = ", ".join(log.files)
    if log.first is not None and log.last is not None:
        files += f" ({log.first.isoformat()} to {log.last.isoformat()})"
    if log.lead_times == "measured":
        return (
            f"Lead times measured: the median of {files} on {plural(log.replaced, 'hand-off')}, "
            "the declared one on the rest"
        )
    return (
        f"Lead times declared; event log {files} laid over the org "
        "(--lead-times measured uses its medians)"
    )


def summary(report: Report) -> str:
    counts = report.counts
    parts = [
        plural(counts["teams"], "team"),
        plural(counts["customers"], "external customer"),
        plural(counts["suppliers"], "outside supplier"),
        plural(counts["handoffs"], "hand-off"),
    ]
    return ", ".join(parts)


def loop_text(loop: Loop) -> str:
    """A loop's members: they all serve each other, directly or through the others."""
    return f"{', '.join(loop.teams)} ({len(loop.teams)} teams)"


def cycle_lines(loop: Loop) -> list[str]:
    """The loop's shortest cycles, one a line, then what was left out."""
    lines = [
        cycle_text(c.teams) + ("  (closed by feedback)" if c.feedback else "") for c in loop.cycles
    ]
    if loop.more_cycles:
        lines.append(f"… and {plural(loop.more_cycles, 'more cycle')}")
    if loop.unsearched:
        lines.append(f"… {plural(loop.unsearched, 'team')} not searched (the loop is too large)")
    return lines


def candidate_text(candidate: Candidate) -> str:
    """``ops → dev ('Incidents'; distance to the customer 1 → 2)``."""
    whats = ", ".join(repr(r.what) for r in candidate.relations)
    named = "; its name sounds like feedback" if candidate.named_like_feedback else ""
    return (
        f"{candidate.provider} → {candidate.receiver} ({whats}; distance to the customer "
        f"{candidate.provider_hops} → {candidate.receiver_hops}{named})"
    )


def crossing_notes(crossing: LoopCrossing) -> list[str]:
    """What to tell a reader whose critical path turns back inside a loop of delivery hand-offs."""
    return [
        f"this path turns back inside the loop {cycle_text(crossing.cycle)}; if one of these "
        "hand-offs only carries information back, mark it feedback: true:",
        *(f"  {candidate_text(c)}" for c in crossing.candidates),
    ]


def handoff(provider: str, receiver: str, what: str) -> str:
    """``provider → receiver ('what')``."""
    return f"{provider} → {receiver} ({what!r})"


def type_name(kind: str | None) -> str:
    return kind or "no type"


def mode_name(mode: str | None) -> str:
    return mode or "no mode"


def critical_text(customers: tuple[str, ...], tied: tuple[str, ...] = ()) -> str:
    """Whether a dependency is on a critical path, in words; "(tied)" marks the customers
    where it is on a chain as long as the path shown, not on it.

    >>> critical_text(("users", "shops"), tied=("shops",))
    'on the critical path to users, shops (tied)'
    """
    if not customers:
        return "not on a critical path"
    named = ", ".join(c + (" (tied)" if c in tied else "") for c in customers)
    return f"on the critical path to {named}"


def days_past(days: int) -> str:
    return f"{plural(days, 'day')} past its end"
