"""Reading event logs into one table of events, in an embedded DuckDB database.

Every format becomes the table ``events(case_id, ts, team, activity, seq, line, file)``
(and, until they are reported, why a row cannot be used, its time's text and an XES event's
place): ``seq`` is the event's place in its file (ties in time keep file order), ``line`` where
a finding about it points. Rows are read once, straight into that table. DuckDB reads CSV (any
delimiter, quoted fields, a BOM, gzip), JSON lines and Parquet itself, and sorts and groups out
of core within :data:`MEMORY_LIMIT`, so memory follows the teams and pairs, not the events.
XES is read by :mod:`icmap.eventlog.xes`.

A row that cannot be read (no case, no team, a time in no form icmap knows, a CSV line DuckDB
rejects) is a finding with its line, never a traceback, and the rest is read. Every limit below
(docs/events.md#limits) ends in a finding, ``IC621``: a warning where the rest can still be read
(an event with a value too long, a case too long, events past the count), an error where
nothing can (a file too big, a line too long for the reader to find the next, a header too wide).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from icmap.diagnostics import Diagnostic
from icmap.errors import IcmapError, LoadError, UsageError
from icmap.eventlog.columns import EventColumns, choose

if TYPE_CHECKING:
    import duckdb

    from icmap.eventlog import EventLogOptions

#: Findings of one kind shown per file; the rest are counted.
SHOWN_PER_KIND = 100
#: The largest log file read (gzipped XES: also the bytes it unpacks to).
MAX_FILE_BYTES = 16 * 1024**3
#: Events read from all the files of one run; the ones after are left out.
MAX_EVENTS = 100_000_000
#: Events in one case; a longer case is left out whole, the other cases are read.
MAX_CASE_EVENTS = 1_000_000
#: Bytes in one line of a CSV or JSON lines file, and in one XES tag with its attributes.
MAX_LINE_BYTES = 1024**2
#: Characters in a value read (a case, time, team or activity); a longer one leaves its event out.
MAX_VALUE_CHARS = 64 * 1024
#: Columns in a header (attributes found in an XES log's first events).
MAX_COLUMNS = 10_000
#: Rejected CSV lines recorded per file (each with its line); more are counted as "more".
MAX_REJECTS = 1_000
#: The memory DuckDB may use (or half the machine's, if less); past it, the events and the
#: sorts spill to a temporary folder (docs/performance.md).
MEMORY_LIMIT = 1024**3
#: Timestamp forms read besides ISO 8601 (with or without ``T``, seconds, fractions, offset).
TIME_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)
#: Dates written ``01/05/2026`` are day first in most of the world and month first in the
#: United States: which, each file's values decide (:func:`_slashed_dates`).
DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
MONTH_FIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")
_SLASHED = r"^\s*(\d{1,2})/(\d{1,2})/\d{4}"
#: The formats by file name, as ``icmap import events`` reads a folder.
PATTERNS = ("*.csv", "*.csv.gz", "*.tsv", "*.jsonl", "*.ndjson", "*.parquet", "*.xes", "*.xes.gz")


@dataclass
class EventTable:
    """The events of every file read, and what was found on the way."""

    connection: duckdb.DuckDBPyConnection
    #: Each file as shown in messages, with the columns read from it.
    files: list[tuple[str, EventColumns]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Rows read, and rows left out with a finding.
    rows: int = 0
    skipped: int = 0
    #: The process the log records (XES ``concept:name`` of the log), when it says.
    process: str | None = None
    #: Rows left out, by reason (a key of :data:`_REASONS`): what to say when none is left.
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def room(self) -> int:
        """Events that can still be read before :data:`MAX_EVENTS`."""
        return max(0, MAX_EVENTS - self.rows)

    def limit(self, display: str, line: int, message: str, hint: str | None = None) -> None:
        """A warning ``IC621``: a limit was passed and something left out, the rest read."""
        self.diagnostics.append(
            Diagnostic(display, line, 1, "IC621", message, "warning", hint, "event-log-limit")
        )


def limit_error(display: str, line: int, message: str, hint: str | None = None) -> LoadError:
    """The error ``IC621`` for a log past a limit that leaves nothing to read (exit 2)."""
    from icmap.importers import source_error

    return source_error(
        [Diagnostic(display, line, 1, "IC621", message, "error", hint, "event-log-limit")]
    )


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory database whose naive timestamps are read as UTC, which keeps to
    :data:`MEMORY_LIMIT` by spilling to a temporary folder of its own."""
    import duckdb

    connection = duckdb.connect(":memory:")
    connection.execute("SET TimeZone = 'UTC'")
    # DuckDB draws a progress bar on stdout for queries past two seconds, even into a file or
    # a pipe: it would land in the middle of a JSON report.
    connection.execute("SET enable_progress_bar = false")
    # DuckDB's default is 80% of the machine's memory and a .tmp folder in the working
    # directory; the folder named here is made only if needed and removed on closing.
    spill = Path(tempfile.gettempdir()) / f"icmap-duckdb-{os.getpid()}-{secrets.token_hex(4)}"
    connection.execute(f"SET temp_directory = {_literal(str(spill))}")
    limit = _memory_limit()
    if limit is not None:
        connection.execute(f"SET memory_limit = '{limit}'")
    # ``reason``, ``unread_time`` and ``place`` are set only on rows that cannot be used, which
    # stay until their finding is written (:func:`load_rows`).
    connection.execute(
        "CREATE TABLE events (case_id VARCHAR, ts TIMESTAMPTZ, team VARCHAR, activity VARCHAR, "
        "seq BIGINT, line BIGINT, file INTEGER, reason VARCHAR, unread_time VARCHAR, "
        "place VARCHAR)"
    )
    return connection


