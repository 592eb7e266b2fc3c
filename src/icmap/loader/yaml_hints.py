"""Plain-language hints for the YAML mistakes people make most, next to libyaml's words.

libyaml says *what* it could not parse ("found character that cannot start any token") and
often where it noticed, which may be a line after the mistake. :func:`explain` looks at the
text around that place and, for the common mistakes (a tab, an unquoted ``: `` or ``#`` in a
value, a missing space after ``-``, a mis-indented key), says what to do and points at the
line that needs the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DASH_WITHOUT_SPACE = re.compile(r"^(\s*)-([^\s\-])")
_KEY_THEN_COLON_VALUE = re.compile(r"^\s*(?:-\s+)?[^\s:#][^:#]*:\s+([^'\"\s].*?:\s.*)$")
_INDENTATION = ("did not find expected key", "expected '-' indicator", "expected <block end>")


@dataclass(frozen=True)
class Explained:
    """Where the mistake most likely is (1-based), and what to do about it."""

    line: int
    col: int
    hint: str | None


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _tab(lines: list[str], line: int, col: int) -> Explained | None:
    current = _line(lines, line)
    if "\t" in current[: max(col, 1)]:
        hint = "a tab: YAML indents with spaces only; replace it with spaces"
        return Explained(line, current.index("\t") + 1, hint)
    return None


def _dash(lines: list[str], line: int) -> Explained | None:
    for number in (line, line - 1, line - 2):
        found = _DASH_WITHOUT_SPACE.match(_line(lines, number))
        if found:
            fixed = f"- {_line(lines, number)[found.end(1) + 1 :]}".strip()
            hint = f"a list item needs a space after '-': write '{fixed}'"
            return Explained(number, found.end(1) + 1, hint)
    return None


def _indented_under_a_value(lines: list[str], line: int) -> bool:
    """Whether ``line`` is indented deeper than the previous key, which has a value of its own."""
    current = _line(lines, line)
    for number in range(line - 1, 0, -1):
        above = _line(lines, number)
        if above.strip() and not above.lstrip().startswith("#"):
            deeper = len(current) - len(current.lstrip()) > len(above) - len(above.lstrip())
            return deeper and bool(re.match(r"^\s*[^\s#][^:#]*:\s+\S", above))
    return False


def _unclosed(lines: list[str], opened_at: tuple[int, int]) -> Explained:
    opened = _line(lines, opened_at[0])
    comment = re.search(r"\s#", opened)
    if comment:
        return Explained(
            opened_at[0],
            comment.start() + 2,
            "'#' after a space starts a comment, which cut the rest of this line off: "
            "quote the value that contains it, e.g. 'Dishes #1'",
        )
    hint = "the '{' or '[' opened here is not closed: check its commas and closing bracket"
    return Explained(opened_at[0], opened_at[1], hint)


def explain(
    problem: str,
    context: str | None,
    text: str,
    at: tuple[int, int],
    opened_at: tuple[int, int] | None = None,
) -> Explained:
    r"""A hint for a syntax error ``problem`` noticed at ``at`` (1-based line and column).

    ``opened_at`` is where the construct being parsed began (libyaml's context mark).

    >>> explain("found character that cannot start any token", None, "a:\n\tb: 1\n", (2, 1))
    Explained(line=2, col=1, hint='a tab: YAML indents with spaces only; replace it with spaces')
    """
    lines = text.splitlines()
    line, col = at
    found = _tab(lines, line, col) or _dash(lines, line)
    if found:
        return found
    if opened_at and context and "flow" in context:
        return _unclosed(lines, opened_at)
    value = _KEY_THEN_COLON_VALUE.match(_line(lines, line))
    if "mapping values are not allowed" in problem and value:
        hint = f"a value that contains ': ' must be quoted: write \"{value.group(1).strip()}\""
        return Explained(line, col, hint)
    if "mapping values are not allowed" in problem and _indented_under_a_value(lines, line):
        hint = (
            "this line is indented more than the key above it, which already has a value: "
            "line the keys up in one column"
        )
        return Explained(line, len(_line(lines, line)) - len(_line(lines, line).lstrip()) + 1, hint)
    if any(words in problem for words in _INDENTATION):
        return Explained(
            line,
            col,
            "check the indentation of this line against the lines above: the keys of one "
            "mapping start in the same column, list items ('- ') line up under each other, "
            "and YAML indents with spaces only",
        )
    return Explained(line, col, None)
