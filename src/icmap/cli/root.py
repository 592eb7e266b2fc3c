"""The ``icmap`` typer app: the root options and every command, registered.

Commands live one per module and import their heavy dependencies (networkx, rich) inside
the function body. :func:`icmap.cli.main` imports this module only when typer is needed
(``icmap --version`` is answered before it), and for ``icmap COMMAND …`` builds an app with
that one command (:func:`app_for`): typer reads every registered command's signature on
each run, and the others' modules need not be imported at all.
"""

from __future__ import annotations

import functools
import importlib
from typing import Annotated, Any, cast

import typer
from typer.core import TyperGroup

from icmap import __version__
from icmap.cli.errors import settings, shortened


def _hide_argument_types() -> None:
    """Show an argument as its metavar alone (``ORG``), not ``ORG <path>``.

    typer 0.29 prints every argument's Python type next to its name and offers no switch;
    icmap's arguments all have a metavar that says what they are. Older or newer typers
    without this method are left alone.
    """
    from typer import core

    shown = getattr(core.TyperArgument, "display_type_rich", None)
    if shown is None:
        return

    def display_type_rich(self: core.TyperArgument, ctx: object) -> str | None:
        return None if self.metavar else shown(self, ctx)

    core.TyperArgument.display_type_rich = display_type_rich  # type: ignore[method-assign,assignment]


def _usage_without_braces() -> None:
    """Write a required argument in the usage line as ``TEAM...``, an optional one ``[ORG]``.

    typer 0.29 writes required arguments in braces (``{TEAM}...``, ``{FORMAT} {SOURCE}...``);
    click-based typers (before 0.29) write an argument with a metavar as the bare metavar, even
    when it is optional or takes several (``TEAM``, ``ORG``). One convention, click's and the
    docs', for every command and every typer.
    """
    from typer import core

    def usage_pieces(self: core.TyperArgument, ctx: object) -> list[str]:
        name = str(self.metavar or (self.name or "").upper())
        if not self.required:
            name = f"[{name}]"
        return [name + ("..." if self.nargs != 1 else "")]

    core.TyperArgument.get_usage_pieces = usage_pieces  # type: ignore[method-assign]


_hide_argument_types()
_usage_without_braces()


def _version(value: bool) -> None:
    if value:
        print(f"icmap {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback when icmap hits a bug.")
    ] = False,
) -> None:
    settings["debug"] = debug


#: Each command: its module, function and the summary ``icmap --help`` shows, in that order.
#: The summaries are given whole: click would cut the docstrings' first lines short.
COMMANDS = {
    "graph": (
        "icmap.cli.graph_cmd",
        "graph",
        "Show who serves whom: a tree, or a picture (SVG, PNG, HTML, Mermaid).",
    ),
    "report": (
        "icmap.cli.report_cmd",
        "report",
        "Analyse the org: front line, critical paths, slack, chokepoints.",
    ),
    "impact": (
        "icmap.cli.impact_cmd",
        "impact",
        "Show who is hit if a team fails, and what it depends on.",
    ),
    "team": (
        "icmap.cli.team_cmd",
        "team",
        "Show a team's own page: what it provides and receives, and its risks.",
    ),
    "check": (
        "icmap.cli.check_cmd",
        "check",
        "Check an org design in CI: exit 0 sound, 1 findings, 2 bad usage.",
    ),
    "diff": (
        "icmap.cli.diff_cmd",
        "diff",
        "Show what an org change does, for pull-request review.",
    ),
    "survey": (
        "icmap.cli.survey_cmd",
        "survey",
        "Write the internal-customer survey: a question per hand-off, per team.",
    ),
    "init": (
        "icmap.cli.init_cmd",
        "init",
        "Write a commented starter org.yaml; never overwrites one.",
    ),
    "import": (
        "icmap.cli.import_cmd",
        "import_",
        "Write an org from a catalog, team pages, a spreadsheet or an event log.",
    ),
    "schema": (
        "icmap.cli.schema_cmd",
        "schema",
        "Print the JSON Schema of the org format, for editors.",
    ),
}


#: click's UsageError, the parser's errors' class: typer 0.16 uses click, later typers their
#: own copy of it, and both name only its subclass BadParameter.
_PARSER_ERROR: type[Exception] = typer.BadParameter.__mro__[1]


def _shorten(error: Exception) -> None:
    """The parser's own errors (a bad choice, an unknown option) quote what was typed: a value
    of 100,000 characters is shown by its start and its length, as icmap's own errors are."""
    if isinstance(error, _PARSER_ERROR):
        parser_error = cast("typer.BadParameter", error)
        parser_error.message = shortened(parser_error.message)


class _ShortErrors(TyperGroup):
    # Typed loosely: typer 0.16 passes click's Context, later typers their own copy's.
    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except Exception as error:
            _shorten(error)
            raise

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        # A command's own options are parsed here, when the group makes the command's context.
        try:
            return super().invoke(*args, **kwargs)
        except Exception as error:
            _shorten(error)
            raise


def build_app(only: str | None = None) -> typer.Typer:
    """The icmap app with every command, or with only the command named ``only``."""
    app = typer.Typer(
        name="icmap",
        help="Map who serves whom inside an organisation: the internal-customer graph.\n\n"
        "Every team supplies some teams and is an internal customer of others; icmap reads "
        "YAML that says so and shows how work flows to the external customer.\n\n"
        "Example: icmap graph examples/restaurant.yaml",
        cls=_ShortErrors,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        # Help is read in terminals of any width: up to 100 columns, as the plain-text outputs.
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
    app.callback()(_root)
    for name, (module, function, summary) in COMMANDS.items():
        if only in (None, name):
            command = getattr(importlib.import_module(module), function)
            app.command(name, short_help=summary)(command)
    return app


@functools.cache
def full_app() -> typer.Typer:
    """The app with every command: ``from icmap.cli import app``."""
    return build_app()


#: Root options that may come before the command name, and take no value.
_ROOT_FLAGS = ("--debug",)


def app_for(args: list[str]) -> typer.Typer:
    """The app to run ``icmap ARGS`` with: only the command ARGS name, when they name one.

    Anything else (no command, ``--help`` or ``--version`` before it, a misspelt command that
    needs the did-you-mean over every name) gets the whole app, so the output is the same.
    """
    for arg in args:
        if arg in _ROOT_FLAGS:
            continue
        if arg in COMMANDS:
            return build_app(only=arg)
        break
    return full_app()
