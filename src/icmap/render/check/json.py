"""``icmap check -f json``: the findings as one object."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from icmap.lint.listing import LeftOut, severity_counts
from icmap.render.json_text import dumps

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic

SCHEMA_VERSION = 1


def finding_data(d: Diagnostic) -> dict[str, object]:
    """One finding as JSON gives it (``icmap check -f json``, ``icmap diff -f json``)."""
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity,
        "message": d.message,
        "file": d.file,
        "line": d.line,
        "col": d.col,
        "hint": d.hint,
    }


def render(findings: list[Diagnostic], failed: bool, left_out: Sequence[LeftOut] = ()) -> str:
    """``summary`` counts every finding; ``findings`` lists those listed, ``left_out`` says per
    rule how many more there are (``--max-per-rule``)."""
    data = {
        "schema_version": SCHEMA_VERSION,
        "failed": failed,
        "summary": severity_counts(findings, left_out),
        "findings": [finding_data(d) for d in findings],
        "left_out": [
            {"code": gap.code, "name": gap.name, "severity": gap.severity, "count": gap.count}
            for gap in left_out
        ],
    }
    return dumps(data)
