"""Importers: Backstage catalogs, Team API files, spreadsheets and Context Mapper team maps
read into the org model.

Each importer is a *source*, like the YAML loader: it turns its format into the same
:class:`~icmap.model.Org` (with source positions) and a list of diagnostics, so every command
can read it directly (``--from backstage``) and ``icmap import`` only adds one writer
(:mod:`icmap.importers.writer`). Problems in the source are warnings with ``file:line:col``
where the importer can still do something sensible, errors where it cannot.

The sources are listed once, in :mod:`icmap.sources`: a new one is a module here
and a line there. This module holds what they share: :class:`ImportResult`, the IC6xx codes,
:func:`problem` and :func:`source_error`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from icmap.diagnostics import Diagnostic, Severity, errors_in
from icmap.errors import LoadError
from icmap.model import Org, Relation, SourcePos
from icmap.sources import SOURCES, find

#: The importers' diagnostic codes (IC6xx) and their names, shown in the import summary.
IMPORT_CODES: dict[str, str] = {
    "IC601": "missing-target",
    "IC602": "url-not-fetched",
    "IC603": "dangling-ref",
    "IC604": "empty-entry",
    "IC605": "unknown-kind",
    "IC606": "no-owner",
    "IC607": "ambiguous-owner",
    "IC608": "wrong-shape",
    "IC609": "location-cycle",
    "IC610": "duplicate-entity",
    "IC611": "id-collision",
    "IC612": "team-without-file",
    "IC613": "invalid-value",
    "IC614": "no-customer",
    "IC615": "outside-source",
    "IC616": "self-relation",
    "IC617": "unclear-stream",
    "IC618": "conflicting-value",
    "IC619": "customer-like-a-team",
    "IC620": "unreadable-event",
    "IC621": "event-log-limit",
    "IC622": "people-not-teams",
    "IC623": "customer-in-the-log",
    "IC624": "not-a-source-file",
    "IC627": "customer-named-team",
    "IC628": "team-name-variants",
    "IC629": "process-over-measured",
    "IC630": "not-a-catalog-file",
    "IC631": "foreign-api-version",
    "IC632": "templated-entity",
    "IC633": "unmatched-selector",
    # IC650 and up: the Markdown source.
    "IC650": "not-a-team-page",
    "IC651": "unclear-direction",
    # Context Mapper team maps (icmap.importers.cml)
    "IC670": "cml-syntax",
    "IC671": "unknown-context",
    "IC672": "no-team-map",
    "IC673": "not-read",
    "IC674": "invalid-relationship",
    "IC675": "outside-map",
    "IC676": "no-realizing-team",
    "IC677": "duplicate-context",
    "IC678": "import-not-read",
}

#: code -> what it means, one sentence in Markdown: docs/import.md's table and docs/rules.md
#: are made from it.
IMPORT_MEANINGS: dict[str, str] = {
    "IC601": "A Location target file does not exist.",
    "IC602": "A URL target or `$ref`: icmap reads local files only.",
    "IC603": "A ref names no entity in the catalog (or an entity of a kind that cannot be meant).",
    "IC604": "An empty or `null` entry in a list of refs, targets or teams.",
    "IC605": "An entity kind icmap does not read.",
    "IC606": "A Component, API, Resource or System without `spec.owner`.",
    "IC607": (
        "A user owns entities but is in no group, in several, or not in the catalog: once per user."
    ),
    "IC608": "A list where a mapping belongs, a document that is not an entity, and the like.",
    "IC609": "A Location leads back to a file that led to it.",
    "IC610": (
        "The same entity (or CSV hand-off, or Team API interaction with one team) twice: the "
        "first is used."
    ),
    "IC611": "Two teams make the same id.",
    "IC612": "A Team API or Markdown team names a team that no file defines.",
    "IC613": (
        "A Team API or Markdown team's value icmap cannot read (a mode, with a did-you-mean, "
        "a type, a date, a duration, `lead_time_days`), or a Team API or front-matter key "
        "misspelling one icmap reads (`tpye`, `team_typ`, with a did-you-mean)."
    ),
    "IC614": (
        "No external customer could be chosen, or no team found: no Group entity, and no "
        "owner or only owners that are users in no group the catalog defines (an error)."
    ),
    "IC615": "A Location target outside the files and folders given: not read.",
    "IC616": (
        "An entity related to itself (`component:x` `dependsOn` `component:x`): no hand-off, "
        "ignored."
    ),
    "IC617": (
        "A spreadsheet's value stream reaches no external customer or several, or one of its "
        "rows leads nowhere on to its customer: the stream is left off those rows. A Markdown"
        " team's value stream none of whose teams serves the customer: not declared."
    ),
    "IC619": (
        "A CSV receiver that provides nothing, so read as an external customer, whose name is"
        " close to a team's (`Kitchn` beside `Kitchen`): a misspelt team, most likely."
    ),
    "IC618": (
        "A CSV row giving a team another `type` or `group` than an earlier row: the first is "
        "kept. A Backstage group listed among the children of two parents, or of another than"
        " its `spec.parent`: grouped under one."
    ),
    "IC620": (
        "An event log's row or event with no case, no team or a time in no form icmap reads, "
        "or a line the CSV reader rejects: left out, the rest is read."
    ),
    "IC621": "An event log past one of the limits in [events.md](events.md#limits).",
    "IC622": (
        "The only team column found names people (`org:resource`): the map is of people; name"
        " the team column with `--team`."
    ),
    "IC623": (
        "With `--events`, a log team read as one of the org's customers hands cases on to "
        "teams: each of its visits counts as a case reaching the customer; map it with "
        "`--team-map`."
    ),
    "IC627": (
        "An event log's team with the name of the customer its cases end at (`--customer`, "
        "else the log's process or file name): the two would be one party, so nothing is "
        "imported (an error)."
    ),
    "IC628": (
        "An event log writing one team's name two ways, differing only in case or in the "
        "spaces between words (`Service Desk`, `service  desk`): read as two teams, warned at"
        " the first event of the second spelling."
    ),
    "IC629": (
        "Under `--lead-times measured`, a hand-off's declared `process_time` is longer than "
        "the log's median lead time for it: left out of the stream's flow efficiency rather "
        "than made a negative wait."
    ),
    "IC624": (
        "A file a folder search found that is not of the format read (a `.txt` or `.csv` "
        "without any of the columns provider, receiver and what, a YAML file without a Team "
        "API's `teamApi` or `info` key): skipped, one warning a file."
    ),
    "IC630": (
        "A file found in a folder or through a Location that is not catalog YAML (YAML cannot"
        " read it, or no document has a `kind`), or JSON of another shape: skipped, one "
        "warning per folder without catalog files (or per file beside them)."
    ),
    "IC631": (
        "Entities whose `apiVersion` is not Backstage's (not read), or that have none (read):"
        " one warning a file."
    ),
    "IC632": (
        "Entities of a template's skeleton (`${{ values.name }}` in a name, namespace or "
        "owner): not read, one warning a file."
    ),
    "IC633": (
        "A `--customer` selector matches no entity of the catalog (with a did-you-mean); "
        "every one missing is an IC614 error."
    ),
    "IC650": "A Markdown file with no team in its front matter and no Team API: skipped.",
    "IC651": (
        "Two Markdown teams that name each other, where neither page's purpose nor the team "
        "types say which provides (or the purposes say opposite ways): the first page's "
        "reading is kept."
    ),
    "IC670": "A CML syntax error (an error: nothing is imported), a file that is not UTF-8 text.",
    "IC671": (
        "A CML name (in `contains`, a relationship, `realizes`) that no `BoundedContext` defines."
    ),
    "IC672": "No CML `ContextMap` of type `ORGANIZATIONAL` (an error).",
    "IC673": (
        "What a CML file holds besides the team map (domains, aggregates, other maps): "
        "skipped, one warning a file."
    ),
    "IC674": (
        "CML roles that contradict the arrow or each other (`[D]->[U]`, `[P]<->[SK]`): the "
        "relationship is skipped."
    ),
    "IC675": "A team, or a relationship's context, that the team map does not `contains`.",
    "IC676": (
        "A CML relationship with a context that is no team and that no team realizes: no hand-off."
    ),
    "IC677": "A CML `BoundedContext` defined twice: the first is read.",
    "IC678": (
        "A CML `import` of a file that is missing or outside the folders given (a file's own "
        "folder counts)."
    ),
}

#: The importers' codes that are errors: the source cannot become an org (the rest warn).
IMPORT_ERRORS = frozenset({"IC614", "IC627", "IC670", "IC672"})


class _Named(str, Enum):
    def __str__(self) -> str:  # its value, as the CLI's choices (icmap.cli.options.Choice)
        return str(self.value)


#: The sources of :mod:`icmap.sources` as an enum (``SourceFormat.backstage``), for
#: code written before the registry; :func:`read_source` takes a source's name as well.
#: (mypy cannot see members made from a list; code in icmap passes names.)
SourceFormat: type[_Named] = _Named(  # type: ignore[call-overload]
    "SourceFormat", [(source.name, source.name) for source in SOURCES]
)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Why a hand-off exists: the source entities and the relation between them."""

    text: str
    pos: SourcePos


