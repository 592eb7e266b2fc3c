"""XES event logs (IEEE 1849), plain or gzipped, read as a stream.

The file is parsed by expat with :mod:`defusedxml`'s guards (no entity is expanded, nothing
is fetched: an entity declaration or an external reference refuses the file), straight into
callbacks that build no tree: they keep the attributes of the trace and the event being read
and nothing else, so memory stays flat however long the log. Each event becomes one row: the
trace's ``concept:name`` (or its ``case:concept:name``) is the case; the event's attributes
give the time, team and activity, found by name as in a CSV header. Trace attributes are named
``case:…``; a ``<global>`` declaration's values are the defaults of the events
(``scope="event"``) or traces (``scope="trace"``) that lack the attribute, except the case and
the time, which are never guessed. Attributes nested in an attribute, and lists and
containers, are passed over.

One pass: the attribute names of the first :data:`SAMPLE` events choose the columns (those
events are held until then, every attribute of them); from there on only the four chosen
attributes are kept, and each event's values are written to a temporary CSV, which DuckDB
reads. A finding names the trace and event by their numbers (``trace 12, event 3``) at the
line of the event. Limits (docs/events.md#limits): a tag (or a comment, or text) of more than
:data:`~icmap.eventlog.read.MAX_LINE_BYTES` bytes, nesting deeper than :data:`MAX_DEPTH`, more
than :data:`~icmap.eventlog.read.MAX_COLUMNS` attribute names, a gzip that unpacks to more than
:data:`~icmap.eventlog.read.MAX_FILE_BYTES`.
"""

from __future__ import annotations

import csv
import gzip
import tempfile
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

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


#: An event as it ended: its trace's attributes, its own, its place and its line.
_Ended = tuple[dict[str, str], dict[str, str], str, int]


