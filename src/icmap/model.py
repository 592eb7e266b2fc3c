"""The org model: plain frozen dataclasses, no I/O.

An :class:`Org` holds the external customers, the outside suppliers, the teams and the
relations between them. A :class:`Relation` is one thing (``what``) that a provider hands to a
receiver; it remembers which side(s) declared it and where, so checks can point at the YAML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from types import MemberDescriptorType
from typing import Any, ClassVar, Literal

Kind = Literal["team", "customer", "supplier"]
Side = Literal["provider", "receiver"]

_UNIT_HOURS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}


@dataclass(frozen=True, slots=True)
class SourcePos:
    """Where something was written: file as given to icmap, 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def __reduce__(self) -> tuple[type[SourcePos], tuple[str, int, int]]:
        # Frozen slotted dataclasses do not unpickle on every Python icmap supports, and
        # positions cross process boundaries when a large org folder is read in parallel.
        return SourcePos, (self.file, self.line, self.col)


@dataclass(frozen=True, slots=True)
class Duration:
    """A lead time. ``hours`` is the value used in computations; ``text`` is as written.

    >>> Duration.of(5.17, "d").hours
    124.08
    >>> str(Duration.of(90, "m"))
    '1.5h'
    """

    hours: float
    text: str = ""

    @classmethod
    def of(cls, amount: float, unit: str) -> Duration:
        """A duration of ``amount`` ``unit`` (one of m, h, d, w)."""
        return cls(round(amount * _UNIT_HOURS[unit], 9), f"{plain_number(amount)}{unit}")

    def __str__(self) -> str:
        return format_hours(self.hours)

    def __reduce__(self) -> tuple[type[Duration], tuple[float, str]]:
        return Duration, (self.hours, self.text)  # as SourcePos.__reduce__


def format_hours(hours: float, *, weeks: bool = True) -> str:
    """A human duration in the largest unit that keeps it readable.

    Weeks are used only for whole weeks, and not at all with ``weeks=False``: totals and slack
    shown side by side then share one unit style (``70d`` next to ``72.5d``, not ``10w``).

    >>> format_hours(0.25), format_hours(36), format_hours(468.24), format_hours(336)
    ('15m', '1.5d', '19.51d', '2w')
    >>> format_hours(336, weeks=False)
    '14d'
    """
    if not math.isfinite(hours):
        return str(hours)
    for unit, size in (("w", 168.0), ("d", 24.0), ("h", 1.0)):
        if unit == "w" and (not weeks or hours % size != 0):
            continue
        if hours >= size:
            return f"{plain_number(hours / size)}{unit}"
    return f"{plain_number(hours * 60)}m"


def plain_number(value: float) -> str:
    """``value`` to two decimals at most, without trailing zeros and never in exponent form,
    which no duration icmap reads is written in (``1479230.5``, not ``1.47923e+06``).

    >>> plain_number(1479230.4986), plain_number(19.5), plain_number(2.0), plain_number(0.001)
    ('1479230.5', '19.5', '2', '0')
    """
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_share(share: float) -> str:
    """A share (%C&A, flow efficiency) as a percentage: one decimal, two digits below 1%, and
    never 100% for less.

    >>> format_share(0.087838), format_share(0.4), format_share(0.0042), format_share(0.99996)
    ('8.8%', '40%', '0.42%', '99.9%')
    """
    value = share * 100
    if 0 < value < 1:
        return f"{value:.2g}%"
    shown = round(value, 1)
    if share < 1 and shown >= 100:
        shown = 99.9
    return f"{shown:g}%"


@dataclass(frozen=True, slots=True)
class Party:
    """What teams, customers and suppliers share: an id, a display name and a position."""

    id: str
    pos: SourcePos
    name: str = ""
    description: str | None = None

    @property
    def label(self) -> str:
        """The display name, falling back to the id."""
        return self.name or self.id


@dataclass(frozen=True, slots=True)
class Customer(Party):
    """An external customer: the organisation exists to serve it."""

    kind: Kind = field(default="customer", init=False)


