"""Turning one file's node tree into raw entries, checking shape, types and values.

The reader knows the format (:mod:`icmap.loader.spec`) but not other files: references between
files are resolved later by :mod:`icmap.loader.resolve`. It never stops at the first problem.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from yaml import Event, MappingStartEvent

from icmap.diagnostics import Diagnostic
from icmap.loader import spec
from icmap.loader.compose import EntryStream, MappingNode, Node, ScalarNode, SequenceNode
from icmap.loader.reuse import Entries, Remembered, ReuseMismatchError, digest, moved
from icmap.model import Duration, Kind, Measured, Side, SourcePos
from icmap.topologies import MODES, STATES, TEAM_TYPES, did_you_mean_word, normalise

#: The tags of plain YAML data, the only ones org files (and importers) accept.
STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "merge", "timestamp")
)


def tag_as_written(tag: str) -> str:
    """A tag as YAML writes it: ``!!binary`` for the standard prefix, others as they are.

    >>> tag_as_written("tag:yaml.org,2002:python/object:os.system"), tag_as_written("!vault")
    ('!!python/object:os.system', '!vault')
    """
    prefix = "tag:yaml.org,2002:"
    return f"!!{tag.removeprefix(prefix)}" if tag.startswith(prefix) else tag


_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_MAP_TAG = "tag:yaml.org,2002:map"
_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]*)?$")
_LEAD_TIME = re.compile(r"^(-?[0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$")
_DECIMAL_COMMA = re.compile(r"^([0-9]+),([0-9]+)(\s*[A-Za-z]*)$")
#: Control characters (C0 but tab and line breaks, DEL, C1) break terminals, DOT and XML:
#: text holding one is refused where it is written. YAML only lets them in through escapes.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: The longest lead time accepted, in hours (about 114,000 years): sums stay finite and exact.
MAX_LEAD_TIME_HOURS = 1e9
#: Nested merge keys (``<<: *a`` where ``a`` merges ``b``...) deeper than this are refused.
MAX_MERGE_DEPTH = 32
_PREVIEW = 40
_SPENT = "aliases expand this file to far more entries than it holds"


@dataclass(slots=True)
class RawRelation:
    """One ``provides`` or ``receives`` entry, before its targets are resolved."""

    side: Side
    owner: str
    what: str
    targets: list[tuple[str, SourcePos]]
    pos: SourcePos
    lead_time: Duration | None = None
    satisfaction: float | None = None
    feedback: bool | None = None
    mode: str | None = None
    since: date | None = None
    until: date | None = None
    state: str | None = None
    streams: list[tuple[str, SourcePos]] = field(default_factory=list)
    process_time: Duration | None = None
    complete_accurate: float | None = None
    measured: Measured | None = None


@dataclass(slots=True)
class RawStream:
    """A ``streams:`` entry as written in one file, before its customer is resolved."""

    id: str
    pos: SourcePos
    fields: dict[str, str] = field(default_factory=dict)
    customer: tuple[str, SourcePos] | None = None
    target: Duration | None = None


@dataclass(slots=True)
class RawParty:
    """A team, customer or supplier as written in one file."""

    kind: Kind
    id: str
    pos: SourcePos
    fields: dict[str, str] = field(default_factory=dict)
    relations: list[RawRelation] = field(default_factory=list)
    ignores: list[tuple[str, str, SourcePos]] = field(default_factory=list)


@dataclass(slots=True)
class RawFile:
    """Everything one file contributes to the org."""

    display: str
    organisation: tuple[str, SourcePos] | None = None
    parties: list[RawParty] = field(default_factory=list)
    has_content: bool = False
    #: Ids declared under an unknown top-level key (a misspelt ``customers:`` and the like).
    misspelt_ids: set[str] = field(default_factory=set)
    #: The ``surveys:`` entries (files or folders, relative to this file), as written.
    surveys: list[tuple[str, SourcePos]] = field(default_factory=list)
    streams: list[RawStream] = field(default_factory=list)


def describe(node: Node) -> str:
    """How a node reads in an error message: 'a list', 'null', "the text 'abc'"."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "null"
    text = str(node.value)
    if len(text) > _PREVIEW:
        text = text[:_PREVIEW] + "…"
    return f"{text!r}"


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """A hint naming the closest choice, or ``None`` when nothing is close."""
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return f"did you mean {lowered[word.lower()]!r}?"
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


