"""``icmap impact -f markdown``: for incident notes and reorganisation proposals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.analysis.loops import cycle_text
from icmap.render.impact.words import chain_measure, chain_text, uncounted
from icmap.render.report.markdown import escape

if TYPE_CHECKING:
    from icmap.analysis.impact import Hit, Impact


def _table(hits: list[Hit], what_header: str) -> list[str]:
    if not hits:
        return ["None."]
    rows = [f"| team | hops | {what_header} | chain |", "| --- | ---: | --- | --- |"]
    for hit in hits:
        cells = [escape(hit.team), str(hit.distance), escape("; ".join(hit.first_handoff))]
        rows.append("| " + " | ".join([*cells, escape(chain_text(hit))]) + " |")
    return rows


def render(result: Impact, *, down: bool, up: bool) -> str:
    out = [
        f"# If {escape(' and '.join(result.failed))} "
        f"{'fail' if len(result.failed) > 1 else 'fails'}",
        "",
        f"**{escape(result.verdict())}**",
    ]
    for cycle in result.loops:
        closed = " (closed by feedback)" if cycle.feedback else ""
        out += ["", f"Comes back round: {escape(cycle_text(cycle.teams))}{closed}"]
    if down:
        out += ["", "## Downstream", "", *_table(result.downstream, "first hand-off")]
        out += ["", "## Customers hit", ""]
        for hit in result.customers:
            longest = (
                "reached only through a feedback hand-off"
                if hit.longest is None
                else f"longest {chain_measure(hit.longest.total, hit.longest.path, result.unit)} "
                f"({escape(' → '.join(hit.longest.path))}"
                + _uncounted(hit.longest.missing_lead_times)
                + ")"
            )
            fastest = chain_measure(hit.fastest_hours, hit.fastest, result.unit)
            out.append(
                f"- **{escape(hit.customer)}**: fastest {fastest} "
                f"({escape(' → '.join(hit.fastest))}"
                f"{'; ↺ through feedback' if hit.fastest_feedback else ''}"
                f"{_uncounted(hit.fastest_missing)}), "
                f"{longest}"
            )
        if not result.customers:
            out.append("None: its work reaches no external customer.")
    if up:
        out += ["", "## Stranded", ""]
        out.append(escape(", ".join(result.stranded)) if result.stranded else "None.")
        out += ["", "## Upstream", "", *_table(result.upstream, "hands over")]
    return "\n".join(out) + "\n"


def _uncounted(missing: int) -> str:
    return f"; {uncounted(missing)}" if missing else ""
