"""The HTML page in a real browser: headless Chromium opens it from ``file://`` and the DOM is
checked: every team and hand-off drawn once, no overlapping boxes, edges that end on their own
boxes and pass through no other, clusters around their members, text of at least 11 px, no
console error and no network request.

Needs Debian's ``chromium`` and ``chromium-driver`` (selenium drives them; nothing is
downloaded). Without them the tests skip locally, and fail in CI (``CI`` set), where .ci/run
installs them.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import shutil
import sys
import time
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES, ROOT, write
from icmap import build_graph, load
from icmap.analysis.frontline import front_line
from icmap.analysis.page import LABELLED_HANDOFFS
from icmap.cli import app

if TYPE_CHECKING:
    from collections.abc import Iterator

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
HAVE_SELENIUM = importlib.util.find_spec("selenium") is not None
MISSING = [
    name
    for name, found in (
        ("chromium", CHROMIUM),
        ("chromedriver (chromium-driver)", CHROMEDRIVER),
        ("selenium", HAVE_SELENIUM),
    )
    if not found
]
#: How far (CSS px) an edge's end may be from its box beyond an arrowhead's length and the
#: pen's width.
END_TOLERANCE = 4.0
#: How far (CSS px) an arrowhead may stop short of its box: Graphviz leaves room for the pen,
#: up to the 6-unit band of a collaboration.
HEAD_GAP = 8.0
#: How deep (CSS px) inside a box an edge of others may pass: anti-aliasing, not crossing.
THROUGH_TOLERANCE = 3.0

#: How long (s) to wait for the browser's layout before calling it hung. It only catches a
#: hang (the test would otherwise wait forever); it never measures speed: a layout on a slow or
#: busy machine may take as long as it takes, below this.
HANG = 600

#: Collects what the checks need from the laid-out page, in CSS pixels.
_FACTS_JS = """
const svg = document.querySelector('#canvas svg');
const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
// A node's box: all its outlines (a customer's double octagon has two).
const union = els => els.map(box).reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]),
  Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
const nodes = [...svg.querySelectorAll('.node:not(.handoff-label)')].map(g => ({
  id: g.getAttribute('data-id'), box: union([...g.querySelectorAll('path, polygon, ellipse')])}));
// A hand-off is drawn as two halves of a line (id icmap-eN-from and -to) and its label between
// them (icmap-eN-label, a node of its own); its label box is that of its text as drawn.
const half = g => {
  const path = g.querySelector('path');
  const m = path.getScreenCTM(), n = path.getTotalLength(), points = [];
  for (let i = 0; i <= 40; i++) {
    const p = path.getPointAtLength(n * i / 40);
    points.push([m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]);
  }
  const heads = [...g.querySelectorAll('polygon')].map(box);
  const pen = parseFloat(path.getAttribute('stroke-width') || '1') * m.a;
  return {points, heads, pen, from: g.getAttribute('data-from'), to: g.getAttribute('data-to')};
};
const handoffs = new Map();
for (const g of svg.querySelectorAll('.edge, .node.handoff-label')) {
  const [, key, part] = g.id.match(/^(icmap-e\\d+)-(from|to|label)$/);
  if (!handoffs.has(key)) handoffs.set(key, {id: key});
  const h = handoffs.get(key);
  if (part === 'label') {
    const texts = [...g.querySelectorAll('text')];
    h.label = texts.map(t => t.textContent).join('\\n');
    // getBBox: the text's own box (font ascent to descent, the drawn advance widths).
    const textBox = t => { const b = t.getBBox(), m = t.getScreenCTM();
      return [m.a * b.x + m.e, m.d * b.y + m.f, m.a * (b.x + b.width) + m.e,
              m.d * (b.y + b.height) + m.f]; };
    h.labelBox = texts.length ? texts.map(textBox).reduce((a, b) => [Math.min(a[0], b[0]),
      Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]) : null;
    h.labelFrom = g.getAttribute('data-from'); h.labelTo = g.getAttribute('data-to');
  } else {
    h[part] = half(g);
  }
}
// Past LABELLED_HANDOFFS a hand-off is one line (icmap-eN-to) and no label: one "half".
const edges = [...handoffs.values()].map(h => ({...h, from: (h.from || h.to).from,
  to: h.to && h.to.to, halves: h.from ? [h.from, h.to] : [h.to],
  title: (svg.getElementById(h.id + '-to').querySelector('title') || {}).textContent}));
const clusters = [...svg.querySelectorAll('.cluster')].map(g => ({
  group: g.getAttribute('data-group'), box: box(g.querySelector('path, polygon'))}));
const resources = performance.getEntriesByType('resource').map(e => e.name);
const canvas = document.getElementById('canvas'), aside = document.querySelector('aside');
return {nodes, edges, clusters, resources, scripts: document.scripts.length,
        href: location.href, picture: box(svg), window: box(canvas),
        panel: [aside.scrollWidth, aside.clientWidth]};
