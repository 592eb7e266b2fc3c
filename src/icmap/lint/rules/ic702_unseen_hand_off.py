"""A declared hand-off that the event log never shows in its period.

Runs only when an event log is laid over the org (``--events``, docs/events.md). Why it matters:
when the log shows both teams at work but never a case passing between them, the hand-off may
be gone, may run through another channel than the one logged, or may never have existed as
written; critical paths and slack still count it. Only hand-offs whose two ends the log shows
are judged (a team the log never names may simply not use the logged system), and only those
declared for the log's period: one whose ``until`` is before the log's first day or whose
``since`` is after its last is left alone.

Fix: remove the hand-off, or find out where the work really passes and log it there. The
finding points at the declared relation and names the log's files and period.

Passes (the log shows desk → apps)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}, {what: Answers, to: staff}]}
      apps: {provides: [{what: Fixes, to: staff}]}

Fails (the log shows apps at work, but never apps → desk)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}, {what: Answers, to: staff}]}
      apps: {provides: [{what: Fixes, to: staff}, {what: Questions, to: desk}]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, relation_text
from icmap.lint.measured import period

CODE = "IC702"
NAME = "unseen-hand-off"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    overlay = ctx.org.events
    if overlay is None:
        return
    shown = set(overlay.parties)
    measured = {(p.provider, p.receiver) for p in overlay.pairs}
    for relation in ctx.org.relations:
        ends = (relation.provider, relation.receiver)
        if ends in measured or not shown.issuperset(ends):
            continue
        if overlay.first and relation.until and relation.until < overlay.first:
            continue
        if overlay.last and relation.since and relation.since > overlay.last:
            continue
        pos = relation.pos
        yield Finding(
            CODE,
            f"{relation_text(relation)} is declared, but the log ({period(overlay)}) never "
            f"shows it, though it shows both {relation.provider} and {relation.receiver}",
            pos.file,
            pos.line,
            pos.col,
            ends,
            hint="remove the hand-off, or find out where the work passes instead",
        )
