"""A collaboration or facilitating interaction is past its end date.

Why it matters: Team Topologies treats collaboration and facilitating as temporary: two teams
work closely, or one teaches another, for a while, and then the interaction ends or settles
into x-as-a-service. When its ``until`` has passed and the relation is still written as
collaboration or facilitating, either the interaction has outlived its purpose (and costs both
teams the attention it was meant to save) or the org files are out of date.

Fix: end the interaction (switch the mode to ``x-as-a-service``, or remove the relation), or
agree a new ``until`` and write it. "Today" is the real date unless ``icmap check --today
YYYY-MM-DD`` says otherwise, so a CI run can be reproduced.

Passes (with ``--today 2026-11-23``)::

    receives:
      - {what: Event streams, from: data, mode: collaboration, until: 2026-12-15}

Fails (with ``--today 2026-11-23``)::

    receives:
      - {what: Event streams, from: data, mode: collaboration, until: 2026-06-30}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, declared_at, relation_text
from icmap.topologies import TEMPORARY_MODES

CODE = "IC206"
NAME = "interaction-past-end"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for relation in ctx.org.relations:
        if relation.mode not in TEMPORARY_MODES or relation.until is None:
            continue
        if relation.until >= ctx.today:
            continue
        days = (ctx.today - relation.until).days
        where = declared_at(relation, "until")
        yield Finding(
            CODE,
            f"{relation_text(relation)}: the {relation.mode} was to end on "
            f"{relation.until.isoformat()}, {days} day{'s' if days != 1 else ''} before "
            f"{ctx.today.isoformat()}",
            where.file,
            where.line,
            where.col,
            (relation.provider, relation.receiver),
            hint="end it (x-as-a-service, or remove the relation) or write a new 'until'",
        )
