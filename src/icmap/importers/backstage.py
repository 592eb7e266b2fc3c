"""Backstage software catalogs as an org: groups become teams, entity relations hand-offs.

The mapping (docs/import.md says it for users):

- Every ``Group`` that owns a Component, API, Resource or System (directly, or through a
  ``User`` who is a member of exactly one group), and every group without child groups, is a
  team. Its ``spec.parent`` names the team's ``group`` for clustering. Groups that only hold
  other groups (departments) are not teams. A group that ``spec.owner`` names but the catalog
  does not define (its Groups come from an org provider) is a team too: an *owner-only*
  catalog. Teams that own nothing and take part in no hand-off are left out (counted).
- A team's id is the group's ``metadata.name`` as written, ``namespace/name`` outside the
  ``default`` namespace.
- A relation between two entities is a hand-off between their owners: the owner of the entity
  depended on, consumed or contained **provides** to the owner of the entity that depends on
  it, consumes it or contains it. Relations inside one team are counted, not written.
- External customers: by default, the entities the catalog marks customer-facing; else its
  front ends (websites, mobile apps) and the APIs nothing in it consumes; else the components
  nothing depends on that are no library, tool or infrastructure. ``BackstageOptions``
  selects customer-facing entities by kind, ``spec.type``, tag, label or ref instead.

Location entities are followed through relative ``target``/``targets`` (globs allowed); URL
targets are reported and never fetched. Files that are no catalog (a Helm chart's templates,
other tools' YAML) are skipped with one warning per folder of them; entities of another
``apiVersion`` are reported once per file; scaffolder skeletons (``${{ values.name }}``)
and Templates are not teams' work. The JSON the catalog's REST API returns
(``GET /api/catalog/entities``, or ``{"items": [...]}`` of ``/entities/by-query``) is read as
YAML, which it is, so entities keep their line and column. Every odd shape is a warning at
its ``file:line:col``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PureWindowsPath

from icmap.diagnostics import LOADER_CODES, Diagnostic
from icmap.importers import (
    BackstageOptions,
    ImportResult,
    hand_off_counts,
    idle_note,
    some,
    source_files,
)
from icmap.importers.build import OrgBuilder, printable
from icmap.importers.nodes import entries, get, is_null, items, position, shape, tag_problems, text
from icmap.loader.compose import MappingNode, Node, ScalarNode, SequenceNode
from icmap.loader.source import (
    MAX_FILE_BYTES,
    parse_documents,
    parse_documents_text,
    read_text,
)
from icmap.model import SourcePos

#: Kinds whose ownership makes a group a team and whose relations are hand-offs.
WORKLOADS = ("component", "api", "resource", "system")
KNOWN_KINDS = frozenset({*WORKLOADS, "domain", "group", "user", "location", "template"})
#: The ``apiVersion`` groups read as Backstage's: ``backstage.io`` and its sub-groups
#: (``scaffolder.backstage.io``). A re-branded Backstage that keeps the kinds goes here.
API_GROUPS = ("backstage.io",)
#: Entities read from one catalog, all files together: as many as the org loader takes teams
#: (its 200,000 entries); past it nothing is imported (IC009 at the first entity left out).
MAX_ENTITIES = 200_000
#: Missing entities that get a did-you-mean (each name once, however often it is named), and
#: the most entities of one kind a guess is looked for among: past either, no guess.
MAX_GUESSES = 50
MAX_GUESS_AMONG = 10_000
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
#: The kinds a relation field may name: a group or a user is an owner, never a hand-off's end.
RELATED_KINDS = frozenset({*WORKLOADS, "domain"})
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
    # Which groups a user is in: read as spec.memberOf and spec.members are.
    "memberOf": "memberOf",
    "hasMember": "members",
}
#: Component ``spec.type`` values of a front end, which the default takes as customer-facing.
FRONT_END_TYPES = frozenset(
    {
        "website",
        "web",
        "webapp",
        "web-app",
        "frontend",
        "front-end",
        "mobile",
        "mobile-app",
        "app",
        "desktop-app",
    }
)
#: Component ``spec.type`` values that never face the customer by default.
INTERNAL_TYPES = frozenset(
    {
        "library",
        "lib",
        "sdk",
        "tool",
        "tooling",
        "cli",
        "infrastructure",
        "infra",
        "documentation",
        "docs",
        "template",
        "pipeline",
        "job",
        "cronjob",
        "batch",
        "plugin",
        "config",
        "configuration",
        "database",
        "test",
    }
)
#: API ``spec.type`` values an outside client calls (HTTP APIs). An API of another type
#: (``grpc``, ``asyncapi``, ``avro``, ``trpc``) wires services together inside: nothing in the
#: catalog consuming it says only that the catalog does not declare every ``consumesApis``.
PUBLIC_API_TYPES = frozenset({"openapi", "graphql"})
#: Tags by which a catalog marks an entity customer-facing itself.
MARK_TAGS = frozenset({"customer-facing", "external-facing", "internet-facing", "public-facing"})
#: Tags by which a catalog says an entity serves only people inside: never chosen by default.
INTERNAL_TAGS = frozenset({"internal", "internal-only", "employee-facing", "not-customer-facing"})
#: The label (or annotation) by which a catalog marks an entity customer-facing itself
#: (``"true"``), or not (``"false"``: never chosen by default).
MARK_KEY = "icmap.io/customer-facing"
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
#: A scaffolder template's placeholders (``${{ values.name }}``) or a Helm chart's.
_TEMPLATED = re.compile(r"\{\{")
#: A UTF-16 surrogate pair written as two JSON escapes, which YAML's parser refuses.
#: A catalog file's lines, found in a file YAML cannot read. Only Backstage's apiVersion: a
#: Helm template ({{ }} in Kubernetes YAML) has apiVersion and kind lines and often no YAML.
_API_LINE = re.compile(r"^apiVersion[ \t]*:[ \t]*[\"']?backstage\.io/", re.MULTILINE)
_KIND_LINE = re.compile(r"^kind[ \t]*:", re.MULTILINE)
_SURROGATES = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
STDIN = "-"
EMPTY_STDIN = "stdin is empty"
#: Where problems with the command's own options (``--customer``) are reported.
COMMAND_LINE = SourcePos("<command line>", 1, 1)


def _backstage_api(api_version: str | None) -> bool:
    """Whether ``apiVersion`` is Backstage's (``backstage.io/v1alpha1``, a sub-group's).

    >>> _backstage_api("backstage.io/v1beta1"), _backstage_api("scaffolder.backstage.io/v1beta3")
    (True, True)
    >>> _backstage_api("apps/v1"), _backstage_api(None), _backstage_api("evilbackstage.io/v1")
    (False, False, False)
    """
    group = (api_version or "").partition("/")[0].strip().lower()
    return any(group == g or group.endswith(f".{g}") for g in API_GROUPS)


def _read_stdin(display: str) -> tuple[str | None, Diagnostic | None]:
    """What stdin holds, or the error that it holds nothing (a fetch that failed)."""
    from icmap.loader.source import _decode

    stdin = sys.stdin
    if stdin is None:  # closed when icmap started (<&-)
        return None, Diagnostic(display, 1, 1, "IC001", "stdin is closed: no catalog to read")
    # Bytes, decoded as a file is: the locale's encoding (ASCII under LANG=C) is not the
    # catalog's, and a byte that is not UTF-8 is the input's error, not icmap's.
    buffer = getattr(stdin, "buffer", None)
    limit = MAX_FILE_BYTES + 1  # at most one byte past the limit
    raw = buffer.read(limit) if buffer is not None else stdin.read(limit).encode("utf-8")
    if len(raw) > MAX_FILE_BYTES:
        return None, Diagnostic(
            display,
            1,
            1,
            "IC009",
            f"stdin holds over {MAX_FILE_BYTES:,} bytes, the most icmap reads",
            "error",
            "fetch the catalog a part at a time (filter=kind=group, then the rest)",
            LOADER_CODES["IC009"],
        )
    content, problem = _decode(raw, display)
    if content is None:
        return None, problem
    if content.strip():
        return content, None
    return None, Diagnostic(
        display,
        1,
        1,
        "IC001",
        f"{EMPTY_STDIN}: no catalog to read (did the command before the | fail?)",
        "error",
        "curl -f fails on an HTTP error, so you see it: curl -sf URL | icmap import backstage - "
        "-o DIR",
        LOADER_CODES["IC001"],
    )


def _pair(match: re.Match[str]) -> str:
    high, low = int(match.group(1), 16), int(match.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


def _nodes(value: object) -> Node:
    """Plain JSON values as nodes, all at the file's start (when YAML cannot read the JSON)."""
    if isinstance(value, dict):
        pairs = [
            (ScalarNode("tag:yaml.org,2002:str", str(k), 0, 0), _nodes(v)) for k, v in value.items()
        ]
        return MappingNode("tag:yaml.org,2002:map", pairs, 0, 0, True)
    if isinstance(value, list):
        return SequenceNode("tag:yaml.org,2002:seq", [_nodes(v) for v in value], 0, 0)
    if value is None:
        return ScalarNode("tag:yaml.org,2002:null", "null", 0, 0)
    shown = json.dumps(value) if isinstance(value, bool) else str(value)
    return ScalarNode("tag:yaml.org,2002:str", shown, 0, 0)


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
    #: ``metadata.name`` and ``metadata.namespace`` as written (``name`` is in lower case).
    given: str = ""
    given_namespace: str = "default"
    #: ``metadata.labels`` and ``metadata.annotations``, keys as written, values as text.
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    spec_type: str = ""
    lifecycle: str = ""
    #: A group the catalog does not define, made from an owner that names it.
    virtual: bool = False

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"

    @property
    def label(self) -> str:
        return self.title or self.given or self.name

    @property
    def short(self) -> str:
        """The ref as people write it: ``component:x`` in the default namespace."""
        where = "" if self.namespace == "default" else f"{self.given_namespace}/"
        return f"{self.kind}:{where}{self.given or self.name}"


