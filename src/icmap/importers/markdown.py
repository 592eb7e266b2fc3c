"""Team Topologies teams written in Markdown as an org.

Two shapes, often in one file (see docs/import.md#markdown-team-topologies-teams):

- **Front matter** (YAML between ``---`` lines at the top), in the layout of the open-source
  Team Topologies visualizer: ``team_id``, ``name``, ``team_type``, ``value_stream``,
  ``platform_grouping``, ``dependencies`` (a list of teams), ``interactions`` (``team_id`` or
  ``team``, ``interaction_mode``, ``purpose``) and ``flow_metrics.lead_time_days`` (at the top
  or under ``metadata``).
- **Team API pages** written from the Team Topologies template: a "Team name and focus" and a
  "Team type" (a ``Label: value`` line or a heading with a paragraph under it), a ``Date:``,
  and the tables under "Teams we currently interact with" (team, interaction mode, purpose,
  duration). Rows under "Teams we expect to interact with soon" are counted, not imported.

Every team another team's file names is matched by id or by name; each relation's direction
comes from the purposes' wording and the team types (the module's :func:`_reading`); a pair
of teams whose files name each other is read from both pages together. Positions are those of the
front matter's keys and values and of the tables' rows and cells.
"""

from __future__ import annotations

import calendar
import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from icmap.importers import ImportResult, Provenance, hand_off_counts, some
from icmap.importers.build import OrgBuilder, printable, slug
from icmap.importers.nodes import entries, get, items, position, shape, tag_problems, text
from icmap.loader.source import parse_text, read_text
from icmap.model import Duration, SourcePos, Stream
from icmap.topologies import MODES, TEAM_TYPES, did_you_mean_word, normalise

if TYPE_CHECKING:
    from markdown_it.token import Token

    from icmap.loader.compose import Node

_SUFFIXES = (".md", ".markdown")
_OPEN = re.compile(r"^---[ \t]*\r?$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$")
#: An id as a visualizer file gives it, kept as written: letters, digits, ``_ . -``.
_ID = re.compile(r"^[^\W_][\w.-]*$")
_PROVIDING_TYPES = ("platform", "enabling", "complicated-subsystem")
_MODE_ALIASES = {"enabling": "facilitating", "faciliating": "facilitating"}
#: What the visualizer writes for a team whose type is not decided yet.
_NO_TYPE = {"undefined", "other", "unknown", "tbd", "none", ""}
_ONGOING = {
    "ongoing",
    "permanent",
    "indefinite",
    "continuous",
    "occasional",
    "occasionally",
    "as needed",
    "ad hoc",
    "ad-hoc",
    "recurring",
    "n/a",
    "na",
    "-",
    "\u2013",
    "\u2014",
    ".",
}
#: What separates a team's name from its focus: a dash between spaces, or a colon.
_DASH = re.compile("\\s[-\u2013\u2014]\\s|:\\s")
_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)\s*(day|week|month|year|d|w|m|y)s?\b", re.IGNORECASE)
#: A purpose that says the file's team provides, or that it uses what the other team provides.
_SAYS_PROVIDES = re.compile(r"^(?:we\s+)?(?:provides?|offers?|supplies|supply|delivers?)\b", re.I)
_SAYS_USES = re.compile(r"^(?:we\s+)?(?:uses?|consumes?|depends?\s+on|relies?\s+on|needs?)\b", re.I)
#: Whose things a purpose names: the file's team's (it provides) or the team it names.
_OUR = re.compile(r"\b(?:our|ours)\b", re.I)
_THEIR = re.compile(r"\b(?:their|theirs)\b", re.I)
_CURRENT = "teams we currently interact with"
_SOON = "teams we expect to interact with soon"
#: A Team API page's labels (a ``Label: value`` line, or a heading over a paragraph).
_LABELS = {"team name and focus": "focus", "team type": "type", "date": "date"}


#: The front matter's keys icmap reads, at each level: an unknown key close to one of them is a
#: misspelling (``team_typ``), any other a team's own and left alone.
_FRONT_KEYS = (
    "team_id",
    "name",
    "team_type",
    "value_stream",
    "platform_grouping",
    "metadata",
    "flow_metrics",
    "dependencies",
    "interactions",
)
_METADATA_KEYS = ("flow_metrics",)
_INTERACTION_KEYS = ("team_id", "team_name", "interaction_mode", "purpose", "description")


def _key(name: str) -> str:
    """How team names and ids are compared: ``Payments Team`` = ``payments-team``."""
    return re.sub(r"[\W_]+", "", name.casefold())


