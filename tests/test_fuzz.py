"""Fuzzing the loader and every command's core with hypothesis.

Whatever the text, only icmap's own error type escapes; every valid org runs through every
analysis, the check and every picture, and round-trips through the JSON export. The default
suite runs a small profile; ``ICMAP_FUZZ_PROFILE=fuzz pytest -m fuzz`` runs 10,000 examples a test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import node_link_graph
from icmap import build_graph, load_text
from icmap.analysis.impact import impact
from icmap.analysis.page import page
from icmap.analysis.picture import focus, whole_org
from icmap.analysis.report import build_report
from icmap.errors import LoadError
from icmap.lint import run_check
from icmap.lint.policy import build_policy
from icmap.lint.registry import all_rules
from icmap.model import Org
from icmap.render.picture import dot, html, mermaid, node_link
from icmap.render.report import json as report_json

pytestmark = pytest.mark.fuzz

_NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(lambda name: name.strip())  # the format rejects empty and blank text
_IDS = st.sampled_from(["a", "b", "c", "d", "e", "no", "123", "x-y", "日本"])
_UNITS = st.sampled_from(["m", "h", "d", "w"])


@st.composite
def valid_orgs(draw: st.DrawFn) -> str:
    """A valid org document: customers, teams, suppliers and relations between them."""
    teams = draw(st.lists(_IDS, min_size=1, max_size=6, unique=True))
    customers = [f"cust{i}" for i in range(draw(st.integers(1, 2)))]
    suppliers = [f"sup{i}" for i in range(draw(st.integers(0, 2)))]
    doc: dict[str, object] = {
        "organisation": draw(_NAMES),
        "customers": {c: {"name": draw(_NAMES)} for c in customers},
        "suppliers": {
            s: {"provides": [{"what": draw(_NAMES), "to": draw(st.sampled_from(teams))}]}
            for s in suppliers
        },
        "teams": {},
    }
    for team in teams:
        body: dict[str, object] = {"name": draw(_NAMES)}
        if draw(st.booleans()):
            body["group"] = draw(st.sampled_from(["G1", "G2", "<G>"]))
        provides = []
        for _ in range(draw(st.integers(0, 3))):
            receiver = draw(st.sampled_from([t for t in teams if t != team] + customers))
            relation: dict[str, object] = {"what": draw(_NAMES), "to": receiver}
            if draw(st.booleans()):
                relation["lead_time"] = f"{draw(st.integers(0, 500))}{draw(_UNITS)}"
            if draw(st.booleans()):
                relation["satisfaction"] = draw(st.sampled_from([1, 2.5, 3, 4.2, 5]))
            provides.append(relation)
        # Distinct whats: the same side declaring one relation twice is an error by design.
        seen = set()
        unique = []
        for relation in provides:
            key = (relation["to"], " ".join(str(relation["what"]).split()).casefold())
            if key not in seen:
                seen.add(key)
                unique.append(relation)
        if unique:
            body["provides"] = unique
        doc["teams"][team] = body  # type: ignore[index]
    # JSON is YAML: every key and string is quoted, so ids like `no` stay text.
    return json.dumps(doc, ensure_ascii=False)


def _mutate(text: str, data: st.DataObject) -> str:
    edits = data.draw(st.integers(1, 4))
    for _ in range(edits):
        if not text:
            break
        at = data.draw(st.integers(0, len(text) - 1))
        kind = data.draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if kind == "delete":
            text = text[:at] + text[at + 1 :]
        elif kind == "insert":
            text = (
                text[:at] + data.draw(st.sampled_from(list("{}[]:,\"'&*!#\n -?|>\\"))) + text[at:]
            )
        elif kind == "duplicate":
            text = text[:at] + text[at : at + 20] + text[at:]
        else:
            other = data.draw(st.integers(0, len(text) - 1))
            a, b = sorted((at, other))
            text = text[:a] + text[b:] + text[a:b]
    return text


@given(st.text(max_size=300))
def test_any_text_gives_an_org_or_a_load_error(text: str) -> None:
    try:
        load_text(text)
    except LoadError as error:
        assert error.diagnostics
        assert all(d.line >= 1 and d.col >= 1 for d in error.diagnostics)


@given(valid_orgs(), st.data())
def test_mutated_orgs_give_an_org_or_a_load_error(document: str, data: st.DataObject) -> None:
    try:
        load_text(_mutate(document, data))
    except LoadError as error:
        assert error.diagnostics


@given(valid_orgs(), st.data())
def test_valid_orgs_run_through_everything(document: str, data: st.DataObject) -> None:
    org = load_text(document)
    graph = build_graph(org)
    report = build_report(graph)
    json.loads(report_json.render(report, graph))
    run_check(org, graph, build_policy(all_rules(), {}, strict=True))
    team = data.draw(st.sampled_from(sorted(org.teams)))
    impact(graph, [team])
    picture = whole_org(graph)
    dot.render(picture)
    mermaid.render(picture)
    html.render(page(graph, picture))
    dot.render(focus(graph, team, 1))
    exported = json.loads(node_link.render(picture))
    loaded = node_link_graph(exported)
    assert set(loaded.nodes) == set(graph.nodes)
    assert set(loaded.edges) == set(graph.edges)
    for u, v in graph.edges:
        original = sorted(r.what for r in graph.edges[u, v]["relations"])
        assert sorted(r["what"] for r in loaded.edges[u, v]["relations"]) == original


# --- hostile text and tags (issue 12) ----------------------------------------------------------

#: Characters a terminal, DOT, XML or Mermaid could act on, mixed with ordinary text.
_HOSTILE_CHARS = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x9F, blacklist_categories=("Cs",)),
    st.sampled_from(list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u200f")),
    st.sampled_from(list('"<>&\\%|;#`{}[]')),
    st.characters(blacklist_categories=("Cs",)),
)
_HOSTILE_TEXT = st.text(alphabet=_HOSTILE_CHARS, min_size=1, max_size=10).filter(str.strip)
_UNSAFE_OUT = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} - {"\n", "\t"}
_UNSAFE_OUT |= set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@st.composite
def hostile_orgs(draw: st.DrawFn) -> str:
    """A valid org whose every string field (and some ids) may hold hostile characters."""
    text = draw(st.booleans())
    pick = (lambda: draw(_HOSTILE_TEXT)) if text else (lambda: draw(_NAMES))
    teams = ["a", "b", draw(st.sampled_from(["c\u202ed", "e", "f<g>"]))]
    doc = {
        "organisation": pick(),
        "customers": {"cust": {"name": pick(), "description": pick()}},
        "suppliers": {"sup": {"name": pick(), "provides": [{"what": pick(), "to": "a"}]}},
        "teams": {
            team: {
                "name": pick(),
                "group": pick(),
                "lead": pick(),
                "description": pick(),
                "provides": [
                    {"what": pick(), "to": "cust" if i == 0 else teams[i - 1], "lead_time": "1d"}
                ],
            }
            for i, team in enumerate(teams)
        },
    }
    return json.dumps(doc, ensure_ascii=False)


def _outputs() -> dict[str, Callable[[Org], str | bytes]]:
    """Each command's output in each format, as the CLI writes it to a file or a pipe."""
    from icmap.analysis.diff import diff_orgs
    from icmap.analysis.reach import reach
    from icmap.analysis.trees import customer_trees
    from icmap.cli import check_cmd, diff_cmd, graph_cmd, impact_cmd
    from icmap.cli.output import prepare
    from icmap.render.picture import tree as terminal
    from icmap.render.report import markdown as report_markdown
    from icmap.render.report import terminal as report_terminal

    def tree(org: Org) -> str | bytes:
        graph = build_graph(org)
        return prepare(terminal.org_view(graph, customer_trees(graph), reach(graph)))

    def report(fmt: str) -> Callable[[Org], str | bytes]:
        def make(org: Org) -> str | bytes:
            graph = build_graph(org)
            result = build_report(graph)
            if fmt == "json":
                return prepare(report_json.render(result, graph), fmt)
            if fmt == "markdown":
                return prepare(report_markdown.render(result), fmt)
            return prepare(report_terminal.render(result), fmt)

        return make

    def picture(fmt: graph_cmd.GraphFormat) -> Callable[[Org], str | bytes]:
        def make(org: Org) -> str | bytes:
            graph = build_graph(org)
            return prepare(graph_cmd._draw(fmt, whole_org(graph), graph), fmt.value)

        return make

    def hit(fmt: impact_cmd.ImpactFormat) -> Callable[[Org], str | bytes]:
        def make(org: Org) -> str | bytes:
            graph = build_graph(org)
            result = impact(graph, [sorted(org.teams)[0]])
            return prepare(impact_cmd._render(fmt, graph, result, down=True, up=True), fmt.value)

        return make

    def check(fmt: check_cmd.CheckFormat) -> Callable[[Org], str | bytes]:
        def make(org: Org) -> str | bytes:
            policy = build_policy(all_rules(), {}, strict=True)
            findings = run_check(org, build_graph(org), policy)
            return prepare(check_cmd._render(fmt, findings, policy, failed=True), fmt.value)

        return make

    def change(fmt: diff_cmd.DiffFormat) -> Callable[[Org], str | bytes]:
        def make(org: Org) -> str | bytes:
            other = load_text(MINIMAL_ORG)
            result = diff_orgs(other, org, build_graph(other), build_graph(org))
            return prepare(diff_cmd._render(fmt, result, "base", "head", []), fmt.value)

        return make

    outputs: dict[str, Callable[[Org], str | bytes]] = {"graph text": tree}
    outputs |= {f"report {f}": report(f) for f in ("text", "markdown", "json")}
    outputs |= {
        f"graph {f.value}": picture(f)
        for f in graph_cmd.GraphFormat
        if f.value not in ("text", "svg", "png", "pdf")  # images: drawn by dot from the DOT
    }
    outputs |= {f"impact {f.value}": hit(f) for f in impact_cmd.ImpactFormat}
    outputs |= {f"check {f.value}": check(f) for f in check_cmd.CheckFormat}
    outputs |= {f"diff {f.value}": change(f) for f in diff_cmd.DiffFormat}
    return outputs


