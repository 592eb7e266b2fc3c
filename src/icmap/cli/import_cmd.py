"""``icmap import``: write org files from a Backstage catalog, Team API files or a spreadsheet."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icmap.cli.common import (
    Color,
    ColorOption,
    choice,
    handle_errors,
    print_text,
    protect,
    report_load_error,
)
from icmap.errors import LoadError, UsageError
from icmap.importers import BackstageOptions, SourceFormat, source_error
from icmap.safe_text import visible

if TYPE_CHECKING:
    from icmap.importers import ImportResult
    from icmap.importers.writer import MergeReport, WrittenOrg
    from icmap.model import Org

_SELECTORS = ("kind", "type", "tag", "ref")


class SummaryFormat(str, Enum):
    """How ``icmap import`` gives its summary."""

    text = "text"
    json = "json"


def parse_customers(values: list[str]) -> BackstageOptions:
    """``--customer kind:api --customer tag:public`` as :class:`BackstageOptions`."""
    found: dict[str, list[str]] = {name: [] for name in _SELECTORS}
    for value in values:
        what, _, wanted = value.partition(":")
        what = what.strip().lower()
        if what not in found or not wanted.strip():
            raise UsageError(
                f"--customer {value!r}: write kind:KIND, type:TYPE, tag:TAG or ref:REF "
                "(e.g. --customer type:website)"
            )
        found[what].append(wanted.strip())
    return BackstageOptions(
        tuple(found["kind"]), tuple(found["type"]), tuple(found["tag"]), tuple(found["ref"])
    )


def _header(fmt: SourceFormat, sources: list[Path]) -> str:
    named = " ".join(str(s) for s in sources)
    return (
        f"Imported by 'icmap import {fmt.value} {named}'.\n"
        "Add lead times, satisfaction and feedback marks: 'icmap import --update' keeps them.\n"
        "The comment above each hand-off says which source entries it comes from."
    )


def _write_new(target: Path, written: WrittenOrg) -> None:
    """Write every file into a fresh folder beside ``target``, then move it into place."""
    parent = target.parent if str(target.parent) else Path()
    if not parent.is_dir():
        raise UsageError(f"{parent}: no such directory")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        for name, text in written.files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        staging.chmod(0o777 & ~_umask())
        # An empty folder named by -o is replaced; one with files is refused before this.
        staging.replace(target)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_update(target: Path, written: WrittenOrg, old_files: tuple[str, ...]) -> list[str]:
    """Replace the org's files one by one (each atomically); drop files the layout no longer has."""
    from icmap.output import write_atomic

    new = {os.path.realpath(target / name) for name in written.files}
    for name, text in written.files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
    removed = []
    for file in old_files:
        if os.path.realpath(file) not in new:
            Path(file).unlink(missing_ok=True)
            removed.append(file)
    return removed


def _selectors(
    given: list[str] | None, existing: Path | None, source_format: SourceFormat
) -> tuple[str, ...]:
    """The --customer selectors: those given, else (updating) those the last import used.

    An update without them fell back to the default rule and removed every customer hand-off
    the chosen entities made, with the fields people had added to them.
    """
    parse_customers(given or [])  # a wrong selector is a usage error before anything is read
    if given or existing is None or source_format is not SourceFormat.backstage:
        return tuple(given or ())
    from icmap.importers.writer import read_marker

    last = read_marker(existing / "org.yaml")
    return last.customers if last is not None else ()


def _has_org(target: Path) -> bool:
    from icmap.loader.discover import discover

    return target.is_dir() and bool(discover(target)[0])


def _merge(target: Path, org: Org) -> tuple[Org, MergeReport, tuple[str, ...]]:
    from icmap.importers.writer import merge, read_marker
    from icmap.loader import load

    protect(target)
    old = load(target)  # a broken org is reported as any load error: fix it, then update
    merged, report = merge(old, org, read_marker(target / "org.yaml"))
    return merged, report, old.sources


def _summary(result: ImportResult, org: Org, merged: MergeReport | None, as_json: bool) -> None:
    from icmap.render import import_summary

    if as_json:
        print_text(import_summary.render_json(result, org, merged))
    else:
        print(visible(import_summary.render_text(result, org, merged)), end="", file=sys.stderr)


def _wants_json(chosen: SummaryFormat | None, old_flag: bool) -> bool:
    """``-f json``, or the deprecated ``--json`` it replaced (with a note saying so)."""
    if old_flag:
        if chosen is SummaryFormat.text:
            raise UsageError("--json asks for -f json: give one of them, not -f text too")
        print("icmap: --json is deprecated: use -f json", file=sys.stderr)
        return True
    return chosen is SummaryFormat.json


