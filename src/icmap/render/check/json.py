"""``icmap check -f json``: the findings as one object."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from icmap.render.json_text import dumps

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic

SCHEMA_VERSION = 1


def render(findings: list[Diagnostic], failed: bool) -> str:
    counts = Counter(d.severity for d in findings)
    data = {
        "schema_version": SCHEMA_VERSION,
        "failed": failed,
        "summary": {s: counts[s] for s in ("error", "warning", "info")},
        "findings": [
            {
                "code": d.code,
                "name": d.name,
                "severity": d.severity,
                "message": d.message,
                "file": d.file,
                "line": d.line,
                "col": d.col,
                "hint": d.hint,
            }
            for d in findings
        ],
    }
    return dumps(data)
