"""A value stream takes longer than its target.

Why it matters: a stream's ``target`` is the lead time the organisation promises its customer
(an order delivered in 3 days, a refund in 5). The stream's lead time is its critical path:
the longest chain of its own hand-offs, by their lead times. When that chain is longer than the
target, the promise cannot be kept as the org is written, whatever any one team does. An error
by default: a target is a promise written into the org files, so a pull request that breaks it
should fail like a budget check does (set ``severity: warning`` in ``.icmap.yaml`` to report
without failing).

A stream none of whose hand-offs has a lead time is not judged. Hand-offs on its critical path
without one count as instant, and the finding says how many there are. Under ``--lead-times
measured`` the path is the one by an event log's medians, and the finding says on how many of
its hand-offs the log's median stands in for the declared lead time.

Fix: shorten the critical path (the finding names it and its longest step), take a hand-off out
of the stream, or agree a target the stream can meet. Option ``margin`` (default ``0%``): how
far past its target a stream may go before it is reported, as a share of the target (``10%``)
or a duration (``4h``, ``1d``).

Passes::

    streams: {order: {customer: shoppers, target: 3d}}
    teams:
      warehouse:
        provides: [{what: Parcels, to: shoppers, streams: order, lead_time: 2d}]

Fails (2 days over the target)::

    streams: {order: {customer: shoppers, target: 3d}}
    teams:
      warehouse:
        provides: [{what: Parcels, to: shoppers, streams: order, lead_time: 5d}]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from icmap.analysis.streams import StreamFlow
from icmap.lint.context import Context, Finding
from icmap.loader.reader import InvalidValueError, parse_lead_time, parse_share
from icmap.model import format_hours

CODE = "IC311"
NAME = "stream-misses-target"
SEVERITY = "error"
OPTIONS = {"margin": "0%"}


def read_margin(value: object) -> str:
    """The ``margin`` option as written, once it reads as a share or a duration.

    >>> read_margin("10%"), read_margin("1d"), read_margin(0)
    ('10%', '1d', '0')
    """
    text = str(value).strip()
    margin(text, 1.0)
    return text


def margin(text: str, target: float) -> float:
    """The margin in hours for a stream with a ``target`` of so many hours.

    >>> margin("10%", 72.0), margin("4h", 72.0), margin("0", 72.0)
    (7.2, 4.0, 0.0)
    """
    if text in ("0", "0.0"):
        return 0.0
    if text.endswith("%"):
        if text.strip("% ") in ("0", "0.0"):
            return 0.0
        return round(parse_share(text, "margin", most=math.inf) * target, 6)
    try:
        return parse_lead_time(text, "margin").hours
    except InvalidValueError as exc:
        raise InvalidValueError(
            f"margin {text!r} is neither a share of the target nor a duration",
            "write a percentage of the target (10%) or a duration (4h, 1d)",
        ) from exc


OPTION_READERS = {"margin": read_margin}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    allowed = str(options["margin"])
    for flow in ctx.streams:
        stream = flow.stream
        if stream.target is None or flow.target_gap is None:
            continue
        slack = margin(allowed, stream.target.hours)
        if flow.target_gap <= slack:
            continue
        target = format_hours(stream.target.hours, weeks=False)
        text = (
            f"stream {stream.id!r} takes {format_hours(flow.lead_time, weeks=False)} to reach "
            f"{stream.customer}, {format_hours(flow.target_gap, weeks=False)} over its target "
            f"of {target}"
        )
        if slack:
            text += f" (more than the margin of {allowed})"
        text += f"; critical path: {' → '.join(flow.path)}"
        if flow.constraint is not None and flow.constraint.lead_time:
            step = flow.constraint
            text += (
                f"; longest step {step.provider} → {step.receiver} "
                f"({format_hours(step.lead_time or 0.0, weeks=False)})"
            )
        if flow.missing_lead_times:
            n = flow.missing_lead_times
            text += f"; {n} hand-off{'s' if n != 1 else ''} on it without a lead time"
        text += _measured_words(ctx, flow)
        yield Finding(
            CODE,
            text,
            stream.pos.file,
            stream.pos.line,
            stream.pos.col,
            tuple(team for team in flow.path if team != stream.customer),
            hint="shorten its critical path, or agree a target it can meet",
        )


def _measured_words(ctx: Context, flow: StreamFlow) -> str:
    """Under ``--lead-times measured``, how many steps of the path take the log's median."""
    events = ctx.org.events
    if events is None or events.lead_times != "measured":
        return ""
    steps = {(step.provider, step.receiver) for step in flow.steps}
    measured = {
        (r.provider, r.receiver)
        for r in ctx.org.relations
        if (r.provider, r.receiver) in steps
        and flow.stream.id in r.streams
        and r.measured is not None
        and r.measured.median is not None
    }
    if len(measured) == len(steps):
        return "; lead times measured: the log's median on every hand-off of the path"
    return (
        f"; lead times measured: the log's median on {len(measured)} of the path's "
        f"{len(steps)} hand-offs, the declared one on the rest"
    )