def _memory_limit() -> str | None:
    """:data:`MEMORY_LIMIT`, or half the machine's memory if that is less."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: DuckDB's own default
        return None
    return f"{min(MEMORY_LIMIT, physical // 2) // 2**20}MiB"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def log_format(path: Path) -> str:
    """``csv``, ``jsonl``, ``parquet`` or ``xes``, from the file's name."""
    name = path.name.lower().removesuffix(".gz")
    for suffix, kind in (
        (".csv", "csv"),
        (".tsv", "csv"),
        (".txt", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
        (".parquet", "parquet"),
        (".xes", "xes"),
    ):
        if name.endswith(suffix):
            return kind
    raise UsageError(
        f"{path}: not an event log icmap reads by its name; use .csv, .tsv, .jsonl, .parquet "
        "or .xes (gzipped .csv.gz and .xes.gz too)"
    )


def read_events(paths: list[Path], options: EventLogOptions) -> EventTable:
    """Every event of the logs at ``paths`` (files; a folder's logs by :data:`PATTERNS`)."""
    check_time_format(options.time_format)
    files = [file for path in paths for file in _files(path)]
    if not files:
        raise UsageError(f"no event logs in {', '.join(map(str, paths))}")
    table = EventTable(connect())
    try:
        _read_files(table, files, options)
    except BaseException:
        table.connection.close()  # and its spill folder; the caller closes it otherwise
        raise
    return table


def _read_files(table: EventTable, files: list[Path], options: EventLogOptions) -> None:
    """Each of ``files`` into ``table``, then the cases too long left out."""
    for number, file in enumerate(files):
        display = str(file)
        if not file.is_file():
            raise UsageError(f"{display}: not a regular file; an event log is read from a file")
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise limit_error(
                display,
                1,
                f"{size:,} bytes, more than the {MAX_FILE_BYTES:,} icmap reads in one log file",
                "split the log by period",
            )
        kind = log_format(file)
        if size == 0 or (kind == "csv" and _empty_csv(file)):
            table.diagnostics.append(
                Diagnostic(
                    display,
                    1,
                    1,
                    "IC620",
                    "the file is empty: nothing read",
                    "warning",
                    None,
                    "unreadable-event",
                )
            )
            continue
        if options.progress is not None:
            options.progress(f"reading {display}")
        if not table.room:
            table.limit(
                display,
                1,
                f"not read: the files before hold {MAX_EVENTS:,} events, as many as icmap reads",
                "split the log by period",
            )
            continue
        if kind == "xes":
            from icmap.eventlog.xes import read_xes

            read_xes(table, file, display, number, options)
        else:
            _read_tabular(table, file, display, number, kind=kind, options=options)
    if not table.files:  # every file was empty
        from icmap.importers import source_error

        said = (
            "the file is empty: no header and no events"
            if len(files) == 1
            else f"all {len(files)} files are empty: no events"
        )
        raise source_error(
            [
                Diagnostic(
                    str(files[0]),
                    1,
                    1,
                    "IC620",
                    said,
                    "error",
                    "export the log again: a CSV needs a header and a row per event, JSON "
                    "lines an object per event, XES a <trace> of <event>s",
                    "unreadable-event",
                )
            ]
        )
    _long_cases(table)


def _long_cases(table: EventTable) -> None:
    """Cases of more than :data:`MAX_CASE_EVENTS` events, left out with a finding each."""
    if table.rows <= MAX_CASE_EVENTS:  # then no case can be too long: spare the grouping
        return
    connection = table.connection
    long = connection.execute(
        f"""
        SELECT min(file) AS file, case_id, count(*) AS n, arg_min(line, (file, seq)) AS line
        FROM events GROUP BY case_id HAVING count(*) > {MAX_CASE_EVENTS} ORDER BY file, line
        """
    ).fetchall()
    if not long:
        return
    connection.execute(
        f"""
        DELETE FROM events WHERE case_id IN (
            SELECT case_id FROM events GROUP BY case_id HAVING count(*) > {MAX_CASE_EVENTS})
        """
    )
    displays = [display for display, _ in table.files]
    for file, case, count, line in long[:SHOWN_PER_KIND]:
        table.skipped += int(count)
        table.limit(
            displays[int(file)],
            int(line),
            f"case {_preview(str(case))!r} left out: {int(count):,} events, more than the "
            f"{MAX_CASE_EVENTS:,} icmap reads in one case",
            "a case this long is usually a catch-all id (a queue, a default); name the case "
            "column with --case if this is not it",
        )
    for _, _, count, _ in long[SHOWN_PER_KIND:]:
        table.skipped += int(count)
    if len(long) > SHOWN_PER_KIND:
        table.limit(
            displays[int(long[SHOWN_PER_KIND][0])],
            int(long[SHOWN_PER_KIND][3]),
            f"…and {len(long) - SHOWN_PER_KIND:,} more cases left out, each of more than "
            f"{MAX_CASE_EVENTS:,} events",
        )


def _files(path: Path) -> list[Path]:
    if not path.exists():
        from icmap.loader.discover import no_such_path

        raise no_such_path(path)
    if path.is_dir():
        return sorted({found for pattern in PATTERNS for found in path.rglob(pattern)})
    return [path]


def _source(file: Path, kind: str) -> str:
    quoted = "'" + str(file).replace("'", "''") + "'"
    if kind == "csv":
        # Every cell as text; bad lines go to DuckDB's reject tables with their line numbers.
        # No null padding: a line with more or fewer cells than the header is a finding.
        return (
            f"read_csv({quoted}, header = true, all_varchar = true, store_rejects = true, "
            f"rejects_limit = {MAX_REJECTS}, max_line_size = {MAX_LINE_BYTES})"
        )
    if kind == "jsonl":
        return (
            f"read_json({quoted}, format = 'newline_delimited', records = true, "
            f"maximum_object_size = {MAX_LINE_BYTES})"
        )
    return f"read_parquet({quoted})"


#: Types a Parquet or JSON column can hold a time in, read as they are (not through text).
_TIME_TYPES = ("TIMESTAMP", "DATE")


def _read_tabular(
    table: EventTable, file: Path, display: str, number: int, *, kind: str, options: EventLogOptions
) -> None:
    import duckdb

    connection = table.connection
    if kind == "csv":
        _check_header(file, display)
    source = _source(file, kind)
    try:
        described = connection.execute(f"SELECT * FROM {source} LIMIT 0").description
    except duckdb.Error as error:
        raise _unreadable(file, display, kind, error) from None
    header = [column[0] for column in described]
    if len(header) > MAX_COLUMNS:
        raise limit_error(
            display,
            1,
            f"{len(header):,} columns, more than the {MAX_COLUMNS:,} icmap reads",
            "export only the case, time, team and activity columns",
        )
    columns = choose(header, _named(options), display, options=options.column_options)
    table.files.append((display, columns))
    if kind == "csv":
        _twice_named(table, file, display, header)
    types = {column[0]: str(column[1]) for column in described}
    activity = _as_text(columns.activity, types[columns.activity]) if columns.activity else "NULL"
    time_type = types[columns.time]
    # A typed time (Parquet's TIMESTAMP, with or without its zone, or a DATE) is taken as it
    # is, cast once: through text, a zone-aware one would depend on the session's time zone.
    typed = time_type.upper().startswith(_TIME_TYPES)
    time = _quote(columns.time) if typed else _as_text(columns.time, time_type)
    room = table.room
    # Lines count from the header (line 1); JSON lines and Parquet rows from 1. Rows past the
    # count are not read but one, which says where the count was passed.
    first = 2 if kind == "csv" else 1
    rows = f"""
        SELECT *, seq + {first - 1} AS line, NULL AS place FROM (
            SELECT {_as_text(columns.case, types[columns.case])} AS case_id,
                   {time} AS time_value,
                   {_as_text(columns.team, types[columns.team])} AS team,
                   {activity} AS activity,
                   row_number() OVER () AS seq
            FROM (SELECT * FROM {source} LIMIT {room + 1})
        )
    """
    try:
        load_rows(
            table,
            rows,
            display=display,
            number=number,
            room=room,
            options=options,
            typed_time=typed,
            rejects=kind == "csv",
            csv_file=file if kind == "csv" else None,
        )
    except duckdb.Error as error:
        raise _unreadable(file, display, kind, error) from None


def _as_text(column: str, type_name: str) -> str:
    """SQL for a column's value as text. JSON lines whose rows give one key values of several
    types (a time as text in one, a number in another) make DuckDB type the column JSON,
    whose text keeps a string's quotes: a scalar is read as its text, a list or an object as
    nothing (the event is then left out and said, as one without the value is). Parquet's
    lists, structs and maps likewise."""
    quoted = _quote(column)
    kind = type_name.upper()
    if kind == "JSON":
        return (
            f"CASE WHEN json_type({quoted}) IN ('OBJECT', 'ARRAY') THEN NULL "
            f"ELSE json_extract_string({quoted}, '$') END"
        )
    if kind.startswith(("STRUCT", "MAP", "UNION")) or kind.endswith("]"):
        return "NULL"
    return f"CAST({quoted} AS VARCHAR)"


def _past_the_count(table: EventTable, display: str, number: int, room: int) -> None:
    """The row of file ``number`` past :data:`MAX_EVENTS` in all (rows are read up to one past
    it): named, and left out with any after it."""
    connection = table.connection
    found = connection.execute(
        f"SELECT line FROM events WHERE file = {number} AND seq > {room} ORDER BY seq LIMIT 1"
    ).fetchone()
    if found is None:
        return
    connection.execute(f"DELETE FROM events WHERE file = {number} AND seq > {room}")
    table.limit(
        display,
        int(found[0]),
        f"more than {MAX_EVENTS:,} events in the log: this one and every one after it left out",
        "split the log by period, or keep the cases of one period",
    )


def _twice_named(table: EventTable, file: Path, display: str, header: list[str]) -> None:
    """Warn when a CSV's header names a column twice: DuckDB calls the second ``name_1``, so
    ``--team name`` (or the name found) takes the first, perhaps not the one meant."""
    import csv
    import gzip

    gzipped = file.name.lower().endswith(".gz")
    try:
        with (
            gzip.open(file, "rt", encoding="utf-8-sig", errors="replace")
            if gzipped
            else file.open(encoding="utf-8-sig", errors="replace") as f
        ):
            first = f.readline()
    except (OSError, EOFError):  # read once already: said there, were it unreadable
        return
    for delimiter in (",", ";", "\t", "|"):
        names = [name.strip() for name in next(csv.reader([first], delimiter=delimiter), [])]
        if len(names) == len(header):
            break
    else:
        return
    seen: set[str] = set()
    for name in names:
        if name in seen:
            table.diagnostics.append(
                Diagnostic(
                    display,
                    1,
                    1,
                    "IC620",
                    f"the header names the column {name!r} twice: the first is read as "
                    f"{name!r}, the second as {name + '_1'!r}",
                    "warning",
                    "rename one of them in the log, or name the one meant with --case, --time, "
                    "--team or --activity",
                    "unreadable-event",
                )
            )
        seen.add(name)


def _empty_csv(file: Path) -> bool:
    """Whether a CSV (perhaps gzipped) holds nothing but white space and a byte-order mark."""
    import gzip

    try:
        with gzip.open(file, "rb") if file.name.lower().endswith(".gz") else file.open("rb") as f:
            head = f.read(4096)
    except (OSError, EOFError):
        return False  # said by the reading, with its reason
    return not head.removeprefix(b"\xef\xbb\xbf").strip()


def _check_header(file: Path, display: str) -> None:
    """A CSV's first line: bounded, and of a sane width, before DuckDB's sniffer reads it."""
    import gzip

    try:
        with gzip.open(file, "rb") if file.name.lower().endswith(".gz") else file.open("rb") as f:
            head = f.read(MAX_LINE_BYTES + 1)
    except (OSError, EOFError) as error:
        raise UsageError(f"{display}: cannot be read: {error}") from None
    line = head.split(b"\n", 1)[0]
    if len(line) > MAX_LINE_BYTES:
        raise _long_line(display, 1)
    cells = max(line.count(delimiter) for delimiter in (b",", b";", b"\t", b"|")) + 1
    if cells > MAX_COLUMNS:
        raise limit_error(
            display,
            1,
            f"a header of {cells:,} columns, more than the {MAX_COLUMNS:,} icmap reads",
            "export only the case, time, team and activity columns",
        )


def _long_line(display: str, line: int) -> LoadError:
    return limit_error(
        display,
        line,
        f"a line longer than {MAX_LINE_BYTES:,} bytes, the most icmap reads in one line: "
        "nothing read",
        "a line this long is not an event; check the file is the log (and its quotes)",
    )


def _unreadable(file: Path, display: str, kind: str, error: Exception) -> IcmapError:
    """The error for a file DuckDB cannot read: a line too long (found here, with its
    number), else DuckDB's first line."""
    text = str(error)
    if "line size" in text.lower() or "maximum_object_size" in text or "object_size" in text:
        line = _first_long_line(file)
        if line is not None:
            return _long_line(display, line)
    if kind == "jsonl":
        found = _bad_json_lines(file, display)
        if found:
            from icmap.importers import source_error

            return source_error(found)
    return UsageError(f"{display}: cannot be read as {kind}: {_first_line(error)}")


#: Bad lines a JSON-lines file is searched for, once DuckDB has refused it.
MAX_BAD_JSON_LINES = 20


def _bad_json_lines(file: Path, display: str) -> list[Diagnostic]:
    """Each line of a JSON-lines file that is not a JSON object, at its line and column (up to
    :data:`MAX_BAD_JSON_LINES`): DuckDB names only one, a line off where it counts a blank
    one. Read in Python only when DuckDB refused the file."""
    import gzip
    import json

    found: list[Diagnostic] = []
    with (
        gzip.open(file, "rt", encoding="utf-8", errors="replace")
        if file.name.lower().endswith(".gz")
        else file.open(encoding="utf-8", errors="replace")
    ) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as problem:
                message, column = f"this line is not JSON ({problem.msg})", problem.colno
            else:
                if isinstance(value, dict):
                    continue
                shown = {"list": "a list", "str": "a string", "NoneType": "null"}.get(
                    type(value).__name__, "a number"
                )
                message, column = f"this line is {shown}, not a JSON object", 1
            found.append(
                Diagnostic(
                    display,
                    number,
                    column,
                    "IC620",
                    message,
                    "error",
                    "each line of a JSON-lines log is one event: an object such as "
                    '{"case": "C1", "time": "2026-03-02T10:00:00Z", "team": "Support"}',
                    "unreadable-event",
                )
            )
            if len(found) == MAX_BAD_JSON_LINES:
                break
    return found


def _first_long_line(file: Path) -> int | None:
    """The number of the first line longer than :data:`MAX_LINE_BYTES`, read in bounded chunks."""
    import gzip

    line, length = 1, 0
    with gzip.open(file, "rb") if file.name.lower().endswith(".gz") else file.open("rb") as f:
        while chunk := f.read(1024**2):
            parts = chunk.split(b"\n")
            for part in parts[:-1]:
                if length + len(part) > MAX_LINE_BYTES:
                    return line
                line, length = line + 1, 0
            length += len(parts[-1])
            if length > MAX_LINE_BYTES:
                return line
    return None


#: Control characters (C0 but tab and newlines, DEL, C1), as the org format refuses them.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"

#: Why a row is left out, in the order they are checked: the code, the message (``{value}``:
#: the time as written), the hint.
_REASONS: dict[str, tuple[str, str, str | None]] = {
    "long": (
        "IC621",
        "a value longer than {limit} characters, the most icmap reads",
        "a case, time, team or activity this long is not one; check the columns chosen",
    ),
    "case": ("IC620", "no case", "every event needs the case it belongs to"),
    "team": (
        "IC620",
        "no team",
        "every event needs the team that did it, as text; an empty cell, null, a list or an "
        "object is none",
    ),
    "control": (
        "IC620",
        "the team {team} has a control character (such as NUL or ESC)",
        "a team is named in org files, which refuse them; clean the log's team column",
    ),
    "no time": ("IC620", "no time", "every event needs the time it happened"),
    "zone": (
        "IC620",
        "time {value} names its zone by an abbreviation, which can mean several zones",
        "write the zone as an offset from UTC (2026-03-31T14:05:00+05:30)",
    ),
    "time": (
        "IC620",
        "time {value} is not a timestamp icmap reads",
        "write ISO 8601 (2026-03-31T14:05:00+02:00), or give --time-format",
    ),
}


def load_rows(
    table: EventTable,
    rows: str,
    *,
    display: str,
    number: int,
    room: int,
    options: EventLogOptions,
    typed_time: bool = False,
    rejects: bool = False,
    csv_file: Path | None = None,
) -> None:
    """Add the rows of the query ``rows`` (``case_id, time_value, team, activity, seq, line,
    place``) to ``events`` as file ``number``, with a finding per row left out. A ``place``
    (XES: ``trace 12, event 3``) is named in findings too; ``time_value`` is text unless
    ``typed_time`` (a typed Parquet or JSON column, cast as it is). ``rejects``: the rows are
    DuckDB's CSV reader's, whose rejected lines are findings too and shift the lines of the
    rows after them. ``csv_file``: the CSV the rows are from, whose records may span lines
    (a quoted field with a newline) or skip blank ones: their lines are then the physical
    lines the records start on. Rows past ``room`` (the events the run can still read) are
    left out with one finding.

    The rows are read once, straight into ``events`` (a copy of a log in memory costs as much
    as the log): those that cannot be used get their ``reason`` (a key of :data:`_REASONS`)
    and keep their time's text and place until they are reported, then are deleted.
    """
    connection = table.connection
    slashed = zone = "false"
    if typed_time:
        parsed = "CAST(time_value AS TIMESTAMPTZ)"
        no_time = "time_value IS NULL"
        text = "CAST(time_value AS VARCHAR)"
        measured: tuple[str, ...] = ("case_id", "team", "activity")
    else:
        parsed = _parsed_time("time_value", options.time_format)
        no_time = "nullif(trim(time_value), '') IS NULL"
        zone = _zone_named("time_value")
        if options.time_format is None:
            slashed = f"regexp_matches(time_value, '{_SLASHED}')"
        text = "time_value"
        measured = ("case_id", "team", "activity", "time_value")
    # Characters are never more than bytes: the byte count (free) rules out all but the rows
    # that may be too long, and only those are counted in characters.
    in_bytes = ", ".join(f"coalesce(strlen({column}), 0)" for column in measured)
    in_chars = ", ".join(f"coalesce(length({column}), 0)" for column in measured)
    long = (
        f"CASE WHEN greatest({in_bytes}) > {MAX_VALUE_CHARS} "
        f"THEN greatest({in_chars}) > {MAX_VALUE_CHARS} ELSE false END"
    )
    connection.execute(
        f"""
        INSERT INTO events
        SELECT case_id, ts, team, activity, seq, line, {number}, reason,
               CASE WHEN reason IS NOT NULL THEN left({text}, 200) END,
               CASE WHEN reason IS NOT NULL THEN place END
        FROM (
            SELECT *,
                   -- null checks on every row; which reason, only on the rows left out
                   CASE WHEN long OR case_id IS NULL OR team IS NULL OR ts IS NULL THEN
                       CASE WHEN long THEN 'long'
                            WHEN case_id IS NULL THEN 'case'
                            WHEN team IS NULL THEN 'team'
                            WHEN {no_time} THEN 'no time'
                            WHEN {slashed} THEN 'slashed'
                            WHEN {zone} THEN 'zone'
                            ELSE 'time'
                       END
                   END AS reason
            FROM (
                SELECT nullif(trim(case_id), '') AS case_id, nullif(trim(team), '') AS team,
                       nullif(trim(activity), '') AS activity, time_value, seq, line, place, long,
                       CASE WHEN long THEN NULL ELSE {parsed} END AS ts
                FROM (SELECT *, {long} AS long FROM ({rows}))
            )
        )
        """
    )
    if slashed != "false":
        _slashed_dates(table, display, number, options=options.column_options)
    _control_characters(table, number)
    if rejects and _rejected_lines(table, display):
        _lines_after_rejects(table, number)
    elif csv_file is not None:
        _physical_lines(table, number, csv_file)
    _past_the_count(table, display, number, room)
    counted = {
        reason: int(count)
        for reason, count in connection.execute(
            f"SELECT reason, count(*) FROM events WHERE file = {number} GROUP BY reason"
        ).fetchall()
    }
    table.rows += sum(counted.values())
    for reason, count in counted.items():
        if reason is not None:
            table.left_out[reason] = table.left_out.get(reason, 0) + count
    for reason in _REASONS:
        found = counted.get(reason, 0)
        _report(table, display, number, reason, found, time_format=options.time_format)
    if any(reason is not None for reason in counted):
        connection.execute(f"DELETE FROM events WHERE file = {number} AND reason IS NOT NULL")


def _slashed_dates(table: EventTable, display: str, number: int, *, options: bool) -> None:
    """Read file ``number``'s times written ``dd/mm/yyyy`` or ``mm/dd/yyyy`` (set aside as
    ``slashed``) in the order its values show: day first if some first field is past 12,
    month first if some second field is; if every value reads both ways the file is refused
    (a guess would silently swap days and months); if neither way reads them all, day first,
    and the rest are findings."""
    connection = table.connection
    found = connection.execute(
        f"""
        SELECT count(*),
               max(TRY_CAST(split_part(trim(unread_time), '/', 1) AS INTEGER)),
               max(TRY_CAST(split_part(trim(unread_time), '/', 2) AS INTEGER)),
               arg_min(line, seq), list(unread_time ORDER BY seq)[1:2]
        FROM events WHERE file = {number} AND reason = 'slashed'
        """
    ).fetchone()
    if not found or not found[0]:
        return
    _, first_field, second_field, line, examples = found
    if first_field <= 12 and second_field <= 12:
        from icmap.importers import source_error

        shown = " and ".join(repr(_preview(example.strip())) for example in examples)
        rest = examples[0].strip().split(" ", 1)[1:] if examples else []
        clock = ""
        if rest:
            clock = " %H:%M:%S" if rest[0].count(":") == 2 else " %H:%M"
        column = table.files[-1][1].time if table.files else "time"
        raise source_error(
            [
                Diagnostic(
                    display,
                    int(line),
                    1,
                    "IC620",
                    f"the times of column {column!r} ({shown}) read as day/month and as "
                    "month/day alike: icmap does not guess which",
                    "error",
                    f"pass --time-format '%m/%d/%Y{clock}' (month first, as in the US) or "
                    f"--time-format '%d/%m/%Y{clock}' (day first)"
                    # A command without the option (impact, diff): the one that has it.
                    + ("" if options else " to 'icmap import events', and read the org it writes"),
                    "unreadable-event",
                )
            ]
        )
    formats = MONTH_FIRST if second_field > 12 and first_field <= 12 else DAY_FIRST
    listed = ", ".join("'" + f + "'" for f in formats)
    # Parsed once, then the rows it read are cleared: one parse per row, not one per column.
    connection.execute(
        f"""
        UPDATE events SET ts = CAST(try_strptime(trim(unread_time), [{listed}]) AS TIMESTAMPTZ)
        WHERE file = {number} AND reason = 'slashed'
        """
    )
    connection.execute(
        f"""
        UPDATE events SET reason = CASE WHEN ts IS NULL THEN 'time' END,
               unread_time = CASE WHEN ts IS NULL THEN unread_time END,
               place = CASE WHEN ts IS NULL THEN place END
        WHERE file = {number} AND reason = 'slashed'
        """
    )


def _physical_lines(table: EventTable, number: int, file: Path) -> None:
    """Give file ``number``'s rows the lines their records start on, where that is not the
    row's place plus the header: a quoted field holding a newline, or a blank line.

    Counting the file's newlines (a pass in C) says whether any record is not one line; only
    then is the file read again line by line, tracking quotes, for where each record starts.
    A file with rejected lines keeps DuckDB's numbering (:func:`_lines_after_rejects`)."""
    import gzip

    connection = table.connection
    found = connection.execute(f"SELECT max(seq) FROM events WHERE file = {number}").fetchone()
    rows = int(found[0]) if found and found[0] is not None else 0
    newlines, last = 0, b"\n"
    with gzip.open(file, "rb") if file.name.lower().endswith(".gz") else file.open("rb") as f:
        while chunk := f.read(1024**2):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    lines = newlines + (0 if last == b"\n" else 1)
    if lines == rows + 1:
        return
    starts: list[int] = []
    quoted = False
    with gzip.open(file, "rb") if file.name.lower().endswith(".gz") else file.open("rb") as f:
        for number_, raw in enumerate(f, start=1):
            if not quoted and raw.strip(b"\r\n"):
                starts.append(number_)
            # Doubled quotes ("") inside a quoted field toggle twice: only an odd count opens
            # or closes one.
            if raw.count(b'"') % 2:
                quoted = not quoted
    data = starts[1 : rows + 1]  # the first record is the header
    if len(data) != rows:  # the quoting is not what this scan assumes: keep the row numbers
        return
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE starts AS "
        "SELECT generate_subscripts(l, 1) AS seq, unnest(l) AS line FROM (SELECT ?::BIGINT[] AS l)",
        [data],
    )
    connection.execute(
        f"UPDATE events SET line = starts.line FROM starts "
        f"WHERE events.file = {number} AND events.seq = starts.seq"
    )
    connection.execute("DROP TABLE starts")


