"""``icmap import``: write org files from a Backstage catalog, Team API files, Markdown team
pages or a spreadsheet.

Its FORMAT argument takes the sources of :mod:`icmap.sources`, and reads each with
the reader that registry names.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icmap.cli.errors import handle_errors, report_load_error
from icmap.cli.lock import INSIDE, can_write_beside, folder_lock
from icmap.cli.options import (
    ActivityColumnOption,
    CaseColumnOption,
    Choice,
    Color,
    ColorOption,
    MinHandoffsOption,
    MinShareOption,
    TeamColumnOption,
    TimeColumnOption,
    TimeFormatOption,
    choice,
    path_given,
)
from icmap.cli.output import print_text, protect
from icmap.cli.sources import source_named
from icmap.diagnostics import problem_count
from icmap.errors import LoadError, UsageError
from icmap.eventlog import EventLogOptions
from icmap.importers import BackstageOptions, source_error
from icmap.safe_text import visible, visible_name
from icmap.sources import SOURCES, Source, in_words

if TYPE_CHECKING:
    from icmap.importers import ImportResult, Provenance
    from icmap.importers.writer import Imported, MergeReport, WrittenOrg
    from icmap.model import Org

_SELECTORS = ("kind", "type", "tag", "label", "ref")


class SummaryFormat(Choice):
    """How ``icmap import`` gives its summary."""

    text = "text"
    json = "json"


def parse_customers(values: list[str], *, keep_idle: bool = False) -> BackstageOptions:
    """``--customer kind:api --customer label:tier=edge`` as :class:`BackstageOptions`."""
    found: dict[str, list[str]] = {name: [] for name in _SELECTORS}
    for value in values:
        what, _, wanted = value.partition(":")
        what = what.strip().lower()
        if what not in found or not wanted.strip():
            raise UsageError(
                f"--customer {value!r}: write kind:KIND, type:TYPE, tag:TAG, "
                "label:KEY=VALUE or ref:REF (e.g. --customer type:website)"
            )
        if what == "label" and not wanted.partition("=")[0].strip():
            raise UsageError(
                f"--customer {value!r}: a label selector needs a key: label:KEY=VALUE or "
                "label:KEY (e.g. --customer label:exposure=public)"
            )
        found[what].append(wanted.strip())
    return BackstageOptions(
        tuple(found["kind"]),
        tuple(found["type"]),
        tuple(found["tag"]),
        tuple(found["ref"]),
        tuple(found["label"]),
        keep_idle,
    )


def _check_sources(sources: list[Path], fmt: Source) -> None:
    """Each source exists and is recorded as an input (``-o`` never overwrites one)."""
    for source in sources:
        if str(source) == "-" and fmt.stdin:
            continue  # the catalog API's JSON on stdin: curl ... | icmap import backstage -
        if not source.exists():
            from icmap.loader.discover import no_such_path

            raise no_such_path(source)
        protect(source)


def _header(fmt: Source, sources: list[Path]) -> str:
    named = " ".join(str(s) for s in sources)
    return (
        f"Imported by 'icmap import {fmt.name} {named}'.\n"
        + (
            "Lead times are the log's medians: 'icmap import --update' takes them from the log\n"
            "again. Add satisfaction and feedback marks: an update keeps them.\n"
            if fmt.name == "events"
            else "Add what the source does not say (lead times, satisfaction, feedback marks):\n"
            "'icmap import --update' keeps it; a value the source gives is taken from it again.\n"
        )
        + "The comment above each hand-off says which source entries it comes from."
    )


def _not_written(name: str, size: int) -> UsageError:
    from icmap.loader.source import MAX_FILE_BYTES

    return UsageError(
        f"not written: {name} would be {size:,} bytes, more than the {MAX_FILE_BYTES:,} "
        "icmap reads in one file, so the org would not load; import part of the source "
        "(fewer files, or --customer for some customers)"
    )


def _refuse_too_large(written: WrittenOrg) -> None:
    found = written.past_the_loader()
    if found:
        raise _not_written(*found[0])


def _checked(written: WrittenOrg) -> Iterator[tuple[str, Iterator[str]]]:
    """The org's files as they are made, each in pieces: taking a file's pieces
    fails (``UsageError``) once the file is past what the loader reads, naming its whole size,
    before the last piece is given, so nothing of it is kept."""
    for name, pieces in written.pieces():
        yield name, _within_the_loader(name, pieces)


def _within_the_loader(name: str, pieces: Iterable[str]) -> Iterator[str]:
    from icmap.importers.writer import utf8_size
    from icmap.loader.source import MAX_FILE_BYTES

    size = 0
    pieces = iter(pieces)
    for piece in pieces:
        size += utf8_size(piece)
        if size > MAX_FILE_BYTES:
            # The rest is made only to say how large the file would be.
            size += sum(utf8_size(rest) for rest in pieces)
            raise _not_written(name, size)
        yield piece


def _write_new(target: Path, written: WrittenOrg) -> None:
    """Write every file into a fresh folder beside ``target``, then move it into place."""
    parent = target.parent if str(target.parent) else Path()
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        for name, pieces in _checked(written):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as stream:  # as write_text did
                for piece in pieces:
                    stream.write(piece)
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


def _files_removed(target: Path, written: WrittenOrg, old_files: tuple[str, ...]) -> list[str]:
    """The org's files an update deletes: those the import layout does not write again."""
    new = {os.path.realpath(target / name) for name in written.names}
    return [file for file in old_files if os.path.realpath(file) not in new]


