"""Differential fuzzing: the loader's streamed read against the whole-tree read.

Documents are built from org-shaped pieces (sections, teams, relations) in block and flow
style, with anchors, aliases, merge keys at every level, duplicate keys, tags, null and
non-mapping sections, misspelt and ``x-`` keys, second documents and syntax errors, so the
streamed path's special cases (merges applied after a section, a failed merge dropping one)
meet each other. The default profile is small; ``ICMAP_FUZZ_PROFILE=fuzz`` runs 10,000.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icmap.diagnostics import Diagnostic
from icmap.loader import compose as compose_module
from icmap.loader.reader import FileReader, RawFile
from icmap.loader.source import parse_text, stream_text

pytestmark = pytest.mark.fuzz


def _whole(text: str, budget: int) -> tuple[RawFile, list[Diagnostic]]:
    parsed = parse_text(text, "org.yaml")
    reader = FileReader("org.yaml", budget=budget)
    raw = reader.read(parsed.root)
    return raw, sorted([*parsed.diagnostics, *reader.diagnostics])


def _streamed(text: str, budget: int) -> tuple[RawFile, list[Diagnostic]]:
    raw, diagnostics = stream_text(text, FileReader("org.yaml", budget=budget))
    return raw, sorted(diagnostics)


_ANCHORS = ("a1", "a2", "a3")
#: Anchors every document defines first, so most aliases have something to name.
_DEFINED = ("d1", "d2", "d3")
_DEFINITIONS = st.sampled_from(
    ["{what: w, to: a}", "{a: {}, b: {name: B}}", "w", "[{a: {}}]", "{<<: *d1}", "{x: *d1}"]
)
_IDS = st.sampled_from(["a", "b", "c", "no", "teams", "provides", "", "x-y"])
_TAGS = st.sampled_from(["", "", "", "", "!!str ", "!!map ", "!custom ", "!!seq ", "!!null "])


def _anchor(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", "", "", *(f"&{a} " for a in _ANCHORS)]))


def _alias(draw: st.DrawFn) -> str:
    return f"*{draw(st.sampled_from([*_ANCHORS, *_DEFINED, *_DEFINED]))}"


@st.composite
def _scalar(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(["w", "2d", "3x", "0.5", "yes", "null", "~", "'q'", "[]", "{}"]))
    return draw(_TAGS) + text if draw(st.booleans()) else text


@st.composite
def _relation(draw: st.DrawFn) -> str:
    pairs = []
    for key in draw(
        st.lists(
            st.sampled_from(["what", "to", "from", "lead_time", "mode", "wat", "<<", "what"]),
            max_size=4,
        )
    ):
        value = _alias(draw) if key == "<<" or draw(st.integers(0, 6)) == 0 else None
        if value is None:
            value = draw(st.sampled_from(["w", "a", "[a, b]", "2d", "x", "null", "{}"]))
        pairs.append(f"{key}: {value}")
    return _anchor(draw) + draw(_TAGS) + "{" + ", ".join(pairs) + "}"


@st.composite
def _body(draw: st.DrawFn) -> str:
    """A team's body, in flow style (one line)."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return _alias(draw)
    if choice == 1:
        return draw(_scalar())
    pairs = []
    for key in draw(
        st.lists(st.sampled_from(["name", "provides", "receives", "nmae", "<<", "x-a"]), max_size=3)
    ):
        if key == "<<":
            value = _alias(draw)
        elif key in ("provides", "receives"):
            value = "[" + ", ".join(draw(st.lists(_relation(), max_size=2))) + "]"
            if draw(st.integers(0, 5)) == 0:
                value = draw(st.sampled_from([_alias(draw), "{}", "w"]))
        else:
            value = draw(_scalar())
        pairs.append(f"{key}: {value}")
    return _anchor(draw) + draw(_TAGS) + "{" + ", ".join(pairs) + "}"