def split_ref(
    raw: str, default_kind: str | None, default_namespace: str
) -> tuple[str | None, str, str]:
    """``[kind:][namespace/]name`` as written (stripped); kind ``None`` when neither given
    nor implied.

    >>> split_ref("Group:Ops/Team_A", None, "default")
    ('Group', 'Ops', 'Team_A')
    """
    kind: str | None = default_kind
    rest = raw.strip()
    if ":" in rest:
        kind, rest = rest.split(":", 1)
    namespace = default_namespace
    if "/" in rest:
        namespace, rest = rest.split("/", 1)
    return (kind.strip() if kind else None), namespace.strip(), rest.strip()


def parse_ref(
    raw: str, default_kind: str | None, default_namespace: str
) -> tuple[str | None, str, str]:
    """``[kind:][namespace/]name`` in lower case; kind ``None`` when neither given nor implied.

    >>> parse_ref("Group:Default/Team-A", None, "default")
    ('group', 'default', 'team-a')
    >>> parse_ref("team-a", "group", "default"), parse_ref("ops/db", "resource", "default")
    (('group', 'default', 'team-a'), ('resource', 'ops', 'db'))
    """
    kind, namespace, name = split_ref(raw, default_kind, default_namespace)
    return (kind.lower() if kind else None), namespace.lower(), name.lower()


def _stated(entity: Entity, field_name: str) -> list[Node]:
    """The refs of ``entity``'s ``spec.FIELD``, then those its catalog-API ``relations`` add."""
    return [
        *items(get(entity.spec, field_name)),
        *(node for name, node in entity.exported if name == field_name),
    ]


def ref_text(node: Node | None) -> str | None:
    """A ref as text, written as text or in the legacy ``{kind, namespace, name}`` form
    (``kind:namespace/name``), or ``None`` when it is neither."""
    raw = text(node)
    mapping = entries(node)
    if raw is None and mapping is not None:
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
    return raw


def _inside(real: str, top: str) -> bool:
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _strings(node: Node | None) -> dict[str, str]:
    """A mapping of text values (``metadata.labels``), keys as written."""
    return {
        k: value for k, (_, v) in (entries(node) or {}).items() if (value := text(v)) is not None
    }


@dataclass
class _UserOwner:
    """A user named as an owner whom icmap cannot give a team: reported once."""

    user: str
    pos: SourcePos
    why: str
    hint: str
    entities: list[str] = field(default_factory=list)


