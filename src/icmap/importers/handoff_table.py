"""A spreadsheet of hand-offs (CSV) as an org: one row per thing a provider hands a receiver.

Columns (headers in any case and order; see docs/import.md): ``provider``, ``receiver``,
``what`` (required), ``lead_time``, ``satisfaction``, ``feedback``, ``mode``, ``state``,
``external``, ``streams``, ``process_time``, ``complete_accurate``, and the provider's ``type``
and ``group``. Providers and receivers are ids or names (an id is derived from a name). A row
whose ``external`` cell says yes makes its receiver an external customer; without an
``external`` column, receivers that provide nothing in the table are the external customers.

A row with a provider and neither a receiver nor a what lists a team without a hand-off (with
its ``type`` and ``group``): it is a team, never an external customer.

A table cannot say which customer a value stream ends at: a stream named in the ``streams``
column is declared with the one external customer its rows hand something to. A stream whose
rows reach no external customer or several, and a row of a stream that does not lead on to its
customer, are reported (IC617) and that stream left off those rows, so the org still loads.

Cells are read as people type them (:mod:`icmap.loader.spreadsheet`); every problem is reported
with ``file:line:col``, the column being the spreadsheet column.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from icmap.importers import ImportResult, hand_off_counts, some
from icmap.importers.build import OrgBuilder, printable, slug
from icmap.loader.reader import InvalidValueError
from icmap.loader.spreadsheet import (
    Cell,
    Row,
    Table,
    parse_decimal,
    parse_duration,
    parse_percentage,
    stream_table,
)
from icmap.model import Duration, Org, RowOrigin, SourcePos, Stream, format_hours
from icmap.topologies import MODES, STATES, TEAM_TYPES, did_you_mean_word, normalise

COLUMNS: dict[str, tuple[str, ...]] = {
    "provider": ("from", "provided_by", "supplier", "source"),
    "receiver": ("to", "received_by", "customer", "internal_customer", "target"),
    "what": ("item", "product", "service", "handoff", "hand_off"),
    "lead_time": ("leadtime", "lead", "wait"),
    "satisfaction": ("score", "csat", "rating"),
    "feedback": ("is_feedback",),
    "mode": ("interaction", "interaction_mode"),
    "state": ("dependency_state", "status"),
    "external": ("external_customer", "is_external", "customer_is_external"),
    "streams": ("stream", "value_stream", "value_streams"),
    "process_time": ("processing_time", "work_time", "touch_time", "pt"),
    "complete_accurate": ("%c&a", "c&a", "pca", "complete_and_accurate"),
    # The provider's: a team's Team Topologies type and the part of the organisation it is in.
    "type": ("team_type", "provider_type"),
    "group": ("team_group", "provider_group", "platform_grouping"),
}
#: What separates the streams listed in one cell.
_STREAM_SEPARATORS = re.compile(r"[,;|\n]")
REQUIRED = ("provider", "receiver", "what")
_YES = {"yes", "y", "true", "1", "x", "ja", "oui", "sí", "si", "✓", "✔"}
_NO = {"no", "n", "false", "0", "nein", "non", ""}


def _tables(folder: Path) -> list[Path]:
    """The CSV files beneath ``folder``, not hidden, never through a link leading out of it."""
    top = os.path.realpath(folder)
    found = []
    for path in sorted(folder.rglob("*")):
        inside = os.path.realpath(path).startswith(top.rstrip(os.sep) + os.sep)
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if inside and not hidden and path.is_file() and path.suffix.lower() in _SUFFIXES:
            found.append(path)
    return found


_SUFFIXES = (".csv", ".tsv", ".txt")


class _Tables:
    def __init__(self) -> None:
        self.builder = OrgBuilder()
        self.files: list[str] = []
        self.names: dict[str, tuple[str, SourcePos]] = {}
        self.external: dict[str, SourcePos] = {}
        #: Receivers whose 'external' cell says no in so many words, and where.
        self.internal: dict[str, SourcePos] = {}
        self.external_column = False
        #: Rows whose hand-off waits for the streams to be settled (see :meth:`add`): every
        #: row from the first one naming a stream on; none in a table without streams.
        self.rows: list[_Row] = []
        #: The rows naming a stream, repeats included: what :meth:`declare_streams` reads.
        self.stream_rows: list[_Row] = []
        #: Each hand-off's key (provider, receiver, what as compared) -> the row first giving
        #: it (the position its relation keeps anyway: no more memory than a line number).
        self.seen: dict[tuple[str, str, str], SourcePos] = {}
        self.providers: set[str] = set()
        #: Each receiver and where a row first hands it something.
        self.receivers: dict[str, SourcePos] = {}
        #: Rows that make a hand-off, repeats included.
        self.kept = 0
        self.count = 0
        #: Each value stream named in a 'streams' cell: its name as first written, and where.
        self.stream_names: dict[str, tuple[str, SourcePos]] = {}
        #: A team's type and group, as the first row giving each said it, and where.
        self.team_fields: dict[str, dict[str, tuple[str, SourcePos]]] = {}
        #: Teams listed in a row of their own (a provider, no receiver, no what), and where.
        self.listed: dict[str, SourcePos] = {}

    def read(self, paths: Sequence[Path]) -> None:
        for path in paths:
            files = _tables(path) if path.is_dir() else [path]
            if not files:
                where = SourcePos(str(path), 1, 1)
                self.builder.error(where, "IC001", "no *.csv, *.tsv or *.txt files in this folder")
            for file in files:
                self.read_file(file, searched=path.is_dir())

    def read_file(self, file: Path, *, searched: bool = False) -> None:
        display = str(file)
        table, rows = stream_table(file, display, COLUMNS, REQUIRED)
        if searched and self.foreign(table):
            return
        self.files.append(display)
        self.external_column = self.external_column or "external" in table.columns
        if all(name in table.columns for name in REQUIRED):
            for row in rows:  # one at a time: a million rows are never all held as cells
                self.count += 1
                self.read_row(display, row)
        self.builder.diagnostics.extend(table.diagnostics)

    def foreign(self, table: Table) -> bool:
        """Whether a file a folder search found is no hand-off table (notes in a ``.txt``):
        skipped with one warning. Named on the command line, it is the user's table, and its
        missing columns are errors."""
        codes = {d.code for d in table.diagnostics}
        if codes != {"IC005"} or any(name in table.columns for name in REQUIRED):
            return False
        self.builder.warn(
            SourcePos(table.file, table.header_line, 1),
            "IC624",
            f"not a hand-off table, skipped: {table.diagnostics[0].message}",
            "a hand-off table has a header with provider, receiver and what; name the file "
            "itself to read it as one",
        )
        return True

    def error(self, display: str, cell: Cell, message: str, hint: str | None = None) -> None:
        self.builder.error(SourcePos(display, cell.line, cell.col), "IC007", message, hint)

    def party(self, display: str, row: Row, column: str) -> str | None:
        cell = row.get(column)
        if cell is None:
            where = row.cells.get(column) or Cell("", row.line, 1)
            self.error(display, where, f"no {column} in this row")
            return None
        name = printable(cell.text)
        # One string per id, however many rows name it: a million rows name 100,000 teams.
        id_ = sys.intern(slug(name))
        if not id_:
            self.error(display, cell, f"{column} {cell.text!r} has no letters or digits")
            return None
        self.names.setdefault(id_, (name, SourcePos(display, cell.line, cell.col)))
        return id_

    def read_row(self, display: str, row: Row) -> None:  # noqa: PLR0912 - one branch a column
        if row.get("receiver") is None and not row.get("what"):
            if row.get("provider") is not None:
                self.read_team_row(display, row)
            else:
                self.no_team(display, row)
            return
        provider = self.party(display, row, "provider")
        if provider is not None:
            self.read_team_cells(display, row, provider)
        receiver = self.party(display, row, "receiver")
        what_cell = row.get("what")
        if what_cell is None:
            self.error(display, row.cells.get("what") or Cell("", row.line, 1), "no what")
        values: dict[str, object] = {}
        cell = row.get("lead_time")
        if cell is not None:
            try:
                values["lead_time"] = parse_duration(cell.text)
            except InvalidValueError as exc:
                self.error(display, cell, exc.message, exc.hint)
        cell = row.get("satisfaction")
        if cell is not None:
            try:
                score = parse_decimal(cell.text)
                if not 1 <= score <= 5:
                    raise InvalidValueError(f"satisfaction {cell.text!r} is not between 1 and 5")
                values["satisfaction"] = score
            except InvalidValueError as exc:
                self.error(display, cell, exc.message, exc.hint)
        self.read_stream_cells(display, row, values)
        for column in ("feedback", "external"):
            cell = row.get(column)
            if cell is None:
                continue
            word = cell.text.strip().lower()
            if word in _YES:
                values[column] = True
            elif word and word in _NO and column == "external":
                values["internal"] = SourcePos(display, cell.line, cell.col)
            elif word not in _NO:
                self.error(display, cell, f"{column} {cell.text!r} is not yes or no")
        self.read_mode_cells(display, row, values)
        if provider is None or receiver is None or what_cell is None:
            return
        where = SourcePos(display, row.line, what_cell.col)
        if provider == receiver:
            self.error(display, what_cell, f"{provider!r} hands {what_cell.text!r} to itself")
            return
        if values.pop("external", False):
            self.external.setdefault(receiver, where)
        said_no = values.pop("internal", None)
        if isinstance(said_no, SourcePos):
            self.internal.setdefault(receiver, said_no)
        self.add((provider, receiver, what_cell.text, where, values))

    def add(self, row: _Row) -> None:
        """A hand-off read from a row: given to the builder at once, so a million rows are
        never all held, unless a stream needs settling first.

        A stream's rows are known only at the end (which customer it reaches), and what is
        left off them must be left off before the hand-off is built; from the first row naming
        a stream on, rows wait, so the builder still sees them in the table's order.
        """
        provider, receiver, _, where, values = row
        self.kept += 1
        self.providers.add(provider)
        self.receivers.setdefault(receiver, where)
        if "streams" in values:
            self.stream_rows.append(row)
        if self.rows or "streams" in values:
            self.rows.append(row)
        else:
            self.hand_off(row)

    def hand_off(self, row: _Row) -> None:
        """Build the hand-off of one row, or say it repeats an earlier one."""
        provider, receiver, what, where, values = row
        key = (provider, receiver, " ".join(what.split()).casefold())
        first = self.seen.get(key)
        if first is not None:
            pending = self.builder.relations.get(key)
            differ = [] if pending is None else _differences(pending.fields, values)
            if differ:
                self.builder.warn(
                    where,
                    "IC610",
                    f"this hand-off repeats the row at {_line(first, where)} but gives "
                    f"{', '.join(differ)}: not read, {_line(first, where)} kept",
                    "give each hand-off one row, or tell them apart in the what column",
                )
            else:
                self.builder.warn(
                    where, "IC610", f"this hand-off repeats the row at {_line(first, where)}"
                )
            return
        # "row N of FILE", made from the position when read: not a string a row.
        why = RowOrigin(where)
        made = self.builder.add_relation(
            provider, receiver, what, where, why, side="provider", **values
        )
        # The builder's key is this one unless the cell held control characters: one key
        # (and one folded text) a hand-off instead of two while a million are read.
        self.seen[made if made == key else key] = where

    def read_mode_cells(self, display: str, row: Row, values: dict[str, object]) -> None:
        for column, allowed in (("mode", MODES), ("state", STATES)):
            cell = row.get(column)
            if cell is not None:
                found = normalise(cell.text, allowed)
                if found is None:
                    self.error(
                        display,
                        cell,
                        f"{column} {cell.text!r} is not one of {', '.join(allowed)}",
                        did_you_mean_word(cell.text, allowed),
                    )
                values[column] = found

    def no_team(self, display: str, row: Row) -> None:
        """One error for a row with cells but no provider, receiver or what."""
        said = [
            f"{column} {cell.text.strip()!r}"
            for column, cell in row.cells.items()
            if cell.text.strip() and column in COLUMNS
        ]
        self.error(
            display,
            row.cells.get("provider") or Cell("", row.line, 1),
            "this row names no team: its provider, receiver and what are empty"
            + (f" (it gives {', '.join(said)})" if said else ""),
            "to list a team, write its name in the provider column (type and group describe "
            "it); a hand-off needs a provider, a receiver and a what",
        )

    def read_team_row(self, display: str, row: Row) -> None:
        """A row listing a team without a hand-off: its provider, type and group."""
        team = self.party(display, row, "provider")
        if team is None:
            return
        cell = row.get("provider")
        assert cell is not None
        self.listed.setdefault(team, SourcePos(display, cell.line, cell.col))
        self.read_team_cells(display, row, team)
        for column in ("lead_time", "satisfaction", "mode", "state", "streams", "external"):
            found = row.get(column)
            if found is not None:
                self.builder.warn(
                    SourcePos(display, found.line, found.col),
                    "IC007",
                    f"{column} {found.text!r} in a row without a receiver: ignored",
                    "a row with a provider only lists a team; give it a receiver and a what to "
                    "make it a hand-off",
                )

    def read_team_cells(self, display: str, row: Row, team: str) -> None:
        """The provider's ``type`` and ``group``; the first row to give each one wins."""
        for column in ("type", "group"):
            cell = row.get(column)
            if cell is None:
                continue
            value = printable(cell.text)
            if column == "type":
                found = normalise(value, TEAM_TYPES)
                if found is None:
                    self.error(
                        display,
                        cell,
                        f"type {cell.text!r} is not one of {', '.join(TEAM_TYPES)}",
                        did_you_mean_word(cell.text, TEAM_TYPES),
                    )
                    continue
                value = found
            if not value:
                continue
            where = SourcePos(display, cell.line, cell.col)
            said = self.team_fields.setdefault(team, {})
            if column not in said:
                said[column] = (value, where)
            elif said[column][0] != value:
                first, at = said[column]
                self.builder.warn(
                    where,
                    "IC618",
                    f"{column} {value!r} for {self.names[team][0]!r}: {_row(at, where)} "
                    f"says {first!r}; kept the first",
                    f"a team has one {column}: give it the same one in every row",
                )

    def read_stream_cells(self, display: str, row: Row, values: dict[str, object]) -> None:
        """The ``streams``, ``process_time`` and ``complete_accurate`` cells of one row."""
        cell = row.get("streams")
        if cell is not None:
            ids = []
            for part in _STREAM_SEPARATORS.split(cell.text):
                name = printable(part)
                if not name:
                    continue
                id_ = slug(name)
                if not id_:
                    self.error(display, cell, f"stream {name!r} has no letters or digits")
                    continue
                self.stream_names.setdefault(id_, (name, SourcePos(display, cell.line, cell.col)))
                ids.append(id_)
            if ids:
                values["streams"] = tuple(dict.fromkeys(ids))
        cell = row.get("process_time")
        if cell is not None:
            try:
                values["process_time"] = parse_duration(cell.text, "process_time")
            except InvalidValueError as exc:
                self.error(display, cell, exc.message, exc.hint)
        process, lead = values.get("process_time"), values.get("lead_time")
        if (
            isinstance(process, Duration)
            and isinstance(lead, Duration)
            and cell is not None
            and process.hours > lead.hours
        ):
            self.error(
                display,
                cell,
                f"process_time {cell.text.strip()!r} is longer than the lead_time",
                "the process time is the hands-on work inside the lead time",
            )
        cell = row.get("complete_accurate")
        if cell is not None:
            try:
                values["complete_accurate"] = parse_percentage(cell.text)
            except InvalidValueError as exc:
                self.error(display, cell, exc.message, exc.hint)

    def declare_streams(self, customers: dict[str, SourcePos]) -> None:
        """Declare each stream named in the table with the customer its rows reach; leave a
        stream off the rows where the org could not load with it (see the module docstring)."""
        for stream_id, (name, pos) in sorted(self.stream_names.items()):
            rows = [row for row in self.stream_rows if stream_id in _streams(row[4])]
            # A feedback row cannot be in a stream (IC108): it reaches the customer for none.
            reached = sorted(
                {row[1] for row in rows if row[1] in customers and not row[4].get("feedback")}
            )
            label = repr(stream_id) if name == stream_id else f"{name!r} ({stream_id})"
            if len(reached) != 1:
                said = "no external customer" if not reached else ", ".join(reached)
                if not reached and any(row[1] in customers for row in rows):
                    said += " but by feedback, which is no part of a stream"
                self.builder.warn(
                    pos,
                    "IC617",
                    f"stream {label} reaches {said}: a stream ends at one external customer; "
                    "left off its rows",
                    "name it on a row whose receiver is its customer"
                    if not reached
                    else "give each customer its own stream (e.g. "
                    + ", ".join(f"{stream_id}-{c}" for c in reached[:2])
                    + ")",
                )
                for row in rows:
                    _drop_stream(row[4], stream_id)
                continue
            customer = reached[0]
            into: dict[str, set[str]] = {}
            for provider, receiver, _, _, values in rows:
                if not values.get("feedback"):
                    into.setdefault(receiver, set()).add(provider)
            leads_on, stack = {customer}, [customer]
            while stack:
                for provider in into.get(stack.pop(), ()):
                    if provider not in leads_on:
                        leads_on.add(provider)
                        stack.append(provider)
            for provider, receiver, what, where, values in rows:
                if values.get("feedback") or receiver not in leads_on:
                    why = (
                        "is feedback"
                        if values.get("feedback")
                        else f"leads nowhere on to {customer} in the stream"
                    )
                    self.builder.warn(
                        where,
                        "IC617",
                        f"{provider} → {receiver} ({what!r}) {why}: left out of stream {label}",
                        f"a feedback hand-off is in no stream: drop {stream_id} from this row"
                        if values.get("feedback")
                        else f"name {stream_id} on what {receiver} hands on, or drop it from "
                        "this row",
                    )
                    _drop_stream(values, stream_id)
            self.builder.streams[stream_id] = Stream(
                stream_id, pos, customer, "" if name == stream_id else name
            )

    def finish(self) -> ImportResult:
        builder = self.builder
        providers = self.providers
        if self.external_column:
            customers = dict(self.external)
            self.chosen = [
                "the receivers marked in the 'external' column are the external customers: "
                + some(sorted(customers))
            ]
        else:
            customers = {
                r: pos
                for r, pos in self.receivers.items()
                if r not in providers and r not in self.listed
            }
            self.chosen = [
                "no 'external' column: receivers that provide nothing in the table are the "
                "external customers: " + some(sorted(customers))
            ]
            self.misspelt_teams(customers, providers)
        self.check_customers(customers, providers)
        self.declare_streams(customers)
        for row in self.rows:
            self.hand_off(row)
        self.rows, self.stream_rows, self.seen = [], [], {}
        for id_, (name, pos) in sorted(self.names.items()):
            if id_ in customers:
                builder.add_customer(id_, pos, "" if name == id_ else name, None)
            else:
                said = self.team_fields.get(id_, {})
                builder.add_team(
                    id_,
                    pos,
                    name,
                    group=said["group"][0] if "group" in said else None,
                    team_type=said["type"][0] if "type" in said else None,
                )
        first = SourcePos(self.files[0] if self.files else "<csv>", 1, 1)
        if not self.kept and not any(d.severity == "error" for d in builder.diagnostics):
            builder.error(first, "IC614", "no hand-offs: the table has no rows to import")
        elif self.kept and not customers and self.external_column:
            builder.error(
                first,
                "IC614",
                "no external customers: no row's 'external' cell says yes",
                "write yes in the 'external' cell of the rows whose receiver is external",
            )
        elif self.kept and not customers:
            self.no_customers(first, providers)
        org = builder.finish(None, tuple(self.files))
        errors = any(d.severity == "error" for d in builder.diagnostics)
        idle = sorted(set(org.teams) - _involved(org))
        counts = {
            "files read": len(self.files),
            "rows read": self.count,
            "teams": len(org.teams),
            **hand_off_counts(org),
            "relations inside one team": 0,
            "teams without hand-offs": len(idle),
        }
        return ImportResult(
            "csv",
            None if errors else org,
            sorted(builder.diagnostics),
            builder.why,
            counts,
            self.chosen,
            teams_without_hand_offs=idle,
        )

    def no_customers(self, first: SourcePos, providers: set[str]) -> None:
        """Why no receiver is an external customer (without an 'external' column)."""
        listed = sorted(r for r in self.receivers if r not in providers and r in self.listed)
        if listed:
            names = some([repr(self.names[r][0]) for r in listed])
            self.builder.error(
                self.listed[listed[0]],
                "IC614",
                "no external customers: no row names one; "
                + (
                    f"{names}, the one receiver that provides nothing, is listed as a team in a "
                    "row of its own"
                    if len(listed) == 1
                    else f"{names}, the receivers that provide nothing, are listed as teams in "
                    "rows of their own"
                )
                + " (a team is never an external customer)",
                "drop that row if it is a customer, or add an 'external' column and mark the "
                "rows whose receiver is external",
            )
        else:
            self.builder.error(
                first,
                "IC614",
                "no external customers: every receiver also provides",
                "add an 'external' column and mark the rows whose receiver is external",
            )

    def misspelt_teams(self, customers: dict[str, SourcePos], providers: set[str]) -> None:
        """IC619 for a customer (a receiver that provides nothing) named almost as a team is:
        ``Kitchn`` in one row, ``Kitchen`` in the others. Each guess compares a name with every
        team's, so only the first :data:`MAX_GUESSES` customers get one, among up to
        :data:`MAX_GUESS_AMONG` teams."""
        import difflib

        if len(providers) > MAX_GUESS_AMONG:
            return
        teams = sorted(providers)
        for customer in sorted(customers)[:MAX_GUESSES]:
            close = difflib.get_close_matches(customer, teams, 1, 0.8)
            if close:
                (name, where), team = self.names[customer], self.names[close[0]][0]
                self.builder.warn(
                    where,  # the first cell naming it
                    "IC619",
                    f"{name!r} provides nothing in the table, so it is read as an external "
                    f"customer, but it is named almost as the team {team!r}",
                    f"did you mean {team!r}? (or mark the customers in an 'external' column)",
                )

    def check_customers(self, customers: dict[str, SourcePos], providers: set[str]) -> None:
        for customer, pos in customers.items():
            if customer in self.listed:
                self.builder.error(
                    self.listed[customer],
                    "IC007",
                    f"{self.names[customer][0]!r} is listed as a team but marked external in "
                    f"{_row(pos, self.listed[customer])}",
                    "external customers are not teams: clear its 'external' cells or its row",
                )
            if customer in self.internal:
                self.builder.warn(
                    self.internal[customer],
                    "IC007",
                    f"{self.names[customer][0]!r} is not external here but is marked external "
                    f"in {_row(pos, self.internal[customer])}: read as an external customer",
                    "say yes in every row, or leave the cell empty",
                )
            if customer in providers:
                self.builder.error(
                    pos,
                    "IC007",
                    f"{self.names[customer][0]!r} is marked external but provides in another row",
                    "external customers only receive; clear its 'external' cells",
                )

    chosen: list[str]


