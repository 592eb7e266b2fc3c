"""Diagnostics: one problem found in the org files, with where it is and how to fix it.

Every diagnostic carries a stable code. The loader's codes are grouped by hundreds like the
rules of ``icmap check``: ``IC0xx`` input and schema, ``IC1xx`` references.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

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

#: code -> what it means, one sentence in Markdown: docs/format.md's table and docs/rules.md
#: are made from it.
LOADER_MEANINGS: dict[str, str] = {
    "IC001": (
        "The file cannot be read, is not a regular file (a FIFO, a device), is a link leading"
        " out of the org folder, is not UTF-8, or holds characters YAML forbids (binary)."
    ),
    "IC002": "The YAML is malformed, or the file holds more than one document.",
    "IC003": (
        "A mapping, list or text was expected and something else found; or an unsupported tag"
        " (on a value, a key, a list or a mapping)."
    ),
    "IC004": "A key the format does not have (with a did-you-mean).",
    "IC005": "A relation without `what`, `to` or `from`; a stream without `customer`.",
    "IC006": "The same key twice in one mapping.",
    "IC007": (
        "A bad duration (also one over 10⁹ hours), satisfaction score or %C&A (not a share "
        "above 0 and at most 100%), a process time longer than its lead time, an empty value "
        "or an empty list, or text holding a control character."
    ),
    "IC008": "No content, no external customers, or no teams.",
    "IC009": (
        "An alias bomb, a file over 64 MiB, nesting deeper than 100 levels, or more than "
        "200,000 entries in one mapping or list ([robustness.md](robustness.md#limits))."
    ),
    "IC101": (
        "`to`/`from` names an id that does not exist (did-you-mean; also matches display names)."
    ),
    "IC102": "An id defined twice, in one file or across files.",
    "IC103": (
        "`to` names a supplier, `from` names a customer, or a stream ends at something other "
        "than an external customer."
    ),
    "IC104": "A team provides to itself.",
    "IC105": "One side declares the same relation twice.",
    "IC106": "Files disagree on `organisation`.",
    "IC107": "A relation's `streams` names a stream that is not declared (did-you-mean).",
    "IC108": (
        "A stream with no hand-offs, none reaching its customer, a hand-off that does not "
        "lead on to its customer within the stream, or a feedback relation in a stream."
    ),
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
    #: A cap's "…and N more" line is no problem itself but N that are not listed: N; else 0.
    left_out: int = field(default=0, compare=False)

    @property
    def name(self) -> str:
        """The kebab-case name of the code, e.g. ``dangling-reference``."""
        return self.rule_name or LOADER_CODES.get(self.code, self.code)

    def format(self) -> str:
        """``file:line:col: message`` followed by the hint, as compilers print it."""
        from icmap.safe_text import visible_name

        where = f"{visible_name(self.file)}:{self.line}:{self.col}"
        # An id or a value with a line feed must not start a line that reads as icmap's own.
        text = f"{where}: {self.severity}: {visible_name(self.message)} [{self.code}]"
        if self.hint:
            text += f"\n  hint: {visible_name(self.hint)}"
        return text


def problem_count(diagnostics: Iterable[Diagnostic]) -> int:
    """How many problems ``diagnostics`` are, each capped line counted for all it stands for."""
    return sum(diagnostic.left_out or 1 for diagnostic in diagnostics)


def error_count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """The errors among ``diagnostics``, each capped line counted for all it stands for, and
    how many of them are not listed one by one.

    >>> listed = Diagnostic("o.yaml", 1, 1, "IC101", "unknown id")
    >>> more = Diagnostic("o.yaml", 2, 1, "IC101", "…and 5 more", left_out=5)
    >>> error_count([listed, more])
    (6, 5)
    """
    total = unlisted = 0
    for diagnostic in diagnostics:
        if diagnostic.severity == "error":
            total += diagnostic.left_out or 1
            unlisted += diagnostic.left_out
    return total, unlisted


def errors_in(diagnostics: Iterable[Diagnostic], where: str) -> str:
    """``N errors in WHERE``, saying how many are not listed when a cap left some out.

    >>> errors_in([Diagnostic("o.yaml", 1, 1, "IC101", "…", left_out=400)], "the source")
    '400 errors in the source (400 not listed)'
    """
    total, unlisted = error_count(diagnostics)
    text = f"{total} error{'s' if total != 1 else ''} in {where}"
    return f"{text} ({unlisted} not listed)" if unlisted else text