def _control_characters(table: EventTable, number: int) -> None:
    """File ``number``'s teams named with a control character are a reason to leave their
    events out (after no value too long, no case and no team); activities lose theirs.

    Done on the table, not while reading: the read is one thread (the rows are numbered in
    file order), these scans use them all, and they change nothing in a clean log."""
    connection = table.connection
    # Each distinct pair of names is tested once (a log has few teams and, mostly, few
    # activities): cheaper than testing every row.
    found = connection.execute(
        f"""
        SELECT count(*) FILTER (WHERE regexp_matches(team, '{_CONTROL}')),
               count(*) FILTER (WHERE regexp_matches(activity, '{_CONTROL}'))
        FROM (SELECT DISTINCT team, activity FROM events WHERE file = {number})
        """
    ).fetchone()
    teams, activities = found if found else (0, 0)
    if teams:
        connection.execute(
            f"""
            UPDATE events SET reason = 'control'
            WHERE file = {number} AND regexp_matches(team, '{_CONTROL}')
                  AND (reason IS NULL OR reason IN ('no time', 'time'))
            """
        )
    if activities:
        connection.execute(
            f"""
            UPDATE events
            SET activity = nullif(trim(regexp_replace(activity, '{_CONTROL}', '', 'g')), '')
            WHERE file = {number} AND regexp_matches(activity, '{_CONTROL}')
            """
        )


