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
from icmap.cli.init_cmd import init
from icmap.cli.report_cmd import report
from icmap.cli.schema_cmd import schema

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
    context_settings={"help_option_names": ["-h", "--help"]},
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


app.command()(graph)
app.command()(report)
app.command()(impact)
app.command()(check)
app.command()(diff)
app.command()(init)
app.command()(schema)


def main() -> None:
    """Entry point of the ``icmap`` console script."""
    app()