class _LimitError(Exception):
    def __init__(self, line: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _parser() -> Any:
    """An expat parser with defusedxml's guards (``forbid_entities``, ``forbid_external``): an
    entity declaration (the XML bombs) or an external reference ends the parse with
    defusedxml's exception; nothing is fetched. Tags come as ``namespace}name``."""
    from xml.parsers import expat

    from defusedxml import EntitiesForbidden, ExternalReferenceForbidden

    def entity(*declared: Any) -> None:  # name, is_parameter, value, base, ids, notation
        name, _, value, base, sysid, pubid, notation = declared
        raise EntitiesForbidden(name, value, base, sysid, pubid, notation)

    def unparsed(name: str, base: Any, sysid: Any, pubid: Any, notation: Any) -> None:
        raise EntitiesForbidden(name, None, base, sysid, pubid, notation)

    def external(context: Any, base: Any, sysid: Any, pubid: Any) -> int:
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed
    parser.ExternalEntityRefHandler = external
    return parser


class _Target:
    """expat's element callbacks: keeps the current trace's and event's attributes (all of
    them, or only the names in ``keep``) and hands out each event as it ends."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        #: The attribute names kept; ``None``: all, and their names recorded in ``names``.
        self.keep: frozenset[str] | None = None
        #: The elements open, by local name, under a root of "".
        self.stack: list[str] = [""]
        self.locals: dict[str, str] = {}  # namespace}name -> name
        #: Elements started: a chunk of the file that starts none is "quiet" (ends need not be
        #: counted: a log nested no deeper than :data:`MAX_DEPTH` cannot have a chunk of them).
        self.ticks = 0
        self.traces = self.in_trace = 0
        self.trace: dict[str, str] = {}
        self.event: dict[str, str] = {}
        self.event_line = 0
        self.scope = "event"
        #: ``<global>`` defaults, by scope; trace defaults are named ``case:…``.
        self.defaults: dict[str, dict[str, str]] = {"event": {}, "trace": {}}
        #: Every attribute name seen while ``keep`` is ``None``, in order.
        self.names: dict[str, None] = {}
        self.process: str | None = None
        #: Events ended since the caller last took them.
        self.ended: list[_Ended] = []
        # Values are cut just past the longest read, so that the limit still shows.
        self.cut = read.MAX_VALUE_CHARS + 1
        self.depth = MAX_DEPTH + 1  # with the root

    def line(self) -> int:
        return int(self.parser.CurrentLineNumber)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        # expat calls this for every element of the log: the common case (an attribute of an
        # event) comes first and takes the fewest steps.
        self.ticks += 1
        stack = self.stack
        local = self.locals.get(tag) or self._local(tag)
        parent = stack[-1]
        stack.append(local)
        if len(stack) > self.depth:
            raise _LimitError(
                self.line(),
                f"elements nested deeper than {MAX_DEPTH} levels, the most icmap reads",
                "an XES log nests log, trace, event and attributes: about 5 levels",
            )
        if local in _SCALARS:
            if parent == "event":
                key = attrib.get("key")
                if key is not None and stack[-3] == "trace":
                    keep = self.keep
                    if keep is None:
                        self._name(key)
                    elif key not in keep:
                        return
                    self.event[key] = attrib.get("value", "")[: self.cut]
            elif parent in _OWNERS and "key" in attrib:
                self._attribute(parent, attrib["key"], attrib.get("value", ""))
        elif local == "event":
            if parent == "trace":
                self.in_trace += 1
                self.event = {}
                self.event_line = self.parser.CurrentLineNumber
        elif local == "trace":
            if parent == "log":
                self.traces, self.in_trace, self.trace = self.traces + 1, 0, {}
        elif local == "global" and parent == "log":
            self.scope = "trace" if attrib.get("scope") == "trace" else "event"

    def _local(self, tag: str) -> str:
        local = self.locals[tag] = tag.rpartition("}")[2]
        return local

    def _attribute(self, owner: str, key: str, value: str) -> None:
        """An attribute of the log, a trace or a ``<global>``."""
        if owner == "log":
            if key == "concept:name":
                self.process = value[: self.cut]
            return
        if owner == "trace":
            if self.stack[-3] != "log":
                return
            if self.in_trace:
                # After the trace's first event: the events before keep the attributes they
                # had (they hold the dict until their chunk is written), whatever the chunks.
                self.trace = dict(self.trace)
            into = self.trace
        else:  # a <global>
            into = self.defaults[self.scope]
        if owner == "trace" or self.scope == "trace":
            key = key if key.startswith("case:") else f"case:{key}"
        keep = self.keep
        if keep is None:
            self._name(key)
        elif key not in keep:
            return
        into[key] = value[: self.cut]

    def _name(self, key: str) -> None:
        if key not in self.names:
            if len(self.names) >= read.MAX_COLUMNS:
                raise _LimitError(
                    self.line(),
                    f"more than {read.MAX_COLUMNS:,} different attribute names in the first "
                    f"{SAMPLE:,} events, the most icmap reads",
                )
            self.names[key] = None

    def end(self, _tag: str) -> None:
        stack = self.stack
        local = stack.pop()
        if local == "event":
            if stack[-1] == "trace":
                place = f"trace {self.traces}, event {self.in_trace}"
                self.ended.append((self.trace, self.event, place, self.event_line))
                self.event = {}
        elif local == "global":
            self.scope = "event"


def _parse(path: Path, display: str) -> Generator[_Target, None, None]:
    """Feed the file to the parser a chunk at a time; yields the callbacks' target after each
    chunk (the events that ended are in its ``ended``). Every failure is one clear error."""
    from xml.parsers import expat

    from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

    parser = _parser()
    target = _Target(parser)
    parser.StartElementHandler = target.start
    parser.EndElementHandler = target.end
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
                parser.Parse(chunk, False)
                quiet = quiet + len(chunk) if target.ticks == ticks else 0
                if quiet > read.MAX_LINE_BYTES:
                    raise _LimitError(
                        target.line(),
                        f"more than {read.MAX_LINE_BYTES:,} bytes without a tag ending (one "
                        "tag, attribute value, comment or text this long), the most icmap reads",
                        "a tag this long is not an event; check the file is the log",
                    )
                yield target
            parser.Parse(b"", True)
            yield target
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
        raise UsageError(f"{where}:1: refused: {said}") from None
    except ExternalReferenceForbidden as error:
        where = f"{display}:{target.line()}"
        raise UsageError(
            f"{where}:1: refused: an external reference ({error.sysid}): icmap fetches nothing"
        ) from None
    except DefusedXmlException as error:
        raise UsageError(f"{display}: refused: {error}") from None
    except (OSError, EOFError, zlib.error) as error:
        raise UsageError(f"{display}: cannot be read: {error}") from None
    except expat.ExpatError as error:
        # expat counts columns from 0; "mismatched tag: line 8, column 2" becomes file:8:3.
        reason = expat.ErrorString(error.code) if error.code else str(error)
        raise UsageError(
            f"{display}:{error.lineno}:{error.offset + 1}: not well-formed XES: {reason}"
        ) from None


def read_xes(
    table: EventTable, path: Path, display: str, number: int, options: EventLogOptions
) -> None:
    """Every event of the XES file at ``path`` into ``table`` (see the module docstring)."""
    chunks = _parse(path, display)
    try:
        # The first events, every attribute of them, until their names choose the columns.
        sample: list[_Ended] = []
        state: _Target | None = None
        for state in chunks:
            sample += state.ended
            state.ended.clear()
            if len(sample) >= SAMPLE:
                break
        if state is None or not sample:
            raise UsageError(f"{display}:1:1: no events in this XES file")
        columns = choose(
            list(state.names), _named(options), display, options=options.column_options
        )
        table.files.append((display, columns))
        roles = (columns.case, columns.time, columns.team, columns.activity)
        state.keep = frozenset(role for role in roles if role)
        room = table.room
        with tempfile.TemporaryDirectory(prefix="icmap-xes-") as folder:
            spool = Path(folder) / "events.csv"
            _spool(
                spool,
                roles,
                sample,
                chunks,
                state=state,
                room=room,
                display=display,
                options=options,
            )
            cut = read.MAX_VALUE_CHARS + 1
            rows = (
                "SELECT case_id, time_text AS time_value, team, activity, seq, line, place "
                f"FROM read_csv({_literal(str(spool))}, header = true, auto_detect = false, "
                f"delim = ',', quote = '\"', escape = '\"', max_line_size = {32 * cut + 4096}, "
                "columns = {'case_id': 'VARCHAR', 'time_text': 'VARCHAR', 'team': 'VARCHAR', "
                "'activity': 'VARCHAR', 'seq': 'BIGINT', 'place': 'VARCHAR', 'line': 'BIGINT'})"
            )
            read.load_rows(table, rows, display=display, number=number, room=room, options=options)
    finally:
        chunks.close()
    if table.process is None:
        table.process = state.process


def _spool(
    spool: Path,
    roles: tuple[str | None, ...],
    sample: list[_Ended],
    chunks: Iterator[_Target],
    *,
    state: _Target,
    room: int,
    display: str,
    options: EventLogOptions,
) -> None:
    """Write the four values of each event (the ``sample``, then the rest of the file), as
    CSV, to ``spool``; one past ``room`` at most."""
    # The case and the time are never taken from a <global> default: a default case would
    # merge traces, a default time (often 1970-01-01) would invent lead times.
    looked_up = [
        (role, state.defaults["trace" if role.startswith("case:") else "event"])
        if role and index >= 2
        else (role, None)
        for index, role in enumerate(roles)
    ]
    progress = options.progress
    count = 0
    with spool.open("w", encoding="utf-8", newline="") as out:
        write = csv.writer(out).writerow
        write(("case_id", "time_text", "team", "activity", "seq", "place", "line"))
        ended = sample
        while True:
            for trace, event, place, line in ended:
                count += 1
                values: list[str | None] = []
                for role, default in looked_up:
                    value = None
                    if role is not None:
                        value = event.get(role)
                        if value is None:
                            value = trace.get(role)
                            if value is None and default is not None:
                                value = default.get(role)
                    values.append(value)
                write((*values, count, place, line))
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(f"reading {display}: {count:,} events")
                if count > room:
                    return
            ended.clear()
            if next(chunks, None) is None:
                return
            ended = state.ended


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _named(options: EventLogOptions) -> dict[str, str | None]:
    return {
        "case": options.case,
        "time": options.time,
        "team": options.team,
        "activity": options.activity,
    }