@dataclass
class ImportResult:
    """What an importer read: the org (``None`` when errors prevent one) and its account."""

    #: The source's name in :mod:`icmap.sources` (``backstage``).
    format: str
    org: Org | None
    diagnostics: list[Diagnostic]
    #: (provider, receiver, what) -> why the relation exists, as the importer found it.
    provenance: Mapping[tuple[str, str, str], list[Provenance]] = field(default_factory=dict)
    #: Counts for the summary: what was read ("entities read", "rows read", "Team APIs read"),
    #: "teams", the :func:`hand_off_counts`, "relations inside one team", and for Backstage
    #: "dangling refs" (refs to entities not in the catalog) and "dangling ref mentions".
    counts: dict[str, int] = field(default_factory=dict)
    #: Sentences saying which external customers were chosen, and why.
    customers_chosen: list[str] = field(default_factory=list)
    #: Each ref naming an entity not in the catalog (``api:default/x``) -> how often it is named.
    dangling: dict[str, int] = field(default_factory=dict)
    #: Sentences the summary gives about how the source was read (an owner-only catalog,
    #: teams left out), once each: what is no problem but changes what the org holds.
    notes: list[str] = field(default_factory=list)
    #: Markdown: each pair of teams whose pages both name the other, read from both pages
    #: together, and how its direction was decided (``A -> B (the team types)``).
    both_sides: list[str] = field(default_factory=list)
    #: The teams that take part in no hand-off (Markdown, CSV): named in the summary.
    teams_without_hand_offs: list[str] = field(default_factory=list)
    #: The teams that own nothing and take part in no hand-off (Backstage): left out of the
    #: org, unless --keep-idle-teams kept them.
    idle_teams: list[str] = field(default_factory=list)
    #: Team id -> what it owns in the source (Backstage: ``component:x``), for the team files.
    owned: dict[str, list[str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def by_kind(self) -> dict[str, int]:
        """Warnings and errors counted by their kebab-case name, most frequent first (a capped
        "…and N more" line counts for all it stands for)."""
        counted: Counter[str] = Counter()
        for d in self.diagnostics:
            counted[d.name] += d.left_out or 1
        return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))


