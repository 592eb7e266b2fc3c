"""``icmap report`` in the terminal: rich tables, names always as text (never markup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from icmap.model import format_share
from icmap.render.picture import styles
from icmap.render.report import measured_words, stream_words
from icmap.render.report.words import (
    NO_SCORES,
    TOP,
    amount,
    chain,
    critical_notes,
    critical_text,
    crossing_notes,
    cycle_lines,
    days_past,
    distance_histogram,
    events_line,
    feedback_only_text,
    handoff,
    link,
    loop_text,
    mode_name,
    no_slack,
    satisfaction,
    slack_amount,
    summary,
    top_slack,
    type_name,
)
from icmap.render.rows import more_rows, shown_rows

if TYPE_CHECKING:
    from icmap.analysis.report import Report


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _indented(text: str | Text, indent: int, style: str = "") -> Padding:
    """``text`` indented, and indented again where it wraps (a hanging indent)."""
    body = text if isinstance(text, Text) else Text(text, style=style)
    return Padding(body, (0, 0, 0, indent))


def _bullet(text: str) -> Table:
    """``• text``, wrapped lines lining up under the text, not under the bullet."""
    grid = Table.grid()
    grid.add_column(width=2)
    grid.add_column()
    grid.add_row("•", Text(text))
    return grid


def _surveys_section(report: Report) -> list[RenderableType]:
    from icmap.render.survey import words

    trends = report.surveys
    if trends is None:
        return []
    rounds = words.shown_rounds(trends)
    parts: list[RenderableType] = [_heading("Surveys (mean score and answers per round)")]
    parts.append(Text(words.intro(trends), style="dim"))
    table = _table("hand-off", *rounds, "change", "YAML", "lead time experienced")
    for trend in words.shown_relations(trends):
        table.add_row(
            Text(f"{trend.provider} → {trend.receiver}: {trend.what}"),
            *words.round_cells(trend.rounds),
            words.change(trend.rounds),
            words.declared(trend),
            words.experienced(trend),
        )
    parts.append(table)
    cut = words.more(len(trends.relations))
    if cut:
        parts.append(Text(cut, style="dim"))
    parts.append(Text("\nBy provider team (every answer about what it provides)", style="bold"))
    teams = _table("team", *rounds, "change")
    for team in words.shown_teams(trends):
        teams.add_row(
            Text(team.team, style=styles.TEAM),
            *words.round_cells(team.rounds),
            words.change(team.rounds),
        )
    parts.append(teams)
    cut = words.more(len(trends.teams))
    if cut:
        parts.append(Text(cut, style="dim"))
    parts.append(Text("\nEach customer's weakest-link bound after each round", style="bold"))
    bounds = _table("customer", *rounds)
    for item in trends.bounds:
        bounds.add_row(
            Text(item.customer, style="bold"),
            *(words.bound(b) for b in item.bounds[-len(rounds) :]),
        )
    parts.append(bounds)
    return parts


def _table(*columns: str) -> Table:
    table = Table(show_edge=False, box=None, pad_edge=False, header_style="bold")
    for column in columns:
        # Folded, not cut with an ellipsis: on a narrow terminal "21d" must not read "21…".
        table.add_column(column, overflow="fold")
    return table


def _critical_section(report: Report) -> list[RenderableType]:
    unit = report.critical.unit
    parts: list[RenderableType] = [_heading("Critical path to each customer")]
    if report.streams:
        parts.append(Text(f"note: {stream_words.ACROSS_STREAMS}", style=styles.DETAIL))
    for path in report.critical.paths:
        line = Text(f"{path.customer}: ", style="bold")
        if len(path.path) == 1:
            parts.append(line.append("no delivery chain", style=styles.FEEDBACK))
        else:
            line.append(amount(path.total, unit), style="bold")
            parts += [line, _indented(chain(path.path), 2)]
        notes = critical_notes(path, unit)
        parts += [_indented(f"note: {note}", 2) for note in notes]
        for crossing in report.crossings:
            if crossing.customer == path.customer:
                first, *rest = crossing_notes(crossing)
                parts.append(_indented(f"note: {first}", 2, styles.LOOP))
                parts += [_indented(line.strip(), 4) for line in rest]
        for mix in report.mixed_cadences:
            if mix.customer == path.customer:
                parts.append(_indented(f"note: {stream_words.mixed_cadence(mix)}", 2))
    return parts


def _streams_section(report: Report) -> list[RenderableType]:
    """Each value stream's numbers, then its critical path, constraints and caveats: only
    when the org declares streams."""
    if not report.streams:
        return []
    parts: list[RenderableType] = [_heading("Value streams (each flow measured on its own)")]
    table = _table(*stream_words.HEADERS[:-2])
    for flow in report.streams:
        name, customer, lead, target, *rest = stream_words.row(flow)[:-2]
        missed = styles.LOW if flow.target_met is False else ""
        table.add_row(
            Text(name, style="bold"),
            Text(customer),
            Text(lead, style=missed),
            Text(target, style=missed),
            *(Text(cell) for cell in rest),
        )
    parts.append(table)
    for flow in report.streams:
        parts.append(_indented(stream_words.path_line(flow), 0))
        lines = [stream_words.constraints(flow), *stream_words.details(flow)]
        parts += [_indented(line, 2) for line in lines]
    return parts


def _measured_section(report: Report) -> list[RenderableType]:
    """What an event log measured: only when the org's relations carry measured numbers."""
    flow = report.measured
    if flow is None:
        return []
    words = measured_words
    parts: list[RenderableType] = [_heading(words.TITLE), Text(words.intro(flow))]
    parts.append(Text(f"{words.MEANING} ({words.DOC})", style="dim"))
    tables = (
        ("Busiest hand-offs", flow.busiest),
        (words.slowest_title(flow), flow.slowest),
    )
    for title, pairs in tables:
        parts.append(Text(f"\n{title}", style="bold"))
        if not pairs:
            parts.append(Text("none"))
            continue
        table = _table(*words.PAIR_HEADERS)
        for pair in pairs:
            name, *cells, back = words.pair_row(pair)
            band = _BAND_STYLES[pair.band]
            table.add_row(Text(name), *cells, Text(back, style=band))
        parts.append(table)
    parts.append(Text(f"\n{words.ping_pong_title(flow)}", style="bold"))
    if flow.ping_pong:
        table = _table(*words.PING_PONG_HEADERS)
        for ping in flow.ping_pong:
            name, back, *cells = words.ping_pong_row(ping)
            band = _BAND_STYLES[ping.pair.band]
            table.add_row(Text(name), Text(back, style=band), *cells)
        parts.append(table)
    else:
        parts.append(Text("none"))
    parts.append(Text("\nWhere cases end", style="bold"))
    endings = _table(*words.ENDING_HEADERS)
    for ending in flow.endings:
        team, *cells = words.ending_row(ending)
        endings.add_row(Text(team, style=styles.TEAM), *cells)
    parts.append(endings if flow.endings else Text("none"))
    alone = words.alone_line(flow)
    if alone:
        parts.append(Text(alone))
    parts += [Text(note, style="dim") for note in words.notes(flow)]
    return parts