def _write_update(target: Path, written: WrittenOrg, removed: list[str]) -> None:
    """Write the updated org as one switch: a copy of the folder beside it gets the new files
    (and loses the removed ones), then takes the folder's place, so a reader sees the old org
    or the new one, never a mix. A folder that holds the working directory is updated in place,
    file by file (each atomically): renaming it would leave a shell inside it in the old one;
    so is one whose parent icmap cannot write."""
    real = Path(os.path.realpath(target))
    cwd = str(Path.cwd())
    inside = cwd == str(real) or cwd.startswith(str(real).rstrip(os.sep) + os.sep)
    if inside or not can_write_beside(real):  # read-only parent: in place, as the lock is
        # File by file: a file too large must be found before the first is replaced.
        _refuse_too_large(written)
        _write_in_place(target, written, removed)
        return
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent))
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    refused: list[OSError] = []

    def copy(source: str, destination: str) -> object:
        try:
            return shutil.copy2(source, destination)
        except OSError as exc:
            refused.append(exc)
            raise

    try:
        shutil.copytree(real, staging, symlinks=True, dirs_exist_ok=True, copy_function=copy)
        _write_in_place(staging, written, _inside(removed, target, staging))
        _switch(staging, real)
    except OSError as exc:
        # copytree gathers every file's failure into one shutil.Error, a list of tuples: say
        # the first reason (a full disk) as any other write failure is said.
        first = refused[0] if refused and isinstance(exc, shutil.Error) else exc
        raise UsageError(f"cannot write {target}: {first.strerror or first}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the old org, after the switch


def _inside(files: list[str], folder: Path, copy: Path) -> list[str]:
    """``files`` of ``folder`` as the same files of its ``copy`` (those outside it as they are)."""
    base = folder.absolute()
    found = []
    for file in files:
        relative = os.path.relpath(Path(file).absolute(), base)
        outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
        found.append(file if outside else str(copy / relative))
    return found


def _write_in_place(target: Path, written: WrittenOrg, removed: list[str]) -> None:
    """Replace the org's files one by one (each atomically); drop files the layout no longer has."""
    from icmap.output import write_atomic

    for name, pieces in _checked(written):
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, (piece.encode("utf-8") for piece in pieces))
    for file in removed:
        Path(file).unlink(missing_ok=True)


