"""Words shared by the impact renderers (terminal and Markdown), with no output library."""

from __future__ import annotations

from icmap.model import format_hours


def chain_measure(hours: float, path: tuple[str, ...], unit: str) -> str:
    """A chain's length as shown: its lead time, or its hand-offs when the org has no lead times.

    >>> chain_measure(36.0, ("a", "b"), "hours"), chain_measure(0.0, ("a", "b", "c"), "hops")
    ('1.5d', '2 hand-offs')
    """
    if unit == "hops":
        count = len(path) - 1
        return f"{count} hand-off{'s' if count != 1 else ''}"
    return format_hours(hours, weeks=False)