@dataclass
class _Link:
    """What one team's file says about another team."""

    declarer: str
    other_name: str
    other_pos: SourcePos
    what: str | None = None
    mode: str | None = None
    until: date | None = None
    why: list[tuple[str, SourcePos]] = field(default_factory=list)
    #: Where the mode was read.
    mode_pos: SourcePos | None = None
    #: The id of the team named, once teams are matched.
    other: str = ""


@dataclass
class _Team:
    id: str
    name: str
    pos: SourcePos
    type: str | None = None
    group: str | None = None
    stream: tuple[str, SourcePos] | None = None
    focus: str | None = None
    lead_time: Duration | None = None


class _Reader:
    def __init__(self) -> None:
        self.builder = OrgBuilder()
        self.files: list[str] = []
        self.teams: dict[str, _Team] = {}
        self.links: dict[tuple[str, str], _Link] = {}
        self.planned = 0
        self.rows = 0
        self.pages = 0
        import markdown_it

        self.markdown = markdown_it.MarkdownIt("commonmark").enable("table")

    def read(self, paths: Sequence[Path]) -> None:
        for path in paths:
            files = _pages(path) if path.is_dir() else [path]
            if not files:
                where = SourcePos(str(path), 1, 1)
                self.builder.error(where, "IC001", "no *.md or *.markdown files in this folder")
            for file in files:
                self.read_file(file)

    # -- one file ----------------------------------------------------------------------------

    def read_file(self, file: Path) -> None:
        display = str(file)
        self.files.append(display)
        content, problem = read_text(file, display)
        if content is None:
            if problem is not None:
                self.builder.diagnostics.append(problem)
            return
        lines = content.split("\n")
        front: Node | None = None
        body_from = 0
        if lines and _OPEN.match(lines[0]):
            end = next((i for i in range(1, len(lines)) if _CLOSE.match(lines[i])), None)
            if end is None:
                self.builder.error(
                    SourcePos(display, 1, 1),
                    "IC002",
                    "front matter opened with --- is never closed",
                    "end it with a line of ---",
                )
                return
            # Blank lines before the YAML keep its positions those of the file.
            parsed = parse_text("\n" * 1 + "\n".join(lines[1:end]), display)
            if parsed.diagnostics:
                self.builder.diagnostics.extend(parsed.diagnostics)
                return
            front = parsed.root
            self.builder.diagnostics.extend(tag_problems(front, display))
            self.builder.diagnostics.extend(parsed.duplicate_keys)
            body_from = end + 1
        body = "\n" * body_from + "\n".join(lines[body_from:])
        tokens = self.markdown.parse(body)
        labels = _labelled(tokens, display)
        fields = entries(front)
        if front is not None and fields is None and text(front) is not None:
            self.builder.warn(
                position(display, front),
                "IC608",
                f"the front matter must be a mapping, found {shape(front)}",
            )
        has_team = fields is not None and ("team_id" in fields or "name" in fields)
        has_api = any(label in labels for label in ("focus", "type")) or _heading_line(
            tokens, _CURRENT
        )
        if not has_team and not has_api:
            self.builder.warn(
                SourcePos(display, 1, 1),
                "IC650",
                "not a team page: no front matter with team_id or name, no Team API "
                '("Team name and focus", "Teams we currently interact with"): skipped',
                "a README or notes beside the team files can stay: they are skipped",
            )
            return
        if has_team:
            self.builder.misspelt_keys(fields, _FRONT_KEYS, display)
            self.builder.misspelt_keys(entries(get(fields, "metadata")), _METADATA_KEYS, display)
        team = self.read_team(display, fields if has_team else None, labels, file)
        self.pages += 1
        if fields is not None and has_team:
            self.read_front_links(display, team, fields)
        self.read_tables(display, team, tokens, body.split("\n"), labels)

    def read_team(
        self,
        display: str,
        fields: dict[str, tuple[Node, Node]] | None,
        labels: dict[str, tuple[str, SourcePos]],
        file: Path,
    ) -> _Team:
        id_node, name_node = get(fields, "team_id"), get(fields, "name")
        focus = labels.get("focus")
        name = text(name_node)
        pos = position(display, name_node) if name_node is not None else SourcePos(display, 1, 1)
        if name is None and focus is not None:
            name, pos = _before_dash(focus[0]), focus[1]
        name = printable(name or file.stem)
        raw_id = text(id_node)
        if raw_id is not None and id_node is not None:
            pos = position(display, id_node)
            id_ = printable(raw_id)
            if not _ID.match(id_):
                id_ = slug(id_) or "team"
                self.builder.warn(
                    pos,
                    "IC613",
                    f"team_id {raw_id!r} is not an id (letters, digits, _ . -): read as {id_!r}",
                )
        else:
            id_ = slug(name) or "team"
        first = self.teams.get(id_)
        if first is not None:
            self.builder.warn(
                pos,
                "IC611",
                f"team {name!r} makes the id {id_!r}, as {first.name!r} at {first.pos} does: "
                "read as the same team",
                "give each team one file and a distinct team_id",
            )
            team = first
        else:
            team = self.teams[id_] = _Team(id_, name, pos)
        if focus is not None and team.focus is None:
            team.focus = _after_dash(focus[0])
        type_node = get(fields, "team_type")
        type_text = text(type_node)
        said_type = (
            (type_text, position(display, type_node))
            if type_node is not None and type_text is not None
            else labels.get("type")
        )
        if said_type is not None and team.type is None:
            written, where = said_type
            found = normalise(written, TEAM_TYPES)
            if found is None and written.strip().lower() not in _NO_TYPE:
                self.builder.warn(
                    where,
                    "IC613",
                    f"team type {written!r} is not one of {', '.join(TEAM_TYPES)}",
                    did_you_mean_word(written, TEAM_TYPES),
                )
            team.type = found
        if fields is not None:
            self.read_team_fields(display, team, fields)
        return team

    def read_team_fields(
        self, display: str, team: _Team, fields: dict[str, tuple[Node, Node]]
    ) -> None:
        group = text(get(fields, "platform_grouping"))
        stream_node = get(fields, "value_stream")
        stream = text(stream_node)
        if stream and stream_node is not None and team.stream is None:
            team.stream = (printable(stream), position(display, stream_node))
        team.group = (
            team.group
            or (printable(group) if group else None)
            or (printable(stream) if stream else None)
        )
        metrics = get(fields, "flow_metrics") or get(
            entries(get(fields, "metadata")), "flow_metrics"
        )
        self.builder.misspelt_keys(entries(metrics), ("lead_time_days",), display)
        days_node = get(entries(metrics), "lead_time_days")
        days = text(days_node)
        if days_node is None or days is None:
            return
        try:
            amount = float(days)
        except ValueError:
            amount = -1.0
        if not 0 <= amount <= 1_000_000:
            self.builder.warn(
                position(display, days_node),
                "IC613",
                f"lead_time_days {days!r} is not a number of days: no lead time read",
            )
            return
        team.lead_time = team.lead_time or Duration.of(amount, "d")

    def read_front_links(
        self, display: str, team: _Team, fields: dict[str, tuple[Node, Node]]
    ) -> None:
        for item in items(get(fields, "dependencies")):
            name, node = text(item), item
            found = entries(item)
            if found is not None:
                name_node = _first(found, "team_id", "team", "name")
                name, node = text(name_node), name_node or item
            if name is None:
                self.builder.warn(
                    position(display, node),
                    "IC604",
                    f"a dependency that names no team ({shape(node)}): skipped",
                )
                continue
            link = self.link(team, name, position(display, node))
            if link is not None:
                link.why.append((f"dependency on {name!r}", position(display, node)))
        for node in items(get(fields, "interactions")):
            at = position(display, node)
            found = entries(node)
            if found is None:
                self.builder.warn(
                    at, "IC608", f"each interaction must be a mapping, found {shape(node)}"
                )
                continue
            self.builder.misspelt_keys(found, _INTERACTION_KEYS, display)
            name_node = _first(found, "team_id", "team", "team_name", "name")
            name = text(name_node)
            if name is None or name_node is None:
                self.builder.warn(at, "IC604", "an interaction without team_id (or team): skipped")
                continue
            where = position(display, name_node)
            link = self.link(team, name, where)
            if link is None:
                continue
            mode_node = _first(found, "interaction_mode", "mode")
            mode = text(mode_node)
            link.why.append(
                (f"interaction with {name!r}" + (f" (mode {mode})" if mode else ""), where)
            )
            if mode is not None and mode_node is not None:
                self.set_mode(link, mode, position(display, mode_node))
            purpose = text(_first(found, "purpose", "description"))
            link.what = link.what or (printable(purpose) if purpose else None)

    def read_tables(
        self,
        display: str,
        team: _Team,
        tokens: list[Token],
        lines: list[str],
        labels: dict[str, tuple[str, SourcePos]],
    ) -> None:
        heading = ""
        page_date = self.page_date(labels)
        for i, token in enumerate(tokens):
            if token.type == "heading_open":
                heading = _plain(tokens[i + 1]).strip().casefold().rstrip(":")
            elif token.type == "table_open" and heading in (_CURRENT, _SOON):
                rows = _table_rows(tokens, i, lines)
                if not rows:
                    continue
                header, *body = rows
                columns = _columns([cell for cell, _ in header[1]])
                if "team" not in columns:
                    self.builder.warn(
                        SourcePos(display, header[0] + 1, 1),
                        "IC608",
                        "a table of interactions without a team column: skipped",
                        'its first column\'s header names the team ("Team name/focus")',
                    )
                    continue
                for line, cells in body:
                    self.read_row(
                        display, team, line, cells, columns, heading=heading, page_date=page_date
                    )

    def read_row(
        self,
        display: str,
        team: _Team,
        line: int,
        cells: list[tuple[str, int]],
        columns: dict[str, int],
        *,
        heading: str,
        page_date: date | None,
    ) -> None:
        def cell(name: str) -> tuple[str, SourcePos] | None:
            index = columns.get(name)
            if index is None or index >= len(cells) or not cells[index][0].strip():
                return None
            return cells[index][0].strip(), SourcePos(display, line + 1, cells[index][1])

        named = cell("team")
        if named is None or named[0] in _ONGOING:
            return  # the template's empty rows
        if heading == _SOON:
            self.planned += 1
            return
        self.rows += 1
        name, where = _before_dash(named[0]), named[1]
        link = self.link(team, name, where)
        if link is None:
            return
        mode = cell("mode")
        link.why.append(
            (
                f"row of {_CURRENT!r}: {name!r}" + (f" (mode {mode[0]})" if mode else ""),
                SourcePos(display, line + 1, 1),
            )
        )
        if mode is not None:
            self.set_mode(link, *mode)
        purpose = cell("purpose")
        link.what = link.what or (printable(purpose[0]) if purpose else None)
        duration = cell("duration")
        if duration is not None and link.until is None:
            link.until = self.until(duration[0], duration[1], page_date)

    # -- values ------------------------------------------------------------------------------

    def link(self, team: _Team, name: str, where: SourcePos) -> _Link | None:
        name = printable(name)
        if _key(name) in (_key(team.id), _key(team.name)):
            self.builder.warn(where, "IC613", f"{team.name!r} names itself as a team it works with")
            return None
        link = self.links.setdefault((team.id, _key(name)), _Link(team.id, name, where))
        if _before(where, link.other_pos):
            # Dependencies are read before interactions and tables, wherever they stand.
            link.other_name, link.other_pos = name, where
        return link

    def set_mode(self, link: _Link, written: str, where: SourcePos) -> None:
        mode = normalise(_MODE_ALIASES.get(written.strip().lower(), written), MODES)
        if mode is None:
            close = difflib.get_close_matches(written.strip().lower(), MODES, n=1, cutoff=0.7)
            self.builder.warn(
                where,
                "IC613",
                f"interaction mode {written!r} is not one of {', '.join(MODES)}"
                + (f"; did you mean {close[0]!r}?" if close else ""),
            )
        elif link.mode is None:
            link.mode, link.mode_pos = mode, where
        elif mode != link.mode:
            self.builder.warn(
                where,
                "IC610",
                f"a second interaction with {link.other_name!r} gives the mode {mode}: kept "
                f"the first ({link.mode})",
                "icmap keeps one relation per pair of teams: describe the current interaction",
            )

    def page_date(self, labels: dict[str, tuple[str, SourcePos]]) -> date | None:
        said = labels.get("date")
        if said is None or not said[0].strip():
            return None
        try:
            return date.fromisoformat(said[0].strip()[:10])
        except ValueError:
            self.builder.warn(said[1], "IC613", f"Date {said[0]!r} is not YYYY-MM-DD: not read")
            return None

    def until(self, written: str, where: SourcePos, page_date: date | None) -> date | None:
        """The end of an interaction from its Duration cell: a date, or a length from the
        page's Date; ``Ongoing`` gives none, and anything else is reported."""
        word = written.strip()
        if word.casefold() in _ONGOING:
            return None
        if re.match(r"^\d{4}-\d\d-\d\d$", word):
            try:
                return date.fromisoformat(word)
            except ValueError:
                self.builder.warn(where, "IC613", f"{word!r} is not a date (write YYYY-MM-DD)")
                return None
        length = _LENGTH.match(word)
        if length is None or page_date is None:
            self.builder.warn(
                where,
                "IC613",
                f"Duration {word!r} is not a date (YYYY-MM-DD), a length (8 weeks) or Ongoing: "
                "no end date read"
                if length is None
                else f"Duration {word!r} counts from the page's Date, and no Date was read on "
                "this page: no end date read",
                None if length is None else "add a line 'Date: YYYY-MM-DD' to the page",
            )
            return None
        count, unit = float(length[1]), length[2].lower()[0]
        if unit in "dw":
            return page_date + timedelta(days=round(count * (7 if unit == "w" else 1)))
        months = round(count * (12 if unit == "y" else 1))
        year, month = divmod(page_date.month - 1 + months, 12)
        year += page_date.year
        day = min(page_date.day, calendar.monthrange(year, month + 1)[1])
        return date(year, month + 1, day)

    # -- the org -----------------------------------------------------------------------------

    def finish(self) -> ImportResult:
        builder = self.builder
        by_key: dict[str, str] = {}
        for team in self.teams.values():
            by_key.setdefault(_key(team.name), team.id)
        for team in self.teams.values():
            by_key[_key(team.id)] = team.id  # an id wins over another team's name
        first_named: dict[str, tuple[str, SourcePos]] = {}
        for link in self.links.values():
            other = by_key.get(_key(link.other_name))
            if other is None:
                named = first_named.get(_key(link.other_name))
                if named is None or _before(link.other_pos, named[1]):
                    first_named[_key(link.other_name)] = (link.other_name, link.other_pos)
        defined = sorted({t.name for t in self.teams.values()} | set(self.teams))
        for key, (name, pos) in first_named.items():
            id_ = slug(name) or "team"
            while id_ in self.teams:
                id_ += "-2"
            close = difflib.get_close_matches(name, defined, 1, 0.8)
            builder.warn(
                pos,
                "IC612",
                f"team {name!r} is named here but no file here defines it: added as a team",
                f"did you mean {close[0]!r}?"
                if close
                else "give icmap its file too, or name it by its team_id",
            )
            self.teams[id_] = _Team(id_, name, pos)
            by_key[key] = id_
        for team in sorted(self.teams.values(), key=lambda t: t.id):
            builder.add_team(
                team.id,
                team.pos,
                team.name,
                description=team.focus,
                group=team.group,
                team_type=team.type,
            )
        pairs = self.pairs(by_key)
        customer = self.add_customers(pairs)
        streams = self.streams(pairs, customer)
        for (provider, receiver), (link, more) in pairs.items():
            lead_time = self.teams[provider].lead_time if provider in self.teams else None
            what = link.what or (
                "Work for the external customer"
                if receiver == customer
                else f"{self.teams[provider].name}'s work"
            )
            (why, where), *rest = link.why
            added = builder.add_relation(
                provider,
                receiver,
                what,
                where,
                why,
                side="receiver" if receiver == link.declarer else "provider",
                mode=link.mode,
                until=link.until,
                lead_time=lead_time,
                streams=streams.get((provider, receiver)) or None,
            )
            builder.provenance[added].extend(Provenance(t, p) for t, p in [*rest, *more])
        org = builder.finish(None, tuple(self.files))
        errors = any(d.severity == "error" for d in builder.diagnostics)
        involved = {r.provider for r in org.relations} | {r.receiver for r in org.relations}
        idle = sorted(set(org.teams) - involved)
        counts = {
            "files read": len(self.files),
            "team pages read": self.pages,
            "teams": len(org.teams),
            **hand_off_counts(org),
            "relations inside one team": 0,
            "teams without hand-offs": len(idle),
            "planned interactions (not imported)": self.planned,
            "pairs read from both sides": len(self.both),
        }
        return ImportResult(
            "markdown",
            None if errors else org,
            sorted(builder.diagnostics),
            builder.why,
            counts,
            self.chosen,
            both_sides=self.both,
            teams_without_hand_offs=idle,
        )

    def pairs(
        self, by_key: dict[str, str]
    ) -> dict[tuple[str, str], tuple[_Link, list[tuple[str, SourcePos]]]]:
        """One relation per provider and receiver: each file's link given its direction, the
        first link of a pair kept, the others' reasons added to it.

        A pair of teams whose files both name the other is read from both pages together
        (:meth:`both_sides`): one direction, or both for a collaboration the pages read both
        ways."""
        sides: dict[frozenset[str], dict[str, list[_Link]]] = {}
        for link in self.links.values():
            other = by_key[_key(link.other_name)]
            if other == link.declarer:
                continue
            link.other = other
            said = sides.setdefault(frozenset((link.declarer, other)), {})
            said.setdefault(link.declarer, []).append(link)
        found: dict[tuple[str, str], tuple[_Link, list[tuple[str, SourcePos]]]] = {}
        #: Each pair of teams read from both pages, and how its direction was decided.
        self.both: list[str] = []
        for said in sides.values():
            links = [link for declared in said.values() for link in declared]
            if len(said) == 1:
                directions = [(link, _reading(link, link.other, self.teams)[0]) for link in links]
            else:
                directions = self.both_sides(said)
            for link, pair in directions:
                self.merge(found, link, pair)
        return found

    def both_sides(self, said: dict[str, list[_Link]]) -> list[tuple[_Link, tuple[str, str]]]:
        """The direction of a pair of teams whose files both name the other.

        A collaboration keeps each page's reading (both ways when they differ). Otherwise the
        pages' wording decides (``Provides ...``, ``Uses ...``, then ``our ...`` or ``their
        ...``), then the team types; where nothing does, or the pages contradict each other,
        the first page's reading is kept and reported (IC651)."""
        (a, a_links), (b, b_links) = said.items()
        links = [*a_links, *b_links]
        names = self.teams[a].name, self.teams[b].name
        mode = next((link.mode for link in links if link.mode), None)
        readings = [(link, *_reading(link, link.other, self.teams)) for link in links]
        if mode == "collaboration":
            directions = sorted({pair for _, pair, _ in readings})
            if len(directions) == 2:
                self.both.append(f"{names[0]} <-> {names[1]} (collaboration: both ways)")
            else:
                (pair,) = directions
                self.both.append(f"{self.arrow(pair)} (collaboration: the pages agree)")
            return [(link, pair) for link, pair, _ in readings]
        worded = {pair for _, pair, basis in readings if basis == "wording"}
        if not worded:
            worded = {pair for pair in map(_owned, links) if pair is not None}
        typed = {pair for _, pair, basis in readings if basis == "types"}
        if len(worded) == 1:
            (pair,) = worded
            if any(basis == "wording" for _, _, basis in readings):
                how = "the purposes say: 'Provides ...', 'Uses ...'"
            else:
                how = "the purposes say: 'our ...', 'their ...'"
        elif not worded and len(typed) == 1:
            (pair,) = typed
            how = "the team types"
        else:
            first = readings[0]
            pair = first[1]
            why = (
                "their pages' purposes say opposite ways"
                if worded
                else "neither page says which provides"
            )
            self.builder.warn(
                first[0].why[0][1],
                "IC651",
                f"{names[0]!r} and {names[1]!r} each name the other and {why}: read as "
                f"{self.teams[pair[0]].name!r} providing to {self.teams[pair[1]].name!r}, as "
                "this page says",
                "say which way in a purpose: 'Provides ...' or 'Uses ...' (or 'our ...', "
                "'their ...'), or make it a collaboration",
            )
            how = "unclear: the first page's reading, reported (IC651)"
        self.both.append(f"{self.arrow(pair)} ({how})")
        return [(link, pair) for link in links]

    def arrow(self, pair: tuple[str, str]) -> str:
        return f"{self.teams[pair[0]].name} -> {self.teams[pair[1]].name}"

    def merge(
        self,
        found: dict[tuple[str, str], tuple[_Link, list[tuple[str, SourcePos]]]],
        link: _Link,
        pair: tuple[str, str],
    ) -> None:
        if pair not in found:
            found[pair] = (link, [])
            return
        kept, more = found[pair]
        more.extend(link.why)
        if link.mode and kept.mode and link.mode != kept.mode:
            first_at = kept.mode_pos or kept.why[0][1]
            self.builder.warn(
                link.mode_pos or link.why[0][1],
                "IC610",
                f"{self.teams[pair[0]].name!r} and {self.teams[pair[1]].name!r} give their "
                f"interaction different modes ({kept.mode} at {first_at}, "
                f"{link.mode} here): kept the first",
                "describe the interaction the same way in both teams' files",
            )
        kept.mode = kept.mode or link.mode
        kept.what = kept.what or link.what
        kept.until = kept.until or link.until

    def add_customers(
        self, pairs: dict[tuple[str, str], tuple[_Link, list[tuple[str, SourcePos]]]]
    ) -> str:
        builder = self.builder
        aligned = sorted(t for t, team in self.teams.items() if team.type == "stream-aligned")
        if aligned:
            self.chosen = [
                "stream-aligned teams serve the external customer (Team Topologies aligns them "
                f"to a flow of value): {some(aligned)}"
            ]
            serving = aligned
        else:
            providers = {provider for provider, _ in pairs}
            involved = providers | {receiver for _, receiver in pairs}
            serving = sorted(t for t in involved if t not in providers)
            self.chosen = [
                "no stream-aligned teams: the teams that provide to no other team serve the "
                f"external customer: {some(serving)}"
            ]
        customer = builder.customer_id()
        first = SourcePos(self.files[0] if self.files else "<markdown>", 1, 1)
        for team in serving:
            focus = self.teams[team].focus
            link = _Link(team, "", self.teams[team].pos, focus)
            link.why.append(("the team serves the customer", self.teams[team].pos))
            pairs[(team, customer)] = (link, [])
        if serving:
            builder.add_customer(customer, first, "External customers", "Served by the teams")
        elif self.teams:
            builder.error(first, "IC614", "no team serves an external customer")
        elif not any(d.severity == "error" for d in builder.diagnostics):
            builder.error(first, "IC614", "no team pages with a team")
        return customer

    def streams(
        self, pairs: dict[tuple[str, str], tuple[_Link, list[tuple[str, SourcePos]]]], customer: str
    ) -> dict[tuple[str, str], tuple[str, ...]]:
        """Each value stream the teams name, declared with the one external customer; its
        hand-offs are those from one of its teams to another or to the customer that lead on
        to the customer through the stream's teams."""
        named: dict[str, tuple[str, SourcePos]] = {}
        member: dict[str, str] = {}
        for team in self.teams.values():
            if team.stream is not None:
                id_ = slug(team.stream[0]) or "stream"
                named.setdefault(id_, team.stream)
                member[team.id] = id_
        tagged: dict[tuple[str, str], tuple[str, ...]] = {}
        for stream_id, (name, pos) in sorted(named.items()):
            inside = [
                (p, r)
                for p, r in pairs
                if member.get(p) == stream_id and (r == customer or member.get(r) == stream_id)
            ]
            leads_on, stack = {customer}, [customer]
            while stack:
                reached = stack.pop()
                for p, r in inside:
                    if r == reached and p not in leads_on:
                        leads_on.add(p)
                        stack.append(p)
            kept = [(p, r) for p, r in inside if r in leads_on]
            if not any(r == customer for _, r in kept):
                self.builder.warn(
                    pos,
                    "IC617",
                    f"value stream {name!r}: none of its teams serves the external customer "
                    "(no stream-aligned team in it): not declared",
                    "a value stream ends at the customer its stream-aligned teams serve",
                )
                continue
            for pair in kept:
                tagged[pair] = (*tagged.get(pair, ()), stream_id)
            self.builder.streams[stream_id] = Stream(
                stream_id, pos, customer, "" if name == stream_id else name
            )
        return tagged

    chosen: list[str]


