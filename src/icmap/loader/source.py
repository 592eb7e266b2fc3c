"""Reading one YAML file into a positioned node tree, turning every failure into a Diagnostic.

icmap works on PyYAML's *composed* nodes rather than constructed Python objects: nodes keep
their line and column, keep scalars as the literal text written (so ``no:`` stays the id
``"no"`` instead of becoming ``False``), and aliases stay shared nodes instead of being
expanded into copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from icmap.diagnostics import Diagnostic

# libyaml's C parser is several times faster; the pure-Python one gives identical nodes.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Files larger than this are refused before parsing: no org needs it, and it bounds memory.
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ParsedFile:
    """One file's composed root node (``None`` when it could not be parsed or is empty)."""

    display: str
    root: yaml.Node | None
    diagnostics: tuple[Diagnostic, ...]


def _position_of_index(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _decode(data: bytes, display: str) -> tuple[str | None, Diagnostic | None]:
    try:
        # utf-8-sig drops a byte-order mark; YAML allows one at the start.
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Diagnostic(
            display,
            line,
            col,
            "IC001",
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
            hint="save the file as UTF-8 (org files are YAML, which icmap reads as UTF-8)",
        )


def _syntax_diagnostic(exc: yaml.YAMLError, text: str, display: str) -> Diagnostic:
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


def parse_file(path: Path, display: str) -> ParsedFile:
    """Read and compose ``path``; ``display`` is how the file is named in messages."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            message = f"file is {size:,} bytes; icmap reads org files up to {MAX_FILE_BYTES:,}"
            return ParsedFile(display, None, (Diagnostic(display, 1, 1, "IC009", message),))
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return ParsedFile(
            display, None, (Diagnostic(display, 1, 1, "IC001", f"cannot read: {reason}"),)
        )
    text, problem = _decode(data, display)
    if text is None:
        assert problem is not None
        return ParsedFile(display, None, (problem,))
    return parse_text(text, display)


def parse_text(text: str, display: str) -> ParsedFile:
    """Compose YAML ``text`` (a single document) into a node tree."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return ParsedFile(display, None, (_syntax_diagnostic(exc, text, display),))
    except RecursionError:
        # Only the pure-Python parser recurses per nesting level; libyaml does not.
        message = "nesting is too deep to parse"
        return ParsedFile(display, None, (Diagnostic(display, 1, 1, "IC009", message),))
    return ParsedFile(display, root, ())
