"""Context Mapper team maps (CML files) as an org.

Context Mapper's language (CML) is read with a grammar (:data:`GRAMMAR`, for the Lark parser
library), not with regular expressions, and every position comes from the parser. The grammar
knows the part of CML that team maps use and reads the rest of a file tolerantly: any other
top-level element (``Domain``, ``UseCase``, ``UserStory``, ``Stakeholders``, ``ValueRegister``)
and anything inside a bounded context besides its attributes (``Aggregate``, ``Module``,
``Application``...) is a balanced ``{ ... }`` block of any tokens, skipped with one warning
a file (IC673).

- A ``ContextMap`` of ``type = ORGANIZATIONAL`` is the team map (none: IC672, an error).
- Each ``BoundedContext`` of ``type = TEAM`` that the map ``contains`` is a team, its id the
  context's name as written; its ``domainVisionStatement`` is the description, with the
  contexts it ``realizes`` named after it; the first domain or subdomain it ``implements`` is
  its group.
- Each relationship of the map: the upstream (``U``, supplier ``S``) side provides to the
  downstream (``D``, customer ``C``) side; a partnership (``[P]<->[P]``) or shared kernel
  (``[SK]<->[SK]``, ``<->``) provides both ways, in the collaboration mode; an upstream open host
  service (``OHS``) provides as a service (x-as-a-service). A context that is not a team stands
  for the teams that realize it, so relationships between the contexts teams realize are hand-offs
  between those teams.
- A hand-off's ``what``: each of the relationship's ``exposedAggregates``, else its name
  (``: Name``), else the upstream context (a team: the contexts it realizes), else
  "<team>'s work".
- External customers: the teams that are upstream of no other team serve the one external
  customer; ``--customer ref:NAME`` (a team, or a context its teams realize) or ``type:TYPE``
  (the bounded context type of what the teams realize, ``type:APPLICATION``) choose instead.

docs/import.md#context-mapper-cml has the mapping with a worked example.
"""

from __future__ import annotations

import codecs
import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from icmap.errors import UsageError
from icmap.importers import BackstageOptions, ImportResult, hand_off_counts, some
from icmap.importers.build import OrgBuilder
from icmap.loader.source import read_regular
from icmap.model import SourcePos

if TYPE_CHECKING:
    from lark.lark import Lark
    from lark.lexer import Token
    from lark.tree import Tree

#: The part of Context Mapper's Xtext grammar (ContextMappingDSL.xtext) that team maps use,
#: in Lark's notation. Keywords are reserved as in CML (``^type`` escapes one as a name).
GRAMMAR = r"""
start: _item*
_item: import_ | context_map | bounded_context | skipped

import_: "import" STRING

context_map: "ContextMap" ID? "{" _map_item* "}"
_map_item: map_type | map_state | contains | relationship
map_type: TYPE "="? ID
map_state: "state" "="? ID
contains: "contains" ID ("," ID)*

// Xtext's forms: A [roles]->[roles] B, [roles] A <-> [roles] B, [roles] A <-> B [roles],
// and the keyword forms (A Partnership B, A [OHS]Upstream-Downstream[CF] B ...).
relationship: ID roles? CONNECTOR roles? ID _tail
            | roles ID CONNECTOR roles ID _tail
            | roles ID CONNECTOR ID roles _tail
_tail: rel_name? rel_body?
roles: "[" (ID ("," ID)*)? "]"
rel_name: ":" ID
rel_body: "{" _rel_attribute* "}"
_rel_attribute: technology | exposed | rights
technology: TECHNOLOGY "="? STRING
exposed: "exposedAggregates" "="? ID ("," ID)*
rights: "downstreamRights" "="? ID

bounded_context: "BoundedContext" ID _bc_clause* bc_body?
_bc_clause: implements | realizes | refines
implements: "implements" ID ("," ID)*
realizes: "realizes" ID ("," ID)*
refines: "refines" ID
bc_body: "{" (attribute | block | _bc_soup)* "}"
attribute: _attribute_key "="? _value ("," _value)*
_attribute_key: VISION | TYPE | RESPONSIBILITIES | TECHNOLOGY | KNOWLEDGE | BUSINESS_MODEL
               | EVOLUTION
_value: STRING | ID
_bc_soup: ID | STRING | NUMBER | PUNCT | "=" | ":" | "[" | "]" | CONNECTOR

skipped: (DOMAIN | SUBDOMAIN | USECASE | USERSTORY | STAKEHOLDERS | VALUEREGISTER) _soup* block?

// What icmap does not read: any tokens, braces balanced.
block: "{" (block | _soup | _keyword)* "}"
_soup: ID | STRING | NUMBER | PUNCT | "," | "=" | ":" | "[" | "]" | CONNECTOR
_keyword: "import" | "ContextMap" | "state" | "contains" | "exposedAggregates"
        | "downstreamRights" | "BoundedContext" | "implements" | "realizes" | "refines"
        | VISION | TYPE | RESPONSIBILITIES | TECHNOLOGY | KNOWLEDGE | BUSINESS_MODEL | EVOLUTION
        | DOMAIN | SUBDOMAIN | USECASE | USERSTORY | STAKEHOLDERS | VALUEREGISTER

VISION: "domainVisionStatement"
TYPE: "type"
RESPONSIBILITIES: "responsibilities"
TECHNOLOGY: "implementationTechnology"
KNOWLEDGE: "knowledgeLevel"
BUSINESS_MODEL: "businessModel"
EVOLUTION: "evolution"
DOMAIN: "Domain"
SUBDOMAIN: "Subdomain"
USECASE: "UseCase"
USERSTORY: "UserStory"
STAKEHOLDERS: "Stakeholders"
VALUEREGISTER: "ValueRegister"

CONNECTOR.3: /<->|->|<-/
           | /(Partnership|Shared-Kernel|Upstream-Downstream)(?![A-Za-z0-9_])/
           | /(Downstream-Upstream|Customer-Supplier|Supplier-Customer)(?![A-Za-z0-9_])/
ID: /\^?[A-Za-z_][A-Za-z0-9_]*/
STRING: /"(?:\\.|[^\\"])*"|'(?:\\.|[^\\'])*'/s
NUMBER: /[0-9]+(\.[0-9]+)?/
PUNCT: /[^\s{}"',=:\[\]A-Za-z0-9_^]/
SL_COMMENT: /\/\/[^\n\r]*/
ML_COMMENT: /\/\*(.|\n|\r)*?\*\//
WS: /\s+/
%ignore WS
%ignore SL_COMMENT
%ignore ML_COMMENT
"""