def problem(
    pos: SourcePos,
    code: str,
    message: str,
    hint: str | None = None,
    *,
    severity: Severity = "warning",
) -> Diagnostic:
    """An importer diagnostic at ``pos`` (a warning unless told)."""
    sev: Severity = "error" if severity == "error" else "warning"
    name = IMPORT_CODES.get(code)
    return Diagnostic(pos.file, pos.line, pos.col, code, message, sev, hint, name)


@dataclass(frozen=True)
class BackstageOptions:
    """Which Backstage entities face the external customer (any match counts), and whether
    teams that own nothing and hand nothing off are kept.

    Empty everywhere means the documented default (docs/import.md#backstage).
    """

    kinds: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    #: ``KEY=VALUE`` (or ``KEY``: any value) of ``metadata.labels``.
    labels: tuple[str, ...] = ()
    #: Keep the teams that own nothing and take part in no hand-off (``--keep-idle-teams``).
    keep_idle: bool = False

    @property
    def default(self) -> bool:
        return not (self.kinds or self.types or self.tags or self.refs or self.labels)


def idle_note(
    teams: Sequence[str], *, kept: bool, recorded: bool = False, by_hand: Sequence[str] = ()
) -> str:
    """The summary's note on the teams that own nothing and take part in no hand-off.

    ``kept``: --keep-idle-teams (``recorded``: as the last import chose, not given again);
    ``by_hand``: of those left out, the teams --update keeps as written by hand.

    >>> idle_note(["design"], kept=True, recorded=True).split(" kept, ")[1]
    'as the last import chose (--keep-idle-teams; --drop-idle-teams leaves it out): design'
    >>> idle_note(["design", "legal"], kept=False, by_hand=["design"]).split(" left out ")[1]
    '(legal): --keep-idle-teams keeps it; design kept as written by hand'
    """
    kept_by_hand = [t for t in teams if t in by_hand]
    shown = [t for t in teams if t not in by_hand]
    if not shown:
        return (
            f"{some(kept_by_hand)}: own{'s' * (len(kept_by_hand) == 1)} nothing and take"
            f"{'s' * (len(kept_by_hand) == 1)} part in no hand-off, kept as written by hand"
        )
    n = len(shown)
    them = "them" if n != 1 else "it"
    said = (
        f"{n:,} team{'s' * (n != 1)} that own{'s' * (n == 1)} nothing and "
        f"take{'s' * (n == 1)} part in no hand-off"
    )
    if kept and recorded:
        return (
            f"{said} kept, as the last import chose (--keep-idle-teams; --drop-idle-teams "
            f"leaves {them} out): {some(shown)}"
        )
    if kept:
        return f"{said} kept, as --keep-idle-teams asks ({some(shown)})"
    note = f"{said} left out ({some(shown)}): --keep-idle-teams keeps {them}"
    if kept_by_hand:
        note += f"; {some(kept_by_hand)} kept as written by hand"
    return note