class _Catalog:
    def __init__(self, options: BackstageOptions) -> None:
        self.roots: list[str] = []
        self.options = options
        self.builder = OrgBuilder()
        self.entities: dict[str, Entity] = {}
        self.by_name: dict[str, list[Entity]] = {}
        self.files_read: list[str] = []
        self.files_skipped = 0
        #: Files skipped as no catalog (where, why), reported together at the end.
        self.skipped: list[tuple[SourcePos, str]] = []
        #: The files (real paths) in which entities were read.
        self.catalog_files: set[str] = set()
        self.visited: set[str] = set()
        #: The files named on the command line: one that cannot be read stops the import.
        self.named: set[str] = set()
        self.entities_read = 0
        #: Documents of Backstage entities met, read or not, for :data:`MAX_ENTITIES`.
        self.documents = 0
        self.locations = 0
        #: Refs naming an entity not in the catalog -> how often each is named.
        self.dangling: Counter[str] = Counter()
        self._members: dict[str, list[Entity]] | None = None
        #: Groups named as owners that the catalog does not define, in the order first named.
        self.undefined_groups: list[Entity] = []
        #: Group ref -> how often owners spell it each way (namespace, name), for a group the
        #: catalog does not define: its team id is the spelling most of them use.
        self.spellings: dict[str, Counter[tuple[str, str]]] = {}
        #: User ref -> why the entities that user owns have no team.
        self.user_owners: dict[str, _UserOwner] = {}
        #: The did-you-mean of each missing (kind, namespace, name) asked about, and each
        #: kind's defined entities by name (the catalog is read whole before any lookup).
        self._guessed: dict[tuple[str, str, str], list[str]] = {}
        self._names: dict[tuple[str, str], dict[str, Entity]] = {}

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.builder.diagnostics

    @property
    def defines_groups(self) -> bool:
        return any(e.kind == "group" and not e.virtual for e in self.entities.values())

    # --- reading files ---------------------------------------------------------------------

    def read_paths(self, paths: Sequence[Path]) -> None:
        found: list[tuple[Path, tuple[str, ...]]] = []
        # Location targets are followed only inside what was given: a catalog in a pull
        # request must not make CI read (and quote) /etc/passwd or a home folder's secrets.
        self.roots = [
            os.path.realpath(path if path.is_dir() else path.parent)
            for path in paths
            if str(path) != STDIN
        ]
        for path in paths:
            if path.is_dir():
                files = source_files(path)
                if not files:
                    where = SourcePos(str(path), 1, 1)
                    self.builder.error(where, "IC001", "no *.yaml or *.yml files in this folder")
                found.extend((file, ()) for file in files)
            else:
                self.named.add(STDIN if str(path) == STDIN else os.path.realpath(path))
                found.append((path, ()))
        # A stack: the files a Location names are read right after it, in their order.
        stack = found[::-1]
        while stack:
            file, chain = stack.pop()
            real = STDIN if str(file) == STDIN else os.path.realpath(file)
            if real in self.visited:
                continue
            self.visited.add(real)
            stack.extend(self.read_file(file, (*chain, real))[::-1])
        self.report_skips()

    def read_file(self, file: Path, chain: tuple[str, ...]) -> list[tuple[Path, tuple[str, ...]]]:
        stdin = str(file) == STDIN
        display = "<stdin>" if stdin else str(file)
        roots, failed, tagged, duplicates = self.parse(file, display, stdin)
        if not (failed is not None and failed.message.startswith(EMPTY_STDIN)):
            self.files_read.append(display)  # empty stdin is no file read
        if failed is not None:
            if chain[-1] in self.named:
                self.diagnostics.append(failed)
            elif failed.code == "IC002" and self.catalog_like(file, stdin):
                # Skipped as foreign, its entities would be missing without an error.
                self.diagnostics.append(
                    replace(
                        failed,
                        message="a catalog file (its apiVersion: backstage.io/… and kind: lines "
                        f"say so) with a YAML error, not read: {failed.message}",
                        hint="fix the YAML: its entities are part of the catalog",
                    )
                )
            else:
                self.skip(
                    SourcePos(display, failed.line, failed.col),
                    f"not a catalog file: {failed.message.rstrip('.')}; skipped",
                )
            return []
        if roots is None:  # JSON of another shape (already reported)
            return []
        as_json = stdin or file.suffix.lower() == ".json"
        if as_json and len(roots) == 1 and roots[0] is not None:
            unpacked = self.json_entities(roots[0], display)
            if unpacked is None:
                return []
            roots = unpacked
        return self.read_documents(
            [r for r in roots if r is not None],
            display,
            file,
            chain,
            as_json,
            tagged=tagged,
            duplicates=duplicates,
        )

    @staticmethod
    def catalog_like(file: Path, stdin: bool) -> bool:
        """Whether a file YAML cannot read looks like catalog YAML: its text has top-level
        ``apiVersion: backstage.io/…`` and ``kind:`` lines. Read again only on such a failure."""
        if stdin or file.suffix.lower() == ".json":
            return False
        try:
            with file.open(encoding="utf-8", errors="replace") as stream:
                head = stream.read(1 << 20)
        except OSError:
            return False
        return bool(_API_LINE.search(head) and _KIND_LINE.search(head))

    def parse(
        self, file: Path, display: str, stdin: bool
    ) -> tuple[list[Node | None] | None, Diagnostic | None, bool, tuple[Diagnostic, ...]]:
        """The documents of ``file`` (JSON as YAML), or the problem that stops reading it,
        whether any node in them has a tag, and its repeated keys."""
        if not stdin and file.suffix.lower() != ".json":
            parsed = parse_documents(file, display)
            failed = parsed.diagnostics[0] if parsed.diagnostics else None
            return list(parsed.roots), failed, parsed.tagged, parsed.duplicate_keys
        if stdin:
            content, problem = _read_stdin(display)
        else:
            content, problem = read_text(file, display)
        if content is None:
            return None, problem, False, ()
        if not stdin or content.lstrip().startswith(("[", "{")):
            content = _SURROGATES.sub(_pair, content)
        parsed = parse_documents_text(content, display)
        if not parsed.diagnostics:
            return list(parsed.roots), None, parsed.tagged, parsed.duplicate_keys
        try:  # JSON YAML cannot read (a lone surrogate escape): read without positions
            return [_nodes(json.loads(content))], None, False, ()
        except json.JSONDecodeError as exc:
            if not content.lstrip().startswith(("[", "{")):
                return list(parsed.roots), parsed.diagnostics[0], parsed.tagged, ()
            error = Diagnostic(
                display, exc.lineno, exc.colno, "IC002", f"invalid JSON: {exc.msg}", "error"
            )
            return None, error, False, ()

    def json_entities(self, root: Node, display: str) -> list[Node | None] | None:
        """The entities of the catalog API's JSON: a list, ``{"items": [...]}``, or one."""
        if isinstance(root, SequenceNode):
            return list(root.value)
        found = entries(root)
        error = entries(get(found, "error"))
        if error is not None:  # {"error": {"name": ..., "message": ...}, "response": ...}
            name, message = text(get(error, "name")), text(get(error, "message"))
            status = text(get(entries(get(found, "response")), "statusCode"))
            said = ": ".join(printable(p) for p in (name, message) if p) or "no message"
            self.diagnostics.append(
                Diagnostic(
                    display,
                    root.line + 1,
                    root.column + 1,
                    "IC001",
                    f"the catalog API answered with an error"
                    f"{f' (HTTP {status})' if status else ''}: {said}",
                    "error",
                    "check the URL and the token (Authorization: Bearer …), then fetch again",
                    LOADER_CODES["IC001"],
                )
            )
            return None
        if found is not None and "items" in found:
            return list(items(get(found, "items")))
        if found is not None and "kind" in found:
            return [root]
        self.skip(
            position(display, root),
            'JSON that is no catalog (a list of entities, or {"items": [...]}): skipped',
        )
        return None

    def skip(self, where: SourcePos, message: str) -> None:
        """Skip a file that is no catalog: reported once reading ends (:meth:`report_skips`)."""
        self.files_skipped += 1
        self.skipped.append((where, message))

    def report_skips(self) -> None:
        """One IC630 per folder of files that are no catalog, the hint once.

        A file beside catalog files (``mkdocs.yml`` next to ``catalog-info.yaml``) is reported
        alone; files under a folder that holds no catalog file at any depth (a Helm chart, a
        ``charts/`` folder of them) are reported together, under the highest such folder
        inside what was given.
        """
        # The folders with a catalog file at some depth.
        holding = {str(folder) for real in self.catalog_files for folder in Path(real).parents}
        groups: dict[str, list[tuple[SourcePos, str]]] = {}
        for where, message in self.skipped:
            groups.setdefault(self._skip_folder(where.file, holding), []).append((where, message))
        hint: str | None = (
            "icmap reads Backstage entities (apiVersion backstage.io/…, a kind, metadata.name)"
        )
        for folder, found in groups.items():
            where, message = found[0]
            if len(found) > 1:
                names = [os.path.relpath(w.file, folder) for w, _ in found]
                message = (
                    f"skipped {len(found):,} files under {folder.rstrip(os.sep)}{os.sep} that "
                    f"are not catalog YAML ({some(names, 3)})"
                )
            self.builder.warn(where, "IC630", message, hint)
            hint = None

    def _skip_folder(self, display: str, holding: set[str]) -> str:
        """The folder a skipped file is reported under (itself when beside catalog files)."""
        if display == "<stdin>":
            return display
        top = display
        for folder in Path(display).parents:
            real = os.path.realpath(folder)
            if real in holding or not any(_inside(real, root) for root in self.roots):
                break
            top = str(folder)
            if real in self.roots:
                break
        return top

    def read_documents(
        self,
        roots: list[Node],
        display: str,
        file: Path,
        chain: tuple[str, ...],
        as_json: bool,
        *,
        tagged: bool = True,
        duplicates: tuple[Diagnostic, ...] = (),
    ) -> list[tuple[Path, tuple[str, ...]]]:
        """Read a file's entities; report once what in it is not Backstage's. ``tagged`` says
        whether any node in the file has a tag to report; ``duplicates`` are its repeated
        keys, reported when it is a catalog file."""
        ours: list[Node] = []
        foreign: list[tuple[Node, str, str]] = []  # node, apiVersion, kind
        unversioned: list[Node] = []
        for root in roots:
            top = entries(root)
            api_version = text(get(top, "apiVersion"))
            kind = text(get(top, "kind"))
            if top is None or api_version is None or kind is None or _backstage_api(api_version):
                ours.append(root)
                if top is not None and api_version is None and (kind or "").lower() in KNOWN_KINDS:
                    unversioned.append(root)
            else:
                foreign.append((root, api_version, kind or ""))
        if unversioned:
            n = len(unversioned)
            self.builder.warn(
                position(display, unversioned[0]),
                "IC631",
                f"{n} entit{'y' if n == 1 else 'ies'} without apiVersion: read as Backstage's",
                "write apiVersion: backstage.io/v1alpha1, as Backstage requires",
            )
        if foreign:
            versions = sorted({v for _, v, _ in foreign})
            kinds = sorted({k or "no kind" for _, _, k in foreign})
            n = len(foreign)
            self.builder.warn(
                position(display, foreign[0][0]),
                "IC631",
                f"{n} entit{'y' if n == 1 else 'ies'} of apiVersion {', '.join(versions)} "
                f"({', '.join(kinds)}): not Backstage's, not read",
                "Backstage entities have apiVersion backstage.io/v1alpha1 (or v1beta1)",
            )
        if not any(text(get(entries(r), "kind")) for r in ours):
            if not foreign and roots:
                self.skip(
                    position(display, roots[0]),
                    "not a catalog file: no document has a Backstage apiVersion and a kind; "
                    "skipped",
                )
            elif foreign:
                self.files_skipped += 1
            return []
        if display != "<stdin>":
            self.catalog_files.add(os.path.realpath(file))
        self.builder.diagnostics.extend(duplicates)
        followed: list[tuple[Path, tuple[str, ...]]] = []
        templated: list[Entity] = []
        for root in [r for r in ours if not self.past_limit(r, display)]:
            self.builder.diagnostics.extend(tag_problems(root, display) if tagged else ())
            followed.extend(
                self.read_document(root, display, file, chain, as_json=as_json, templated=templated)
            )
        if templated:
            n = len(templated)
            names = ", ".join(e.short for e in templated[:3])
            self.builder.warn(
                templated[0].pos,
                "IC632",
                f"{n} entit{'y' if n == 1 else 'ies'} with a templated name ({names}): "
                "a template's skeleton, not the catalog's; not read",
            )
        return followed

    def past_limit(self, root: Node, display: str) -> bool:
        """Whether ``root`` is past :data:`MAX_ENTITIES` (said once, at the first left out)."""
        self.documents += 1
        if self.documents == MAX_ENTITIES + 1:
            self.builder.error(
                position(display, root),
                "IC009",
                f"more than {MAX_ENTITIES:,} entities: this one and the rest are not read",
                "import the catalog a part at a time (a folder or a Location each)",
            )
        return self.documents > MAX_ENTITIES

    def read_document(  # noqa: PLR0911, PLR0912 - each odd shape ends reading the document
        self,
        root: Node,
        display: str,
        file: Path,
        chain: tuple[str, ...],
        *,
        as_json: bool = False,
        templated: list[Entity] | None = None,
    ) -> list[tuple[Path, tuple[str, ...]]]:
        at = position(display, root)
        top = entries(root)
        if top is None and not as_json and is_null(root):
            return []  # an empty document (a '---' at the end), which Backstage skips too
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
        given_namespace = text(get(metadata, "namespace")) or "default"
        entity = Entity(
            kind,
            given_namespace.lower(),
            name.lower(),
            position(display, name_node) if name_node is not None else at,
            spec,
            display,
            title=printable(text(get(metadata, "title")) or ""),
            description=text(get(metadata, "description")),
            tags=tuple(t.lower() for t in (text(n) for n in items(get(metadata, "tags"))) if t),
            raw_kind=kind_text,
            spec_broken=spec_node is not None and spec is None and not is_null(spec_node),
            given=printable(name),
            given_namespace=printable(given_namespace),
            labels=_strings(get(metadata, "labels")),
            annotations=_strings(get(metadata, "annotations")),
            spec_type=(text(get(spec, "type")) or "").lower(),
            lifecycle=(text(get(spec, "lifecycle")) or "").lower(),
        )
        for relation in items(get(top, "relations")):
            found = entries(relation)
            kind_of = text(get(found, "type"))
            target = get(found, "targetRef")
            if kind_of in EXPORTED_RELATIONS and target is not None:
                entity.exported.append((EXPORTED_RELATIONS[kind_of], target))
        if kind == "location":
            if as_json:  # the catalog has read what its Locations name already
                return []
            self.locations += 1
            return self.targets(entity, file, chain)
        self.entities_read += 1
        if kind == "template":
            return []
        owner = text(get(spec, "owner")) or ""
        if _TEMPLATED.search(f"{name} {given_namespace} {owner}"):
            if templated is not None:
                templated.append(entity)
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
            if Path(target).is_absolute() or PureWindowsPath(target).drive:
                # '/etc/*' is no place in the catalog, whether or not it is a pattern.
                self.builder.warn(
                    where,
                    "IC615",
                    f"Location target {target!r} is an absolute path, outside the folders "
                    "given: not read",
                    "write targets relative to the file that names them",
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

    def lookup(  # noqa: PLR0911, PLR0912 - the ref, who writes it and how it may be read
        self,
        node: Node,
        owner: Entity,
        implied: str | None,
        what: str,
        fallback: tuple[str, ...] = (),
        *,
        quiet: bool = False,
        make_group: bool = False,
    ) -> Entity | None:
        """The entity ``node`` refers to, or ``None`` with a warning saying why.

        A ref without a kind that names nothing of the implied kind is read as the one entity
        of a ``fallback`` kind with that name, if there is one (``owner: guest`` for a user).
        ``quiet``: no warning (the catalog API's ``relations``, which repeat the spec's).
        ``make_group``: a group the catalog does not define becomes one (owners).
        """
        where = position(owner.file, node)
        raw = ref_text(node)
        if raw is None:
            if quiet:
                return None
            if is_null(node):
                self.builder.warn(where, "IC604", f"an empty entry in {what} of {owner.short}")
            else:
                self.builder.warn(
                    where, "IC608", f"{what} of {owner.short} holds {shape(node)}, not a ref"
                )
            return None
        kind, namespace, name = parse_ref(raw, implied, owner.namespace)
        if not name:  # 'group:' or 'default/': the name left out
            if not quiet:
                self.builder.warn(
                    where, "IC604", f"{what} of {owner.short} holds {raw!r}, a ref with no name"
                )
            return None
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
            if not quiet:
                # The ref, read as Backstage reads it, names no entity: dangling, though
                # icmap goes on with the one entity of that name.
                self.dangling[f"{kind}:{namespace}/{name}" if kind else raw] += 1
                self.builder.warn(
                    where,
                    "IC603",
                    f"{what} {raw!r} of {owner.short} reads as {kind}:{namespace}/{name}, which "
                    f"does not exist; using {other.short}",
                    f"write the kind: '{other.short}'",
                )
            return other
        if quiet:
            return None
        elsewhere = [  # the same name in another namespace: the namespace left out
            e.short
            for e in self.by_name.get(name, [])
            if e.kind == kind and e.namespace != namespace and not e.virtual
        ]
        candidates = (
            [e.short for e in same_name if e is not owner]
            or elsewhere
            or self.close_entities(kind or "", namespace, name)
        )
        hint = f"did you mean {candidates[0]!r}?" if candidates else None
        if make_group and kind == "group" and name:
            return self.undefined_group(raw, owner, where, hint)
        wanted = f"{kind}:{namespace}/{name}" if kind else raw
        self.dangling[wanted] += 1
        if make_group and kind == "user":
            return None  # reported once for the user (report_users)
        self.builder.warn(
            where,
            "IC603",
            f"{what} of {owner.short} names {wanted}, which is not in the catalog",
            hint,
        )
        return None

    def close_entities(self, kind: str, namespace: str, name: str) -> list[str]:
        """The defined entity of ``kind`` whose name is closest to ``name`` (a misspelt ref),
        any case. Each guess compares ``name`` with every entity of that kind (50 ms for 10,000),
        so a catalog holding more than :data:`MAX_GUESS_AMONG` of them gets none, and only the
        first :data:`MAX_GUESSES` names asked about get one."""
        key = (kind, namespace, name.casefold())
        if key in self._guessed:
            return self._guessed[key]
        names = self._names.get((kind, namespace))
        if names is None:
            names = {
                e.name.casefold(): e
                for e in self.entities.values()
                if e.kind == kind and not e.virtual and e.namespace == namespace
            }
            self._names[kind, namespace] = names
        guess: list[str] = []
        if kind and len(names) <= MAX_GUESS_AMONG and len(self._guessed) < MAX_GUESSES:
            close = difflib.get_close_matches(key[2], list(names), 1, 0.75)
            guess = [names[n].short for n in close]
            self._guessed[key] = guess
        return guess

    def undefined_group(
        self, raw: str, owner: Entity, where: SourcePos, hint: str | None
    ) -> Entity:
        """The group an owner names that the catalog does not define: a team all the same.

        In a catalog whose Groups come from an org provider (GitHub, LDAP, Okta), owners name
        groups that no file defines: those are the teams. Where the catalog defines groups,
        each undefined one is reported once, as it may be a misspelling.
        """
        _, given_namespace, given = split_ref(raw, "group", owner.given_namespace)
        group = Entity(
            "group",
            given_namespace.lower(),
            given.lower(),
            where,
            None,
            owner.file,
            given=printable(given),
            given_namespace=printable(given_namespace),
            virtual=True,
        )
        if self.defines_groups:
            self.dangling[group.ref] += 1
            self.builder.warn(
                where,
                "IC603",
                f"owner of {owner.short} names {group.short}, which is not in the catalog: "
                "a team all the same",
                hint or "define the group, or read the catalog's Group entities too",
            )
        self.entities[group.ref] = group
        self.by_name.setdefault(group.name, []).append(group)
        self.undefined_groups.append(group)
        return group

    def order_undefined_groups(self) -> None:
        """The groups owners name but the catalog lacks, in the order the catalog first names
        them (owners are resolved out of that order: :meth:`_Mapper.run`)."""
        rank = {file: index for index, file in enumerate(self.files_read)}
        self.undefined_groups.sort(
            key=lambda g: (rank.get(g.pos.file, len(rank)), g.pos.line, g.pos.col)
        )
        for group in self.undefined_groups:  # after the entities read, as they were made
            self.entities[group.ref] = self.entities.pop(group.ref)
            spelt = self.spellings.get(group.ref)
            if spelt:  # the spelling most owners use, the same whatever was read first
                most = max(spelt.values())
                group.given_namespace, group.given = min(k for k, n in spelt.items() if n == most)

    def group_of_user(self, user: Entity, where: Node, owner: Entity) -> Entity | None:
        groups: list[Entity] = []
        for node in _stated(user, "memberOf"):
            found = self.entities.get(self._ref_key(node, "group", user.namespace))
            if found is not None and found.kind == "group" and found not in groups:
                groups.append(found)
        for group in self.members().get(user.ref, []):
            if group not in groups:
                groups.append(group)
        if len(groups) == 1:
            return groups[0]
        if not groups:
            why, hint = "is in no group the catalog defines", "make a group the owner"
        else:
            names = ", ".join(g.short for g in groups)
            why, hint = f"is in several groups ({names}): no team chosen", "make a group the owner"
        self.user_owned(user.short, position(owner.file, where), why, hint, owner)
        return None

    def user_owned(self, user: str, at: SourcePos, why: str, hint: str, owner: Entity) -> None:
        """Note that ``owner`` is owned by ``user``, who gives it no team (reported once)."""
        found = self.user_owners.setdefault(user, _UserOwner(user, at, why, hint))
        found.entities.append(owner.short)

    def report_users(self, teams: dict[str, str]) -> None:
        """One warning per user named as an owner whose entities get no team; ``teams``
        (group ref -> team id) says when a team has the user's name (``user:guest`` beside
        ``owner: guest`` elsewhere, or ``user:team-b`` written for the group)."""
        for found in self.user_owners.values():
            n = len(found.entities)
            owned = f"{n} entit{'y' if n == 1 else 'ies'} ({some(found.entities, 3)})"
            _, namespace, name = parse_ref(found.user, "user", "default")
            team = teams.get(f"group:{namespace}/{name}")
            same = f", though the team {team!r} has that name" if team else ""
            hint = (
                f"write owner: group:{found.user.partition(':')[2]} if the team is meant"
                if team
                else found.hint
            )
            self.builder.warn(
                found.pos,
                "IC607",
                f"{found.user} owns {owned} and {found.why}: {'it has' if n == 1 else 'they have'} "
                f"no team{same}",
                hint,
            )

    def report_memberships(self) -> None:
        """IC603 for each ref in a user's ``memberOf`` or a group's ``members`` that names no
        entity, or one of another kind: those decide which team a user's entities count for.
        A missing group or user is reported only when the catalog holds some entity of that
        kind: a catalog read without its User entities would otherwise get a warning for every
        member of every group."""
        held = {e.kind for e in self.entities.values() if not e.virtual}
        for entity in list(self.entities.values()):
            if entity.virtual:
                continue
            if entity.kind == "user":
                field_name, expected = "memberOf", "group"
            elif entity.kind == "group":
                field_name, expected = "members", "user"
            else:
                continue
            for node in items(get(entity.spec, field_name)):
                raw = ref_text(node)
                kind, namespace, name = (
                    parse_ref(raw, expected, entity.namespace) if raw else (expected, "", "")
                )
                if kind != expected:
                    self.builder.warn(
                        position(entity.file, node),
                        "IC603",
                        f"{field_name} of {entity.short} names {kind}:{namespace}/{name}, "
                        f"not a {expected}",
                    )
                    continue
                if expected not in held:
                    continue
                found = self.lookup(node, entity, expected, field_name)
                if found is not None and found.virtual and self.defines_groups:
                    self.dangling[found.ref] += 1  # a group only owners name: one more mention

    def members(self) -> dict[str, list[Entity]]:
        """User ref -> the groups whose ``spec.members`` name the user (built once)."""
        if self._members is None:
            self._members = {}
            for group in self.entities.values():
                if group.kind == "group":
                    for node in _stated(group, "members"):
                        key = self._ref_key(node, "user", group.namespace)
                        self._members.setdefault(key, []).append(group)
        return self._members

    @staticmethod
    def _ref_key(node: Node, implied: str, namespace: str) -> str:
        raw = ref_text(node)
        if not raw:
            return ""
        kind, ns, name = parse_ref(raw, implied, namespace)
        return f"{kind}:{ns}/{name}"

    def names_group(self, entity: Entity) -> bool:
        """Whether ``entity``'s owner is written as a group (``group:x``), which never reads
        as a user: such owners are resolved first."""
        raw = ref_text(get(entity.spec, "owner"))
        return raw is not None and ":" in raw and parse_ref(raw, None, "")[0] == "group"

    def owner_of(self, entity: Entity) -> Entity | None:
        """The group or user owning ``entity``: a user's group is :meth:`group_of_user`'s to
        find, once every group an owner names is made."""
        node = get(entity.spec, "owner")
        if node is None or is_null(node):
            if entity.kind in WORKLOADS and not entity.spec_broken:
                self.builder.warn(entity.pos, "IC606", f"{entity.short} has no spec.owner: no team")
            return None
        found = self.lookup(node, entity, "group", "owner", ("user",), make_group=True)
        raw = ref_text(node)
        if found is not None and found.virtual and raw:
            _, namespace, name = split_ref(raw, "group", entity.given_namespace)
            spelt = self.spellings.setdefault(found.ref, Counter())
            spelt[printable(namespace), printable(name)] += 1
        if found is None:
            raw = ref_text(node)
            kind, namespace, name = (
                parse_ref(raw, "group", entity.namespace) if raw else ("", "", "")
            )
            groups = self.members().get(f"user:{namespace}/{name}", []) if kind == "user" else []
            if len(groups) == 1:  # a user the catalog lacks, in the one group that lists it
                return groups[0]
            if len(groups) > 1:
                names = ", ".join(g.short for g in groups)
                self.user_owned(
                    f"user:{'' if namespace == 'default' else namespace + '/'}{name}",
                    position(entity.file, node),
                    f"is not in the catalog, and several groups list it as a member ({names}): "
                    "no team chosen",
                    "make a group the owner",
                    entity,
                )
            elif kind == "user":
                self.user_owned(
                    f"user:{'' if namespace == 'default' else namespace + '/'}{name}",
                    position(entity.file, node),
                    "is not in the catalog (no User entity says which group the user is in)",
                    "make a group the owner, or read the catalog's User entities too",
                    entity,
                )
            return None
        if found.kind == "user":
            return found  # its group is looked up once every group is known (group_of_user)
        if found.kind != "group":
            self.builder.warn(
                position(entity.file, node),
                "IC603",
                f"the owner of {entity.short} is {found.short}, not a group or user",
            )
            return None
        return found


def _natural_id(group: Entity) -> str:
    """The team id a group makes: its name as written, ``namespace/name`` outside ``default``.

    >>> g = Entity("group", "ops", "db_admins", SourcePos("x", 1, 1), None, "x")
    >>> g.given, g.given_namespace = "DB_admins", "Ops"
    >>> _natural_id(g)
    'Ops/DB_admins'
    """
    given = g_name = group.given or group.name
    if group.namespace != "default":
        given = f"{group.given_namespace}/{g_name}"
    return printable(given) or "team"


def _marked(entity: Entity) -> str:
    """Why the catalog marks ``entity`` customer-facing itself, or ``""``."""
    tags = sorted(MARK_TAGS & set(entity.tags))
    if tags:
        return f"tagged {tags[0]}"
    for where, found in (("label", entity.labels), ("annotation", entity.annotations)):
        if found.get(MARK_KEY, "").strip().lower() in _TRUE:
            return f"{where} {MARK_KEY}"
    return ""


#: The annotations the catalog API sets on each entity, naming the file it was read from.
ORIGIN_KEYS = ("backstage.io/managed-by-location", "backstage.io/managed-by-origin-location")


def _origin(entity: Entity) -> str:
    """Where the catalog read ``entity`` from, when its JSON says (``; from url:…``).

    >>> e = Entity("component", "default", "x", SourcePos("<stdin>", 9, 9), None, "<stdin>")
    >>> e.annotations = {ORIGIN_KEYS[0]: "url:https://git.example/x/catalog-info.yaml"}
    >>> _origin(e)
    '; from url:https://git.example/x/catalog-info.yaml'
    """
    for key in ORIGIN_KEYS:
        where = printable(entity.annotations.get(key, ""))
        if where:
            return f"; from {where}"
    return ""


def _inside_only(entity: Entity) -> bool:
    """Whether the catalog says ``entity`` serves people inside only (or is deprecated)."""
    return bool(_inside_why(entity))


def _inside_why(entity: Entity) -> str:
    """How the catalog says ``entity`` serves people inside only (or is deprecated), or ``""``.

    >>> e = Entity("component", "default", "x", SourcePos("x", 1, 1), None, "x")
    >>> e.labels = {MARK_KEY: "False"}
    >>> _inside_why(e)
    'label icmap.io/customer-facing: false'
    """
    for where, found in (("label", entity.labels), ("annotation", entity.annotations)):
        said = found.get(MARK_KEY, "").strip().lower()
        if said in _FALSE:
            return f"{where} {MARK_KEY}: {said}"
    tags = sorted(INTERNAL_TAGS & set(entity.tags))
    if tags:
        return f"tagged {tags[0]}"
    if entity.lifecycle == "deprecated":
        return "lifecycle deprecated"
    return ""


def _front(entity: Entity, feeds: dict[str, set[str]]) -> str:
    """Why ``entity`` is a front end or an HTTP API nothing consumes, or ``""``."""
    if _inside_only(entity):
        return ""
    if entity.kind == "component" and entity.spec_type in FRONT_END_TYPES:
        return f"a front end (spec.type {entity.spec_type})"
    if entity.kind == "api" and entity.ref not in feeds and entity.spec_type in PUBLIC_API_TYPES:
        return f"an API nothing in the catalog consumes (spec.type {entity.spec_type})"
    return ""


def _label_selector(selector: str) -> tuple[str, str | None]:
    """``KEY=VALUE`` (or ``KEY``, any value) in lower case.

    >>> _label_selector("Tier=Edge"), _label_selector("public")
    (('tier', 'edge'), ('public', None))
    """
    key, equals, value = selector.partition("=")
    return key.strip().lower(), (value.strip().lower() if equals else None)


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
        #: The --customer selectors that match no entity.
        self.unmatched: list[str] = []

    def run(self) -> ImportResult:
        catalog = self.catalog
        # A catalog has no order, so neither has this: the groups owners name but the catalog
        # lacks are made (owners written group:x first, as a bare name may read as a user)
        # before any user's groups are looked up.
        owned = [e for e in catalog.entities.values() if e.kind in (*WORKLOADS, "domain")]
        owners: dict[str, Entity] = {}
        users: list[tuple[Entity, Entity, Node]] = []
        for entity in sorted(owned, key=lambda entity: not catalog.names_group(entity)):
            owner = catalog.owner_of(entity)
            node = get(entity.spec, "owner")
            if owner is not None and owner.kind == "user" and node is not None:
                users.append((entity, owner, node))
            elif owner is not None:
                owners[entity.ref] = owner
        for entity, user, node in users:
            owner = catalog.group_of_user(user, node, entity)
            if owner is not None:
                owners[entity.ref] = owner
        self.owners = {e.ref: owners[e.ref] for e in owned if e.ref in owners}
        catalog.order_undefined_groups()
        groups = [e for e in catalog.entities.values() if e.kind == "group"]
        parents = self.parents([g for g in groups if not g.virtual])
        has_children = {p.ref for p in parents.values()}
        owning = {g.ref for ref, g in self.owners.items() if ref.split(":", 1)[0] in WORKLOADS}
        teams = [g for g in groups if g.ref in owning or g.ref not in has_children]
        self.taken = {_natural_id(g) for g in teams}
        for group in teams:
            self.add_team(group, parents.get(group.ref))
        catalog.report_users(self.team_of)
        catalog.report_memberships()
        edges = self.relations()
        customer_facing = self.customer_facing(edges)
        first = catalog.files_read[0] if catalog.files_read else "<catalog>"
        if catalog.files_read and self.builder.teams:
            self.add_customers(customer_facing)
        elif catalog.files_read and not any(
            d.severity == "error" for d in self.builder.diagnostics
        ):
            # After an error (a file that cannot be read) 'no teams' says nothing new.
            if catalog.user_owners:
                why = "and each owner named is a user in no group it defines (IC607)"
                hint = "make groups the owners, or read the catalog's Group entities too"
            else:
                why, hint = "and no entity names an owner", None
            self.builder.error(
                SourcePos(first, 1, 1),
                "IC614",
                f"no teams: the catalog has no Group entities, {why}",
                hint,
            )
        idle = self.idle_teams(owning)
        left_out = [] if catalog.options.keep_idle else idle
        notes = self.owner_only_note(left_out)
        for team in left_out:
            del self.builder.teams[team]
        if idle:
            notes.append(idle_note(idle, kept=catalog.options.keep_idle))
        org_name = self.organisation(groups, parents)
        org = self.builder.finish(org_name, tuple(catalog.files_read))
        errors = any(d.severity == "error" for d in self.builder.diagnostics)
        counts = {
            "files read": len(catalog.files_read),
            "files skipped": catalog.files_skipped,
            "locations followed": catalog.locations,
            "entities read": catalog.entities_read,
            "teams": len(org.teams),
            "idle teams left out": 0 if catalog.options.keep_idle else len(idle),
            "teams named only as owners": len(catalog.undefined_groups),
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
            self.builder.why,
            counts,
            self.chosen,
            dict(sorted(catalog.dangling.items())),
            notes,
            idle_teams=idle,
            owned=self.owned(),
        )

    def owned(self) -> dict[str, list[str]]:
        """Team id -> the refs of what it owns (Components, APIs, Resources, Systems, Domains)."""
        found: dict[str, list[str]] = {}
        for ref, owner in self.owners.items():
            team = self.team_of.get(owner.ref)
            if team is not None:
                found.setdefault(team, []).append(self.catalog.entities[ref].short)
        return {team: sorted(refs) for team, refs in found.items()}

    def owner_only_note(self, left_out: list[str]) -> list[str]:
        """The one note on owners that name groups the catalog does not define; of those,
        the teams ``left_out`` as idle are named apart (the next note says why)."""
        undefined = [
            self.team_of[g.ref] for g in self.catalog.undefined_groups if g.ref in self.team_of
        ]
        if not undefined:
            return []
        idle = [t for t in undefined if t in left_out]
        teams = [t for t in undefined if t not in left_out]
        n, k = len(undefined), len(teams)
        named = f"{n:,} group{'s' * (n != 1)}"
        if self.catalog.defines_groups:
            said = f"{named} named as owners but not defined in the catalog"
            if not idle:
                return [
                    f"{said} {'are teams' if n != 1 else 'is a team'} all the same: {some(teams)}"
                ]
            return [
                f"{said}: {k:,} {'are teams' if k != 1 else 'is a team'} all the same "
                f"({some(teams)}), {len(idle):,} left out as idle ({some(idle)})"
            ]
        said = (
            f"owner-only catalog (no Group entities: they come from an org provider): the {named}"
        )
        if not idle:
            return [
                f"{said} named in spec.owner {'are' if n != 1 else 'is'} the teams: {some(teams)}"
            ]
        return [
            f"{said} named in spec.owner: {k:,} {'are teams' if k != 1 else 'is a team'} "
            f"({some(teams)}), {len(idle):,} left out as idle ({some(idle)})"
        ]

    def idle_teams(self, owning: set[str]) -> list[str]:
        """The teams that own no Component, API, Resource or System and have no hand-off."""
        busy = {team for key in self.builder.relations for team in key[:2]}
        busy |= {self.team_of[ref] for ref in owning if ref in self.team_of}
        return sorted(t for t in self.builder.teams if t not in busy)

    def parents(self, groups: list[Entity]) -> dict[str, Entity]:
        """Group ref -> its parent group, from ``spec.parent`` or a parent's ``children``."""
        catalog = self.catalog
        parents: dict[str, Entity] = {}
        listed: dict[str, dict[str, tuple[Entity, SourcePos]]] = {}  # child -> its listers
        for group in groups:
            node = get(group.spec, "parent")
            if node is not None and not is_null(node):
                parent = catalog.lookup(node, group, "group", "parent")
                if parent is not None and parent.kind == "group":
                    parents[group.ref] = parent
            for child_node in items(get(group.spec, "children")):
                child = catalog.lookup(child_node, group, "group", "children")
                if child is not None and child.kind == "group":
                    where = position(group.file, child_node)
                    listed.setdefault(child.ref, {}).setdefault(group.ref, (group, where))
        for child_ref, listers in listed.items():
            own = parents.get(child_ref)
            # A group's own parent decides; else the first lister by ref, whatever the order
            # of the files: a group sits under one parent, and the others are told.
            chosen = own or listers[min(listers)][0]
            parents[child_ref] = chosen
            named = catalog.entities[child_ref].short
            for lister, where in listers.values():
                if lister is chosen:
                    continue
                said = f"its parent is {chosen.short}" if own else f"so does {chosen.short}"
                self.builder.warn(
                    where,
                    "IC618",
                    f"{lister.short} lists {named} among its children, but {said}: grouped "
                    f"under {chosen.short} only",
                    "list each group among the children of one parent",
                )
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
        works = [e for e in catalog.entities.values() if e.kind in (*WORKLOADS, "domain")]
        stated = [
            (entity, name, node, False)
            for entity in works
            for name in SPEC_RELATIONS
            for node in items(get(entity.spec, name))
        ]
        # The catalog API's relations repeat what the spec says (both ways): read after it,
        # they add only what the spec does not, and warn about nothing the spec did not.
        stated += [
            (entity, name, node, True)
            for entity in works
            for name, node in entity.exported
            if name in SPEC_RELATIONS
        ]
        for entity, name, node, exported in stated:
            implied, named_provides = SPEC_RELATIONS[name]
            other = catalog.lookup(node, entity, implied, name, quiet=exported)
            if other is None:
                continue
            if other.kind not in RELATED_KINDS:  # dependsOn: [group:x] hands nothing off
                if not exported:
                    self.builder.warn(
                        position(entity.file, node),
                        "IC603",
                        f"{name} of {entity.short} names {other.short}, a {other.kind}, not a "
                        "component, API, resource, system or domain: no hand-off",
                        f"name what {other.short} owns, not {other.short} itself",
                    )
                continue
            if other is entity:
                if not exported:
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
            if exported and (provider.ref, receiver.ref) in seen:
                continue
            why = f"via {entity.short} {name} {other.short}{_origin(entity)}"
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
        """The entities facing the external customer, and why each (docs/import.md)."""
        options = self.catalog.options
        works = [e for e in self.catalog.entities.values() if e.kind in WORKLOADS]
        if not options.default:
            return self.selected(works)
        choices = (
            (
                "default: the entities the catalog marks customer-facing (tag "
                f'{", ".join(sorted(MARK_TAGS))}, or label {MARK_KEY}: "true") serve the '
                "external customer (choose others with --customer)",
                [(e, why) for e in works if (why := _marked(e))],
            ),
            (
                "default: the front ends (Components of spec.type website, frontend, "
                "mobile-app…) and the OpenAPI and GraphQL APIs nothing in the catalog consumes "
                "serve the external customer; nothing deprecated or tagged internal (choose "
                "others with --customer)",
                [(e, why) for e in works if (why := _front(e, feeds))],
            ),
            (
                "default: the catalog has no front end and no OpenAPI or GraphQL API that nothing "
                "consumes: every "
                "Component that nothing in it depends on, consumes or is built from, and that "
                "is no library, tool or infrastructure, serves the external customer; nothing "
                "deprecated or tagged internal (choose others with --customer)",
                [
                    (e, "nothing in the catalog depends on it")
                    for e in works
                    if e.kind == "component"
                    and e.ref not in feeds
                    and e.spec_type not in INTERNAL_TYPES
                    and not _inside_only(e)
                ],
            ),
        )
        for said, chosen in choices:
            if any(self.team_owning(e) for e, _ in chosen):
                self.chosen = [said]
                return chosen
        self.chosen = [choices[-1][0]]
        return []

    def team_owning(self, entity: Entity) -> str | None:
        owner = self.owners.get(entity.ref)
        return self.team_of.get(owner.ref) if owner is not None else None

    def selected(self, works: list[Entity]) -> list[tuple[Entity, str]]:
        """The entities ``--customer`` selects, each with the selectors it matches.

        A selector that matches no entity is reported (IC633, with a did-you-mean). Entities
        the catalog itself marks as serving people inside (label ``icmap.io/customer-facing:
        "false"``, an internal tag, ``lifecycle: deprecated``) are left out of what ``kind:``,
        ``type:``, ``tag:`` and ``label:`` match, and named in the summary; ``ref:`` names one
        entity and wins over the catalog's marks.
        """
        options = self.catalog.options
        kinds = {k.lower() for k in options.kinds}
        types = {t.lower() for t in options.types}
        tags = {t.lower() for t in options.tags}
        labels = [_label_selector(label) for label in options.labels]
        refs: dict[str, str] = {}  # entity ref -> the selector as given
        for ref in options.refs:
            kind, namespace, name = parse_ref(ref, "component", "default")
            refs.setdefault(f"{kind}:{namespace}/{name}", ref)
        said = [
            f"{label} {', '.join(sorted(values))}"
            for label, values in (
                ("kind", kinds),
                ("type", types),
                ("tag", tags),
                ("label", set(options.labels)),
                ("ref", set(refs)),
            )
            if values
        ]
        self.chosen = [f"chosen: entities with {'; or '.join(said)} serve the external customer"]
        hits: Counter[str] = Counter()  # selector as written -> entities it matches
        chosen: list[tuple[Entity, str]] = []
        excluded: list[str] = []
        for entity in works:
            spec_type = entity.spec_type
            found_labels = {k.lower(): v.lower() for k, v in entity.labels.items()}
            matched_labels = [
                (raw, f"{key}={value}" if value is not None else key)
                for raw, (key, value) in zip(options.labels, labels, strict=True)
                if key in found_labels and value in (None, found_labels[key])
            ]
            matched_tags = sorted(tags & set(entity.tags))
            for selector, hit in (
                *((f"kind:{k}", entity.kind == k) for k in kinds),
                *((f"type:{t}", spec_type == t) for t in types),
                *((f"tag:{t}", t in matched_tags) for t in tags),
                *((f"label:{raw}", True) for raw, _ in matched_labels),
                *((f"ref:{raw}", entity.ref == ref) for ref, raw in refs.items()),
            ):
                hits[selector] += hit
            reasons = [
                reason
                for reason, hit in (
                    (f"kind {entity.kind}", entity.kind in kinds),
                    (f"type {spec_type}", spec_type in types),
                    (f"tag {', '.join(matched_tags)}", bool(matched_tags)),
                    (f"label {', '.join(m for _, m in matched_labels)}", bool(matched_labels)),
                    ("named with --customer ref", entity.ref in refs),
                )
                if hit
            ]
            if not reasons:
                continue
            inside = _inside_why(entity)
            # A mark the selector itself names was asked for: --customer tag:internal.
            asked = inside.removeprefix("tagged ") in tags or any(
                key == MARK_KEY for key, _ in labels
            )
            if inside and entity.ref not in refs and not asked:
                excluded.append(f"{entity.short} ({inside})")
                continue
            chosen.append((entity, "; ".join(reasons)))
        if excluded:
            self.chosen.append(
                "left out although --customer matches them, as the catalog marks them as "
                f"serving people inside (choose one with --customer ref:…): {some(excluded)}"
            )
        self.unmatched = [
            s
            for s in (
                *(f"kind:{k}" for k in kinds),
                *(f"type:{t}" for t in types),
                *(f"tag:{t}" for t in tags),
                *(f"label:{raw}" for raw in options.labels),
                *(f"ref:{raw}" for raw in refs.values()),
            )
            if not hits[s]
        ]
        for selector in self.unmatched:
            guess = self.guess(selector, works)
            self.builder.warn(
                COMMAND_LINE,
                "IC633",
                f"--customer {selector} matches no entity"
                + (f"; did you mean {guess}?" if guess else ""),
                "selectors match Components, APIs, Resources and Systems: kind:KIND, "
                "type:TYPE (spec.type), tag:TAG, label:KEY=VALUE or ref:REF",
            )
        return chosen

    @staticmethod
    def guess(selector: str, works: list[Entity]) -> str | None:
        """The selector the catalog has that ``selector`` (matching nothing) may mean."""
        what, _, wanted = selector.partition(":")
        wanted = wanted.strip().lower()
        words: dict[str, set[str]] = {
            "kind": {e.kind for e in works},
            "type": {e.spec_type for e in works if e.spec_type},
            "tag": {t for e in works for t in e.tags},
            "label": {
                f"{k.lower()}={v.lower()}" if "=" in wanted else k.lower()
                for e in works
                for k, v in e.labels.items()
            },
            "ref": {e.short.lower() for e in works} | {e.name for e in works},
        }
        close = difflib.get_close_matches(wanted, sorted(words[what]), 1, 0.6)
        if close:
            return f"{what}:{close[0]}"
        # The right word under another selector: --customer tag:website for a spec.type.
        others = [other for other, found in words.items() if other != what and wanted in found]
        return f"{others[0]}:{wanted}" if others else None

    def add_customers(self, chosen: list[tuple[Entity, str]]) -> None:
        first = self.catalog.files_read[0] if self.catalog.files_read else "<catalog>"
        served = 0
        customer = self.builder.customer_id()
        #: reason -> "entity (team)" for each entity chosen, so the summary names them.
        by_reason: dict[str, list[str]] = {}
        for entity, reason in chosen:
            owner = self.owners.get(entity.ref)
            team = self.team_of.get(owner.ref) if owner is not None else None
            if team is None:
                continue
            served += 1
            by_reason.setdefault(reason, []).append(f"{entity.short} ({team})")
            why = f"via {entity.short}: {reason}{_origin(entity)}"
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
            self.chosen.extend(
                f"customer-facing, {reason}: {some(sorted(names))}"
                for reason, names in by_reason.items()
            )
            return
        if not chosen and self.unmatched:
            missed = " and ".join(f"--customer {s}" for s in self.unmatched)
            self.builder.error(
                COMMAND_LINE,
                "IC614",
                f"no external customer: {missed} match{'es' * (len(self.unmatched) == 1)} "
                "no entity in the catalog",
                "check the spelling against the catalog (each selector's warning has a "
                "did-you-mean), or leave --customer out for the default",
            )
            return
        self.builder.error(
            SourcePos(first, 1, 1),
            "IC614",
            "no entity owned by a team faces the external customer: an org needs one",
            "select customer-facing entities with --customer kind:…, type:…, tag:…, "
            "label:KEY=VALUE or ref:…",
        )

    chosen: list[str]
