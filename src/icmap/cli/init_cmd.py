"""``icmap init``: write a commented starter org."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from icmap.cli.errors import handle_errors
from icmap.cli.options import path_given
from icmap.errors import UsageError
from icmap.safe_text import visible_name


@handle_errors
def init(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder to write org.yaml into; created if missing. Default: here.",
            show_default=False,
            metavar="FOLDER",
            parser=path_given,
        ),
    ] = Path(),
) -> None:
    """Write a commented starter org.yaml, creating the folder (never overwrites a file).

    Examples:

    \b
      icmap init my-org && icmap graph my-org/org.yaml
    """
    from importlib.resources import files

    from icmap.output import write_atomic

    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory}: exists and is not a folder")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{directory}: cannot create the folder: {error.strerror}") from error
    target = directory / "org.yaml"
    # An org already here (org.yml, or an org/ folder) would be read with the starter as one.
    for other in (directory / "org.yml", directory / "org"):
        if other.exists():
            raise UsageError(
                f"{other} already holds an org: icmap init writes a new one into a folder "
                "without one"
            )
    starter = files("icmap").joinpath("starter.yaml").read_bytes()
    write_atomic(target, starter, overwrite=False)
    shown = visible_name(str(target))
    print(f"wrote {shown}: edit it, then run 'icmap graph {shown}'", file=sys.stderr)