def _reading(link: _Link, other: str, teams: dict[str, _Team]) -> tuple[tuple[str, str], str]:
    """(provider, receiver) of what ``link.declarer``'s file says about ``other``, and what
    decided it: ``"wording"``, ``"types"`` or ``"default"``.

    A purpose that says which way (``Provides ...``, ``We offer ...``; ``Uses ...``, ``Relies
    on ...``) decides. Facilitating or collaboration between an enabling team and another kind:
    the enabling team provides (its coaching). Otherwise a platform, enabling or
    complicated-subsystem team provides to a team of another kind (stream-aligned or no type)
    that it names; in every other case the named team provides to the team whose file names it
    (a team lists the teams it depends on).
    """
    mine, theirs = teams[link.declarer].type, teams[other].type
    purpose = link.what or ""
    if _SAYS_PROVIDES.match(purpose):
        return (link.declarer, other), "wording"
    if _SAYS_USES.match(purpose):
        return (other, link.declarer), "wording"
    coaching = link.mode in ("facilitating", "collaboration")
    if coaching and (mine == "enabling") != (theirs == "enabling"):
        pair = (link.declarer, other) if mine == "enabling" else (other, link.declarer)
        return pair, "types"
    if mine in _PROVIDING_TYPES and theirs not in _PROVIDING_TYPES:
        return (link.declarer, other), "types"
    if theirs in _PROVIDING_TYPES and mine not in _PROVIDING_TYPES:
        return (other, link.declarer), "types"
    return (other, link.declarer), "default"


