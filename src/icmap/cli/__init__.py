"""The ``icmap`` command line: parse arguments, call the library, pick a renderer.

Commands live one per module and import their heavy dependencies (networkx, rich) inside
the function body, so ``icmap --version`` and ``icmap --help`` start fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from icmap import __version__
from icmap.cli.check_cmd import check
from icmap.cli.common import settings
from icmap.cli.diff_cmd import diff
from icmap.cli.graph_cmd import graph
from icmap.cli.impact_cmd import impact
from icmap.cli.import_cmd import import_
from icmap.cli.init_cmd import init
from icmap.cli.report_cmd import report
from icmap.cli.schema_cmd import schema
from icmap.cli.survey_cmd import survey
from icmap.cli.team_cmd import team


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


_hide_argument_types()

app = typer.Typer(
    name="icmap",
    help="Map who serves whom inside an organisation: the internal-customer graph.\n\n"
    "Every team supplies some teams and is an internal customer of others; icmap reads "
    "YAML that says so and shows how work flows to the external customer.\n\n"
    "Example: icmap graph examples/restaurant.yaml",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # Help is read in terminals of any width: up to 100 columns, as the plain-text outputs.
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        print(f"icmap {__version__}")
        raise typer.Exit()


@app.callback()
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


# Summaries for `icmap --help`, whole: click would cut the docstrings' first lines short.
app.command(short_help="Show who serves whom: a tree, or a picture (SVG, PNG, HTML, Mermaid).")(
    graph
)
app.command(short_help="Analyse the org: front line, critical paths, slack, chokepoints.")(report)
app.command(short_help="Show who is hit if a team fails, and what it depends on.")(impact)
app.command(short_help="Show a team's own page: what it provides and receives, and its risks.")(
    team
)
app.command(short_help="Check an org design in CI: exit 0 sound, 1 findings, 2 bad usage.")(check)
app.command(short_help="Show what an org change does, for pull-request review.")(diff)
app.command(short_help="Write the internal-customer survey: a question per hand-off, per team.")(
    survey
)
app.command(short_help="Write a commented starter org.yaml; never overwrites one.")(init)
app.command("import", short_help="Write an org from a Backstage catalog, Team API files or a CSV.")(
    import_
)
app.command(short_help="Print the JSON Schema of the org format, for editors.")(schema)


def main() -> None:
    """Entry point of the ``icmap`` console script."""
    app()