#: A return rate's colour in the terminal, by band (the pictures' colours, as words' styles).
_BAND_STYLES = ("", styles.SLOWING, styles.LOW)


def _loops_section(report: Report) -> list[RenderableType]:
    parts: list[RenderableType] = [
        _heading("Loops (teams serving each other) and their shortest cycles")
    ]
    for loop in report.loops:
        parts.append(_bullet(loop_text(loop)))
        parts += [_indented(line, 4) for line in cycle_lines(loop)]
    if not report.loops:
        parts.append(Text("none"))
    return parts


def _weakest_section(report: Report) -> list[RenderableType]:
    parts: list[RenderableType] = [_heading("Weakest links (satisfaction)")]
    if not report.scored:
        return [*parts, Text(NO_SCORES)]
    weak = _table("customer", "weakest on the critical path", "bounded at", "by")
    for item in report.weakest:
        bound = "—" if item.bound is None else satisfaction(item.bound)
        bound += f" {styles.LOW_MARK}" if item.low else ""
        weak.add_row(
            Text(item.customer, style="bold"),
            Text(link(item.critical_path_weakest)),
            Text(bound, style=styles.LOW if item.low else ""),
            Text(link(item.bottleneck)),
        )
    return [*parts, weak]


def _topologies_section(report: Report) -> list[RenderableType]:
    """Team types, modes, blocking and slowing dependencies, and ends passed: only when used."""
    tt = report.topologies
    if tt is None:
        return []
    parts: list[RenderableType] = [_heading("Teams by type (Team Topologies)")]
    types = _table("type", "teams", "")
    for kind, teams in tt.team_types.items():
        types.add_row(type_name(kind), str(len(teams)), Text(", ".join(teams)))
    parts.append(types)

    parts.append(_heading("Interactions by mode"))
    modes = _table("mode", "hand-offs")
    for mode, relations in tt.modes.items():
        modes.add_row(mode_name(mode), str(len(relations)))
    parts.append(modes)

    parts.append(_heading("Blocking and slowing dependencies"))
    if tt.dependencies:
        table = _table("state", "hand-off", "critical path")
        for dep in tt.dependencies:
            style = styles.LOW if dep.state == "blocking" and dep.critical_to else ""
            table.add_row(
                Text(dep.state, style=style),
                Text(handoff(dep.provider, dep.receiver, dep.what)),
                Text(
                    critical_text(dep.critical_to, dep.tied_to),
                    style="" if dep.critical_to else "dim",
                ),
            )
        parts.append(table)
    else:
        parts.append(Text("none"))

    parts.append(_heading(f"Interactions past their end date (today: {tt.today.isoformat()})"))
    if tt.past_end:
        table = _table("until", "hand-off", "mode", "")
        for item in tt.past_end:
            table.add_row(
                item.until.isoformat(),
                Text(handoff(item.provider, item.receiver, item.what)),
                mode_name(item.mode),
                Text(days_past(item.days), style=styles.LOW),
            )
        parts.append(table)
    else:
        parts.append(Text("none"))
    return parts


