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
from dataclasses import dataclass, replace

from icmap.importers import Provenance
from icmap.importers.build import printable
from icmap.loader.resolve import normalise_what
from icmap.model import Duration, Org, Relation, Team, format_hours

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


def _comment(text: str) -> str:
    """One line of comment text: YAML refuses control characters even in comments."""
    return " ".join(printable(text).split())


def _duration(value: Duration) -> str:
    return value.text or format_hours(value.hours)


@dataclass(frozen=True)
class WrittenOrg:
    """File name (relative, POSIX) -> content."""

    files: dict[str, str]


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
    provenance: dict[tuple[str, str, str], list[Provenance]],
    header: str,
) -> WrittenOrg:
    """The org files for ``org``, with ``header`` (one comment line each) atop ``org.yaml``."""
    lines = [f"# {_comment(line)}" for line in header.splitlines()]
    if org.name:
        lines.append(f"organisation: {scalar(org.name)}")
    lines.append("customers:")
    for customer in org.customers.values():
        lines.append(f"  {scalar(customer.id)}:")
        lines.extend(_party_fields(customer.name, customer.description, "    "))
        if not customer.name and not customer.description:
            lines[-1] = lines[-1] + " {}"
    if org.suppliers:
        lines.append("suppliers:")
        for supplier in org.suppliers.values():
            lines.append(f"  {scalar(supplier.id)}:")
            lines.extend(_party_fields(supplier.name, supplier.description, "    "))
            provided = [r for r in org.relations if r.provider == supplier.id]
            lines.extend(_relations(provided, "provides", provenance))
    files = {"org.yaml": "\n".join(lines) + "\n"}
    taken = {"org.yaml"}
    by_team: dict[str, list[Relation]] = {t: [] for t in org.teams}
    for relation in org.relations:
        side = relation.declarations[0].side
        owner = relation.provider if side == "provider" else relation.receiver
        if owner in by_team:
            by_team[owner].append(relation)
    for team in org.teams.values():
        files[file_name(team.id, taken)] = _team_file(team, by_team[team.id], provenance)
    return WrittenOrg(files)


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
    provenance: dict[tuple[str, str, str], list[Provenance]],
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
    lines.extend(_relations(provides, "provides", provenance))
    lines.extend(_relations(receives, "receives", provenance))
    if len(lines) == 2:
        lines[-1] += " {}"
    return "\n".join(lines) + "\n"


def _relations(
    relations: list[Relation],
    key: str,
    provenance: dict[tuple[str, str, str], list[Provenance]],
) -> list[str]:
    if not relations:
        return []
    lines = [f"    {key}:"]
    for relation in relations:
        why = provenance.get((relation.provider, relation.receiver, relation.what), [])
        for reason in why[:MAX_WHY]:
            lines.append(f"      # {_comment(f'{reason.text} ({reason.pos})')}")
        if len(why) > MAX_WHY:
            lines.append(f"      # …and {len(why) - MAX_WHY} more")
        other = relation.receiver if key == "provides" else relation.provider
        lines.append(f"      - what: {scalar(relation.what)}")
        lines.append(f"        {'to' if key == 'provides' else 'from'}: {scalar(other)}")
        if relation.lead_time is not None:
            lines.append(f"        lead_time: {_duration(relation.lead_time)}")
        if relation.satisfaction is not None:
            lines.append(f"        satisfaction: {relation.satisfaction:g}")
        if relation.feedback:
            lines.append("        feedback: true")
        for name in ("mode", "since", "until", "state"):
            value = getattr(relation, name)
            if value is not None:
                lines.append(f"        {name}: {value}")
    return lines


#: Relation fields people add by hand after an import, kept by ``--update``.
KEPT_FIELDS = ("lead_time", "satisfaction", "mode", "since", "until", "state")


@dataclass
class MergeReport:
    """What ``--update`` changed: added and removed teams and hand-offs, fields kept."""

    added_teams: list[str]
    removed_teams: list[str]
    added: list[str]
    removed: list[str]
    kept_fields: int


def _describe(relation: Relation) -> str:
    return f"{relation.provider} → {relation.receiver}: {relation.what}"


def merge(old: Org, new: Org) -> tuple[Org, MergeReport]:
    """``new`` with what people added to ``old`` by hand kept (see the module docstring).

    The source decides which teams, customers and hand-offs exist; for those that exist in both,
    every field the source leaves empty takes the old value. Outside suppliers, which no
    importer makes, are kept with their hand-offs to teams that still exist.
    """
    old_relations = {(r.provider, r.receiver, normalise_what(r.what)): r for r in old.relations}
    kept = 0
    relations: list[Relation] = []
    for relation in new.relations:
        before = old_relations.get(
            (relation.provider, relation.receiver, normalise_what(relation.what))
        )
        if before is not None:
            changes = {
                name: getattr(before, name)
                for name in KEPT_FIELDS
                if getattr(relation, name) is None and getattr(before, name) is not None
            }
            if before.feedback and not relation.feedback:
                changes["feedback"] = True
            if changes:
                kept += len(changes)
                declaration = replace(relation.declarations[0], **changes)
                relations.append(replace(relation, declarations=(declaration,), **changes))
                continue
        relations.append(relation)
    teams = dict(new.teams)
    for id_, team in new.teams.items():
        before_team = old.teams.get(id_)
        if before_team is not None:
            teams[id_] = replace(
                team,
                name=team.name or before_team.name,
                description=team.description or before_team.description,
                group=team.group or before_team.group,
                lead=team.lead or before_team.lead,
                type=team.type or before_team.type,
                ignore=team.ignore or before_team.ignore,
            )
    suppliers = dict(old.suppliers)
    relations.extend(r for r in old.relations if r.provider in suppliers and r.receiver in teams)
    new_keys = {(r.provider, r.receiver, normalise_what(r.what)) for r in relations}
    report = MergeReport(
        sorted(set(new.teams) - set(old.teams)),
        sorted(set(old.teams) - set(new.teams)),
        sorted(
            _describe(r)
            for r in new.relations
            if (r.provider, r.receiver, normalise_what(r.what)) not in old_relations
        ),
        sorted(_describe(r) for key, r in old_relations.items() if key not in new_keys),
        kept,
    )
    relations.sort(key=lambda r: (r.provider, r.receiver, normalise_what(r.what)))
    merged = Org(
        new.name or old.name,
        new.customers,
        suppliers,
        teams,
        tuple(relations),
        new.sources,
    )
    return merged, report
