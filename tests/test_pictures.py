"""``icmap graph`` pictures: every format from every example, hostile names, Graphviz missing."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES, node_link_graph, write
from icmap import build_graph, load
from icmap.cli import app
from icmap.render.picture.dot import escape as dot_escape

HAVE_DOT = shutil.which("dot") is not None
# In CI Graphviz is installed by .ci/run: a missing dot there is a failure, not a skip.
needs_dot = pytest.mark.skipif(
    not HAVE_DOT and not os.environ.get("CI"), reason="Graphviz's dot is not installed"
)

HOSTILE_NAMES = [
    'Quote " and \\ backslash',
    "<script>alert(1)</script>",
    "Tom & Jerry's <b>bold</b>",
    "two\nlines",
    "braces {x} [y] (z) | pipe",
    "%% not a comment",
    "end",
    "graph",
    "subgraph",
    "strict",
    "日本語チーム 🚀",
    "<<html>>",
    "ends with backslash \\",
    "#quot; entity",
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _hostile_org(tmp_path: Path) -> Path:
    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lines = [f"organisation: {quoted(HOSTILE_NAMES[1])}"]
    lines.append(f"customers: {{c: {{name: {quoted(HOSTILE_NAMES[0])}}}}}")
    lines.append("teams:")
    for i, name in enumerate(HOSTILE_NAMES):
        receiver = "c" if i == 0 else f"t{i - 1}"
        relation = f"{{what: {quoted(name)}, to: {receiver}, lead_time: 1h}}"
        lines.append(
            f"  t{i}: {{name: {quoted(name)}, group: {quoted(name)}, provides: [{relation}]}}"
        )
    return write(tmp_path, "hostile.yaml", "\n".join(lines) + "\n")


def _draw(runner: CliRunner, org: Path, fmt: str, tmp_path: Path) -> Path:
    target = tmp_path / f"out.{fmt}"
    result = runner.invoke(app, ["graph", str(org), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {target}\n"
    return target


def _labels(org: Path) -> list[str]:
    loaded = load(org)
    return [p.label for p in (*loaded.teams.values(), *loaded.customers.values())]


def _dot_json(dot_text: str) -> dict[str, object]:
    done = subprocess.run(
        ["dot", "-Tjson"], input=dot_text.encode(), capture_output=True, check=True
    )
    data: dict[str, object] = json.loads(done.stdout)
    return data


# --- every format from every example ------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_dot_parses_back_with_every_team(runner: CliRunner, org: Path, tmp_path: Path) -> None:
    data = _dot_json(_draw(runner, org, "dot", tmp_path).read_text(encoding="utf-8"))
    labels = [str(o.get("label", "")) for o in data["objects"]]  # type: ignore[attr-defined]
    for name in _labels(org):
        assert any(label.startswith(name) for label in labels), name


@needs_dot
@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_svg_is_well_formed_with_every_team(runner: CliRunner, org: Path, tmp_path: Path) -> None:
    root = ET.parse(_draw(runner, org, "svg", tmp_path)).getroot()
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for name in _labels(org):
        assert name in text


@needs_dot
@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_binary_images(runner: CliRunner, fmt: str, tmp_path: Path) -> None:
    data = _draw(runner, EXAMPLES / "restaurant.yaml", fmt, tmp_path).read_bytes()
    assert data.startswith(b"\x89PNG" if fmt == "png" else b"%PDF")


def _chain_serving_the_customer(length: int) -> str:
    """Teams in a chain, each also serving the customer, the chain across three groups."""
    lines = ["customers:", "  c: {name: C}", "teams:"]
    for i in range(length):
        lines += [f"  t{i}:", f"    group: G{i % 3}", "    provides:"]
        lines.append(f"      - {{what: W{i}, to: c, lead_time: {i + 1}h}}")
        if i:
            lines.append(f"      - {{what: V{i}, to: t{i - 1}, lead_time: 1h}}")
    return "\n".join(lines) + "\n"


@needs_dot
def test_a_chain_serving_the_customer_at_every_step_is_drawn(tmp_path: Path) -> None:
    """dot's placing of nodes never ended on this shape at 100 teams (10 s at 60); bounded
    (``nslimit``), it takes seconds. The generous timeout only tells "ends" from "never"."""
    org = write(tmp_path, "chain.yaml", _chain_serving_the_customer(100))
    target = tmp_path / "chain.svg"
    done = subprocess.run(
        [sys.executable, "-m", "icmap", "graph", str(org), "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    root = ET.parse(target).getroot()
    text = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"t0", "t99", "C"} <= text


class _StrictHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag not in {"meta", "br", "input"}:  # HTML void elements
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _check_html(page: str, *, legend: bool = True) -> _StrictHTML:
    """``legend``: whether the page draws a picture, which its legend explains."""
    parser = _StrictHTML()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert parser.scripts == 3  # the JSON data, the layout engine and the script: nothing injected
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page
    svg = re.search(r"<svg.*?</svg>", page, re.DOTALL)  # the legend's drawing
    if not legend:
        assert svg is None and 'id="legend"' not in page
        return parser
    assert svg is not None
    ET.fromstring(svg.group(0))
    return parser


def page_data(page: str) -> dict[str, Any]:
    """The JSON the page's script reads (the picture itself is drawn in the browser)."""
    found = re.search(r'id="icmap-data">(.*?)</script>', page, re.DOTALL)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_html_is_self_contained_and_well_formed(
    runner: CliRunner, org: Path, tmp_path: Path
) -> None:
    page = _draw(runner, org, "html", tmp_path).read_text(encoding="utf-8")
    _check_html(page)
    data = page_data(page)
    ids = {n["id"] for n in data["nodes"]}
    assert ids == set(build_graph(load(org)).nodes)
    assert all("provides" in n and "receives" in n for n in data["nodes"])
    labels = {n["label"] for n in data["nodes"]}
    for name in _labels(org):
        assert name in labels
        assert dot_escape(name) in data["dot"]  # the DOT the browser lays out names it


