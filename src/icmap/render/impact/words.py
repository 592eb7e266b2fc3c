"""Words shared by the impact renderers (terminal and Markdown), with no output library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.model import format_hours

if TYPE_CHECKING:
    from icmap.analysis.impact import Hit

ARROW = " → "


def chain_text(hit: Hit) -> str:
    """A hit's chain as shown: whole, or its ends around how many teams are left out; marked
    ``↺ feedback only`` when only chains through a feedback hand-off link it.

    A chain of thousands of teams (an org that is one long chain) would make each row as long
    as the chain, and the rows together grow with its square.
    """
    first, between, last = hit.ends()
    marked = "  ↺ feedback only" if hit.feedback else ""
    if not between:
        return ARROW.join(first) + marked
    return ARROW.join([*first, f"… {between:,} more …", *last]) + marked


def chain_measure(hours: float, path: tuple[str, ...], unit: str) -> str:
    """A chain's length as shown: its lead time, or its hand-offs when the org has no lead times.

    >>> chain_measure(36.0, ("a", "b"), "hours"), chain_measure(0.0, ("a", "b", "c"), "hops")
    ('1.5d', '2 hand-offs')
    """
    if unit == "hops":
        count = len(path) - 1
        return f"{count} hand-off{'s' if count != 1 else ''}"
    return format_hours(hours, weeks=False)


def uncounted(missing: int) -> str:
    """What a chain's hand-offs without a lead time do to its length, as the report says it
    of a critical path: ``""`` when it has none.

    >>> uncounted(0), uncounted(2)
    ('', '2 hand-offs without a lead time, counted as 0')
    """
    if not missing:
        return ""
    return f"{missing} hand-off{'s' if missing != 1 else ''} without a lead time, counted as 0"