@dataclass(frozen=True, slots=True)
class Supplier(Party):
    """An outside supplier or partner who feeds teams."""

    kind: Kind = field(default="supplier", init=False)


@dataclass(frozen=True, slots=True)
class Team(Party):
    """A team inside the organisation: a supplier to some, an internal customer of others."""

    group: str | None = None
    lead: str | None = None
    ignore: tuple[Suppression, ...] = ()
    #: Team Topologies team type: stream-aligned, platform, enabling or complicated-subsystem.
    type: str | None = None
    kind: Kind = field(default="team", init=False)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A team's ``ignore:`` entry: a check rule (code or name) it opts out of, and why."""

    rule: str
    reason: str
    pos: SourcePos


@dataclass(frozen=True, slots=True)
class Declaration:
    """One side's statement of a relation, as written in the YAML."""

    side: Side
    pos: SourcePos
    what: str
    lead_time: Duration | None = None
    satisfaction: float | None = None
    #: ``feedback:`` as this side wrote it; ``None`` when it did not say.
    feedback: bool | None = None
    #: Team Topologies interaction mode, its dates, and the dependency's state, as written.
    mode: str | None = None
    since: date | None = None
    until: date | None = None
    state: str | None = None
    #: The value streams this side says the hand-off is part of, and their positions.
    streams: tuple[tuple[str, SourcePos], ...] = ()
    process_time: Duration | None = None
    complete_accurate: float | None = None
    measured: Measured | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Why an imported relation exists: the source entries behind it (``via component:x
    dependsOn component:y``) and where they are written."""

    why: str
    pos: SourcePos


class RowOrigin(Origin):
    """The origin of a hand-off read from one row of a table: its ``why`` ("row 12 of
    h.csv") is made from its position when asked, not kept, since a million rows would keep
    a million such strings (about 70 MB). It equals an :class:`Origin` of the same text."""

    __slots__ = ()

    def __init__(self, pos: SourcePos) -> None:
        # Only ``pos`` is stored: ``why`` is the property below, which shadows its slot.
        _ORIGIN_POS.__set__(self, pos)

    @property
    def why(self) -> str:
        return f"row {self.pos.line} of {self.pos.file}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Origin):
            return (self.why, self.pos) == (other.why, other.pos)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.why, self.pos))

    def __reduce__(self) -> tuple[type[RowOrigin], tuple[SourcePos]]:
        return RowOrigin, (self.pos,)


_ORIGIN_POS = Origin.__dict__["pos"]


@dataclass(frozen=True, slots=True)
class Measured:
    """What an event log shows of one hand-off: how often it happened and how long it took.

    ``median`` and ``p85`` are the time a case stayed with the provider before the receiver
    took it (docs/events.md); ``return_rate`` is the share of these hand-offs the receiver
    handed straight back. ``first`` and ``last`` are the days of the first and last one seen.
    ``alone`` is only on a hand-off to an external customer: how many of the cases ending
    there never left the provider (one stay from the first event to the last).
    """

    handoffs: int
    cases: int
    median: Duration | None = None
    p85: Duration | None = None
    return_rate: float | None = None
    first: date | None = None
    last: date | None = None
    #: Where the log first shows the hand-off (its file and line), when read from a log.
    seen: SourcePos | None = None
    #: Cases ending here that never left the team (a hand-off to the customer only).
    alone: int | None = None


@dataclass(frozen=True, slots=True)
class MeasuredPair:
    """A hand-off an overlaid event log shows between two parties of the org (their ids),
    whether the org declares it or not."""

    provider: str
    receiver: str
    measured: Measured


@dataclass(frozen=True, slots=True)
class UnmatchedTeam:
    """A team of an overlaid log that matches no party of the org: its name in the log, where
    the log first names it, and the org's ids closest to it."""

    name: str
    pos: SourcePos
    close: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventOverlay:
    """An event log laid over a declared org (``--events``): what it covers, which parties of
    the org it shows, and every hand-off it measured between them (docs/events.md).

    ``lead_times`` is ``measured`` when the relations' ``lead_time`` was replaced by the
    measured median where the log has one (``--lead-times measured``); the declared values stay
    in the relations' declarations (:attr:`Relation.declared_lead_time`).
    """

    files: tuple[str, ...]
    first: date | None
    last: date | None
    events: int
    cases: int
    lead_times: Literal["declared", "measured"]
    #: The ids of the org's parties the log shows, sorted.
    parties: tuple[str, ...]
    #: Every hand-off measured between two of them, declared or not, most hand-offs first.
    pairs: tuple[MeasuredPair, ...]
    unmatched: tuple[UnmatchedTeam, ...] = ()
    #: Relations whose ``lead_time`` is now the measured median (``--lead-times measured``).
    replaced: int = 0


@dataclass(frozen=True, slots=True)
class Relation:
    """One thing that ``provider`` hands to ``receiver``.

    When both sides declare it, ``lead_time`` and ``satisfaction`` are the receiver's values
    where given (the receiver is the one who waits and who is surveyed), else the provider's.
    ``declarations`` keeps every side's own values so disagreements can be reported.

    ``feedback`` is true when either side marks the relation ``feedback: true``: it carries
    information back (bug reports, incident reports) rather than the work the customer waits
    for, so critical paths do not follow it.
    """

    provider: str
    receiver: str
    what: str
    declarations: tuple[Declaration, ...]
    lead_time: Duration | None = None
    satisfaction: float | None = None
    feedback: bool = False
    #: Interaction mode (x-as-a-service, collaboration, facilitating), when it started and
    #: when it is expected to end, and the dependency's state (ok, slowing, blocking): the
    #: receiver's where both sides say, as for lead times.
    mode: str | None = None
    since: date | None = None
    until: date | None = None
    state: str | None = None
    #: Set when a survey round scored this relation: ``satisfaction`` is then the survey's
    #: mean and this says which round, from how many answers, and what the YAML said.
    survey: SurveyScore | None = None
    #: Set by the importers (``icmap import``, ``--from``); an org read from YAML has none,
    #: its comments are not read.
    origins: tuple[Origin, ...] = ()
    #: The value streams it is part of (either side may name them), sorted.
    streams: tuple[str, ...] = ()
    #: Value stream mapping's numbers, the receiver's where both sides say: the hands-on work
    #: inside the lead time, and the share of what arrives usable as it is (%C&A, 0 to 1).
    process_time: Duration | None = None
    complete_accurate: float | None = None
    #: What an event log measured of it (``icmap import events``, ``--from events``).
    measured: Measured | None = None

    @property
    def declared_by(self) -> frozenset[Side]:
        """The sides that declared this relation: provider, receiver or both."""
        return frozenset(d.side for d in self.declarations)

    @property
    def pos(self) -> SourcePos:
        """Where the relation was first declared."""
        return self.declarations[0].pos

    @property
    def declared_lead_time(self) -> Duration | None:
        """The lead time the org files declare (the receiver's where both sides give one), even
        when ``lead_time`` is a measured one (``--lead-times measured``)."""
        given = sorted(
            (d for d in self.declarations if d.lead_time is not None),
            key=lambda d: d.side != "receiver",
        )
        return given[0].lead_time if given else None


class _OneSided(Relation):
    """A relation that one side declared, holding that declaration's values once.

    A million hand-offs read from a table are each declared by one side, and a
    :class:`Declaration` repeating the relation's values took 192 B of each one's 650 (with
    its tuple): here ``declarations`` is made when asked, from the relation's own values and
    the declaration's position, kept in the slot the tuple would take. Its side and
    ``feedback`` as written are its class's (:func:`one_sided`). A "row N of FILE" origin at
    that same position is kept as the position alone, in ``origins``' slot.

    It reads, equals, hashes and pickles as the :class:`Relation` of the same values;
    :func:`dataclasses.replace` and copies give a plain one.
    """

    __slots__ = ()
    _side: ClassVar[Side]
    _feedback: ClassVar[bool | None]
    _declared_by: ClassVar[frozenset[Side]]

    def __new__(cls, *args: Any, **kwargs: Any) -> Relation:  # type: ignore[misc]
        # Only one_sided() makes these; dataclasses.replace() calls the class with every
        # field, declarations included, and gets the plain relation those values make.
        return Relation(*args, **kwargs)

    @property
    def declarations(self) -> tuple[Declaration, ...]:
        return (
            Declaration(
                self._side,
                _DECLARATIONS.__get__(self),
                self.what,
                self.lead_time,
                self.satisfaction,
                self._feedback,
                self.mode,
                self.since,
                self.until,
                self.state,
                (),
                self.process_time,
                self.complete_accurate,
                self.measured,
            ),
        )

    @property
    def origins(self) -> tuple[Origin, ...]:
        kept = _ORIGINS.__get__(self)
        return (RowOrigin(kept),) if isinstance(kept, SourcePos) else kept

    @property
    def pos(self) -> SourcePos:
        return _DECLARATIONS.__get__(self)  # type: ignore[no-any-return]

    @property
    def declared_by(self) -> frozenset[Side]:
        return self._declared_by

    @property
    def declared_lead_time(self) -> Duration | None:
        return self.lead_time

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _RELATION_FIELDS)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Relation):
            return self._values() == tuple(getattr(other, name) for name in _RELATION_FIELDS)
        return NotImplemented

    __hash__ = Relation.__hash__

    def __repr__(self) -> str:
        return repr(Relation(*self._values()))

    def __reduce__(self) -> tuple[type[Relation], tuple[Any, ...]]:
        return Relation, self._values()