_MERMAID_LINE = re.compile(
    r'^(---|title: ".*"|flowchart LR|  n\d+(\(\[".*"\]\)|\[/".*"/\]|\[".*"\]|\{\{".*"\}\})'
    r'|\s+n\d+(\["[^"]*"\]|\{\{"[^"]*"\}\})|  subgraph g\d+\["[^"]*"\]|  end'
    r'|  n\d+ (-->|-\.->|==>)(\|"[^"]*"\|)? n\d+|  n\d+ ~~~ n\d+|    direction TB'
    r"|  classDef \w+ [\w:#,.\-]+|  class [n\d,]+ \w+|  linkStyle [\d,]+ [\w:#,;.\-]+)$"
)


def _check_mermaid(text: str) -> None:
    lines = text.splitlines()
    assert lines[:4] == ["---", lines[1], "---", "flowchart LR"]
    for line in lines:
        assert _MERMAID_LINE.match(line), line
    assert text.count("  subgraph ") == len([x for x in lines if x == "  end"])
    for line in lines[4:]:
        for label in re.findall(r'"([^"]*)"', line):
            assert not set(label) & set('"<>&%`|\\') or "<br/>" in label, label


@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_mermaid_is_structurally_valid(runner: CliRunner, org: Path, tmp_path: Path) -> None:
    text = _draw(runner, org, "mmd", tmp_path).read_text(encoding="utf-8")
    _check_mermaid(text)
    for name in _labels(org):
        assert name.replace("&", "#amp;") in text


@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_json_loads_back_into_networkx(runner: CliRunner, org: Path, tmp_path: Path) -> None:
    data = json.loads(_draw(runner, org, "json", tmp_path).read_text(encoding="utf-8"))
    loaded = node_link_graph(data)
    original = build_graph(load(org))
    assert set(loaded.nodes) == set(original.nodes)
    assert set(loaded.edges) == set(original.edges)
    assert loaded.nodes["diners" if "diners" in loaded else next(iter(loaded))]["kind"]
    some_edge = next(iter(original.edges))
    assert loaded.edges[some_edge]["relations"][0]["what"]


# --- hostile names ------------------------------------------------------------------------------


def _unescape(label: str) -> str:
    """A DOT label as Graphviz shows it: escapes for backslash, quote and line break undone."""
    return (
        label.replace("\\\\", "\x00").replace("\\n", "\n").replace('\\"', '"').replace("\x00", "\\")
    )


