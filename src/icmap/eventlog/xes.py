"""XES event logs (IEEE 1849), plain or gzipped, read as a stream.

The file is parsed with :mod:`defusedxml` (no entity is expanded, nothing is fetched: an entity
declaration or an external reference refuses the file) into a parser target that builds no
tree: it keeps the attributes of the trace and the event being read and nothing else, so memory
stays flat however long the log. Each event becomes one row: the trace's ``concept:name`` (or
its ``case:concept:name``) is the case; the event's attributes give the time, team and
activity, found by name as in a CSV header. Trace attributes are named ``case:…``; a
``<global>`` declaration's values are the defaults of the events (``scope="event"``) or traces
(``scope="trace"``) that lack the attribute, except the case and the time, which are never
guessed. Attributes nested in an attribute, and lists and containers, are passed over.

Two passes: the first reads the attribute names of the first :data:`SAMPLE` events (names
only) to choose the columns; the second writes each event's four values to a temporary CSV,
which DuckDB reads. A finding names the trace and event by their numbers (``trace 12, event
3``) at the line of the event. Limits (docs/events.md#limits): a tag (or a comment, or text)
of more than :data:`~icmap.eventlog.read.MAX_LINE_BYTES` bytes, nesting deeper than
:data:`MAX_DEPTH`, more than :data:`~icmap.eventlog.read.MAX_COLUMNS` attribute names, a gzip
that unpacks to more than :data:`~icmap.eventlog.read.MAX_FILE_BYTES`.
"""

from __future__ import annotations

import csv
import gzip
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from icmap.errors import UsageError
from icmap.eventlog import read
from icmap.eventlog.columns import choose

if TYPE_CHECKING:
    from icmap.eventlog import EventLogOptions
    from icmap.eventlog.read import EventTable

#: Events whose attribute names choose the columns.
SAMPLE = 1_000
#: Elements nested in each other: a log needs 5 (log, trace, event, attribute, a meta-attribute).
MAX_DEPTH = 64
#: Bytes given to the parser at a time.
CHUNK = 64 * 1024
#: Events between two progress reports.
PROGRESS_EVERY = 100_000
_SCALARS = frozenset(("string", "date", "int", "float", "boolean", "id"))
#: The elements whose attribute children are read; an attribute's own children are not.
_OWNERS = frozenset(("log", "trace", "event", "global"))