def _owned(link: _Link) -> tuple[str, str] | None:
    """Who provides, by whose things a purpose names: ``... to our AWS infrastructure`` (the
    file's team), ``... run on their clusters`` (the team it names); None when it names both
    or neither."""
    purpose = link.what or ""
    ours, theirs = bool(_OUR.search(purpose)), bool(_THEIR.search(purpose))
    if ours == theirs:
        return None
    return (link.declarer, link.other) if ours else (link.other, link.declarer)


def _pages(folder: Path) -> list[Path]:
    """The Markdown files beneath ``folder``, not hidden, never through a link leading out."""
    top = os.path.realpath(folder)
    found = []
    for path in sorted(folder.rglob("*")):
        inside = os.path.realpath(path).startswith(top.rstrip(os.sep) + os.sep)
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if inside and not hidden and path.is_file() and path.suffix.lower() in _SUFFIXES:
            found.append(path)
    return found


def _first(found: dict[str, tuple[Node, Node]], *keys: str) -> Node | None:
    for key in keys:
        node = get(found, key)
        if node is not None:
            return node
    return None


def _before(a: SourcePos, b: SourcePos) -> bool:
    return a.file == b.file and (a.line, a.col) < (b.line, b.col)


def _before_dash(words: str) -> str:
    """``Payments - card processing`` → ``Payments`` (a hyphen, an en or an em dash, a colon)."""
    return _DASH.split(words, maxsplit=1)[0].strip()