def render(report: Report) -> RenderableType:
    """The whole report as one rich renderable."""
    parts: list[RenderableType] = [
        Text(report.organisation or "Organisation", style="bold"),
        Text(summary(report), style="dim"),
    ]
    measured = events_line(report)
    if measured:
        parts.append(Text(measured, style="dim"))

    parts.append(_heading("Front line (one hand-off from an external customer)"))
    front = _table("team", "serves")
    for team in shown_rows(report.front_line):
        front.add_row(Text(team.team, style=styles.TEAM), Text(", ".join(team.customers)))
    parts.append(front if report.front_line else Text("no team hands work to a customer"))
    cut = more_rows(len(report.front_line))
    if cut:
        parts.append(Text(cut, style="dim"))

    parts.append(_heading("Distance to the customer (hand-offs)"))
    histogram = _table("hops", "teams", "share")
    rows = distance_histogram(report)
    total = sum(n for _, n in rows) or 1
    for hops, n in rows:
        # Of all teams, so that rows of one team each are not each drawn full.
        bar = "█" * max(1, round(20 * n / total)) + f" {format_share(n / total)}"
        style = styles.NO_PATH if hops == "none" else styles.DETAIL
        histogram.add_row(
            Text(hops, style=style if hops == "none" else ""), str(n), Text(bar, style=style)
        )
    parts.append(histogram)

    parts += _critical_section(report)
    parts += _streams_section(report)
    parts += _measured_section(report)

    parts.append(_heading("Most slack (how much later a team could deliver)"))
    slack = _table("team", "slack")
    for slack_team, value in top_slack(report):
        slack.add_row(Text(slack_team, style=styles.TEAM), slack_amount(report, slack_team, value))
    parts += [slack if top_slack(report) else Text("none"), Text(no_slack(report), style="dim")]
    only = feedback_only_text(report)
    if only:
        parts.append(Text(only, style=styles.FEEDBACK))

    parts.append(_heading("Chokepoints (single points of failure)"))
    if report.chokepoints:
        table = _table("team", "strands", "teams and suppliers stranded if it fails")
        ranked = sorted(report.chokepoints, key=lambda c: (-c.stranded, c.team))
        for point in ranked[:TOP]:
            shown = ", ".join(point.dependents[:6]) + (" …" if point.stranded > 6 else "")
            name = Text(point.team, style=styles.CHOKEPOINT)
            table.add_row(name, f"{point.stranded:,}", Text(shown))
        parts.append(table)
        if len(ranked) > TOP:
            parts.append(Text(f"… and {len(ranked) - TOP} more", style="dim"))
    else:
        parts.append(Text("none: no team's failure cuts another off from every customer"))

    parts += _loops_section(report)

    parts += _weakest_section(report)
    parts += _topologies_section(report)
    parts += _surveys_section(report)

    if report.reach.disconnected:
        parts.append(_heading("No path to any external customer"))
        parts.append(Text(", ".join(report.reach.disconnected), style=styles.NO_PATH))
    return Group(*parts)