@needs_dot
def test_hostile_names_in_dot_and_svg(runner: CliRunner, tmp_path: Path) -> None:
    org = _hostile_org(tmp_path)
    dot_text = _draw(runner, org, "dot", tmp_path).read_text(encoding="utf-8")
    data = _dot_json(dot_text)
    labels = {_unescape(str(o.get("label"))) for o in data["objects"]}  # type: ignore[attr-defined]
    for name in HOSTILE_NAMES:
        assert any(label.startswith(name) for label in labels), name
    svg = _draw(runner, org, "svg", tmp_path)
    root = ET.parse(svg).getroot()
    assert not [e for e in root.iter() if e.tag.endswith(("script", "}b"))]


def test_hostile_names_in_html(runner: CliRunner, tmp_path: Path) -> None:
    page = _draw(runner, _hostile_org(tmp_path), "html", tmp_path).read_text(encoding="utf-8")
    parser = _check_html(page)
    assert "<script>alert" not in page
    assert "<b>bold" not in page
    assert "Tom & Jerry's <b>bold</b>" in {n["label"] for n in page_data(page)["nodes"]}
    assert "<script>alert(1)</script>" in parser.text  # the title: text, not an element


def test_hostile_names_in_mermaid(runner: CliRunner, tmp_path: Path) -> None:
    text = _draw(runner, _hostile_org(tmp_path), "mmd", tmp_path).read_text(encoding="utf-8")
    _check_mermaid(text)
    assert "#lt;script#gt;" in text
    assert "%%" not in text


def test_hostile_names_in_json(runner: CliRunner, tmp_path: Path) -> None:
    data = json.loads(
        _draw(runner, _hostile_org(tmp_path), "json", tmp_path).read_text(encoding="utf-8")
    )
    assert {n["name"] for n in data["nodes"]} >= set(HOSTILE_NAMES[1:])


# --- options and failures -------------------------------------------------------------------------