_DECLARATIONS = Relation.__dict__["declarations"]
_ORIGINS = Relation.__dict__["origins"]
_RELATION_FIELDS = tuple(Relation.__dataclass_fields__)
_SLOTS = tuple(Relation.__dict__[name] for name in _RELATION_FIELDS)
_SET_SLOT = MemberDescriptorType.__set__
_ONE_SIDED: dict[tuple[Side, bool | None], type[_OneSided]] = {
    (side, feedback): type(
        f"_{side.title()}Said{feedback}",
        (_OneSided,),
        {
            "__slots__": (),
            "_side": side,
            "_feedback": feedback,
            "_declared_by": frozenset((side,)),
        },
    )
    for side in ("provider", "receiver")
    for feedback in (None, False, True)
}


def one_sided(
    provider: str,
    receiver: str,
    declaration: Declaration,
    origins: tuple[Origin, ...] = (),
) -> Relation:
    """The relation ``declaration`` alone makes: its values are the relation's, its streams
    those the declaration names, sorted and once each.

    Held without a second copy of them when it can be (no value streams, which keep a
    position each), else a plain :class:`Relation`; both read the same.
    """
    d = declaration
    if d.streams:
        return Relation(
            provider,
            receiver,
            d.what,
            (d,),
            d.lead_time,
            d.satisfaction,
            bool(d.feedback),
            d.mode,
            d.since,
            d.until,
            d.state,
            origins=origins,
            streams=tuple(sorted({stream for stream, _ in d.streams})),
            process_time=d.process_time,
            complete_accurate=d.complete_accurate,
            measured=d.measured,
        )
    relation = object.__new__(_ONE_SIDED[d.side, d.feedback])
    kept: object = origins
    if len(origins) == 1 and type(origins[0]) is RowOrigin and origins[0].pos is d.pos:
        kept = d.pos
    values = (
        provider,
        receiver,
        d.what,
        d.pos,
        d.lead_time,
        d.satisfaction,
        bool(d.feedback),
        d.mode,
        d.since,
        d.until,
        d.state,
        None,
        kept,
        (),
        d.process_time,
        d.complete_accurate,
        d.measured,
    )
    # Each slot set by the descriptor's own C method, without a Python step per field.
    any(map(_SET_SLOT, _SLOTS, repeat(relation, len(_SLOTS)), values))
    return relation