def some(names: Sequence[str], limit: int = 10) -> str:
    """The first ``limit`` names, then how many more: a summary line stays readable.

    >>> some(["a", "b", "c"], 2), some([])
    ('a, b and 1 more', 'none')
    """
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"


def hand_off_counts(org: Org) -> dict[str, int]:
    """The hand-offs and relations of ``org``, by the names the import summary gives them.

    A hand-off is everything one team hands another (a pair); a relation is one thing handed
    over (its ``what``), as in the org format. Outside suppliers' are not counted.
    """
    between = [r for r in org.relations if r.provider in org.teams and r.receiver in org.teams]
    served = [r for r in org.relations if r.provider in org.teams and r.receiver in org.customers]
    return {
        "team-to-team hand-offs": _pairs(between),
        "team-to-team relations": len(between),
        "hand-offs to external customers": _pairs(served),
        "relations to external customers": len(served),
    }


def _pairs(relations: list[Relation]) -> int:
    """How many (provider, receiver) pairs ``relations`` have. In the order the builder gives
    (by provider, then receiver) they are counted in one pass: a set of a million pair tuples
    was about 90 MB at the end of a million-row import. Any other order is counted by a set."""
    count = 0
    provider = receiver = ""
    for relation in relations:
        if count and relation.provider == provider and relation.receiver == receiver:
            continue
        if count and (
            relation.provider < provider
            or (relation.provider == provider and relation.receiver < receiver)
        ):
            return len({(r.provider, r.receiver) for r in relations})
        provider, receiver = relation.provider, relation.receiver
        count += 1
    return count


def source_error(diagnostics: Sequence[Diagnostic], outcome: str = "nothing imported") -> LoadError:
    """The error for a source that cannot become an org, listing every problem found;
    ``outcome`` ends its summary (``--from`` imports nothing: it reads)."""
    error = LoadError(diagnostics)
    error.args = (f"{errors_in(error.diagnostics, 'the source')}: {outcome}",)
    return error


def read_source(
    fmt: str,
    paths: Sequence[Path],
    backstage: BackstageOptions | None = None,
) -> ImportResult:
    """Read ``paths`` in the source ``fmt`` (``"backstage"`` or ``SourceFormat.backstage``)
    into an :class:`ImportResult`; nothing is written. An unknown name raises ValueError.
    """
    return find(str(fmt)).read(paths, backstage)


def source_files(root: Path) -> list[Path]:
    """The YAML files under the folder ``root`` an importer reads, less those of an org icmap
    wrote there: a folder whose ``org.yaml`` records an import (``icmap import teamapi . -o
    org`` writes one inside its source), so that ``--update`` and ``--from`` never read the
    last import's output back as a source."""
    from icmap.importers.writer import MARKER
    from icmap.loader.discover import discover

    files = discover(root)[0]
    written = [
        file.parent
        for file in files
        if file.name in ("org.yaml", "org.yml") and _records_an_import(file, MARKER)
    ]
    if not written:
        return files
    return [file for file in files if not any(file.is_relative_to(w) for w in written)]


def _records_an_import(org_file: Path, marker: str) -> bool:
    try:
        with org_file.open(encoding="utf-8", errors="replace") as lines:
            return any(line.startswith(f"{marker}:") for line in lines)
    except OSError:
        return False  # read as any other file, which reports why it cannot be
