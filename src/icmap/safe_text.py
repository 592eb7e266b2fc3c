"""Making output safe to print: the one step every text output passes through on its way out.

Org files, file names and git revisions are written by other people, and a terminal obeys
control characters: ESC and CSI (``\\x9b``) sequences clear the screen, set the window title or
hide text, BEL rings, and bidi overrides (U+202E …) reverse what is shown. The loader refuses
control characters in org text, but file names and bidi controls still reach the output, so
:mod:`icmap.cli.output` passes every output through one of these functions, chosen by format:

- text, markdown, GitHub annotations and DOT: :func:`visible` writes each such character as
  visible text (``\\x1b``, ``<U+202E>``);
- JUnit XML: :func:`xml_safe`, the same for control characters (XML 1.0 forbids most C0
  characters even as references, so they must become text), bidi ones as references;
- JSON and SARIF: :func:`json_safe` writes them as ``\\u`` escapes, so the data is unchanged
  for a JSON parser but inert on a terminal;
- Mermaid and HTML: :func:`mermaid_safe` and :func:`html_safe` write them as entity codes
  and character references, so the drawing in the browser shows the name as written.
"""

from __future__ import annotations

import re

#: What a spreadsheet runs as a formula when a cell starts with it (OWASP's CSV-injection list),
#: as a regular-expression character class: such a cell is written with a ``'`` first. Shared by
#: ``icmap survey -f csv``, the survey page's Save button (in JavaScript) and the response reader,
#: which drops the ``'`` again.
FORMULA_START = r"[=+\-@\t\r]"


def clipped(text: str, keep: int = 60) -> str:
    """``text`` quoted as ``repr`` does, or, past ``keep`` characters, its start and its length:
    a header cell or an argument of 100,000 characters must not become a message as long."""
    if len(text) <= keep:
        return repr(text)
    return f"{text[:keep]!r}… ({len(text):,} characters)"


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


def visible_name(text: str) -> str:
    """A file name as :func:`visible` shows it, and its line feeds as ``\\n`` too: a name with
    a line feed would otherwise start a line of its own on stderr or in a CI log, where
    ``::error file=x::…`` or a made-up ``file:1:1: error:`` is read as if icmap had said it.

    >>> visible_name("evil\\n::error file=x::forged.yaml")
    'evil\\\\n::error file=x::forged.yaml'
    """
    return visible(text).replace("\n", "\\n")


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


def xml_safe(text: str) -> str:
    """XML text: control characters written visibly, bidi ones as character references.

    XML 1.0 forbids most C0 characters even as references, so those become text (``\\x1b``);
    a bidi control is a legal character, so a reference keeps the data for an XML parser.

    >>> xml_safe('<a n="x\\x1b\\u202e"/>')
    '<a n="x\\\\x1b&#x202e;"/>'
    """
    return _UNSAFE.sub(
        lambda m: _show(m) if ord(m.group()) < 0x100 else f"&#x{ord(m.group()):x};", text
    )


#: Where the HTML page keeps its data: JSON inside a script element, where character references
#: are not decoded.
_HTML_DATA = '<script type="application/json" id="icmap-data">'


def html_safe(text: str) -> str:
    """An HTML page with control and bidi characters as character references (``&#x202e;``).

    The browser shows the same text; the source holds nothing a terminal acts on. The page's
    JSON data gets ``\\u`` escapes instead, which is what a script reads.

    >>> html_safe('<p>\u202eevil</p>')
    '<p>&#x202e;evil</p>'
    """
    head, marker, rest = text.partition(_HTML_DATA)
    data, end, tail = rest.partition("</script>")

    def refs(part: str) -> str:
        return _UNSAFE.sub(lambda m: f"&#x{ord(m.group()):x};", part)

    return refs(head) + marker + json_safe(data) + end + refs(tail)


#: Output format -> how it is made safe. DOT takes the visible form inside its quoted labels.
#: Mermaid and HTML write them as entity codes or character references, which the drawing
#: shows as written. Images (SVG, PNG, PDF) are drawn by Graphviz from the DOT.
BY_FORMAT = {
    "text": visible,
    "markdown": visible,
    "github": visible,
    "junit": xml_safe,
    "graphml": xml_safe,
    "gexf": xml_safe,
    "dot": visible,
    "mermaid": mermaid_safe,
    "html": html_safe,
    "json": json_safe,
    "sarif": json_safe,
}


def for_format(fmt: str, data: str) -> str:
    """``data`` made safe as the format ``fmt`` needs; unchanged for formats not listed."""
    step = BY_FORMAT.get(fmt)
    return step(data) if step else data


def as_typed(text: str) -> str:
    """Command-line text as it was typed: under an ASCII locale with Python's UTF-8 mode and
    locale coercion off, ``küche`` reaches ``sys.argv`` as ``k\\udcc3\\udcbcche`` (its UTF-8
    bytes escaped one by one); bytes that are valid UTF-8 are read as UTF-8, others kept.

    >>> as_typed("k\\udcc3\\udcbcche"), as_typed("k\\udcffche"), as_typed("kitchen")
    ('küche', 'k\\udcffche', 'kitchen')
    """
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return text