"""
#: Every text's size in CSS px, as drawn now.
_FONTS_JS = """
return [...document.querySelectorAll('#canvas svg text')].map(
  t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if MISSING:
        reason = f"the browser tests need {', '.join(MISSING)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must install them (.ci/run does)")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: selenium-manager never looks for (or downloads) one.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: Any, page: Path) -> dict[str, Any]:
    """Open ``page`` from file://, wait for the layout, and collect the facts and the log."""
    driver.get(page.as_uri())
    hung = time.monotonic() + HANG
    while not driver.execute_script("return !!document.querySelector('#canvas svg')"):
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        assert time.monotonic() < hung, f"no picture after {HANG} s: the layout hung"
        time.sleep(0.05)
    facts: dict[str, Any] = driver.execute_script(_FACTS_JS)
    # The page opens on the whole picture; "Fit to width" is the readable zoom.
    driver.execute_script("document.getElementById('fit').click()")
    facts["fonts"] = driver.execute_script(_FONTS_JS)
    facts["log"] = driver.get_log("browser")
    return facts


def _page(org: Path, tmp_path: Path, *args: str) -> Path:
    target = tmp_path / "page.html"
    result = CliRunner().invoke(app, ["graph", str(org), *args, "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    return target


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _distance(point: list[float], box: list[float]) -> float:
    dx = max(box[0] - point[0], 0.0, point[0] - box[2])
    dy = max(box[1] - point[1], 0.0, point[1] - box[3])
    return float((dx * dx + dy * dy) ** 0.5)


def _distance_box(a: list[float], b: list[float]) -> float:
    dx = max(b[0] - a[2], 0.0, a[0] - b[2])
    dy = max(b[1] - a[3], 0.0, a[1] - b[3])
    return float((dx * dx + dy * dy) ** 0.5)


def _inside(point: list[float], box: list[float], margin: float) -> bool:
    return bool(
        box[0] + margin < point[0] < box[2] - margin
        and box[1] + margin < point[1] < box[3] - margin
    )


def _opens_whole(facts: dict[str, Any]) -> None:
    """The page opened with the whole picture inside the window, and no sideways scroll bar
    in the panel."""
    picture, window = facts["picture"], facts["window"]
    assert window[0] - 0.5 <= picture[0] and picture[2] <= window[2] + 0.5, (picture, window)
    assert window[1] - 0.5 <= picture[1] and picture[3] <= window[3] + 0.5, (picture, window)
    scroll_width, client_width = facts["panel"]
    assert scroll_width <= client_width


def _check_lines(edges: list[dict[str, Any]], boxes: dict[str, list[float]], graph: Any) -> None:
    """A page past LABELLED_HANDOFFS: each hand-off one line from its provider's box to its
    receiver's, an arrowhead on the receiver, through no other box, what flows in its tooltip."""
    for edge in edges:
        ends = (edge["from"], edge["to"])
        [line] = edge["halves"]
        assert (line["from"], line["to"]) == ends
        what = " / ".join(str(r.what) for r in graph.edges[ends]["relations"])
        assert edge["title"].startswith(f"{ends[0]} \u2192 {ends[1]}: "), edge["title"]
        assert what.split(" / ")[0] in edge["title"], (what, edge["title"])
        heads = line["heads"]
        assert heads, f"{ends} has no arrowhead"
        for head in heads:
            assert _distance_box(head, boxes[edge["to"]]) <= HEAD_GAP, ends
        reach = END_TOLERANCE + max(max(h[2] - h[0], h[3] - h[1]) for h in heads) + line["pen"]
        start, end = line["points"][0], line["points"][-1]
        for team in ends:
            assert min(_distance(start, boxes[team]), _distance(end, boxes[team])) <= reach, (
                f"{ends}: the line does not reach {team}"
            )
        for other, box in boxes.items():
            if other not in ends:
                crossing = [p for p in line["points"] if _inside(p, box, THROUGH_TOLERANCE)]
                assert not crossing, f"{ends} passes through {other}"


def _opens(facts: dict[str, Any]) -> None:
    """The page opened with the whole picture in the window, or, where that would leave a strip
    across less than a quarter of the window, as wide as the window from its top."""
    picture, window = facts["picture"], facts["window"]
    across, height = window[2] - window[0], window[3] - window[1]
    if picture[3] - picture[1] <= height + 0.5:
        _opens_whole(facts)
        assert picture[2] - picture[0] >= across / 4 - 0.5
        return
    assert picture[0] >= window[0] - 0.5 and picture[2] <= window[2] + 0.5, (picture, window)
    assert picture[2] - picture[0] >= across - 20, (picture, window)  # a scroll bar's width
    assert abs(picture[1] - window[1]) <= 0.5, (picture, window)


def _check(facts: dict[str, Any], org: Path, *, overview: bool = False) -> None:
    _opens(facts)
    graph = build_graph(load(org))
    expected_nodes, expected_edges = sorted(graph.nodes), sorted(graph.edges)
    if overview:
        from icmap.analysis.overview import overview as group_overview

        picture = group_overview(graph)
        expected_nodes = sorted(n.id for n in picture.nodes)
        expected_edges = sorted((e.provider, e.receiver) for e in picture.edges)
    ids = [n["id"] for n in facts["nodes"]]
    assert sorted(ids) == expected_nodes  # every node drawn, once
    pairs = sorted((e["from"], e["to"]) for e in facts["edges"])
    assert pairs == expected_edges  # every hand-off drawn, once
    boxes = {n["id"]: n["box"] for n in facts["nodes"]}
    overlapping = [
        (a, b) for a, b in combinations(sorted(boxes), 2) if _overlap(boxes[a], boxes[b])
    ]
    assert not overlapping
    labels = {e["id"]: e["labelBox"] for e in facts["edges"] if e.get("labelBox")}
    if len(facts["edges"]) > LABELLED_HANDOFFS:
        assert not labels
        _check_lines(facts["edges"], boxes, graph)
    for edge in facts["edges"] if labels else []:
        ends = (edge["from"], edge["to"])
        assert edge["label"], f"{ends} has no label"
        assert (edge["labelFrom"], edge["labelTo"]) == ends, f"{ends}: its label is not its own"
        label = labels[edge["id"]]
        # One arrowhead, on the receiver's half, touching the receiver's box.
        heads = [h for half in edge["halves"] for h in half["heads"]]
        assert heads, f"{ends} has no arrowhead"
        assert not edge["halves"][0]["heads"], f"{ends}: an arrowhead on the provider's half"
        for head in heads:
            assert _distance_box(head, boxes[edge["to"]]) <= HEAD_GAP, ends
        head_size = max(max(h[2] - h[0], h[3] - h[1]) for h in heads)
        # Each half runs from its team's box to the label: the line reaches its own words.
        for half, team in zip(edge["halves"], ends, strict=True):
            assert (half["from"], half["to"]) == ends, f"{ends}: a half of another hand-off"
            reach = END_TOLERANCE + head_size + half["pen"]
            start, end = half["points"][0], half["points"][-1]
            on_team = min(_distance(start, boxes[team]), _distance(end, boxes[team]))
            on_label = min(_distance(start, label), _distance(end, label))
            assert on_team <= reach, f"{ends}: a half does not reach {team}"
            assert on_label <= reach, f"{ends}: a half does not reach its label"
            for other, box in boxes.items():
                if other in ends:
                    continue
                crossing = [p for p in half["points"] if _inside(p, box, THROUGH_TOLERANCE)]
                assert not crossing, f"{ends} passes through {other}"
    # No label drawn on top of another, nor on a box.
    assert [
        (a, b) for a, b in combinations(sorted(labels), 2) if _overlap(labels[a], labels[b])
    ] == []
    assert [(e, n) for e in labels for n in boxes if _overlap(labels[e], boxes[n])] == []
    if overview:  # one node per group: no clusters to check
        assert not facts["clusters"]
        assert min(facts["fonts"]) >= 11 - 0.01
        return
    groups = {str(graph.nodes[n].get("group")) for n in graph.nodes if graph.nodes[n].get("group")}
    assert {c["group"] for c in facts["clusters"]} == groups
    for cluster in facts["clusters"]:
        members = [n for n in graph.nodes if graph.nodes[n].get("group") == cluster["group"]]
        for member in members:
            inner, outer = boxes[member], cluster["box"]
            assert outer[0] - 1 <= inner[0] and inner[2] <= outer[2] + 1, member
            assert outer[1] - 1 <= inner[1] and inner[3] <= outer[3] + 1, member
    assert min(facts["fonts"]) >= 11 - 0.01
    assert [e for e in facts["log"] if e["level"] in ("SEVERE", "WARNING")] == []
    assert all(r.startswith(("file:", "data:", "blob:")) for r in facts["resources"]), facts[
        "resources"
    ]
    assert facts["href"].startswith("file:")


@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_every_example_in_the_browser(browser: Any, org: Path, tmp_path: Path) -> None:
    _check(_open(browser, _page(org, tmp_path)), org)


def test_a_generated_300_team_org_in_the_browser(browser: Any, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import org_document
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    org = write(tmp_path, "org.json", json.dumps(org_document(300)))
    _check(_open(browser, _page(org, tmp_path, "--all")), org)
    # Ten times as tall as wide: hiding the panel keeps it as wide as the window, not a strip.
    browser.execute_script("document.getElementById('hide-panel').click()")
    picture, natural, canvas = browser.execute_script(
        "const svg = document.querySelector('#canvas svg');"
        "return [svg.getBoundingClientRect().width, svg.viewBox.baseVal.width,"
        " document.getElementById('canvas').clientWidth]"
    )
    # As wide as the window, or as the page ever enlarges a picture (1.6 times).
    assert abs(picture - min(canvas, 1.6 * natural)) <= 1, (picture, natural, canvas)
    browser.execute_script("document.getElementById('show-panel').click()")
    # Without --all an org this size is drawn as its group overview.
    _check(_open(browser, _page(org, tmp_path)), org, overview=True)


def test_clicking_a_team_highlights_its_hand_offs_and_impact(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, _page(EXAMPLES / "restaurant.yaml", tmp_path))
    browser.find_element(By.CSS_SELECTOR, '.node[data-id="expediters"]').click()
    details = browser.find_element(By.ID, "details").text
    # The other team by its name, as the impact lists below name it.
    assert "Checked, timed orders → Wait staff" in details
    assert "→ wait-staff" not in details
    assert "on the critical path to Diners" in details
    lit = browser.execute_script(
        "return [...document.querySelectorAll('.hl')].map(e => "
        "[e.dataset.id || (e.dataset.from + '>' + e.dataset.to), e.getAttribute('class')])"
    )
    classes = dict(lit)
    assert "hl-selected" in classes["expediters"]
    assert "hl-out" in classes["expediters>wait-staff"]
    assert "hl-stranded" in classes["kitchen"]  # every way from the kitchen runs through it
    assert "hl-down" in classes["wait-staff"]
    browser.find_element(By.CSS_SELECTOR, '.node[data-id="hosts"]').click()
    lit = browser.execute_script(
        "return [...document.querySelectorAll('[class*=hl-]')].map(e => "
        "[e.dataset.id || (e.dataset.from + '>' + e.dataset.to), e.getAttribute('class')])"
    )
    classes = dict(lit)  # only the hosts' highlights are left
    assert [k for k, v in classes.items() if "hl-selected" in v] == ["hosts"]
    assert "hl-stranded" not in classes["kitchen"]  # the expediters' mark is gone
    assert "hl-out" not in classes.get("expediters>wait-staff", "")
    assert "hl-selected" in classes["hosts"] and "hl-out" in classes["hosts>wait-staff"]


def test_critical_path_toggle_and_search(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    # Desserts as slow as dishes: market-garden → pastry → expediters ties with the kitchen's.
    text = (EXAMPLES / "restaurant.yaml").read_text(encoding="utf-8")
    tied = text.replace("lead_time: 8m, process_time: 6m", "lead_time: 15m, process_time: 6m")
    tied = tied.replace("name: Wait staff", "name: Équipe de salle")
    tied = tied.replace("name: Harbour Fish Co.", "name: Ørsted Fisk")
    assert tied.count("Équipe") == 1
    org = tmp_path / "tied.yaml"
    org.write_text(tied, encoding="utf-8")
    _open(browser, _page(org, tmp_path))
    Select(browser.find_element(By.ID, "critical")).select_by_value("diners")
    lit = browser.execute_script(
        "return [...document.querySelectorAll('.node[data-id].hl-critical')].map(e => e.dataset.id)"
    )
    data = browser.execute_script(
        "return JSON.parse(document.getElementById('icmap-data').textContent)"
    )
    path, ties = data["critical"]["diners"], data["ties"]["diners"]
    assert ties == [["market-garden", "pastry"], ["pastry", "expediters"]]
    assert sorted(lit) == sorted({*path, *(team for tie in ties for team in tie)})
    assert len(path) > 2
    # Each hand-off on the path, and each tying with it, lights up whole: both halves of its
    # line and its label.
    parts = browser.execute_script(
        "return [...document.querySelectorAll('.hl-critical[data-from]')].map(e =>"
        " [e.dataset.from + '>' + e.dataset.to, e.classList.contains('handoff-label')])"
    )
    steps = [f"{a}>{b}" for a, b in itertools.pairwise(path)] + [f"{a}>{b}" for a, b in ties]
    expected = [(step, label) for step in steps for label in (False, False, True)]
    assert sorted(map(tuple, parts)) == sorted(expected)
    browser.find_element(By.ID, "search").send_keys("pastr")
    found = browser.execute_script(
        "return [...document.querySelectorAll('.node.hl-match')].map(e => e.dataset.id)"
    )
    assert found == ["pastry"]
    # Accents and case do not count.
    browser.find_element(By.ID, "search").clear()
    browser.find_element(By.ID, "search").send_keys("EQUIPE")
    found = browser.execute_script(
        "return [...document.querySelectorAll('.node.hl-match')].map(e => e.dataset.id)"
    )
    assert found == ["wait-staff"]
    browser.find_element(By.ID, "search").clear()
    browser.find_element(By.ID, "search").send_keys("orsted")
    found = browser.execute_script(
        "return [...document.querySelectorAll('.node.hl-match')].map(e => e.dataset.id)"
    )
    assert found == ["fishmonger"]


def test_hostile_names_stay_inert_in_the_browser(browser: Any, tmp_path: Path) -> None:
    from test_pictures import HOSTILE_NAMES, _hostile_org

    org = _hostile_org(tmp_path)
    facts = _open(browser, _page(org, tmp_path))
    assert facts["scripts"] == 3  # the data, the engine and the page's script: none injected
    shown = browser.execute_script(
        "return [...document.querySelectorAll('#canvas svg .node text')].map(t => t.textContent)"
    )
    for name in HOSTILE_NAMES:
        first_line = name.split("\n")[0]
        assert any(first_line in text for text in shown), name
    assert not browser.execute_script(
        "return document.querySelector('#canvas svg script, #canvas svg b')"
    )
    assert [e for e in facts["log"] if e["level"] == "SEVERE"] == []


def test_hiding_the_panel_gives_the_picture_the_width(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, _page(EXAMPLES / "restaurant.yaml", tmp_path))
    width = "return document.getElementById('canvas').clientWidth"
    before = browser.execute_script(width)
    browser.find_element(By.ID, "hide-panel").click()
    assert browser.execute_script(width) > before + 300
    assert not browser.find_element(By.TAG_NAME, "aside").is_displayed()
    assert all(_in_view(browser, ".node"))  # the whole picture, in the wider window
    browser.find_element(By.ID, "show-panel").click()
    assert browser.execute_script(width) == before
    assert all(_in_view(browser, ".node"))


def test_a_focus_page_draws_its_elided_hand_offs(browser: Any, tmp_path: Path) -> None:
    page = _page(EXAMPLES / "northwind", tmp_path, "--focus", "marketing", "--depth", "1")
    facts = _open(browser, page)
    data = browser.execute_script(
        "return JSON.parse(document.getElementById('icmap-data').textContent)"
    )
    assert sorted(n["id"] for n in facts["nodes"]) == sorted(n["id"] for n in data["nodes"])
    drawn = sorted((e["from"], e["to"]) for e in facts["edges"])
    assert drawn == sorted((e["from"], e["to"]) for e in data["edges"])
    assert any(e["label"] == "…" for e in facts["edges"])  # through teams left out
    assert browser.execute_script(
        "return document.querySelector('.node[data-id=\"marketing\"]').classList.contains('role-focus')"
    )
    assert [e for e in facts["log"] if e["level"] == "SEVERE"] == []


def _in_view(browser: Any, selector: str) -> list[bool]:
    return list(
        browser.execute_script(
            "const c = document.getElementById('canvas').getBoundingClientRect();"
            f"return [...document.querySelectorAll({json.dumps(selector)})].map(g => {{"
            " const r = g.getBoundingClientRect();"
            " return r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom;});"
        )
    )


def test_a_wide_page_opens_whole_and_fits_to_width_on_its_customers(
    browser: Any, tmp_path: Path
) -> None:
    facts = _open(browser, _page(EXAMPLES / "northwind", tmp_path))
    _opens_whole(facts)  # as it opened; _open then pressed "Fit to width"
    wide = browser.execute_script(
        "const c = document.getElementById('canvas'); return c.scrollWidth > c.clientWidth"
    )
    assert wide  # the case in point: Northwind is wider than the window at a readable zoom
    # On the customers: both across, and centred on the two of them, which Graphviz puts
    # 695 pt apart, a little more than the window's height at the readable zoom.
    canvas, customers = browser.execute_script(
        "const box = e => { const r = e.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; };"
        "const c = document.getElementById('canvas'), r = box(c);"
        "return [[r[0], r[1], r[0] + c.clientWidth, r[1] + c.clientHeight],"
        " [...document.querySelectorAll('.node.kind-customer')].map(box)]"
    )
    assert len(customers) == 2
    assert all(canvas[0] <= c[0] and c[2] <= canvas[2] for c in customers)
    middle = (min(c[1] for c in customers) + max(c[3] for c in customers)) / 2
    assert abs(middle - (canvas[1] + canvas[3]) / 2) <= 2
    browser.execute_script("document.getElementById('whole').click()")
    assert all(_in_view(browser, ".node"))


def test_a_drill_down_page_opens_on_its_group(browser: Any, tmp_path: Path) -> None:
    _open(browser, _page(EXAMPLES / "northwind", tmp_path, "--group", "Operations"))
    assert any(_in_view(browser, ".node.role-focus"))


def test_an_overview_page_clicks_searches_and_paths_by_group(browser: Any, tmp_path: Path) -> None:
    facts = _open(browser, _page(EXAMPLES / "northwind", tmp_path, "--overview"))
    details = browser.execute_script(
        "const g = document.querySelector('.node[data-id=\"group:Commerce\"]');"
        "g.dispatchEvent(new MouseEvent('click', {bubbles: true}));"
        "return document.getElementById('details').innerText"
    )
    assert "hand-offs ← Technology" in details
    assert "→ group:" not in details and "← group:" not in details  # groups by name
    # The group's name is the heading; its size goes on the line under it, not run into it.
    heading, about = [line for line in details.splitlines() if line.strip()][:2]
    assert heading == "Commerce"
    assert about == "group:Commerce · group · 6 teams, 8 hand-offs inside"
    assert "--group NAME" in details and "more than" not in details
    matches = browser.execute_script(
        "const s = document.getElementById('search'); s.value = 'support';"
        "s.dispatchEvent(new Event('input'));"
        "return [document.getElementById('matches').innerText,"
        " [...document.querySelectorAll('.node.hl-match')].map(n => n.dataset.id)]"
    )
    assert matches == [
        "Customer Support (support) in Customer Experience",
        ["group:Customer Experience"],
    ]
    lit = browser.execute_script(
        "const s = document.getElementById('critical'); s.value = 'shoppers';"
        "s.dispatchEvent(new Event('change'));"
        "return [[...document.querySelectorAll('.node.hl-critical')].length,"
        " [...document.querySelectorAll('.edge.hl-critical')].length]"
    )
    assert lit[0] >= 4 and lit[1] >= 3
    assert [e for e in browser.get_log("browser") + facts["log"] if e["level"] == "SEVERE"] == []


def test_every_list_in_the_panel_says_and_n_more_and_opens_the_rest(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    graph = build_graph(load(EXAMPLES / "northwind"))
    front = {f"{f.team} → {', '.join(f.customers)}" for f in front_line(graph)}
    assert len(front) == 9  # the case in point: one more than the panel lists at first
    _open(browser, _page(EXAMPLES / "northwind", tmp_path))
    section = browser.find_element(By.ID, "headline")
    more = section.find_element(By.CSS_SELECTOR, "h2 + ul + details")
    summary = more.find_element(By.TAG_NAME, "summary")
    assert summary.text == "and 1 more"
    listed = [
        li.text
        for li in section.find_elements(By.CSS_SELECTOR, "h2 + ul")[0].find_elements(
            By.TAG_NAME, "li"
        )
    ]
    hidden = more.find_element(By.TAG_NAME, "li")
    assert len(listed) == 8 and not hidden.is_displayed()
    summary.click()
    assert hidden.is_displayed()
    assert {*listed, hidden.text} == front  # all nine, once each
    # Search lists 20 matches, and the rest behind "and N more".
    browser.execute_script(
        "const s = document.getElementById('search'); s.value = 'e';"
        "s.dispatchEvent(new Event('input'));"
    )
    matches = browser.find_element(By.ID, "matches")
    found = [n for n in graph.nodes if "e" in n or "e" in str(graph.nodes[n]["name"]).lower()]
    summary = matches.find_element(By.TAG_NAME, "summary")
    assert summary.text == f"and {len(found) - 20} more"
    summary.click()
    shown = [li.text for li in matches.find_elements(By.CSS_SELECTOR, "li:not(.more-matches)")]
    assert len(shown) == len(found) and all(li for li in shown)


def test_the_page_lights_and_names_the_chains_that_tie(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    org = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {users: {name: Users}}
        teams:
          y: {provides: [{what: Y, to: z, lead_time: 1d}]}
          z: {provides: [{what: Z, to: a, lead_time: 1d}]}
          a: {provides: [{what: A, to: c, lead_time: 1d}]}
          src: {provides: [{what: S, to: b, lead_time: 2d}]}
          b: {provides: [{what: B, to: c, lead_time: 1d}]}
          c: {provides: [{what: C, to: users, lead_time: 1d}]}
        """,
    )
    _open(browser, _page(org, tmp_path))
    headline = browser.find_element(By.ID, "headline").text
    assert "users: y → z → a → c → users (4d); 2 more hand-offs on a chain as long" in headline
    Select(browser.find_element(By.ID, "critical")).select_by_value("users")
    lit = browser.execute_script(
        "return [...document.querySelectorAll('.node[data-id].hl-critical')].map(e => e.dataset.id)"
    )
    assert sorted(lit) == ["a", "b", "c", "src", "users", "y", "z"]


def test_a_page_too_large_for_the_browser_draws_the_overview_and_says_why(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    from icmap.analysis.overview import overview as group_overview
    from test_pictures import _too_large_org

    org = _too_large_org(tmp_path)
    facts = _open(browser, _page(org, tmp_path, "--all"))
    banner = browser.find_element(By.ID, "too-large")
    assert banner.is_displayed()
    assert "more than Graphviz in a browser lays out in reasonable time" in banner.text
    assert "so the page draws the group overview instead" in banner.text
    expected = sorted(n.id for n in group_overview(build_graph(load(org))).nodes)
    assert sorted(n["id"] for n in facts["nodes"]) == expected
    assert browser.execute_script("return document.body.hasAttribute('data-drawn')")
    browser.find_element(By.ID, "too-large-close").click()
    assert not browser.find_elements(By.ID, "too-large")
    assert [e for e in facts["log"] if e["level"] == "SEVERE"] == []


def test_a_page_with_no_picture_says_why_and_keeps_its_panel(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from test_pictures import _too_large_org

    org = _too_large_org(tmp_path, grouped=False)
    browser.get(_page(org, tmp_path).as_uri())
    note = browser.find_element(By.ID, "too-large")
    assert note.is_displayed() and "so the page draws no picture" in note.text
    # Nothing to pan or zoom: no zoom buttons, no words about them, no legend of a drawing.
    for button in ("fit", "whole", "zoom-in", "zoom-out", "hide-panel"):
        assert not browser.find_elements(By.ID, button), button
    aside = browser.find_element(By.TAG_NAME, "aside")
    assert "zoom" not in aside.text and not browser.find_elements(By.ID, "legend")
    assert "Find a team to see what it provides and receives" in aside.text
    assert not browser.execute_script("return document.querySelector('#canvas svg')")
    assert "Critical paths" in browser.find_element(By.ID, "headline").text
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def _no_picture(browser: Any, tmp_path: Path) -> dict[str, Any]:
    """The page of a generated org too large to draw and without groups, open in the
    browser; its data as the page reads it."""
    from test_pictures import _too_large_org

    page = _page(_too_large_org(tmp_path, grouped=False), tmp_path)
    browser.get(page.as_uri())
    data: dict[str, Any] = browser.execute_script(
        "return JSON.parse(document.getElementById('icmap-data').textContent)"
    )
    return data


def test_search_on_a_page_with_no_picture_opens_the_teams_panel(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    data = _no_picture(browser, tmp_path)
    team = next(n for n in data["nodes"] if n["id"] == "t000005")
    browser.find_element(By.ID, "search").send_keys(team["label"])
    matches = browser.find_elements(By.CSS_SELECTOR, "#matches li")
    assert matches[0].text == f"{team['label']} ({team['id']})"
    matches[0].click()
    panel = browser.find_element(By.ID, "details")
    assert panel.is_displayed()
    lines = panel.text.splitlines()
    assert lines[0] == team["label"] and lines[1].startswith("t000005 · team")
    # What it provides and receives, with no colours of a picture that is not there.
    assert "Provides" in lines and "Receives" in lines and "Provides (green)" not in lines
    for handoff in team["provides"] + team["receives"]:
        assert handoff in lines
    assert team["provides"] and team["receives"]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_critical_path_on_a_page_with_no_picture_is_listed_step_by_step(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    data = _no_picture(browser, tmp_path)
    label = {n["id"]: n["label"] for n in data["nodes"]}
    customer, path = next(iter(data["critical"].items()))
    Select(browser.find_element(By.ID, "critical")).select_by_value(customer)
    panel = browser.find_element(By.ID, "details")
    assert panel.text.splitlines()[0] == f"Critical path to {label[customer]}"
    steps = browser.find_elements(By.CSS_SELECTOR, "#critical-steps button")
    assert [b.text for b in steps] == [label[i] for i in path]
    assert len(path) > 3
    # A step opens its team's panel, and the path stays below it, that step in bold.
    steps[2].click()
    lines = panel.text.splitlines()
    assert lines[0] == label[path[2]] and f"Critical path to {label[customer]}" in lines
    current = browser.find_elements(By.CSS_SELECTOR, "#critical-steps button[aria-current]")
    assert [b.text for b in current] == [label[path[2]]]
    assert (
        Select(browser.find_element(By.ID, "critical")).first_selected_option.text
        == label[customer]
    )
    # On to the next step from there.
    browser.find_elements(By.CSS_SELECTOR, "#critical-steps button")[3].click()
    assert panel.text.splitlines()[0] == label[path[3]]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_page_whose_overview_is_too_large_finds_a_team_in_its_group(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From about 94,000 generated teams even the overview is past the limit; a lower limit
    makes a 300-team org's page the same kind, with the panel only."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from test_pictures import _generated

    monkeypatch.setattr("icmap.analysis.page.BROWSER_HANDOFFS", 30)
    browser.get(_page(_generated(tmp_path, 300, 1), tmp_path).as_uri())
    assert "so the page draws no picture" in browser.find_element(By.ID, "too-large").text
    browser.find_element(By.ID, "search").send_keys("t000005")
    [match] = browser.find_elements(By.CSS_SELECTOR, "#matches li")
    assert match.text.startswith("Team 5 (t000005) in Group ")
    group = match.text.rsplit(" in ", 1)[1]
    match.click()
    lines = browser.find_element(By.ID, "details").text.splitlines()
    # A group's heading is its name; its size goes on the line under it.
    assert lines[0] == group and re.search(r"· group · \d+ teams", lines[1])
    assert "This node stands for several teams" in " ".join(lines)
    Select(browser.find_element(By.ID, "critical")).select_by_index(1)
    steps = browser.find_elements(By.CSS_SELECTOR, "#critical-steps button")
    assert steps and all(re.fullmatch(r"Group \d+", b.text) for b in steps[:-1])
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_page_with_no_picture_past_the_panels_limit_names_teams_without_hand_offs(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past PANEL_HANDOFFS (100,000 generated teams' --all) the page still finds every team and
    walks a critical path, and says where the team's hand-offs are."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    monkeypatch.setattr("icmap.render.picture.html.PANEL_HANDOFFS", 100)
    data = _no_picture(browser, tmp_path)
    assert all("provides" not in n for n in data["nodes"])
    browser.find_element(By.ID, "search").send_keys("t000005")
    browser.find_elements(By.CSS_SELECTOR, "#matches li")[0].click()
    text = browser.find_element(By.ID, "details").text
    assert text.startswith("Team 5\nt000005 · team")
    assert "left out of a page with no picture past 100 hand-offs: icmap team TEAM" in text
    Select(browser.find_element(By.ID, "critical")).select_by_index(1)
    browser.find_elements(By.CSS_SELECTOR, "#critical-steps button")[1].click()
    assert "icmap team TEAM shows it" in browser.find_element(By.ID, "details").text
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


#: Clicks every node the page has facts for and reads each list the panel shows under a heading.
_IMPACT_JS = """
const data = JSON.parse(document.getElementById('icmap-data').textContent), out = {};
for (const n of data.nodes) {
  const g = document.querySelector('.node[data-id="' + CSS.escape(n.id) + '"]');
  if (!g || !n.facts) continue;
  g.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  const lists = {};
  for (const h of document.querySelectorAll('#details h3'))
    lists[h.textContent] = [...h.nextElementSibling.children].map(li => li.textContent);
  const down = [...document.querySelectorAll('.node.hl-down')].map(e => e.dataset.id);
  out[n.id] = {lists, down: down.sort()};
}
return out;
"""

_LOOPED = """
customers: {shop: {name: The shop}, club: {}}
suppliers: {mill: {}}
teams:
  a: {name: Alpha, provides: [{what: w, to: b}]}
  b: {provides: [{what: w, to: c}, {what: x, to: club}]}
  c: {provides: [{what: w, to: a}, {what: y, to: shop}]}
  d: {provides: [{what: z, to: a}]}
  mill-side: {name: Zed, provides: [{what: v, to: d}]}
"""


@pytest.mark.parametrize(
    ("org", "args"),
    [
        (EXAMPLES / "restaurant.yaml", ()),
        (EXAMPLES / "northwind", ()),
        (EXAMPLES / "northwind", ("--focus", "marketing", "--depth", "1")),
        (EXAMPLES / "northwind", ("--group", "Operations")),
        (None, ()),
    ],
    ids=["restaurant", "northwind", "focus", "group", "loop"],
)
def test_a_clicked_teams_impact_is_every_node_its_work_reaches(
    browser: Any, tmp_path: Path, org: Path | None, args: tuple[str, ...]
) -> None:
    """The page finds a team's downstream when it is clicked (no list per team in the page):
    the panel lists what networkx finds, by name where the picture has the node, sorted by id,
    and lights those drawn."""
    import networkx as nx

    from icmap.analysis.chokepoints import chokepoints, dependents_of

    if org is None:
        org = write(tmp_path, "looped.yaml", _LOOPED)
    graph = build_graph(load(org))
    _open(browser, _page(org, tmp_path, *args))
    data = browser.execute_script(
        "return JSON.parse(document.getElementById('icmap-data').textContent)"
    )
    label = {n["id"]: n["label"] for n in data["nodes"]}
    stranded = {c.team: dependents_of(graph, c.team) for c in chokepoints(graph)}
    shown = browser.execute_script(_IMPACT_JS)
    expected = {n["id"] for n in data["nodes"] if n["id"] in graph and n["kind"] != "customer"}
    assert set(shown) == expected and expected
    for team, seen in shown.items():
        reached = sorted(nx.descendants(graph, team) - {team})
        customers = [n for n in reached if graph.nodes[n]["kind"] == "customer"]
        down = [n for n in reached if graph.nodes[n]["kind"] != "customer"]
        lists = seen["lists"]
        assert lists["If it fails: downstream (orange)"] == (
            [label.get(n, n) for n in down] or ["no team downstream"]
        ), team
        assert lists["Customers hit"] == ([label.get(n, n) for n in customers] or ["no customer"])
        assert lists["Stranded: no other way to a customer (brown, dashed)"] == (
            [label.get(n, n) for n in stranded.get(team, ())] or ["none"]
        )
        assert seen["down"] == sorted(n for n in reached if n in label), team


def test_a_critical_path_leaving_a_focus_picture_is_listed_whole(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page = _page(EXAMPLES / "northwind", tmp_path, "--focus", "marketing", "--depth", "1")
    _open(browser, page)
    assert (
        "Of the whole org, not only this picture:" in browser.find_element(By.ID, "headline").text
    )
    Select(browser.find_element(By.ID, "critical")).select_by_value("shoppers")
    steps = browser.execute_script(
        "return [...document.querySelectorAll('#critical-steps button')].map(b => b.title)"
    )
    data = browser.execute_script(
        "return JSON.parse(document.getElementById('icmap-data').textContent)"
    )
    assert steps == data["critical"]["shoppers"]
    drawn = set(
        browser.execute_script(
            "return [...document.querySelectorAll('.node[data-id]')].map(e => e.dataset.id)"
        )
    )
    away = [team for team in steps if team not in drawn]
    assert away
    said = browser.find_element(By.ID, "details").text
    assert (
        f"{len(away)} of its {len(steps)} teams are not in this picture: the path leaves it."
        in said
    )


def test_lighting_a_path_dims_every_other_line_and_colours_its_arrowheads(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(browser, _page(EXAMPLES / "team-topologies.yaml", tmp_path))
    Select(browser.find_element(By.ID, "critical")).select_by_value("recipients")
    # A collaboration's band carries an opacity of its own: it must dim as the others do.
    bands = browser.execute_script(
        "return [...document.querySelectorAll('.edge.mode-collaboration:not(.hl) path')]"
        ".map(p => getComputedStyle(p).strokeOpacity)"
    )
    assert bands and set(bands) == {"0.25"}
    heads = browser.execute_script(
        "return [...document.querySelectorAll('.edge.hl-critical polygon')]"
        ".map(p => getComputedStyle(p).fill)"
    )
    assert heads and set(heads) == {"rgb(194, 24, 91)"}


def test_a_customer_nobody_reaches_has_no_chain_on_the_page(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    org = tmp_path / "org.yaml"
    org.write_text(
        "customers: {cust: {}, lonely: {name: Lonely}}\nteams:\n"
        "  a: {provides: [{what: w, to: cust}]}\n  b: {provides: [{what: v, to: a}]}\n",
        encoding="utf-8",
    )
    _open(browser, _page(org, tmp_path, "--focus", "a"))
    Select(browser.find_element(By.ID, "critical")).select_by_value("lonely")
    lit = browser.execute_script("return document.querySelectorAll('.hl-critical').length")
    assert lit == 0
    said = browser.find_element(By.ID, "details").text
    assert "no delivery chain: no team\u2019s delivered work reaches it." in said
    assert "leaves it" not in said


TIED_AND_LOOPED = """\
customers: {shop: {}}
teams:
  design: {provides: [{what: Drawings, to: factory, lead_time: 3d}]}
  qa: {provides: [{what: Test plans, to: factory, lead_time: 3d}]}
  factory:
    provides:
      - {what: Widgets, to: shop, lead_time: 1d}
      - {what: Rework, to: triage, lead_time: 1h}
  triage: {provides: [{what: Triaged, to: factory, lead_time: 1h}]}
"""


def test_the_panel_marks_a_tie_and_an_unknown_slack_as_the_team_page_does(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    org = write(tmp_path, "org.yaml", TIED_AND_LOOPED)
    _open(browser, _page(org, tmp_path))
    # qa ties with design (the path shown): critical, marked "(tied)".
    browser.find_element(By.CSS_SELECTOR, '.node[data-id="qa"]').click()
    details = browser.find_element(By.ID, "details").text
    assert "on the critical path to shop (tied)" in details
    assert "slack: 0m" in details
    browser.find_element(By.CSS_SELECTOR, '.node[data-id="design"]').click()
    details = browser.find_element(By.ID, "details").text
    assert "on the critical path to shop" in details and "(tied)" not in details
    # triage is in factory's loop and on no critical path: its slack is not known.
    browser.find_element(By.CSS_SELECTOR, '.node[data-id="triage"]').click()
    details = browser.find_element(By.ID, "details").text
    assert "on no critical path" in details
    assert "slack: not known (inside a loop, icmap finds only a lower bound, here 0)" in details