class _LimitError(Exception):
    def __init__(self, line: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Target:
    """What the XML parser calls: keeps the current trace's and event's attributes (all of
    them, or only the names in ``keep``) and hands out each event as it ends."""

    def __init__(self, keep: frozenset[str] | None) -> None:
        self.keep = keep
        self.line: Callable[[], int] = lambda: 0
        self.stack: list[str] = []
        self.ticks = 0
        self.traces = self.in_trace = 0
        self.trace: dict[str, str] = {}
        self.event: dict[str, str] = {}
        self.event_line = 0
        self.scope = "event"
        #: ``<global>`` defaults, by scope; trace defaults are named ``case:…``.
        self.defaults: dict[str, dict[str, str]] = {"event": {}, "trace": {}}
        #: Every attribute name seen (the first pass), in order.
        self.names: dict[str, None] = {}
        self.process: str | None = None
        #: Events ended since the caller last took them.
        self.ended: list[tuple[dict[str, str], dict[str, str], str, int]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.ticks += 1
        parent = self.stack[-1] if self.stack else None
        local = _local(tag)
        self.stack.append(local)
        if len(self.stack) > MAX_DEPTH:
            raise _LimitError(
                self.line(),
                f"elements nested deeper than {MAX_DEPTH} levels, the most icmap reads",
                "an XES log nests log, trace, event and attributes: about 5 levels",
            )
        if local == "trace" and parent == "log":
            self.traces, self.in_trace, self.trace = self.traces + 1, 0, {}
        elif local == "event" and parent == "trace":
            self.in_trace, self.event, self.event_line = self.in_trace + 1, {}, self.line()
        elif local == "global" and parent == "log":
            self.scope = "trace" if attrib.get("scope") == "trace" else "event"
        elif local in _SCALARS and parent in _OWNERS and "key" in attrib:
            self._attribute(parent, attrib["key"], attrib.get("value", ""))

    def _attribute(self, owner: str | None, key: str, value: str) -> None:
        # Values are cut just past the longest read, so that the limit still shows.
        value = value[: read.MAX_VALUE_CHARS + 1]
        grand = self.stack[-3] if len(self.stack) > 2 else None
        if owner == "log":
            if key == "concept:name":
                self.process = value
            return
        if owner == "trace" or (owner == "global" and self.scope == "trace"):
            key = key if key.startswith("case:") else f"case:{key}"
        if owner == "global":
            self._name(key)
            if self.keep is None or key in self.keep:
                self.defaults[self.scope][key] = value
        elif owner == "trace" and grand == "log":
            self._name(key)
            if self.keep is None or key in self.keep:
                self.trace[key] = value
        elif owner == "event" and grand == "trace":
            self._name(key)
            if self.keep is None or key in self.keep:
                self.event[key] = value

    def _name(self, key: str) -> None:
        if self.keep is None and key not in self.names:
            if len(self.names) >= read.MAX_COLUMNS:
                raise _LimitError(
                    self.line(),
                    f"more than {read.MAX_COLUMNS:,} different attribute names in the first "
                    f"{SAMPLE:,} events, the most icmap reads",
                )
            self.names[key] = None

    def end(self, tag: str) -> None:
        self.ticks += 1
        local = self.stack.pop()
        if local == "event" and self.stack and self.stack[-1] == "trace":
            place = f"trace {self.traces}, event {self.in_trace}"
            self.ended.append((self.trace, self.event, place, self.event_line))
            self.event = {}
        elif local == "global":
            self.scope = "event"

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def _parse(path: Path, display: str, target: _Target) -> Iterator[None]:
    """Feed the file to the parser, a chunk at a time; yields after each chunk (the events
    that ended are in ``target.ended``). Every failure is one clear error."""
    from defusedxml import (
        DefusedXmlException,
        EntitiesForbidden,
        ExternalReferenceForbidden,
    )
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    parser = DefusedXMLParser(
        target=target, forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    expat = parser.parser
    target.line = lambda: int(expat.CurrentLineNumber)
    where = display
    try:
        total = quiet = 0
        with _open(path) as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > read.MAX_FILE_BYTES:
                    raise _LimitError(
                        target.line(),
                        f"unpacks to more than {read.MAX_FILE_BYTES:,} bytes, the most icmap "
                        "reads in one log file",
                        "split the log by period",
                    )
                ticks = target.ticks
                parser.feed(chunk)
                quiet = quiet + len(chunk) if target.ticks == ticks else 0
                if quiet > read.MAX_LINE_BYTES:
                    raise _LimitError(
                        target.line(),
                        f"more than {read.MAX_LINE_BYTES:,} bytes without a tag ending (one "
                        "tag, attribute value, comment or text this long), the most icmap reads",
                        "a tag this long is not an event; check the file is the log",
                    )
                yield
            parser.close()
            yield
    except _LimitError as limit:
        raise read.limit_error(display, limit.line, limit.message, limit.hint) from None
    except EntitiesForbidden as error:
        where = f"{display}:{target.line()}"
        if error.sysid or error.pubid:
            said = (
                f"an external entity {error.name!r} ({error.sysid or error.pubid}): "
                "icmap fetches nothing"
            )
        else:
            said = (
                f"an entity declaration ({error.name!r}): an XES log needs none, and icmap "
                "expands none (entities can make a small file huge)"
            )
        raise UsageError(f"{where}: refused: {said}") from None
    except ExternalReferenceForbidden as error:
        where = f"{display}:{target.line()}"
        raise UsageError(
            f"{where}: refused: an external reference ({error.sysid}): icmap fetches nothing"
        ) from None
    except DefusedXmlException as error:
        raise UsageError(f"{display}: refused: {error}") from None
    except (OSError, EOFError, zlib.error) as error:
        raise UsageError(f"{display}: cannot be read: {error}") from None
    except (ParseError, SyntaxError) as error:  # expat's ParseError
        raise UsageError(f"{display}: not well-formed XES: {error}") from None


def _names(path: Path, display: str) -> tuple[list[str], int]:
    """The attribute names of the first :data:`SAMPLE` events (and of ``<global>``), and how
    many events that was."""
    target = _Target(None)
    seen = 0
    for _ in _parse(path, display, target):
        seen += len(target.ended)
        target.ended.clear()
        if seen >= SAMPLE:
            break
    return list(target.names), seen


def read_xes(
    table: EventTable, path: Path, display: str, number: int, options: EventLogOptions
) -> None:
    """Every event of the XES file at ``path`` into ``table`` (see the module docstring)."""
    header, seen = _names(path, display)
    if not seen:
        raise UsageError(f"{display}: no events in this XES file")
    columns = choose(header, _named(options), display)
    table.files.append((display, columns))
    roles = (columns.case, columns.time, columns.team, columns.activity)
    # The case and the time are never taken from a <global> default: a default case would
    # merge traces, a default time (often 1970-01-01) would invent lead times.
    defaulted = (False, False, True, True)
    target = _Target(frozenset(role for role in roles if role))
    room = table.room
    count = 0
    cut = read.MAX_VALUE_CHARS + 1
    with tempfile.TemporaryDirectory(prefix="icmap-xes-") as folder:
        spool = Path(folder) / "events.csv"
        with spool.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(("case_id", "time_text", "team", "activity", "seq", "place", "line"))
            for _ in _parse(path, display, target):
                for trace, event, place, line in target.ended:
                    count += 1
                    values = []
                    for role, default in zip(roles, defaulted, strict=True):
                        value = None
                        if role:
                            value = event.get(role, trace.get(role))
                            if value is None and default:
                                scope = "trace" if role.startswith("case:") else "event"
                                value = target.defaults[scope].get(role)
                        values.append(None if value is None else value[:cut])
                    writer.writerow((*values, count, place, line))
                    if options.progress is not None and count % PROGRESS_EVERY == 0:
                        options.progress(f"reading {display}: {count:,} events")
                    if count > room:
                        break
                target.ended.clear()
                if count > room:
                    break
        quoted = "'" + str(spool).replace("'", "''") + "'"
        table.connection.execute(
            "CREATE OR REPLACE TEMP TABLE raw AS SELECT case_id, time_text, team, activity, "
            "seq, place, line FROM read_csv("
            f"{quoted}, header = true, auto_detect = false, delim = ',', quote = '\"', "
            "escape = '\"', max_line_size = "
            f"{32 * cut + 4096}, columns = {{'case_id': 'VARCHAR', 'time_text': 'VARCHAR', "
            "'team': 'VARCHAR', 'activity': 'VARCHAR', 'seq': 'BIGINT', 'place': 'VARCHAR', "
            "'line': 'BIGINT'})"
        )
    if table.process is None:
        table.process = target.process
    read._past_the_count(table, display, room, 0)
    read.load_raw(table, display, number, 0, options)


def _named(options: EventLogOptions) -> dict[str, str | None]:
    return {
        "case": options.case,
        "time": options.time,
        "team": options.team,
        "activity": options.activity,
    }
