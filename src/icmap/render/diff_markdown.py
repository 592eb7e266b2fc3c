"""``icmap diff -f markdown``: a pull-request comment, summary first and details folded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.render.diff_words import sections, summary
from icmap.render.report_markdown import escape

if TYPE_CHECKING:
    from icmap.analysis.diff import OrgDiff


def render(diff: OrgDiff, base: str, head: str) -> str:
    out = [f"### icmap: what this change does to the org ({escape(base)} → {escape(head)})", ""]
    out += [f"- {escape(line)}" for line in summary(diff)]
    for title, items in sections(diff):
        out += ["", f"<details><summary>{escape(title)} ({len(items)})</summary>", ""]
        out += [f"- {escape(item)}" for item in items]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"