class InvalidValueError(ValueError):
    """A value of the right type but not a valid one; ``hint`` says how to write it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


#: Words for the units, as people write them in org files and spreadsheet cells alike.
_UNIT_WORDS = {word: unit for unit, words in spec.LEAD_TIME_UNIT_WORDS.items() for word in words}
#: Units of no fixed length in hours: refused with a word on why, never guessed.
_UNFIXED_UNITS = ("mo", "mon", "month", "months", "y", "yr", "yrs", "year", "years")


def _unit(word: str, text: str, what: str = "lead_time") -> str:
    """The unit ``word`` names (case aside: ``D``, ``Days``), or an error that says what it can.

    ``M`` alone is refused: in upper case it reads as months as often as minutes.
    """
    if word == "M":
        raise InvalidValueError(
            f"{what} {text!r}: 'M' could mean minutes or months",
            "write 'm' (or 'min') for minutes; months vary in length, so write weeks or days",
        )
    unit = _UNIT_WORDS.get(word.lower())
    if unit is not None:
        return unit
    if word.lower() in _UNFIXED_UNITS:
        raise InvalidValueError(
            f"{what} {text!r} is in {word.lower()}, which vary in length",
            "write it in weeks or days instead",
        )
    hint = did_you_mean(word.lower(), tuple(_UNIT_WORDS))
    units = "m (minutes), h (hours), d (days of 24 h), w (weeks)"
    if hint is None:
        hint = f"use one of {units}"
    raise InvalidValueError(f"{what} {text!r} has unknown unit {word!r}", hint)


@functools.lru_cache(maxsize=4096)  # an org writes a handful of lead times many times over
def parse_lead_time(text: str, what: str = "lead_time") -> Duration:
    """A lead time from its text: a non-negative number and a unit, as a letter or a word.

    The units are m, h, d and w, also written as words (``4 hours``, ``2days``, ``90 mins``)
    and in any case (``1D``); every source reads the same words. ``what`` names the field in
    messages (process times and stream targets are written as lead times are).

    >>> parse_lead_time("5.17d").hours
    124.08
    >>> parse_lead_time("4 Hours").text, parse_lead_time("2days").text
    ('4h', '2d')
    >>> parse_lead_time("5")
    Traceback (most recent call last):
    ...
    icmap.loader.reader.InvalidValueError: lead_time '5' has no unit
    """
    match = _LEAD_TIME.match(text.strip())
    if match is None:
        shown = text if len(text) <= _PREVIEW else text[:_PREVIEW] + "…"
        hint = "write a number and a unit (m, h, d, w), e.g. 15m, 4h, 5.17d, 2w or 3 days"
        comma = _DECIMAL_COMMA.match(text.strip())
        if comma:
            hint = f"write the decimal with a point: {comma[1]}.{comma[2]}{comma[3]}"
        raise InvalidValueError(f"{what} {shown!r} is not a duration", hint)
    number, word = match.groups()
    amount = float(number)
    if amount < 0:
        raise InvalidValueError(f"{what} {text!r} is negative")
    if not word:
        # Nothing in the text says which unit was meant: offer them all, favour none.
        choices = ", ".join(f"{number}{unit}" for unit in spec.LEAD_TIME_UNITS)
        raise InvalidValueError(f"{what} {text!r} has no unit", f"add a unit: {choices}")
    duration = Duration.of(amount, _unit(word, text, what)) if math.isfinite(amount) else None
    if duration is None or not duration.hours <= MAX_LEAD_TIME_HOURS:
        shown = text if len(text) <= _PREVIEW else text[:_PREVIEW] + "…"
        raise InvalidValueError(
            f"{what} {shown!r} is too large", f"at most {MAX_LEAD_TIME_HOURS:g} hours"
        )
    return duration


_SHARE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(%?)$")


def parse_share(
    text: str, what: str = "complete_accurate", *, most: float = 1.0, allow_zero: bool = False
) -> float:
    """A share written as a percentage (``85%``) or a fraction (``0.85``), above 0 and at most
    ``most`` (100% unless told: a margin may be more than its target); 0 too with
    ``allow_zero`` (a measured return rate).

    Zero is refused: a hand-off whose every delivery must be redone never delivers.

    >>> parse_share("85%"), parse_share("0.9"), parse_share("100 %")
    (0.85, 0.9, 1.0)
    >>> parse_share("85")
    Traceback (most recent call last):
    ...
    icmap.loader.reader.InvalidValueError: complete_accurate '85' is not a share
    """
    stripped = text.strip()
    match = _SHARE.match(stripped)
    shown = stripped if len(stripped) <= _PREVIEW else stripped[:_PREVIEW] + "…"
    if match is None:
        raise InvalidValueError(
            f"{what} {shown!r} is not a share", "write a percentage or a fraction: 85% or 0.85"
        )
    number, percent = match.groups()
    value = float(number) / 100 if percent else float(number)
    if not percent and value > 1:
        hint = (
            f"a fraction is at most 1: write {number}% for a percentage"
            if value <= 100
            else "write a percentage up to 100% or a fraction up to 1: 85% or 0.85"
        )
        raise InvalidValueError(f"{what} {shown!r} is not a share", hint)
    if allow_zero and value == 0:
        return 0.0
    if value <= 0:
        raise InvalidValueError(
            f"{what} {shown!r} must be above 0%",
            "a hand-off whose every delivery must be redone never delivers: use 1% or more",
        )
    if value > most:
        raise InvalidValueError(
            f"{what} {shown!r} is more than {most:.0%}", "a share of what arrives is at most 100%"
        )
    return round(value, 9)


class FileReader:
    """Reads one composed file; problems accumulate in ``diagnostics``."""

    def __init__(
        self,
        display: str,
        budget: int,
        *,
        remember: Entries | None = None,
        reuse: Entries | None = None,
    ) -> None:
        self.display = display
        self.diagnostics: list[Diagnostic] = []
        # Aliases let a small file name the same node many times; every node visit spends one
        # unit, so an alias bomb runs out of budget instead of out of memory.
        self._budget = budget
        self._over_budget = False
        #: Parties to note as read (a first version) and to take as read (a second one).
        self._remember, self._reuse = remember, reuse

    # --- positions and problems -------------------------------------------------------------

    def pos(self, node: Node) -> SourcePos:
        return SourcePos(self.display, node.line + 1, node.column + 1)

    def problem(self, node: Node, code: str, message: str, hint: str | None = None) -> None:
        where = self.pos(node)
        self.diagnostics.append(
            Diagnostic(where.file, where.line, where.col, code, message, hint=hint)
        )

    def _visit(self, node: Node) -> bool:
        self._budget -= 1
        if self._budget >= 0:
            return True
        if not self._over_budget:
            self._over_budget = True
            self.problem(
                node,
                "IC009",
                _SPENT,
                hint="an alias bomb? icmap refuses documents whose aliases multiply their size",
            )
        return False

    def _check_tag(self, node: Node) -> bool:
        if node.tag in STANDARD_TAGS:
            return True
        tag = tag_as_written(node.tag)
        self.problem(node, "IC003", f"unsupported tag {tag!r}: org files are plain YAML")
        return False

    # --- shapes -----------------------------------------------------------------------------

    def mapping(
        self, node: Node, what: str, allowed: dict[str, str] | None = None
    ) -> list[tuple[str, Node, Node]] | None:
        """The ``(key, key_node, value_node)`` pairs of a mapping, or ``None`` if it is not one.

        Merge keys (``<<: *anchor``) are applied; duplicate keys, non-text keys and (when
        ``allowed`` is given) unknown keys are reported.
        """
        if not self._visit(node) or not self._check_tag(node):
            return None
        if not isinstance(node, MappingNode):
            self.problem(node, "IC003", f"{what} must be a mapping, found {describe(node)}")
            return None
        merged = self._merged_pairs(node, depth=0, merging=(node,))
        if merged is None:
            return None
        items: list[tuple[str, Node, Node]] = []
        seen: dict[str, Node] = {}
        for key_node, value_node, explicit in merged:
            key = self._key(key_node, what)
            if key is None:
                continue
            if key in seen:
                if explicit:
                    first = self.pos(seen[key])
                    self.problem(
                        key_node,
                        "IC006",
                        f"duplicate key {key!r} in {what} (first at line {first.line})",
                        hint="YAML keeps only one of them; remove or rename the other",
                    )
                continue
            seen[key] = key_node
            items.append((key, key_node, value_node))
        if allowed is not None:
            for key, key_node, value_node in items:
                if key not in allowed:
                    hint = did_you_mean(key, list(allowed)) or f"allowed: {', '.join(allowed)}"
                    if node.flow_style and value_node.tag == _NULL:
                        # {what: Checked, timed orders} is two keys: the comma ends the value.
                        hint = (
                            "a comma inside {…} ends a value: "
                            f'quote text with commas ("…, {key}")'
                        )
                    self.problem(key_node, "IC004", f"unknown key {key!r} in {what}", hint=hint)
        return items

    def _key(self, key_node: Node, what: str) -> str | None:
        """A mapping key's text, or ``None`` with a problem: tagged, not text, unprintable."""
        if key_node.tag == _STR and key_node.__class__ is ScalarNode:
            key = key_node.value
            if _CONTROL.search(key) is None:
                return str(key)
        if not self._check_tag(key_node):
            return None
        if not isinstance(key_node, ScalarNode) or key_node.tag == _NULL:
            self.problem(
                key_node, "IC003", f"keys in {what} must be text, found {describe(key_node)}"
            )
            return None
        key = str(key_node.value)
        return key if self._printable(key_node, key, f"a key in {what}") else None

    def _merged_pairs(
        self, node: MappingNode, depth: int, merging: tuple[Node, ...]
    ) -> list[tuple[Node, Node, bool]] | None:
        """Explicit pairs first, then pairs from ``<<`` merges that no explicit key overrides."""
        written = node.value
        # Nearly every mapping merges nothing: its pairs as they are, in one step.
        for key_node, _ in written:
            if key_node.tag == _MERGE:
                break
        else:
            return [(key_node, value_node, True) for key_node, value_node in written]
        explicit: list[tuple[Node, Node, bool]] = []
        inherited: list[tuple[Node, Node, bool]] = []
        for key_node, value_node in written:
            if key_node.tag != _MERGE:
                explicit.append((key_node, value_node, True))
                continue
            if depth >= MAX_MERGE_DEPTH:
                self.problem(key_node, "IC009", f"merge keys nested deeper than {MAX_MERGE_DEPTH}")
                return None
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if not self._visit(source):
                    return None
                if not isinstance(source, MappingNode):
                    self.problem(
                        source, "IC003", f"'<<' merges a mapping, found {describe(source)}"
                    )
                    continue
                if any(source is outer for outer in merging):
                    message = "'<<' merges a mapping into itself (a recursive alias)"
                    self.problem(key_node, "IC009", message)
                    return None
                pairs = self._merged_pairs(source, depth + 1, (*merging, source))
                if pairs is None:
                    return None
                inherited.extend((k, v, False) for k, v, _ in pairs)
        return explicit + inherited

    def text(self, node: Node, what: str) -> str | None:
        """A scalar's literal text (``no`` stays ``'no'``); ``None`` and a problem otherwise."""
        # Nearly every value is plain, printable text: answered without the checks' calls.
        if self._budget > 0 and node.tag == _STR and node.__class__ is ScalarNode:
            value = node.value.strip()
            if value and _CONTROL.search(value) is None:
                self._budget -= 1
                # Ids recur in every reference to them, and whats repeat: one copy each.
                return sys.intern(value)
        if not self._visit(node) or not self._check_tag(node):
            return None
        if not isinstance(node, ScalarNode) or node.tag == _NULL:
            self.problem(node, "IC003", f"{what} must be text, found {describe(node)}")
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(node, "IC007", f"{what} must not be empty")
            return None
        if not self._printable(node, value, what):
            return None
        return sys.intern(value)

    def _printable(self, node: Node, value: str, what: str) -> bool:
        found = _CONTROL.search(value)
        if found is None:
            return True
        self.problem(
            node,
            "IC007",
            f"{what} holds the control character {found.group()!r}",
            hint="org text must be printable: remove the escape (\\x.., \\e, \\0) that wrote it",
        )
        return False

    def id_list(self, node: Node, what: str) -> list[tuple[str, SourcePos]]:
        """One id or a list of ids, each with its position."""
        if isinstance(node, SequenceNode):
            if not self._visit(node) or not self._check_tag(node):
                return []
            if not node.value:
                self.problem(node, "IC007", f"{what} is an empty list: name at least one id")
            found = []
            for item in node.value:
                value = self.text(item, f"each id in {what}")
                if value is not None:
                    found.append((value, self.pos(item)))
            return found
        value = self.text(node, what)
        return [] if value is None else [(value, self.pos(node))]

    # --- values -----------------------------------------------------------------------------

    def lead_time(self, node: Node, what: str = "lead_time") -> Duration | None:
        text = self.text(node, what)
        if text is None:
            return None
        try:
            return parse_lead_time(text, what)
        except InvalidValueError as problem:
            self.problem(node, "IC007", problem.message, problem.hint)
            return None

    def measured(self, node: Node) -> Measured | None:
        """A ``measured:`` block: what an event log showed of a hand-off."""
        items = self.mapping(node, "measured", spec.MEASURED)
        if items is None:
            return None
        values = {key: value for key, _, value in items}
        counts: dict[str, int] = {}
        for key in ("handoffs", "cases", "alone"):
            if key not in values:
                if key == "alone":  # optional: only a hand-off to a customer has it
                    continue
                self.problem(node, "IC005", f"measured has no {key!r}")
                continue
            text = self.text(values[key], f"measured {key}")
            if text is None:
                continue
            if not text.isdigit():
                self.problem(values[key], "IC007", f"measured {key} {text!r} is not a count")
                continue
            counts[key] = int(text)
        if "handoffs" not in counts or "cases" not in counts:
            return None
        times = {
            key: self.lead_time(values[key], f"measured {key}")
            for key in ("median", "p85")
            if key in values
        }
        rate = None
        if "return_rate" in values:
            text = self.text(values["return_rate"], "measured return_rate")
            if text is not None:
                try:
                    rate = parse_share(text, "return_rate", allow_zero=True)
                except InvalidValueError as problem:
                    self.problem(values["return_rate"], "IC007", problem.message, problem.hint)
        days = {
            key: self.date(values[key], f"measured {key}")
            for key in ("first", "last")
            if key in values
        }
        return Measured(
            counts["handoffs"],
            counts["cases"],
            times.get("median"),
            times.get("p85"),
            rate,
            days.get("first"),
            days.get("last"),
            alone=counts.get("alone"),
        )

    def share(self, node: Node, what: str) -> float | None:
        """A %C&A: ``85%`` or ``0.85`` (a YAML number or text)."""
        text = self.text(node, what)
        if text is None:
            return None
        try:
            return parse_share(text, what)
        except InvalidValueError as problem:
            self.problem(node, "IC007", problem.message, problem.hint)
            return None

    def satisfaction(self, node: Node) -> float | None:
        text = self.text(node, "satisfaction")
        if text is None:
            return None
        low, high = spec.SATISFACTION_RANGE
        score = float(text) if _NUMBER.match(text) else math.nan
        if not low <= score <= high:  # also rejects NaN
            self.problem(
                node,
                "IC007",
                f"satisfaction {describe(node)} must be a number from {low:g} to {high:g}",
            )
            return None
        return score

    def boolean(self, node: Node, what: str) -> bool | None:
        """A plain ``true`` or ``false`` (any case); quoted text, null and yes/no are refused.

        Only an unquoted true/false resolves to YAML's bool tag, so the tag tells them apart.
        """
        if not self._visit(node) or not self._check_tag(node):
            return None
        value = str(node.value).strip() if isinstance(node, ScalarNode) else ""
        plain = isinstance(node, ScalarNode) and node.tag == _BOOL
        if plain and value.lower() in ("true", "false"):
            return value.lower() == "true"
        quoted = (
            isinstance(node, ScalarNode)
            and node.tag == _STR
            and value.lower()
            in (
                "true",
                "false",
            )
        )
        shown = (
            describe(node)
            if not isinstance(node, ScalarNode) or node.tag == _NULL
            else repr(value) + (" (quoted)" if quoted else "")
        )
        self.problem(
            node, "IC007", f"{what} must be true or false, found {shown}", "write true or false"
        )
        return None

    def word(self, node: Node, what: str, allowed: tuple[str, ...]) -> str | None:
        """One of ``allowed`` however it is spelt (``XaaS``, ``Stream Aligned``), or a problem."""
        text = self.text(node, what)
        if text is None:
            return None
        found = normalise(text, allowed)
        if found is None:
            hint = did_you_mean_word(text, allowed) or f"one of {', '.join(allowed)}"
            self.problem(node, "IC007", f"{what} {text!r} is not one of {', '.join(allowed)}", hint)
        return found

    def date(self, node: Node, what: str) -> date | None:
        """A calendar date written ``YYYY-MM-DD``."""
        text = self.text(node, what)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problem(
                node,
                "IC007",
                f"{what} {text!r} is not a date",
                "write a date as YYYY-MM-DD (the 31st of March 2026 is 2026-03-31)",
            )
            return None

    # --- the format -------------------------------------------------------------------------

    def read(self, root: Node | None) -> RawFile:
        raw = RawFile(self.display)
        if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL):
            return raw
        raw.has_content = True
        if isinstance(root, ScalarNode) and self._check_tag(root):
            # Never quote it: a file that is not an org at all (a credentials file, a key)
            # must not have its content copied into messages and CI reports.
            self.problem(
                root,
                "IC003",
                "the top level of an org file must be a mapping, found text: "
                "this does not look like an org file",
            )
            return raw
        for key, key_node, value in self.mapping(root, _TOP_LEVEL) or []:
            self._top_level_entry(raw, key, key_node, value)
        return raw

    def read_stream(self, stream: EntryStream) -> RawFile:
        """Read a document composed entry by entry: each team's nodes are dropped once read.

        Gives what :meth:`read` gives for the whole tree. A root or a section that is anchored
        or tagged, and so might be aliased or refused whole, is composed whole and read so.
        """
        if not stream.start_document():
            return RawFile(self.display)
        if not _streamable(stream.peek()):
            root = stream.node(0)
            stream.single_document_end()
            return self.read(root)
        raw = RawFile(self.display, has_content=True)
        root = stream.open_mapping(stream.next(), 0)
        self._visit(root)
        first_at: dict[str, int] = {}
        merges: list[tuple[Node, Node]] = []
        for key_node in stream.keys(1):
            key = self._streamed_key(key_node, _TOP_LEVEL, first_at)
            if key in _SECTIONS and _streamable(stream.peek()):
                self._stream_section(stream, raw, key)
                continue
            value = stream.node(1)
            if key_node.tag == _MERGE:
                merges.append((key_node, value))
            elif key is not None:
                self._top_level_entry(raw, key, key_node, value)
        stream.single_document_end()
        read_until = len(self.diagnostics)
        inherited = self._inherited(root, _TOP_LEVEL, merges, first_at)
        if inherited is None:
            # A top-level merge that fails leaves nothing read, as in one tree.
            self._drop_read(0, read_until)
            return RawFile(self.display, has_content=True)
        for key, key_node, value in inherited:
            self._top_level_entry(raw, key, key_node, value)
        return raw

    def _drop_read(self, start: int, read_until: int) -> None:
        """Forget the problems found from ``start`` when a failed merge drops what was read.

        The merge's own problems (from ``read_until``) stay. So does a spent budget: read from
        one tree, the merge would have found it spent and said so.
        """
        spent = [d for d in self.diagnostics[start:read_until] if d.message == _SPENT]
        self.diagnostics[start:] = [*spent, *self.diagnostics[read_until:]]

    def _streamed_key(self, key_node: Node, what: str, first_at: dict[str, int]) -> str | None:
        """A streamed mapping's key, as :meth:`mapping` checks it; ``None`` for one to skip.

        ``first_at`` holds each key seen so far with its line, for duplicate keys.
        """
        if key_node.tag == _MERGE:
            return None
        key = self._key(key_node, what)
        if key is None:
            return None
        if key in first_at:
            self.problem(
                key_node,
                "IC006",
                f"duplicate key {key!r} in {what} (first at line {first_at[key]})",
                hint="YAML keeps only one of them; remove or rename the other",
            )
            return None
        first_at[key] = key_node.line + 1
        return key

    def _inherited(
        self,
        node: MappingNode,
        what: str,
        merges: list[tuple[Node, Node]],
        first_at: dict[str, int],
    ) -> list[tuple[str, Node, Node]] | None:
        """The pairs a streamed mapping's ``<<`` keys bring in that no explicit key overrides."""
        if not merges:
            return []
        shell = MappingNode(node.tag, merges, node.line, node.column, node.flow_style)
        pairs = self._merged_pairs(shell, depth=0, merging=(shell,))
        if pairs is None:
            return None
        found: list[tuple[str, Node, Node]] = []
        for key_node, value_node, _ in pairs:
            key = self._key(key_node, what)
            if key is not None and key not in first_at:
                first_at[key] = key_node.line + 1
                found.append((key, key_node, value_node))
        return found

    def _stream_section(self, stream: EntryStream, raw: RawFile, key: str) -> None:
        kind, allowed = _SECTIONS[key]
        what = f"'{kind}s' (id -> {kind})"
        section = stream.open_mapping(stream.next(), 1)
        if not self._visit(section):
            # Nothing more is read, but the limits on what is composed still apply.
            for _ in stream.keys(2):
                stream.node(2)
            return
        # A merge that fails drops the whole section, as it does when read from one tree.
        parties, problems = len(raw.parties), len(self.diagnostics)
        first_at: dict[str, int] = {}
        merges: list[tuple[Node, Node]] = []
        for key_node in stream.keys(2):
            id_ = self._streamed_key(key_node, what, first_at)
            if (
                id_ is not None
                and self._reuse is not None
                and self._reused(stream, raw, (kind, id_), key_node, section.flow_style)
            ):
                continue
            start = stream.start
            body = stream.node(2)
            if key_node.tag == _MERGE:
                merges.append((key_node, body))
            elif id_ is not None and self._remember is not None:
                entry = (id_, key_node, body)
                self._noted(stream, raw, (kind, allowed), entry, (start, section.flow_style))
            elif id_ is not None:
                self._party(raw, (kind, allowed), id_, key_node, body)
        read_until = len(self.diagnostics)
        inherited = self._inherited(section, what, merges, first_at)
        if inherited is None:
            del raw.parties[parties:]
            self._drop_read(problems, read_until)
            return
        for id_, key_node, body in inherited:
            self._party(raw, (kind, allowed), id_, key_node, body)

    def _noted(
        self,
        stream: EntryStream,
        raw: RawFile,
        section: tuple[Kind, dict[str, str]],
        entry: tuple[str, Node, Node],
        where: tuple[int, bool],
    ) -> None:
        """Read a party and remember it for a second version, when its text alone decides it
        and it reads without a problem (:mod:`icmap.loader.reuse`). ``where``: the index its
        key starts at, and whether its section is written in flow style."""
        id_, key_node, body = entry
        (start, flow), plain, end = where, stream.plain, stream.end
        budget, parties, problems = self._budget, len(raw.parties), len(self.diagnostics)
        self._party(raw, section, id_, key_node, body)
        if not plain or len(self.diagnostics) > problems or len(raw.parties) == parties:
            return
        assert self._remember is not None
        self._remember.parties[section[0], id_] = Remembered(
            raw.parties[-1],
            key_node.line,
            key_node.column,
            flow,
            end - start,
            digest(stream.text[start:end]),
            stream.events,
            stream.closing,
            budget - self._budget,
        )

    def _reused(
        self,
        stream: EntryStream,
        raw: RawFile,
        party: tuple[Kind, str],
        key_node: Node,
        flow: bool,
    ) -> bool:
        """Take the party whose key was just read as read before, if its text is the same as
        the first version's; ``False`` (and nothing consumed) when it is not."""
        assert self._reuse is not None
        known = self._reuse.parties.get(party)
        if (
            known is None
            or known.column != key_node.column
            or known.flow != flow
            or self._budget < known.spent
        ):
            return False
        start = stream.start
        if digest(stream.text[start : start + known.length]) != known.digest:
            return False
        # The same text read from the same place gives the same events; that its last token
        # ends where its twin's did, followed by as many closings, shows that nothing after it
        # (a plain scalar going on, one more key or item) changed how it reads.
        if stream.skip(known.events, known.closing) != start + known.length:
            raise ReuseMismatchError(party[1])
        self._budget -= known.spent
        self._reuse.reused += 1
        # Ids are unique in an org that loads: the base's copy is not needed again.
        del self._reuse.parties[party]
        raw.parties.append(moved(known.party, self.display, key_node.line - known.line))
        return True

    def _top_level_entry(self, raw: RawFile, key: str, key_node: Node, value: Node) -> None:
        if key.startswith(spec.EXTENSION_PREFIX):
            return
        if key not in spec.ROOT:
            hint = did_you_mean(key, list(spec.ROOT)) or (
                f"allowed: {', '.join(spec.ROOT)}, or x-… for anchors"
            )
            self.problem(key_node, "IC004", f"unknown top-level key {key!r}", hint=hint)
            if isinstance(value, MappingNode):
                # The ids of a misspelt section: references to them fail only because of
                # the spelling, already reported here, so the resolver stays quiet on them.
                raw.misspelt_ids |= {
                    str(k.value) for k, _ in value.value if isinstance(k, ScalarNode)
                }
        elif key in ("organisation", "surveys"):
            self._about(raw, key, value)
        elif key == "streams":
            self._streams(value, raw)
        else:
            kind, allowed = _SECTIONS[key]
            self._section(value, raw, kind, allowed)

    def _about(self, raw: RawFile, key: str, value: Node) -> None:
        """The keys about the org rather than its parties: its name and its surveys."""
        if key == "surveys":
            raw.surveys = self.id_list(value, "surveys")
            return
        name = self.text(value, "organisation")
        if name is not None:
            raw.organisation = (name, self.pos(value))

    def _streams(self, node: Node, raw: RawFile) -> None:
        for id_, key_node, body in self.mapping(node, "'streams' (id -> stream)") or []:
            stream = RawStream(id_, self.pos(key_node))
            values = {k: v for k, _, v in self.mapping(body, f"stream {id_!r}", spec.STREAM) or []}
            if isinstance(body, MappingNode) or values:
                for required in spec.REQUIRED_STREAM_KEYS:
                    if required not in values:
                        self.problem(
                            key_node,
                            "IC005",
                            f"stream {id_!r} has no {required!r}",
                            "name the external customer it ends at: 'customer: <id>'",
                        )
            else:
                continue  # not a mapping: reported by self.mapping
            for key, value in values.items():
                if key == "customer":
                    customer = self.text(value, f"customer of stream {id_!r}")
                    if customer is not None:
                        stream.customer = (customer, self.pos(value))
                elif key == "target":
                    stream.target = self.lead_time(value, "target")
                    if stream.target is not None and stream.target.hours == 0:
                        self.problem(value, "IC007", "target 0 would be missed by every stream")
                        stream.target = None
                else:
                    text = self.text(value, f"{key} of stream {id_!r}")
                    if text is not None:
                        stream.fields[key] = text
            raw.streams.append(stream)

    def _section(self, node: Node, raw: RawFile, kind: Kind, allowed: dict[str, str]) -> None:
        entries = self.mapping(node, f"'{kind}s' (id -> {kind})")
        for id_, key_node, body in entries or []:
            self._party(raw, (kind, allowed), id_, key_node, body)

    def _party(
        self,
        raw: RawFile,
        section: tuple[Kind, dict[str, str]],
        id_: str,
        key_node: Node,
        body: Node,
    ) -> None:
        kind, allowed = section
        party = RawParty(kind, id_, self.pos(key_node))
        if not id_.strip():
            self.problem(key_node, "IC007", f"a {kind} id must not be empty")
            return
        if id_ in allowed and not isinstance(body, MappingNode):
            self.problem(
                key_node,
                "IC003",
                f"'{id_}' sits where a {kind} id belongs, with {describe(body)} under it",
                hint=f"is it indented one level too little? '{id_}:' goes inside a {kind}, "
                f"two spaces deeper than the {kind}'s id",
            )
            return
        raw.parties.append(party)
        if isinstance(body, ScalarNode) and body.tag == _NULL:
            return  # `diners:` alone: a party with every field at its default
        for key, _, value in self.mapping(body, f"{kind} {id_!r}", allowed) or []:
            if key in ("provides", "receives"):
                self._relations(value, party, key)
            elif key == "ignore":
                self._ignores(value, party)
            elif key == "type":
                word = self.word(value, "type", TEAM_TYPES)
                if word is not None:
                    party.fields[key] = word
            elif key in allowed:
                text = self.text(value, f"{key} of {kind} {id_!r}")
                if text is not None:
                    party.fields[key] = text

    def _ignores(self, node: Node, party: RawParty) -> None:
        where = f"ignore of team {party.id!r} (rule -> reason)"
        for rule, key_node, value in self.mapping(node, where) or []:
            reason = self.text(value, f"the reason for ignoring {rule}")
            if reason is not None:
                party.ignores.append((rule, reason, self.pos(key_node)))

    def _optional_fields(self, relation: RawRelation, values: dict[str, Node]) -> None:
        """A relation's optional values: lead time, score, feedback, the Team Topologies ones,
        the value streams' and what an event log measured."""
        for key, node in values.items():
            # The two keys nearly every relation has are read without the table's lookup,
            # call through a lambda and setattr (together 5% of loading a large org).
            if key == "lead_time":
                relation.lead_time = self.lead_time(node)
            elif key == "satisfaction":
                relation.satisfaction = self.satisfaction(node)
            else:
                read = _FIELD_READERS.get(key)
                if read is not None:
                    setattr(relation, key, read(self, node))
        if relation.process_time is None and relation.until is None:
            return
        if (
            relation.process_time
            and relation.lead_time
            and relation.process_time.hours > relation.lead_time.hours
        ):
            self.problem(
                values["process_time"],
                "IC007",
                f"process_time {relation.process_time.text} is longer than "
                f"lead_time {relation.lead_time.text}",
                "the process time is the hands-on work inside the lead time",
            )
        if relation.since and relation.until and relation.until < relation.since:
            self.problem(
                values["until"],
                "IC007",
                f"until {relation.until.isoformat()} is before since {relation.since.isoformat()}",
            )

    def _relations(self, node: Node, party: RawParty, key: str) -> None:
        where = f"{key} of {party.kind} {party.id!r}"
        if not self._visit(node) or not self._check_tag(node):
            return
        if not isinstance(node, SequenceNode):
            hint = (
                f"write a list: '{key}: [{{what: …, {'to' if key == 'provides' else 'from'}: …}}]'"
            )
            dashed = [
                str(k.value)
                for k, _ in (node.value if isinstance(node, MappingNode) else [])
                if str(k.value).startswith("-") and not str(k.value).startswith("- ")
            ]
            if dashed:
                hint = f"a list item needs a space after '-': write '- {dashed[0][1:]}: …'"
            self.problem(
                node, "IC003", f"{where} must be a list, found {describe(node)}", hint=hint
            )
            return
        allowed = spec.PROVIDES if key == "provides" else spec.RECEIVES
        target_key = "to" if key == "provides" else "from"
        side: Side = "provider" if key == "provides" else "receiver"
        required_keys = spec.REQUIRED_RELATION_KEYS[key]
        entry_of = f"an entry of {where}"
        for entry in node.value:
            items = self.mapping(entry, entry_of, allowed)
            if items is None:
                continue
            values = {k: v for k, _, v in items}
            for required in required_keys:
                if required not in values:
                    self.problem(entry, "IC005", f"an entry of {where} has no {required!r}")
            what = self.text(values["what"], "what") if "what" in values else None
            targets = self.id_list(values[target_key], target_key) if target_key in values else []
            relation = RawRelation(side, party.id, what or "", targets, self.pos(entry))
            self._optional_fields(relation, values)
            if what is not None and targets:
                party.relations.append(relation)


