"""What every command shares: the org and colour options, consoles, and the error handler.

The handler is the one place that maps exceptions to exit codes: 0 ok, 1 findings,
2 wrong input or command line, 3 a bug in icmap (with ``--debug`` showing the traceback).
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from icmap.errors import EXIT_INTERNAL, IcmapError, LoadError, UsageError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from icmap.model import Org

P = ParamSpec("P")
R = TypeVar("R")
E = TypeVar("E", bound=Enum)

ISSUES_URL = "the icmap issue tracker"


class Color(str, Enum):
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
        "format unless -f is given.",
        show_default=False,
        metavar="FILE",
    ),
]
OrgArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Org file or directory. Default: --org, then $ICMAP_ORG, then ./org.yaml, "
        "./org.yml or ./org/.",
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
    """A rich console honouring ``--color`` and NO_COLOR; 100 columns when not a terminal."""
    from rich.console import Console

    if color is Color.always:
        console = Console(stderr=stderr, force_terminal=True, no_color=False, highlight=False)
    elif color is Color.never:
        console = Console(stderr=stderr, no_color=True, color_system=None, highlight=False)
    else:
        console = Console(stderr=stderr, highlight=False)
    stream = sys.stderr if stderr else sys.stdout
    if not stream.isatty():
        # Piped or redirected text is read in editors and pull requests: a fixed, readable width.
        console.width = plain_width()
    return console


#: Set by the top-level ``--debug`` option for the command that runs next.
settings = {"debug": False}


def debug_enabled() -> bool:
    return settings["debug"] or bool(os.environ.get("ICMAP_DEBUG"))


def report_load_error(error: LoadError, color: Color) -> None:
    """Every diagnostic on stderr as ``file:line:col: error: message [code]``, then a count."""
    from rich.text import Text

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
    """Print ``icmap: error: message`` on stderr."""
    print(f"icmap: error: {message}", file=sys.stderr)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Map icmap's exceptions to messages and exit codes; any other exception is a bug."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
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


def load_org(org: Path | None, org_option: Path | None) -> Org:
    """The org named on the command line, or found by the default discovery rules."""
    from icmap.loader import load
    from icmap.loader.discover import find_org

    if org is not None and org_option is not None and org != org_option:
        raise UsageError(f"two orgs given: {org} and --org {org_option}; pass one")
    loaded = load(find_org(org or org_option, os.environ, Path()))
    # The model lives until the command ends: keep the garbage collector from rescanning it
    # on every collection the analyses trigger (a third of graph-building time on big orgs).
    gc.freeze()
    return loaded


def is_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def write_output(output: Path, data: str | bytes, sources: tuple[str, ...]) -> None:
    """Write ``data`` to ``output`` atomically, refusing to overwrite an input org file."""
    from icmap.output import write_atomic

    if output.resolve() in {Path(source).resolve() for source in sources}:
        raise UsageError(f"{output} is one of the org files; icmap never overwrites its input")
    write_atomic(output, data.encode("utf-8") if isinstance(data, str) else data)
    print(f"wrote {output}", file=sys.stderr)


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
    if isinstance(data, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(data)


def emit(
    result: str | bytes | RenderableType,
    output: Path | None,
    sources: tuple[str, ...],
    color: Color,
) -> None:
    """Send a command's result where it was asked for.

    Text and bytes (JSON, DOT, images…) go to stdout as they are, or to the ``-o`` file; a rich
    renderable is printed through the console on stdout, or written to the file as plain text.
    """
    if isinstance(result, str | bytes):
        data: str | bytes = result
    elif is_stdout(output):
        console = make_console(color)
        if sys.stdout.isatty():
            console.print(result)
            return
        from icmap.render.text import tidy

        with console.capture() as captured:
            console.print(result)
        data = tidy(captured.get())
    else:
        from icmap.render.text import to_plain_text

        data = to_plain_text(result, plain_width())
    if is_stdout(output):
        print_text(data)
    else:
        assert output is not None
        write_output(output, data, sources)
