"""What every command shares: the org and colour options, consoles, and the error handler.

The handler is the one place that maps exceptions to exit codes: 0 ok, 1 findings,
2 wrong input or command line, 3 a bug in icmap (with ``--debug`` showing the traceback).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import os
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from icmap.cli.progress import activity
from icmap.errors import (
    EXIT_INTERNAL,
    EXIT_USAGE,
    IcmapError,
    LoadError,
    OutputError,
    StdoutClosedError,
    UsageError,
)
from icmap.importers.registry import SOURCES, Source, find, in_words
from icmap.safe_text import for_format, visible

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from icmap.diagnostics import Diagnostic
    from icmap.model import Org

P = ParamSpec("P")
R = TypeVar("R")
E = TypeVar("E", bound=Enum)

ISSUES_URL = "the icmap issue tracker"


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


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="Write to this file instead of stdout ('-' is stdout); its extension picks the "
        "format unless -f is given. Never one of the input files.",
        show_default=False,
        metavar="FILE",
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
    ),
]
OrgOption = Annotated[
    Path | None,
    typer.Option(
        "--org",
        help="Org file or directory (same as the ORG argument).",
        show_default=False,
        metavar="ORG",
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


def plain_width() -> int:
    """Columns for text that is not going to a terminal: $COLUMNS, else 100."""
    from icmap.render.text import PLAIN_WIDTH

    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else PLAIN_WIDTH


def make_console(color: Color, *, stderr: bool = False) -> Console:
    """A rich console honouring ``--color`` and NO_COLOR; 100 columns when not a terminal.

    Every text it prints shows control and bidi characters visibly (:mod:`icmap.safe_text`).
    """
    from icmap.render.text import SafeConsole

    if color is Color.always:
        console = SafeConsole(stderr=stderr, force_terminal=True, no_color=False, highlight=False)
    elif color is Color.never:
        console = SafeConsole(stderr=stderr, no_color=True, color_system=None, highlight=False)
    else:
        console = SafeConsole(stderr=stderr, highlight=False)
    stream = sys.stderr if stderr else sys.stdout
    if not stream.isatty():
        # Piped or redirected text is read in editors and pull requests: a fixed, readable width.
        console.width = plain_width()
    return console


def unstyled_stdout(color: Color) -> bool:
    """Whether :func:`make_console` would print to stdout without any style: ``--color never``,
    or ``auto`` with a stdout that is not a terminal and nothing that makes rich treat it as one.

    Lets a command print plain text without importing rich. In doubt (FORCE_COLOR or
    TTY_COMPATIBLE set, a Jupyter kernel) it says no, and rich decides as it always has.
    """
    if color is Color.never:
        return True
    if color is Color.always or sys.stdout.isatty():
        return False
    import builtins

    forced = {"FORCE_COLOR", "TTY_COMPATIBLE"} & os.environ.keys()
    return not forced and not hasattr(builtins, "get_ipython")


#: Set by the top-level ``--debug`` option for the command that runs next.
settings = {"debug": False}


def debug_enabled() -> bool:
    return settings["debug"] or bool(os.environ.get("ICMAP_DEBUG"))


def report_load_error(error: LoadError, color: Color) -> None:
    """Every diagnostic on stderr as ``file:line:col: error: message [code]``, then a count."""
    from rich.text import Text

    activity.end()
    console = make_console(color, stderr=True)
    for diagnostic in error.diagnostics:
        line = Text(f"{diagnostic.file}:{diagnostic.line}:{diagnostic.col}: ", style="bold")
        line.append(f"{diagnostic.severity}: ", style="bold red")
        line.append(diagnostic.message)
        line.append(f" [{diagnostic.code}]", style="dim")
        console.print(line, soft_wrap=True)
        if diagnostic.hint:
            console.print(Text(f"  hint: {diagnostic.hint}", style="cyan"), soft_wrap=True)
    console.print(Text(f"icmap: {error}", style="bold red"), soft_wrap=True)


def fail(message: str) -> None:
    """Print ``icmap: error: message`` on stderr (file names in it shown safely)."""
    activity.end()
    print(f"icmap: error: {visible(message)}", file=sys.stderr)


@contextlib.contextmanager
def stdout_guard() -> Iterator[None]:
    """Writes to stdout inside this block, flushed; a failure becomes an icmap error."""
    activity.end()  # the progress display never shares the terminal with the output
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError as error:
        # Python flushes stdout again at exit: point it at /dev/null so that says nothing.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise StdoutClosedError from error
    except OSError as error:
        if error.errno == errno.EPIPE:
            raise StdoutClosedError from error
        raise OutputError(f"cannot write to stdout: {error.strerror or error}") from error


#: Inputs of the running command, as (device, inode): ``-o`` may name none of them.
_inputs: set[tuple[int, int]] = set()
#: Inputs recorded but not yet looked up: a 100k-file org folder is walked only if the
#: command writes a file, not when it prints to stdout.
_pending: list[Path] = []


def protect(path: Path) -> None:
    """Record ``path`` (a file, or every org file under a folder) as an input of the command.

    Called before anything is loaded, so an org that fails to load is protected too.
    """
    _pending.append(path)


def _look_up_inputs() -> None:
    from icmap.loader.discover import discover

    while _pending:
        path = _pending.pop()
        found, outside = discover(path) if path.is_dir() else ([path], [])
        for file in (path, *found, *outside):
            with contextlib.suppress(OSError):
                info = file.stat()
                _inputs.add((info.st_dev, info.st_ino))


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Map icmap's exceptions to messages and exit codes; any other exception is a bug."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        _inputs.clear()
        _pending.clear()
        activity.begin()
        try:
            try:
                return command(*args, **kwargs)
            finally:
                activity.end()
                with stdout_guard():
                    pass  # flush what is buffered: a full disk shows here, not at exit
        except StdoutClosedError:
            raise typer.Exit(EXIT_USAGE) from None
        except MemoryError:
            if debug_enabled():
                raise
            fail("out of memory: the org is too big for the memory available")
            raise typer.Exit(EXIT_USAGE) from None
        except LoadError as error:
            color = kwargs.get("color", Color.auto)
            report_load_error(error, color if isinstance(color, Color) else Color.auto)
            raise typer.Exit(error.exit_code) from None
        except IcmapError as error:
            fail(str(error))
            raise typer.Exit(error.exit_code) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as error:
            if debug_enabled():
                raise
            fail(
                f"internal error ({type(error).__name__}: {error}). This is a bug in icmap: "
                f"please report it to {ISSUES_URL}, with the output of the same command run "
                "with --debug."
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper


def source_named(text: str) -> Source:
    """The source ``text`` names (any case), or a usage error with a did-you-mean: the parser
    of ``--from`` and of ``icmap import FORMAT``.
    """
    if isinstance(text, Source):
        return text
    try:
        return find(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _source_name(text: str) -> str:
    return source_named(text).name


FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Read the org from another format, mapped as 'icmap import' does, with no files "
        "written: "
        + in_words([f"{source.name} ({source.description})" for source in SOURCES])
        + ". See docs/import.md.",
        show_default=False,
        metavar="FORMAT",
        parser=_source_name,
    ),
]


def load_source(
    org: Path | None, org_option: Path | None, source: str | None
) -> tuple[Org, list[Diagnostic]]:
    """The org, and the warnings an importer gave when ``--from`` names a source format.

    Without ``--from`` it is :func:`load_org` with no warnings. An importer's errors raise
    :class:`LoadError`, with its warnings, as a broken org file does.
    """
    if source is None:
        return load_org(org, org_option), []
    from icmap.importers import source_error
    from icmap.loader.discover import find_org

    if org is not None and org_option is not None and org != org_option:
        raise UsageError(f"two sources given: {org} and --org {org_option}; pass one")
    if org is None and org_option is None:
        raise UsageError(f"--from {source} needs the source: name its file or folder")
    path = find_org(org or org_option, os.environ, Path())
    protect(path)
    result = find(source).read([path])
    for file in result.org.sources if result.org is not None else ():
        protect(Path(file))
    if result.org is None:
        raise source_error(result.diagnostics)
    gc.freeze()
    return result.org, result.diagnostics


def load_org(
    org: Path | None, org_option: Path | None, source: str | None = None, *, surveys: bool = True
) -> Org:
    """The org named on the command line, or found by the default discovery rules.

    With ``source`` (``--from``) the path is read by that importer; its warnings go to stderr
    as one line (``icmap check --from`` lists them). ``surveys=False`` leaves the org's survey
    rounds unread, but still never to be overwritten.
    """
    from icmap.loader import load
    from icmap.loader.discover import find_org

    if source is not None:
        activity.step(f"reading the {source} source")
        imported, warnings = load_source(org, org_option, source)
        if warnings:
            count = len(warnings)
            print(
                f"icmap: read {source} source with {count} warning{'s' if count != 1 else ''} "
                f"(icmap check --from {source} lists them)",
                file=sys.stderr,
            )
        return imported
    if org is not None and org_option is not None and org != org_option:
        raise UsageError(f"two orgs given: {org} and --org {org_option}; pass one")
    path = find_org(org or org_option, os.environ, Path())
    protect(path)
    activity.step(f"reading {visible(str(path))}")
    loaded = load(path) if surveys else load(path, surveys=False, fetch=_protect_responses)
    activity.step(f"analysing {len(loaded.teams):,} teams")
    # The model lives until the command ends: keep the garbage collector from rescanning it
    # on every collection the analyses trigger (a third of graph-building time on big orgs).
    gc.freeze()
    return loaded


def _protect_responses(target: Path) -> None:
    from icmap.loader.surveys import survey_files

    if target.exists():
        for response in survey_files(target, str(target)):
            protect(response.path)


def with_surveys(loaded: Org, surveys: list[Path] | None) -> Org:
    """``loaded`` scored by its own survey rounds plus the ``--survey`` files, if any."""
    for survey_round in loaded.surveys:
        for file in survey_round.files or (survey_round.file,):
            protect(Path(file))
    if not surveys:
        return loaded
    from icmap.loader.surveys import ResponseFile, apply_rounds, read_rounds, survey_files

    files: list[ResponseFile] = []
    for given in surveys:
        if not given.exists():
            raise UsageError(f"--survey {given}: no such file or directory")
        found = survey_files(given, str(given))
        if not found:
            raise UsageError(f"--survey {given}: no response files (*.csv, *.tsv, *.txt) in it")
        for response in found:
            protect(response.path)
        files.extend(found)
    return apply_rounds(loaded, read_rounds(files, loaded, loaded.surveys))


def refuse_org_as_team(names: list[str], org_option: Path | None) -> None:
    """Say so when a TEAM argument is the org's path (``icmap impact kitchen org.yaml``).

    Only a name that looks like a path (a YAML or JSON file name, or one with a slash) and
    exists counts, so a team called ``docs`` is never mistaken for a folder.
    """
    if org_option is not None:
        return
    for name in names:
        looks_like_path = name.endswith((".yaml", ".yml", ".json")) or "/" in name
        if looks_like_path and Path(name).exists():
            raise UsageError(f"{name!r} is the org, not a team: name it with --org {name}")


def is_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def refuse_inputs(outputs: list[Path]) -> None:
    """Raise if any of ``outputs`` is an input of the command (see :func:`protect`)."""
    if outputs:
        _look_up_inputs()
    for output in outputs:
        with contextlib.suppress(OSError):
            info = output.stat()
            if (info.st_dev, info.st_ino) in _inputs:
                message = f"{output} is an input of this command; icmap never overwrites its input"
                raise UsageError(message)


def write_output(output: Path, data: str | bytes, sources: tuple[str, ...] = ()) -> None:
    """Write ``data`` to ``output``, refusing to overwrite any input of the command.

    ``sources`` adds inputs to those recorded with :func:`protect`. The file is replaced
    atomically; a character device or FIFO is written directly (:mod:`icmap.output`).
    """
    from icmap.output import write_atomic

    for source in sources:
        protect(Path(source))
    refuse_inputs([output])
    write_atomic(output, data.encode("utf-8") if isinstance(data, str) else data)
    print(f"wrote {visible(str(output))}", file=sys.stderr)


def format_from(output: Path | None, chosen: E | None, extensions: dict[str, E], default: E) -> E:
    """The format asked for with -f, else the one the -o file's extension names."""
    if chosen is not None:
        return chosen
    if is_stdout(output):
        return default
    assert output is not None
    suffix = output.suffix.lower()
    if suffix not in extensions:
        known = ", ".join(sorted(extensions))
        raise UsageError(
            f"cannot tell the format of {output} from its extension {suffix or '(none)'!r}: "
            f"known extensions are {known}; or choose one with -f/--format"
        )
    return extensions[suffix]