@dataclass(frozen=True, slots=True)
class Stream:
    """A value stream: a flow the organisation runs for one external customer.

    Its hand-offs are the relations that name it in their ``streams``; they lead to
    ``customer``. ``target`` is the lead time the organisation promises for it.
    """

    id: str
    pos: SourcePos
    customer: str
    name: str = ""
    description: str | None = None
    starts: str | None = None
    target: Duration | None = None

    @property
    def label(self) -> str:
        """The display name, falling back to the id."""
        return self.name or self.id


@dataclass(frozen=True, slots=True)
class Org:
    """A whole organisation as loaded from one file or a directory of files."""

    name: str | None
    customers: dict[str, Customer]
    suppliers: dict[str, Supplier]
    teams: dict[str, Team]
    relations: tuple[Relation, ...]
    sources: tuple[str, ...] = ()
    #: Survey rounds read for this org (its ``surveys:`` and ``--survey``), oldest first.
    surveys: tuple[SurveyRound, ...] = ()
    #: The value streams, by id (empty when the org declares none).
    streams: dict[str, Stream] = field(default_factory=dict)
    #: The event log laid over it with ``--events``, if any.
    events: EventOverlay | None = None

    def party(self, id_: str) -> Team | Customer | Supplier | None:
        """The team, customer or supplier with this id, if any."""
        return self.teams.get(id_) or self.customers.get(id_) or self.suppliers.get(id_)


