"""A value stream has more hand-offs than the limit.

Why it matters: value stream mapping counts every hand-off as waste: work waits in a queue at
each one, context is lost in each, and each is one more place where what arrives is not
complete and accurate. A stream that passes its work between many teams is slow and fragile
however fast each team is. Hand-offs are counted as icmap counts them everywhere: a provider
and receiver with at least one relation of the stream between them (several things handed over
the same way count once), anywhere in the stream, not only on its critical path.

Fix: let one team do what two now pass between them (a stream-aligned team owning more of the
flow, a platform self-service instead of a ticket), or take steps out of the stream. Option
``max-hand-offs`` (default 10): more hand-offs than this are reported. Ten because a value
stream map with more steps than fit across one page is, in the lean literature, the sign of a
flow to simplify before measuring it further; lower it for a stream that should be short.

Passes (with ``max-hand-offs: 2``)::

    streams: {order: {customer: shoppers}}
    teams:
      shop: {provides: [{what: Orders, to: warehouse, streams: order}]}
      warehouse: {provides: [{what: Parcels, to: shoppers, streams: order}]}

Fails (with ``max-hand-offs: 2``)::

    streams: {order: {customer: shoppers}}
    teams:
      shop: {provides: [{what: Orders, to: payments, streams: order}]}
      payments: {provides: [{what: Paid orders, to: warehouse, streams: order}]}
      warehouse: {provides: [{what: Parcels, to: shoppers, streams: order}]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC313"
NAME = "too-many-stream-hand-offs"
SEVERITY = "warning"
OPTIONS = {"max-hand-offs": 10}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    limit = int(options["max-hand-offs"])
    for flow in ctx.streams:
        if flow.handoffs <= limit:
            continue
        stream = flow.stream
        on_path = len(flow.path) - 1
        teams = tuple(t for t in flow.teams if t in ctx.org.teams)
        plural = "s" if len(teams) != 1 else ""
        yield Finding(
            CODE,
            f"stream {stream.id!r} has {flow.handoffs} hand-offs (more than {limit}) between "
            f"{len(teams)} team{plural} and its customer {stream.customer}, "
            f"{on_path} of them on its critical path",
            stream.pos.file,
            stream.pos.line,
            stream.pos.col,
            teams,
            hint="let one team own more of the flow, or take steps out of the stream",
        )