@st.composite
def _section(draw: st.DrawFn, indent: str) -> str:
    """A section's value: block entries on the following lines, or something on this line."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return " " + _alias(draw) + "\n"
    if choice == 1:
        return " " + draw(_scalar()) + "\n"
    if choice == 2:
        return "\n"  # null
    if choice == 3:
        entries = [f"{draw(_IDS) or 'q'}: {draw(_body())}" for _ in range(draw(st.integers(0, 3)))]
        return " " + _anchor(draw) + draw(_TAGS) + "{" + ", ".join(entries) + "}\n"
    head = (_anchor(draw) + draw(_TAGS)).rstrip()
    lines = [(" " + head if head else "") + "\n"]
    for _ in range(draw(st.integers(0, 4))):
        key = (
            draw(st.sampled_from(["<<", "<<", "!!str a"])) if draw(st.integers(0, 4)) == 0 else None
        )
        key = key or draw(_IDS) or "''"
        value = _alias(draw) if key == "<<" else draw(_body())
        if key == "<<" and draw(st.booleans()):
            value = "[" + ", ".join(_alias(draw) for _ in range(draw(st.integers(1, 3)))) + "]"
        lines.append(f"{indent}{key}: {value}\n")
    return "".join(lines)


@st.composite
def documents(draw: st.DrawFn) -> str:
    defined = [f"&{name} {draw(_DEFINITIONS)}" for name in _DEFINED]
    parts = [f"x-defs: [{', '.join(defined)}]\n"] if draw(st.integers(0, 5)) else []
    if draw(st.integers(0, 9)) == 0:
        parts.append(draw(st.sampled_from(["&a1\n", "!!map\n", "---\n", "%YAML 1.1\n---\n"])))
    for _ in range(draw(st.integers(0, 6))):
        key = draw(
            st.sampled_from(
                ["teams", "customers", "suppliers", "teams", "teems", "x-a", "<<", "organisation"]
            )
        )
        if key == "<<":
            parts.append(f"<<: {_alias(draw)}\n")
        else:
            parts.append(f"{key}:{draw(_section('  '))}")
    text = "".join(parts)
    mutation = draw(st.integers(0, 9))
    if mutation == 0 and text:
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + draw(st.sampled_from(["[", "]", ":", "\t", "&", "*", "- ", "'"]))
            + text[at:]
        )
    elif mutation == 1:
        text += draw(st.sampled_from(["---\nteams: {}\n", "...\n", "--- x\n"]))
    return text


@given(documents())
def test_streamed_read_equals_the_whole_tree_read(text: str) -> None:
    assert _streamed(text, 10_000) == _whole(text, 10_000)


@given(documents(), st.sampled_from([5, 20, 60]))
def test_a_spent_budget_is_refused_streamed_too(text: str, budget: int) -> None:
    # Read from one tree, a mapping's merges spend the budget before its entries; streamed,
    # after them. So where it runs out may differ, but a file is refused either way.
    def refused(read: list[Diagnostic]) -> bool:
        return any(d.code == "IC009" for d in read)

    assert refused(_streamed(text, budget)[1]) == refused(_whole(text, budget)[1])


@given(documents(), st.sampled_from([1, 5, 20]), st.integers(1, 4), st.integers(1, 4))
def test_a_spent_budget_leaves_syntax_and_limits_as_they_are(
    text: str, budget: int, depth: int, entries: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compose_module, "MAX_DEPTH", depth)
        patch.setattr(compose_module, "MAX_ENTRIES", entries)
        parsed = parse_text(text, "org.yaml")
        if parsed.diagnostics:  # malformed or past a limit: that one problem, whatever the budget
            assert _streamed(text, budget)[1] == list(parsed.diagnostics)


@given(documents(), st.integers(1, 4), st.integers(1, 4))
def test_streamed_read_equals_the_whole_tree_read_under_small_limits(
    text: str, depth: int, entries: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compose_module, "MAX_DEPTH", depth)
        patch.setattr(compose_module, "MAX_ENTRIES", entries)
        assert _streamed(text, 10_000) == _whole(text, 10_000)


@st.composite
def _edited(draw: st.DrawFn, text: str) -> str:
    """``text`` after a few edits of whole lines, as one version of an org follows another."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines)))
        edit = draw(st.integers(0, 3))
        if edit == 0:
            lines.insert(at, draw(st.sampled_from(["# note\n", "\n", "  z: {name: Z}\n"])))
        elif edit == 1 and lines:
            del lines[min(at, len(lines) - 1)]
        elif edit == 2 and lines:
            lines.insert(at, lines[min(at, len(lines) - 1)])
        elif lines:
            line = lines[min(at, len(lines) - 1)]
            lines[min(at, len(lines) - 1)] = (
                draw(st.sampled_from(["    ", "  ", "   more\n", "\t"])) + line
            )
    return "".join(lines)


@st.composite
def _plain_org(draw: st.DrawFn) -> str:
    """An org of well-formed teams in block and flow style, which a second version can reuse."""
    teams = []
    for n in range(draw(st.integers(1, 5))):
        what, to = draw(st.sampled_from(["w", "two words", "'q: x'"])), draw(st.sampled_from("abc"))
        style = draw(st.integers(0, 2))
        if style == 0:
            teams.append(f"  t{n}: {{name: N{n}, provides: [{{what: {what}, to: {to}}}]}}\n")
        elif style == 1:
            teams.append(f"  t{n}:\n    name: N{n}\n    provides:\n      - what: {what}\n")
            teams.append(f"        to: [{to}, c]\n        lead_time: {n + 1}d\n")
        else:
            teams.append(f"  t{n}:\n    lead: L\n    # said\n\n")
    return "customers: {a: {}, b: {}, c: {}}\nteams:\n" + "".join(teams)


@given(st.data())
def test_a_second_version_read_reusing_the_first_equals_it_read_alone(data: st.DataObject) -> None:
    from icmap.loader import _read
    from icmap.loader.reuse import Entries

    base = data.draw(st.one_of(documents(), _plain_org()))
    head = data.draw(st.one_of(_edited(base), documents(), _plain_org()))
    entries = Entries()
    _read(base, "base.yaml", (entries, None))
    reused, reused_problems = _read(head, "head.yaml", (None, entries))
    alone, problems = _read(head, "head.yaml")
    assert (reused, sorted(reused_problems)) == (alone, sorted(problems))
