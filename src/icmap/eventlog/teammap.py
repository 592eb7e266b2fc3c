"""Which team of the org each team of an event log is: the org's ids and names, then a map.

A log names its teams as its system does (``Service Desk L1``, ``GRP-0042``); the org names
them by id (``service-desk``) and display name. :func:`match_teams` takes each log name to an
org party (a team, customer or supplier):

1. the ``--team-map`` file's entry for it, when it has one (the map wins, so it can correct
   a match); an entry with no team (``-`` or empty) leaves the log team out on purpose;
2. an id or display name written the same;
3. an id or display name equal once case, spaces, ``-`` and ``_`` are ignored
   (``Service Desk`` is ``service-desk``), when only one party is.

The rest are unmatched, each with the org ids closest to it (a did-you-mean). The map file is
a two-column CSV (log name, team id; a first row ``log,team`` is a header) or a YAML mapping
(``"Service Desk L1": service-desk``); see docs/events.md.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from icmap.errors import UsageError, said_at_once

if TYPE_CHECKING:
    from icmap.model import Org

#: Values in a map that leave a log team out on purpose.
LEFT_OUT = ("", "-")
#: The largest map file read.
MAX_MAP_BYTES = 16 * 1024**2
#: The second cell of a header row in a CSV map.
_HEADERS = ("team", "team id", "team_id", "id", "icmap", "org")


@dataclass(frozen=True)
class TeamMap:
    """A ``--team-map`` file: each log name's org id (``None``: left out), where it is written."""

    file: str
    entries: dict[str, str | None] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    #: What is wrong with its lines (each ``file:line:col: message``), said with what is
    #: wrong with its entries once they are held against the org, all at once.
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Matching:
    """Each log name's org id, the names left out by the map, and the unmatched with their
    closest org ids."""

    ids: dict[str, str]
    left_out: tuple[str, ...]
    unmatched: dict[str, tuple[str, ...]]


def read_team_map(path: Path, display: str | None = None) -> TeamMap:
    """The map in ``path``: YAML (``.yaml``, ``.yml``) or CSV (anything else)."""
    shown = display or str(path)
    if not path.exists():
        from icmap.loader.discover import no_such_path

        raise no_such_path(path, f"--team-map {shown}")
    if not path.is_file():
        raise UsageError(f"--team-map {shown}: not a regular file")
    if path.stat().st_size > MAX_MAP_BYTES:
        raise UsageError(f"--team-map {shown}: larger than {MAX_MAP_BYTES:,} bytes")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"--team-map {shown}: cannot be read as UTF-8 text: {error}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return _yaml_map(text, shown)
    return _csv_map(text, shown)


def _yaml_map(text: str, shown: str) -> TeamMap:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark is not None else f"{shown}:1:1"
        said = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise UsageError(f"{where}: --team-map is not valid YAML: {said}") from None
    if root is None:
        return TeamMap(shown)
    if not isinstance(root, yaml.MappingNode):
        raise UsageError(
            f"{shown}:{root.start_mark.line + 1}:{root.start_mark.column + 1}: --team-map "
            "expected a mapping of log team names to team ids "
            '("Service Desk L1": service-desk)'
        )
    result = TeamMap(shown)
    for key, value in root.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            result.problems.append(f"{shown}:{line}:1: each entry maps one log name to one team id")
            continue
        target = None if value.tag.endswith(":null") else value.value
        _add(result, key.value, target, line)
    return result


def _csv_map(text: str, shown: str) -> TeamMap:
    # Comment lines say nothing of the delimiter (and may hold any of them).
    sample = "\n".join(
        line for line in text[:4096].splitlines() if not line.lstrip().startswith("#")
    )
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    result = TeamMap(shown)
    rows = csv.reader(io.StringIO(text), dialect)
    try:
        for row in rows:
            line = rows.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if len(cells) < 2 or any(cells[2:]):
                result.problems.append(
                    f"{shown}:{line}:1: expected two columns, the log's team name and the team id"
                )
                continue
            if not result.entries and line == 1 and cells[1].lower() in _HEADERS:
                continue
            _add(result, cells[0], cells[1], line)
    except csv.Error as error:
        raise UsageError(f"{shown}:{rows.line_num}:1: {error}") from None
    return result


