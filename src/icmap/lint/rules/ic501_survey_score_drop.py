"""A hand-off's survey score fell by at least the threshold since the previous round.

Why it matters: a falling score is the internal customer saying that service got worse,
usually before the external customer feels it. The survey loop exists to catch this early.

Fix: ask the receiving team what changed (the comments in the response file help), agree on
what the provider will do, and see it in the next round. Option ``threshold`` (default 1.0)
is the fall, in points of the 1-5 scale, that is reported; the previous round is the last
one before the latest that scored the hand-off.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, relation_text

CODE = "IC501"
NAME = "survey-score-drop"
SEVERITY = "warning"
OPTIONS = {"threshold": 1.0}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    threshold = float(options["threshold"])
    for relation, series in ctx.survey_series():
        scored = [(name, mean) for name, mean in series if mean is not None]
        if len(scored) < 2 or relation.survey is None or scored[-1][0] != ctx.latest_round:
            continue
        (before_round, before), (after_round, after) = scored[-2], scored[-1]
        if before - after >= threshold - 1e-9:
            pos = relation.survey.pos
            yield Finding(
                CODE,
                f"{relation_text(relation)} fell from {round(before, 2):g} in {before_round} to "
                f"{round(after, 2):g} in {after_round} ({round(after - before, 2):+g})",
                pos.file,
                pos.line,
                pos.col,
                (relation.provider, relation.receiver),
            )
