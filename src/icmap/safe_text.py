"""Making output safe to print: the one step every text output passes through on its way out.

Org files, file names and git revisions are written by other people, and a terminal obeys
control characters: ESC and CSI (``\\x9b``) sequences clear the screen, set the window title or
hide text, BEL rings, and bidi overrides (U+202E …) reverse what is shown. The loader refuses
control characters in org text, but file names and bidi controls still reach the output, so
:mod:`icmap.cli.common` passes every output through one of these functions, chosen by format:

- text, markdown, GitHub annotations, DOT and JUnit XML: :func:`visible` writes each such character
  as visible text (``\\x1b``, ``<U+202E>``); that also keeps JUnit XML well-formed, since XML 1.0
  forbids most C0 characters even as references;
- JSON and SARIF: :func:`json_safe` writes them as ``\\u`` escapes, so the data is unchanged
  for a JSON parser but inert on a terminal;
- Mermaid: :func:`mermaid_safe` writes them as Mermaid entity codes.
"""

from __future__ import annotations

import re

#: C0 controls but tab and line feed, DEL and C1 controls (CSI is ``\x9b``).
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
#: Bidi embeddings, overrides and isolates.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_CONTROL}{_BIDI}]")
#: What a JSON string may hold raw but a terminal would act on (line and paragraph separators
#: too: JavaScript before ES2019 does not allow them raw in strings).
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029]")


def _show(match: re.Match[str]) -> str:
    char = match.group()
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"<U+{ord(char):04X}>"


def visible(text: str) -> str:
    """``text`` with control and bidi characters written visibly; idempotent.

    >>> visible("a\\x1b[2Jb\\x9b\\u202eevil\\tok\\n")
    'a\\\\x1b[2Jb\\\\x9b<U+202E>evil\\tok\\n'
    """
    return _UNSAFE.sub(_show, text)


def json_safe(text: str) -> str:
    """JSON text (as ``json.dumps`` writes it) with C1, DEL and bidi characters as ``\\u``.

    Only valid for JSON, where such characters can only stand inside strings.

    >>> json_safe('{"name": "\\u202eevil\\x9b"}')
    '{"name": "\\\\u202eevil\\\\u009b"}'
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def mermaid_safe(text: str) -> str:
    """Mermaid text with control and bidi characters as entity codes (``#8238;``).

    Mermaid decodes them in labels, so the drawing shows the name as written; the source printed
    on a terminal holds nothing a terminal acts on.

    >>> mermaid_safe('n0["\u202eevil"]')
    'n0["#8238;evil"]'
    """
    return _UNSAFE.sub(lambda m: f"#{ord(m.group())};", text)


#: Output format -> how it is made safe. DOT takes the visible form inside its quoted labels.
#: Mermaid writes them as entity codes. Not listed: HTML and images, pictures for a browser or
#: a file viewer, whose renderers escape names for their own syntax; control characters never
#: reach them (the loader refuses them), and a browser shows bidi text as the HTML says.
BY_FORMAT = {
    "text": visible,
    "markdown": visible,
    "github": visible,
    "junit": visible,
    "dot": visible,
    "mermaid": mermaid_safe,
    "json": json_safe,
    "sarif": json_safe,
}


def for_format(fmt: str, data: str) -> str:
    """``data`` made safe as the format ``fmt`` needs; unchanged for formats not listed."""
    step = BY_FORMAT.get(fmt)
    return step(data) if step else data