def _add(result: TeamMap, name: str, target: str | None, line: int) -> None:
    name = str(name).strip()
    if not name:
        result.problems.append(f"{result.file}:{line}:1: an entry with no log team name")
        return
    if name in result.entries:
        result.problems.append(
            f"{result.file}:{line}:1: {name!r} is mapped twice (first on line {result.lines[name]})"
        )
        return
    text = None if target is None else str(target).strip()
    result.entries[name] = None if text is None or text in LEFT_OUT else text
    result.lines[name] = line


def squeezed(name: str) -> str:
    """A name with case, spaces, ``-`` and ``_`` ignored.

    >>> squeezed("Service Desk"), squeezed("service-desk"), squeezed(" Field_Ops ")
    ('servicedesk', 'servicedesk', 'fieldops')
    """
    return re.sub(r"[\s_-]+", "", name).casefold()


def match_teams(org: Org, names: list[str], team_map: TeamMap | None = None) -> Matching:
    """Each of the log's team ``names`` matched to an org party (see the module docstring).

    A map entry naming no party of the org is a usage error, with a did-you-mean.

    >>> from icmap.loader import load_text
    >>> org = load_text("customers: {staff: {}}\\nteams:\\n  service-desk: {name: Help}\\n")
    >>> found = match_teams(org, ["Service Desk", "help", "Helpdesk"])
    >>> found.ids, found.unmatched
    ({'Service Desk': 'service-desk', 'help': 'service-desk'}, {'Helpdesk': ('service-desk',)})
    """
    parties = {**org.suppliers, **org.customers, **org.teams}
    exact: dict[str, str] = {}
    loose: dict[str, set[str]] = {}
    for party_id, party in parties.items():
        for written in (party_id, party.name):
            if written:
                exact.setdefault(written, party_id)
                loose.setdefault(squeezed(written), set()).add(party_id)
    if team_map is not None:
        _check_map(team_map, parties, exact)
    ids: dict[str, str] = {}
    left_out: list[str] = []
    unmatched: dict[str, tuple[str, ...]] = {}
    for name in names:
        if team_map is not None and name in team_map.entries:
            target = team_map.entries[name]
            if target is None:
                left_out.append(name)
            else:
                ids[name] = exact[target]
        elif name in exact:
            ids[name] = exact[name]
        elif len(loose.get(squeezed(name), ())) == 1:
            (ids[name],) = loose[squeezed(name)]
        else:
            unmatched[name] = _close(name, loose)
    return Matching(ids, tuple(sorted(left_out)), unmatched)


def _close(name: str, loose: dict[str, set[str]]) -> tuple[str, ...]:
    """The org id whose id or name is closest to ``name`` (all of them when several squeeze
    to the same), for a did-you-mean."""
    key = squeezed(name)
    if key in loose:
        return tuple(sorted(loose[key]))
    # A name of a letter or two is close to many by ratio alone ('A' to 'qa'): not guessed.
    found = difflib.get_close_matches(key, list(loose), n=1, cutoff=0.6 if len(key) > 2 else 0.9)
    return tuple(dict.fromkeys(i for k in found for i in sorted(loose[k])))


def _check_map(team_map: TeamMap, parties: Mapping[str, object], exact: dict[str, str]) -> None:
    problems = list(team_map.problems)
    for name, target in team_map.entries.items():
        if target is None or target in exact:
            continue
        # Ids and display names alike, in any case: 'Alpha team' finds 'Alpha Team'.
        written = {name.casefold(): name for name in exact}
        close = difflib.get_close_matches(target.casefold(), list(written), n=1)
        hint = f"; did you mean {written[close[0]]!r}?" if close else ""
        problems.append(
            f"{team_map.file}:{team_map.lines[name]}:1: {name!r} is mapped to {target!r}, "
            f"which is no team, customer or supplier of the org{hint}"
        )
    if problems:
        problems.sort(key=lambda said: int(said[len(team_map.file) + 1 :].split(":", 1)[0]))
        shown = problems[:10] + ([f"… and {len(problems) - 10} more"] if len(problems) > 10 else [])
        raise said_at_once([UsageError(problem) for problem in shown])
