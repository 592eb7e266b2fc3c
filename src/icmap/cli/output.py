"""The one way out for every result: consoles and colour, stdout, ``-o`` files, and the guard
that no output is one of the command's inputs.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from icmap.cli.options import Color, format_named_by
from icmap.cli.progress import activity
from icmap.errors import OutputError, UsageError
from icmap.safe_text import for_format, visible, visible_name

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from icmap.output import Data
    from icmap.render.json_text import Pieces

E = TypeVar("E", bound=Enum)


def plain_width() -> int:
    """Columns for text that is not going to a terminal: $COLUMNS, else 100."""
    from icmap.render.text import PLAIN_WIDTH

    columns = os.environ.get("COLUMNS", "")
    if not (columns.isdigit() and int(columns) > 0):
        return PLAIN_WIDTH
    return min(int(columns), MAX_WIDTH)


#: The widest text icmap lays out. rich pads every line to the console's width while it lays
#: it out, so COLUMNS=99999999 (a typo, a script's guess) cost 4.7 GB and 48 s for a one-page
#: report, and a wider one ended in OverflowError; no terminal or editor shows more anyway.
MAX_WIDTH = 1000


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
    elif console.width > MAX_WIDTH:  # a terminal's width, or rich's reading of $COLUMNS
        console.width = MAX_WIDTH
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


@contextlib.contextmanager
def stdout_guard() -> Iterator[None]:
    """Writes to stdout inside this block, flushed; a failure becomes an icmap error.

    A reader that went away (``icmap report | head``) is not a failure: what is left to write
    goes to ``/dev/null`` and the command ends with its own exit code. Any other failure (a full
    disk, a closed stdout) is ``cannot write to stdout: …``, exit 2.
    A stdout that is one of the command's inputs (``-o - >> org.yaml``) is refused as
    ``-o org.yaml`` is: icmap never writes into what it reads.
    """
    activity.end()  # the progress display never shares the terminal with the output
    _refuse_stdout_into_input()
    try:
        yield
        sys.stdout.flush()
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise OutputError(f"cannot write to stdout: {error.strerror or error}") from error
        reader_gone()


def reader_gone() -> None:
    """Point stdout at /dev/null: its reader left, so nothing more (nor Python's own flush at
    exit) can fail there."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()  # the part the pipe refused, now into /dev/null


#: Formats written as UTF-8 whatever the stream's encoding: their readers are programs.
_HUMAN_FORMATS = frozenset({"text", "markdown"})


def _write_all(data: bytes) -> None:
    """Every byte of ``data`` to stdout, or an ``OSError``: a short write is retried, never
    lost (Python's unbuffered stdout, ``PYTHONUNBUFFERED=1``, ignores one)."""
    stream = sys.stdout
    stream.flush()
    try:
        fd = stream.fileno()
    except (AttributeError, ValueError):  # io.UnsupportedOperation: a stream in memory
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(data.decode("utf-8"))
        else:
            buffer.write(data)
            buffer.flush()
        return
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


#: Inputs of the running command, as (device, inode): ``-o`` may name none of them.
_inputs: set[tuple[int, int]] = set()
#: Inputs recorded but not yet looked up: a 100k-file org folder is walked only if the
#: command writes a file, not when it prints to stdout.
_pending: list[Path] = []


#: The file ``-o`` names, when it already exists: an input it is refused before anything
#: is read (:func:`protect`), not after the source was read and its warnings printed.
_output: list[Path] = []


def forget_inputs(output: object = None) -> None:
    """Start a command with no inputs recorded (:func:`icmap.cli.errors.handle_errors`), and
    its ``-o`` file, when it names one that is a file already."""
    _inputs.clear()
    _pending.clear()
    _output.clear()
    if isinstance(output, Path) and str(output) != "-":
        with contextlib.suppress(OSError):  # a name too long: said where it is written
            if output.is_file():
                _output.append(output)


def protect(path: Path) -> None:
    """Record ``path`` (a file, or every org file under a folder) as an input of the command.

    Called before anything is loaded, so an org that fails to load is protected too.
    """
    _pending.append(path)


def refuse_early() -> None:
    """Refuse an ``-o`` file that is one of the inputs named so far, before they are read:
    reading a source first would print its warnings, then refuse."""
    if _output:
        refuse_inputs(_output)
        _output.clear()  # the rest are checked as the output is written


