"""The survey section of ``icmap report`` in words, shared by the text and markdown outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.model import format_hours
from icmap.render.report.words import answers

if TYPE_CHECKING:
    from icmap.analysis.surveys import RelationTrend, RoundScore, SurveyTrends, TeamTrend

#: Rounds shown side by side in text and markdown (JSON has them all): the latest ones.
SHOWN_ROUNDS = 4
#: Hand-offs and teams listed in text and markdown (JSON has them all): those that fell most.
SHOWN_ROWS = 20


def _latest(entries: tuple[RoundScore, ...]) -> RoundScore | None:
    return next((e for e in reversed(entries) if e.mean is not None), None)


def _worst_first(entries: tuple[RoundScore, ...]) -> tuple[float, float]:
    """Sort key: the biggest fall first, then the lowest latest score; unscored last."""
    latest = _latest(entries)
    if latest is None or latest.mean is None:
        return (float("inf"), float("inf"))
    return (latest.change if latest.change is not None else 0.0, latest.mean)


def shown_relations(trends: SurveyTrends) -> list[RelationTrend]:
    """The hand-offs to list: those that fell most, then the lowest scored."""
    ranked = sorted(
        trends.relations, key=lambda t: (*_worst_first(t.rounds), t.provider, t.receiver, t.what)
    )
    return ranked[:SHOWN_ROWS]


def shown_teams(trends: SurveyTrends) -> list[TeamTrend]:
    return sorted(trends.teams, key=lambda t: (*_worst_first(t.rounds), t.team))[:SHOWN_ROWS]


def more(total: int) -> str | None:
    """``… and 12 more (all in -f json)`` when a table is cut short."""
    hidden = total - SHOWN_ROWS
    return f"… and {hidden:,} more (all in -f json)" if hidden > 0 else None


def shown_rounds(trends: SurveyTrends) -> tuple[str, ...]:
    return trends.rounds[-SHOWN_ROUNDS:]


def intro(trends: SurveyTrends) -> str:
    """What the rounds are and what their scores replace."""
    rounds = ", ".join(trends.rounds)
    scored = sum(1 for r in trends.relations if any(s.mean is not None for s in r.rounds))
    text = (
        f"Rounds, oldest first: {rounds}. {scored} hand-off{'' if scored == 1 else 's'} scored: "
        "the latest round's mean replaces the YAML satisfaction in the weakest links and "
        "in icmap check."
    )
    hidden = len(trends.rounds) - SHOWN_ROUNDS
    if hidden > 0:
        text += f" The tables show the latest {SHOWN_ROUNDS} rounds ({hidden} older in JSON)."
    return text + " Biggest falls first, then the lowest scores."


def points(value: float) -> str:
    """A score as it is shown everywhere in the survey outputs: at most two decimals.

    >>> points(4.25), points(3.0), points(-1.5)
    ('4.25', '3', '-1.5')
    """
    return f"{round(value, 2):g}"


def score(entry: RoundScore) -> str:
    """``3.5 (4)``: the mean and the number of answers; ``—`` when nobody scored it."""
    return "—" if entry.mean is None else f"{points(entry.mean)} ({entry.answers})"


def change(entries: tuple[RoundScore, ...]) -> str:
    """The latest change, signed: ``-1.2``, ``+0.5``; ``—`` when there is none."""
    latest = _latest(entries)
    if latest is None or latest.change is None:
        return "—"
    return ("+" if latest.change > 0 else "") + points(latest.change)


def round_cells(entries: tuple[RoundScore, ...]) -> list[str]:
    return [score(e) for e in entries[-SHOWN_ROUNDS:]]


def declared(trend: RelationTrend) -> str:
    return "—" if trend.declared is None else f"{trend.declared:g}"


def experienced(trend: RelationTrend) -> str:
    """``1h vs 15m declared (+45m, 2 answers)``, or ``—``; the round is named when it is not
    the latest scored one (nobody gave a lead time since)."""
    if trend.experienced_lead_time is None:
        return "—"
    text = format_hours(trend.experienced_lead_time)
    counted = answers(trend.lead_time_answers)
    scored = [entry.round for entry in trend.rounds if entry.mean is not None]
    if trend.lead_time_round and scored and trend.lead_time_round != scored[-1]:
        counted += f" in {trend.lead_time_round}"
    gap = trend.lead_time_gap
    if gap is None or trend.declared_lead_time is None:
        return f"{text} ({counted}; none declared)"
    sign = "+" if gap >= 0 else "-"
    declared_text = format_hours(trend.declared_lead_time)
    return f"{text} vs {declared_text} declared ({sign}{format_hours(abs(gap))}, {counted})"


def bound(value: float | None) -> str:
    return "—" if value is None else points(value)