OUTPUTS = _outputs()


MINIMAL_ORG = "customers: {cust: {}}\nteams:\n  a: {provides: [{what: x, to: cust}]}\n"


def _reject_constant(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")


def test_hostile_text_in_every_field_gives_safe_outputs_that_parse(tmp_path: Path) -> None:
    """Control and bidi characters in every string field: refused where written, or the output
    (each example draws one command and format) is free of them and parses with its real
    parser: strict JSON, xml.etree, Graphviz's dot and the Mermaid parser (both in batches)."""
    dots: dict[str, str] = {}
    mermaids: dict[str, str] = {}

    @given(hostile_orgs(), st.sampled_from(sorted(OUTPUTS)))
    def run(document: str, name: str) -> None:
        try:
            org = load_text(document)
        except LoadError as error:
            # IC001: YAML itself forbids DEL and C1 written raw; IC007: escapes that wrote them
            assert all(d.code in ("IC001", "IC007") for d in error.diagnostics), error.diagnostics
            assert all("character" in d.message for d in error.diagnostics)
            return
        output = OUTPUTS[name](org)
        assert isinstance(output, str)
        found = {f"U+{ord(c):04X}" for c in output if c in _UNSAFE_OUT}
        assert not found, f"{name} carries {sorted(found)}"
        if name.endswith(("json", "sarif")):
            json.loads(output, parse_constant=_reject_constant)
        elif name.endswith("junit"):
            ET.fromstring(output)
        elif name.endswith("html"):
            page = output.split('id="icmap-data">', 1)[1].split("</script>", 1)[0]
            json.loads(page, parse_constant=_reject_constant)
        elif name.endswith("dot"):
            dots.setdefault(output, name)
        elif name.endswith("mermaid"):
            mermaids.setdefault(output, name)

    run()
    _parse_all(tmp_path, dots, "dot", ["dot", "-Tcanon", "-o", os.devnull])
    if MERMAID_PARSER is not None:
        _parse_all(tmp_path, mermaids, "mmd", ["node", str(MERMAID_PARSER)])


MERMAID_PARSER = Path(__file__).parent / "mermaid" / "parse.mjs"
if shutil.which("node") is None or not (MERMAID_PARSER.parent / "node_modules").is_dir():
    MERMAID_PARSER = None  # type: ignore[assignment]


def _parse_all(folder: Path, texts: dict[str, str], suffix: str, command: list[str]) -> None:
    """Every text through the real parser, in batches (one process per few hundred files)."""
    if shutil.which(command[0]) is None:
        pytest.skip(f"needs {command[0]}")
    paths = []
    for index, text in enumerate(texts):
        path = folder / f"{index}.{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    for start in range(0, len(paths), 500):
        batch = paths[start : start + 500]
        done = subprocess.run([*command, *batch], capture_output=True, text=True, check=False)
        assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]


