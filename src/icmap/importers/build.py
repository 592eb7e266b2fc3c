"""Assembling an :class:`~icmap.model.Org` from what an importer found.

Importers add teams, customers and relations here as they read; the builder keeps ids unique,
merges relations that name the same hand-off (keeping every reason for it), and returns the
org in the order the YAML loader gives, so an imported org and its written files compare equal.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from icmap.diagnostics import Diagnostic
from icmap.importers import Provenance, problem
from icmap.importers.nodes import position
from icmap.loader.compose import Node
from icmap.loader.resolve import normalise_what
from icmap.model import (
    Customer,
    Declaration,
    Duration,
    Measured,
    Org,
    Origin,
    Relation,
    Side,
    SourcePos,
    Stream,
    Team,
    one_sided,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def slug(text: str) -> str:
    """An id from a name: lower case, words joined by ``-``.

    Letters are composed first (NFC): ``Küche`` typed on a Mac (``u`` and a combining
    diaeresis) and elsewhere (one ``ü``) is one team.

    >>> slug("Example Platform Team"), slug("  Team_B! "), slug("Ünïcode ok")
    ('example-platform-team', 'team-b', 'ünïcode-ok')
    >>> slug("Ku\u0308che") == slug("K\u00fcche") == "k\u00fcche"
    True
    """
    composed = unicodedata.normalize("NFC", text.strip().casefold())
    return re.sub(r"[^\w]+", "-", composed).replace("_", "-").strip("-")


def printable(text: str) -> str:
    """``text`` without control characters (the org format refuses them) and outer spaces."""
    return _CONTROL.sub("", text).strip()


@dataclass(slots=True)
class _Pending:
    provider: str
    receiver: str
    what: str
    side: Side
    pos: SourcePos
    fields: dict[str, object] = field(default_factory=dict)
    #: Why it exists: most hand-offs have one reason, kept as the relation's own ``Origin``;
    #: a list once more are added (:meth:`why`).
    reasons: Origin | list[Provenance] | None = None

    def why(self) -> list[Provenance]:
        """Every reason, as a list: adding to it adds to this relation's."""
        if not isinstance(self.reasons, list):
            first = self.reasons
            self.reasons = [] if first is None else [Provenance(first.why, first.pos)]
        return self.reasons

    def origins(self) -> tuple[Origin, ...]:
        if isinstance(self.reasons, Origin):
            return (self.reasons,)
        return tuple(Origin(p.text, p.pos) for p in self.reasons or ())


class _Reasons(Mapping[tuple[str, str, str], list[Provenance]]):
    """Why each pending relation exists, by its key: each relation's own list."""

    def __init__(self, relations: dict[tuple[str, str, str], _Pending]) -> None:
        self._relations = relations

    def __getitem__(self, key: tuple[str, str, str]) -> list[Provenance]:
        return self._relations[key].why()

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return iter(self._relations)

    def __len__(self) -> int:
        return len(self._relations)


class Provenances(Mapping[tuple[str, str, str], list[Provenance]]):
    """Why each relation of an imported org exists, by (provider, receiver, what): read from
    the relations' own ``origins``, and indexed only when asked (``icmap import`` writes it as
    comments; ``graph --from`` never looks), so an org of a million hand-offs holds it once."""

    def __init__(self, relations: tuple[Relation, ...]) -> None:
        self._relations = relations
        self._index: dict[str, Relation | list[Relation]] | None = None

    def _by_what(self) -> dict[str, Relation | list[Relation]]:
        # By ``what`` alone, which nearly always tells them apart: no key tuple a relation.
        if self._index is None:
            index: dict[str, Relation | list[Relation]] = {}
            for relation in self._relations:
                found = index.setdefault(relation.what, relation)
                if found is not relation:
                    if isinstance(found, list):
                        found.append(relation)
                    else:
                        index[relation.what] = [found, relation]
            self._index = index
        return self._index

    def made_from(self, relations: tuple[Relation, ...]) -> bool:
        """Whether ``relations`` are the very relations these are read from: each one's
        reasons are then its own ``origins``, found without the index."""
        return relations is self._relations

    def __getitem__(self, key: tuple[str, str, str]) -> list[Provenance]:
        found = self._by_what().get(key[2])
        for relation in found if isinstance(found, list) else (found,) if found else ():
            if (relation.provider, relation.receiver) == key[:2]:
                return [Provenance(o.why, o.pos) for o in relation.origins]
        raise KeyError(key)

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return ((r.provider, r.receiver, r.what) for r in self._relations)

    def __len__(self) -> int:
        return len(self._relations)