def _report(
    table: EventTable,
    display: str,
    number: int,
    reason: str,
    count: int,
    *,
    time_format: str | None = None,
) -> None:
    if not count:
        return
    code, message, hint = _REASONS[reason]
    if reason == "time" and time_format is not None:
        message = f"time {{value}} does not match --time-format {time_format!r}"
        hint = "give the format the times are written in, or leave --time-format out"
    table.skipped += count
    rows = table.connection.execute(
        "SELECT line, unread_time, left(team, 200), place FROM events "
        f"WHERE file = {number} AND reason = ? ORDER BY seq LIMIT {SHOWN_PER_KIND}",
        [reason],
    ).fetchall()
    name = "event-log-limit" if code == "IC621" else "unreadable-event"
    for line, value, team, place in rows:
        shown = message.format(
            value=repr(_preview(value or "")),
            team=repr(_preview(team or "")),
            limit=f"{MAX_VALUE_CHARS:,}",
        )
        where = f" ({place})" if place else ""
        table.diagnostics.append(
            Diagnostic(
                display,
                int(line),
                1,
                code,
                f"event left out{where}: {shown}",
                "warning",
                hint,
                name,
            )
        )
    if count > SHOWN_PER_KIND:
        table.diagnostics.append(
            Diagnostic(
                display,
                int(rows[-1][0]),  # after the events listed, as it reads
                1,
                code,
                f"…and {count - SHOWN_PER_KIND:,} more events left out: "
                + message.format(value="…", team="…", limit=f"{MAX_VALUE_CHARS:,}"),
                "warning",
                None,
                name,
                left_out=count - SHOWN_PER_KIND,
            )
        )


