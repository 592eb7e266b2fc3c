"""stdout and stderr as icmap finds them: closed, unable to encode, failing mid-run.

:func:`setup_streams` runs once, before any command:

- A closed descriptor 0, 1 or 2 is filled with ``/dev/null``, so no file icmap opens later
  (an ``-o`` file, a pipe to ``dot`` or ``git``) takes its number.
- A closed stdout (``>&-``) becomes :class:`MissingStdout`: writing to it is an ``OSError``
  the output guard turns into ``cannot write to stdout: it is closed`` (exit 2); a command whose
  output went to an ``-o`` file never writes there and exits as it would.
- A closed stderr (``2>&-``) becomes a stream that drops what it is given, and a stderr that
  fails while icmap runs (a closed pipe, a full disk) is dropped from then on: diagnostics
  never go to stdout, and an output failure on stderr never changes the exit code.
- Characters the stream's encoding cannot take (``PYTHONIOENCODING=ascii``, a latin-1 locale)
  are written by :func:`fallback` (the ``icmap-fallback`` error handler): arrows, bars and
  lines in ASCII, accented letters without the accent, anything else as a ``\\uXXXX`` escape.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys

# Not typing.TYPE_CHECKING: setup_streams runs before `icmap --version`, which avoids typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

#: The error handler's name, for ``str.encode`` and ``TextIOWrapper.reconfigure``.
FALLBACK = "icmap-fallback"

#: ASCII for the symbols icmap itself draws (arrows, lines, bars, marks, punctuation).
ASCII = {
    "→": "->",
    "←": "<-",
    "↔": "<->",
    "⇄": "<->",
    "⇒": "=>",
    "↺": "(loop)",
    "…": "...",
    "—": "--",
    "\u2013": "-",  # en dash
    "·": "-",
    "•": "*",
    "×": "x",
    "÷": "/",
    "⚠": "!",
    "▶": ">",
    "◆": "*",
    "✔": "ok",
    "✓": "ok",
    "✗": "x",
    "█": "#",
    "▌": "#",
    "░": ".",
    "─": "-",
    "━": "-",
    "╌": "-",
    "┈": "-",
    "═": "=",
    "│": "|",
    "┃": "|",
    "║": "|",
    "┆": "|",
    "├": "+",
    "┤": "+",
    "┬": "+",
    "┴": "+",
    "┼": "+",
    "┌": "+",
    "┐": "+",
    "└": "`",
    "┘": "+",
    "╭": "+",
    "╮": "+",
    "╯": "+",
    "╰": "+",
    "\u2018": "'",  # quotation marks
    "\u2019": "'",
    "“": '"',
    "”": '"',
    "≥": ">=",
    "≤": "<=",
    "≈": "~",
    "€": "EUR",
    "\u00a0": " ",
    # Letters NFKD does not take apart.
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
}


def _one(char: str) -> str:
    import unicodedata

    if char in ASCII:
        return ASCII[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and base.isascii() and base.isprintable():
        return base  # a letter without its accent; never a partial decomposition ("½")
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def fallback(error: UnicodeError) -> tuple[str, int]:
    """The ``icmap-fallback`` error handler: ASCII for what the encoding cannot take."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "".join(_one(c) for c in error.object[error.start : error.end]), error.end


codecs.register_error(FALLBACK, fallback)


def encode_for(text: str, stream: object) -> bytes:
    """``text`` in ``stream``'s encoding, with the ASCII fallback for what it cannot take."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return text.encode(encoding, FALLBACK)
    except LookupError:
        return text.encode("utf-8")


class MissingStdout(io.TextIOBase):
    """stdout when descriptor 1 was closed: every write fails, nothing else does."""

    encoding = "utf-8"
    #: Read by :func:`icmap.output.write_atomic` for ``-o /dev/stdout``.
    missing = True

    def _closed(self) -> OSError:
        return OSError(errno.EBADF, "it is closed")

    def write(self, text: str) -> int:
        raise self._closed()

    def fileno(self) -> int:
        raise self._closed()

    @property
    def buffer(self) -> io.BufferedIOBase:
        raise self._closed()

    def isatty(self) -> bool:
        return False

    def flush(self) -> None:
        pass


class DiagnosticStream(io.TextIOBase):
    """stderr: written as given while it works, dropped once it is closed or fails."""

    def __init__(self, inner: TextIO | None) -> None:
        super().__init__()
        self.inner = inner

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", None) or "utf-8"

    @property
    def missing(self) -> bool:
        """Closed when icmap started, or failed since: ``-o /dev/stderr`` cannot be written."""
        return self.inner is None

    def _failed(self) -> None:
        self.inner = None
        try:  # the writes Python itself makes at exit, too
            devnull = os.open(os.devnull, os.O_WRONLY)
            if devnull != 2:
                os.dup2(devnull, 2)
                os.close(devnull)
        except OSError:
            pass

    def write(self, text: str) -> int:
        if self.inner is not None:
            try:
                self.inner.write(text)
            except (OSError, ValueError):
                self._failed()
        return len(text)

    def flush(self) -> None:
        if self.inner is not None:
            try:
                self.inner.flush()
            except (OSError, ValueError):
                self._failed()

    def isatty(self) -> bool:
        try:
            return self.inner is not None and self.inner.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        if self.inner is None:
            raise io.UnsupportedOperation("stderr is closed")
        return self.inner.fileno()


def _fill_closed_descriptors() -> None:
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_RDWR)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)


def setup_streams() -> None:
    """Make stdout and stderr safe to use whatever state they are in (see the module)."""
    missing_stdout = sys.stdout is None
    _fill_closed_descriptors()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # Not contextlib.suppress: contextlib (collections, functools) is a sixth of
            # `icmap --version`, which answers before anything else is imported.
            try:  # noqa: SIM105
                reconfigure(errors=FALLBACK)
            except (OSError, ValueError):
                pass
    if missing_stdout:
        sys.stdout = MissingStdout()
    if not isinstance(sys.stderr, DiagnosticStream):
        sys.stderr = DiagnosticStream(sys.stderr)