class OrgBuilder:
    """Teams, customers and relations collected while reading a source."""

    def __init__(self) -> None:
        self.teams: dict[str, Team] = {}
        self.customers: dict[str, Customer] = {}
        self.relations: dict[tuple[str, str, str], _Pending] = {}
        #: Why each pending relation exists, by its key (emptied by :meth:`finish`).
        self.provenance: Mapping[tuple[str, str, str], list[Provenance]] = _Reasons(self.relations)
        #: After :meth:`finish`: why each relation exists, by (provider, receiver, what).
        self.why: Provenances = Provenances(())
        self.diagnostics: list[Diagnostic] = []
        #: The value streams the source declares, by id.
        self.streams: dict[str, Stream] = {}

    def add_team(
        self,
        id_: str,
        pos: SourcePos,
        name: str = "",
        *,
        description: str | None = None,
        group: str | None = None,
        lead: str | None = None,
        team_type: str | None = None,
    ) -> None:
        name = printable(name)
        self.teams[id_] = Team(
            id_,
            pos,
            "" if name == id_ else name,
            _optional(description),
            _optional(group),
            _optional(lead),
            (),
            team_type,
        )

    def add_customer(self, id_: str, pos: SourcePos, name: str, description: str | None) -> None:
        self.customers[id_] = Customer(id_, pos, name, description)

    def add_relation(
        self,
        provider: str,
        receiver: str,
        what: str,
        pos: SourcePos,
        why: str | Origin,
        *,
        side: Side = "provider",
        **values: object,
    ) -> tuple[str, str, str]:
        """Add (or merge into) the relation ``provider`` → ``receiver`` for ``what``, for the
        reason ``why`` at ``pos`` (or an :class:`Origin` that says both)."""
        what = printable(what) or "(unnamed)"
        folded = normalise_what(what)
        # Most names are their own folded form: the key then holds the name, not a copy of it.
        key = (provider, receiver, what if folded == what else folded)
        pending = self.relations.get(key)
        if pending is None:
            # The call's own dictionary becomes the pending relation's: one dictionary a
            # hand-off instead of two while a million are read.
            if any(value is None for value in values.values()):
                values = {name: value for name, value in values.items() if value is not None}
            origin = why if isinstance(why, Origin) else Origin(why, pos)
            self.relations[key] = _Pending(provider, receiver, what, side, pos, values, origin)
        else:
            for name, value in values.items():
                if value is not None and pending.fields.get(name) is None:
                    pending.fields[name] = value
            reason = why if isinstance(why, Origin) else Origin(why, pos)
            pending.why().append(Provenance(reason.why, reason.pos))
        return key

    def finish(self, name: str | None, sources: tuple[str, ...]) -> Org:
        relations = []
        # Each pending relation and its reasons are dropped as its Relation is made, so
        # a million hand-offs are never held twice over (the Relation's origins keep the why).
        pending_by_key = self.relations
        self.relations = {}
        self.provenance = _Reasons(self.relations)
        # Taken from the end of a reversed sorted list, so that each key (a tuple and its
        # folded text) is dropped with its pending relation, not held until the last is made.
        keys = sorted(pending_by_key, reverse=True)
        while keys:
            pending = pending_by_key.pop(keys.pop())
            values = pending.fields
            lead_time = values.get("lead_time")
            satisfaction = values.get("satisfaction")
            mode, state = values.get("mode"), values.get("state")
            since, until = values.get("since"), values.get("until")
            feedback = values.get("feedback")
            streams = values.get("streams") or ()
            process_time = values.get("process_time")
            share = values.get("complete_accurate")
            measured = values.get("measured")
            declaration = Declaration(
                pending.side,
                pending.pos,
                pending.what,
                lead_time,  # type: ignore[arg-type]
                satisfaction,  # type: ignore[arg-type]
                feedback,  # type: ignore[arg-type]
                mode,  # type: ignore[arg-type]
                since if isinstance(since, date) else None,
                until if isinstance(until, date) else None,
                state,  # type: ignore[arg-type]
                tuple((stream, pending.pos) for stream in streams),  # type: ignore[attr-defined]
                process_time if isinstance(process_time, Duration) else None,
                share if isinstance(share, float) else None,
                measured if isinstance(measured, Measured) else None,
            )
            relations.append(
                one_sided(pending.provider, pending.receiver, declaration, pending.origins())
            )
        org_relations = tuple(relations)
        del relations
        self.why = Provenances(org_relations)
        teams = {k: self.teams[k] for k in sorted(self.teams)}
        customers = {k: self.customers[k] for k in sorted(self.customers)}
        streams = {k: self.streams[k] for k in sorted(self.streams)}
        return Org(name, customers, {}, teams, org_relations, sources, streams=streams)

    def customer_id(self, wanted: str = "customers") -> str:
        """An id for the one external customer that no team has taken."""
        candidate, n = wanted, 1
        while candidate in self.teams:
            n += 1
            candidate = f"external-{wanted}" if n == 2 else f"{wanted}-{n}"
        return candidate

    def warn(self, pos: SourcePos, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(problem(pos, code, message, hint))

    def error(self, pos: SourcePos, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(problem(pos, code, message, hint, severity="error"))

    def misspelt_keys(
        self, found: Mapping[str, tuple[Node, Node]] | None, known: Sequence[str], display: str
    ) -> None:
        """IC613 for each key of ``found`` that misspells one of ``known`` absent from it
        (``tpye``, ``dependecies``, ``team_typ``); any other unknown key is the format's or a
        team's own, and left alone. Case, ``-``, ``_`` and spaces do not count."""
        if not found:
            return
        known_keys = {_spelling(k): k for k in known}
        wanted = [k for k in known_keys if k not in {_spelling(k) for k in found}]
        for key, (key_node, _) in found.items():
            if _spelling(key) in known_keys:
                continue
            close = difflib.get_close_matches(_spelling(key), wanted, 1, 0.7)
            if close:
                self.warn(
                    position(display, key_node),
                    "IC613",
                    f"unknown key {key!r}: not read",
                    f"did you mean {known_keys[close[0]]!r}?",
                )


def _spelling(key: str) -> str:
    """A key as misspellings are judged: ``teamName`` = ``team_name`` = ``Team Name``."""
    return re.sub(r"[-_\s]", "", key.lower())


def _optional(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = printable(text)
    return cleaned or None