def test_format_to_stdout(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", str(EXAMPLES / "restaurant.yaml"), "-f", "mermaid"])
    assert result.exit_code == 0
    assert result.stdout.startswith('---\ntitle: "Bistro Lumière"')


def test_focus_keeps_the_neighbourhood_and_marks_elided_edges(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "focus.json"
    result = runner.invoke(
        app,
        [
            "graph",
            str(EXAMPLES / "northwind"),
            "--focus",
            "Brand Marketing",
            "--depth",
            "1",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    ids = {n["id"] for n in data["nodes"]}
    assert {"marketing", "b2b-sales", "crm", "leadership", "shoppers", "clubs"} <= ids
    assert "payments" not in ids
    assert any(link["elided"] for link in data["links"])
    assert [n["id"] for n in data["nodes"] if n.get("role") == "focus"] == ["marketing"]


def test_group_picture(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["graph", str(EXAMPLES / "northwind"), "--group", "operations", "-f", "json"]
    )
    data = json.loads(result.stdout)
    focus = {n["id"] for n in data["nodes"] if n.get("role") == "focus"}
    assert focus == {"facilities", "fulfilment", "inbound", "inventory", "last-mile", "procurement"}
    assert data["graph"]["notes"][0].startswith("6 teams in Operations; ")
    bad = runner.invoke(
        app, ["graph", str(EXAMPLES / "northwind"), "--group", "Operation", "-f", "json"]
    )
    assert bad.exit_code == 2
    assert "no group 'Operation' in this org; did you mean 'Operations'?" in bad.stderr
    far = runner.invoke(app, ["graph", str(EXAMPLES / "northwind"), "--group", "zzzzz"])
    assert far.exit_code == 2
    assert "groups: Commerce, Corporate, Customer Experience, Marketing & Sales," in far.stderr


def test_a_group_asked_of_an_org_without_groups(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path, "org.yaml", "customers: {c: {}}\nteams: {t: {provides: [{what: w, to: c}]}}\n"
    )
    result = runner.invoke(app, ["graph", str(org), "--group", "x"])
    assert result.exit_code == 2
    assert "no group 'x' in this org; it has none (a team names its own with group:)" in (
        result.stderr
    )


def test_large_orgs_get_a_readability_note(runner: CliRunner, tmp_path: Path) -> None:
    teams = "\n".join(f"  t{i}: {{provides: [{{what: w, to: c}}]}}" for i in range(130))
    org = write(tmp_path, "big.yaml", f"customers: {{c: {{}}}}\nteams:\n{teams}\n")
    result = runner.invoke(app, ["graph", str(org), "-f", "mermaid"])
    assert result.exit_code == 0
    assert (
        "131 nodes make a whole-org picture hard to read; try --focus TEAM or --group NAME"
        in result.stderr
    )


def test_missing_graphviz_is_exit_2_and_writes_nothing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "out.svg"
    result = runner.invoke(app, ["graph", str(EXAMPLES / "restaurant.yaml"), "-o", str(target)])
    assert result.exit_code == 2
    assert "svg needs Graphviz's 'dot' program, not found: install Graphviz" in result.stderr
    assert "The dot, mermaid, json and html formats work without it." in result.stderr
    assert list(tmp_path.iterdir()) == []
    for fmt in ("dot", "mmd", "json", "html"):
        assert (
            runner.invoke(
                app, ["graph", str(EXAMPLES / "restaurant.yaml"), "-o", str(tmp_path / f"x.{fmt}")]
            ).exit_code
            == 0
        )


# --- the real Mermaid parser (Node, installed by .ci/run with npm ci in tests/mermaid) ----------

MERMAID_DIR = Path(__file__).parent / "mermaid"
HAVE_MERMAID = (
    shutil.which("node") is not None and (MERMAID_DIR / "node_modules" / "mermaid").is_dir()
)
needs_mermaid = pytest.mark.skipif(
    not HAVE_MERMAID and not os.environ.get("CI"),
    reason="run 'npm ci' in tests/mermaid for the real Mermaid parser",
)


@needs_mermaid
def test_mermaid_accepted_by_the_real_parser(runner: CliRunner, tmp_path: Path) -> None:
    files = []
    for org in [*EXAMPLE_PATHS, _hostile_org(tmp_path)]:
        folder = tmp_path / org.stem
        folder.mkdir()
        files.append(_draw(runner, org, "mmd", folder))
    impact = tmp_path / "impact.mmd"
    runner.invoke(
        app, ["impact", "kitchen", "--org", str(EXAMPLES / "restaurant.yaml"), "-o", str(impact)]
    )
    files.append(impact)
    done = subprocess.run(
        ["node", str(MERMAID_DIR / "parse.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("ok ") == len(files)


def test_the_vendored_engine_is_pinned_licensed_and_packaged() -> None:
    from conftest import ROOT

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    vendor = ROOT / "src" / "icmap" / "render" / "picture" / "vendor" / "viz-js"
    pinned = dict(
        line.split(": ", 1)
        for line in (vendor / "VERSION").read_text(encoding="utf-8").splitlines()
    )
    engine = (vendor / "viz-global.js").read_text(encoding="utf-8")
    assert engine.startswith(f"/*!\nViz.js {pinned['version']}\n")
    assert f'graphvizVersion="{pinned["graphviz"]}"' in engine
    assert "MIT License" in (vendor / "LICENSE").read_text(encoding="utf-8")
    assert "Eclipse Public License" in (vendor / "LICENSE").read_text(encoding="utf-8")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "render/picture/vendor/viz-js/*" in config["tool"]["setuptools"]["package-data"]["icmap"]
    assert (ROOT / "scripts" / "refresh-vendor.sh").stat().st_mode & 0o111


def test_report_html_is_the_graph_page(runner: CliRunner, tmp_path: Path) -> None:
    org = EXAMPLES / "northwind"
    target = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(org), "-o", str(target), "--today", "2026-01-01"])
    assert result.exit_code == 0, result.stderr
    page = target.read_text(encoding="utf-8")
    graph_page = runner.invoke(app, ["graph", str(org), "-f", "html"]).stdout
    assert page == graph_page
    _check_html(page)
    data = page_data(page)
    assert set(data["critical"]) == {"clubs", "shoppers"}
    support = next(n for n in data["nodes"] if n["id"] == "support")
    assert support["facts"]["critical_for"] == ["shoppers"]
    # Its downstream is not listed in the page: the script walks the hand-offs the page carries.
    assert "downstream" not in support["facts"]
    reach = data["downstream"]
    ids, succ = reach["ids"], reach["succ"]
    seen, todo = set(), [ids.index("support")]
    while todo:
        for nxt in succ[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert "returns" in {ids[i] for i in seen}
    assert "<h2>Chokepoints</h2><ul><li>last-mile: strands 6" in page


def test_an_impact_legend_lists_only_what_it_draws() -> None:
    """Every team in an impact picture is drawn in its role's colours: no white "team" swatch."""
    result = CliRunner().invoke(
        app, ["impact", "kitchen", "--org", str(EXAMPLES / "restaurant.yaml"), "-f", "dot"]
    )
    assert result.exit_code == 0, result.stderr
    entries = re.findall(r'ALIGN="LEFT">([^<]+)<', result.stdout)
    assert "team" not in entries
    assert "failed" in entries and "upstream: feeds the failed team" in entries
    # Wait staff is front line and downstream: its border still needs the front-line entry.
    assert "front-line team (serves a customer)" in entries
    focus = CliRunner().invoke(
        app, ["graph", str(EXAMPLES / "northwind"), "--focus", "marketing", "-f", "dot"]
    )
    assert "team" in re.findall(r'ALIGN="LEFT">([^<]+)<', focus.stdout)  # plain teams drawn


# --- edge labels drawn on top of each other (issue 24, item 9) ----------------------------------

#: Helvetica's advance widths (1/1000 em) for ASCII 32-126, the metrics Graphviz lays the labels
#: out with (Liberation Sans and Arial share them); other characters count as a digit's width.
_HELVETICA = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278]
_HELVETICA += [556] * 10 + [278, 278, 584, 584, 584, 556, 1015]
_HELVETICA += [667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667]
_HELVETICA += [778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333]
_HELVETICA += [556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556]
_HELVETICA += [556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]
_SVG = "{http://www.w3.org/2000/svg}"


def _text_width(text: str, size: float) -> float:
    widths = (_HELVETICA[ord(c) - 32] if 32 <= ord(c) < 127 else 556 for c in text)
    return sum(widths) * size / 1000


def edge_label_boxes(svg: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each hand-off label in Graphviz's SVG and its box, wherever it is drawn: on an edge
    (``class="edge"``) or as a node of its own (``class="node handoff-label"``). Every line is
    a ``<text>`` centred (text-anchor middle) on x with its baseline at y; the box runs from the
    ascent of the first line to the descent of the last, as wide as the widest line."""
    boxes = []
    for group in ET.fromstring(svg).iter(f"{_SVG}g"):
        if not {"edge", "handoff-label"} & set((group.get("class") or "").split()):
            continue
        lines = list(group.iter(f"{_SVG}text"))
        if not lines:
            continue
        left = top = float("inf")
        right = bottom = float("-inf")
        for line in lines:
            x, y, size = (float(line.get(k, "0")) for k in ("x", "y", "font-size"))
            half = _text_width(line.text or "", size) / 2
            left, right = min(left, x - half), max(right, x + half)
            top, bottom = min(top, y - 0.9 * size), max(bottom, y + 0.25 * size)
        label = " / ".join(line.text or "" for line in lines)
        boxes.append((label, (left, top, right, bottom)))
    return boxes


def overlapping_labels(svg: str) -> list[tuple[str, str]]:
    """Pairs of hand-off labels whose boxes overlap."""
    boxes = edge_label_boxes(svg)
    return [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if box_a[0] < box_b[2]
        and box_b[0] < box_a[2]
        and box_a[1] < box_b[3]
        and box_b[1] < box_a[3]
    ]


def _curve(d: str) -> list[tuple[float, float]]:
    """Points along a Graphviz path (``M x,y C x,y x,y x,y …``): 8 per cubic Bézier piece."""
    nums = [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)]
    points = [nums[0]]
    for i in range(1, len(nums) - 2, 3):
        p0, p1, p2, p3 = nums[i - 1 : i + 3]
        for k in range(1, 9):
            t = k / 8
            weights = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3)
            points.append(
                (
                    sum(w * q[0] for w, q in zip(weights, (p0, p1, p2, p3), strict=True)),
                    sum(w * q[1] for w, q in zip(weights, (p0, p1, p2, p3), strict=True)),
                )
            )
    return points


def labels_far_from_their_line(svg: str, limit: float) -> list[tuple[str, float]]:
    """Hand-off labels more than ``limit`` pt from their own hand-off's line, with how far.
    A hand-off's parts share an id, ``icmap-eN`` (its edge, or its halves ``-from`` and
    ``-to`` and its label ``-label``)."""
    parts: dict[str, list[ET.Element]] = {}
    for group in ET.fromstring(svg).iter(f"{_SVG}g"):
        found = re.fullmatch(r"(icmap-e\d+)(-\w+)?", group.get("id") or "")
        if found:
            parts.setdefault(found.group(1), []).append(group)
    far = []
    for groups in parts.values():
        wrapper = ET.Element("svg")
        wrapper.extend(groups)
        [(label, box)] = edge_label_boxes(ET.tostring(wrapper, encoding="unicode"))
        points = [
            point
            for group in groups
            if "edge" in (group.get("class") or "").split()
            for path in group.iter(f"{_SVG}path")
            for point in _curve(path.get("d", ""))
        ]
        gap = min(
            math.hypot(max(box[0] - x, 0, x - box[2]), max(box[1] - y, 0, y - box[3]))
            for x, y in points
        )
        if gap > limit:
            far.append((label, round(gap, 1)))
    return far


def _generated(tmp_path: Path, teams: int, seed: int) -> Path:
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import org_document
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return write(tmp_path, f"org-{teams}-{seed}.json", json.dumps(org_document(teams, seed=seed)))


def test_label_boxes_are_measured_from_the_svg() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><g class="edge"><text x="100" y="50" '
        'font-size="10">ab</text></g><g class="edge"><text x="108" y="52" font-size="10">'
        'c</text></g><g class="edge"><text x="300" y="50" font-size="10">ab</text></g></svg>'
    )
    label, box = edge_label_boxes(svg)[0]
    assert label == "ab" and box == pytest.approx((94.44, 41.0, 105.56, 52.5))
    assert overlapping_labels(svg) == [("ab", "c")]


@needs_dot
@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_no_hand_off_labels_drawn_on_top_of_each_other(
    runner: CliRunner, org: Path, tmp_path: Path
) -> None:
    svg = _draw(runner, org, "svg", tmp_path).read_text(encoding="utf-8")
    assert edge_label_boxes(svg)
    assert overlapping_labels(svg) == []


#: How far (pt) a label's words may be from its own line: Graphviz 2.43 sizes 11 pt text wider
#: than Helvetica's widths, which the label boxes are measured with, so the line may stop a few
#: points short of the words as measured; a label beside another line is farther.
LABEL_GAP = 16


@needs_dot
@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_every_hand_off_label_sits_on_its_own_line(
    runner: CliRunner, org: Path, tmp_path: Path
) -> None:
    svg = _draw(runner, org, "svg", tmp_path).read_text(encoding="utf-8")
    assert labels_far_from_their_line(svg, LABEL_GAP) == []


@needs_dot
@pytest.mark.parametrize(("teams", "seed"), [(13, 1), (13, 2), (20, 3), (40, 4)])
def test_no_labels_on_top_of_each_other_in_generated_orgs(
    runner: CliRunner, teams: int, seed: int, tmp_path: Path
) -> None:
    svg = _draw(runner, _generated(tmp_path, teams, seed), "svg", tmp_path).read_text(
        encoding="utf-8"
    )
    assert len(edge_label_boxes(svg)) >= 3 * teams
    assert overlapping_labels(svg) == []
    assert labels_far_from_their_line(svg, LABEL_GAP) == []


def _too_large_org(tmp_path: Path, *, grouped: bool = True) -> Path:
    """A generated org with more hand-offs than the page lays out in the browser."""
    from icmap.analysis.page import BROWSER_HANDOFFS

    org = _generated(tmp_path, BROWSER_HANDOFFS * 3 // 10, 1)
    if not grouped:
        doc = json.loads(org.read_text(encoding="utf-8"))
        for body in doc["teams"].values():
            body.pop("group", None)
        org.write_text(json.dumps(doc), encoding="utf-8")
    assert build_graph(load(org)).number_of_edges() > BROWSER_HANDOFFS
    return org


def test_a_page_too_large_for_the_browser_draws_the_overview_and_says_why(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = _too_large_org(tmp_path)
    target = tmp_path / "all.html"
    result = runner.invoke(app, ["graph", str(org), "--all", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    [note] = [i for i, line in enumerate(lines) if "Graphviz in a browser" in line]
    assert lines[note].startswith("icmap: note: The picture asked for, Synthetic org of ")
    assert "so the page draws the group overview instead" in lines[note]
    assert "--group NAME or --focus TEAM" in lines[note] and "-f gexf" in lines[note]
    # Said before the page is written.
    assert note < next(i for i, line in enumerate(lines) if line.startswith("wrote"))
    page = target.read_text(encoding="utf-8")
    _check_html(page)
    data = page_data(page)
    assert data["dot"] and all(
        n["kind"] != "team" or n["id"].startswith("group:") for n in data["nodes"]
    )
    banner = re.search(r'<div id="too-large" role="note"><p>(.*?)</p>', page)
    assert banner is not None
    assert banner.group(1).replace("&#x27;", "'") == lines[note].removeprefix("icmap: note: ")
    # --help gives the same limit.
    from icmap.analysis.page import BROWSER_HANDOFFS

    shown = " ".join(runner.invoke(app, ["graph", "--help"]).output.split())
    assert f"An HTML page of more than {BROWSER_HANDOFFS:,} hand-offs" in shown
    # The overview without --all says nothing of the browser: it was what the page draws.
    plain = runner.invoke(app, ["graph", str(org), "-o", str(tmp_path / "plain.html")])
    assert plain.exit_code == 0 and "Graphviz in a browser" not in plain.stderr
    assert 'id="too-large"' not in (tmp_path / "plain.html").read_text(encoding="utf-8")


def test_a_page_too_large_and_without_groups_draws_no_picture_and_says_why(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = _too_large_org(tmp_path, grouped=False)
    target = tmp_path / "all.html"
    result = runner.invoke(app, ["graph", str(org), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert "so the page draws no picture; its panel has the report's results" in result.stderr
    [note] = [line for line in result.stderr.splitlines() if "Graphviz in a browser" in line]
    assert "--focus TEAM draws part" in note and "--group" not in note  # no groups to name
    page = target.read_text(encoding="utf-8")
    _check_html(page, legend=False)  # nothing drawn to explain
    data = page_data(page)
    assert data["dot"] is None and data["edges"] == []
    # Not drawn, but there for the panel: every team, customer and supplier, to find by search.
    graph = build_graph(load(org))
    assert sorted(n["id"] for n in data["nodes"]) == sorted(graph.nodes)
    assert data["critical"]  # each customer's critical path, listed in the panel
    assert '<p id="too-large" role="note">The picture asked for' in page
    assert '<script type="text/plain" id="icmap-engine"></script>' in page  # no engine to start
    assert "<h2>Critical paths</h2>" in page  # the panel's results are all there
    assert 'id="fit"' not in page and 'id="zoom-in"' not in page  # nothing to zoom


def test_report_html_too_large_for_the_browser_says_so_too(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = _too_large_org(tmp_path, grouped=False)  # no groups: the report's page is every team
    target = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(org), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert "icmap: note: The picture asked for" in result.stderr
    assert "so the page draws no picture" in result.stderr
    page = target.read_text(encoding="utf-8")
    assert '<p id="too-large" role="note">The picture asked for' in page
    assert page_data(page)["dot"] is None


def test_a_large_page_draws_its_hand_offs_as_lines_and_its_dot_file_keeps_labels(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Past LABELLED_HANDOFFS the page's DOT has no label nodes (what flows is in each line's
    tooltip and the page's data); ``-f dot`` of the same picture is unchanged."""
    from icmap.analysis.page import LABELLED_HANDOFFS

    org = _generated(tmp_path, LABELLED_HANDOFFS * 3 // 10, 1)
    handoffs = build_graph(load(org)).number_of_edges()
    assert handoffs > LABELLED_HANDOFFS
    page = tmp_path / "all.html"
    result = runner.invoke(app, ["graph", str(org), "--all", "-o", str(page)])
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    _check_html(text)
    data = page_data(text)
    source = data["dot"]
    assert "-label" not in source and "mclimit=0.1" in source
    assert len(re.findall(r'id="icmap-e\d+-to"', source)) == handoffs
    assert all(edge["label"] for edge in data["edges"])
    assert f"Past {LABELLED_HANDOFFS:,} hand-offs they are drawn without their labels" in text
    first = data["edges"][0]
    assert (
        f'tooltip="{dot_escape(first["from"] + " → " + first["to"] + ": " + first["label"])}"'
        in source
    )
    # The DOT file keeps a node per label and the full crossing search.
    target = tmp_path / "all.dot"
    assert runner.invoke(app, ["graph", str(org), "--all", "-o", str(target)]).exit_code == 0
    dot_file = target.read_text(encoding="utf-8")
    assert len(re.findall(r'id="icmap-e\d+-label"', dot_file)) == handoffs
    assert "mclimit" not in dot_file


def test_a_page_of_few_hand_offs_keeps_its_labels(runner: CliRunner, tmp_path: Path) -> None:
    from icmap.analysis.page import LABELLED_HANDOFFS

    page = tmp_path / "page.html"
    result = runner.invoke(app, ["graph", str(EXAMPLES / "northwind"), "-o", str(page)])
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    data = page_data(text)
    assert len(data["edges"]) <= LABELLED_HANDOFFS
    assert all(set(edge) == {"from", "to"} for edge in data["edges"])
    labels = re.findall(r'id="icmap-e\d+-label"', data["dot"])
    assert len(labels) == len(data["edges"]) and "mclimit" not in data["dot"]
    assert "drawn without their labels" not in text
    for button in ("fit", "whole", "zoom-in", "zoom-out", "hide-panel"):
        assert f'id="{button}"' in text


def test_a_hand_off_between_two_loops_is_in_neither(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {u: {}}\nteams:\n"
        "  a: {provides: [{what: X, to: b}]}\n"
        "  b: {provides: [{what: Y, to: a}, {what: Z, to: c}]}\n"
        "  c: {provides: [{what: W, to: d}, {what: S, to: u}]}\n"
        "  d: {provides: [{what: V, to: c}]}\n",
    )
    data = json.loads(runner.invoke(app, ["graph", str(org), "-f", "json"]).stdout)
    in_loop = {(link["source"], link["target"]) for link in data["links"] if link["in_loop"]}
    assert in_loop == {("a", "b"), ("b", "a"), ("c", "d"), ("d", "c")}  # not b → c
    dot = runner.invoke(app, ["graph", str(org), "-f", "dot"]).stdout
    between = [line for line in dot.splitlines() if 'tooltip="b → c"' in line]
    assert between and not any("loop" in line for line in between)


def test_a_group_written_as_asked_wins_over_one_in_another_case(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {u: {}}\nteams:\n  a: {group: Back, provides: [{what: x, to: u}]}\n"
        "  b: {group: back, provides: [{what: y, to: a}]}\n",
    )
    lower = runner.invoke(app, ["graph", str(org), "--group", "back"]).stdout
    assert "Group back" in lower
    upper = runner.invoke(app, ["graph", str(org), "--group", "Back"]).stdout
    assert "Group Back" in upper
    notes = json.loads(
        runner.invoke(app, ["graph", str(org), "--group", "Back", "-f", "json"]).stdout
    )
    assert notes["graph"]["notes"] == ["1 team in Back; 1 other team one hand-off away"]
    either = runner.invoke(app, ["graph", str(org), "--group", "BACK"])
    assert either.exit_code == 2
    assert "'BACK' is ambiguous: groups 'Back', 'back'" in either.stderr


def test_a_group_picture_draws_the_way_to_each_customer_it_shows(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {buyers: {}, partners: {}}\nteams:\n"
        "  build: {group: Back, provides: [{what: Products, to: [sales, partners]}]}\n"
        "  sales: {group: Front, provides: [{what: Orders, to: buyers}]}\n",
    )
    data = json.loads(
        runner.invoke(app, ["graph", str(org), "--group", "Back", "-f", "json"]).stdout
    )
    links = {(link["source"], link["target"]) for link in data["links"]}
    customers = {n["id"] for n in data["nodes"] if n["kind"] == "customer"}
    assert customers == {"buyers", "partners"}
    assert all(any(target == c for _, target in links) for c in customers)  # none floats
    assert ("sales", "buyers") in links
