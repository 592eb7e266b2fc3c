"""The latest survey round asked about a hand-off and nobody scored it.

Why it matters: a question left blank is no news, and no news is not good news: the receiving
team may no longer use the hand-off, may not know who provides it, or may not have been asked.
Its satisfaction stays whatever an earlier round or the YAML said.

Fix: ask the receiving team; if the hand-off is gone, remove it from the org. A hand-off is
asked about when the latest round's file has a row for it; rows left out were not asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC503"
NAME = "unanswered-hand-off"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    if not ctx.org.surveys:
        return
    latest = ctx.org.surveys[-1]
    asked: dict[tuple[str, str, str], Any] = {}
    scored: set[tuple[str, str, str]] = set()
    for answer in latest.answers:
        key = (answer.provider, answer.receiver, answer.what)
        asked.setdefault(key, answer.pos)
        if answer.score is not None:
            scored.add(key)
    for (provider, receiver, what), pos in asked.items():
        if (provider, receiver, what) not in scored:
            yield Finding(
                CODE,
                f"nobody scored {provider} → {receiver} ({what!r}) in {latest.name}",
                pos.file,
                pos.line,
                pos.col,
                (provider, receiver),
            )