def print_text(data: str | bytes) -> None:
    """Machine output (JSON, markdown) goes to stdout as plain text, never through rich."""
    with stdout_guard():
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data)


def print_renderable(renderable: RenderableType, color: Color, *, soft_wrap: bool = False) -> None:
    """A rich renderable on stdout, through a console that shows control characters safely.

    ``soft_wrap`` leaves long lines unwrapped (one record a line, as ``icmap check`` prints).
    """
    with stdout_guard():
        make_console(color).print(renderable, soft_wrap=soft_wrap)


def prepare(result: str | bytes | RenderableType, fmt: str = "text") -> str | bytes:
    """A result as it is written to a file or a pipe: text made safe for ``fmt``.

    Bytes (images) are left as they are; a rich renderable becomes plain text.
    """
    if isinstance(result, bytes):
        return result
    if isinstance(result, str):
        return for_format(fmt, result)
    from icmap.render.text import to_plain_text

    return visible(to_plain_text(result, plain_width()))


def emit(
    result: str | bytes | RenderableType,
    output: Path | None,
    sources: tuple[str, ...],
    color: Color,
    fmt: str = "text",
) -> None:
    """Send a command's result where it was asked for: the one way out for every output.

    Text passes through the step that makes ``fmt`` safe to print (:mod:`icmap.safe_text`),
    then goes to stdout or the ``-o`` file; bytes (images) go as they are; a rich renderable is
    printed through the console on stdout, or written to the file as plain text.
    """
    if not isinstance(result, str | bytes) and is_stdout(output):
        if sys.stdout.isatty():
            print_renderable(result, color)
            return
        from icmap.render.text import tidy

        # Piped: the console's width and colour choice, without the padding's trailing spaces.
        console = make_console(color)
        with stdout_guard(), console.capture() as captured:  # rich flushes stdout on the way out
            console.print(result)
        data: str | bytes = tidy(captured.get())
    else:
        data = prepare(result, fmt)
    if is_stdout(output):
        print_text(data)
    else:
        assert output is not None
        write_output(output, data, sources)
