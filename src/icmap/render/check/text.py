"""``icmap check`` findings for people, grouped by file: ``file:line:col: CODE severity …``.

:func:`render` builds rich text (coloured on a terminal); :func:`plain` is the same output as
a string, for stdout that gets no colour (a pipe, CI's log): it spares the check the import of
rich, about a tenth of its start-up on a small org (docs/performance.md#start-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from icmap.lint.listing import LeftOut, severity_counts
from icmap.safe_text import visible_name

if TYPE_CHECKING:
    from rich.console import RenderableType

    from icmap.diagnostics import Diagnostic

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def summary(findings: list[Diagnostic], failed: bool, left_out: Sequence[LeftOut] = ()) -> str:
    """The verdict and the count of every finding, listed or left out."""
    counts = severity_counts(findings, left_out)
    parts = [
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info")
    ]
    verdict = "check failed" if failed else "check passed"
    return f"{verdict}: {', '.join(parts)}"


def left_out_words(gap: LeftOut) -> str:
    """What one rule's unlisted findings are, in every format's words.

    >>> print(left_out_words(LeftOut("IC401", "missing-lead", "info", 1999)))
    … and 1,999 more IC401 missing-lead findings (info), not listed: --max-per-rule 0 lists all
    """
    finding = "finding" if gap.count == 1 else "findings"
    return (
        f"… and {gap.count:,} more {gap.code} {gap.name} {finding} ({gap.severity}), "
        "not listed: --max-per-rule 0 lists all"
    )


def _record(finding: Diagnostic) -> tuple[str, str, str, str]:
    """A finding's line in its four differently styled pieces."""
    # The same record as the loader's errors and compilers': file:line:col: severity: …
    return (
        f"{visible_name(finding.file)}:{finding.line}:{finding.col}: ",
        f"{finding.severity}:",
        f" {visible_name(finding.message)} ",  # an id with a line feed stays on this line
        f"[{finding.code} {finding.name}]",
    )


def render(
    findings: list[Diagnostic], failed: bool, left_out: Sequence[LeftOut] = ()
) -> RenderableType:
    """Findings by file; print with ``soft_wrap=True``: one finding a line, never wrapped,
    since editors and grep read ``file:line:col`` records."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = []
    current = None
    for finding in findings:
        if finding.file != current:
            if current is not None:
                parts.append(Text())
            current = finding.file
            parts.append(Text(visible_name(finding.file), style="bold underline"))
        where, severity, message, code = _record(finding)
        line = Text(where)
        line.append(severity, style=_STYLE[finding.severity])
        line.append(message)
        line.append(code, style="dim")
        parts.append(line)
        if finding.hint:
            parts.append(Text(f"  hint: {finding.hint}", style="cyan"))
    if parts:
        parts.append(Text())
    for gap in left_out:
        parts.append(Text(left_out_words(gap), style=_STYLE[gap.severity]))
    if left_out:
        parts.append(Text())
    verdict = summary(findings, failed, left_out)
    parts.append(Text(verdict, style="bold red" if failed else "bold green"))
    return Group(*parts)


def plain(findings: list[Diagnostic], failed: bool, left_out: Sequence[LeftOut] = ()) -> str | None:
    """What :func:`render` prints, soft-wrapped, through a console that adds no styles.

    ``None`` when a line holds a character the console would change (a tab it expands, a
    control character it drops or shows escaped): the caller then prints :func:`render`.
    """
    lines: list[str] = []
    current = None
    for finding in findings:
        if finding.file != current:
            if current is not None:
                lines.append("")
            current = finding.file
            lines.append(visible_name(finding.file))
        lines.append("".join(_record(finding)))
        if finding.hint:
            lines.append(f"  hint: {finding.hint}")
    if lines:
        lines.append("")
    lines.extend(left_out_words(gap) for gap in left_out)
    if left_out:
        lines.append("")
    lines.append(summary(findings, failed, left_out))
    if not all(line.isprintable() for line in lines):
        return None
    return "\n".join(lines) + "\n"