def _after_dash(words: str) -> str | None:
    parts = _DASH.split(words, maxsplit=1)
    return printable(parts[1]) if len(parts) == 2 and parts[1].strip() else None


def _plain(inline: Token) -> str:
    """An inline token's text without its Markdown: ``**[Payments](p.md)**`` → ``Payments``."""
    if not inline.children:
        return inline.content
    return "".join(
        child.content
        for child in inline.children
        if child.type in ("text", "code_inline", "softbreak", "html_inline")
    )


def _heading_line(tokens: list[Token], wanted: str) -> bool:
    return any(
        token.type == "heading_open"
        and _plain(tokens[i + 1]).strip().casefold().rstrip(":") == wanted
        for i, token in enumerate(tokens)
    )


def _labelled(tokens: list[Token], display: str) -> dict[str, tuple[str, SourcePos]]:
    """A Team API page's labelled values: ``Team type: platform`` (a list item or a paragraph,
    or a line of one), or a heading ``Team type`` over a paragraph ``platform``."""
    found: dict[str, tuple[str, SourcePos]] = {}
    heading: str | None = None
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            words = _plain(tokens[i + 1]).strip().casefold().rstrip(":?").strip()
            heading = _LABELS.get(words)
            continue
        if token.type != "inline" or token.map is None:
            continue
        if heading is not None and tokens[i - 1].type == "paragraph_open":
            value = _plain(token).split("\n")[0].strip()
            found.setdefault(heading, (value, SourcePos(display, token.map[0] + 1, 1)))
            heading = None
            continue
        for offset, line in enumerate(_plain(token).split("\n")):
            label, colon, value = line.partition(":")
            name = _LABELS.get(label.strip().strip("*_").strip().casefold())
            if colon and name is not None and value.strip():
                found.setdefault(
                    name, (value.strip(), SourcePos(display, token.map[0] + offset + 1, 1))
                )
    return found