_TAGS = st.sampled_from(
    ["!!python/object/apply:os.system", "!!binary", "!custom", "!!set", "!vault", "!!omap"]
)


@given(_TAGS, st.sampled_from(["team id", "to list", "team body", "provides", "ignore key"]))
def test_tags_anywhere_the_format_reads_are_errors(tag: str, where: str) -> None:
    body = {
        "team id": f"  {tag} kitchen: {{provides: [{{what: x, to: c}}]}}\n",
        "to list": f"  kitchen: {{provides: [{{what: x, to: {tag} [c]}}]}}\n",
        "team body": f"  kitchen: {tag} {{provides: [{{what: x, to: c}}]}}\n",
        "provides": f"  kitchen: {{provides: {tag} [{{what: x, to: c}}]}}\n",
        "ignore key": f"  kitchen: {{provides: [{{what: x, to: c}}], ignore: {{{tag} IC302: r}}}}\n",
    }[where]
    try:
        load_text("customers: {c: {}}\nteams:\n" + body)
    except LoadError as error:
        assert any(d.code in ("IC002", "IC003") for d in error.diagnostics), error.diagnostics
    else:
        raise AssertionError(f"{tag} on the {where} was accepted")


def _shape(node: object, seen: dict[int, int] | None = None) -> object:
    """A comparable picture of a node tree: tag, position and value, aliases by first visit."""
    import yaml

    from icmap.loader import compose

    seen = {} if seen is None else seen
    if id(node) in seen:
        return ("alias", seen[id(node)])
    seen[id(node)] = len(seen)
    if isinstance(node, yaml.Node):
        line, column, value, tag = (
            node.start_mark.line,
            node.start_mark.column,
            node.value,
            node.tag,
        )
    else:
        assert isinstance(node, compose.Node)
        line, column, value, tag = node.line, node.column, node.value, node.tag
    if isinstance(value, str):
        return (tag, line, column, value)
    items = [
        (_shape(k, seen), _shape(v, seen)) if isinstance(pair, tuple) else _shape(pair, seen)
        for pair in value
        for k, v in [pair if isinstance(pair, tuple) else (pair, pair)]
    ]
    return (tag, line, column, items)


@given(st.one_of(valid_orgs(), st.text(max_size=200)), st.data())
def test_the_composer_builds_what_pyyaml_builds(document: str, data: st.DataObject) -> None:
    """icmap's iterative composer gives PyYAML's tree (tags, positions, values, shared aliases)
    wherever PyYAML succeeds, and an error wherever it fails."""
    import yaml

    from icmap.loader import compose

    text = _mutate(document, data) if data.draw(st.booleans()) else document
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        expected = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            compose.compose(text, loader)
        return
    except RecursionError:
        return
    got = compose.compose(text, loader)
    assert (got is None) == (expected is None)
    if expected is not None:
        assert _shape(got) == _shape(expected)
