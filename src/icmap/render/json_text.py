"""JSON text as every JSON output writes it: indented by two, UTF-8 kept, no NaN.

>>> print(dumps({"team": "kitchen", "hops": [1, 2]}), end="")
{
  "team": "kitchen",
  "hops": [
    1,
    2
  ]
}
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

#: The one encoder every output uses: it keeps no state between calls.
_ENCODER = json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False)


def dumps(data: Any) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)`` and a newline.

    The same text, written piece by piece into one buffer: ``json.dumps`` with an indent keeps
    every small piece in a list until it joins them, over a gigabyte for the 90 MB picture of
    a 100,000-team org.
    """
    text = io.StringIO()
    write = text.write
    for piece in _ENCODER.iterencode(data):
        write(piece)
    write("\n")
    return text.getvalue()


def dumps_item(data: Any) -> str:
    """:func:`dumps` of a small value, without the newline: one of hundreds of thousands of
    items written one by one, for which a buffer each costs more than the list joined."""
    return "".join(_ENCODER.iterencode(data))


class Pieces:
    """Text that is written as it is made, a piece at a time (``graph -f json`` of a million
    hand-offs is over half a gigabyte: held whole, then made safe and encoded, it was three
    copies at once). Iterating gives it in pieces of about a mebibyte; :meth:`text` whole.
    """

    #: Characters gathered before a piece is given out: few writes, little held.
    SIZE = 1 << 20

    def __init__(self, make: Callable[[], Iterator[str]]) -> None:
        self._make = make

    def __iter__(self) -> Iterator[str]:
        gathered: list[str] = []
        size = 0
        for piece in self._make():
            gathered.append(piece)
            size += len(piece)
            if size >= self.SIZE:
                yield "".join(gathered)
                gathered, size = [], 0
        if gathered:
            yield "".join(gathered)

    def text(self) -> str:
        """The whole text at once."""
        return "".join(self._make())
