"""TeamAPI-As-Code files (Team Topologies) as an org.

- ``info.name`` and ``info.type`` give a team (its id derived from the name) and its type.
- ``dependencies`` (``teamName`` or ``team-name``, ``type`` OK/Slowing/Blocking,
  ``description``): the team named provides to the team whose file it is, in that state.
- ``interactions`` (``mode``, ``purpose``, ``startDate`` + ``expectedDuration`` +
  ``expectedDurationUnit``): the interaction's mode, since and until, on the same relation. The
  team named provides, unless the file's own team is a platform, enabling or
  complicated-subsystem team interacting with a stream-aligned one.
- External customers: stream-aligned teams serve the one external customer (Team Topologies
  aligns them to a flow of value); without any, the teams that provide to no one do.

Teams are matched across files by name (compared as their ids). ``$ref`` URLs are not fetched:
each is reported (IC602).
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from icmap.importers import ImportResult, Provenance, hand_off_counts, some, source_files
from icmap.importers.build import OrgBuilder, slug
from icmap.importers.nodes import entries, get, items, position, shape, tag_problems, text
from icmap.loader.compose import MappingNode, Node, SequenceNode
from icmap.loader.source import parse_documents
from icmap.model import SourcePos
from icmap.topologies import MODES, STATES, TEAM_TYPES, did_you_mean_word, normalise

_PROVIDING_TYPES = ("platform", "enabling", "complicated-subsystem")
#: Spellings of the template and its examples that Team Topologies' own words do not cover.
_MODE_ALIASES = {"enabling": "facilitating", "faciliating": "facilitating"}
_UNITS = {"day": 1, "week": 7, "month": 0, "year": 0}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass
class _Link:
    """What one team's file says about another team."""

    declarer: str
    other: str
    other_name: str
    pos: SourcePos
    what: str | None = None
    mode: str | None = None
    since: date | None = None
    until: date | None = None
    state: str | None = None
    #: A dependency names the team that provides, whatever the types (docs/import.md).
    dependency: bool = False
    #: The mode the first interaction wrote, as written, once one was read: that interaction
    #: alone gives the mode, since and until ("" when it wrote none).
    first_mode: str | None = None
    why: list[tuple[str, SourcePos]] = field(default_factory=list)


def _key(name: str) -> str:
    return re.sub(r"[-_\s]", "", name.lower())


def _is_team_api(root: Node) -> bool:
    """Whether a document is a Team API, if a broken one: it has ``teamApi`` or ``info``."""
    return any(_key(name) in ("teamapi", "info") for name in entries(root) or ())


#: The keys icmap reads, at each level: an unknown key close to one of them is a misspelling
#: (``tpye``, ``dependecies``); any other is the spec's or a team's own, and left alone.
_TOP_KEYS = ("teamApi", "info", "dependencies", "interactions")
_INFO_KEYS = ("name", "type", "focus")
_LINK_KEYS = {
    "dependency": ("teamName", "type", "description"),
    "interaction": (
        "teamName",
        "mode",
        "purpose",
        "startDate",
        "expectedDuration",
        "expectedDurationUnit",
    ),
}


