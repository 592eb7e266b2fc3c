"""A hand-off the latest survey round scored has fewer answers than the minimum.

Why it matters: one or two answers are one or two people's day. A mean of so few answers
moves with whoever answered, and it replaces the YAML satisfaction in every analysis.

Fix: ask more people of the receiving team to answer in the next round, or lower the minimum
for a small team. Option ``minimum`` (default 2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, relation_text

CODE = "IC502"
NAME = "few-survey-answers"
SEVERITY = "info"
OPTIONS = {"minimum": 2}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    minimum = int(options["minimum"])
    for relation in ctx.org.relations:
        survey = relation.survey
        if survey is None or survey.mean is None or survey.round != ctx.latest_round:
            continue
        if survey.answers < minimum:
            yield Finding(
                CODE,
                f"{relation_text(relation)} has {survey.answers} answer"
                f"{'' if survey.answers == 1 else 's'} in {survey.round}, fewer than {minimum}",
                survey.pos.file,
                survey.pos.line,
                survey.pos.col,
                (relation.provider, relation.receiver),
            )
