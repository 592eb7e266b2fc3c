"""The options every command shares, and the parser that makes a wrong value a sentence.

Each is an ``Annotated`` type a command's signature names (``org: OrgArgument = None``), so
the option reads the same in every command's ``--help``. ``--from`` is in
:mod:`icmap.cli.sources`, with the sources it names.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

E = TypeVar("E", bound=Enum)


class Choice(str, Enum):
    """The values an option takes. ``str()`` of one is its value (``json``), not its name:
    typer before 0.29 converts a parsed value once more through ``str()``, and gave ``None``
    for ``ReportFormat.json``, silently dropping ``-f json``.
    """

    def __str__(self) -> str:
        return str(self.value)


class Color(Choice):
    """When to colour output."""

    auto = "auto"
    always = "always"
    never = "never"


def choice(kind: type[E]) -> Callable[[str], E]:
    """Parse an option that takes one of ``kind``'s values: any case, with a did-you-mean.

    Used as ``typer.Option(parser=choice(Kind))`` so a wrong value reads as a sentence, not as
    a validation library's message.
    """

    def parse(text: str) -> E:
        if isinstance(text, kind):
            return text
        wanted = str(text).strip().lower()
        for member in kind:
            if member.value == wanted:
                return member
        import difflib

        names = [str(m.value) for m in kind]
        close = difflib.get_close_matches(wanted, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise typer.BadParameter(f"{text!r} is not one of {', '.join(names)}{hint}")

    return parse


def path_given(text: str | Path) -> Path:
    """Parse a path argument or option: an empty value (``"$ORG"`` or ``-o "$OUT"`` with the
    variable unset) is refused, where a path would read it as the current folder."""
    if isinstance(text, Path):
        return text
    if text == "":
        raise typer.BadParameter("an empty path (an unset variable?)")
    return Path(text)


#: The file extensions that name a format, the same for every command that writes it.
_EXTENSIONS = {
    ".txt": "text",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".graphml": "graphml",
    ".gexf": "gexf",
}


def format_named_by(suffix: str) -> str | None:
    """The format an output file's extension names for any command (``.svg``: ``svg``)."""
    return _EXTENSIONS.get(suffix.lower())


def extensions(kind: type[E], *, leave_out: tuple[str, ...] = ()) -> dict[str, E]:
    """Output file extension -> format, for the formats of ``kind`` (for ``-o``, see
    :func:`icmap.cli.output.format_from`), except the extensions in ``leave_out``.
    """
    values = {member.value: member for member in kind}
    return {
        suffix: values[name]
        for suffix, name in _EXTENSIONS.items()
        if name in values and suffix not in leave_out
    }


def format_option(kind: type[Choice], formats: str, default: str = "text") -> Any:
    """The ``-f/--format`` option of a command whose formats are ``kind``'s.

    ``formats`` lists them for the help (``text, json or markdown``); ``default`` is the one
    used when neither -f nor the -o file's extension names one. Used as
    ``Annotated[Kind | None, format_option(Kind, "...")] = None``.
    """
    return typer.Option(
        "-f",
        "--format",
        help=f"{formats}. Default: from the -o extension, else {default}.",
        metavar="FORMAT",
        parser=choice(kind),
    )


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="Write to this file instead of stdout ('-' is stdout); its extension picks the "
        "format unless -f is given. Never one of the input files.",
        show_default=False,
        metavar="FILE",
        parser=path_given,
    ),
]
OrgArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Org file or directory. Default: --org, then $ICMAP_ORG, then ./org.yaml, "
        "./org.yml or ./org/; the whole current folder when it is an org folder (org.yaml "
        "with teams/ or team files beside it).",
        show_default=False,
        metavar="ORG",
        parser=path_given,
    ),
]
OrgOption = Annotated[
    Path | None,
    typer.Option(
        "--org",
        help="Org file or directory (where a command has an ORG argument, the same). Default: "
        "$ICMAP_ORG, then ./org.yaml, ./org.yml or ./org/; in an org folder, the whole folder.",
        show_default=False,
        metavar="ORG",
        parser=path_given,
    ),
]
SurveyOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--survey",
        help="A survey response file (CSV, one round) or a folder of them, added to the org's "
        "surveys: key; repeatable. The latest round's scores replace the YAML satisfaction "
        "(docs/surveys.md).",
        show_default=False,
        metavar="FILE",
        parser=path_given,
    ),
]
ColorOption = Annotated[
    Color,
    typer.Option(
        "--color",
        help="Colour the output: auto (when a terminal), always or never. "
        "NO_COLOR is honoured in auto mode.",
        metavar="WHEN",
        parser=choice(Color),
    ),
]