#: Tokens that start a new element wherever they are: a missing ``}`` ends there.
_ALWAYS_TOP = frozenset({"IMPORT", "CONTEXTMAP", "BOUNDEDCONTEXT"})
#: Tokens that start a new element outside braces.
_TOP = _ALWAYS_TOP | {
    "DOMAIN",
    "SUBDOMAIN",
    "USECASE",
    "USERSTORY",
    "STAKEHOLDERS",
    "VALUEREGISTER",
}
_WORDS = {
    "ID": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "CONNECTOR": "a relationship arrow (->, <-, <->)",
    "$END": "the end of the file",
}
_UPSTREAM_ROLES = ("U", "S", "OHS", "PL")
_DOWNSTREAM_ROLES = ("D", "C", "ACL", "CF")
_SYMMETRIC_ROLES = ("P", "SK")
_KINDS = {
    "Partnership": "partnership",
    "Shared-Kernel": "shared kernel",
    "Upstream-Downstream": "upstream/downstream",
    "Downstream-Upstream": "upstream/downstream",
    "Customer-Supplier": "customer/supplier",
    "Supplier-Customer": "customer/supplier",
}


@functools.cache
def _parser() -> Lark:
    """The parser, built when a CML file is first read (Lark is imported only then)."""
    from lark.lark import Lark

    return Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


@dataclass
class _Context:
    name: str
    pos: SourcePos
    type: str | None = None
    vision: str | None = None
    realizes: list[tuple[str, SourcePos]] = field(default_factory=list)
    implements: list[str] = field(default_factory=list)


@dataclass
class _Relationship:
    left: tuple[str, SourcePos]
    right: tuple[str, SourcePos]
    left_roles: list[tuple[str, SourcePos]]
    right_roles: list[tuple[str, SourcePos]]
    connector: str
    pos: SourcePos
    name: str | None = None
    technology: str | None = None
    exposed: list[str] = field(default_factory=list)
    rights: str | None = None

    def written(self) -> str:
        """The relationship as CML writes it, on one line."""

        def roles(found: list[tuple[str, SourcePos]]) -> str:
            return f"[{','.join(role for role, _ in found)}]" if found else ""

        left, right = roles(self.left_roles), roles(self.right_roles)
        connector = self.connector if self.connector[0] in "<-" else f" {self.connector} "
        text = f"{self.left[0]} {left}{connector}{right} {self.right[0]}"
        return " ".join(text.split()) + (f" : {self.name}" if self.name else "")


@dataclass
class _Map:
    name: str | None
    pos: SourcePos
    type: str | None = None
    contains: list[tuple[str, SourcePos]] = field(default_factory=list)
    relationships: list[_Relationship] = field(default_factory=list)