#: What DuckDB's reasons for rejecting a CSV line mean, said for the log's owner.
_REJECTED = {
    "INVALID ENCODING": (
        "not UTF-8 text",
        "save the log as UTF-8 (a spreadsheet's 'CSV UTF-8'); icmap reads CSV as UTF-8 only",
    ),
    # DuckDB before 1.3 calls it so
    "INVALID UNICODE": (
        "not UTF-8 text",
        "save the log as UTF-8 (a spreadsheet's 'CSV UTF-8'); icmap reads CSV as UTF-8 only",
    ),
    "TOO MANY COLUMNS": ("more cells than the header", "a quote or a delimiter in a cell?"),
    "MISSING COLUMNS": ("fewer cells than the header", None),
    "UNQUOTED VALUE": (
        "a quote left open (or text after a closing quote)",
        "the lines up to the next quote may have been read as part of this one",
    ),
    "LINE SIZE OVER MAXIMUM": ("a line longer than {limit} bytes, the most icmap reads", None),
}


def _rejected_lines(table: EventTable, display: str) -> int:
    """DuckDB's rejected CSV lines (a quote left open, too many cells, not UTF-8) as findings;
    their number. They stay in the temp table ``rejected(line)`` for :func:`_lines_after_rejects`.
    """
    connection = table.connection
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE rejected AS SELECT line, any_value(error_type) AS kind, "
        "any_value(error_message) AS message FROM reject_errors GROUP BY line"
    )
    connection.execute("DELETE FROM reject_errors")
    connection.execute("DELETE FROM reject_scans")
    rows = connection.execute(
        f"SELECT line, kind, message FROM rejected ORDER BY line LIMIT {SHOWN_PER_KIND}"
    ).fetchall()
    counted = connection.execute("SELECT count(*) FROM rejected").fetchone()
    count = int(counted[0]) if counted else 0
    table.skipped += count
    for line, kind, error in rows:
        said, hint = _REJECTED.get(str(kind), (None, None))
        text = (
            said.format(limit=f"{MAX_LINE_BYTES:,}")
            if said
            else _preview(str(error).splitlines()[0] if error else "unreadable")
        )
        code = "IC621" if kind == "LINE SIZE OVER MAXIMUM" else "IC620"
        table.diagnostics.append(
            Diagnostic(
                display,
                int(line or 1),
                1,
                code,
                f"line left out: {text}",
                "warning",
                hint,
                "event-log-limit" if code == "IC621" else "unreadable-event",
            )
        )
    if count > SHOWN_PER_KIND or count >= MAX_REJECTS:
        more = "more" if count < MAX_REJECTS else "or more"
        table.diagnostics.append(
            Diagnostic(
                display,
                int(rows[0][0] or 1),
                1,
                "IC620",
                f"…and {max(0, count - SHOWN_PER_KIND):,} {more} lines left out",
                "warning",
                None,
                "unreadable-event",
            )
        )
    return count