@handle_errors
def import_(
    source_format: Annotated[
        SourceFormat,
        typer.Argument(
            help="backstage, teamapi or csv.",
            metavar="FORMAT",
            parser=choice(SourceFormat),
            show_default=False,
        ),
    ],
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders to read (catalog-info.yaml files, Team API files, CSV).",
            metavar="SOURCE",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help="The org folder to write (org.yaml and teams/*.yaml).",
            metavar="DIR",
            show_default=False,
        ),
    ],
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Re-import into an existing org: add new teams and hand-offs, remove those "
            "gone from the source, keep every field added by hand.",
        ),
    ] = False,
    customer: Annotated[
        list[str] | None,
        typer.Option(
            "--customer",
            help="backstage: entities facing the external customer, by kind:KIND, type:TYPE "
            "(spec.type), tag:TAG or ref:REF; repeatable, any match counts. Default: "
            "components nothing in the catalog depends on; with --update, those of the last "
            "import.",
            show_default=False,
            metavar="SELECTOR",
        ),
    ] = None,
    summary_format: Annotated[
        SummaryFormat | None,
        typer.Option(
            "-f",
            "--format",
            help="The summary: text on stderr (the default), or json on stdout, with every "
            "hand-off and its provenance.",
            metavar="[text|json]",
            parser=choice(SummaryFormat),
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        # Deprecated for -f json, as every other command says it; kept so scripts still run.
        typer.Option("--json", hidden=True),
    ] = False,
    color: ColorOption = Color.auto,
) -> None:
    """Write an org from a Backstage catalog, Team API files or a spreadsheet of hand-offs.

    Writes DIR/org.yaml and one DIR/teams/<id>.yaml per team, each hand-off with a comment
    saying where it came from, and prints a summary (entities read, teams, hand-offs, what was
    chosen as external customers and why, problems by kind) on stderr. Problems in the source
    are warnings with file:line:col; errors stop the import (exit 2). An existing org in DIR
    is never overwritten without --update. docs/import.md has the mapping of each format.

    Examples:

    \b
      icmap import backstage import-examples/backstage -o my-org
      icmap import backstage import-examples/backstage -o my-org --update
      icmap import backstage import-examples/backstage -o my-org --customer type:website
      icmap import teamapi import-examples/teamapi -o my-org -f json
      icmap import csv import-examples/handoffs.csv -o my-org
    """
    from icmap.importers import read_source
    from icmap.importers.writer import render_org

    as_json = _wants_json(summary_format, as_json)
    if customer and source_format is not SourceFormat.backstage:
        raise UsageError("--customer selects Backstage entities: use it with 'import backstage'")
    for source in sources:
        if not source.exists():
            raise UsageError(f"{source}: no such file or directory")
        protect(source)
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output} is a file: -o names the org folder to write")
    existing = _has_org(output)
    if existing and not update:
        raise UsageError(
            f"{output} already holds an org: add --update to re-import into it (keeping the "
            "fields you added), or write to another folder"
        )
    if output.is_dir() and not existing and any(output.iterdir()):
        raise UsageError(f"{output} is not empty: write the org to a new or empty folder")
    selectors = _selectors(customer, output if existing else None, source_format)
    result = read_source(source_format, sources, parse_customers(list(selectors)))
    if selectors and not customer:
        result.customers_chosen.append(
            "as the last import chose (--customer "
            + " --customer ".join(selectors)
            + "); give --customer to choose again"
        )
    if result.org is None:
        raise source_error(result.diagnostics)
    if result.diagnostics:
        report_load_error_lines(result, color)
    org: Org = result.org
    merged: MergeReport | None = None
    old_files: tuple[str, ...] = ()
    if existing:
        org, merged, old_files = _merge(output, org)
    header = _header(source_format, sources)
    written = render_org(
        org, result.provenance, header, (source_format.value, result.org), selectors
    )
    _summary(result, org, merged, as_json)
    if existing:
        _write_update(output, written, old_files)
    else:
        _write_new(output, written)
    teams = len(written.files) - 1
    print(
        f"wrote {visible(str(output))}/ (org.yaml and {teams:,} team file{'s' * (teams != 1)})",
        file=sys.stderr,
    )


def report_load_error_lines(result: ImportResult, color: Color) -> None:
    """Every warning on stderr as ``file:line:col: warning: message [code]``."""
    error = LoadError(result.diagnostics)
    count = len(result.diagnostics)
    error.args = (f"{count:,} problem{'s' * (count != 1)} in the source (the import went on)",)
    report_load_error(error, color)
