"""``--today DATE``: the date end dates are judged against, for reproducible runs in CI."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from icmap.errors import UsageError

TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="Judge end dates ('until') as if today were DATE (YYYY-MM-DD), for reproducible "
        "runs in CI. Default: the real date.",
        show_default=False,
        metavar="DATE",
    ),
]


def parse_today(text: str | None) -> date:
    """The date ``--today`` names, or the real date; anything else is a usage error (exit 2).

    >>> parse_today("2026-11-23")
    datetime.date(2026, 11, 23)
    """
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--today: {text!r} is not a date; write it as YYYY-MM-DD, e.g. --today 2026-11-23"
        ) from None