@dataclass(frozen=True, slots=True)
class Answer:
    """One row of a survey response file: a receiving team's view of one hand-off.

    ``score``, ``lead_time`` and ``complete_accurate`` are ``None`` where the cell was left
    blank: a row nobody filled in is an unanswered question, not a bad score.
    """

    provider: str
    receiver: str
    what: str
    pos: SourcePos
    score: float | None = None
    lead_time: Duration | None = None
    comment: str = ""
    respondent: str = ""
    #: The lead_time cell, when one was given (``pos`` is the score's).
    lead_time_pos: SourcePos | None = None
    #: The share of deliveries usable as they arrive (%C&A, 0 to 1), and its cell.
    complete_accurate: float | None = None
    complete_accurate_pos: SourcePos | None = None


@dataclass(frozen=True, slots=True)
class SurveyRound:
    """One round of the internal-customer survey: one response file, or a folder of them.

    ``name`` is the file name without its extension (``2026-q3``) or the folder's name; rounds
    are ordered by the date it starts with (see docs/surveys.md), and ``starts`` is that date
    when it has one.
    """

    name: str
    #: The response file, or the folder of files (one per team) that makes the round.
    file: str
    answers: tuple[Answer, ...]
    starts: date | None = None
    #: Every response file read for it, as shown in messages.
    files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SurveyScore:
    """Where a relation's satisfaction came from when a survey round scored it.

    ``mean`` (of ``answers`` scores in round ``round``), when there is one, replaces the YAML
    ``satisfaction``, which stays here as ``declared`` so outputs can show both.
    ``experienced`` is the median lead time the receivers reported (of
    ``lead_time_answers``), next to the declared one.
    ``pos`` is the first scored row, where findings about the score point.
    The lead times come from the latest round that reported any, ``lead_time_round``, which
    may be older than the score's; ``lead_time_pos`` is the first lead time in it.
    ``complete_accurate`` is, likewise, the mean %C&A the receivers reported in the latest
    round that reported any (``complete_accurate_round``, from ``complete_accurate_answers``
    answers, the first at ``complete_accurate_pos``): it replaces the YAML
    ``complete_accurate``, kept here as ``declared_complete_accurate``.
    """

    round: str
    #: ``None`` when the round reported lead times but no score.
    mean: float | None
    answers: int
    declared: float | None
    pos: SourcePos
    experienced: Duration | None = None
    lead_time_answers: int = 0
    lead_time_round: str = ""
    lead_time_pos: SourcePos | None = None
    complete_accurate: float | None = None
    complete_accurate_answers: int = 0
    complete_accurate_round: str = ""
    complete_accurate_pos: SourcePos | None = None
    declared_complete_accurate: float | None = None