def _switch(new: Path, old: Path) -> None:
    """Put folder ``new`` where ``old`` is and ``old`` where ``new`` was.

    Linux exchanges them in one step (renameat2 RENAME_EXCHANGE); elsewhere, two renames
    leave ``old``'s name absent for an instant, never half written.
    """
    if _exchange(new, old):
        return
    aside = new.with_name(new.name + ".old")
    old.rename(aside)
    try:
        new.rename(old)
    except OSError:
        aside.rename(old)
        raise
    aside.rename(new)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with renameat2; ``False`` where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import errno

    try:
        rename = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False  # a C library without renameat2 (glibc before 2.28, musl before 1.2.5)
    rename.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_cwd, exchange = -100, 2
    if rename(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a kernel or file system without RENAME_EXCHANGE
    raise OSError(code, os.strerror(code), str(second))


def _selectors(
    given: list[str] | None, last: Imported | None, source_format: Source
) -> tuple[str, ...]:
    """The --customer selectors: those given, else (updating) those the last import used.

    An update without them fell back to the default rule and removed every customer hand-off
    the chosen entities made, with the fields people had added to them.
    """
    parse_customers(given or [])  # a wrong selector is a usage error before anything is read
    if given or last is None or not source_format.customers:
        return tuple(given or ())
    return last.customers


def _event_options(
    source_format: Source, options: EventLogOptions, customer: list[str] | None
) -> EventLogOptions | None:
    """The event log options for ``import events`` (``--customer`` names its customer);
    ``None`` for other formats, which take none of them."""
    if source_format.events:
        if customer and len(customer) > 1:
            raise UsageError("import events takes one --customer: the name cases end at")
        from icmap.cli.progress import activity

        # Long reads show their step on stderr (icmap.cli.progress); the reader never prints.
        return dataclasses.replace(
            options, customer=customer[0] if customer else None, progress=activity.step
        )
    given = [
        f"--{name.replace('_', '-')}"
        for name, value in dataclasses.asdict(options).items()
        if value != getattr(EventLogOptions(), name)
    ]
    if given:
        raise UsageError(f"{given[0]} is for event logs: use it with 'import events'")
    return None


def _earlier_import(output: Path, update: bool, fmt: str) -> Imported | None:
    """What the earlier import in ``output`` recorded, when ``--update`` may refresh it.

    Refuses every other case before the source is read: an org written by hand is no
    earlier import (--update would replace its teams, hand-offs and comments). --update into a
    new or empty folder is the first import, so a job that syncs a catalog can always pass it.
    """
    from icmap.importers.writer import MARKER, read_marker
    from icmap.loader.discover import discover

    if output.exists() and not output.is_dir():
        raise UsageError(f"{output} is a file: -o names the org folder to write")
    parent = output.parent if str(output.parent) else Path()
    if not parent.is_dir():
        raise UsageError(f"{parent}: no such directory")
    has_org = output.is_dir() and bool(discover(output)[0])
    last = read_marker(output / "org.yaml") if has_org else None
    if last is not None:
        if not update:
            raise UsageError(
                f"{output} already holds an earlier import: add --update to re-import into it "
                "(keeping the fields you added), or write to another folder"
            )
        if last.format is not None and last.format != fmt:
            # Every team the other format made would be "gone from the source" and removed.
            raise UsageError(
                f"{output} was imported from {last.format}, not {fmt}: --update re-reads the "
                f"same kind of source ('icmap import {last.format} … -o {output} --update'); "
                "import this one into another folder"
            )
        return last
    written = any((output / name).is_file() for name in ("org.yaml", "org.yml"))
    if has_org and written:
        why = (
            "--update refreshes only an earlier import, and would replace this org's teams, "
            "hand-offs and comments with the source's"
            if update
            else "an import is written to a new or empty folder"
        )
        raise UsageError(
            f"{output} holds an org that 'icmap import' did not write (its org.yaml has no "
            f"{MARKER} record): {why}; import into another folder, then copy across what "
            "you need"
        )
    if output.is_dir() and any(path.name != INSIDE for path in output.iterdir()):
        raise UsageError(f"{output} is not empty: write the org to a new or empty folder")
    return None


def _merge(
    target: Path,
    org: Org,
    last: Imported,
    provenance: Mapping[tuple[str, str, str], list[Provenance]],
) -> tuple[Org, MergeReport, tuple[str, ...]]:
    from icmap.importers.writer import merge, written_reasons
    from icmap.loader import load

    protect(target)
    old = load(target)  # a broken org is reported as any load error: fix it, then update

    def written() -> dict[tuple[str, str, str], tuple[str, ...]]:
        # Read only when a relation may have been renamed: most updates never need it.
        return written_reasons(Path(f) for f in old.sources)

    merged, report = merge(old, org, last, (written, provenance))
    return merged, report, old.sources


def _summary(
    result: ImportResult, org: Org, merged: MergeReport | None, as_json: bool, dry_run: bool
) -> None:
    from icmap.render.imports import summary as import_summary

    if as_json:
        print_text(import_summary.render_json(result, org, merged, dry_run=dry_run), "json")
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
        Source,
        typer.Argument(
            help=f"{in_words([source.name for source in SOURCES])}.",
            metavar="FORMAT",
            parser=source_named,
            show_default=False,
        ),
    ],
    sources: Annotated[
        list[Path],
        typer.Argument(
            help=f"Files or folders to read ({', '.join(source.files for source in SOURCES)}).",
            metavar="SOURCE",
            show_default=False,
            parser=path_given,
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
            parser=path_given,
        ),
    ],
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Re-import into the org an earlier import wrote: add new teams and hand-offs, "
            "remove those gone from the source (each named), keep every field added by hand.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the summary (with --update, every removal) and write nothing.",
        ),
    ] = False,
    customer: Annotated[
        list[str] | None,
        typer.Option(
            "--customer",
            help="backstage: entities facing the external customer, by kind:KIND, type:TYPE "
            "(spec.type), tag:TAG, label:KEY=VALUE or ref:REF; cml: teams, by ref:TEAM (or a "
            "context they realize) or type:TYPE (of the contexts they realize); repeatable, any "
            "match counts. Default: what the catalog marks customer-facing, else its front ends "
            "and the OpenAPI and GraphQL APIs nothing in it consumes (docs/import.md; cml: "
            "teams upstream of no other); with --update, those of the last import. A selector "
            "matching nothing is reported; what the catalog marks internal, deprecated or "
            'icmap.io/customer-facing: "false" is chosen only by ref:. events: the name of '
            "the external customer cases end at (default: the process the log names, else "
            "the log file's name).",
            show_default=False,
            metavar="SELECTOR",
        ),
    ] = None,
    keep_idle_teams: Annotated[
        bool | None,
        typer.Option(
            "--keep-idle-teams/--drop-idle-teams",
            help="backstage: keep the teams that own nothing and take part in no hand-off "
            "(left out and counted by default); with --update, as the last import did.",
            show_default=False,
        ),
    ] = None,
    case: CaseColumnOption = None,
    time: TimeColumnOption = None,
    team: TeamColumnOption = None,
    activity: ActivityColumnOption = None,
    time_format: TimeFormatOption = None,
    min_handoffs: MinHandoffsOption = 1,
    min_share: MinShareOption = 0.0,
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
    """Write an org from a Backstage catalog, Team API files, Markdown team pages, a
    spreadsheet, a CML team map or an event log.

    Writes DIR/org.yaml and one DIR/teams/<id>.yaml per team, each hand-off with a comment
    saying where it came from, and prints a summary (entities read, teams, hand-offs, what was
    chosen as external customers and why, problems by kind) on stderr. Problems in the source
    are warnings with file:line:col; errors stop the import (exit 2). DIR must be new or empty;
    --update refreshes an earlier import there, naming every team, customer and relation it
    removes (see them first with --dry-run). An org written by hand is never overwritten.
    docs/import.md has the mapping of each format.

    Examples:

    \b
      icmap import backstage import-examples/backstage -o my-org
      icmap import backstage import-examples/backstage -o my-org --update --dry-run
      icmap import backstage import-examples/backstage -o my-org --customer type:website
      curl -sf $BACKSTAGE/api/catalog/entities | icmap import backstage - -o my-org
      icmap import teamapi import-examples/teamapi -o my-org -f json
      icmap import markdown import-examples/markdown -o my-org
      icmap import csv import-examples/handoffs.csv -o my-org
      icmap import cml import-examples/cml -o my-org
      icmap import events import-examples/tickets.csv -o my-org --customer Employees
    """
    from icmap.importers.writer import render_org

    as_json = _wants_json(summary_format, as_json)
    events = _event_options(
        source_format,
        EventLogOptions(case, time, team, activity, None, time_format, min_handoffs, min_share),
        customer,
    )
    if events is not None:
        customer = None  # an event log's --customer names its customer: no selectors
    if customer and not source_format.customers:
        takers = in_words(
            [f"'import {source.name}'" for source in SOURCES if source.customers]
            + ["'import events' (the name of the customer its cases end at)"]
        )
        raise UsageError(
            f"--customer is not for {source_format.name}: use it with {takers} "
            "(docs/import.md says how each chooses its external customers)"
        )
    if keep_idle_teams is not None and not source_format.idle_teams:
        takers = in_words([f"'import {source.name}'" for source in SOURCES if source.idle_teams])
        option = "--keep-idle-teams" if keep_idle_teams else "--drop-idle-teams"
        raise UsageError(
            f"{option} is not for {source_format.name}: use it with {takers} "
            f"({source_format.name} writes every team it reads)"
        )
    if update and not source_format.update:
        raise UsageError(
            f"--update cannot refresh an import from {source_format.name}: import into a new "
            "or empty folder"
        )
    _check_sources(sources, source_format)
    with contextlib.ExitStack() as held:
        if not dry_run:
            # One writer at a time, from reading the earlier import to the switch.
            held.enter_context(folder_lock(output))
        last = _earlier_import(output, update, source_format.name)
        selectors = _selectors(customer, last, source_format)
        keep_idle = (
            keep_idle_teams if keep_idle_teams is not None else bool(last and last.keep_idle)
        )
        result = source_format.read(
            sources, parse_customers(list(selectors), keep_idle=keep_idle), events
        )
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
        if last is not None:
            org, merged, old_files = _merge(output, org, last, result.provenance)
        _idle_note(
            result, keep_idle, recorded=keep_idle_teams is None and last is not None, merged=merged
        )
        header = _header(source_format, sources)
        written = render_org(
            org,
            result.provenance,
            header,
            (source_format.name, result.org),
            selectors,
            keep_idle=keep_idle and source_format.idle_teams,
            owned=result.owned,
        )
        if merged is not None:
            merged.removed_files = _files_removed(output, written, old_files)
        _summary(result, org, merged, as_json, dry_run)  # every removal is named before writing
        _write(output, written, merged, dry_run=dry_run)


