"""Writing an org as idiomatic org files: ``org.yaml`` plus ``teams/<id>.yaml`` per team.

Each relation is written on the side that declared it (a Backstage hand-off under its provider's
``provides``, a Team API dependency under its receiver's ``receives``), preceded by comments
saying where it came from. The files load (``icmap.load``) into the same graph as the org given.

:func:`merge` is the ``--update`` step: the new import decides which teams and hand-offs exist;
fields people added to them by hand (lead times, satisfaction, feedback, leads...) are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from icmap.importers import Provenance
from icmap.importers.build import printable
from icmap.loader.resolve import normalise_what
from icmap.model import Duration, Measured, Org, Relation, Stream, Team, format_hours

if TYPE_CHECKING:
    from icmap.loader.compose import Node

#: Provenance comments written above one relation; the rest are counted.
MAX_WHY = 5
_PLAIN = re.compile(r"^[A-Za-z0-9][\w .,/()&+'-]*$")
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})


def scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back as the same text, else quoted.

    >>> scalar("team-a"), scalar("no"), scalar("a: b"), scalar("Ops #1")
    ('team-a', '"no"', '"a: b"', '"Ops #1"')
    """
    plain = (
        _PLAIN.match(text)
        and text.lower() not in _RESERVED
        and not text.endswith((" ", ":"))
        and not re.match(r"^[0-9+.-][0-9.:eE+-]*$", text)
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def _some(names: list[str], limit: int) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"


def _comment(text: str) -> str:
    """One line of comment text: YAML refuses control characters even in comments."""
    return " ".join(printable(text).split())


def _duration(value: Duration) -> str:
    return value.text or format_hours(value.hours)


def _share(value: float) -> str:
    """A %C&A as the org format writes it.

    >>> _share(0.85), _share(0.875), _share(1.0)
    ('85%', '87.5%', '100%')
    """
    return f"{round(value * 100, 4):g}%"


def _streams(streams: dict[str, Stream]) -> list[str]:
    """The ``streams:`` section of ``org.yaml``."""
    if not streams:
        return []
    lines = ["streams:"]
    for stream in streams.values():
        lines.append(f"  {scalar(stream.id)}:")
        if stream.name:
            lines.append(f"    name: {scalar(stream.name)}")
        lines.append(f"    customer: {scalar(stream.customer)}")
        for key in ("starts", "description"):
            value = getattr(stream, key)
            if value:
                lines.append(f"    {key}: {scalar(value)}")
        if stream.target is not None:
            lines.append(f"    target: {_duration(stream.target)}")
    return lines


class WrittenOrg:
    """The org's files: their names (relative, POSIX), and their texts made one at a time as
    they are written, so a million hand-offs are never all held as text."""

    def __init__(self, names: list[str], make: Callable[[], Iterator[Iterable[str]]]) -> None:
        self.names = names
        self._make = make

    def pieces(self) -> Iterator[tuple[str, Iterable[str]]]:
        """Each file's name and its text in pieces, in order, each piece made only when taken:
        org.yaml's record of a million hand-offs is never held as one list or one string."""
        return zip(self.names, self._make(), strict=True)

    def texts(self) -> Iterator[tuple[str, str]]:
        """Each file's name and text, in order, the text made only now."""
        return ((name, "".join(pieces)) for name, pieces in self.pieces())

    @property
    def files(self) -> dict[str, str]:
        """File name -> content, all at once."""
        return dict(self.texts())

    def past_the_loader(self) -> list[tuple[str, int]]:
        """The files larger than the loader reads (``MAX_FILE_BYTES``), with their sizes in
        bytes: written, the org would not load."""
        from icmap.loader.source import MAX_FILE_BYTES

        found = []
        for name, pieces in self.pieces():
            size = sum(utf8_size(piece) for piece in pieces)
            if size > MAX_FILE_BYTES:
                found.append((name, size))
        return found


def utf8_size(text: str) -> int:
    """The size of ``text`` in UTF-8; ASCII text (CPython knows it without a scan) is not
    encoded to know."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def too_large(text: str) -> int:
    """The size of ``text`` in UTF-8 when the loader would refuse a file of it, else 0."""
    from icmap.loader.source import MAX_FILE_BYTES

    size = utf8_size(text)
    return size if size > MAX_FILE_BYTES else 0


def file_name(team_id: str, taken: set[str]) -> str:
    """A safe, unique (also on case-insensitive disks) file name for a team's file."""
    base = re.sub(r"[^\w.-]", "_", team_id).lstrip(".") or "team"
    name, n = base, 1
    while f"teams/{name}.yaml".lower() in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(f"teams/{name}.yaml".lower())
    return f"teams/{name}.yaml"


def render_org(
    org: Org,
    provenance: Mapping[tuple[str, str, str], list[Provenance]],
    header: str,
    imported: tuple[str, Org] | None = None,
    customers: tuple[str, ...] = (),
    *,
    keep_idle: bool = False,
    owned: Mapping[str, list[str]] | None = None,
) -> WrittenOrg:
    """The org files for ``org``, with ``header`` (one comment line each) atop ``org.yaml``.

    ``owned`` (team id -> what it owns in the source) is written as a comment in the file of
    a team without hand-offs, which would otherwise say only ``team-c: {}``.

    ``imported`` (the format and the org the source gave) is recorded under
    :data:`MARKER`, so that a later ``--update`` knows which entries people added by hand.
    """

    def org_file() -> Iterator[str]:
        # Made only as it is written, in pieces of lines: its record of every hand-off is
        # never held whole, as lines or as text.
        lines = [f"# {_comment(line)}" for line in header.splitlines()]
        if org.name:
            lines.append(f"organisation: {scalar(org.name)}")
        lines.append("customers:")
        for customer in org.customers.values():
            lines.append(f"  {scalar(customer.id)}:")
            lines.extend(_party_fields(customer.name, customer.description, "    "))
            if not customer.name and not customer.description:
                lines[-1] = lines[-1] + " {}"
        lines.extend(_streams(org.streams))
        if org.suppliers:
            lines.append("suppliers:")
            for supplier in org.suppliers.values():
                lines.append(f"  {scalar(supplier.id)}:")
                lines.extend(_party_fields(supplier.name, supplier.description, "    "))
                provided = [r for r in org.relations if r.provider == supplier.id]
                lines.extend(_relations(provided, "provides", reasons))
        if imported is not None:
            for line in marker_lines(*imported, customers, keep_idle=keep_idle):
                lines.append(line)
                if len(lines) >= _PIECE_LINES:
                    yield "\n".join(lines) + "\n"
                    lines = []
        if lines:
            yield "\n".join(lines) + "\n"

    reasons = _reasons_of(org, provenance)
    taken = {"org.yaml"}
    by_team: dict[str, list[Relation]] = {t: [] for t in org.teams}
    for relation in org.relations:
        side = relation.declarations[0].side
        owner = relation.provider if side == "provider" else relation.receiver
        if owner in by_team:
            by_team[owner].append(relation)
    names = ["org.yaml", *(file_name(team, taken) for team in org.teams)]

    def texts() -> Iterator[Iterable[str]]:
        yield org_file()
        for team in org.teams.values():
            yield (_team_file(team, by_team[team.id], reasons, (owned or {}).get(team.id, [])),)

    return WrittenOrg(names, texts)


def _party_fields(name: str, description: str | None, indent: str) -> list[str]:
    lines = []
    if name:
        lines.append(f"{indent}name: {scalar(name)}")
    if description:
        lines.append(f"{indent}description: {scalar(description)}")
    return lines


def _team_file(
    team: Team,
    relations: list[Relation],
    reasons: Reasons,
    owned: list[str] = [],  # noqa: B006 - read only
) -> str:
    lines = ["teams:", f"  {scalar(team.id)}:"]
    lines.extend(_party_fields(team.name, team.description, "    "))
    for key, value in (("group", team.group), ("lead", team.lead), ("type", team.type)):
        if value:
            lines.append(f"    {key}: {scalar(value)}")
    if team.ignore:
        lines.append("    ignore:")
        for suppression in team.ignore:
            lines.append(f"      {scalar(suppression.rule)}: {scalar(suppression.reason)}")
    provides = [r for r in relations if r.declarations[0].side == "provider"]
    receives = [r for r in relations if r.declarations[0].side == "receiver"]
    lines.extend(_relations(provides, "provides", reasons))
    lines.extend(_relations(receives, "receives", reasons))
    if len(lines) == 2:
        lines[-1] += " {}"
        if owned:
            # No hand-off to show where the team's work is: say what it owns in the source.
            lines.insert(1, f"  # {_comment(f'owns: {_some(owned, 10)}')}")
    return "\n".join(lines) + "\n"


#: Why a relation was written: its provenance, as comments.
Reasons = Callable[[Relation], list[Provenance]]


def _reasons_of(org: Org, provenance: Mapping[tuple[str, str, str], list[Provenance]]) -> Reasons:
    from icmap.importers.build import Provenances

    if isinstance(provenance, Provenances) and provenance.made_from(org.relations):
        # The import's own org (no --update merge): each relation's reasons are its origins,
        # so no index of a million relations by what is built to look them up (about 40 MB).
        return lambda relation: [Provenance(o.why, o.pos) for o in relation.origins]
    return lambda relation: provenance.get(
        (relation.provider, relation.receiver, relation.what), []
    )


def _relations(relations: list[Relation], key: str, reasons: Reasons) -> list[str]:
    if not relations:
        return []
    lines = [f"    {key}:"]
    for relation in relations:
        why = reasons(relation)
        for reason in why[:MAX_WHY]:
            lines.append(f"      # {_comment(f'{reason.text} ({reason.pos})')}")
        if len(why) > MAX_WHY:
            lines.append(f"      # …and {len(why) - MAX_WHY} more")
        other = relation.receiver if key == "provides" else relation.provider
        lines.append(f"      - what: {scalar(relation.what)}")
        lines.append(f"        {'to' if key == 'provides' else 'from'}: {scalar(other)}")
        lines.extend(f"        {line}" for line in _relation_fields(relation))
    return lines


def _relation_fields(relation: Relation) -> list[str]:
    """A relation's optional keys as ``key: value`` lines, in the format's order."""
    lines = []
    if relation.lead_time is not None:
        lines.append(f"lead_time: {_duration(relation.lead_time)}")
    if relation.satisfaction is not None:
        lines.append(f"satisfaction: {relation.satisfaction:g}")
    if relation.feedback:
        lines.append("feedback: true")
    for name in ("mode", "since", "until", "state"):
        value = getattr(relation, name)
        if value is not None:
            lines.append(f"{name}: {value}")
    if relation.streams:
        lines.append(f"streams: [{', '.join(scalar(s) for s in relation.streams)}]")
    if relation.process_time is not None:
        lines.append(f"process_time: {_duration(relation.process_time)}")
    if relation.complete_accurate is not None:
        lines.append(f"complete_accurate: {_share(relation.complete_accurate)}")
    if relation.measured is not None:
        lines.append(f"measured: {_measured(relation.measured)}")
    return lines


def _measured(measured: Measured) -> str:
    """A ``measured:`` block on one line.

    >>> _measured(Measured(12, 10, Duration(4.5), Duration(30.0), 0.25, None, None))
    '{handoffs: 12, cases: 10, median: 4.5h, p85: 1.25d, return_rate: 25%}'
    """
    parts = [f"handoffs: {measured.handoffs}", f"cases: {measured.cases}"]
    for name in ("median", "p85"):
        value = getattr(measured, name)
        if value is not None:
            parts.append(f"{name}: {format_hours(value.hours, weeks=False)}")
    if measured.return_rate is not None:
        parts.append(f"return_rate: {_share(measured.return_rate)}")
    for name in ("first", "last"):
        value = getattr(measured, name)
        if value is not None:
            parts.append(f"{name}: {value.isoformat()}")
    if measured.alone is not None:
        parts.append(f"alone: {measured.alone}")
    return "{" + ", ".join(parts) + "}"


#: Relation fields people add by hand after an import, kept by ``--update``.
KEPT_FIELDS = (
    "lead_time",
    "satisfaction",
    "mode",
    "since",
    "until",
    "state",
    "process_time",
    "complete_accurate",
)


@dataclass
class MergeReport:
    """What ``--update`` changed: added and removed teams, customers and relations (each
    relation as ``provider → receiver: what``), and what was kept."""

    added_teams: list[str]
    removed_teams: list[str]
    added: list[str]
    #: Each relation removed, with why: "gone from the source", "team x is gone".
    removed: list[tuple[str, str]]
    #: Fields the source leaves empty that the org had, kept on teams and relations that
    #: are in both (a team's lead and a relation's lead time count one each).
    kept_fields: int
    #: Teams, customers and relations written by hand (not in the last import), kept as they are.
    kept_teams: list[str] = field(default_factory=list)
    kept_hand_offs: list[str] = field(default_factory=list)
    added_customers: list[str] = field(default_factory=list)
    removed_customers: list[str] = field(default_factory=list)
    kept_customers: list[str] = field(default_factory=list)
    #: Files of the org the update deletes: what they held is rewritten in the import layout.
    removed_files: list[str] = field(default_factory=list)
    #: Imported relations whose ``what`` the source changed, each as the relation now and its
    #: ``what`` before: the only one
    #: gone and the only one new between the same two teams, its hand-added fields kept.
    renamed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def removes(self) -> bool:
        """Whether the update removes a team, customer, relation or file."""
        return bool(
            self.removed_teams or self.removed_customers or self.removed or self.removed_files
        )


@dataclass(frozen=True)
class Imported:
    """What the last import wrote (``x-icmap-import`` in org.yaml): the rest is hand-made."""

    parties: frozenset[str]
    relations: frozenset[tuple[str, str, str]]
    #: The --customer selectors it was run with: --update reuses them unless given others.
    customers: tuple[str, ...] = ()
    #: Whether it kept the teams that own nothing and hand nothing off (--keep-idle-teams).
    keep_idle: bool = False
    #: The format it read (``backstage``, ``csv``…), or ``None`` when the record lacks it.
    format: str | None = None
    #: The fields it wrote on each hand-off and team: a value among them that the source no
    #: longer gives was the source's, not added by hand, so --update drops it.
    fields: Mapping[tuple[str, str, str], frozenset[str]] = field(default_factory=dict)
    team_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _key(relation: Relation) -> tuple[str, str, str]:
    return relation.provider, relation.receiver, normalise_what(relation.what)


def _describe(relation: Relation) -> str:
    return f"{relation.provider} → {relation.receiver}: {relation.what}"


def _kept_fields(
    relation: Relation,
    before: Relation,
    source_streams: frozenset[str] = frozenset(),
    imported: frozenset[str] = frozenset(),
) -> tuple[Relation, int]:
    """``relation`` with the fields the source leaves empty taken from ``before``, and how
    many, but for those the last import wrote (``imported``). Of ``before``'s streams, those
    the source does not declare were named by hand and are kept; the source decides about its
    own."""
    changes: dict[str, object] = {
        name: getattr(before, name)
        for name in KEPT_FIELDS
        if getattr(relation, name) is None
        and getattr(before, name) is not None
        and name not in imported
    }
    if before.feedback and not relation.feedback and "feedback" not in imported:
        changes["feedback"] = True
    declared: dict[str, object] = {}
    hand_named = [s for s in before.streams if s not in source_streams]
    if hand_named and not set(hand_named) <= set(relation.streams):
        streams = tuple(sorted({*relation.streams, *hand_named}))
        changes["streams"] = streams
        declared["streams"] = tuple((s, relation.pos) for s in streams)
    if not changes:
        return relation, 0
    declared = {**changes, **declared}
    declaration = replace(relation.declarations[0], **declared)  # type: ignore[arg-type]
    return replace(relation, declarations=(declaration,), **changes), len(changes)  # type: ignore[arg-type]


#: Team fields the source may leave empty, kept from the org then (``name`` included).
_TEAM_FIELDS = ("name", "description", "group", "lead", "type", "ignore")


def _kept_team_fields(
    team: Team, before: Team, imported: frozenset[str] = frozenset()
) -> tuple[Team, int]:
    changes = {
        name: getattr(before, name)
        for name in _TEAM_FIELDS
        if not getattr(team, name) and getattr(before, name) and name not in imported
    }
    return (replace(team, **changes), len(changes)) if changes else (team, 0)


#: What the last import wrote as each relation's provenance comments (:func:`written_reasons`,
#: read only when asked) and what the source now gives (the import's provenance): a relation
#: is renamed only when the two say the same.
ReasonsBefore = tuple[
    Callable[[], Mapping[tuple[str, str, str], tuple[str, ...]]],
    Mapping[tuple[str, str, str], list[Provenance]],
]


def _renamed(
    old_relations: Mapping[tuple[str, str, str], Relation],
    new: Org,
    imported: Imported | None,
    reasons: ReasonsBefore | None,
) -> dict[tuple[str, str, str], Relation]:
    """New relation key -> the imported relation it renames: between two teams, the one
    imported relation gone from the source and the one new in it, made from the same source
    entries (a component given a title changes its hand-off's ``what``, not why it exists).
    Two or more either way could be paired wrongly, and are left as removed and added, as is
    a new relation from other entries (a component replaced by another)."""
    if reasons is None:
        return {}
    new_keys = {_key(r) for r in new.relations}
    gone: dict[tuple[str, str], list[Relation]] = {}
    for key, relation in old_relations.items():
        if key not in new_keys and (imported is None or key in imported.relations):
            gone.setdefault(key[:2], []).append(relation)
    if not gone:
        return {}
    fresh: dict[tuple[str, str], list[Relation]] = {}
    for relation in new.relations:
        key = _key(relation)
        if key[:2] in gone and key not in old_relations:
            fresh.setdefault(key[:2], []).append(relation)
    pairs = [
        (gone[pair][0], found[0])
        for pair, found in fresh.items()
        if len(found) == 1 and len(gone[pair]) == 1
    ]
    if not pairs:
        return {}
    written, provenance = reasons[0](), reasons[1]
    renamed = {}
    for before, now in pairs:
        said = provenance.get((now.provider, now.receiver, now.what), [])
        texts = tuple(_comment(p.text) for p in said[:MAX_WHY])
        if texts and written.get(_key(before)) == texts:
            renamed[_key(now)] = before
    return renamed


_WRITTEN_AT = re.compile(r" \([^()]*\)$")


def _unscalar(text: str) -> str:
    """A scalar as :func:`scalar` wrote it, back as text."""
    if text.startswith('"'):
        try:
            return str(json.loads(text))
        except ValueError:
            return text
    return text


def written_reasons(files: Iterable[Path]) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """The provenance comments above each relation in team files as :func:`render_org` lays
    them out, without their places (an edit above an entry moves it, not why it exists). A
    relation whose file was rearranged by hand is not found, and so never taken as renamed."""
    found: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        team = side = what = None
        said: list[str] = []
        for line in lines:
            if line.startswith("      # "):
                said.append(_WRITTEN_AT.sub("", line[8:]))
                continue
            if line.startswith("      - what: "):
                what = _unscalar(line[14:])
                continue
            if team and side and what and line.startswith(("        to: ", "        from: ")):
                other = _unscalar(line.split(": ", 1)[1])
                ends = (team, other) if side == "provides" else (other, team)
                found[ends[0], ends[1], normalise_what(what)] = tuple(
                    text for text in said if not text.startswith("\u2026and ")
                )
            elif line.startswith("  ") and not line.startswith("   ") and line.endswith(":"):
                team = _unscalar(line[2:-1])
            elif line in ("    provides:", "    receives:"):
                side = line.strip()[:-1]
            if not line.startswith("        "):
                what = None
            said = []
    return found


def merge(
    old: Org,
    new: Org,
    imported: Imported | None = None,
    reasons: ReasonsBefore | None = None,
) -> tuple[Org, MergeReport]:
    """``new`` with what people added to ``old`` by hand kept (see the module docstring).

    The source decides which imported teams, customers and hand-offs exist; for those that
    exist in both, every field the source leaves empty takes the old value. ``imported`` names
    what the last import wrote: teams, customers and hand-offs outside it were added by hand
    and are kept while their ends exist (without it, everything in ``old`` counts as imported).
    Outside suppliers, which no importer makes, are kept with their hand-offs to teams.
    """
    old_relations = {_key(r): r for r in old.relations}
    renamed = _renamed(old_relations, new, imported, reasons)

    def hand_made(id_: str) -> bool:
        return imported is not None and id_ not in imported.parties

    kept = 0
    relations: list[Relation] = []
    for fresh in new.relations:
        before = old_relations.get(_key(fresh)) or renamed.get(_key(fresh))
        if before is None:
            relations.append(fresh)
            continue
        updated, count = _kept_fields(
            fresh,
            before,
            frozenset(new.streams),
            imported.fields.get(_key(before), frozenset()) if imported else frozenset(),
        )
        kept += count
        relations.append(updated)
    teams = dict(new.teams)
    for id_, team in new.teams.items():
        before_team = old.teams.get(id_)
        if before_team is not None:
            teams[id_], count = _kept_team_fields(
                team,
                before_team,
                imported.team_fields.get(id_, frozenset()) if imported else frozenset(),
            )
            kept += count
    kept_teams = sorted(t for t in old.teams if t not in teams and hand_made(t))
    teams.update({t: old.teams[t] for t in kept_teams})
    customers = dict(new.customers)
    kept_customers = sorted(c for c in old.customers if c not in customers and hand_made(c))
    customers.update({c: old.customers[c] for c in kept_customers})
    suppliers = dict(old.suppliers)
    parties = {*teams, *customers, *suppliers}
    new_keys = {_key(r) for r in relations}
    was_renamed = {_key(r) for r in renamed.values()}
    kept_hand_offs = [
        r
        for key, r in old_relations.items()
        if key not in new_keys
        and r.provider in parties
        and r.receiver in parties
        and (r.provider in suppliers or (imported is not None and key not in imported.relations))
    ]
    relations.extend(kept_hand_offs)
    new_keys.update(_key(r) for r in kept_hand_offs)

    def why_removed(key: tuple[str, str, str], relation: Relation) -> str:
        gone = [end for end in (relation.provider, relation.receiver) if end not in parties]
        if imported is not None and key not in imported.relations and gone:
            return f"{' and '.join(gone)} {'is' if len(gone) == 1 else 'are'} gone"
        return "gone from the source"

    report = MergeReport(
        sorted(set(new.teams) - set(old.teams)),
        sorted(set(old.teams) - set(teams)),
        sorted(
            _describe(r)
            for r in new.relations
            if _key(r) not in old_relations and _key(r) not in renamed
        ),
        sorted(
            (_describe(r), why_removed(key, r))
            for key, r in old_relations.items()
            if key not in new_keys and key not in was_renamed
        ),
        kept,
        kept_teams,
        sorted(_describe(r) for r in kept_hand_offs if r.provider not in suppliers),
        sorted(set(new.customers) - set(old.customers)),
        sorted(set(old.customers) - set(customers)),
        kept_customers,
        renamed=sorted(
            (_describe(r), before.what)
            for r in new.relations
            if (before := renamed.get(_key(r))) is not None
        ),
    )
    relations.sort(key=_key)
    merged = Org(
        new.name or old.name,
        {c: customers[c] for c in sorted(customers)},
        suppliers,
        {t: teams[t] for t in sorted(teams)},
        tuple(relations),
        new.sources,
        streams=_merged_streams(old, new, relations, customers),
    )
    return merged, report


def _merged_streams(
    old: Org, new: Org, relations: list[Relation], customers: Mapping[str, object]
) -> dict[str, Stream]:
    """The source's streams, with what people added to them by hand (a target, a description,
    what starts it, a name), and the streams added by hand that a kept hand-off still names
    (and whose customer is still there)."""
    named = {s for r in relations for s in r.streams}
    found: dict[str, Stream] = {}
    for id_, fresh in new.streams.items():
        before = old.streams.get(id_)
        if before is not None and before.customer == fresh.customer:
            fresh = replace(  # noqa: PLW2901 - the source's stream, with the hand-made fields
                fresh,
                name=fresh.name or before.name,
                description=fresh.description or before.description,
                starts=fresh.starts or before.starts,
                target=fresh.target or before.target,
            )
        found[id_] = fresh
    for id_, stream in old.streams.items():
        if id_ not in found and id_ in named and stream.customer in customers:
            found[id_] = stream
    return {k: found[k] for k in sorted(found)}


#: The top-level key (ignored by the loader, as every ``x-`` key) listing what was imported.
MARKER = "x-icmap-import"
#: Entries in one list of the record. The loader reads at most 200,000 entries in one list (an
#: ``x-`` key's too), so a longer record is written as a list of lists of this many: an import
#: of a million hand-offs writes an org.yaml that loads. Shorter records keep the flat form.
RECORD_CHUNK = 100_000


#: Lines of org.yaml made into one piece of text before it is written.
_PIECE_LINES = 10_000


def _chunked(entries: Iterable[str], count: int, indent: str) -> Iterator[str]:
    """``entries`` (flow-style YAML, ``count`` of them) as block-list lines at ``indent``:
    flat when they fit in one list, else one nested list per :data:`RECORD_CHUNK` entries."""
    if count <= RECORD_CHUNK:
        for entry in entries:
            yield f"{indent}- {entry}"
        return
    for n, entry in enumerate(entries):
        yield f"{indent}- - {entry}" if n % RECORD_CHUNK == 0 else f"{indent}  - {entry}"


def marker(
    fmt: str, org: Org, customers: tuple[str, ...] = (), *, keep_idle: bool = False
) -> list[str]:
    """Lines of ``org.yaml`` naming every party and hand-off the import wrote (and the
    ``--customer`` selectors and ``--keep-idle-teams`` it used)."""
    return list(marker_lines(fmt, org, customers, keep_idle=keep_idle))


def marker_lines(
    fmt: str, org: Org, customers: tuple[str, ...] = (), *, keep_idle: bool = False
) -> Iterator[str]:
    """:func:`marker`'s lines, each made only when taken."""
    yield "# What the import wrote; everything else is yours and 'icmap import --update' keeps it."
    yield f"{MARKER}:"
    yield f"  format: {fmt}"
    if customers:
        yield (
            "  customer: [" + ", ".join(json.dumps(c, ensure_ascii=False) for c in customers) + "]"
        )
    if keep_idle:
        yield "  keep-idle-teams: true"
    ids = sorted({*org.teams, *org.customers})
    parties = [json.dumps(p, ensure_ascii=False) for p in ids]
    if len(parties) <= RECORD_CHUNK:
        yield "  parties: [" + ", ".join(parties) + "]"
    else:
        yield "  parties:"
        yield from _chunked(parties, len(parties), "    ")
    del parties
    recorded = [r for r in org.relations if r.provider not in org.suppliers]
    if not recorded:
        yield "  hand-offs: []"
        yield from _fields_record(org, ids, recorded)
        return
    yield "  hand-offs:"
    hand_offs = (json.dumps([r.provider, r.receiver, r.what], ensure_ascii=False) for r in recorded)
    yield from _chunked(hand_offs, len(recorded), "    ")
    yield from _fields_record(org, ids, recorded)


#: What a hand-off's and a team's code in the record's ``written`` and ``team-written`` can
#: name: bit ``i`` for the ``i``-th field.
_WRITTEN = (*KEPT_FIELDS, "feedback")
#: Two of these per hand-off or party: 10 bits, no quoting in YAML.
_DIGITS = "0123456789abcdefghijklmnopqrstuv"
#: Hand-offs (or parties) per line of the record's ``written`` strings.
_CODES_PER_LINE = 500


def _relation_bits(relation: Relation) -> int:
    bits = sum(1 << i for i, name in enumerate(KEPT_FIELDS) if getattr(relation, name) is not None)
    return bits | (1 << len(KEPT_FIELDS)) if relation.feedback else bits


def _team_bits(team: Team | None) -> int:
    if team is None:  # a customer: the record names what was written on teams only
        return 0
    return sum(1 << i for i, name in enumerate(_TEAM_FIELDS) if getattr(team, name))


def _codes(bits: Iterable[int], indent: str) -> Iterator[str]:
    """``bits`` as the record's lines: two digits each, :data:`_CODES_PER_LINE` to a line."""
    line: list[str] = []
    for value in bits:
        line.append(_DIGITS[value >> 5] + _DIGITS[value & 31])
        if len(line) == _CODES_PER_LINE:
            yield f"{indent}- {''.join(line)}"
            line = []
    if line:
        yield f"{indent}- {''.join(line)}"


def _fields_record(org: Org, parties: list[str], recorded: list[Relation]) -> Iterator[str]:
    """The record's ``written`` and ``team-written``: which values the import wrote on each
    hand-off and team, in the order of ``hand-offs`` and ``parties``, so that --update drops a
    value the source no longer gives instead of keeping it as hand-added. Two characters a
    hand-off (a million rows: 2 MB, where a list naming the fields took 50 MB), and left out
    when the import wrote none (a catalog's hand-offs have none)."""
    if any(map(_relation_bits, recorded)):
        yield "  written:"
        yield from _codes(map(_relation_bits, recorded), "    ")
    teams = org.teams
    if any(_team_bits(teams.get(p)) for p in parties):
        yield "  team-written:"
        yield from _codes((_team_bits(teams.get(p)) for p in parties), "    ")


def _names(code: str, names: tuple[str, ...], known: dict[str, frozenset[str]]) -> frozenset[str]:
    """The fields a record's two-digit ``code`` names (the same set shared by every code)."""
    found = known.get(code)
    if found is None:
        try:
            bits = _DIGITS.index(code[0]) << 5 | _DIGITS.index(code[1])
        except (ValueError, IndexError):
            bits = 0  # a record edited by hand: nothing taken as written
        found = known[code] = frozenset(n for i, n in enumerate(names) if bits >> i & 1)
    return found


def _flattened(node: Node | None, entry_is_list: bool) -> Iterator[Node]:
    """The entries of a record's list, written flat or as lists of lists
    (:data:`RECORD_CHUNK`). A chunk is a list entry of a list of scalars (``parties``), or a
    list entry whose first entry is a list too (``hand-offs``, whose entries are lists)."""
    from icmap.importers.nodes import items
    from icmap.loader.compose import SequenceNode

    for entry in items(node):
        inner = entry.value if isinstance(entry, SequenceNode) else []
        if inner and (not entry_is_list or isinstance(inner[0], SequenceNode)):
            yield from inner
        else:
            yield entry


def read_marker(path: Path) -> Imported | None:
    """What the import that wrote ``path`` (an org.yaml) recorded, if it did."""
    from icmap.importers.nodes import entries, get, items, text
    from icmap.loader.source import parse_file

    if not path.is_file():
        return None
    found = entries(get(entries(parse_file(path, str(path)).root), MARKER))
    if found is None:
        return None
    listed = [text(n) for n in _flattened(get(found, "parties"), False)]
    parties = frozenset(t for t in listed if t)
    written = "".join(text(n) or "" for n in items(get(found, "written")))
    team_written = "".join(text(n) or "" for n in items(get(found, "team-written")))
    known: dict[str, frozenset[str]] = {}
    relations = set()
    fields: dict[tuple[str, str, str], frozenset[str]] = {}
    # Each code stands at its entry's place, a malformed entry's too.
    for index, node in enumerate(_flattened(get(found, "hand-offs"), True)):
        parts = [text(part) for part in items(node)]
        if len(parts) == 3 and all(parts):
            provider, receiver, what = (str(p) for p in parts)
            key = (provider, receiver, normalise_what(what))
            relations.add(key)
            code = written[2 * index : 2 * index + 2]
            if code and code != "00":
                fields[key] = _names(code, _WRITTEN, known)
    team_fields: dict[str, frozenset[str]] = {}
    team_known: dict[str, frozenset[str]] = {}
    for index, party in enumerate(listed):
        code = team_written[2 * index : 2 * index + 2]
        if party and code and code != "00":
            team_fields[str(party)] = _names(code, _TEAM_FIELDS, team_known)
    customers = tuple(c for c in (text(n) for n in items(get(found, "customer"))) if c)
    keep_idle = (text(get(found, "keep-idle-teams")) or "").lower() == "true"
    fmt = text(get(found, "format"))
    return Imported(
        parties,
        frozenset(relations),
        customers,
        keep_idle,
        str(fmt) if fmt else None,
        fields,
        team_fields,
    )
