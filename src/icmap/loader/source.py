"""Reading one YAML file into a positioned node tree, turning every failure into a Diagnostic.

icmap works on *composed* nodes rather than constructed Python objects: nodes keep their line
and column, keep scalars as the literal text written (so ``no:`` stays the id ``"no"`` instead
of becoming ``False``), and aliases stay shared nodes instead of being expanded into copies.
The nodes are built by :mod:`icmap.loader.compose` from libyaml's events, never by a recursive
composer, and only regular files are read, never more than :data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from icmap.diagnostics import LOADER_CODES, Diagnostic
from icmap.loader.compose import (
    MAX_DEPTH,
    EntryStream,
    LimitError,
    Node,
    compose,
    compose_documents,
)
from icmap.loader.reader import FileReader, RawFile

# libyaml's C parser is several times faster; the pure-Python one gives identical nodes.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Files larger than this are refused before parsing: no org needs it, and it bounds memory.
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ParsedFile:
    """One file's composed root node (``None`` when it could not be parsed or is empty)."""

    display: str
    root: Node | None
    diagnostics: tuple[Diagnostic, ...]
    #: The text's length in characters (0 when it could not be read).
    size: int = 0
    #: A warning at each key that repeats one before it in its mapping (the first is read).
    duplicate_keys: tuple[Diagnostic, ...] = ()


