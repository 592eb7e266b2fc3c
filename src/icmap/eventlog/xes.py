"""XES event logs (IEEE 1849), plain or gzipped, read as a stream.

The file is parsed event by event with :mod:`defusedxml` (no DTD, no entity expansion, nothing
fetched), and each event's attributes become one row: the trace's ``concept:name`` (or its
``case:concept:name``) is the case; the event's attributes give the time, team and activity,
found by name as in a CSV header. Rows go to DuckDB in batches, so memory holds one batch.
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
from typing import IO, TYPE_CHECKING

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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _events(path: Path, display: str) -> Iterator[tuple[dict[str, str], str, str | None]]:
    """Each event's attributes (the trace's prefixed ``case:``), where it is, and the log's
    ``concept:name`` once seen (``None`` before)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    depth = 0
    process: str | None = None
    trace: dict[str, str] = {}
    event: dict[str, str] = {}
    traces = events = 0
    try:
        with _open(path) as stream:
            for kind, element in iterparse(stream, events=("start", "end")):
                tag = _local(element.tag)
                if kind == "start":
                    depth += 1
                    if tag == "trace":
                        trace, traces, events = {}, traces + 1, 0
                    elif tag == "event":
                        event, events = {}, events + 1
                    continue
                depth -= 1
                if tag in _SCALARS and "key" in element.attrib:
                    key, value = element.attrib["key"], element.attrib.get("value", "")
                    _keep(key, value, depth, event, trace)
                    if depth == 1 and key == "concept:name":
                        process = value
                elif tag == "event":
                    yield {**trace, **event}, f"trace {traces}, event {events}", process
                    element.clear()
                elif tag == "trace":
                    element.clear()
    except DefusedXmlException as error:
        raise UsageError(f"{display}: refused: {error}") from None
    except (OSError, EOFError) as error:
        raise UsageError(f"{display}: cannot be read: {error}") from None
    except SyntaxError as error:  # expat's ParseError
        raise UsageError(f"{display}: not well-formed XES: {error}") from None


def _keep(key: str, value: str, depth: int, event: dict[str, str], trace: dict[str, str]) -> None:
    """An attribute of an event (depth 3) or of its trace (depth 2, named ``case:…``)."""
    if depth == 3:
        event[key] = value
    elif depth == 2:
        trace[key if key.startswith("case:") else f"case:{key}"] = value


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