def _look_up_inputs() -> None:
    from icmap.loader.discover import discover

    # The files a loaded org was read from are recorded after its folder: taken first, each
    # is looked up once, not again when the folder is walked.
    looked_up: set[str] = set()
    while _pending:
        path = _pending.pop()
        found, outside = discover(path) if path.is_dir() else ([path], [])
        for file in (path, *found, *outside):
            name = str(file)
            if name in looked_up:
                continue
            looked_up.add(name)
            with contextlib.suppress(OSError):
                info = file.stat()
                _inputs.add((info.st_dev, info.st_ino))


def refuse_inputs(outputs: list[Path]) -> None:
    """Raise if any of ``outputs`` is an input of the command (see :func:`protect`).

    Only an output that exists can be an input, so the inputs (a folder of 100,000 team
    files) are looked up only when one does.
    """
    existing = []
    for output in outputs:
        with contextlib.suppress(OSError):
            info = output.stat()
            existing.append((output, (info.st_dev, info.st_ino)))
    if existing:
        _look_up_inputs()
    for output, identity in existing:
        if identity in _inputs:
            message = f"{output} is an input of this command; icmap never overwrites its input"
            raise UsageError(message)


def _refuse_stdout_into_input() -> None:
    """Raise when stdout is a regular file that is an input of the command."""
    try:
        info = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return  # no stdout to write into, or one that is no file: nothing to protect
    if not stat.S_ISREG(info.st_mode):
        return
    _look_up_inputs()
    if (info.st_dev, info.st_ino) in _inputs:
        raise UsageError(
            "stdout is a file this command reads (an input); icmap never writes into its input"
        )


def is_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def write_output(output: Path, data: str | Data, sources: tuple[str, ...] = ()) -> None:
    """Write ``data`` (or its pieces, made as they are written) to ``output``, refusing to
    overwrite any input of the command.

    ``sources`` adds inputs to those recorded with :func:`protect`. The file is replaced
    atomically; a character device or FIFO is written directly (:mod:`icmap.output`).
    """
    from icmap.output import write_atomic

    for source in sources:
        protect(Path(source))
    refuse_inputs([output])
    write_atomic(output, utf8(data) if isinstance(data, str) else data)
    print(f"wrote {visible_name(str(output))}", file=sys.stderr)


def format_from(
    output: Path | None,
    chosen: E | None,
    extensions: dict[str, E],
    default: E,
    command: str = "this command",
) -> E:
    """The format asked for with -f, else the one the -o file's extension names.

    -f wins over the extension; when the extension names another format (``-f dot -o
    map.svg``) a note says so, as a file named for one format and holding another is rarely
    what was meant (``.txt`` names no format strongly enough to say so).
    """
    if chosen is not None:
        if output is not None and not is_stdout(output):
            named = format_named_by(output.suffix)
            if named not in (None, "text", str(chosen.value)):
                print(
                    f"icmap: note: writing {chosen.value} to {visible_name(str(output))} as "
                    f"-f asks, though its extension {output.suffix!r} names {named}",
                    file=sys.stderr,
                )
        return chosen
    if is_stdout(output):
        return default
    assert output is not None
    if output.is_dir():
        raise UsageError(f"cannot write {output}: it is a folder; name a file in it")
    suffix = output.suffix.lower()
    named = format_named_by(suffix)
    if suffix not in extensions and named is not None:
        writes = ", ".join(sorted({str(e.value) for e in extensions.values()}))
        raise UsageError(
            f"{command} does not write {named} ({output}): it writes {writes}"
            + (
                f"; for an image, write DOT and draw it: -f dot | dot -T{named} > "
                f"{visible_name(str(output))}"
                if named in ("svg", "png", "pdf")
                and any(str(e.value) == "dot" for e in extensions.values())
                else ""
            )
        )
    if suffix not in extensions:
        known = ", ".join(sorted(extensions))
        raise UsageError(
            f"cannot tell the format of {output} from its extension {suffix or '(none)'!r}: "
            f"known extensions are {known}; or choose one with -f/--format"
        )
    return extensions[suffix]


def renderer(modules: Mapping[E, str], chosen: E) -> Callable[..., Any]:
    """The ``render`` function of the module that writes ``chosen``, imported only now.

    A command lists its formats' modules (``{TeamFormat.json: "icmap.render.team.json"}``),
    so an output's module, and what it imports, is loaded only when that output is asked for.
    """
    render: Callable[..., Any] = importlib.import_module(modules[chosen]).render
    return render


def utf8(data: str) -> bytes:
    """A machine format's text as UTF-8. A file name that is not UTF-8 (``bad\\xff.yaml``)
    reaches it as a lone surrogate, which UTF-8 cannot hold: written as ``\\udcff``, a JSON
    escape and plain text elsewhere, rather than failing the run."""
    return data.encode("utf-8", "backslashreplace")


