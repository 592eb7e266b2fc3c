"""A team of the event log matches no team, customer or supplier of the org.

Runs only when an event log is laid over the org (``--events``, docs/events.md). Each of the
log's teams is matched to an org id or display name, written the same or equal once case,
spaces, ``-`` and ``_`` are ignored, and a ``--team-map`` file maps the rest. Why it matters:
the hand-offs of a team that matches nothing are not compared with the org, so drift there
goes unseen (it may also be a team the org is missing). Each such team is reported once, at
the log line that first names it, with the org ids closest to its name.

Fix: add the log's name to the ``--team-map`` file (``Field Service,field-services``), map it
to ``-`` to leave it out on purpose, or add the team to the org.

Passes (the log names ``Desk`` and ``APPS``: ``desk`` and ``apps`` any case)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}]}
      apps: {provides: [{what: Fixes, to: staff}]}

Fails (the log also names ``Aps``: did you mean ``apps``?)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}]}
      apps: {provides: [{what: Fixes, to: staff}]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC705"
NAME = "unmatched-log-team"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    overlay = ctx.org.events
    if overlay is None:
        return
    for team in overlay.unmatched:
        close = " or ".join(repr(c) for c in team.close)
        yield Finding(
            CODE,
            f"the log's team {team.name!r} matches no team of the org"
            + (f"; did you mean {close}?" if close else ""),
            team.pos.file,
            team.pos.line,
            team.pos.col,
            hint="map it in a --team-map file (log name, team id), or to - to leave it out",
        )