def _position_of_index(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    r"""The 1-based line and column of byte ``offset`` in ``data``.

    >>> byte_position(b"ab\ncd", 4)
    (2, 2)
    """
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _decode(data: bytes, display: str) -> tuple[str | None, Diagnostic | None]:
    try:
        # utf-8-sig drops a byte-order mark; YAML allows one at the start.
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line, col = byte_position(data, exc.start)
        return None, Diagnostic(
            display,
            line,
            col,
            "IC001",
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
            hint="save the file as UTF-8 (org files are YAML, which icmap reads as UTF-8)",
        )


#: What libyaml 0.2.6 and later (in PyYAML 6.0.3's wheels and newer) say at its own limit of 1,000
#: levels, which its scanner can reach while looking ahead, before icmap's composer sees level 100.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


def _limit_diagnostic(exc: LimitError, display: str) -> Diagnostic:
    return Diagnostic(display, exc.line + 1, exc.column + 1, "IC009", exc.message)


def _too_deep(text: str, display: str, mark: yaml.Mark) -> Diagnostic:
    """icmap's own nesting limit, found in the text libyaml read before it gave up at its own.

    Nesting climbs one level at a time, so the text before libyaml's limit crosses icmap's
    (lower) one: composing just that text again reports it where every PyYAML version does.
    The pure-Python parser, which has no limit of its own, is the fallback.
    """
    prefix = text[: mark.index]
    for loader in (_Loader, yaml.SafeLoader):
        try:
            compose_documents(prefix, loader)
        except LimitError as exc:
            return _limit_diagnostic(exc, display)
        except yaml.YAMLError:
            continue
    return Diagnostic(
        display, mark.line + 1, mark.column + 1, "IC009", f"nesting deeper than {MAX_DEPTH} levels"
    )


def _syntax_diagnostic(exc: yaml.YAMLError, text: str, display: str) -> Diagnostic:
    if (
        isinstance(exc, yaml.MarkedYAMLError)
        and exc.problem == _LIBYAML_TOO_DEEP
        and exc.problem_mark is not None
    ):
        return _too_deep(text, display, exc.problem_mark)
    if isinstance(exc, yaml.MarkedYAMLError):
        from icmap.loader.yaml_hints import explain

        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context and problem.startswith("but "):
            words = f"{exc.context}, {problem}"  # "expected a single document…, but found another"
        else:
            words = problem + (f" ({exc.context})" if exc.context else "")
        opened = exc.context_mark
        where = explain(
            problem,
            exc.context,
            text,
            (line, col),
            (opened.line + 1, opened.column + 1) if opened else None,
        )
        return Diagnostic(
            display, where.line, where.col, "IC002", f"YAML syntax: {words}", hint=where.hint
        )
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = _position_of_index(text, exc.position)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Diagnostic(
            display,
            line,
            col,
            "IC001",
            f"unreadable character {char!r} (#x{ord(char):04x}): YAML allows only printable text",
            hint="is this a binary file? org files must be plain text",
        )
    return Diagnostic(display, 1, 1, "IC002", f"YAML syntax: {exc}")


def read_regular(path: Path, display: str) -> tuple[bytes | None, Diagnostic | None]:
    """The bytes of ``path`` if it is a regular file of at most :data:`MAX_FILE_BYTES`.

    The file is opened without blocking (a FIFO would wait for a writer forever) and checked
    with ``fstat`` on the open descriptor, so a link to ``/dev/zero`` or a device is refused
    whatever ``stat()`` of the name says; at most one byte more than the limit is ever read.
    """

    def problem(code: str, message: str) -> tuple[None, Diagnostic]:
        return None, Diagnostic(display, 1, 1, code, message)

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return problem("IC001", f"cannot read: {exc.strerror or exc}")
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = _FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")
            return problem("IC001", f"cannot read: {what}; org files must be regular files")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return problem("IC001", f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        return problem("IC009", f"file is over {MAX_FILE_BYTES:,} bytes, the most icmap reads")
    return b"".join(chunks), None


_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def read_text(path: Path, display: str) -> tuple[str | None, Diagnostic | None]:
    """The text of ``path`` if it is a regular file, not too large, in UTF-8."""
    data, problem = read_regular(path, display)
    if data is None:
        return None, problem
    return _decode(data, display)


def stream_text(text: str, reader: FileReader) -> tuple[RawFile, list[Diagnostic]]:
    """``text`` read by ``reader`` one entry at a time, and the problems found.

    A file with malformed YAML, or past a limit, gives that one problem and nothing else: what
    was read before it cannot be trusted to mean what its author meant.
    """
    try:
        raw = reader.read_stream(EntryStream(text, _Loader))
    except yaml.YAMLError as exc:
        return RawFile(reader.display), [_syntax_diagnostic(exc, text, reader.display)]
    except LimitError as exc:
        return RawFile(reader.display), [_limit_diagnostic(exc, reader.display)]
    return raw, reader.diagnostics


def parse_file(path: Path, display: str) -> ParsedFile:
    """Read and compose ``path``; ``display`` is how the file is named in messages."""
    data, problem = read_regular(path, display)
    if data is None:
        assert problem is not None
        return ParsedFile(display, None, (problem,))
    text, problem = _decode(data, display)
    if text is None:
        assert problem is not None
        return ParsedFile(display, None, (problem,))
    return parse_text(text, display)


def parse_text(text: str, display: str) -> ParsedFile:
    """Compose YAML ``text`` (a single document) into a node tree."""
    duplicates: list[tuple[Node, Node]] = []
    try:
        root = compose(text, _Loader, duplicates)
    except yaml.YAMLError as exc:
        return ParsedFile(display, None, (_syntax_diagnostic(exc, text, display),))
    except LimitError as exc:
        return ParsedFile(display, None, (_limit_diagnostic(exc, display),))
    return ParsedFile(display, root, (), len(text), _duplicate_keys(duplicates, display))


@dataclass(frozen=True)
class ParsedDocuments:
    """Every document of a multi-document file (empty when it could not be parsed)."""

    display: str
    roots: tuple[Node | None, ...]
    diagnostics: tuple[Diagnostic, ...]
    text: str = ""
    #: Whether any node has a tag (``!vault``): only then are the nodes looked at for one.
    tagged: bool = True
    #: A warning at each key that repeats one before it in its mapping (the first is read).
    duplicate_keys: tuple[Diagnostic, ...] = ()


def parse_documents(path: Path, display: str) -> ParsedDocuments:
    """Read ``path`` and compose every YAML document in it, with the same limits as org files."""
    data, problem = read_regular(path, display)
    if data is None:
        assert problem is not None
        return ParsedDocuments(display, (), (problem,))
    text, problem = _decode(data, display)
    if text is None:
        assert problem is not None
        return ParsedDocuments(display, (), (problem,))
    return parse_documents_text(text, display)


def parse_documents_text(text: str, display: str) -> ParsedDocuments:
    """Compose every YAML document in ``text`` (also JSON, which YAML reads), with the same
    limits as org files; ``display`` names it in messages (``<stdin>``)."""
    duplicates: list[tuple[Node, Node]] = []
    try:
        roots, tagged = compose_documents(text, _Loader, duplicates)
    except yaml.YAMLError as exc:
        return ParsedDocuments(display, (), (_syntax_diagnostic(exc, text, display),), text)
    except LimitError as exc:
        return ParsedDocuments(display, (), (_limit_diagnostic(exc, display),), text)
    found = _duplicate_keys(duplicates, display)
    return ParsedDocuments(display, tuple(roots), (), text, tagged, found)


def _duplicate_keys(duplicates: list[tuple[Node, Node]], display: str) -> tuple[Diagnostic, ...]:
    """A warning at each repeated key: the importers read the first, as the org format's
    IC006 says, but a source is not refused for it."""
    return tuple(
        Diagnostic(
            display,
            key.line + 1,
            key.column + 1,
            "IC006",
            f"duplicate key {key.value!r} (first at line {first.line + 1}): the first is read",
            "warning",
            "keep one of them",
            LOADER_CODES["IC006"],
        )
        for key, first in duplicates
    )
