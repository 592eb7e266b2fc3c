"""``icmap check -f github``: GitHub Actions workflow commands, one annotation per finding.

GitHub shows at most 10 error and 10 warning annotations per step (and 10 notices), so the
rest are counted in a closing notice, and the whole list goes to the job summary
(``$GITHUB_STEP_SUMMARY``) when that is set.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from icmap.render.check.text import left_out_words
from icmap.render.report.markdown import escape as markdown_escape

if TYPE_CHECKING:
    from collections.abc import Sequence

    from icmap.diagnostics import Diagnostic
    from icmap.lint.listing import LeftOut

SHOWN_PER_LEVEL = 10
_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """A workflow-command message: ``%``, CR and LF escaped.

    >>> escape_data("50%\\nnext")
    '50%25%0Anext'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow-command property value: as a message, plus ``:`` and ``,``.

    >>> escape_property("a,b:c")
    'a%2Cb%3Ac'
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Diagnostic], left_out: Sequence[LeftOut] = ()) -> str:
    """Annotations for the first findings of each level; the rest, listed or left out
    (``--max-per-rule``), counted in a closing notice."""
    lines = []
    shown: Counter[str] = Counter()
    cut: Counter[str] = Counter()  # past GitHub's limit
    unlisted: Counter[str] = Counter()  # left out by --max-per-rule
    for d in findings:
        level = _LEVEL[d.severity]
        if shown[level] >= SHOWN_PER_LEVEL:
            cut[level] += 1
            continue
        shown[level] += 1
        props = ",".join(
            [
                f"file={escape_property(d.file)}",
                f"line={d.line}",
                f"col={d.col}",
                f"title={escape_property(f'{d.code} {d.name}')}",
            ]
        )
        message = d.message + (f"\n{d.hint}" if d.hint else "")
        lines.append(f"::{level} {props}::{escape_data(message)}")
    for gap in left_out:
        unlisted[_LEVEL[gap.severity]] += gap.count
    said = []
    if cut:
        counts = ", ".join(
            f"{n} {level}{'' if n == 1 else 's'}" for level, n in sorted(cut.items())
        )
        said.append(f"{counts} more not annotated (GitHub shows 10 of each per step)")
    if unlisted:
        counts = ", ".join(
            f"{n} {level}{'' if n == 1 else 's'}" for level, n in sorted(unlisted.items())
        )
        said.append(f"{counts} not listed (--max-per-rule)")
    if said:
        note = "; ".join(said) + "; see the job summary"
        lines.append(f"::notice title=icmap::{escape_data(note)}")
    return "\n".join(lines) + ("\n" if lines else "")


def step_summary(findings: list[Diagnostic], verdict: str, left_out: Sequence[LeftOut] = ()) -> str:
    """The job summary: a markdown table of every finding listed, then what was left out."""
    out = ["## icmap check", "", markdown_escape(verdict), ""]
    if findings:
        out += ["| where | rule | severity | message |", "| --- | --- | --- | --- |"]
        for d in findings:
            where = markdown_escape(f"{d.file}:{d.line}:{d.col}")
            rule = markdown_escape(f"{d.code} {d.name}")
            said = markdown_escape(d.message)
            if d.hint:  # the did-you-mean or the fix, as the text output gives it
                said += f"<br>hint: {markdown_escape(d.hint)}"
            out.append(f"| {where} | {rule} | {d.severity} | {said} |")
    if left_out:
        out += ["", *(markdown_escape(left_out_words(gap)) + "  " for gap in left_out)]
    return "\n".join(out) + "\n"
