"""``icmap diff -f markdown``: a pull-request comment, summary first and details folded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.render.diff.words import sections, summary
from icmap.render.report.markdown import escape

if TYPE_CHECKING:
    from icmap.analysis.diff import OrgDiff


def render(diff: OrgDiff, base: str, head: str, reasons: list[str] | None = None) -> str:
    """The comment; ``reasons`` are the ``--fail-on`` conditions met, said first when any."""
    out = [f"### icmap: what this change does to the org ({escape(base)} → {escape(head)})", ""]
    if reasons:
        out += ["**⚠ This change fails the org check:**", ""]
        out += [f"- {escape(reason)}" for reason in reasons]
        out.append("")
    out += [f"- {escape(line)}" for line in summary(diff)]
    for title, items in sections(diff):
        out += ["", f"<details><summary>{escape(title)} ({len(items)})</summary>", ""]
        out += [f"- {escape(item)}" for item in items]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"