def print_text(data: str | bytes, fmt: str = "text") -> None:
    """Machine output (JSON, markdown) goes to stdout as plain text, never through rich.

    Text for people (``text``, ``markdown``) is encoded as stdout can take it, with ASCII for
    what it cannot (:mod:`icmap.cli.streams`); every other format is UTF-8, as its readers
    expect.
    """
    from icmap.cli.streams import encode_for

    if isinstance(data, str):
        data = encode_for(data, sys.stdout) if fmt in _HUMAN_FORMATS else utf8(data)
    with stdout_guard():
        _write_all(data)


def print_renderable(renderable: RenderableType, color: Color, *, soft_wrap: bool = False) -> None:
    """A rich renderable on stdout, through a console that shows control characters safely.

    ``soft_wrap`` leaves long lines unwrapped (one record a line, as ``icmap check`` prints).
    """
    with stdout_guard():
        make_console(color).print(renderable, soft_wrap=soft_wrap)


def prepare(result: str | bytes | Pieces | RenderableType, fmt: str = "text") -> str | bytes:
    """A result as it is written to a file or a pipe: text made safe for ``fmt``.

    Bytes (images) are left as they are; text made in pieces is joined, each piece made safe
    as :func:`emit` writes it; a rich renderable becomes plain text.
    """
    if isinstance(result, bytes):
        return result
    if isinstance(result, str):
        return for_format(fmt, result)
    from icmap.render.json_text import Pieces

    if isinstance(result, Pieces):
        return "".join(for_format(fmt, piece) for piece in result)
    from icmap.render.text import to_plain_text

    return visible(to_plain_text(result, plain_width()))


def emit(
    result: str | bytes | Pieces | RenderableType,
    output: Path | None,
    sources: tuple[str, ...],
    color: Color,
    fmt: str = "text",
) -> None:
    """Send a command's result where it was asked for: the one way out for every output.

    Text passes through the step that makes ``fmt`` safe to print (:mod:`icmap.safe_text`),
    then goes to stdout or the ``-o`` file; bytes (images) go as they are; a rich renderable is
    printed through the console on stdout, or written to the file as plain text. Plain text
    that needs no layout of rich's (the tree of 100,000 teams: 48 MB) is written as it is made.
    """
    from icmap.render.json_text import Pieces

    if isinstance(result, Pieces):
        _emit_pieces(result, output, sources, fmt)
        return
    data: str | bytes
    if not isinstance(result, str | bytes) and is_stdout(output):
        if sys.stdout.isatty():
            print_renderable(result, color)
            return
        from icmap.cli.streams import encode_for
        from icmap.render.text import plain_lines, tidy, tidy_lines

        # Piped: the console's width and colour choice, without the padding's trailing spaces.
        console = make_console(color)
        lines = plain_lines(console, result) if unstyled_stdout(color) else None
        if lines is not None:
            human = fmt in _HUMAN_FORMATS
            encode = (lambda text: encode_for(text, sys.stdout)) if human else utf8
            with stdout_guard():
                for piece in _encoded(tidy_lines(lines), encode):
                    _write_all(piece)
            return
        with stdout_guard(), console.capture() as captured:  # rich flushes stdout at the end
            console.print(result)
        data = tidy(captured.get())
    elif not isinstance(result, str | bytes):
        from icmap.render.text import plain_text_lines

        to_file = plain_text_lines(result, plain_width())
        if to_file is not None:
            assert output is not None
            write_output(output, _encoded(to_file, lambda text: utf8(visible(text))), sources)
            return
        data = prepare(result, fmt)
    else:
        data = prepare(result, fmt)
    if is_stdout(output):
        print_text(data, fmt)
    else:
        assert output is not None
        write_output(output, data, sources)


def _emit_pieces(result: Pieces, output: Path | None, sources: tuple[str, ...], fmt: str) -> None:
    """Text made piece by piece, each piece made safe for ``fmt`` and written as it comes:
    the same bytes as the whole text (the safe step changes single characters only), never
    all held at once. A file is still written through a temporary file and a rename."""
    encoded = (for_format(fmt, piece).encode("utf-8") for piece in result)
    if is_stdout(output):
        with stdout_guard():
            for data in encoded:
                _write_all(data)
    else:
        assert output is not None
        write_output(output, encoded, sources)


def _encoded(lines: Iterable[str], encode: Callable[[str], bytes]) -> Iterator[bytes]:
    """``lines`` encoded in pieces of about a megabyte: one write per line would cost a
    system call each."""
    batch: list[str] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line)
        if size >= 1 << 20:
            yield encode("".join(batch))
            batch.clear()
            size = 0
    if batch:
        yield encode("".join(batch))
