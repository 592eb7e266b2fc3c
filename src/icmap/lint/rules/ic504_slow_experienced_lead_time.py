"""Receivers report waiting much longer for a hand-off than its declared lead time.

Why it matters: critical paths and slack are computed from the declared lead times. When the
internal customer actually waits far longer, those numbers flatter the org, and the external
customer's real wait is longer than icmap shows.

Fix: find out why the hand-off is slower than promised, then either make it faster or declare
the lead time it really has. Option ``factor`` (default 1.5): the median lead time of the latest
round that reported any must be at least this many times the declared one to be reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, relation_text
from icmap.model import format_hours

CODE = "IC504"
NAME = "slow-experienced-lead-time"
SEVERITY = "warning"
OPTIONS = {"factor": 1.5}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    factor = float(options["factor"])
    for relation in ctx.org.relations:
        survey, declared = relation.survey, relation.lead_time
        if survey is None or survey.experienced is None or declared is None:
            continue
        if declared.hours > 0 and survey.experienced.hours >= factor * declared.hours:
            # The lead times may come from an older round than the score: name and point
            # at the round that reported them.
            pos, waited = survey.lead_time_pos or survey.pos, survey.experienced.hours
            yield Finding(
                CODE,
                f"{relation_text(relation)}: receivers wait {format_hours(waited)} "
                f"(median of {survey.lead_time_answers} in "
                f"{survey.lead_time_round or survey.round}), "
                f"{waited / declared.hours:.1f} times the declared {format_hours(declared.hours)}",
                pos.file,
                pos.line,
                pos.col,
                (relation.provider, relation.receiver),
            )