def _write(output: Path, written: WrittenOrg, merged: MergeReport | None, *, dry_run: bool) -> None:
    """Write the org (a first import or an update), or say what a dry run would write.

    Each file is made as it is written, into a folder that takes the org's place only when
    all are written: a file the loader would refuse stops the write and leaves the org as it
    was (a dry run makes every file to know)."""
    teams = len(written.names) - 1
    files = f"org.yaml and {teams:,} team file{'s' * (teams != 1)}"
    if dry_run:
        _refuse_too_large(written)
        print(
            f"dry run: nothing written ({visible(str(output))}/ would get {files})",
            file=sys.stderr,
        )
        return
    if merged is not None:
        _write_update(output, written, merged.removed_files)
    else:
        _write_new(output, written)
    print(f"wrote {visible_name(str(output))}/ ({files})", file=sys.stderr)


def _idle_note(
    result: ImportResult, keep_idle: bool, *, recorded: bool, merged: MergeReport | None
) -> None:
    """Say in the importer's note on idle teams that they were kept as the last import chose,
    or which of those left out --update keeps as written by hand."""
    from icmap.importers import idle_note

    idle = result.idle_teams
    by_hand = [t for t in idle if merged is not None and t in merged.kept_teams and not keep_idle]
    old = idle_note(idle, kept=keep_idle)
    if idle and old in result.notes and ((keep_idle and recorded) or by_hand):
        new = idle_note(idle, kept=keep_idle, recorded=recorded, by_hand=by_hand)
        result.notes[result.notes.index(old)] = new


def report_load_error_lines(result: ImportResult, color: Color) -> None:
    """Every warning on stderr as ``file:line:col: warning: message [code]``."""
    error = LoadError(result.diagnostics)
    count = problem_count(result.diagnostics)
    error.args = (f"{count:,} problem{'s' * (count != 1)} in the source (the import went on)",)
    report_load_error(error, color)
