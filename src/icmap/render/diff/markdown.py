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
        out += ["**⚠ This change meets these `--fail-on` conditions:**", ""]
        out += [f"- {escape(reason)}" for reason in reasons]
        # A paragraph between the two lists, or Markdown makes them one.
        out += ["", "**What it does:**", ""]
    out += [f"- {_item(line)}" for line in summary(diff)]
    for title, items in sections(diff):
        out += ["", f"<details><summary>{escape(title)} ({len(items)})</summary>", ""]
        out += [f"- {_item(item)}" for item in items]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def _item(text: str) -> str:
    """A list item's text: a leading ``+`` or ``-`` (new, gone) escaped, which Markdown would
    otherwise read as a bullet of a list nested in the item, losing which it is."""
    escaped = escape(text)
    return "\\" + escaped if escaped[:2] in ("+ ", "- ") else escaped
