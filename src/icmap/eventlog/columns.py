"""Which columns of a log hold the case, the time, the team and the activity.

Found by name unless named with ``--case``, ``--time``, ``--team``, ``--activity``: first the
IEEE 1849 (XES) standard names, then the names ticket tools and exports commonly use, in the
order below, compared without case, spaces, ``-`` or ``_``. A named column that is not in the
header is an error with a did-you-mean; so is a role no column fills.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from icmap.errors import UsageError, said_at_once
from icmap.safe_text import clipped

#: The names each role is found under, most specific first.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "case": (
        "case:concept:name",
        "case_id",
        "case",
        "caseid",
        "case_number",
        "ticket",
        "ticket_id",
        "ticket_number",
        "incident",
        "issue",
        "issue_key",
        "number",
    ),
    "time": (
        "time:timestamp",
        "timestamp",
        "time",
        "datetime",
        "date_time",
        "event_time",
        "start_time",
        "created",
        "created_at",
        "updated_at",
        "date",
    ),
    "team": (
        "org:group",
        "org:role",
        "team",
        "group",
        "assignment_group",
        "assigned_group",
        "workgroup",
        "queue",
        "department",
        "org:resource",
    ),
    "activity": ("concept:name", "activity", "activity_name", "event", "action", "status"),
}
ROLES = ("case", "time", "team", "activity")
#: Roles a log cannot do without.
REQUIRED = ("case", "time", "team")
#: The team column that names people, not teams: used only when nothing else is there.
PEOPLE = "org:resource"


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().casefold())


@dataclass(frozen=True)
class EventColumns:
    """The header's names for each role (``activity`` may be absent)."""

    case: str
    time: str
    team: str
    activity: str | None = None

    @property
    def people(self) -> bool:
        """Whether the team column names people (``org:resource``): a hand-off map of people."""
        return _key(self.team) == _key(PEOPLE)


def choose(
    header: list[str], named: dict[str, str | None], where: str, *, options: bool = True
) -> EventColumns:
    """The columns for each role: ``named`` where given (checked against ``header``), else
    found by :data:`CANDIDATES`. An error points at the header (``where:1:1``); it names the
    options ``--case``, ``--time``, … only where the command has them (``options``), else
    ``icmap import events``, which always does.

    >>> choose(["Ticket", "Assignment group", "Created"], {}, "log.csv")
    EventColumns(case='Ticket', time='Created', team='Assignment group', activity=None)
    >>> choose(["case", "when", "team"], {"time": "wen"}, "log.csv")
    Traceback (most recent call last):
    ...
    icmap.errors.UsageError: log.csv:1:1: no column 'wen' for --time; did you mean 'when'?
    """
    by_key = {_key(name): name for name in reversed(header)}  # the first of equal keys wins
    found: dict[str, str | None] = {}
    taken: set[str] = set()
    unknown: list[UsageError] = []
    for role in ROLES:
        wanted = named.get(role)
        if wanted is not None:
            column = header[header.index(wanted)] if wanted in header else by_key.get(_key(wanted))
            if column is None:
                close = difflib.get_close_matches(wanted, header, n=1, cutoff=0.5)
                hint = (
                    f"; did you mean {clipped(close[0])}?"
                    if close
                    else f"; the columns are: {_listed(header)}"
                )
                unknown.append(
                    UsageError(f"{where}:1:1: no column {clipped(wanted)} for --{role}{hint}")
                )
                continue
            found[role] = column
            taken.add(column)
    for role in ROLES:
        if role in found or named.get(role) is not None:
            continue
        found[role] = next(
            (
                by_key[_key(candidate)]
                for candidate in CANDIDATES[role]
                if _key(candidate) in by_key and by_key[_key(candidate)] not in taken
            ),
            None,
        )
        if found[role] is not None:
            taken.add(str(found[role]))
    # A role named by an option that names no column is said above, not as missing.
    missing = [role for role in REQUIRED if found.get(role) is None and named.get(role) is None]
    if missing:
        named_with = ", ".join(f"--{role} COLUMN" for role in missing)
        how = (
            f"name it with {named_with}"
            if options
            else f"name it with {named_with} of 'icmap import events' and read the org it writes"
        )
        roles = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} or {missing[-1]}"
        guesses = _guesses(missing, header, taken)
        unknown.append(
            UsageError(
                f"{where}:1:1: no {roles} column found among {_listed(header)}; {how}"
                + (f" ({guesses})" if guesses else "")
            )
        )
    if unknown:
        raise said_at_once(unknown)
    return EventColumns(
        str(found["case"]), str(found["time"]), str(found["team"]), found["activity"]
    )


def _guesses(missing: list[str], header: list[str], taken: set[str]) -> str:
    """``'teem' may be the team column: --team teem``, for each missing role a column of
    ``header`` is close to one of the names icmap looks for."""
    free = [name for name in header if name not in taken]
    said = []
    for role in missing:
        keys = {_key(candidate): candidate for candidate in CANDIDATES[role]}
        for name in free:
            if difflib.get_close_matches(_key(name), list(keys), n=1, cutoff=0.75):
                said.append(f"{clipped(name)} may be the {role} column: --{role} {name}")
                free.remove(name)
                break
    return "; ".join(said)


def _listed(header: list[str], limit: int = 12) -> str:
    shown = ", ".join(clipped(name) for name in header[:limit])
    return shown if len(header) <= limit else f"{shown} and {len(header) - limit} more"
