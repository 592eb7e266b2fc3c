"""``icmap check`` findings for people, grouped by file: ``file:line:col: CODE severity …``."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def summary(findings: list[Diagnostic], failed: bool) -> str:
    counts = Counter(d.severity for d in findings)
    parts = [
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info")
    ]
    verdict = "check failed" if failed else "check passed"
    return f"{verdict}: {', '.join(parts)}"


def render(findings: list[Diagnostic], failed: bool) -> RenderableType:
    """Findings by file; print with ``soft_wrap=True``: one finding a line, never wrapped,
    since editors and grep read ``file:line:col`` records."""
    parts: list[RenderableType] = []
    current = None
    for finding in findings:
        if finding.file != current:
            if current is not None:
                parts.append(Text())
            current = finding.file
            parts.append(Text(finding.file, style="bold underline"))
        # The same record as the loader's errors and compilers': file:line:col: severity: …
        line = Text(f"{finding.file}:{finding.line}:{finding.col}: ")
        line.append(f"{finding.severity}:", style=_STYLE[finding.severity])
        line.append(f" {finding.message} ")
        line.append(f"[{finding.code} {finding.name}]", style="dim")
        parts.append(line)
        if finding.hint:
            parts.append(Text(f"  hint: {finding.hint}", style="cyan"))
    if parts:
        parts.append(Text())
    parts.append(Text(summary(findings, failed), style="bold red" if failed else "bold green"))
    return Group(*parts)
