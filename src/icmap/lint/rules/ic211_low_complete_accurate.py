"""A hand-off on a value stream's critical path arrives complete and accurate too rarely.

Why it matters: a hand-off's %C&A (``complete_accurate``) is the share of what arrives that
its receiver can use as it is, without correcting, adding or asking. Everything else is
reworked: sent back, chased or fixed, and each time the stream's customer waits again. On the
stream's critical path that rework lengthens the lead time the customer sees (the stream's
lead time with rework, docs/analyses.md); value stream mapping looks for the steps with the
lowest %C&A first. Chains that tie with the critical path count too (the stream is marked
"(tied)"). Where a survey round reported the %C&A, its latest mean is the value
(docs/surveys.md), and the finding points at the response file.

Fix: agree with the providing team what "complete and accurate" means for the hand-off (a
definition of ready, a checklist, an example), then measure it again. Option ``threshold``
(default ``80%``, or written as ``0.8``): a %C&A below it is reported.

Passes::

    streams: {order: {customer: shoppers}}
    teams:
      warehouse:
        provides:
          - {what: Parcels, to: shoppers, streams: order, complete_accurate: 95%}

Fails (below 80%)::

    streams: {order: {customer: shoppers}}
    teams:
      warehouse:
        provides:
          - {what: Parcels, to: shoppers, streams: order, complete_accurate: 60%}
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, declared_at, relation_text
from icmap.loader.reader import parse_share
from icmap.model import Relation, SourcePos

CODE = "IC211"
NAME = "low-complete-accurate"
SEVERITY = "warning"
OPTIONS = {"threshold": "80%"}


def read_threshold(value: object) -> str:
    """The ``threshold`` option as written, once it reads as a share (``80%``, ``0.8``).

    >>> read_threshold("80%"), read_threshold(0.8)
    ('80%', '0.8')
    """
    text = str(value).strip()
    parse_share(text, "threshold")
    return text


OPTION_READERS = {"threshold": read_threshold}


def percent(share: float) -> str:
    """A share as a percentage, as findings show it.

    >>> percent(0.85), percent(0.333333), percent(1.0)
    ('85%', '33.3%', '100%')
    """
    return f"{round(share * 100, 1):g}%"


def _streams_on_path(ctx: Context) -> dict[int, tuple[Relation, list[str]]]:
    """Each relation of a stream on its critical path (ties marked), with those streams."""
    found: dict[int, tuple[Relation, list[str]]] = {}
    for flow in ctx.streams:
        edges = [(edge, "") for edge in itertools.pairwise(flow.path)]
        edges += [(edge, " (tied)") for edge in flow.ties]
        for (u, v), tied in edges:
            for relation in ctx.graph.edges[u, v]["relations"]:
                if flow.id in relation.streams and not relation.feedback:
                    entry = found.setdefault(id(relation), (relation, []))
                    entry[1].append(repr(flow.id) + tied)
    return found


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    if not ctx.streams:
        return
    written = str(options["threshold"])
    threshold = parse_share(written, "threshold")
    for relation, streams in _streams_on_path(ctx).values():
        share = relation.complete_accurate
        if share is None or share >= threshold:
            continue
        pos: SourcePos = declared_at(relation, "complete_accurate")
        source = ""
        survey = relation.survey
        if survey is not None and survey.complete_accurate is not None:
            pos = survey.complete_accurate_pos or survey.pos
            n = survey.complete_accurate_answers
            source = f" (survey {survey.complete_accurate_round}, {n} answer{'s' if n != 1 else ''}"
            if survey.declared_complete_accurate is not None:
                source += f"; the YAML says {percent(survey.declared_complete_accurate)}"
            source += ")"
        named = "stream " if len(streams) == 1 else "streams "
        yield Finding(
            CODE,
            f"{relation_text(relation)} on the critical path of {named}{', '.join(streams)} "
            f"arrives complete and accurate {percent(share)} of the time{source}, "
            f"below {percent(threshold)}",
            pos.file,
            pos.line,
            pos.col,
            (relation.provider, relation.receiver),
        )
