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
from typing import Any


def dumps(data: Any) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)`` and a newline.

    The same text, written piece by piece into one buffer: ``json.dumps`` with an indent keeps
    every small piece in a list until it joins them, over a gigabyte for the 90 MB picture of
    a 100,000-team org.
    """
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False)
    text = io.StringIO()
    write = text.write
    for piece in encoder.iterencode(data):
        write(piece)
    write("\n")
    return text.getvalue()
