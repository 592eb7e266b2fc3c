"""``icmap report -f markdown``: for org-design repositories' docs and pull requests."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from icmap.render.report import measured_words, stream_words
from icmap.render.report.words import (
    NO_SCORES,
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
    stranded_names,
    summary,
    top_slack,
    type_name,
)

if TYPE_CHECKING:
    from icmap.analysis.report import Report

# Only what can start markup inside a line or a table cell; ids like wait-staff stay readable.
_ESCAPES = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|~"})
#: What GitHub turns into a mention or a link to an issue when a comment shows it: ``@user``,
#: ``@org/team``, ``#12``, ``user#12``, ``org/repo#12`` and ``GH-12``, where no letter, digit or
#: ``_`` comes just before. Names are written by others: a team called ``@acme/platform`` would
#: ping a whole team from every pull-request comment icmap writes.
_REFERENCE = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"@[A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?"
    r"|(?:[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)?)?#[0-9]+"
    r"|GH-[0-9]+"
    r")",
    re.IGNORECASE,
)
#: ``&`` starting a character reference (``&#64;`` is ``@``, ``&num;`` is ``#``): a numeric one,
#: or a name ended by ``;`` (the names a browser decodes without ``;`` are legacy ones such as
#: ``&lt``, none of which makes ``@`` or ``#``), so ``%C&A`` stays as written.
_ENTITY = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")


def _plain(text: str) -> str:
    return _ENTITY.sub(r"\\&", text.translate(_ESCAPES))


def escape(text: str) -> str:
    """Text that GitHub markdown shows literally, on one line, even inside a table cell.

    Mentions and issue references are put in code spans: GitHub shows the same characters (in
    code type) but neither notifies anyone nor links inside code. Zero-width characters after
    ``@`` or ``#`` were the other choice; they look the same but make a copied name differ from
    the real one, and an ASCII-only output could not carry them.

    >>> escape("a|b <script>")
    'a\\\\|b \\\\<script\\\\>'
    >>> escape("ask @acme/platform about org/repo#12, #3 and GH-4; mail a@b.c")
    'ask `@acme/platform` about `org/repo#12`, `#3` and `GH-4`; mail a@b.c'
    """
    text = " ".join(text.split())
    out: list[str] = []
    start = 0
    for match in _REFERENCE.finditer(text):
        out += [_plain(text[start : match.start()]), f"`{match.group()}`"]
        start = match.end()
    out.append(_plain(text[start:]))
    return "".join(out)


def code(text: str) -> str:
    """``text`` as a code span, shown as written (no mention or link inside), on one line.

    >>> code("@a`b")
    '``@a`b``'
    """
    text = " ".join(text.split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _critical_section(report: Report) -> list[str]:
    unit = report.critical.unit
    out = [
        "",
        "## Critical paths",
        "",
        *([f"_{stream_words.ACROSS_STREAMS}._", ""] if report.streams else []),
        _row("customer", "total", "path"),
        _row("---", "---:", "---"),
    ]
    notes: list[str] = []
    for path in report.critical.paths:
        if len(path.path) == 1:
            out.append(_row(escape(path.customer), "—", "no delivery chain"))
        else:
            total = amount(path.total, unit)
            out.append(_row(escape(path.customer), total, escape(chain(path.path))))
        notes += [f"- {escape(path.customer)}: {escape(n)}" for n in critical_notes(path, unit)]
        for crossing in report.crossings:
            if crossing.customer == path.customer:
                first, *rest = crossing_notes(crossing)
                notes.append(f"- {escape(path.customer)}: {escape(first)}")
                notes += [f"  - {escape(line.strip())}" for line in rest]
        for mix in report.mixed_cadences:
            if mix.customer == path.customer:
                hint = stream_words.mixed_cadence(mix)
                notes.append(f"- {escape(path.customer)}: {escape(hint)}")
    out += ["", *notes] if notes else []
    return out


def _streams_section(report: Report) -> list[str]:
    """Each value stream's numbers, then its critical path and caveats: only with streams."""
    if not report.streams:
        return []
    headers = stream_words.HEADERS
    out = ["", "## Value streams", "", _row(*headers)]
    out.append(_row("---", "---", "---:", "---", "---", "---", "---:", "---:", "---", "---"))
    out += [_row(*(escape(cell) for cell in stream_words.row(flow))) for flow in report.streams]
    out.append("")
    for flow in report.streams:
        out.append(f"- {escape(stream_words.path_line(flow))}")
        out += [f"  - {escape(line)}" for line in stream_words.details(flow)]
    return out


