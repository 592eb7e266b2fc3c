"""``icmap graph``: show the internal-customer graph."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from icmap.cli.common import Color, ColorOption, OrgArgument, OrgOption, handle_errors, load_org
from icmap.errors import UsageError


class GraphFormat(str, Enum):
    """Output formats of ``icmap graph``."""

    text = "text"


#: Output file extension -> format.
EXTENSIONS = {".txt": GraphFormat.text}


def format_for(output: Path | None, chosen: GraphFormat | None) -> GraphFormat:
    """The format asked for with -f, else inferred from the -o file's extension."""
    if chosen is not None:
        return chosen
    if output is None or str(output) == "-":
        return GraphFormat.text
    suffix = output.suffix.lower()
    if suffix not in EXTENSIONS:
        known = ", ".join(sorted(EXTENSIONS))
        raise UsageError(
            f"cannot tell the format of {output} from its extension {suffix or '(none)'!r}: "
            f"known extensions are {known}; or choose one with -f/--format"
        )
    return EXTENSIONS[suffix]


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
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write to this file instead of stdout ('-' is stdout).",
            show_default=False,
        ),
    ] = None,
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

    chosen = format_for(output, output_format)
    loaded = load_org(org, org_option)
    internal = build_graph(loaded)
    view = terminal.org_view(internal, customer_trees(internal), reach(internal))
    if output is None or str(output) == "-":
        from icmap.cli.common import make_console

        make_console(color).print(view)
        return
    from icmap.output import write_atomic
    from icmap.render.text import to_plain_text

    if output.resolve() in {Path(s).resolve() for s in loaded.sources}:
        raise UsageError(f"{output} is one of the org files; icmap never overwrites its input")
    assert chosen is GraphFormat.text
    write_atomic(output, to_plain_text(view).encode())
    print(f"wrote {output}", file=sys.stderr)
