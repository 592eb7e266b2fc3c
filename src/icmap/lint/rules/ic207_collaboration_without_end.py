"""A collaboration has no end date.

Why it matters: collaboration is the most expensive way for two teams to work together: they
share responsibility and each pays in attention. Team Topologies treats it as temporary, a way
to discover something and then settle into x-as-a-service. A collaboration with no ``until``
has no moment at which anyone asks whether it is still needed.

Fix: write when the collaboration is expected to end (``until: YYYY-MM-DD``, on either side).
Facilitating is not reported here, only once it is past an end date it gives (IC206).

Passes::

    receives:
      - {what: Event streams, from: data, mode: collaboration, until: 2026-12-15}

Fails::

    receives:
      - {what: Event streams, from: data, mode: collaboration}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, declared_at, relation_text

CODE = "IC207"
NAME = "collaboration-without-end"
SEVERITY = "info"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for relation in ctx.org.relations:
        if relation.mode != "collaboration" or relation.until is not None:
            continue
        where = declared_at(relation, "mode")
        yield Finding(
            CODE,
            f"{relation_text(relation)}: a collaboration with no end date ('until')",
            where.file,
            where.line,
            where.col,
            (relation.provider, relation.receiver),
            hint="add 'until: YYYY-MM-DD': when the teams expect to stop collaborating",
        )