def _table_rows(
    tokens: list[Token], start: int, lines: list[str]
) -> list[tuple[int, list[tuple[str, int]]]]:
    """The rows of the table opening at ``tokens[start]``: (0-based line, [(cell text,
    1-based column)])."""
    rows: list[tuple[int, list[tuple[str, int]]]] = []
    for token in tokens[start:]:
        if token.type == "table_close":
            break
        if token.type == "tr_open" and token.map is not None:
            rows.append((token.map[0], []))
        elif token.type == "inline" and rows:
            line = lines[rows[-1][0]] if rows[-1][0] < len(lines) else ""
            cursor = rows[-1][1][-1][1] if rows[-1][1] else 0
            index = line.find(token.content, cursor) if token.content else -1
            col = index + 1 if index >= 0 else cursor + 1
            rows[-1][1].append((_plain(token), col))
    return rows


def _columns(headers: list[str]) -> dict[str, int]:
    """Which column holds what: the team, the interaction mode, the purpose, the duration."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        word = header.strip().casefold()
        if "team" in word and "team" not in found:
            found["team"] = index
        elif ("mode" in word or "interaction" in word) and "mode" not in found:
            found["mode"] = index
        elif ("purpose" in word or "why" in word) and "purpose" not in found:
            found["purpose"] = index
        elif "duration" in word and "duration" not in found:
            found["duration"] = index
    return found


def read_team_pages(paths: Sequence[Path]) -> ImportResult:
    """Read Markdown team files and folders into an org (see the module docstring)."""
    reader = _Reader()
    reader.read(paths)
    return reader.finish()
