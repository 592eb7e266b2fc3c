"""The one place that maps exceptions to messages and exit codes.

0 ok, 1 findings, 2 wrong input or command line, 3 a bug in icmap (with ``--debug`` showing
the traceback). Every command is wrapped in :func:`handle_errors`.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from icmap.cli.options import Color
from icmap.cli.output import forget_inputs, make_console, stdout_guard
from icmap.cli.progress import activity
from icmap.errors import EXIT_INTERNAL, EXIT_USAGE, IcmapError, LoadError, Terminated
from icmap.safe_text import visible, visible_name

P = ParamSpec("P")
R = TypeVar("R")

ISSUES_URL = "the icmap issue tracker"

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
        where = f"{visible_name(diagnostic.file)}:{diagnostic.line}:{diagnostic.col}: "
        line = Text(where, style="bold")
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
    print(f"icmap: error: {visible(shortened(message))}", file=sys.stderr)


def shortened(message: str) -> str:
    """``message`` with each run of 1,000 characters or more shown by its start and length."""
    return _LONG_RUN.sub(_shortened, message)


#: A run of text no message needs whole: an argument of 100,000 characters echoed back
#: (``--focus``, ``--select``, ``--group``) is shown by its start and its length; so is a
#: quoted one, spaces and all (``--color 'a b a b …'``), its quotes kept.
_LONG_RUN = re.compile(r"(')([^'\n]{1000,})'|(\")([^\"\n]{1000,})\"|()([^\s'\"]{1000,})")


def _shortened(match: re.Match[str]) -> str:
    quote = match.group(1) or match.group(3) or match.group(5)
    run = match.group(2) or match.group(4) or match.group(6)
    return f"{quote}{run[:60]}… ({len(run):,} characters){quote}"


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Map icmap's exceptions to messages and exit codes; any other exception is a bug."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        forget_inputs(kwargs.get("output"))
        activity.begin()
        try:
            try:
                return command(*args, **kwargs)
            finally:
                activity.end()
                with stdout_guard():
                    pass  # flush what is buffered: a full disk shows here, not at exit
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
            for message in error.messages:
                fail(message)
            raise typer.Exit(error.exit_code) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Terminated as stop:
            raise typer.Exit(stop.exit_code) from None
        except (OSError, UnicodeEncodeError) as error:
            raise typer.Exit(_refused(error)) from None
        except Exception as error:
            if debug_enabled():
                raise
            _report_bug(error)
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper


def _refused(error: OSError | UnicodeEncodeError) -> int:
    """A call on a path the user named that the system refuses (a name over NAME_MAX, a
    symlink loop, a name the file system's encoding cannot hold) is the command line's fault,
    wherever the first stat() of it happens: exit 2. One with no file name (a stream's) that
    got this far is a bug."""
    if debug_enabled():
        raise error
    if isinstance(error, UnicodeEncodeError):
        if _unnamable(error):
            fail(
                f"cannot use the file name {_clipped(error.object)}: the file system's encoding "
                f"({error.encoding}) cannot hold {error.object[error.start : error.end]!a}; "
                "run icmap under a UTF-8 locale (LC_ALL=C.UTF-8)"
            )
            return EXIT_USAGE
    elif error.filename is not None:
        fail(f"{_clipped(str(error.filename))}: {error.strerror or error}")
        return EXIT_USAGE
    _report_bug(error)
    return EXIT_INTERNAL


def _unnamable(error: UnicodeEncodeError) -> bool:
    """A file name (a team id with ``ü`` or ``東``) the locale's file-system encoding cannot
    write, under ``LANG=C`` with Python's UTF-8 coercion off or a latin-1 locale."""
    # Under UTF-8, file names are encoded with surrogateescape and never fail: a UTF-8 error
    # there is data (a lone surrogate in an output), which is a bug, not a name.
    encoding = codecs.lookup(sys.getfilesystemencoding()).name
    return (
        codecs.lookup(error.encoding).name == encoding != "utf-8"
        and isinstance(error.object, str)
        and len(error.object) < 4096  # PATH_MAX
    )


def _report_bug(error: Exception) -> None:
    fail(
        f"internal error ({type(error).__name__}: {error}). This is a bug in icmap: "
        f"please report it to {ISSUES_URL}, with the output of the same command run "
        "with --debug."
    )


def _clipped(name: str, keep: int = 120) -> str:
    """A name as long as the system refuses is shown by its start and its length."""
    return name if len(name) <= keep else f"{name[:keep]}… ({len(name):,} characters)"
