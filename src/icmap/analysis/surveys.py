"""The internal-customer survey: the questionnaire, and what the rounds of answers show.

:func:`questionnaire` lists the questions of ``icmap survey``: one per hand-off, addressed to
the receiving team. :func:`survey_trends` follows each hand-off and each provider team round
by round (the mean score, how many answered, the change since the previous round), each
customer's weakest-link bound as it was after every round, and the lead times receivers
experienced next to the declared ones.

>>> from icmap.loader import load_text
>>> org = load_text("customers: {c: {}}\\nteams:\\n  a: {provides: [{what: X, to: b}]}\\n"
...                 "  b: {provides: [{what: Y, to: c}]}\\n")
>>> [(q.receiver, q.provider, q.what) for q in questionnaire(org)]
[('b', 'a', 'X')]
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.compact import collector_paused

if TYPE_CHECKING:
    from icmap.analysis.critical import CriticalPaths
    from icmap.graph import OrgGraph
    from icmap.model import Org, SurveyRound


@dataclass(frozen=True)
class Question:
    """One row of the questionnaire: what ``receiver`` gets from ``provider``."""

    receiver: str
    receiver_name: str
    provider: str
    provider_name: str
    what: str
    #: The lead time the org declares for it, as written; empty when none is.
    lead_time: str


def questionnaire(org: Org, team: str | None = None) -> list[Question]:
    """A question for every hand-off a team receives (only ``team``'s when given).

    External customers are not asked: the survey is for internal customers. Sorted by
    receiver, provider and what, so every team's questions are together.
    """
    questions = []
    for relation in org.relations:
        receiver = org.teams.get(relation.receiver)
        if receiver is None or (team is not None and relation.receiver != team):
            continue
        provider = org.party(relation.provider)
        questions.append(
            Question(
                relation.receiver,
                receiver.label,
                relation.provider,
                provider.label if provider else relation.provider,
                relation.what,
                relation.lead_time.text or str(relation.lead_time) if relation.lead_time else "",
            )
        )
    return sorted(questions, key=lambda q: (q.receiver, q.provider, q.what.casefold()))


@dataclass(frozen=True)
class RoundScore:
    """A score in one round: the mean (``None``: nobody scored it then) and the change."""

    round: str
    mean: float | None
    answers: int
    #: Since the previous round in which it was scored; ``None`` for the first.
    change: float | None = None


@dataclass(frozen=True)
class RelationTrend:
    """One hand-off across the rounds, with the YAML score and the lead times experienced."""

    provider: str
    receiver: str
    what: str
    rounds: tuple[RoundScore, ...]
    declared: float | None
    declared_lead_time: float | None
    #: Median lead time receivers reported in the latest round that reported one (hours).
    experienced_lead_time: float | None
    lead_time_answers: int
    #: The round those lead times come from (it may be older than the latest score).
    lead_time_round: str = ""

    @property
    def lead_time_gap(self) -> float | None:
        """How much longer (hours) than declared receivers wait; negative: shorter."""
        if self.experienced_lead_time is None or self.declared_lead_time is None:
            return None
        return self.experienced_lead_time - self.declared_lead_time


@dataclass(frozen=True)
class TeamTrend:
    """Every answer about what one team provides, round by round."""

    team: str
    rounds: tuple[RoundScore, ...]


@dataclass(frozen=True)
class BoundTrend:
    """A customer's weakest-link bound after each round (``None``: nothing scored)."""

    customer: str
    bounds: tuple[float | None, ...]


@dataclass(frozen=True)
class SurveyTrends:
    """What the survey rounds show, oldest round first."""

    rounds: tuple[str, ...]
    relations: tuple[RelationTrend, ...]
    teams: tuple[TeamTrend, ...]
    bounds: tuple[BoundTrend, ...]


def _series(per_round: list[list[float]], names: tuple[str, ...]) -> tuple[RoundScore, ...]:
    found: list[RoundScore] = []
    previous: float | None = None
    for name, values in zip(names, per_round, strict=True):
        mean = round(statistics.fmean(values), 2) if values else None
        change = None
        if mean is not None and previous is not None:
            change = round(mean - previous, 2)
        found.append(RoundScore(name, mean, len(values), change))
        previous = mean if mean is not None else previous
    return tuple(found)


def _scores(rounds: tuple[SurveyRound, ...]) -> dict[tuple[str, str, str], list[list[float]]]:
    scores: dict[tuple[str, str, str], list[list[float]]] = {}
    for index, survey_round in enumerate(rounds):
        for answer in survey_round.answers:
            if answer.score is not None:
                key = (answer.provider, answer.receiver, answer.what)
                scores.setdefault(key, [[] for _ in rounds])[index].append(answer.score)
    return scores


def _scored_after(
    org: Org, scores: dict[tuple[str, str, str], list[list[float]]], index: int
) -> dict[tuple[str, str], float]:
    """Each hand-off's weakest score as the org stood after round ``index``.

    A relation's score is its mean in the latest round up to ``index`` that scored it (to two
    decimals), else its YAML ``satisfaction``: what :func:`icmap.loader.surveys.apply_rounds`
    of those rounds gives, without building the org again.
    """
    found: dict[tuple[str, str], float] = {}
    for relation in org.relations:
        value = relation.survey.declared if relation.survey else relation.satisfaction
        for values in reversed(
            scores.get((relation.provider, relation.receiver, relation.what), [])[: index + 1]
        ):
            if values:
                value = round(statistics.fmean(values), 2)
                break
        if value is not None:
            edge = (relation.provider, relation.receiver)
            found[edge] = min(found.get(edge, value), value)
    return found


@collector_paused
def survey_trends(
    org: Org, critical: CriticalPaths, graph: OrgGraph | None = None
) -> SurveyTrends | None:
    """Trends of ``org``'s survey rounds, or ``None`` when it has none.

    ``critical`` is the org's critical paths (lead times do not change between rounds) and
    ``graph``, when given, its graph (the latest round's, reused rather than rebuilt). Each
    round's bound is computed on the org as it was scored after that round: the latest score
    each hand-off had by then, else its YAML ``satisfaction``.
    """
    if not org.surveys:
        return None
    from icmap.analysis.weakest import customer_bounds
    from icmap.graph import build_graph

    rounds = org.surveys
    names = tuple(r.name for r in rounds)
    scores = _scores(rounds)
    relations = []
    by_team: dict[str, list[list[float]]] = {}
    for relation in org.relations:
        key = (relation.provider, relation.receiver, relation.what)
        survey = relation.survey
        if key not in scores and survey is None:
            continue
        per_round = scores.get(key, [[] for _ in rounds])
        team_rounds = by_team.setdefault(relation.provider, [[] for _ in rounds])
        for index, values in enumerate(per_round):
            team_rounds[index].extend(values)
        relations.append(
            RelationTrend(
                relation.provider,
                relation.receiver,
                relation.what,
                _series(per_round, names),
                survey.declared if survey else relation.satisfaction,
                relation.lead_time.hours if relation.lead_time else None,
                survey.experienced.hours if survey and survey.experienced else None,
                survey.lead_time_answers if survey else 0,
                survey.lead_time_round if survey and survey.experienced else "",
            )
        )
    teams = tuple(
        TeamTrend(team, _series(per_round, names)) for team, per_round in sorted(by_team.items())
    )
    by_customer: dict[str, list[float | None]] = {}
    # The hand-offs are the same in every round, only their scores change: one graph serves
    # every round, each scored as the org was after it.
    shape = graph if graph is not None else build_graph(org)
    for index in range(len(rounds)):
        for customer, bound in customer_bounds(shape, _scored_after(org, scores, index)).items():
            by_customer.setdefault(customer, []).append(bound)
    bounds = tuple(BoundTrend(c, tuple(b)) for c, b in sorted(by_customer.items()))
    return SurveyTrends(names, tuple(relations), teams, bounds)
