"""The two sides of a relation give a different mode, state, since or until.

Why it matters: the provider believes it offers a service while the receiver believes the two
teams collaborate, or the receiver says the dependency is blocking while the provider wrote
``ok``. Each plans with its own picture. icmap keeps the receiver's values (it is the side that
waits), as for lead times (IC202), and reports the difference here.

Fix: agree, and write the same value on both sides (or on one side only).

Passes::

    provides: [{what: Event streams, to: booking, mode: collaboration}]   # data
    receives: [{what: Event streams, from: data, mode: collaboration}]    # booking

Fails::

    provides: [{what: Event streams, to: booking, mode: x-as-a-service}]  # data
    receives: [{what: Event streams, from: data, mode: collaboration}]    # booking
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, relation_text

CODE = "IC208"
NAME = "topology-disagreement"
SEVERITY = "warning"
_FIELDS = ("mode", "state", "since", "until")


def _shown(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for relation in ctx.org.relations:
        if len(relation.declared_by) < 2:  # one side cannot disagree with itself
            continue
        sides = {d.side: d for d in relation.declarations}
        provider, receiver = sides["provider"], sides["receiver"]
        differences = [
            f"{name}: the provider says {_shown(said)}, the receiver {_shown(heard)}"
            for name in _FIELDS
            if (said := getattr(provider, name)) is not None
            and (heard := getattr(receiver, name)) is not None
            and said != heard
        ]
        if not differences:
            continue
        yield Finding(
            CODE,
            f"{relation_text(relation)}: the two sides disagree on " + "; ".join(differences),
            receiver.pos.file,
            receiver.pos.line,
            receiver.pos.col,
            (relation.provider, relation.receiver),
        )