def _lines_after_rejects(table: EventTable, number: int) -> None:
    """Give file ``number``'s rows their lines where rejected lines came before them: the
    k-th row read is on line k + 1 plus the rejected lines before it."""
    connection = table.connection
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE gaps AS
        -- the rows read before each rejected line: the lines before it but the header and
        -- the rejected lines before it
        SELECT line - 2 - (row_number() OVER (ORDER BY line) - 1) AS before FROM rejected
        """
    )
    connection.execute(
        f"""
        UPDATE events SET line = seq + 1 + (SELECT count(*) FROM gaps WHERE before < seq)
        WHERE file = {number}
        """
    )
    connection.execute("DROP TABLE gaps")
    connection.execute("DROP TABLE rejected")


#: ``--time-format`` for seconds since 1970-01-01 UTC (strptime's ``%s``, which DuckDB lacks).
EPOCH = "%s"


def _epoch(column: str, *, auto: bool) -> str:
    """SQL reading ``column`` as seconds since 1970 (UTC). Found by itself (``auto``): 9 or 10
    digits are seconds (2001 to 2286), 12 or 13 milliseconds (from 2001), no other count of
    digits (``20260105`` is a date); given ``--time-format %s``, any number of seconds up to
    the year 9999."""
    value = f"trim({column})"
    if not auto:
        # Past the year 9999 (milliseconds read as seconds) is no time: left out, not a crash.
        return (
            rf"CASE WHEN regexp_full_match({value}, '-?\d{{1,12}}(\.\d+)?') "
            f"AND abs(CAST({value} AS DOUBLE)) < 253402214400 "
            f"THEN to_timestamp(CAST({value} AS DOUBLE)) END"
        )
    return (
        rf"CASE WHEN regexp_full_match({value}, '\d{{9,10}}') "
        f"THEN to_timestamp(CAST({value} AS BIGINT)) "
        rf"WHEN regexp_full_match({value}, '\d{{12,13}}') "
        f"THEN to_timestamp(CAST({value} AS BIGINT) / 1000.0) END"
    )


def check_time_format(time_format: str | None) -> None:
    """Refuse a ``--time-format`` DuckDB's strptime cannot use, before any file is read."""
    if time_format is None or time_format == EPOCH:
        return
    import duckdb

    try:
        duckdb.connect(":memory:").execute("SELECT try_strptime('', ?)", [time_format])
    except duckdb.Error as error:
        reason = _first_line(error).split(": ")[-1]
        raise UsageError(
            f"--time-format {time_format!r} is not a strptime format icmap reads ({reason}); "
            "write it with %Y, %m, %d, %H, %M, %S (docs/events.md), or %s for seconds since 1970"
        ) from None


