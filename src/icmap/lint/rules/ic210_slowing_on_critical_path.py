"""A dependency its receiver calls slowing is on a critical path.

Why it matters: as IC209 for ``blocking``, one step earlier: the customer's longest chain runs
through a dependency that already slows its receiver down. Worth watching before it blocks.
Chains that tie with the critical path count, as for IC209 (the customer is marked "(tied)").

Fix: agree with the providing team what would make it ``ok``, then write ``state: ok``.

Passes::

    receives: [{what: Route pricing, from: engine, lead_time: 2d, state: ok}]

Fails (the hand-off is on the path to the customer)::

    receives: [{what: Route pricing, from: engine, lead_time: 2d, state: slowing}]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding
from icmap.lint.rules.ic209_blocking_on_critical_path import critical_in_state

CODE = "IC210"
NAME = "slowing-on-critical-path"
SEVERITY = "info"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    yield from critical_in_state(ctx, "slowing", CODE)
