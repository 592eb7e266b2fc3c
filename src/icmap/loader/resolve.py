"""Merging the raw entries of every file into one :class:`~icmap.model.Org`.

This is where ids meet: duplicate ids across files, references to unknown or wrong-kind ids,
and the two sides of a relation being matched up.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from icmap.diagnostics import Diagnostic
from icmap.loader.reader import RawFile, RawParty, RawRelation, RawStream, did_you_mean
from icmap.model import (
    Customer,
    Declaration,
    Org,
    Relation,
    SourcePos,
    Stream,
    Supplier,
    Suppression,
    Team,
    one_sided,
)

_KIND_WORDS = {
    "team": "a team",
    "customer": "an external customer",
    "supplier": "an outside supplier",
}


#: Unknown ids per file that get a did-you-mean hint (the loader shows 100 per code and file).
HINTED_UNKNOWN_IDS = 100
#: Id comparisons spent on did-you-mean hints per file (about a second at most).
HINT_COMPARISONS = 100_000


def normalise_what(what: str) -> str:
    """The form in which two sides' ``what`` are compared: case and spacing ignored.

    >>> normalise_what("  Plated   Dishes ")
    'plated dishes'
    """
    return " ".join(what.split()).casefold()


#: The kinds a hand-off may go to, and come from.
_RECEIVING_KINDS = frozenset({"team", "customer"})
_PROVIDING_KINDS = frozenset({"team", "supplier"})


def _problem(pos: SourcePos, code: str, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(pos.file, pos.line, pos.col, code, message, hint=hint)


class _Resolver:
    def __init__(self, raw_files: list[RawFile]) -> None:
        self.raw_files = raw_files
        self.misspelt_ids: set[str] = set().union(*(raw.misspelt_ids for raw in raw_files))
        self.diagnostics: list[Diagnostic] = []
        self.parties: dict[str, RawParty] = {}
        #: The kinds of party written, duplicates included (a team whose id a customer took
        #: is still a team written: the org does not lack one).
        self.kinds_written: set[str] = set()
        # Hints cost a search of every id: only the diagnostics that will be shown get one.
        self._unknown_per_file: dict[str, int] = defaultdict(int)

    def collect_parties(self) -> None:
        for raw in self.raw_files:
            for party in raw.parties:
                self.kinds_written.add(party.kind)
                first = self.parties.get(party.id)
                if first is None:
                    self.parties[party.id] = party
                    continue
                self.diagnostics.append(
                    _problem(
                        party.pos,
                        "IC102",
                        f"duplicate id {party.id!r}: already defined as {_KIND_WORDS[first.kind]} "
                        f"at {first.pos}",
                        hint="ids are unique across teams, customers and suppliers",
                    )
                )

    def organisation_name(self) -> str | None:
        name: tuple[str, SourcePos] | None = None
        for raw in self.raw_files:
            if raw.organisation is None:
                continue
            if name is None:
                name = raw.organisation
            elif raw.organisation[0] != name[0]:
                self.diagnostics.append(
                    _problem(
                        raw.organisation[1],
                        "IC106",
                        f"organisation is {raw.organisation[0]!r} here "
                        f"but {name[0]!r} at {name[1]}",
                        hint="name the organisation in one file only",
                    )
                )
        return name[0] if name else None

    def _hint_for_unknown(self, ref: str) -> str | None:
        by_name = [
            p.id for p in self.parties.values() if p.fields.get("name", "").lower() == ref.lower()
        ]
        if by_name:
            return f"{ref!r} is the name of {by_name[0]!r}; refer to it by id"
        composed = unicodedata.normalize("NFC", ref)
        same = [p for p in self.parties if unicodedata.normalize("NFC", p) == composed]
        if same:  # looks the same, is not: "gäste" as ä, and as a and a combining diaeresis
            return (
                f"{same[0]!r} looks the same but is written with other characters (a letter "
                "and a combining accent against one accented letter): type one of them again"
            )
        return did_you_mean(ref, set(self.parties))

    def _endpoint_ok(
        self, ref: str, pos: SourcePos, side_key: str, allowed: frozenset[str]
    ) -> bool:
        target = self.parties.get(ref)
        if target is None and ref in self.misspelt_ids:
            return False  # declared under a misspelt section, which is reported already
        if target is None:
            self._unknown_per_file[pos.file] += 1
            # difflib compares with every id: bound the comparisons, not only the count.
            budget = min(HINTED_UNKNOWN_IDS, HINT_COMPARISONS // max(1, len(self.parties)))
            shown = self._unknown_per_file[pos.file] <= budget
            hint = self._hint_for_unknown(ref) if shown else None
            self.diagnostics.append(
                _problem(pos, "IC101", f"unknown id {ref!r} in '{side_key}'", hint)
            )
            return False
        if target.kind not in allowed:
            if side_key == "to":
                message = (
                    f"{ref!r} is {_KIND_WORDS[target.kind]}, and outside suppliers only provide: "
                    "nothing is handed to them in an org"
                )
                hint = f"if {ref!r} is really a team inside the organisation, move it to 'teams'"
            else:
                message = (
                    f"{ref!r} is {_KIND_WORDS[target.kind]}, and external customers only "
                    "receive: they hand nothing to teams in an org"
                )
                hint = "what customers bring (orders, complaints) reaches the front-line team"
            self.diagnostics.append(_problem(pos, "IC103", message, hint))
            return False
        return True

    def relations(self) -> tuple[Relation, ...]:
        declared: dict[tuple[str, str, str], list[Declaration]] = defaultdict(list)
        for raw in self.raw_files:
            for party in raw.parties:
                if self.parties.get(party.id) is not party:
                    continue  # a duplicate id: already reported, its relations would mislead
                for relation in party.relations:
                    self._declare(party, relation, declared)
        result = []
        for (provider, receiver, _), declarations in sorted(declared.items()):
            if len(declarations) == 1:  # most relations are declared by one side only
                result.append(one_sided(provider, receiver, declarations[0]))
                continue
            by_side = {d.side: d for d in declarations}
            preferred = [by_side[s] for s in ("receiver", "provider") if s in by_side]
            lead_time = next((d.lead_time for d in preferred if d.lead_time is not None), None)
            satisfaction = next(
                (d.satisfaction for d in preferred if d.satisfaction is not None), None
            )
            what = (by_side.get("provider") or declarations[0]).what
            # Either side's "feedback: true" wins; icmap check reports a disagreement (IC205).
            feedback = any(d.feedback for d in declarations)

            def preferred_value(name: str, sides: list[Declaration] = preferred) -> Any:
                return next((getattr(d, name) for d in sides if getattr(d, name) is not None), None)

            result.append(
                Relation(
                    provider,
                    receiver,
                    what,
                    tuple(declarations),
                    lead_time,
                    satisfaction,
                    feedback,
                    preferred_value("mode"),
                    preferred_value("since"),
                    preferred_value("until"),
                    preferred_value("state"),
                    streams=_stream_ids(declarations),
                    process_time=preferred_value("process_time"),
                    complete_accurate=preferred_value("complete_accurate"),
                    measured=preferred_value("measured"),
                )
            )
        return tuple(result)

    def streams(self) -> dict[str, Stream]:
        """The ``streams:`` of every file, their customers resolved."""
        found: dict[str, Stream] = {}
        first_at: dict[str, RawStream] = {}
        for raw in self.raw_files:
            for stream in raw.streams:
                if stream.id in first_at:
                    message = (
                        f"duplicate stream id {stream.id!r}: already defined at "
                        f"{first_at[stream.id].pos}"
                    )
                    self.diagnostics.append(_problem(stream.pos, "IC102", message))
                    continue
                first_at[stream.id] = stream
                if stream.customer is None:
                    continue  # reported by the reader
                ref, pos = stream.customer
                target = self.parties.get(ref)
                if target is None:
                    hint = self._hint_for_unknown(ref)
                    message = f"unknown id {ref!r} in 'customer' of stream {stream.id!r}"
                    self.diagnostics.append(_problem(pos, "IC101", message, hint))
                    continue
                if target.kind != "customer":
                    message = (
                        f"stream {stream.id!r} ends at {ref!r}, which is "
                        f"{_KIND_WORDS[target.kind]}: a stream ends at an external customer"
                    )
                    self.diagnostics.append(_problem(pos, "IC103", message))
                    continue
                found[stream.id] = Stream(
                    stream.id,
                    stream.pos,
                    ref,
                    stream.fields.get("name", ""),
                    stream.fields.get("description"),
                    stream.fields.get("starts"),
                    stream.target,
                )
        self._stream_refs(set(first_at))
        return found

    def _stream_refs(self, known: set[str]) -> None:
        """Every relation's ``streams`` names a declared stream."""
        for raw in self.raw_files:
            for party in raw.parties:
                for relation in party.relations:
                    for ref, pos in relation.streams:
                        if ref in known:
                            continue
                        hint = did_you_mean(ref, known) or (
                            "declare it under the top-level 'streams:'"
                            if known
                            else "this org declares no 'streams:' yet"
                        )
                        message = f"unknown stream {ref!r} in 'streams'"
                        self.diagnostics.append(_problem(pos, "IC107", message, hint))

    def stream_shapes(self, streams: dict[str, Stream], relations: tuple[Relation, ...]) -> None:
        """Each stream has hand-offs, and every one of them leads on to its customer."""
        members: dict[str, list[Relation]] = {stream_id: [] for stream_id in streams}
        for relation in relations:
            for stream_id in relation.streams:
                if stream_id in members:
                    members[stream_id].append(relation)
        for stream_id, stream in streams.items():
            self._stream_shape(stream, members[stream_id])

    def _stream_shape(self, stream: Stream, relations: list[Relation]) -> None:
        label = f"stream {stream.id!r}"
        if not relations:
            hint = f"add 'streams: [{stream.id}]' to the hand-offs that make it"
            message = f"{label} has no hand-offs"
            self.diagnostics.append(_problem(stream.pos, "IC108", message, hint))
            return
        for relation in relations:
            if relation.feedback:
                message = (
                    f"{relation.what!r} from {relation.provider!r} to {relation.receiver!r} "
                    f"is feedback, so it cannot be part of {label}"
                )
                hint = "a stream follows the work its customer waits for; drop one of the two"
                self.diagnostics.append(
                    _problem(_stream_pos(relation, stream.id), "IC108", message, hint)
                )
        into: dict[str, list[str]] = defaultdict(list)
        for relation in relations:
            into[relation.receiver].append(relation.provider)
        leads_on = {stream.customer}
        stack = [stream.customer]
        while stack:
            for provider in into.get(stack.pop(), ()):
                if provider not in leads_on:
                    leads_on.add(provider)
                    stack.append(provider)
        if stream.customer not in into:
            message = f"no hand-off of {label} reaches its customer {stream.customer!r}"
            hint = f"add '{stream.id}' to the 'streams' of a hand-off to {stream.customer!r}"
            self.diagnostics.append(_problem(stream.pos, "IC108", message, hint))
            return
        for relation in relations:
            if relation.receiver in leads_on:
                continue
            receiver = self.parties.get(relation.receiver)
            if receiver is not None and receiver.kind == "customer":
                message = (
                    f"{relation.what!r} from {relation.provider!r} goes to the external customer "
                    f"{relation.receiver!r}, but {label} ends at {stream.customer!r}"
                )
                hint = (
                    f"a stream ends at one customer: drop '{stream.id}' here, or declare a "
                    f"stream to {relation.receiver!r} for it"
                )
                where = _stream_pos(relation, stream.id)
                self.diagnostics.append(_problem(where, "IC108", message, hint))
                continue
            message = (
                f"{relation.what!r} from {relation.provider!r} to {relation.receiver!r} is in "
                f"{label}, but no hand-off of the stream leads on from {relation.receiver!r} "
                f"to its customer {stream.customer!r}"
            )
            hint = f"add '{stream.id}' to what {relation.receiver!r} hands on, or drop it here"
            self.diagnostics.append(
                _problem(_stream_pos(relation, stream.id), "IC108", message, hint)
            )

    def _declare(
        self,
        party: RawParty,
        relation: RawRelation,
        declared: dict[tuple[str, str, str], list[Declaration]],
    ) -> None:
        providing = relation.side == "provider"
        side_key = "to" if providing else "from"
        allowed = _RECEIVING_KINDS if providing else _PROVIDING_KINDS
        what = normalise_what(relation.what)
        targets = relation.targets
        # to: [b, b]: the second b is the problem (most entries name one: no dict for them).
        named_here: dict[str, SourcePos] | None = {} if len(targets) > 1 else None
        for ref, pos in targets:
            if named_here is not None:
                if ref in named_here:
                    message = (
                        f"{ref!r} is named again in this '{side_key}' (first at {named_here[ref]})"
                    )
                    self.diagnostics.append(_problem(pos, "IC105", message, "name each once"))
                    continue
                named_here[ref] = pos
            if not self._endpoint_ok(ref, pos, side_key, allowed):
                continue
            if ref == party.id:
                message = f"{party.id!r} {'provides to' if providing else 'receives from'} itself"
                hint = "a team's work for itself is not a hand-off; remove this entry"
                self.diagnostics.append(_problem(pos, "IC104", message, hint))
                continue
            provider, receiver = (party.id, ref) if providing else (ref, party.id)
            key = (provider, receiver, what)
            earlier = [d for d in declared[key] if d.side == relation.side]
            if earlier:
                message = (
                    f"{relation.what!r} from {provider!r} to {receiver!r} is declared twice by "
                    f"the {relation.side} (first at {earlier[0].pos})"
                )
                self.diagnostics.append(_problem(relation.pos, "IC105", message))
                continue
            declared[key].append(
                Declaration(
                    relation.side,
                    relation.pos,
                    relation.what,
                    relation.lead_time,
                    relation.satisfaction,
                    relation.feedback,
                    relation.mode,
                    relation.since,
                    relation.until,
                    relation.state,
                    tuple(relation.streams),
                    relation.process_time,
                    relation.complete_accurate,
                    relation.measured,
                )
            )

    def required_parties(self) -> None:
        """An org needs a customer to serve and a team to serve it."""
        first = self.raw_files[0].display if self.raw_files else "<org>"
        kinds = self.kinds_written
        if not any(raw.has_content for raw in self.raw_files):
            message = "the org is empty: no customers and no teams"
            hint = "start from 'icmap init', or see docs/format.md"
            self.diagnostics.append(Diagnostic(first, 1, 1, "IC008", message, hint=hint))
            return
        if "customer" not in kinds:
            message = "no external customers: every org serves at least one"
            hint = "add 'customers: {id: {name: …}}' and point front-line teams at it"
            self.diagnostics.append(Diagnostic(first, 1, 1, "IC008", message, hint=hint))
        if "team" not in kinds:
            message = "no teams: add at least one under 'teams:'"
            self.diagnostics.append(Diagnostic(first, 1, 1, "IC008", message))