#: Customers that get a did-you-mean (IC619), and the most teams one is looked for among.
MAX_GUESSES = 50
MAX_GUESS_AMONG = 10_000

#: A hand-off as a row gives it: provider, receiver, what, where, and the other cells' values.
_Row = tuple[str, str, str, SourcePos, dict[str, object]]


def read_handoff_tables(paths: Sequence[Path]) -> ImportResult:
    """Read CSV files of hand-offs into an org (see the module docstring)."""
    tables = _Tables()
    tables.read(paths)
    return tables.finish()


def _line(row: SourcePos, here: SourcePos) -> str:
    """Where ``row`` is, seen from ``here``: its line in the same file, else its file too
    (``line 2``, ``one.csv:2``): a line number alone would point into the wrong file."""
    return f"line {row.line}" if row.file == here.file else f"{row.file}:{row.line}"


def _row(row: SourcePos, here: SourcePos) -> str:
    """``row 2``, or ``the row at one.csv:2`` in another file than ``here``."""
    return f"row {row.line}" if row.file == here.file else f"the row at {row.file}:{row.line}"


def _involved(org: Org) -> set[str]:
    """The ids at either end of some relation."""
    return {r.provider for r in org.relations} | {r.receiver for r in org.relations}


def _streams(values: dict[str, object]) -> tuple[str, ...]:
    found = values.get("streams")
    return found if isinstance(found, tuple) else ()


def _drop_stream(values: dict[str, object], stream_id: str) -> None:
    kept = tuple(s for s in _streams(values) if s != stream_id)
    if kept:
        values["streams"] = kept
    else:
        values.pop("streams", None)


def _differences(kept: dict[str, object], row: dict[str, object]) -> list[str]:
    """What a repeated row gives otherwise than the row kept: ``lead_time 3h (not 1h)``,
    ``satisfaction 4 (not none)``. A duration is compared by its length (``60m`` = ``1h``).
    """
    found = []
    for name, value in row.items():
        was = kept.get(name)
        if value is None or value == ():
            continue
        same = (
            value.hours == was.hours
            if isinstance(value, Duration) and isinstance(was, Duration)
            else value == was
        )
        if not same:
            # A yes/no cell left empty is a no.
            before = False if was is None and isinstance(value, bool) else was
            found.append(f"{name} {_shown(value)} (not {_shown(before)})")
    return found


def _shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Duration):
        return value.text or format_hours(value.hours)
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