class LeadTimes(Choice):
    """Which lead times critical paths and slack use when an event log is laid over the org."""

    declared = "declared"
    measured = "measured"


EventsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--events",
        help="Lay an event log (CSV, JSON lines, Parquet or XES, or a folder of them) over "
        "the org: each hand-off carries what the log measured, and icmap check's IC7xx rules "
        "find the drift between the two; repeatable (docs/events.md#declared-against-measured).",
        show_default=False,
        metavar="LOG",
        parser=path_given,
    ),
]
TeamMapOption = Annotated[
    Path | None,
    typer.Option(
        "--team-map",
        help="With --events: a two-column CSV (log team name, team id) or a YAML mapping for "
        "the log's teams whose names are not the org's ids or names; '-' as the id leaves a "
        "log team out.",
        show_default=False,
        metavar="FILE",
        parser=path_given,
    ),
]
LeadTimesOption = Annotated[
    LeadTimes,
    typer.Option(
        "--lead-times",
        help="With --events: critical paths and slack use the declared lead times, or the "
        "log's measured medians where it has one.",
        metavar="WHICH",
        parser=choice(LeadTimes),
    ),
]


#: The help panel of the options that say how to read an event log, on every command that
#: reads one (``import events``, ``--events``, ``--from events``).
EVENT_LOG_PANEL = "Event log"


def share(text: str) -> float:
    """A share written ``5%`` or ``0.05``; a bare number past 1 (``5``) is refused, since it
    could mean either."""
    if isinstance(text, float):
        return text
    written = str(text).strip()
    try:
        value = float(written[:-1]) / 100 if written.endswith("%") else float(written)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a share: write 5% or 0.05") from None
    if not 0.0 <= value <= 1.0:
        raise typer.BadParameter(
            f"{text!r} is not a share between 0 and 1: write 5% or 0.05 for five percent"
        )
    return value


CaseColumnOption = Annotated[
    str | None,
    typer.Option(
        "--case",
        help="The event log's column (or XES attribute) naming the case. Default: found by "
        "name (docs/events.md#columns).",
        metavar="COLUMN",
        rich_help_panel=EVENT_LOG_PANEL,
    ),
]
TimeColumnOption = Annotated[
    str | None,
    typer.Option(
        "--time",
        help="The event log's column holding each event's time.",
        metavar="COLUMN",
        rich_help_panel=EVENT_LOG_PANEL,
    ),
]
TeamColumnOption = Annotated[
    str | None,
    typer.Option(
        "--team",
        help="The event log's column naming the team (group, queue) that did it.",
        metavar="COLUMN",
        rich_help_panel=EVENT_LOG_PANEL,
    ),
]
ActivityColumnOption = Annotated[
    str | None,
    typer.Option(
        "--activity",
        help="The event log's column naming the activity.",
        metavar="COLUMN",
        rich_help_panel=EVENT_LOG_PANEL,
    ),
]
TimeFormatOption = Annotated[
    str | None,
    typer.Option(
        "--time-format",
        help="How the event log's times are written when not ISO 8601, as strptime "
        "(%m/%d/%Y %H:%M).",
        metavar="FORMAT",
        rich_help_panel=EVENT_LOG_PANEL,
    ),
]
MinHandoffsOption = Annotated[
    int,
    typer.Option(
        "--min-handoffs",
        help="Leave out pairs of teams the event log shows fewer times than this.",
        min=1,
        metavar="N",
        rich_help_panel=EVENT_LOG_PANEL,
    ),
]
MinShareOption = Annotated[
    float,
    typer.Option(
        "--min-share",
        help="Leave out pairs carrying less than this share of their provider's hand-offs "
        "in the event log: 5% or 0.05.",
        metavar="SHARE",
        parser=share,
        rich_help_panel=EVENT_LOG_PANEL,
    ),
]
LogCustomerOption = Annotated[
    str | None,
    typer.Option(
        "--customer",
        help="With --from events: the external customer the log's cases end at. Default: "
        "the process the log names, else the log file's name.",
        show_default=False,
        metavar="NAME",
        rich_help_panel=EVENT_LOG_PANEL,
    ),
]
