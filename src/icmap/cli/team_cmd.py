"""``icmap team``: a team's own page, in the spirit of the Team API template."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

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
from icmap.cli.output import emit, format_from, prepare, protect, refuse_inputs, renderer, utf8
from icmap.cli.sources import FromOption, load_graph, log_options, refuse_org_as_team
from icmap.errors import OutputError, UsageError
from icmap.output import StagedFiles
from icmap.safe_text import visible_name

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import RenderableType

    from icmap.analysis.team_page import TeamPage


class TeamFormat(Choice):
    """Output formats of ``icmap team``."""

    text = "text"
    markdown = "markdown"
    json = "json"


EXTENSIONS = extensions(TeamFormat)
#: The module that renders a team's page in each format.
RENDERERS = {
    TeamFormat.text: "icmap.render.team.terminal",
    TeamFormat.markdown: "icmap.render.team.markdown",
    TeamFormat.json: "icmap.render.team.json",
}
#: The file extension of each format in ``--all -o DIR``.
SUFFIXES = {TeamFormat.text: ".txt", TeamFormat.markdown: ".md", TeamFormat.json: ".json"}


def _render(chosen: TeamFormat, page: TeamPage) -> str | RenderableType:
    return renderer(RENDERERS, chosen)(page)  # type: ignore[no-any-return]


def file_name(team: str, taken: set[str]) -> str:
    """A file name for ``team``'s page: its id where that is a safe name, never one taken.

    Letters and digits of any script are kept (``équipe``, ``日本``): only what a file name
    cannot hold safely (``/``, spaces, punctuation) becomes ``-``.

    >>> file_name("booking", set()), file_name("../x y", set()), file_name("a", {"a"})
    ('booking', 'x-y', 'a-2')
    >>> file_name("équipe-ü", set()), file_name("日本", set())
    ('équipe-ü', '日本')
    """
    base = _safe(team)
    name, count = base, 1
    while name.casefold() in taken:
        count += 1
        name = f"{base}-{count}"
    taken.add(name.casefold())
    return name


def _safe(team: str) -> str:
    # One form of each accented letter, so that a name typed two ways is one file name.
    return re.sub(r"[^\w.-]+", "-", unicodedata.normalize("NFC", team)).strip(".-") or "team"


def file_names(teams: Iterable[str]) -> dict[str, str]:
    """Each team's page file name (:func:`file_name`): a team whose id is a safe name as it is
    gets it first, so ``ops-web`` is never ``ops-web-2`` because ``ops/web`` came before it.

    >>> file_names(["ops/web", "ops-web"])
    {'ops/web': 'ops-web-2', 'ops-web': 'ops-web'}
    """
    teams = list(teams)
    taken: set[str] = set()
    named = {t: file_name(t, taken) for t in teams if _safe(t) == t}
    named |= {t: file_name(t, taken) for t in teams if t not in named}
    return {t: named[t] for t in teams}


@handle_errors
def team(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Team id or display name (any case). Leave out with --all.",
            show_default=False,
            metavar="TEAM",
        ),
    ] = None,
    org_option: OrgOption = None,
    from_: FromOption = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="A page for every team, one file each in the -o folder (TEAM-ID.md by default).",
        ),
    ] = False,
    output_format: Annotated[
        TeamFormat | None,
        format_option(TeamFormat, "text, markdown or json", "text (markdown with --all)"),
    ] = None,
    output: OutputOption = None,
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
    """Show a team's own page: what it provides and receives, its place and its blast radius.

    In the spirit of the Team Topologies Team API: its type, what it provides and to whom and
    what it receives and from whom (lead times, satisfaction, interaction mode and state), its
    distance to each customer, whether it is on a critical path and its slack, the value
    streams it serves and its place in each, whether it is a chokepoint and who depends on it,
    and who is hit if it fails. The markdown is a README a team can commit. With --all, -o
    names a folder that gets one page per team.

    The org comes from --org, $ICMAP_ORG, or ./org.yaml, ./org.yml, ./org/.

    Examples:

    \b
      icmap team booking --org examples/team-topologies.yaml
      icmap team "Runtime platform" --org examples/team-topologies.yaml -o platform.md
      icmap team --all --org examples/team-topologies.yaml -o team-pages
    """
    from icmap.analysis.critical import critical_paths
    from icmap.analysis.team_page import team_page
    from icmap.graph import find_party, nodes_of_kind

    if every and name is not None:
        raise UsageError(f"give a TEAM ({name!r}) or --all, not both")
    if not every and name is None:
        raise UsageError("name a TEAM (an id or a display name), or pass --all")
    if every:
        if output is None or str(output) == "-":
            raise UsageError("--all writes one file per team: name a folder with -o DIR")
        chosen = output_format or TeamFormat.markdown
    else:
        chosen = format_from(output, output_format, EXTENSIONS, TeamFormat.text, "icmap team")
    refuse_org_as_team([name] if name is not None else [], org_option)
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
    loaded, graph = load_graph(
        None, org_option, from_, survey, events, team_map, lead_times.value, log
    )
    if not every:
        assert name is not None
        page = team_page(graph, find_party(graph, name))
        emit(_render(chosen, page), output, loaded.sources, color, chosen.value)
        return
    assert output is not None
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output} is not a folder: --all writes one file per team into -o DIR")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create the folder {output}: {error.strerror or error}") from None
    critical = critical_paths(graph)
    # Every page is written beside its place first and all are moved in at the end: a page
    # that cannot be written leaves the folder as it was, not half old and half new.
    staged = StagedFiles()
    for source in loaded.sources:
        protect(Path(source))
    try:
        names = file_names(nodes_of_kind(graph, "team"))
        for team_id, file in names.items():
            page = team_page(graph, team_id, critical=critical)
            path = Path(output, file + SUFFIXES[chosen])
            refuse_inputs([path])
            data = prepare(_render(chosen, page), chosen.value)
            staged.add(path, utf8(data) if isinstance(data, str) else data)
        staged.commit()
    finally:
        staged.discard()
    for path in staged.paths:
        print(f"wrote {visible_name(str(path))}", file=sys.stderr)
