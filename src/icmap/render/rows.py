"""How long a table the terminal text shows (issue 29): rich lays out every row it is given,
and a deep team's impact (thousands of rows whose chains wrap) spent more in that layout than
in the analysis. The text shows the first rows and says how many more there are; ``-f json``
and ``-f markdown`` hold every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

#: Rows a terminal table shows before it says how many more there are.
TERMINAL_ROWS = 100


def shown_rows(rows: Sequence[T]) -> Sequence[T]:
    """The rows a terminal table shows."""
    return rows[:TERMINAL_ROWS]


def more_rows(total: int) -> str | None:
    """``… and 5,918 more (all in -f json or -f markdown)`` when a table is cut short.

    >>> more_rows(100) is None, more_rows(6018)
    (True, '… and 5,918 more (all in -f json or -f markdown)')
    """
    hidden = total - TERMINAL_ROWS
    return f"… and {hidden:,} more (all in -f json or -f markdown)" if hidden > 0 else None
