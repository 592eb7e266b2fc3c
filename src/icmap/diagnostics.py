"""Diagnostics: one problem found in the org files, with where it is and how to fix it.

Every diagnostic carries a stable code. The loader's codes are grouped by hundreds like the
rules of ``icmap check``: ``IC0xx`` input and schema, ``IC1xx`` references.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]

#: code -> kebab-case name, for the problems the loader reports.
LOADER_CODES: dict[str, str] = {
    "IC001": "unreadable-file",
    "IC002": "yaml-syntax",
    "IC003": "wrong-type",
    "IC004": "unknown-key",
    "IC005": "missing-key",
    "IC006": "duplicate-key",
    "IC007": "invalid-value",
    "IC008": "empty-org",
    "IC009": "limit-exceeded",
    "IC101": "dangling-reference",
    "IC102": "duplicate-id",
    "IC103": "wrong-kind-reference",
    "IC104": "self-provision",
    "IC105": "duplicate-relation",
    "IC106": "conflicting-setting",
    "IC107": "unknown-stream",
    "IC108": "broken-stream",
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem at ``file:line:col`` (1-based). Sorting orders by file, then position."""

    file: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = "error"
    hint: str | None = None
    rule_name: str | None = None
    #: The teams (or customers, suppliers) a check finding is about; empty for the loader's.
    subjects: tuple[str, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        """The kebab-case name of the code, e.g. ``dangling-reference``."""
        return self.rule_name or LOADER_CODES.get(self.code, self.code)

    def format(self) -> str:
        """``file:line:col: message`` followed by the hint, as compilers print it."""
        from icmap.safe_text import visible_name

        where = f"{visible_name(self.file)}:{self.line}:{self.col}"
        text = f"{where}: {self.severity}: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text