def _zone_named(column: str) -> str:
    """SQL true where ``column`` ends in a time zone's abbreviation (``IST``, ``CST``), which
    DuckDB reads as one of the zones it may mean (IST: India, not Ireland or Israel) without
    a word; ``UTC``, ``GMT`` and ``AM``/``PM`` are not such. Only a value whose last two
    characters are letters is matched against the pattern: ISO times end in a digit or Z."""
    return (
        f"(regexp_matches(right({column}, 2), '^[A-Za-z]{{2}}$') "
        rf"AND regexp_matches(trim({column}), '\d\s*[A-Za-z]{{2,5}}$') "
        f"AND NOT regexp_matches(trim({column}), '(?i)(UTC|GMT|AM|PM)$'))"
    )


def _parsed_time(column: str, time_format: str | None) -> str:
    """SQL reading ``column`` as a timestamp: ISO 8601 first, then :data:`TIME_FORMATS`, then
    seconds or milliseconds since 1970; or as ``time_format`` says."""
    if time_format == EPOCH:
        return _epoch(column, auto=False)
    if time_format is not None:
        fmt = "'" + time_format.replace("'", "''") + "'"
        # %Z reads a zone's abbreviation as one of the zones it may mean, as a cast does.
        return (
            f"CASE WHEN {_zone_named(column)} THEN NULL "
            f"ELSE CAST(try_strptime(trim({column}), {fmt}) AS TIMESTAMPTZ) END"
        )
    formats = ", ".join("'" + f + "'" for f in TIME_FORMATS)
    # A failing try_strptime over the list costs 3 µs a row: a slashed date (read later, in
    # the order its file shows) and a number skip it, for a cheap pattern.
    return (
        f"CASE WHEN {_zone_named(column)} THEN NULL ELSE "
        f"coalesce(TRY_CAST(trim({column}) AS TIMESTAMPTZ), "
        f"CASE WHEN regexp_matches({column}, '{_SLASHED}') THEN NULL "
        rf"WHEN regexp_full_match(trim({column}), '\d+') THEN {_epoch(column, auto=True)} "
        f"ELSE CAST(try_strptime(trim({column}), [{formats}]) AS TIMESTAMPTZ) END) END"
    )


def _named(options: EventLogOptions) -> dict[str, str | None]:
    return {
        "case": options.case,
        "time": options.time,
        "team": options.team,
        "activity": options.activity,
    }


def _quote(name: str | None) -> str:
    assert name is not None
    return '"' + name.replace('"', '""') + '"'


def _preview(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def _first_line(error: Exception) -> str:
    return _preview(
        str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__, 200
    )
