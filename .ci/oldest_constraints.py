"""Print pip constraints pinning each runtime dependency to the oldest release pyproject allows.

    python .ci/oldest_constraints.py > oldest.txt
    pip install -c oldest.txt -e '.[dev]'

CI runs the suite twice: with the newest release of everything (a fresh venv), and with these
lower bounds, so that a bound that no longer holds fails in CI and not on a user's machine.
Only ``project.dependencies`` are pinned: the test tools (pytest, hypothesis...) stay newest.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

_LOWER = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def oldest(pyproject: Path) -> list[str]:
    """``name==version`` for every dependency with a ``>=`` lower bound."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        found = _LOWER.match(requirement)
        if found is None:
            sys.exit(f"no lower bound to test in {requirement!r}: give it one (name>=version)")
        pins.append(f"{found[1]}=={found[2]}")
    return pins


if __name__ == "__main__":
    print("\n".join(oldest(Path(__file__).resolve().parent.parent / "pyproject.toml")))
