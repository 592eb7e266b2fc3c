"""Reading event logs into one table of events, in an embedded DuckDB database.

Every format becomes the table ``events(case_id, ts, team, activity, seq, line, file)``
(and, until they are reported, an unreadable time's text and an XES event's place): ``seq`` is
the event's place in its file (ties in time keep file order), ``line`` where a finding about it
points. DuckDB reads CSV (any delimiter, quoted fields, a BOM, gzip), JSON
lines and Parquet itself, and sorts and groups out of core, so memory follows the teams and
pairs, not the events. XES is read by :mod:`icmap.eventlog.xes`.

A row that cannot be read (no case, no team, a time in no form icmap knows, a CSV line DuckDB
rejects) is a finding with its line, never a traceback, and the rest is read.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from icmap.diagnostics import Diagnostic
from icmap.errors import UsageError
from icmap.eventlog.columns import EventColumns, choose

if TYPE_CHECKING:
    import duckdb

    from icmap.eventlog import EventLogOptions

#: Findings of one kind shown per file; the rest are counted.
SHOWN_PER_KIND = 100
#: The largest log file read.
MAX_FILE_BYTES = 16 * 1024**3
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
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)
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
    connection.execute(
        "CREATE TABLE events (case_id VARCHAR, ts TIMESTAMPTZ, team VARCHAR, activity VARCHAR, "
        "seq BIGINT, line BIGINT, file INTEGER, unread_time VARCHAR, place VARCHAR)"
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
    table = EventTable(connect())
    files = [file for path in paths for file in _files(path)]
    if not files:
        raise UsageError(f"no event logs in {', '.join(map(str, paths))}")
    for number, file in enumerate(files):
        display = str(file)
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UsageError(
                f"{display}: {size:,} bytes, more than the {MAX_FILE_BYTES:,} icmap reads in one "
                "log file; split it by period"
            )
        kind = log_format(file)
        if kind == "xes":
            from icmap.eventlog.xes import read_xes

            read_xes(table, file, display, number, options)
        else:
            _read_tabular(table, file, display, number, kind=kind, options=options)
    return table


def _files(path: Path) -> list[Path]:
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    if path.is_dir():
        return sorted({found for pattern in PATTERNS for found in path.rglob(pattern)})
    return [path]


def _source(file: Path, kind: str) -> str:
    quoted = "'" + str(file).replace("'", "''") + "'"
    if kind == "csv":
        # Every cell as text; bad lines go to DuckDB's reject tables with their line numbers.
        return (
            f"read_csv({quoted}, header = true, all_varchar = true, store_rejects = true, "
            "null_padding = true)"
        )
    if kind == "jsonl":
        return f"read_json({quoted}, format = 'newline_delimited', records = true)"
    return f"read_parquet({quoted})"


def _read_tabular(
    table: EventTable, file: Path, display: str, number: int, *, kind: str, options: EventLogOptions
) -> None:
    import duckdb

    connection = table.connection
    source = _source(file, kind)
    try:
        types = {
            str(name): str(kind_)
            for name, kind_, *_ in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        }
    except duckdb.Error as error:
        raise UsageError(f"{display}: cannot be read as {kind}: {_first_line(error)}") from None
    columns = choose(list(types), _named(options), display)
    table.files.append((display, columns))
    activity = f"CAST({_quote(columns.activity)} AS VARCHAR)" if columns.activity else "NULL"
    # Lines count from the header (line 1); JSON lines and Parquet rows from 1.
    first = 2 if kind == "csv" else 1
    # A column that is already a time (Parquet, JSON lines DuckDB typed) is taken as it is.
    typed = types[columns.time].startswith(("TIMESTAMP", "DATE"))
    time = _quote(columns.time) if typed else f"CAST({_quote(columns.time)} AS VARCHAR)"
    rows = f"""
        SELECT CAST({_quote(columns.case)} AS VARCHAR) AS case_id,
               {time} AS time_value,
               CAST({_quote(columns.team)} AS VARCHAR) AS team,
               {activity} AS activity,
               row_number() OVER () AS seq,
               NULL AS place
        FROM {source}
    """
    try:
        load_rows(
            table,
            rows,
            display=display,
            number=number,
            line_offset=first - 1,
            options=options,
            typed_time=typed,
        )
    except duckdb.Error as error:
        raise UsageError(f"{display}: cannot be read as {kind}: {_first_line(error)}") from None
    if kind == "csv":
        _rejected_lines(table, display)


def load_rows(
    table: EventTable,
    rows: str,
    *,
    display: str,
    number: int,
    line_offset: int,
    options: EventLogOptions,
    typed_time: bool = False,
) -> None:
    """Add the rows of the query ``rows`` (``case_id, time_value, team, activity, seq,
    place``) to ``events``, with a finding per row left out. ``line = seq + line_offset``; a
    ``place`` (XES: ``trace 12, event 3``) is named in findings instead.

    The rows are read once, straight into ``events`` (a copy of a log in memory costs as much
    as the log): those that cannot be used keep their time's text and place until they are
    reported, then are deleted. ``time_value`` is text unless ``typed_time``.
    """
    connection = table.connection
    parsed = (
        "CAST(time_value AS TIMESTAMPTZ)"
        if typed_time
        else _parsed_time("time_value", options.time_format)
    )
    connection.execute(
        f"""
        INSERT INTO events
        SELECT case_id, ts, team, activity, seq, seq + {line_offset}, {number},
               CASE WHEN ts IS NULL THEN CAST(time_value AS VARCHAR) END,
               CASE WHEN case_id IS NULL OR team IS NULL OR ts IS NULL THEN place END
        FROM (
            SELECT nullif(trim(case_id), '') AS case_id, nullif(trim(team), '') AS team,
                   nullif(trim(activity), '') AS activity, {parsed} AS ts, time_value, seq, place
            FROM ({rows})
        )
        """
    )
    counted = connection.execute(
        f"""
        SELECT count(*),
               count(*) FILTER (WHERE case_id IS NULL),
               count(*) FILTER (WHERE case_id IS NOT NULL AND team IS NULL),
               count(*) FILTER (WHERE case_id IS NOT NULL AND team IS NOT NULL AND ts IS NULL)
        FROM events WHERE file = {number}
        """
    ).fetchone()
    assert counted is not None
    table.rows += int(counted[0])
    conditions = (
        ("case_id IS NULL", "no case", "every event needs the case it belongs to"),
        ("case_id IS NOT NULL AND team IS NULL", "no team", "the event is left out"),
        (
            "case_id IS NOT NULL AND team IS NOT NULL AND ts IS NULL",
            "time {value} is not a timestamp icmap reads",
            "write ISO 8601 (2026-03-31T14:05:00+02:00), or give --time-format",
        ),
    )
    for count, (condition, message, hint) in zip(counted[1:], conditions, strict=True):
        _report(table, display, number, int(count), (condition, message, hint))
    if any(counted[1:]):
        connection.execute(
            f"DELETE FROM events WHERE file = {number} "
            "AND (case_id IS NULL OR team IS NULL OR ts IS NULL)"
        )


def _report(
    table: EventTable, display: str, number: int, count: int, kind: tuple[str, str, str]
) -> None:
    condition, message, hint = kind
    if not count:
        return
    table.skipped += count
    rows = table.connection.execute(
        f"SELECT line, unread_time, place FROM events WHERE file = {number} AND {condition} "
        f"ORDER BY seq LIMIT {SHOWN_PER_KIND}"
    ).fetchall()
    for line, value, place in rows:
        shown = message.format(value=repr(_preview(value or "")))
        where = f" ({place})" if place else ""
        table.diagnostics.append(
            Diagnostic(
                display,
                1 if place else int(line),
                1,
                "IC620",
                f"event left out{where}: {shown}",
                "warning",
                hint,
                "unreadable-event",
            )
        )
    if count > SHOWN_PER_KIND:
        first = 1 if rows[0][2] else int(rows[0][0])
        table.diagnostics.append(
            Diagnostic(
                display,
                first,
                1,
                "IC620",
                f"…and {count - SHOWN_PER_KIND:,} more events left out: "
                + message.format(value="…"),
                "warning",
                None,
                "unreadable-event",
            )
        )


def _rejected_lines(table: EventTable, display: str) -> None:
    """DuckDB's rejected CSV lines (a quote left open, too many cells) as findings."""
    connection = table.connection
    try:
        rows = connection.execute(
            "SELECT line, error_message FROM reject_errors ORDER BY line"
        ).fetchall()
        connection.execute("DELETE FROM reject_errors")
        connection.execute("DELETE FROM reject_scans")
    except Exception:
        return
    table.skipped += len(rows)
    for line, error in rows[:SHOWN_PER_KIND]:
        table.diagnostics.append(
            Diagnostic(
                display,
                int(line or 1),
                1,
                "IC620",
                f"line left out: {_preview(str(error).splitlines()[0] if error else 'unreadable')}",
                "warning",
                None,
                "unreadable-event",
            )
        )


def _parsed_time(column: str, time_format: str | None) -> str:
    """SQL reading ``column`` as a timestamp: ISO 8601 first, then :data:`TIME_FORMATS`."""
    if time_format is not None:
        fmt = "'" + time_format.replace("'", "''") + "'"
        return f"CAST(try_strptime(trim({column}), {fmt}) AS TIMESTAMPTZ)"
    formats = ", ".join("'" + f + "'" for f in TIME_FORMATS)
    return (
        f"coalesce(TRY_CAST(trim({column}) AS TIMESTAMPTZ), "
        f"CAST(try_strptime(trim({column}), [{formats}]) AS TIMESTAMPTZ))"
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
