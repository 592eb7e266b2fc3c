"""XES event logs (IEEE 1849), plain or gzipped, read as a stream.

The file is parsed as a stream by expat, guarded as :mod:`defusedxml` guards it (an entity
declaration or an external reference is refused: no entity expansion, nothing fetched), with
no tree built, and each event's attributes become one row: the trace's ``concept:name`` (or its
``case:concept:name``) is the case; the event's attributes give the time, team and activity,
found by name as in a CSV header. Rows are written to a temporary CSV file as they are parsed,
which DuckDB then reads, so memory holds one chunk of the file.
A finding points at the trace and event by their numbers (``trace 12, event 3``) with the line
of the event.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from icmap.errors import UsageError
from icmap.eventlog.columns import choose
from icmap.eventlog.read import load_rows

if TYPE_CHECKING:
    from icmap.eventlog import EventLogOptions
    from icmap.eventlog.read import EventTable

#: Events whose attributes choose the columns.
SAMPLE = 1_000
_XES = "{http://www.xes-standard.org/}"
_SCALARS = ("string", "date", "int", "float", "boolean", "id")


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


#: Bytes handed to the parser at a time.
CHUNK = 1 << 20


def _parser() -> Any:
    """An expat parser with defusedxml's guards: an entity declaration (the XML bombs) or an
    external reference ends the parse with defusedxml's exception; nothing is fetched."""
    from xml.parsers import expat

    from defusedxml.common import EntitiesForbidden, ExternalReferenceForbidden

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


def _events(path: Path, display: str) -> Iterator[tuple[dict[str, str], str, str | None]]:
    """Each event's attributes (the trace's prefixed ``case:``), where it is, and the log's
    ``concept:name`` once seen (``None`` before).

    expat calls back for each element, with no tree built; the events found are handed on
    after each chunk of the file.
    """
    from xml.parsers import expat

    from defusedxml import DefusedXmlException

    depth = 0
    process: str | None = None
    trace: dict[str, str] = {}
    event: dict[str, str] = {}
    traces = events = 0
    ready: list[tuple[dict[str, str], str, str | None]] = []
    local: dict[str, str] = {}  # namespace}name -> name

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth, process, trace, event, traces, events
        depth += 1
        name = local.get(tag) or local.setdefault(tag, tag.rsplit("}", 1)[-1])
        if name == "event":
            event, events = {}, events + 1
        elif name == "trace":
            trace, traces, events = {}, traces + 1, 0
        elif name in _SCALARS and "key" in attributes:
            key, value = attributes["key"], attributes.get("value", "")
            if depth == 4:  # an attribute of an event
                event[key] = value
            elif depth == 3:  # of a trace
                trace[key if key.startswith("case:") else f"case:{key}"] = value
            elif depth == 2 and key == "concept:name":  # of the log
                process = value

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        if local[tag] == "event":
            ready.append(({**trace, **event}, f"trace {traces}, event {events}", process))

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with _open(path) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
                yield from ready
                ready.clear()
            parser.Parse(b"", True)
            yield from ready
    except DefusedXmlException as error:
        raise UsageError(f"{display}: refused: {error}") from None
    except (OSError, EOFError) as error:
        raise UsageError(f"{display}: cannot be read: {error}") from None
    except expat.ExpatError as error:
        raise UsageError(f"{display}: not well-formed XES: {error}") from None


def read_xes(
    table: EventTable, path: Path, display: str, number: int, options: EventLogOptions
) -> None:
    """Every event of the XES file at ``path`` into ``table`` (see the module docstring).

    The columns are chosen from the attributes of the first :data:`SAMPLE` events; the events
    are written to a temporary CSV file as they are parsed, which DuckDB then reads.
    """
    stream = _events(path, display)
    sample = list(itertools.islice(stream, SAMPLE))
    header = list(dict.fromkeys(key for attributes, _, _ in sample for key in attributes))
    if not sample:
        raise UsageError(f"{display}: no events in this XES file")
    columns = choose(header, _named(options), display)
    table.files.append((display, columns))
    roles = (columns.case, columns.time, columns.team, columns.activity)
    process: str | None = None
    with tempfile.TemporaryDirectory(prefix="icmap-xes-") as folder:
        spool = Path(folder) / "events.csv"
        with spool.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(("case_id", "time_text", "team", "activity", "seq", "place"))
            for seq, (attributes, place, named) in enumerate(
                itertools.chain(sample, stream), start=1
            ):
                process = named or process
                writer.writerow(
                    (*(attributes.get(role) if role else None for role in roles), seq, place)
                )
        quoted = "'" + str(spool).replace("'", "''") + "'"
        rows = (
            "SELECT case_id, time_text AS time_value, team, activity, CAST(seq AS BIGINT) AS seq, "
            f"place FROM read_csv({quoted}, header = true, all_varchar = true, quote = '\"', "
            "escape = '\"')"
        )
        load_rows(table, rows, display=display, number=number, line_offset=0, options=options)
    if table.process is None:
        table.process = process


def _named(options: EventLogOptions) -> dict[str, str | None]:
    return {
        "case": options.case,
        "time": options.time,
        "team": options.team,
        "activity": options.activity,
    }