def _unquote(raw: str) -> str:
    r"""A CML string's value: quotes off, Java escapes (``\"``, ``\n``, ``\u00e9``) read.

    >>> _unquote(r'"say \"hi\"\n"'), _unquote(r"'caf\u00e9 €'")
    ('say "hi"\n', 'café €')
    """
    body = raw[1:-1]
    if "\\" not in body:
        return body
    try:
        return codecs.decode(body.encode("latin-1", "backslashreplace"), "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        return body


def _name(token: Token) -> str:
    """A name as CML means it: ``^type`` is the name ``type``."""
    return str(token).removeprefix("^")


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


class _Reader:
    def __init__(self, options: BackstageOptions) -> None:
        self.options = options
        self.builder = OrgBuilder()
        self.files: list[str] = []
        self.roots: list[Path] = []
        self.contexts: dict[str, _Context] = {}
        self.maps: list[_Map] = []
        #: Names of elements a syntax error made unreadable: no unknown-name warnings for them.
        self.unreadable: set[str] = set()
        self.skipped_maps: list[_Map] = []
        self.relationships = 0
        #: Sentences saying which teams serve the external customer, and why.
        self.chosen: list[str] = []
        self.inside = 0
        self.unowned = 0

    # -- reading files -------------------------------------------------------------------------

    def read(self, paths: Sequence[Path]) -> None:
        # Imports are read from the folders given, and beside (or below) the files given.
        self.roots = [path.resolve() if path.is_dir() else path.resolve().parent for path in paths]
        queue: list[Path] = []
        for path in paths:
            files = _cml_files(path) if path.is_dir() else [path]
            if not files:
                where = SourcePos(str(path), 1, 1)
                self.builder.error(where, "IC001", "no *.cml files in this folder")
            queue.extend(files)
        seen: set[Path] = set()
        while queue:
            file = queue.pop(0)
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            for imported in self.read_file(file):
                queue.append(imported)

    def read_file(self, file: Path) -> list[Path]:
        """Read one file; returns the files its ``import`` statements name that can be read."""
        display = str(file)
        self.files.append(display)
        at = SourcePos(display, 1, 1)
        data, problem = read_regular(file, display)  # a regular file of at most 64 MiB
        if data is None:
            assert problem is not None
            self.builder.diagnostics.append(problem)
            return []
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.builder.error(at, "IC670", f"not UTF-8 text (byte {exc.start + 1}): not CML")
            return []
        trees = self.parse(display, text)
        skipped: dict[str, int] = {}
        first_skipped: SourcePos | None = None
        imports: list[Path] = []
        for tree in trees:
            for item in _trees(tree):
                kind = item.data
                if kind == "import_":
                    found = self.follow_import(display, file, item)
                    if found is not None:
                        imports.append(found)
                elif kind == "context_map":
                    self.read_map(display, item)
                elif kind == "bounded_context":
                    for what, pos in self.read_context(display, item):
                        skipped[what] = skipped.get(what, 0) + 1
                        first_skipped = first_skipped or pos
                elif kind == "skipped":
                    keyword = _tokens(item)[0]
                    skipped[str(keyword)] = skipped.get(str(keyword), 0) + 1
                    first_skipped = first_skipped or _at(display, keyword)
        if first_skipped is not None:
            said = ", ".join(_counted(n, what) for what, n in skipped.items())
            self.builder.warn(
                first_skipped,
                "IC673",
                f"not read: {said} (icmap reads the team map: the ORGANIZATIONAL ContextMap "
                "and its bounded contexts)",
            )
        return imports

    def parse(self, display: str, text: str) -> list[Tree[Token]]:
        """The trees of the file's elements that parse; a syntax error for each that does not.

        The file is cut into its top-level elements by their first keyword, and each element
        is parsed on its own, so every broken element is reported, not only the first.
        """
        from lark.exceptions import UnexpectedInput

        parser = _parser()
        segments, broken = self.segments(display, text)
        trees: list[Tree[Token]] = []
        for start, line, col, end, name in segments:
            if name is not None and name in broken:
                self.unreadable.add(name)
            if (start, end) in broken.values():
                continue
            padded = "\n" * (line - 1) + " " * (col - 1) + text[start:end]
            try:
                trees.append(parser.parse(padded))
            except UnexpectedInput as exc:
                self.syntax_error(display, exc)
                if name is not None:
                    self.unreadable.add(name)
        return trees

    def lex(self, display: str, text: str) -> tuple[list[Token], list[int]]:
        """The file's tokens, and where characters no CML token holds are (each reported)."""
        from lark.exceptions import UnexpectedCharacters

        bad: list[int] = []
        source = text
        while True:
            try:
                return list(_parser().lex(source)), bad
            except UnexpectedCharacters as exc:
                pos = exc.pos_in_stream or 0
                line, column = exc.line, exc.column
                if source[pos] in "\"'":
                    # The quote left open is usually earlier: a string that runs on over the
                    # next lines, closed by the next string's opening quote.
                    opened = _string_left_open(source, pos)
                    if opened is not None:
                        pos = opened.start_pos or 0
                        line, column = opened.line or line, opened.column or column
                bad.append(pos)
                self.lexical_error(display, text, pos, line, column)
                # Read on past it, so that the rest of the file is reported too.
                end = _string_end(source, pos)
                source = source[:pos] + _blank(source[pos:end]) + source[end:]

    def unclosed(self, display: str, brace: Token, before: Token | None) -> None:
        where = (
            f"the {before} at line {before.line}" if before is not None else "the end of the file"
        )
        self.builder.error(
            _at(display, brace),
            "IC670",
            f"this '{{' is never closed: a '}}' is missing before {where}",
        )

    def segments(
        self, display: str, text: str
    ) -> tuple[list[tuple[int, int, int, int, str | None]], dict[str, tuple[int, int]]]:
        """(start, line, column, end, name) of each top-level element, and the elements whose
        error is already reported (a character no CML token holds, a ``{`` never closed)."""
        tokens, bad = self.lex(display, text)
        starts: list[tuple[int, int, int, str | None]] = []
        open_braces: list[Token] = []
        broken: dict[str, tuple[int, int]] = {}
        broken_starts: set[int] = set()
        after_element = False
        for index, token in enumerate(tokens):
            kind = token.type
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            # The element's name, when a syntax error leaves it unread.
            name = _name(following) if following is not None and following.type == "ID" else None
            if after_element and kind not in _TOP:
                # Something after an element's closing brace that starts no element: on its
                # own, so that the element before it is still read.
                starts.append((_offset(token), token.line or 1, token.column or 1, name))
            after_element = False
            if kind in _ALWAYS_TOP or (kind in _TOP and not open_braces):
                if open_braces:
                    self.unclosed(display, open_braces[-1], token)
                    if starts:
                        broken_starts.add(starts[-1][0])
                    open_braces.clear()
                starts.append((_offset(token), token.line or 1, token.column or 1, name))
            elif kind == "LBRACE":
                open_braces.append(token)
            elif kind == "RBRACE" and open_braces:
                open_braces.pop()
                after_element = not open_braces
        if open_braces:
            self.unclosed(display, open_braces[-1], None)
            if starts:
                broken_starts.add(starts[-1][0])
        first = _offset(tokens[0]) if tokens else len(text)
        if tokens and (not starts or starts[0][0] != first):
            # Something before the first element: parsed alone, so that it is reported.
            starts.insert(0, (first, tokens[0].line or 1, tokens[0].column or 1, None))
        segments = []
        for number, (start, line, col, name) in enumerate(starts):
            end = starts[number + 1][0] if number + 1 < len(starts) else len(text)
            segments.append((start, line, col, end, name))
            if start in broken_starts or any(start <= pos < end for pos in bad):
                broken[name or f"@{start}"] = (start, end)
        return segments, broken

    def lexical_error(self, display: str, text: str, pos: int, line: int, col: int) -> None:
        char = text[pos]
        at = SourcePos(display, line, col)
        if char in "\"'":
            self.builder.error(at, "IC670", f"this string ({char}) is never closed")
        elif text.startswith("/*", pos):
            self.builder.error(at, "IC670", "this comment (/*) is never closed")
        else:
            self.builder.error(at, "IC670", f"{char!r} cannot appear here in CML")

    def syntax_error(self, display: str, exc: Exception) -> None:
        from lark.exceptions import UnexpectedEOF, UnexpectedToken

        if isinstance(exc, UnexpectedToken):
            token = exc.token
            expected = sorted(exc.expected, key=_order)
            if token.type == "$END":
                found = "the end of the file"
            elif token.type in ("ID", "STRING", "NUMBER"):
                found = f"{_WORDS[token.type].removeprefix('a ')} {str(token)!r}"
            else:
                found = repr(str(token))
            words = [_describe(name) for name in expected]
            shown = ", ".join(words[:10]) + (", ..." if len(words) > 10 else "")
            hint = None
            if token.type == "ID":
                keywords = [_literal(name) for name in expected]
                hint = _suggest(str(token), [k for k in keywords if k]).removeprefix("; ")
            line = token.line or exc.line or 1
            col = token.column or exc.column or 1
            self.builder.error(
                SourcePos(display, line, col),
                "IC670",
                f"unexpected {found}: expected {shown}",
                hint or None,
            )
        elif isinstance(exc, UnexpectedEOF):  # pragma: no cover - LALR reports $END tokens
            self.builder.error(SourcePos(display, 1, 1), "IC670", "unexpected end of the file")
        else:  # pragma: no cover - lexing errors are caught while cutting the file
            self.builder.error(SourcePos(display, 1, 1), "IC670", str(exc))

    def follow_import(self, display: str, file: Path, item: Tree[Token]) -> Path | None:
        token = _tokens(item)[0]
        wanted = _unquote(str(token))
        target = (file.parent / wanted).resolve()
        at = _at(display, token)
        if not any(target == root or root in target.parents for root in self.roots):
            self.builder.warn(
                at,
                "IC678",
                f"import {wanted!r} is outside the folders given: not read",
                "name a folder holding both files on the command line",
            )
            return None
        if not target.is_file():
            self.builder.warn(at, "IC678", f"import {wanted!r}: no such file: not read")
            return None
        return target

    # -- elements ------------------------------------------------------------------------------

    def read_map(self, display: str, item: Tree[Token]) -> None:
        name = next(iter(_tokens(item, "ID")), None)
        found = _Map(_name(name) if name is not None else None, _meta(display, item))
        for child in _trees(item):
            kind = child.data
            if kind == "map_type":
                found.type = str(_tokens(child)[-1])
            elif kind == "contains":
                found.contains.extend((_name(t), _at(display, t)) for t in _tokens(child, "ID"))
            elif kind == "relationship":
                found.relationships.append(self.read_relationship(display, child))
        self.maps.append(found)

    def read_relationship(self, display: str, item: Tree[Token]) -> _Relationship:
        ends: list[tuple[str, SourcePos]] = []
        roles: tuple[list[tuple[str, SourcePos]], list[tuple[str, SourcePos]]] = ([], [])
        connector = ""
        name = technology = rights = None
        exposed: list[str] = []
        from lark.lexer import Token

        for child in item.children:
            if isinstance(child, Token):
                if child.type == "ID":
                    ends.append((_name(child), _at(display, child)))
                else:
                    connector = str(child)
                continue
            values = _tokens(child)
            if child.data == "roles":
                side = roles[1] if connector else roles[0]
                side.extend((str(t), _at(display, t)) for t in values)
            elif child.data == "rel_name":
                name = _name(values[0])
            elif child.data == "rel_body":
                for attribute in _trees(child):
                    words = _tokens(attribute)
                    kind = attribute.data
                    if kind == "technology":
                        technology = _unquote(str(words[-1]))
                    elif kind == "exposed":
                        exposed.extend(_name(t) for t in words)
                    elif kind == "rights":
                        rights = str(words[-1])
        return _Relationship(
            ends[0],
            ends[1],
            roles[0],
            roles[1],
            connector,
            _meta(display, item),
            name,
            technology,
            exposed,
            rights,
        )

    def read_context(self, display: str, item: Tree[Token]) -> list[tuple[str, SourcePos]]:
        """Read a bounded context; returns what it holds that icmap does not read."""
        name_token = _tokens(item, "ID")[0]
        name = _name(name_token)
        context = _Context(name, _at(display, name_token))
        skipped: list[tuple[str, SourcePos]] = []
        for child in _trees(item):
            kind = child.data
            ids = _tokens(child, "ID")
            if kind == "realizes":
                context.realizes.extend((_name(t), _at(display, t)) for t in ids)
            elif kind == "implements":
                context.implements.extend(_name(t) for t in ids)
            elif kind == "bc_body":
                skipped = self.read_body(display, child, context)
        first = self.contexts.get(name)
        if first is not None:
            self.builder.warn(
                context.pos,
                "IC677",
                f"bounded context {name!r} is defined again (first at {first.pos}): "
                "the first is read",
            )
        else:
            self.contexts[name] = context
        return skipped

    def read_body(
        self, display: str, body: Tree[Token], context: _Context
    ) -> list[tuple[str, SourcePos]]:
        from lark.lexer import Token

        skipped: list[tuple[str, SourcePos]] = []
        word: Token | None = None
        for child in body.children:
            if isinstance(child, Token):
                if child.type == "ID" and word is None:
                    word = child  # the element a block belongs to: Aggregate, Module...
            elif child.data == "attribute":
                key, value, *_ = _tokens(child)
                if key.type == "TYPE":
                    context.type = str(value)
                elif key.type == "VISION" and value.type == "STRING":
                    context.vision = _unquote(str(value))
            elif child.data == "block":
                if word is not None:
                    skipped.append((str(word), _at(display, word)))
                else:
                    skipped.append(("{ ... } block", _meta(display, child)))
                word = None
        return skipped

    # -- the org --------------------------------------------------------------------------------

    def finish(self) -> ImportResult:
        builder = self.builder
        team_maps = [m for m in self.maps if (m.type or "").upper() == "ORGANIZATIONAL"]
        for found in self.maps:
            if found not in team_maps:
                self.skipped_maps.append(found)
        syntax = any(d.code == "IC670" for d in builder.diagnostics)
        if not team_maps:
            if not syntax and not any(d.code == "IC001" for d in builder.diagnostics):
                self.no_team_map()
        else:
            for other in self.skipped_maps:
                builder.warn(
                    other.pos,
                    "IC673",
                    f"ContextMap {other.name or ''} of type {other.type or 'UNDEFINED'} not read: "
                    "icmap reads the ORGANIZATIONAL map".replace("  ", " "),
                )
        teams = self.read_teams(team_maps)
        for team_map in team_maps:
            for relationship in team_map.relationships:
                self.relationships += 1
                self.hand_offs(team_map, relationship, teams)
        if teams and not any(d.severity == "error" for d in builder.diagnostics):
            self.add_customers(team_maps, teams)
        org = builder.finish(team_maps[0].name if team_maps else None, tuple(self.files))
        errors = any(d.severity == "error" for d in builder.diagnostics)
        counts = {
            "files read": len(self.files),
            "bounded contexts read": len(self.contexts),
            "relationships read": self.relationships,
            "teams": len(org.teams),
            **hand_off_counts(org),
            "relations inside one team": self.inside,
            "relations with an unowned end": self.unowned,
        }
        notes = []
        if len(team_maps) > 1:
            named = ", ".join(f"{m.name or 'unnamed'} ({m.pos})" for m in team_maps)
            notes.append(
                f"{len(team_maps)} ORGANIZATIONAL ContextMaps read as one team map: {named}; "
                "their teams and relationships are merged, and the org is named after the first"
            )
        return ImportResult(
            "cml",
            None if errors else org,
            sorted(builder.diagnostics),
            builder.why,
            counts,
            self.chosen,
            notes=notes,
        )

    def no_team_map(self) -> None:
        first = self.files[0] if self.files else "<cml>"
        if self.maps:
            found = self.maps[0]
            self.builder.error(
                found.pos,
                "IC672",
                f"ContextMap {found.name + ' ' if found.name else ''}is of type "
                f"{found.type or 'UNDEFINED'}: no team map (a ContextMap of type ORGANIZATIONAL)",
                "a team map is 'ContextMap { type = ORGANIZATIONAL ... }' whose bounded contexts "
                "have 'type = TEAM'",
            )
        else:
            self.builder.error(
                SourcePos(first, 1, 1),
                "IC672",
                "no ContextMap here: icmap reads a team map (a ContextMap of type ORGANIZATIONAL)",
                "a team map is 'ContextMap { type = ORGANIZATIONAL ... }' whose bounded contexts "
                "have 'type = TEAM'",
            )

    def known(self, name: str, pos: SourcePos, what: str) -> _Context | None:
        """The context ``name``, or None with a warning naming the closest one."""
        context = self.contexts.get(name)
        if context is None and name not in self.unreadable:
            self.builder.warn(
                pos,
                "IC671",
                f"{what} {name!r}: no BoundedContext of that name"
                f"{_suggest(name, [*self.contexts, *self.unreadable])}",
            )
        return context

    def read_teams(self, team_maps: list[_Map]) -> dict[str, _Context]:
        contained: dict[str, SourcePos] = {}
        for team_map in team_maps:
            for name, pos in team_map.contains:
                if self.known(name, pos, "the map contains") is not None:
                    contained.setdefault(name, pos)
        teams = {
            name: self.contexts[name]
            for name in contained
            if (self.contexts[name].type or "").upper() == "TEAM"
        }
        if team_maps:
            for context in self.contexts.values():
                if (context.type or "").upper() == "TEAM" and context.name not in contained:
                    self.builder.warn(
                        context.pos,
                        "IC675",
                        f"team {context.name!r} is not in the team map: not imported",
                        f"add 'contains {context.name}' to the ORGANIZATIONAL ContextMap",
                    )
        for team in teams.values():
            realized = []
            for name, pos in team.realizes:
                self.known(name, pos, "realizes")
                realized.append(name)
            description = team.vision or ""
            if realized:
                said = f"Realizes {', '.join(realized)}."
                description = f"{description} ({said})" if description else said
            builder_group = team.implements[0] if team.implements else None
            self.builder.add_team(
                team.name, team.pos, team.name, description=description, group=builder_group
            )
        if (
            team_maps
            and not teams
            and not any(d.severity == "error" for d in self.builder.diagnostics)
        ):
            self.builder.error(
                team_maps[0].pos,
                "IC614",
                "the team map contains no bounded context of type TEAM: no teams",
                "give each team 'type = TEAM' and add it to the map with 'contains'",
            )
        return teams

    def teams_of(self, name: str, teams: dict[str, _Context]) -> list[str]:
        """The teams a context stands for: itself when a team, else the teams realizing it."""
        if name in teams:
            return [name]
        return sorted(t.name for t in teams.values() if any(r == name for r, _ in t.realizes))

    def classify(self, relationship: _Relationship) -> tuple[str, bool, str | None] | None:
        """(kind, whether the left side is upstream, mode), or None after a warning."""
        connector = relationship.connector
        left = {role for role, _ in relationship.left_roles}
        right = {role for role, _ in relationship.right_roles}
        symmetric = connector in ("<->", "Partnership", "Shared-Kernel")
        if symmetric:
            wrong = [
                (role, pos)
                for role, pos in relationship.left_roles + relationship.right_roles
                if role not in _SYMMETRIC_ROLES
            ]
            if wrong:
                role, pos = wrong[0]
                self.invalid(
                    pos, relationship, f"role {role} in a symmetric relationship (use P or SK)"
                )
                return None
            if "P" in left | right and "SK" in left | right:
                self.invalid(
                    relationship.pos,
                    relationship,
                    "a partnership (P) and shared kernel (SK) at once",
                )
                return None
            partnership = "P" in left | right or connector == "Partnership"
            return ("partnership" if partnership else "shared kernel", True, "collaboration")
        left_up = connector in ("->", "Upstream-Downstream", "Supplier-Customer")
        up_roles, down_roles = (
            (relationship.left_roles, relationship.right_roles)
            if left_up
            else (relationship.right_roles, relationship.left_roles)
        )
        for found, allowed, side in (
            (up_roles, _UPSTREAM_ROLES, "upstream"),
            (down_roles, _DOWNSTREAM_ROLES, "downstream"),
        ):
            for role, pos in found:
                if role not in allowed:
                    other = (
                        "downstream"
                        if role in _DOWNSTREAM_ROLES
                        else "upstream"
                        if role in _UPSTREAM_ROLES
                        else None
                    )
                    why = (
                        f"role {role} belongs to the {other} side, and this side is {side}"
                        if other
                        else f"role {role} is not one of {', '.join(allowed)} ({side})"
                    )
                    self.invalid(pos, relationship, why)
                    return None
        ups = {role for role, _ in up_roles}
        downs = {role for role, _ in down_roles}
        customer = "S" in ups or "C" in downs or _KINDS.get(connector) == "customer/supplier"
        kind = "customer/supplier" if customer else "upstream/downstream"
        return (kind, left_up, "x-as-a-service" if "OHS" in ups else None)

    def invalid(self, pos: SourcePos, relationship: _Relationship, why: str) -> None:
        self.builder.warn(
            pos,
            "IC674",
            f"{why}: '{relationship.written()}' is not read",
            "upstream roles are U, S, OHS, PL; downstream D, C, ACL, CF; symmetric P or SK",
        )

    def hand_offs(
        self, team_map: _Map, relationship: _Relationship, teams: dict[str, _Context]
    ) -> None:
        ends = []
        contained = {name for name, _ in team_map.contains}
        known = [
            self.known(name, pos, "relationship with")
            for name, pos in (relationship.left, relationship.right)
        ]
        classified = self.classify(relationship)
        if None in known or classified is None:
            return
        for name, pos in (relationship.left, relationship.right):
            if name not in contained:
                self.builder.warn(
                    pos,
                    "IC675",
                    f"{name!r} is in a relationship but not in the map",
                    f"add 'contains {name}' to the map",
                )
            ends.append(name)
        if ends[0] == ends[1]:
            self.builder.warn(
                relationship.pos,
                "IC616",
                f"{ends[0]!r} in a relationship with itself: no hand-off",
            )
            return
        kind, left_up, mode = classified
        up, down = ends if left_up else ends[::-1]
        up_teams, down_teams = self.teams_of(up, teams), self.teams_of(down, teams)
        if not self.owned(relationship, teams):
            return
        details = [kind]
        if relationship.technology:
            details.append(f"implementationTechnology {relationship.technology}")
        if relationship.rights:
            details.append(f"downstreamRights {relationship.rights}")
        via = ""
        if up not in teams or down not in teams:
            lifted = [
                f"{team} realizes {context}"
                for context in (up, down)
                if context not in teams
                for team in self.teams_of(context, teams)
            ]
            via = f" via {'; '.join(lifted)}"
        why = f"{relationship.written()} ({'; '.join(details)}){via}"
        pairs = [(a, b) for a in up_teams for b in down_teams]
        if kind in ("partnership", "shared kernel"):
            pairs += [(b, a) for a, b in pairs]
        for provider, receiver in pairs:
            if provider == receiver:
                self.inside += 1
                continue
            source = up if provider in up_teams else down
            for what in self.whats(relationship, source, provider, teams):
                self.builder.add_relation(
                    provider, receiver, what, relationship.pos, why, mode=mode
                )

    def owned(self, relationship: _Relationship, teams: dict[str, _Context]) -> bool:
        """Whether both ends stand for teams; a warning for the first that does not."""
        for name, pos in (relationship.left, relationship.right):
            if not self.teams_of(name, teams):
                self.unowned += 1
                self.builder.warn(
                    pos,
                    "IC676",
                    f"{name!r} is no team and no team in the map realizes it: "
                    f"'{relationship.written()}' is no hand-off",
                    f"add 'realizes {name}' to the team that builds it",
                )
                return False
        return True

    def whats(
        self, relationship: _Relationship, source: str, provider: str, teams: dict[str, _Context]
    ) -> list[str]:
        if relationship.exposed:
            return relationship.exposed
        if relationship.name:
            return [relationship.name]
        if source not in teams:
            return [source]
        realized = [name for name, _ in teams[provider].realizes]
        return [", ".join(realized)] if realized else [f"{provider}'s work"]

    def add_customers(self, team_maps: list[_Map], teams: dict[str, _Context]) -> None:
        builder = self.builder
        options = self.options
        if options.default:
            providers = {
                provider
                for (provider, receiver, _), pending in builder.relations.items()
                if pending.fields.get("mode") != "collaboration" and receiver in teams
            }
            serving = sorted(t for t in teams if t not in providers)
            self.chosen = [
                "default: the teams upstream of no other team serve the external customer "
                f"(choose others with --customer ref:TEAM or type:CONTEXT_TYPE): {some(serving)}"
            ]
        else:
            chosen: set[str] = set()
            for ref in options.refs:
                found = self.teams_of(ref, teams)
                if not found:
                    known = sorted(set(teams) | {r for t in teams.values() for r, _ in t.realizes})
                    raise UsageError(
                        f"--customer ref:{ref}: no team of that name, and no team here "
                        f"realizes a context of that name{_suggest(ref, known)}"
                    )
                chosen.update(found)
            for wanted in options.types:
                chosen.update(
                    team
                    for team, context in teams.items()
                    if wanted.upper() == "TEAM"
                    or any(
                        (self.contexts[r].type or "").upper() == wanted.upper()
                        for r, _ in context.realizes
                        if r in self.contexts
                    )
                )
            serving = sorted(chosen)
            self.chosen = [f"chosen with --customer: {some(serving)} serve the external customer"]
        customer = builder.customer_id()
        for team in serving:
            realized = [name for name, _ in teams[team].realizes]
            what = ", ".join(realized) or "Work for the external customer"
            builder.add_relation(
                team, customer, what, teams[team].pos, "the team serves the customer"
            )
        if serving:
            builder.add_customer(
                customer, team_maps[0].pos, "External customers", "Served by the teams"
            )
        else:
            builder.error(
                team_maps[0].pos,
                "IC614",
                "no team serves an external customer: every team is upstream of another"
                if options.default
                else "no team matches --customer: no external customer",
                "name the teams facing the customer with --customer ref:TEAM",
            )


def _cml_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*.cml")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _trees(tree: Tree[Token]) -> list[Tree[Token]]:
    """The rules directly under ``tree``."""
    from lark.tree import Tree

    return [child for child in tree.children if isinstance(child, Tree)]


def _tokens(tree: Tree[Token], kind: str | None = None) -> list[Token]:
    """The tokens directly under ``tree`` (of the terminal ``kind``)."""
    from lark.lexer import Token

    return [c for c in tree.children if isinstance(c, Token) and kind in (None, c.type)]


def _at(display: str, token: Token) -> SourcePos:
    return SourcePos(display, token.line or 1, token.column or 1)


def _meta(display: str, tree: Tree[Token]) -> SourcePos:
    meta = tree.meta
    return SourcePos(display, getattr(meta, "line", 1), getattr(meta, "column", 1))


#: What a string that swallowed CML holds: a brace, or a line of ``key = ``.
_LOOKS_LIKE_CML = re.compile(r"[{}]|\n\s*[A-Za-z]\w*\s*=")


def _offset(token: Token) -> int:
    return token.start_pos or 0


def _string_end(text: str, pos: int) -> int:
    """Where to read on after a bad character: an unclosed string or comment hides its line."""
    if text[pos] in "\"'" or text.startswith("/*", pos):
        newline = text.find("\n", pos)
        return len(text) if newline < 0 else newline
    return pos + 1


def _string_left_open(text: str, pos: int) -> Token | None:
    """The string that most likely opened the quote never closed at ``pos``: the first string
    before it that runs over a line break into CML (a brace, or a line of ``key =``). Each
    string after one left open is read from one string's closing quote to the next one's
    opening quote, so the first of them is where the quotes went wrong; a string written over
    several lines on purpose holds prose, not CML."""
    from lark.exceptions import UnexpectedInput

    try:
        before = list(_parser().lex(text[:pos]))
    except UnexpectedInput:  # pragma: no cover - the text up to pos lexed already
        return None
    for token in before:
        if token.type == "STRING" and "\n" in token and _LOOKS_LIKE_CML.search(str(token)):
            return token
    return None


def _blank(text: str) -> str:
    return "".join(c if c in "\r\n" else " " for c in text)


def _counted(count: int, what: str) -> str:
    return f"{count} {what}{'s' if count != 1 and not what.endswith('s') else ''}"


def _order(name: str) -> tuple[int, str]:
    return (0 if name in _WORDS else 1 if name in ("RBRACE", "LBRACE") else 2, name)


def _literal(name: str) -> str | None:
    """The text of the keyword terminal ``name`` (``"BoundedContext"``), or None."""
    for terminal in _parser().terminals:
        if terminal.name == name and terminal.pattern.type == "str":
            return str(terminal.pattern.value)
    return None


def _describe(name: str) -> str:
    if name in _WORDS:
        return _WORDS[name]
    literal = _literal(name)
    return repr(literal) if literal is not None else name.lower()


def _check_selectors(options: BackstageOptions) -> None:
    """A usage error, before anything is read, for a Backstage selector given for cml."""
    given = [
        f"{kind}:{value}"
        for kind, values in (("kind", options.kinds), ("tag", options.tags))
        for value in values
    ] + [f"label:{value}" for value in options.labels]
    if given:
        kind = given[0].partition(":")[0]
        raise UsageError(
            f"--customer {given[0]}: {kind}: is not a cml selector (kind:, tag: and label: "
            "select Backstage entities); for cml give ref:NAME (a team, or a context teams "
            "realize) or type:TYPE (a bounded context type, e.g. type:APPLICATION)"
        )


def read_team_maps(paths: Sequence[Path], options: BackstageOptions) -> ImportResult:
    """Read CML files and folders into an org (see the module docstring)."""
    _check_selectors(options)
    reader = _Reader(options)
    reader.read(paths)
    return reader.finish()