#: Problems after which every stream's hand-offs are still all known: IC107 (a relation names
#: an unknown stream, whose name alone is dropped).
_SHAPES_STILL_TRUE = frozenset({"IC107"})


def resolve(
    raw_files: list[RawFile], *, require_parties: bool = True
) -> tuple[Org | None, list[Diagnostic]]:
    """The org built from ``raw_files``, or ``None`` with every problem found.

    ``require_parties=False`` skips the "no customers / no teams" checks, which would only
    repeat what an earlier problem in a section already said.
    """
    resolver = _Resolver(raw_files)
    resolver.collect_parties()
    name = resolver.organisation_name()
    if require_parties:
        resolver.required_parties()
    relations = resolver.relations()
    streams = resolver.streams()
    # A stream's shape is judged on every relation and stream as written: after a problem that
    # drops one (an unknown team) it could be called broken falsely, but an unknown stream
    # named by a relation drops only that name, so the shapes are still said with it.
    if all(d.code in _SHAPES_STILL_TRUE for d in resolver.diagnostics):
        resolver.stream_shapes(streams, relations)
    if resolver.diagnostics:
        return None, resolver.diagnostics
    customers: dict[str, Customer] = {}
    suppliers: dict[str, Supplier] = {}
    teams: dict[str, Team] = {}
    for id_ in sorted(resolver.parties):
        party = resolver.parties[id_]
        display, description = party.fields.get("name", ""), party.fields.get("description")
        if party.kind == "customer":
            customers[id_] = Customer(id_, party.pos, display, description)
        elif party.kind == "supplier":
            suppliers[id_] = Supplier(id_, party.pos, display, description)
        else:
            group, lead = party.fields.get("group"), party.fields.get("lead")
            ignore = tuple(Suppression(rule, reason, pos) for rule, reason, pos in party.ignores)
            team_type = party.fields.get("type")
            teams[id_] = Team(id_, party.pos, display, description, group, lead, ignore, team_type)
    sources = tuple(raw.display for raw in raw_files)
    return Org(name, customers, suppliers, teams, relations, sources, streams=streams), []


def _stream_ids(declarations: list[Declaration]) -> tuple[str, ...]:
    """The streams either side names, sorted and once each."""
    if len(declarations) == 1 and not declarations[0].streams:
        return ()
    return tuple(sorted({ref for d in declarations for ref, _ in d.streams}))


def _stream_pos(relation: Relation, stream: str) -> SourcePos:
    """Where a side names ``stream`` on ``relation`` (the first that does)."""
    for declaration in relation.declarations:
        for ref, pos in declaration.streams:
            if ref == stream:
                return pos
    return relation.pos