class _Reader:
    def __init__(self) -> None:
        self.builder = OrgBuilder()
        self.files: list[str] = []
        self.names: dict[str, tuple[str, SourcePos]] = {}  # id -> (name, where defined)
        self.types: dict[str, str] = {}
        self.focus: dict[str, str] = {}
        self.links: dict[tuple[str, str], _Link] = {}
        self.referenced: dict[str, tuple[str, SourcePos]] = {}

    def read(self, paths: Sequence[Path]) -> None:
        for path in paths:
            files = source_files(path) if path.is_dir() else [path]
            if not files:
                where = SourcePos(str(path), 1, 1)
                self.builder.error(where, "IC001", "no *.yaml or *.yml files in this folder")
            for file in files:
                self.read_file(file, searched=path.is_dir())

    def read_file(self, file: Path, *, searched: bool = False) -> None:
        display = str(file)
        parsed = parse_documents(file, display)
        roots = [root for root in parsed.roots if root is not None]
        if searched and roots and not any(_is_team_api(root) for root in roots):
            # A docker-compose.yml or CI file beside the Team APIs: not one, so its lack of
            # info.name is no error. Named on the command line, it is read as one.
            self.builder.warn(
                position(display, roots[0]),
                "IC624",
                "not a Team API file, skipped: no 'teamApi' or 'info' key",
                "a Team API file has info.name; name the file itself to read it as one",
            )
            return
        self.files.append(display)
        for found in parsed.diagnostics:
            # The spec's annotated template (prose after each key) parses as broken YAML.
            self.builder.diagnostics.append(
                found
                if found.code != "IC002"
                else replace(
                    found,
                    message=f"not a Team API file: {found.message}",
                    hint="a Team API file is YAML; the spec's annotated template (a key, then "
                    "prose describing it) is not one: leave it out or fill it in",
                )
            )
        self.builder.diagnostics.extend(parsed.duplicate_keys)
        for root in parsed.roots:
            if root is not None:
                self.builder.diagnostics.extend(
                    tag_problems(root, display) if parsed.tagged else ()
                )
                self.read_team(root, display)
                self.report_urls(root, display)

    def report_urls(self, root: Node, display: str) -> None:
        """Every ``$ref`` naming a URL, anywhere in the file: icmap reads local files only."""
        # Under `work` a $ref links the team's own work (a repository, a wiki page); elsewhere
        # (platform, interactions, dependencies) it names another team's Team API.
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, under_work = stack.pop()
            if isinstance(node, SequenceNode):
                stack.extend((item, under_work) for item in reversed(node.value))
            elif isinstance(node, MappingNode):
                for key, value in reversed(node.value):
                    name = text(key)
                    target = text(value) if name == "$ref" else None
                    if target is not None and _URL.match(target):
                        self.builder.warn(
                            position(display, value),
                            "IC602",
                            f"$ref {target!r} is a URL: not fetched (icmap reads local files only)",
                            "a link to the team's own work, not to a team: nothing of it is "
                            "needed for the org"
                            if under_work
                            else "teams are matched by teamName; give icmap the other team's "
                            "Team API file to read it too",
                        )
                    else:
                        stack.append((value, under_work or (node is root and name == "work")))

    def read_team(self, root: Node, display: str) -> None:
        top = entries(root)
        at = position(display, root)
        if top is None:
            self.builder.error(at, "IC608", f"a Team API must be a mapping, found {shape(root)}")
            return
        fields = {_key(k): v for k, v in top.items()}
        info_node = fields.get("info", (root, None))[1]
        info = entries(info_node)
        self.builder.misspelt_keys(top, _TOP_KEYS, display)
        self.builder.misspelt_keys(info, _INFO_KEYS, display)
        name_node = get(info, "name")
        name = text(name_node)
        if name is None:
            where = position(display, name_node or info_node or root)
            self.builder.error(where, "IC608", "a Team API without info.name: not read")
            return
        pos = position(display, name_node) if name_node is not None else at
        id_ = slug(name) or "team"
        first = self.names.get(id_)
        if first is not None:
            self.builder.warn(
                pos,
                "IC611",
                f"team {name!r} makes the id {id_!r}, as {first[0]!r} at {first[1]} does: "
                "read as the same team",
                "give each team one Team API file and a distinct name",
            )
        else:
            self.names[id_] = (name, pos)
        type_node = get(info, "type")
        if type_node is not None and text(type_node):
            team_type = normalise(text(type_node) or "", TEAM_TYPES)
            if team_type is None:
                self.builder.warn(
                    position(display, type_node),
                    "IC613",
                    f"team type {text(type_node)!r} is not one of {', '.join(TEAM_TYPES)}",
                    did_you_mean_word(text(type_node) or "", TEAM_TYPES),
                )
            else:
                self.types.setdefault(id_, team_type)
        focus = text(get(info, "focus"))
        if focus:
            self.focus.setdefault(id_, focus)
        for key, state_field, label in (
            ("dependencies", "type", "dependency"),
            ("interactions", "mode", "interaction"),
        ):
            entry = fields.get(key)
            if entry is None:
                continue
            for node in items(entry[1]):
                self.builder.misspelt_keys(entries(node), _LINK_KEYS[label], display)
                self.read_link(node, display, id_, label, state_field)

    def read_link(self, node: Node, display: str, declarer: str, label: str, word: str) -> None:
        at = position(display, node)
        found = entries(node)
        if found is None:
            self.builder.warn(at, "IC608", f"each {label} must be a mapping, found {shape(node)}")
            return
        values = {_key(k): v for k, v in found.items()}

        def value(name: str) -> tuple[str | None, SourcePos]:
            pair = values.get(name)
            if pair is None:
                return None, at
            return text(pair[1]), position(display, pair[1])

        other_name, other_pos = value("teamname")
        if other_name is None:
            article = "an" if label[0] in "aeiou" else "a"
            self.builder.warn(
                at, "IC604", f"{article} {label} without teamName (or team-name): skipped"
            )
            return
        other = slug(other_name) or "team"
        if other == declarer:
            article = "an" if label[0] in "aeiou" else "a"
            self.builder.warn(
                other_pos, "IC613", f"{article} {label} of {other_name!r} with itself"
            )
            return
        first = self.referenced.get(other)
        # A team's first mention in reading order: files are read in order, but one file's
        # dependencies are read before its interactions, wherever they stand in it.
        if first is None or (
            first[1].file == other_pos.file
            and (other_pos.line, other_pos.col) < (first[1].line, first[1].col)
        ):
            self.referenced[other] = (other_name, other_pos)
        link = self.links.setdefault((declarer, other), _Link(declarer, other, other_name, at))
        said = text(get(found, "type" if label == "dependency" else "mode"))
        what_kind = "type" if label == "dependency" else "mode"
        link.why.append(
            (
                f"{label} {'on' if label == 'dependency' else 'with'} {other_name!r}"
                + (f" ({what_kind} {said})" if said else ""),
                at,
            )
        )
        if label == "dependency":
            link.dependency = True
            link.what = link.what or value("description")[0]
            state, where = value("type")
            if state is not None:
                new_state = normalise(state, STATES)
                if new_state is None:
                    self.builder.warn(
                        where, "IC613", f"dependency type {state!r} is not OK, Slowing or Blocking"
                    )
                self.keep_first(link, at, label, "type", attribute="state", new=new_state)
            return
        self.read_interaction(link, at, value)

    def read_interaction(
        self, link: _Link, at: SourcePos, value: Callable[[str], tuple[str | None, SourcePos]]
    ) -> None:
        """An interaction's mode, since and until (and purpose) on ``link``: the first's."""
        mode, where = value("mode")
        new_mode = None
        if mode is not None:
            new_mode = normalise(_MODE_ALIASES.get(mode.strip().lower(), mode), MODES)
            if new_mode is None:
                self.builder.warn(
                    where,
                    "IC613",
                    f"interaction mode {mode!r} is not one of {', '.join(MODES)}",
                    did_you_mean_word(mode, MODES),
                )
        start, where = value("startdate")
        since = self.parse_date(start, where) if start is not None else None
        amount, amount_at = value("expectedduration")
        unit, unit_at = value("expecteddurationunit")
        until = None
        if amount is not None and since is not None:
            until = self.add_duration(since, amount, unit or "days", amount_at, unit_at)
        if link.first_mode is None:
            link.first_mode = mode or ""
            link.what = link.what or value("purpose")[0]
            link.mode, link.since, link.until = new_mode, since, until
            return
        # The first interaction is kept whole: one mode from it and a period from another
        # would describe an interaction nobody wrote (or an until before the since).
        differs = []
        if new_mode is not None and new_mode != link.mode:
            differs.append(f"mode {new_mode}" if link.mode is None else "a different mode")
        if since is not None and (since, until) != (link.since, link.until):
            differs.append("a different start and duration")
        if differs:
            unread = (
                f" (its mode {link.first_mode!r} is not one icmap reads: no mode)"
                if link.mode is None and link.first_mode and new_mode is not None
                else ""
            )
            self.builder.warn(
                at,
                "IC610",
                f"a second interaction with {link.other_name!r} gives "
                f"{' and '.join(differs)}: kept the first interaction whole{unread}",
                "icmap keeps one relation per pair of teams: describe the current interaction only",
            )

    def keep_first(
        self, link: _Link, at: SourcePos, label: str, said: str, *, attribute: str, new: str | None
    ) -> None:
        """Set ``attribute`` unless an earlier entry set it: an unreadable value never erases
        a good one, and a second entry naming the same team cannot change it."""
        old = getattr(link, attribute)
        if old is None:
            setattr(link, attribute, new)
        elif new is not None and new != old:
            self.conflict(link, at, label, said)

    def conflict(self, link: _Link, at: SourcePos, label: str, said: str) -> None:
        self.builder.warn(
            at,
            "IC610",
            f"a second {label} with {link.other_name!r} gives a different {said}: "
            f"kept the first {label}'s",
            f"icmap keeps one relation per pair of teams: describe the current {label} only",
        )

    def parse_date(self, raw: str, where: SourcePos) -> date | None:
        if re.match(r"^\d{4}-\d\d-\d\d", raw):
            try:
                return date.fromisoformat(raw[:10])
            except ValueError:
                pass
        match = re.match(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$", raw)
        if match:
            day, month, year = (int(g) for g in match.groups())
            if day <= 12 and month <= 12 and day != month:
                self.builder.warn(
                    where,
                    "IC613",
                    f"date {raw!r} is read day first ({year}-{month:02d}-{day:02d})",
                    "write dates as YYYY-MM-DD to leave no doubt",
                )
            try:
                return date(year, month, day)
            except ValueError:
                pass
        self.builder.warn(where, "IC613", f"{raw!r} is not a date (write YYYY-MM-DD)")
        return None

    def add_duration(
        self, since: date, amount: str, unit: str, amount_at: SourcePos, unit_at: SourcePos
    ) -> date | None:
        try:
            count = float(amount)
        except ValueError:
            self.builder.warn(amount_at, "IC613", f"expectedDuration {amount!r} is not a number")
            return None
        word = unit.strip().lower().rstrip("s")
        if word not in _UNITS or count < 0 or count > 10_000:
            self.builder.warn(
                unit_at if word not in _UNITS else amount_at,
                "IC613",
                f"expected duration {amount} {unit} not understood (days, weeks, months, years)",
            )
            return None
        if word in ("day", "week"):
            return since + timedelta(days=round(count * _UNITS[word]))
        months = round(count * (12 if word == "year" else 1))
        year, month = divmod(since.month - 1 + months, 12)
        year += since.year
        day = min(since.day, calendar.monthrange(year, month + 1)[1])
        return date(year, month + 1, day)

    def finish(self) -> ImportResult:
        builder = self.builder
        for id_, (name, pos) in sorted(self.names.items()):
            builder.add_team(id_, pos, name, team_type=self.types.get(id_))
        defined = [name for name, _ in self.names.values()]
        for id_, (name, pos) in sorted(self.referenced.items()):
            if id_ not in builder.teams:
                close = difflib.get_close_matches(name, defined, 1, 0.8)
                builder.warn(
                    pos,
                    "IC612",
                    f"team {name!r} is named here but no Team API file here defines it: "
                    "added as a team",
                    f"did you mean {close[0]!r}?" if close else None,
                )
                builder.add_team(id_, pos, name)
        inside = 0
        for link in self.links.values():
            provider, receiver = link.other, link.declarer
            declarer_type = self.types.get(link.declarer)
            # Only an interaction leaves the direction to the types: a platform team's
            # x-as-a-service with a stream-aligned team is the platform providing.
            if (
                not link.dependency
                and declarer_type in _PROVIDING_TYPES
                and self.types.get(link.other) not in _PROVIDING_TYPES
            ):
                provider, receiver = receiver, provider
            what = link.what or f"{self.names.get(provider, (provider,))[0]}'s work"
            (why, where), *more = link.why
            key = builder.add_relation(
                provider,
                receiver,
                what,
                where,
                why,
                side="receiver" if receiver == link.declarer else "provider",
                mode=link.mode,
                since=link.since,
                until=link.until,
                state=link.state,
            )
            builder.provenance[key].extend(Provenance(text, pos) for text, pos in more)
        self.add_customers()
        org = builder.finish(None, tuple(self.files))
        errors = any(d.severity == "error" for d in builder.diagnostics)
        counts = {
            "files read": len(self.files),
            "Team APIs read": len(self.names),
            "teams": len(org.teams),
            **hand_off_counts(org),
            "relations inside one team": inside,
        }
        return ImportResult(
            "teamapi",
            None if errors else org,
            sorted(builder.diagnostics),
            builder.why,
            counts,
            self.chosen,
        )

    def add_customers(self) -> None:
        builder = self.builder
        streams = sorted(t for t, kind in self.types.items() if kind == "stream-aligned")
        if streams:
            self.chosen = [
                "stream-aligned teams serve the external customer (Team Topologies aligns them "
                f"to a flow of value): {some(streams)}"
            ]
            serving = streams
        else:
            providers = {r[0] for r in builder.relations}
            serving = sorted(t for t in builder.teams if t not in providers)
            self.chosen = [
                "no stream-aligned teams: the teams that provide to no other team serve the "
                f"external customer: {some(serving)}"
            ]
        first = self.files[0] if self.files else "<team api>"
        customer = builder.customer_id()
        for team in serving:
            what = self.focus.get(team) or "Work for the external customer"
            builder.add_relation(
                team, customer, what, builder.teams[team].pos, "the team serves the customer"
            )
        if serving:
            builder.add_customer(
                customer, SourcePos(first, 1, 1), "External customers", "Served by the teams"
            )
        elif builder.teams:
            builder.error(SourcePos(first, 1, 1), "IC614", "no team serves an external customer")
        elif not any(d.severity == "error" for d in builder.diagnostics):
            # After an error (a file that is not YAML, an empty folder) this says nothing new.
            builder.error(SourcePos(first, 1, 1), "IC614", "no Team API files with a team")

    chosen: list[str]


def read_team_apis(paths: Sequence[Path]) -> ImportResult:
    """Read TeamAPI-As-Code files and folders into an org (see the module docstring)."""
    reader = _Reader()
    reader.read(paths)
    return reader.finish()
