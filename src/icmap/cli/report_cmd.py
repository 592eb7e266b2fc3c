"""``icmap report``: every analysis of the org."""

from __future__ import annotations

import sys
from typing import Annotated

from icmap.cli.errors import handle_errors
from icmap.cli.options import (
    ActivityColumnOption,
    CaseColumnOption,
    Choice,
    Color,
    ColorOption,
    EventsOption,
    LeadTimes,
    LeadTimesOption,
    LogCustomerOption,
    MinHandoffsOption,
    MinShareOption,
    OrgArgument,
    OrgOption,
    OutputOption,
    SurveyOption,
    TeamColumnOption,
    TeamMapOption,
    TimeColumnOption,
    TimeFormatOption,
    extensions,
    format_option,
)
from icmap.cli.output import emit, format_from, renderer
from icmap.cli.sources import FromOption, load_graph, log_options
from icmap.cli.today import TodayOption, parse_today


class ReportFormat(Choice):
    """Output formats of ``icmap report``."""

    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


EXTENSIONS = extensions(ReportFormat)
#: The module that renders the report in each format but html (the page of icmap graph).
RENDERERS = {
    ReportFormat.text: "icmap.render.report.terminal",
    ReportFormat.json: "icmap.render.report.json",
    ReportFormat.markdown: "icmap.render.report.markdown",
}


@handle_errors
def report(
    org: OrgArgument = None,
    org_option: OrgOption = None,
    from_: FromOption = None,
    output_format: Annotated[
        ReportFormat | None,
        format_option(
            ReportFormat,
            "text, json, markdown or html (the interactive page of icmap graph -f html, "
            "with these results beside the picture)",
        ),
    ] = None,
    output: OutputOption = None,
    today: TodayOption = None,
    survey: SurveyOption = None,
    events: EventsOption = None,
    team_map: TeamMapOption = None,
    lead_times: LeadTimesOption = LeadTimes.declared,
    case: CaseColumnOption = None,
    time: TimeColumnOption = None,
    team: TeamColumnOption = None,
    activity: ActivityColumnOption = None,
    time_format: TimeFormatOption = None,
    customer: LogCustomerOption = None,
    min_handoffs: MinHandoffsOption = 1,
    min_share: MinShareOption = 0.0,
    color: ColorOption = Color.auto,
) -> None:
    """Analyse the org: front line, distances, critical paths, slack, chokepoints, loops.

    Shows the teams one hand-off from a customer, how far every team is from one, the chain
    of hand-offs with the longest lead time to each customer and every team's slack, each
    value stream's lead time, target, flow efficiency and rolled %C&A (when the org declares
    streams), the single points of failure, the loops of mutual service, and the weakest
    satisfaction links. See docs/analyses.md for what each one means. With --events LOG an
    event log is laid over the org, and --lead-times measured takes its medians for the
    critical paths and slack (docs/events.md#declared-against-measured); the last example
    lays a ticket log, with drift planted on purpose, over the org it was made for.

    Examples:

    \b
      icmap report examples/software-company.yaml
      icmap report examples/northwind -f markdown -o report.md
      icmap report examples/northwind -f json -o report.json
      icmap report examples/northwind -o report.html
      icmap report examples/service-desk --events examples/service-desk/tickets.csv \\
        --team-map examples/service-desk/team-map.csv
    """
    from icmap.analysis.report import build_report

    chosen = format_from(output, output_format, EXTENSIONS, ReportFormat.text, "icmap report")
    as_of = parse_today(today)
    log = log_options(
        events,
        from_,
        case=case,
        time=time,
        team=team,
        activity=activity,
        time_format=time_format,
        customer=customer,
        min_handoffs=min_handoffs,
        min_share=min_share,
    )
    loaded, internal = load_graph(
        org, org_option, from_, survey, events, team_map, lead_times.value, log
    )
    if chosen is ReportFormat.html:
        from dataclasses import replace

        from icmap.analysis.overview import overview
        from icmap.analysis.page import for_browser, page, whole_for_browser
        from icmap.analysis.picture import wants_overview
        from icmap.render.picture import html

        # The same picture `icmap graph -f html` draws: the group overview for a large org,
        # and no picture where even that is too large for the browser to lay out.
        if wants_overview(internal):
            grouped = overview(internal)
            shown, withheld = for_browser(internal, grouped, overview=grouped)
        else:
            shown, withheld = whole_for_browser(internal)
        if withheld is not None:
            print(f"icmap: note: {html.withheld_words(withheld)}", file=sys.stderr)
        # The page shows the report's headlines, not its dated sections: --today changes nothing.
        drawn = html.render(replace(page(internal, shown), withheld=withheld))
    else:
        result = build_report(internal, as_of, loaded)
        render = renderer(RENDERERS, chosen)
        drawn = render(result, internal) if chosen is ReportFormat.json else render(result)
    emit(drawn, output, loaded.sources, color, chosen.value)
