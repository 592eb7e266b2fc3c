"""A team's ``ignore:`` entry suppresses nothing.

Why it matters: a suppression that no longer matches a finding hides nothing today but will
silently hide the next real problem of that kind. Only a suppression of a rule that ran is
judged: one of a rule off by default, or left out by ``--ignore`` or ``--select``, may match
when it runs (a strict job and a default one must both pass). A name that is no rule is
reported with a did-you-mean.

Fix: remove the entry from the team's ``ignore:``. (Reported by the check itself after every
other rule has run; it cannot itself be suppressed per team.)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC402"
NAME = "unused-suppression"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    # Computed by icmap.lint.run, which alone knows which suppressions matched.
    return iter(())