def _measured_section(report: Report) -> list[str]:
    """What an event log measured: only when the org's relations carry measured numbers."""
    flow = report.measured
    if flow is None:
        return []
    words = measured_words
    out = ["", "## Measured flow", "", escape(words.intro(flow)), ""]
    out += [f"{escape(words.MEANING)} ([how to read it]({words.DOC.removeprefix('docs/')}))."]
    right = ("---", "---:", "---:", "---:", "---:", "---:")
    for title, pairs in (
        ("Busiest hand-offs", flow.busiest),
        (words.slowest_title(flow), flow.slowest),
    ):
        out += ["", f"### {escape(title)}", ""]
        if not pairs:
            out.append("None.")
            continue
        out += [_row(*words.PAIR_HEADERS), _row(*right)]
        out += [_row(*(escape(cell) for cell in words.pair_row(pair))) for pair in pairs]
    out += ["", f"### {escape(words.ping_pong_title(flow))}", ""]
    if flow.ping_pong:
        out += [_row(*words.PING_PONG_HEADERS), _row("---", "---:", "---:", "---:")]
        out += [_row(*(escape(c) for c in words.ping_pong_row(p))) for p in flow.ping_pong]
    else:
        out.append("None.")
    out += ["", "### Where cases end", ""]
    out += [_row(*words.ENDING_HEADERS), _row("---", *["---:"] * 5)]
    out += [_row(*(escape(cell) for cell in words.ending_row(e))) for e in flow.endings]
    alone = words.alone_line(flow)
    out += ["", escape(alone)] if alone else []
    out += ["", *(f"- {escape(note)}" for note in words.notes(flow))] if words.notes(flow) else []
    return out


def _topologies_section(report: Report) -> list[str]:
    """Team types, modes, blocking and slowing dependencies, and ends passed: only when used."""
    tt = report.topologies
    if tt is None:
        return []
    out = ["", "## Teams by type", "", _row("type", "teams", ""), _row("---", "---:", "---")]
    out += [
        _row(escape(type_name(kind)), str(len(teams)), escape(", ".join(teams)))
        for kind, teams in tt.team_types.items()
    ]
    out += ["", "## Interactions by mode", "", _row("mode", "hand-offs"), _row("---", "---:")]
    out += [_row(escape(mode_name(mode)), str(len(rs))) for mode, rs in tt.modes.items()]
    out += ["", "## Blocking and slowing dependencies", ""]
    if tt.dependencies:
        out += [_row("state", "hand-off", "critical path"), _row("---", "---", "---")]
        out += [
            _row(
                d.state,
                escape(handoff(d.provider, d.receiver, d.what)),
                escape(critical_text(d.critical_to, d.tied_to)),
            )
            for d in tt.dependencies
        ]
    else:
        out.append("None.")
    out += ["", f"## Interactions past their end date (today: {tt.today.isoformat()})", ""]
    if tt.past_end:
        out += [_row("until", "hand-off", "mode", ""), _row("---", "---", "---", "---")]
        out += [
            _row(
                p.until.isoformat(),
                escape(handoff(p.provider, p.receiver, p.what)),
                escape(mode_name(p.mode)),
                days_past(p.days),
            )
            for p in tt.past_end
        ]
    else:
        out.append("None.")
    return out


