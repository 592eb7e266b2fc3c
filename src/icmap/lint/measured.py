"""What the drift rules (IC701-IC706) share: the overlaid log in words, and where to point.

They run only when an event log is laid over the org (``--events``, docs/events.md); their
findings point at the declared relation, or at a team for what the org never declares, and
name the log file and line where the log shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.loader.reader import InvalidValueError, parse_lead_time, parse_share

if TYPE_CHECKING:
    from icmap.model import EventOverlay, Measured, Org, SourcePos


def period(overlay: EventOverlay) -> str:
    """The log's files and the days it covers: ``tickets.csv, 2026-01-05 to 2026-03-31``."""
    files = ", ".join(overlay.files[:3]) + (" …" if len(overlay.files) > 3 else "")
    if overlay.first is None or overlay.last is None:
        return files
    return f"{files}, {overlay.first.isoformat()} to {overlay.last.isoformat()}"


def seen(measured: Measured) -> str:
    """``first seen at tickets.csv:312``, or nothing when the position is not known."""
    where = measured.seen
    return f"first seen at {where.file}:{where.line}" if where is not None else ""


def times(n: int) -> str:
    """``1 time``, ``12 times``."""
    return f"{n:,} time{'s' if n != 1 else ''}"


def percent(share: float) -> str:
    """A share as findings show it.

    >>> percent(0.25), percent(0.3333333)
    ('25%', '33.3%')
    """
    return f"{round(share * 100, 1):g}%"


def party_pos(org: Org, *ids: str) -> SourcePos:
    """Where the first of ``ids`` that is a team (else any party) is declared."""
    for id_ in ids:
        if id_ in org.teams:
            return org.teams[id_].pos
    for id_ in ids:
        party = org.party(id_)
        if party is not None:
            return party.pos
    raise KeyError(ids)


def read_share(value: object) -> str:
    """A share option (``20%``, ``0.2``) as written, once it reads as one.

    >>> read_share("20%"), read_share(0.2)
    ('20%', '0.2')
    """
    text = str(value).strip()
    parse_share(text, "threshold")
    return text


def read_margin(value: object) -> str:
    """A margin option as written, once it reads as a share (``50%``) or a duration (``1d``).

    >>> read_margin("50%"), read_margin("1d"), read_margin(0)
    ('50%', '1d', '0')
    """
    text = str(value).strip()
    margin_hours(text, 1.0)
    return text


def margin_hours(text: str, declared: float) -> float:
    """How many hours past a declared lead time of ``declared`` hours the margin allows.

    >>> margin_hours("50%", 8.0), margin_hours("1d", 8.0), margin_hours("0", 8.0)
    (4.0, 24.0, 0.0)
    """
    if text.strip("% ") in ("0", "0.0"):
        return 0.0
    if text.endswith("%"):
        return round(parse_share(text, "margin") * declared, 6)
    try:
        return parse_lead_time(text, "margin").hours
    except InvalidValueError as exc:
        raise InvalidValueError(
            f"margin {text!r} is neither a share of the declared lead time nor a duration",
            "write a percentage of the declared lead time (50%) or a duration (4h, 1d)",
        ) from exc
