"""``icmap graph``: show the internal-customer graph."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from icmap.cli.common import (
    Color,
    ColorOption,
    OrgArgument,
    OrgOption,
    OutputOption,
    format_from,
    handle_errors,
    is_stdout,
    load_org,
    make_console,
    write_output,
)


class GraphFormat(str, Enum):
    """Output formats of ``icmap graph``."""

    text = "text"


#: Output file extension -> format.
EXTENSIONS = {".txt": GraphFormat.text}


@handle_errors
def graph(
    org: OrgArgument = None,
    org_option: OrgOption = None,
    output_format: Annotated[
        GraphFormat | None,
        typer.Option(
            "-f", "--format", help="Output format. Default: from the -o extension, else text."
        ),
    ] = None,
    output: OutputOption = None,
    color: ColorOption = Color.auto,
) -> None:
    """Show who serves whom, as a tree behind each external customer.

    Each external customer is followed by its front-line teams, then the teams that provide to
    them, and so on outward. A team shown once is marked as a repeat elsewhere; teams whose
    work reaches no customer are listed at the end.

    Example: icmap graph examples/restaurant.yaml
    """
    from icmap.analysis.reach import reach
    from icmap.analysis.trees import customer_trees
    from icmap.graph import build_graph
    from icmap.render import terminal

    chosen = format_from(output, output_format, EXTENSIONS, GraphFormat.text)
    loaded = load_org(org, org_option)
    internal = build_graph(loaded)
    view = terminal.org_view(internal, customer_trees(internal), reach(internal))
    assert chosen is GraphFormat.text
    if is_stdout(output):
        make_console(color).print(view)
        return
    from icmap.render.text import to_plain_text

    assert output is not None
    write_output(output, to_plain_text(view), loaded.sources)
