"""A relation is declared by only one side.

Why it matters: an internal-customer relationship works when both sides agree on it. When only
the provider lists it, the receiver may not know what to expect; when only the receiver lists
it, the provider may not know anyone depends on them.

Fix: add the matching ``receives … from`` to the receiver (or ``provides … to`` to the
provider), with the same ``what``.

Off by default; ``--strict`` (or the config) turns it on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC201"
NAME = "one-sided-relation"
SEVERITY = "warning"
ENABLED = False


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for relation in ctx.org.relations:
        sides = relation.declared_by
        if len(sides) == 2:
            continue
        # A customer or supplier cannot declare its side: only team-to-team relations count.
        if relation.provider not in ctx.org.teams or relation.receiver not in ctx.org.teams:
            continue
        missing = "receiver" if "provider" in sides else "provider"
        other = relation.receiver if missing == "receiver" else relation.provider
        yield Finding(
            CODE,
            f"{relation.provider} → {relation.receiver} ({relation.what!r}) is declared only by "
            f"the {next(iter(sides))}; {other!r} does not list it",
            relation.pos.file,
            relation.pos.line,
            relation.pos.col,
            (relation.provider, relation.receiver),
        )
