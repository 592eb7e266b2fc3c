"""Reading a second version of an org at the cost of what changed: ``icmap diff``.

Two versions of an org are mostly the same text. While the first is read, each party written
in a ``teams:``, ``customers:`` or ``suppliers:`` section (read entry by entry, see
:class:`~icmap.loader.compose.EntryStream`) is remembered with a digest of its text, from its
key to the end of its value. Reading the second, a party whose text is the same, starting at the
same column of the same kind of section, is taken as read the first time instead of being
composed and read again: only its positions are moved, to the second file and by as many lines
as the party moved.

The text alone decides what a party reads as, with three exceptions the first reading notes and
refuses to remember: an alias (which names a node written elsewhere), an anchor (which a later
alias may name) and a tag. A party whose reading found a problem is not remembered either: its
problems are told again by reading it again. The parser still goes over the second file's
every event (a syntax error anywhere is still found), and if a party taken as read does not end
where its remembered text does, the file is read again in full (:class:`ReuseMismatchError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from icmap.model import Kind, SourcePos

if TYPE_CHECKING:
    from icmap.loader.reader import RawParty


def digest(text: str) -> bytes:
    """A digest of a party's text: two texts with the same digest are taken as the same."""
    import hashlib  # here: every command imports the reader, few read a second version

    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class Remembered:
    """A party as read from the first version, and what its text was (0-based line, column)."""

    party: RawParty
    line: int
    column: int
    #: Whether its section was written in flow style (``{…}``), where the same text can read
    #: differently than in block style.
    flow: bool
    #: Its text, from its key to its value's last token: how long, and its digest.
    length: int
    digest: bytes
    #: The parser's events for its value, and how many of the last close block collections
    #: (whose end marks lie past ``length``, at whatever follows).
    events: int
    closing: int
    #: The alias budget its reading spent (:class:`~icmap.loader.reader.FileReader`).
    spent: int


@dataclass
class Entries:
    """The parties of a first version remembered for reading a second one (``load`` takes
    this as ``remember`` for the first and as ``reuse`` for the second)."""

    parties: dict[tuple[Kind, str], Remembered] = field(default_factory=dict)
    #: Parties of the second version taken as read: how often reuse paid.
    reused: int = 0

    def clear(self) -> None:
        """Let go of what was remembered (the first version's parties, as read)."""
        self.parties.clear()


class ReuseMismatchError(Exception):
    """A party taken as read did not end where its text did: read the file again in full."""


def moved(party: RawParty, display: str, lines: int) -> RawParty:
    """``party`` as read from ``display``, ``lines`` lines further down (or up) than before.

    Only positions change; every value is shared with the party as first read.
    """
    from icmap.loader.reader import RawParty, RawRelation

    at = SourcePos
    relations = []
    for r in party.relations:
        here = r.pos
        relations.append(
            RawRelation(
                r.side,
                r.owner,
                r.what,
                [(target, at(display, p.line + lines, p.col)) for target, p in r.targets],
                at(display, here.line + lines, here.col),
                r.lead_time,
                r.satisfaction,
                r.feedback,
                r.mode,
                r.since,
                r.until,
                r.state,
                [(stream, at(display, p.line + lines, p.col)) for stream, p in r.streams]
                if r.streams
                else [],
                r.process_time,
                r.complete_accurate,
                r.measured,
            )
        )
    here = party.pos
    return RawParty(
        party.kind,
        party.id,
        at(display, here.line + lines, here.col),
        party.fields,
        relations,
        [(rule, why, at(display, p.line + lines, p.col)) for rule, why, p in party.ignores],
    )
