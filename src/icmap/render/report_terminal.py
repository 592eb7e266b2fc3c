"""``icmap report`` in the terminal: rich tables, names always as text (never markup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from icmap.render.report_words import (
    TOP,
    amount,
    chain,
    critical_notes,
    crossing_notes,
    cycle_lines,
    distance_histogram,
    feedback_only_text,
    link,
    loop_text,
    no_slack,
    summary,
    top_slack,
)

if TYPE_CHECKING:
    from icmap.analysis.report import Report


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _table(*columns: str) -> Table:
    table = Table(show_edge=False, box=None, pad_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column)
    return table


def _critical_section(report: Report) -> list[RenderableType]:
    unit = report.critical.unit
    parts: list[RenderableType] = [_heading("Critical path to each customer")]
    for path in report.critical.paths:
        line = Text(f"{path.customer}: ", style="bold")
        if len(path.path) == 1:
            parts.append(line.append("no delivery chain", style="yellow"))
        else:
            line.append(amount(path.total, unit), style="bold magenta")
            parts += [line, Text(f"  {chain(path.path)}")]
        parts += [Text(f"  note: {note}", style="yellow") for note in critical_notes(path, unit)]
        for crossing in report.crossings:
            if crossing.customer == path.customer:
                first, *rest = crossing_notes(crossing)
                parts.append(Text(f"  note: {first}", style="yellow"))
                parts += [Text(f"    {line.strip()}") for line in rest]
    return parts


def _loops_section(report: Report) -> list[RenderableType]:
    parts: list[RenderableType] = [
        _heading("Loops (teams serving each other) and their shortest cycles")
    ]
    for loop in report.loops:
        parts.append(Text(f"• {loop_text(loop)}"))
        parts += [Text(f"    {line}") for line in cycle_lines(loop)]
    if not report.loops:
        parts.append(Text("none"))
    return parts


def render(report: Report) -> RenderableType:
    """The whole report as one rich renderable."""
    unit = report.critical.unit
    parts: list[RenderableType] = [
        Text(report.organisation or "Organisation", style="bold"),
        Text(summary(report), style="dim"),
    ]

    parts.append(_heading("Front line (one hand-off from an external customer)"))
    front = _table("team", "serves")
    for team in report.front_line:
        front.add_row(Text(team.team, style="cyan"), Text(", ".join(team.customers)))
    parts.append(front if report.front_line else Text("no team hands work to a customer"))

    parts.append(_heading("Distance to the customer (hand-offs)"))
    histogram = _table("hops", "teams", "")
    rows = distance_histogram(report)
    widest = max((n for _, n in rows), default=1)
    for hops, n in rows:
        bar = "█" * max(1, round(20 * n / widest))
        histogram.add_row(hops, str(n), Text(bar, style="red" if hops == "none" else "green"))
    parts.append(histogram)

    parts += _critical_section(report)

    parts.append(_heading("Most slack (how much later a team could deliver)"))
    slack = _table("team", "slack")
    for slack_team, value in top_slack(report):
        slack.add_row(Text(slack_team, style="cyan"), amount(value, unit))
    parts += [slack if top_slack(report) else Text("none"), Text(no_slack(report), style="dim")]
    only = feedback_only_text(report)
    if only:
        parts.append(Text(only, style="yellow"))

    parts.append(_heading("Chokepoints (single points of failure)"))
    if report.chokepoints:
        table = _table("team", "stranded if it fails", "")
        ranked = sorted(report.chokepoints, key=lambda c: (-len(c.dependents), c.team))
        for point in ranked[:TOP]:
            shown = ", ".join(point.dependents[:6]) + (" …" if len(point.dependents) > 6 else "")
            table.add_row(Text(point.team, style="cyan"), str(len(point.dependents)), Text(shown))
        parts.append(table)
        if len(ranked) > TOP:
            parts.append(Text(f"… and {len(ranked) - TOP} more", style="dim"))
    else:
        parts.append(Text("none: every team has more than one way to the customer"))

    parts += _loops_section(report)

    parts.append(_heading("Weakest links (satisfaction)"))
    weak = _table("customer", "weakest on the critical path", "bounded at", "by")
    for item in report.weakest:
        bound = "—" if item.bound is None else f"{item.bound:.1f}"
        weak.add_row(
            Text(item.customer, style="bold"),
            Text(link(item.critical_path_weakest)),
            Text(bound, style="bold red" if item.low else ""),
            Text(link(item.bottleneck)),
        )
    parts.append(weak)

    if report.reach.disconnected:
        parts.append(_heading("No path to any external customer"))
        parts.append(Text(", ".join(report.reach.disconnected), style="yellow"))
    return Group(*parts)
