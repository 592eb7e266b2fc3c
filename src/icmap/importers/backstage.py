"""Backstage software catalogs as an org: groups become teams, entity relations hand-offs.

The mapping (docs/import.md says it for users):

- Every ``Group`` that owns a Component, API, Resource or System (directly, or through a
  ``User`` who is a member of exactly one group), and every group without child groups, is a
  team. Its ``spec.parent`` names the team's ``group`` for clustering. Groups that only hold
  other groups (departments) are not teams.
- A relation between two entities is a hand-off between their owners: the owner of the entity
  depended on, consumed or contained **provides** to the owner of the entity that depends on
  it, consumes it or contains it. Relations inside one team are counted, not written.
- External customers: by default, every Component that nothing in the catalog depends on,
  consumes or is built from faces the one external customer; ``BackstageOptions`` selects
  customer-facing entities by kind, ``spec.type``, tag or ref instead.

Location entities are followed through relative ``target``/``targets`` (globs allowed); URL
targets are reported and never fetched. Every odd shape is a warning at its ``file:line:col``.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from icmap.diagnostics import Diagnostic
from icmap.importers import (
    BackstageOptions,
    ImportResult,
    hand_off_counts,
    some,
)
from icmap.importers.build import OrgBuilder, printable, slug
from icmap.importers.nodes import entries, get, is_null, items, position, shape, text
from icmap.loader.compose import Node
from icmap.loader.discover import discover
from icmap.loader.source import parse_documents
from icmap.model import SourcePos

#: Kinds whose ownership makes a group a team and whose relations are hand-offs.
WORKLOADS = ("component", "api", "resource", "system")
KNOWN_KINDS = frozenset({*WORKLOADS, "domain", "group", "user", "location", "template"})
#: Spec fields holding relations: field -> (implied kind of the ref, the provider is the ref?).
#: ``True``: the entity named provides to this one (this one depends on it, consumes it).
SPEC_RELATIONS: dict[str, tuple[str, bool]] = {
    "dependsOn": ("component", True),
    "dependencyOf": ("component", False),
    "consumesApis": ("api", True),
    "providesApis": ("api", False),
    "apiConsumedBy": ("component", False),
    "apiProvidedBy": ("component", True),
    "subcomponentOf": ("component", False),
    "hasSubcomponent": ("component", True),
    "system": ("system", False),
    "domain": ("domain", False),
}
#: The relations that make an entity "depended on" for the default customer rule.
DEPENDENCY_FIELDS = frozenset(SPEC_RELATIONS) - {"system", "domain"}
#: Component → the API it implements: the component is depended on only when the API is
#: (something consumes it); an API nobody consumes leaves its component customer-facing.
IMPLEMENTS = frozenset({"providesApis", "apiProvidedBy"})
#: ``relations:`` of entities exported from the catalog API, read like the spec fields.
EXPORTED_RELATIONS: dict[str, str] = {
    "dependsOn": "dependsOn",
    "dependencyOf": "dependencyOf",
    "consumesApi": "consumesApis",
    "apiConsumedBy": "apiConsumedBy",
    "providesApi": "providesApis",
    "apiProvidedBy": "apiProvidedBy",
    "subcomponentOf": "subcomponentOf",
    "hasSubcomponent": "hasSubcomponent",
    "partOf": "system",
}
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass
class Entity:
    kind: str
    namespace: str
    name: str
    pos: SourcePos
    spec: dict[str, tuple[Node, Node]] | None
    file: str
    title: str = ""
    description: str | None = None
    tags: tuple[str, ...] = ()
    raw_kind: str = ""
    exported: list[tuple[str, Node]] = field(default_factory=list)
    #: ``spec`` was there but not a mapping (already reported): its owner is not missing.
    spec_broken: bool = False

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"

    @property
    def label(self) -> str:
        return self.title or self.name

    @property
    def short(self) -> str:
        """The ref as people write it: ``component:x`` in the default namespace."""
        where = "" if self.namespace == "default" else f"{self.namespace}/"
        return f"{self.kind}:{where}{self.name}"


def parse_ref(
    raw: str, default_kind: str | None, default_namespace: str
) -> tuple[str | None, str, str]:
    """``[kind:][namespace/]name`` in lower case; kind ``None`` when neither given nor implied.

    >>> parse_ref("Group:Default/Team-A", None, "default")
    ('group', 'default', 'team-a')
    >>> parse_ref("team-a", "group", "default"), parse_ref("ops/db", "resource", "default")
    (('group', 'default', 'team-a'), ('resource', 'ops', 'db'))
    """
    kind: str | None = default_kind
    rest = raw.strip()
    if ":" in rest:
        kind, rest = rest.split(":", 1)
    namespace = default_namespace
    if "/" in rest:
        namespace, rest = rest.split("/", 1)
    return (kind.strip().lower() if kind else None), namespace.strip().lower(), rest.strip().lower()


def _inside(real: str, top: str) -> bool:
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


class _Catalog:
    def __init__(self, options: BackstageOptions) -> None:
        self.roots: list[str] = []
        self.options = options
        self.builder = OrgBuilder()
        self.entities: dict[str, Entity] = {}
        self.by_name: dict[str, list[Entity]] = {}
        self.files_read: list[str] = []
        self.visited: set[str] = set()
        self.entities_read = 0
        self.locations = 0
        #: Refs naming an entity not in the catalog -> how often each is named.
        self.dangling: Counter[str] = Counter()
        self._members: dict[str, list[Entity]] | None = None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.builder.diagnostics

    # --- reading files ---------------------------------------------------------------------

    def read_paths(self, paths: Sequence[Path]) -> None:
        found: list[tuple[Path, tuple[str, ...]]] = []
        # Location targets are followed only inside what was given: a catalog in a pull
        # request must not make CI read (and quote) /etc/passwd or a home folder's secrets.
        self.roots = [os.path.realpath(path if path.is_dir() else path.parent) for path in paths]
        for path in paths:
            if path.is_dir():
                files = discover(path)[0]
                if not files:
                    where = SourcePos(str(path), 1, 1)
                    self.builder.error(where, "IC001", "no *.yaml or *.yml files in this folder")
                found.extend((file, ()) for file in files)
            else:
                found.append((path, ()))
        # A stack: the files a Location names are read right after it, in their order.
        stack = found[::-1]
        while stack:
            file, chain = stack.pop()
            real = os.path.realpath(file)
            if real in self.visited:
                continue
            self.visited.add(real)
            stack.extend(self.read_file(file, (*chain, real))[::-1])

    def read_file(self, file: Path, chain: tuple[str, ...]) -> list[tuple[Path, tuple[str, ...]]]:
        display = str(file)
        self.files_read.append(display)
        parsed = parse_documents(file, display)
        self.diagnostics.extend(parsed.diagnostics)
        followed: list[tuple[Path, tuple[str, ...]]] = []
        for root in parsed.roots:
            if root is None:
                continue
            followed.extend(self.read_document(root, display, file, chain))
        return followed

    def read_document(  # noqa: PLR0911 - each odd shape ends reading the document
        self, root: Node, display: str, file: Path, chain: tuple[str, ...]
    ) -> list[tuple[Path, tuple[str, ...]]]:
        at = position(display, root)
        top = entries(root)
        if top is None:
            self.builder.warn(
                at, "IC608", f"a catalog entity must be a mapping, found {shape(root)}"
            )
            return []
        kind_text = text(get(top, "kind"))
        if kind_text is None:
            self.builder.warn(at, "IC608", "an entity without 'kind': not read")
            return []
        kind = kind_text.lower()
        api_version = text(get(top, "apiVersion")) or ""
        metadata = entries(get(top, "metadata"))
        name_node = get(metadata, "name")
        name = text(name_node)
        if kind not in KNOWN_KINDS:
            self.builder.warn(
                at,
                "IC605",
                f"unknown kind {kind_text!r} ({api_version or 'no apiVersion'}): not read",
                "icmap reads Component, API, Resource, System, Domain, Group, User, Location",
            )
            return []
        if name is None:
            where = position(display, name_node) if name_node is not None else at
            self.builder.warn(where, "IC608", f"a {kind_text} without metadata.name: not read")
            return []
        spec_node = get(top, "spec")
        spec = entries(spec_node)
        if spec_node is not None and spec is None and not is_null(spec_node):
            where = position(display, spec_node)
            self.builder.warn(where, "IC608", f"spec must be a mapping, found {shape(spec_node)}")
        namespace = (text(get(metadata, "namespace")) or "default").lower()
        entity = Entity(
            kind,
            namespace,
            name.lower(),
            position(display, name_node) if name_node is not None else at,
            spec,
            display,
            title=printable(text(get(metadata, "title")) or ""),
            description=text(get(metadata, "description")),
            tags=tuple(t.lower() for t in (text(n) for n in items(get(metadata, "tags"))) if t),
            raw_kind=kind_text,
            spec_broken=spec_node is not None and spec is None and not is_null(spec_node),
        )
        for relation in items(get(top, "relations")):
            found = entries(relation)
            kind_of = text(get(found, "type"))
            target = get(found, "targetRef")
            if kind_of in EXPORTED_RELATIONS and target is not None:
                entity.exported.append((EXPORTED_RELATIONS[kind_of], target))
        if kind == "location":
            self.locations += 1
            return self.targets(entity, file, chain)
        self.entities_read += 1
        if kind == "template":
            return []
        first = self.entities.get(entity.ref)
        if first is not None:
            self.builder.warn(
                entity.pos,
                "IC610",
                f"{entity.short} is defined twice (first at {first.pos}): this one is not read",
            )
            return []
        self.entities[entity.ref] = entity
        self.by_name.setdefault(entity.name, []).append(entity)
        return []

    def targets(
        self, location: Entity, file: Path, chain: tuple[str, ...]
    ) -> list[tuple[Path, tuple[str, ...]]]:
        nodes = [*items(get(location.spec, "target")), *items(get(location.spec, "targets"))]
        kind = (text(get(location.spec, "type")) or "file").lower()
        found: list[tuple[Path, tuple[str, ...]]] = []
        for node in nodes:
            where = position(location.file, node)
            target = text(node)
            if target is None:
                self.builder.warn(where, "IC604", "an empty Location target: nothing to read")
                continue
            if kind == "url" or _URL.match(target):
                self.builder.warn(
                    where,
                    "IC602",
                    f"URL target {target!r} not fetched: icmap reads local files only",
                    "check the catalog out and point icmap at the folder",
                )
                continue
            paths = self.expand(file.parent, target)
            pattern = any(c in target for c in "*?[")
            if not paths:
                gone = (
                    "is a folder, not a file"
                    if (file.parent / target).is_dir()
                    else "does not exist"
                )
                self.builder.warn(where, "IC601", f"Location target {target!r} {gone}")
            for path in paths:
                real = os.path.realpath(path)
                if not any(_inside(real, root) for root in self.roots):
                    self.builder.warn(
                        where,
                        "IC615",
                        f"Location target {target!r} leads outside the folders given: not read",
                        "name that folder on the command line too, if it belongs to the catalog",
                    )
                    continue
                if real in chain and pattern:
                    # './**/catalog-info.yaml' in the root catalog-info.yaml matches that very
                    # file: a common layout, not a cycle; the file is read already.
                    continue
                if real in chain:
                    self.builder.warn(
                        where,
                        "IC609",
                        f"Location target {target!r} leads back to a file that led here "
                        "(a cycle): not read again",
                    )
                    continue
                found.append((path, chain))
        return found

    @staticmethod
    def expand(folder: Path, target: str) -> list[Path]:
        if any(c in target for c in "*?["):
            pattern = target.removeprefix("./")
            return sorted(p for p in folder.glob(pattern) if p.is_file())
        path = folder / target
        return [path] if path.is_file() else []

    # --- refs and owners -------------------------------------------------------------------

    def lookup(
        self,
        node: Node,
        owner: Entity,
        implied: str | None,
        what: str,
        fallback: tuple[str, ...] = (),
    ) -> Entity | None:
        """The entity ``node`` refers to, or ``None`` with a warning saying why.

        A ref without a kind that names nothing of the implied kind is read as the one entity
        of a ``fallback`` kind with that name, if there is one (``owner: guest`` for a user).
        """
        where = position(owner.file, node)
        raw = text(node)
        mapping = entries(node)
        if raw is None and mapping is not None:  # the legacy {kind, namespace, name} form
            name = text(get(mapping, "name"))
            raw = name and ":".join(
                filter(
                    None,
                    [
                        text(get(mapping, "kind")),
                        "/".join(filter(None, [text(get(mapping, "namespace")), name])),
                    ],
                )
            )
        if raw is None:
            if is_null(node):
                self.builder.warn(where, "IC604", f"an empty entry in {what} of {owner.short}")
            else:
                self.builder.warn(
                    where, "IC608", f"{what} of {owner.short} holds {shape(node)}, not a ref"
                )
            return None
        kind, namespace, name = parse_ref(raw, implied, owner.namespace)
        if kind is not None:
            found = self.entities.get(f"{kind}:{namespace}/{name}")
            if found is not None:
                return found
        same_name = [
            e
            for e in self.by_name.get(name, [])
            if e.namespace == namespace and e.kind != "location"
        ]
        usable = [e for e in same_name if e.kind in fallback]
        if ":" not in raw and len(usable) == 1:
            other = usable[0]
            self.builder.warn(
                where,
                "IC603",
                f"{what} {raw!r} of {owner.short} reads as {kind}:{namespace}/{name}, which "
                f"does not exist; using {other.short}",
                f"write the kind: '{other.short}'",
            )
            return other
        candidates = [e.short for e in same_name if e is not owner]
        hint = f"did you mean {candidates[0]!r}?" if candidates else None
        wanted = f"{kind}:{namespace}/{name}" if kind else raw
        self.dangling[wanted] += 1
        self.builder.warn(
            where,
            "IC603",
            f"{what} of {owner.short} names {wanted}, which is not in the catalog",
            hint,
        )
        return None

    def group_of_user(self, user: Entity, where: Node, owner: Entity) -> Entity | None:
        groups: list[Entity] = []
        for node in items(get(user.spec, "memberOf")):
            found = self.entities.get(self._ref_key(node, "group", user.namespace))
            if found is not None and found.kind == "group" and found not in groups:
                groups.append(found)
        for group in self.members().get(user.ref, []):
            if group not in groups:
                groups.append(group)
        if len(groups) == 1:
            return groups[0]
        at = position(owner.file, where)
        if not groups:
            self.builder.warn(
                at, "IC607", f"{owner.short} is owned by {user.short}, who is in no group: no team"
            )
        else:
            names = ", ".join(g.short for g in groups)
            self.builder.warn(
                at,
                "IC607",
                f"{owner.short} is owned by {user.short}, who is in several groups ({names}): "
                "no team chosen",
                "make a group the owner",
            )
        return None

    def members(self) -> dict[str, list[Entity]]:
        """User ref -> the groups whose ``spec.members`` name the user (built once)."""
        if self._members is None:
            self._members = {}
            for group in self.entities.values():
                if group.kind == "group":
                    for node in items(get(group.spec, "members")):
                        key = self._ref_key(node, "user", group.namespace)
                        self._members.setdefault(key, []).append(group)
        return self._members

    @staticmethod
    def _ref_key(node: Node, implied: str, namespace: str) -> str:
        raw = text(node)
        if raw is None:
            return ""
        kind, ns, name = parse_ref(raw, implied, namespace)
        return f"{kind}:{ns}/{name}"

    def owner_of(self, entity: Entity) -> Entity | None:
        """The group owning ``entity`` (through a user when unambiguous)."""
        node = get(entity.spec, "owner")
        if node is None or is_null(node):
            if entity.kind in WORKLOADS and not entity.spec_broken:
                self.builder.warn(entity.pos, "IC606", f"{entity.short} has no spec.owner: no team")
            return None
        found = self.lookup(node, entity, "group", "owner", ("user",))
        if found is None:
            return None
        if found.kind == "user":
            return self.group_of_user(found, node, entity)
        if found.kind != "group":
            self.builder.warn(
                position(entity.file, node),
                "IC603",
                f"the owner of {entity.short} is {found.short}, not a group or user",
            )
            return None
        return found


def _natural_id(group: Entity) -> str:
    """The team id a group makes: its name, prefixed with its namespace outside ``default``."""
    id_ = group.name if group.namespace == "default" else f"{group.namespace}-{group.name}"
    return slug(id_) or "team"


def read_catalog(paths: Sequence[Path], options: BackstageOptions) -> ImportResult:
    """Read Backstage catalog files and folders into an org (see the module docstring)."""
    catalog = _Catalog(options)
    catalog.read_paths(paths)
    return _Mapper(catalog).run()


class _Mapper:
    def __init__(self, catalog: _Catalog) -> None:
        self.catalog = catalog
        self.builder = catalog.builder
        self.team_of: dict[str, str] = {}  # group ref -> team id
        self.owners: dict[str, Entity] = {}  # entity ref -> owning group
        self.inside = 0
        self.unowned_relations = 0
        #: The ids the teams' groups make: a suffixed id must not take one of them.
        self.taken: set[str] = set()

    def run(self) -> ImportResult:
        catalog = self.catalog
        groups = [e for e in catalog.entities.values() if e.kind == "group"]
        for entity in catalog.entities.values():
            if entity.kind in (*WORKLOADS, "domain"):
                owner = catalog.owner_of(entity)
                if owner is not None:
                    self.owners[entity.ref] = owner
        parents = self.parents(groups)
        has_children = {p.ref for p in parents.values()}
        owning = {g.ref for ref, g in self.owners.items() if ref.split(":", 1)[0] in WORKLOADS}
        teams = [g for g in groups if g.ref in owning or g.ref not in has_children]
        self.taken = {_natural_id(g) for g in teams}
        for group in teams:
            self.add_team(group, parents.get(group.ref))
        edges = self.relations()
        customer_facing = self.customer_facing(edges)
        first = catalog.files_read[0] if catalog.files_read else "<catalog>"
        if catalog.files_read and self.builder.teams:
            self.add_customers(customer_facing)
        elif catalog.files_read and not any(
            d.severity == "error" for d in self.builder.diagnostics
        ):
            # After an error (a file that cannot be read) 'no teams' says nothing new.
            self.builder.error(
                SourcePos(first, 1, 1), "IC614", "no teams: the catalog has no Group entities"
            )
        org_name = self.organisation(groups, parents)
        org = self.builder.finish(org_name, tuple(catalog.files_read))
        errors = any(d.severity == "error" for d in self.builder.diagnostics)
        counts = {
            "files read": len(catalog.files_read),
            "locations followed": catalog.locations,
            "entities read": catalog.entities_read,
            "teams": len(org.teams),
            **hand_off_counts(org),
            "relations inside one team": self.inside,
            "relations with an unowned end": self.unowned_relations,
            "dangling refs": len(catalog.dangling),
            "dangling ref mentions": sum(catalog.dangling.values()),
        }
        return ImportResult(
            "backstage",
            None if errors else org,
            sorted(self.builder.diagnostics),
            self.builder.provenance,
            counts,
            self.chosen,
            dict(sorted(catalog.dangling.items())),
        )

    def parents(self, groups: list[Entity]) -> dict[str, Entity]:
        """Group ref -> its parent group, from ``spec.parent`` or a parent's ``children``."""
        catalog = self.catalog
        parents: dict[str, Entity] = {}
        for group in groups:
            node = get(group.spec, "parent")
            if node is not None and not is_null(node):
                parent = catalog.lookup(node, group, "group", "parent")
                if parent is not None and parent.kind == "group":
                    parents[group.ref] = parent
            for child_node in items(get(group.spec, "children")):
                child = catalog.lookup(child_node, group, "group", "children")
                if child is not None and child.kind == "group":
                    parents.setdefault(child.ref, group)
        return parents

    def add_team(self, group: Entity, parent: Entity | None) -> None:
        id_ = _natural_id(group)
        if id_ in self.builder.teams:
            first = next(ref for ref, team in self.team_of.items() if team == id_)
            wanted, n = id_, 2
            # The first free id: a group may already be called 'ops-web-2'.
            while f"{wanted}-{n}" in self.builder.teams or f"{wanted}-{n}" in self.taken:
                n += 1
            id_ = f"{wanted}-{n}"
            self.builder.warn(
                group.pos,
                "IC611",
                f"{group.short} makes the id {wanted!r}, as {first} does: its team is {id_!r}",
                "rename one of the groups, or give it a namespace",
            )
        self.team_of[group.ref] = id_
        self.builder.add_team(
            id_,
            group.pos,
            self.display_name(group),
            description=group.description,
            group=self.display_name(parent) if parent is not None else None,
        )

    @staticmethod
    def display_name(group: Entity) -> str:
        profile = entries(get(group.spec, "profile"))
        return printable(text(get(profile, "displayName")) or "") or printable(group.label)

    def organisation(self, groups: list[Entity], parents: dict[str, Entity]) -> str | None:
        roots = [
            g
            for g in groups
            if g.ref not in parents and (text(get(g.spec, "type")) or "").lower() == "organization"
        ]
        return self.display_name(roots[0]) if len(roots) == 1 else None

    def relations(self) -> dict[str, set[str]]:
        """Add a hand-off for each relation that crosses teams; entity ref -> what it feeds."""
        catalog = self.catalog
        feeds: dict[str, set[str]] = {}
        implements: dict[str, set[str]] = {}  # API ref -> the components providing it
        seen: set[tuple[str, str]] = set()
        for entity in list(catalog.entities.values()):
            if entity.kind not in (*WORKLOADS, "domain"):
                continue
            stated = [
                (name, node) for name in SPEC_RELATIONS for node in items(get(entity.spec, name))
            ]
            stated.extend(entity.exported)
            for name, node in stated:
                implied, named_provides = SPEC_RELATIONS[name]
                other = catalog.lookup(node, entity, implied, name)
                if other is None:
                    continue
                if other is entity:
                    self.builder.warn(
                        position(entity.file, node),
                        "IC616",
                        f"{entity.short} {name} {other.short}: an entity's relation to itself "
                        "is no hand-off; ignored",
                        f"remove it from {name}",
                    )
                    continue
                provider, receiver = (other, entity) if named_provides else (entity, other)
                if name in IMPLEMENTS:
                    implements.setdefault(receiver.ref, set()).add(provider.ref)
                elif name in DEPENDENCY_FIELDS:
                    feeds.setdefault(provider.ref, set()).add(receiver.ref)
                why = f"via {entity.short} {name} {other.short}"
                self.hand_off(provider, receiver, why, position(entity.file, node), seen)
        for api, components in implements.items():
            if api in feeds:
                for component in components:
                    feeds.setdefault(component, set()).add(api)
        return feeds

    def hand_off(
        self,
        provider: Entity,
        receiver: Entity,
        why: str,
        where: SourcePos,
        seen: set[tuple[str, str]],
    ) -> None:
        giver, taker = self.owners.get(provider.ref), self.owners.get(receiver.ref)
        pair = (provider.ref, receiver.ref)
        first = pair not in seen
        seen.add(pair)
        if giver is None or taker is None:
            self.unowned_relations += first
            return
        if giver.ref == taker.ref:
            self.inside += first
            return
        team_from, team_to = self.team_of.get(giver.ref), self.team_of.get(taker.ref)
        if team_from is None or team_to is None or team_from == team_to:
            self.inside += first
            return
        self.builder.add_relation(team_from, team_to, provider.label, where, why)

    def customer_facing(self, feeds: dict[str, set[str]]) -> list[tuple[Entity, str]]:
        options = self.catalog.options
        chosen: list[tuple[Entity, str]] = []
        if options.default:
            self.chosen = [
                "default: every Component that nothing in the catalog depends on, consumes or "
                "is built from serves the external customer (choose others with --customer)"
            ]
            for entity in self.catalog.entities.values():
                if entity.kind == "component" and entity.ref not in feeds:
                    chosen.append((entity, "nothing in the catalog depends on it"))
            return chosen
        kinds = {k.lower() for k in options.kinds}
        types = {t.lower() for t in options.types}
        tags = {t.lower() for t in options.tags}
        refs = set()
        for ref in options.refs:
            kind, namespace, name = parse_ref(ref, "component", "default")
            refs.add(f"{kind}:{namespace}/{name}")
        said = [
            f"{label} {', '.join(sorted(values))}"
            for label, values in (("kind", kinds), ("type", types), ("tag", tags), ("ref", refs))
            if values
        ]
        self.chosen = [f"chosen: entities with {'; or '.join(said)} serve the external customer"]
        for entity in self.catalog.entities.values():
            if entity.kind not in WORKLOADS:
                continue
            spec_type = (text(get(entity.spec, "type")) or "").lower()
            reasons = [
                reason
                for reason, hit in (
                    (f"kind {entity.kind}", entity.kind in kinds),
                    (f"type {spec_type}", spec_type in types),
                    (
                        f"tag {', '.join(sorted(tags & set(entity.tags)))}",
                        bool(tags & set(entity.tags)),
                    ),
                    ("named with --customer ref", entity.ref in refs),
                )
                if hit
            ]
            if reasons:
                chosen.append((entity, "; ".join(reasons)))
        return chosen

    def add_customers(self, chosen: list[tuple[Entity, str]]) -> None:
        first = self.catalog.files_read[0] if self.catalog.files_read else "<catalog>"
        served = 0
        customer = self.builder.customer_id()
        for entity, reason in chosen:
            owner = self.owners.get(entity.ref)
            team = self.team_of.get(owner.ref) if owner is not None else None
            if team is None:
                continue
            served += 1
            why = f"via {entity.short}: {reason}"
            self.builder.add_relation(team, customer, entity.label, entity.pos, why)
        if served:
            self.builder.add_customer(
                customer,
                SourcePos(first, 1, 1),
                "External customers",
                "Whoever uses what the catalog's customer-facing entities offer",
            )
            teams = sorted({r[0] for r in self.builder.relations if r[1] == customer})
            entities = "entity" if served == 1 else "entities"
            owners = "team" if len(teams) == 1 else "teams"
            verb = "serves" if served == 1 else "serve"
            self.chosen.append(
                f"{served} customer-facing {entities}, owned by {len(teams)} {owners} "
                f"({some(teams)}), {verb} the one external customer '{customer}'"
            )
            return
        self.builder.error(
            SourcePos(first, 1, 1),
            "IC614",
            "no entity owned by a team faces the external customer: an org needs one",
            "select customer-facing entities with --customer kind:…, type:…, tag:… or ref:…",
        )

    chosen: list[str]
