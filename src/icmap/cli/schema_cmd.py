"""``icmap schema``: print the JSON Schema of the org format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from icmap.cli.errors import handle_errors
from icmap.cli.options import Color, path_given
from icmap.cli.output import emit, is_stdout
from icmap.errors import UsageError


@handle_errors
def schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the schema to this .json file instead of stdout ('-' is stdout).",
            show_default=False,
            metavar="FILE",
            parser=path_given,
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of the org format, for editors.

    Point your editor's YAML language server at the file it writes, with this line at the
    top of an org file:

    \b
      # yaml-language-server: $schema=org.schema.json

    Examples:

    \b
      icmap schema -o org.schema.json
    """
    from icmap.schema import org_schema

    # Nothing is read, so no input guards the file: a slip (-o org.yaml) must not end an org.
    if not is_stdout(output) and output is not None and output.suffix.lower() != ".json":
        raise UsageError(f"the schema is JSON: write it to a .json file, not {output}")

    text = json.dumps(org_schema(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    emit(text, output, (), Color.never, "json")