def _surveys_section(report: Report) -> list[str]:
    from icmap.render.survey import words

    trends = report.surveys
    if trends is None:
        return []
    rounds = words.shown_rounds(trends)
    out = ["", "## Surveys", "", escape(words.intro(trends)), ""]
    out += [_row("hand-off", *map(escape, rounds), "change", "YAML", "lead time experienced")]
    out.append(_row("---", *["---:"] * len(rounds), "---:", "---:", "---"))
    for trend in words.shown_relations(trends):
        out.append(
            _row(
                escape(f"{trend.provider} → {trend.receiver}: {trend.what}"),
                *words.round_cells(trend.rounds),
                words.change(trend.rounds),
                words.declared(trend),
                escape(words.experienced(trend)),
            )
        )
    cut = words.more(len(trends.relations))
    out += ["", escape(cut)] if cut else []
    out += ["", "### By provider team", ""]
    out += [_row("team", *map(escape, rounds), "change")]
    out.append(_row("---", *["---:"] * len(rounds), "---:"))
    for team in words.shown_teams(trends):
        cells = words.round_cells(team.rounds)
        out.append(_row(escape(team.team), *cells, words.change(team.rounds)))
    cut = words.more(len(trends.teams))
    out += ["", escape(cut)] if cut else []
    out += ["", "### Weakest-link bound after each round", ""]
    out += [_row("customer", *map(escape, rounds)), _row("---", *["---:"] * len(rounds))]
    for item in trends.bounds:
        cells = [words.bound(b) for b in item.bounds[-len(rounds) :]]
        out.append(_row(escape(item.customer), *cells))
    return out


def render(report: Report) -> str:
    out = [f"# {escape(report.organisation or 'Organisation')}: internal-customer report", ""]
    out += [escape(summary(report)), ""]
    measured = events_line(report)
    if measured:
        out += [escape(measured), ""]

    out += ["## Front line", "", _row("team", "serves"), _row("---", "---")]
    out += [_row(escape(f.team), escape(", ".join(f.customers))) for f in report.front_line]

    out += ["", "## Distance to the customer", "", _row("hand-offs", "teams"), _row("---:", "---:")]
    out += [_row(hops, str(n)) for hops, n in distance_histogram(report)]

    out += _critical_section(report)
    out += _streams_section(report)
    out += _measured_section(report)

    out += ["", "## Most slack", ""]
    if top_slack(report):
        out += [_row("team", "slack"), _row("---", "---:")]
        out += [
            _row(escape(team), slack_amount(report, team, value))
            for team, value in top_slack(report)
        ]
        out.append("")
    out.append(escape(no_slack(report)))
    only = feedback_only_text(report)
    if only:
        out += ["", escape(only)]

    out += ["", "## Chokepoints", ""]
    if report.chokepoints:
        out += [_row("team", "stranded if it fails", "teams"), _row("---", "---:", "---")]
        # Every chokepoint, as the JSON has them: each row is bounded (its first dependents).
        ranked = sorted(report.chokepoints, key=lambda c: (-c.stranded, c.team))
        for point in ranked:
            names = escape(stranded_names(point))
            out.append(_row(escape(point.team), f"{point.stranded:,}", names))
    else:
        out.append("None: no team's failure cuts another off from every customer.")

    out += ["", "## Loops", ""]
    for loop in report.loops:
        out.append(f"- {escape(loop_text(loop))}")
        out += [f"  - {escape(line)}" for line in cycle_lines(loop)]
    if not report.loops:
        out.append("None.")

    out += ["", "## Weakest links", ""]
    if not report.scored:
        out.append(NO_SCORES[0].upper() + NO_SCORES[1:] + ".")
    else:
        out += [_row("customer", "weakest on the critical path", "bounded at", "by")]
        out.append(_row("---", "---", "---:", "---"))
    for item in report.weakest if report.scored else ():
        bound = "—" if item.bound is None else satisfaction(item.bound) + (" ⚠" if item.low else "")
        out.append(
            _row(
                escape(item.customer),
                escape(link(item.critical_path_weakest)),
                bound,
                escape(link(item.bottleneck)),
            )
        )
    out += _topologies_section(report)
    out += _surveys_section(report)
    if report.reach.disconnected:
        out += ["", "## No path to any external customer", ""]
        out += [f"- {escape(n)}" for n in report.reach.disconnected]
    return "\n".join(out) + "\n"
