"""``icmap survey``: the internal-customer questionnaire, to fill and read back as responses."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icmap.cli.errors import handle_errors
from icmap.cli.options import (
    Choice,
    Color,
    ColorOption,
    OrgArgument,
    OrgOption,
    OutputOption,
    choice,
)
from icmap.cli.output import emit, format_from, is_stdout, prepare, protect, refuse_inputs, utf8
from icmap.cli.sources import load_org
from icmap.errors import OutputError, UsageError

if TYPE_CHECKING:
    from icmap.analysis.surveys import Question
    from icmap.model import Org


class Delimiter(Choice):
    """Cell separators of the CSV questionnaire."""

    comma = "comma"
    semicolon = "semicolon"
    tab = "tab"


DELIMITERS = {Delimiter.comma: ",", Delimiter.semicolon: ";", Delimiter.tab: "\t"}


class SurveyFormat(Choice):
    """Output formats of ``icmap survey``."""

    csv = "csv"
    markdown = "markdown"
    html = "html"


EXTENSIONS = {
    ".csv": SurveyFormat.csv,
    ".md": SurveyFormat.markdown,
    ".markdown": SurveyFormat.markdown,
    ".html": SurveyFormat.html,
    ".htm": SurveyFormat.html,
}
SUFFIXES = {SurveyFormat.csv: ".csv", SurveyFormat.markdown: ".md", SurveyFormat.html: ".html"}


def _render(
    chosen: SurveyFormat, questions: list[Question], name: str, *, bom: bool, delimiter: str
) -> str:
    if chosen is SurveyFormat.markdown:
        from icmap.render.survey import markdown as survey_markdown

        return survey_markdown.render(questions, name)
    if chosen is SurveyFormat.html:
        from icmap.render.survey import html as survey_html

        return survey_html.render(questions, name)
    from icmap.render.survey import csv as survey_csv

    return survey_csv.render(questions, bom=bom, delimiter=delimiter)


def _team(org: Org, text: str) -> str:
    """The team ``text`` names (id or display name, any case): only teams are asked, so a
    customer or supplier is refused as such, and a misspelling suggests teams only."""
    from icmap.loader.reader import did_you_mean

    wanted = text.casefold()
    matches = sorted(
        id_ for id_, team in org.teams.items() if wanted in (id_.casefold(), team.label.casefold())
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(f"{text!r} is ambiguous: it names {', '.join(matches)}; use an id")
    for kind, parties in (
        ("an external customer", org.customers),
        ("an outside supplier", org.suppliers),
    ):
        if any(wanted in (id_.casefold(), p.label.casefold()) for id_, p in parties.items()):
            raise UsageError(f"{text!r} is {kind}: the survey asks teams what they receive")
    hint = did_you_mean(text, sorted(org.teams))
    raise UsageError(f"no team {text!r} in this org" + (f"; {hint}" if hint else ""))


@handle_errors
def survey(
    org: OrgArgument = None,
    org_option: OrgOption = None,
    team: Annotated[
        str | None,
        typer.Option(
            "--team",
            help="Only what this team receives (an id or a display name, any case).",
            show_default=False,
            metavar="TEAM",
        ),
    ] = None,
    per_team: Annotated[
        bool,
        typer.Option(
            "--per-team",
            help="One file per receiving team in the -o folder (TEAM-ID.md by default).",
        ),
    ] = False,
    output_format: Annotated[
        SurveyFormat | None,
        typer.Option(
            "-f",
            "--format",
            help="csv (to fill in a spreadsheet), markdown (to print) or html (a form that "
            "saves the answers as CSV). Default: from the -o extension, else csv (markdown "
            "with --per-team).",
            metavar="FORMAT",
            parser=choice(SurveyFormat),
        ),
    ] = None,
    output: OutputOption = None,
    delimiter: Annotated[
        Delimiter,
        typer.Option(
            "--delimiter",
            help="The CSV's cell separator: comma, semicolon (for Excel where the comma is the "
            "decimal mark) or tab. Answers are read back whichever it is.",
            metavar="SEP",
            parser=choice(Delimiter),
        ),
    ] = Delimiter.comma,
    color: ColorOption = Color.auto,
) -> None:
    """Write the internal-customer survey: one question per hand-off, to the receiving team.

    Each row names the receiver, the provider, what is handed over and its declared lead
    time, with empty columns for a score (1 to 5), the lead time as experienced and a comment.
    Filled in and saved as one CSV file per round (e.g. surveys/2026-q3.csv), the answers are
    read back through the org's surveys: key or --survey: the latest round's scores replace
    the YAML satisfaction. See docs/surveys.md.

    Examples:

    \b
      icmap survey examples/restaurant.yaml -o survey.csv
      icmap survey examples/restaurant.yaml --team kitchen -f markdown
      icmap survey examples/restaurant.yaml --per-team -f html -o survey-pages
    """
    from icmap.analysis.surveys import questionnaire

    if per_team:
        if is_stdout(output):
            raise UsageError("--per-team writes one file per team: name a folder with -o DIR")
        chosen = output_format or SurveyFormat.markdown
    else:
        chosen = format_from(output, output_format, EXTENSIONS, SurveyFormat.csv, "icmap survey")
    # The questionnaire is the org's hand-offs: an old round that no longer matches the org
    # (a hand-off renamed since) must not stop the next round from being sent out.
    loaded = load_org(org, org_option, surveys=False)
    wanted = None if team is None else _team(loaded, team)
    questions = questionnaire(loaded, wanted)
    if not questions:
        # Still written (a header-only sheet is a valid, empty round), but not silently.
        who = f"{wanted} receives" if wanted else "the teams receive"
        print(f"icmap: {who} nothing from a team or supplier: no questions", file=sys.stderr)
    name = loaded.name or ""
    if chosen is SurveyFormat.csv and not per_team and not is_stdout(output):
        _refuse_answered([output], per_team)
    if is_stdout(output):
        _refuse_answered_stdout()
    if not per_team:
        sep = DELIMITERS[delimiter]
        result = _render(chosen, questions, name, bom=not is_stdout(output), delimiter=sep)
        emit(result, output, loaded.sources, color, chosen.value)
        return
    assert output is not None
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output} is not a folder: --per-team writes one file per team")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create the folder {output}: {error.strerror or error}") from None
    from icmap.cli.team_cmd import file_names

    names = file_names(dict.fromkeys(q.receiver for q in questions))
    targets = {r: Path(output, name + SUFFIXES[chosen]) for r, name in names.items()}
    if chosen is SurveyFormat.csv:  # checked for every page before any is written
        _refuse_answered(list(targets.values()), per_team)
    for source in loaded.sources:
        protect(Path(source))
    sep = DELIMITERS[delimiter]
    own = {receiver: [q for q in questions if q.receiver == receiver] for receiver in targets}
    # A generator: each sheet is rendered as it is staged, not all of them held at once.
    _write_pages(
        (
            (path, _render(chosen, own[r], name, bom=True, delimiter=sep))
            for r, path in targets.items()
        ),
        chosen,
    )


def _write_pages(pages: Iterable[tuple[Path, str]], chosen: SurveyFormat) -> None:
    """As team --all: every sheet is written beside its place and all are moved in at the end,
    so a full disk or a signal halfway leaves the folder as it was, not a partial round."""
    from icmap.output import StagedFiles
    from icmap.safe_text import visible_name

    staged = StagedFiles()
    try:
        for path, sheet in pages:
            refuse_inputs([path])
            data = prepare(sheet, chosen.value)
            staged.add(path, utf8(data) if isinstance(data, str) else data)
        staged.commit()
    finally:
        staged.discard()
    for path in staged.paths:
        print(f"wrote {visible_name(str(path))}", file=sys.stderr)


def _refuse_answered_stdout() -> None:
    """``icmap survey org.yaml >> answers.csv``: a new sheet appended to a filled-in one breaks it
    (a second header mid-table); refused as ``-o answers.csv`` is. Linux names the file behind
    stdout in /proc; elsewhere the shell's redirection is not looked into."""
    import os
    import stat

    from icmap.loader.surveys import answers_in

    behind = Path("/proc/self/fd/1")
    try:
        regular = stat.S_ISREG(os.fstat(1).st_mode) and behind.exists()
    except OSError:
        return
    if regular and (count := answers_in(behind)):
        rows = f"{count} answered row{'s' if count != 1 else ''}"
        raise UsageError(
            f"stdout is a sheet that holds {rows}: icmap survey never writes over answers; "
            "name a new file with -o"
        )


def _refuse_answered(paths: list[Path | None], per_team: bool) -> None:
    """Never write a questionnaire over a sheet that holds answers: they would be lost."""
    from icmap.loader.surveys import answers_in

    refuse_inputs([path for path in paths if path is not None])  # the plainer message first
    for path in paths:
        if path is not None and (count := answers_in(path)):
            rows = f"{count} answered row{'s' if count != 1 else ''}"
            where = "write the pages to a new folder" if per_team else "name a new file with -o"
            raise UsageError(
                f"{path} holds {rows}: icmap survey never writes over answers; {where}"
            )