_TOP_LEVEL = "the top level of an org file"
#: The sections of parties, each with its kind and the keys a party of that kind may have.
_SECTIONS: dict[str, tuple[Kind, dict[str, str]]] = {
    "teams": ("team", spec.TEAM),
    "customers": ("customer", spec.CUSTOMER),
    "suppliers": ("supplier", spec.SUPPLIER),
}


def _streamable(event: Event) -> bool:
    """Whether a collection may be read entry by entry: a plain, unanchored mapping.

    An anchored one may be aliased later and a tagged one is refused whole, so those are
    composed whole.
    """
    return (
        isinstance(event, MappingStartEvent)
        and event.anchor is None
        and event.tag in (None, "!", _MAP_TAG)
    )


def iter_relations(raw_files: list[RawFile]) -> Iterator[tuple[RawParty, RawRelation]]:
    """Every relation entry of every party, in file order."""
    for raw in raw_files:
        for party in raw.parties:
            for relation in party.relations:
                yield party, relation


#: How each optional key of a relation is read (the attribute of RawRelation it sets). One
#: table for every reader: a table of bound methods per reader would tie each reader to itself
#: in a cycle, left for the collector, which a folder of 100,000 files fills with millions of
#: objects (the collection after loading took longer than resolving the org).
_FIELD_READERS: dict[str, Callable[[FileReader, Node], object]] = {
    "lead_time": lambda reader, node: reader.lead_time(node),
    "satisfaction": FileReader.satisfaction,
    "feedback": lambda reader, node: reader.boolean(node, "feedback"),
    "mode": lambda reader, node: reader.word(node, "mode", MODES),
    "state": lambda reader, node: reader.word(node, "state", STATES),
    "since": lambda reader, node: reader.date(node, "since"),
    "until": lambda reader, node: reader.date(node, "until"),
    "streams": lambda reader, node: reader.id_list(node, "streams"),
    "process_time": lambda reader, node: reader.lead_time(node, "process_time"),
    "complete_accurate": lambda reader, node: reader.share(node, "complete_accurate"),
    "measured": FileReader.measured,
}
