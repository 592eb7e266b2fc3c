"""``icmap graph --stream ID`` in every format, and ``--timeline``: the value stream map's
ladder, its geometry (no text on text, boxes in path order, columns as wide as their words)."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, ROOT, write
from icmap import build_graph, load
from icmap.analysis.stream_picture import find_stream, stream_picture, timeline
from icmap.cli import app
from icmap.errors import UsageError
from icmap.render.picture.timeline import Box, Label, layout, measure, svg

ORG = ROOT / "tests" / "fixtures" / "streams.yaml"
ORDER = "order-to-delivery"
ORDER_PATH = ["storefront", "checkout", "warehouse", "delivery", "shoppers"]
#: The order stream's hand-offs; the planning and returns hand-offs are in no picture of it.
ORDER_EDGES = [
    ("checkout", "payments"),
    ("checkout", "warehouse"),
    ("delivery", "shoppers"),
    ("packaging", "warehouse"),
    ("payments", "checkout"),
    ("storefront", "checkout"),
    ("warehouse", "delivery"),
]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")
_SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["graph", str(ORG), *args])
    return result.exit_code, result.stdout, result.stderr


def _write(runner: CliRunner, tmp_path: Path, name: str, *args: str) -> Path:
    target = tmp_path / name
    code, _, err = _run(runner, "--stream", ORDER, *args, "-o", str(target))
    assert code == 0, err
    assert err == f"wrote {target}\n"
    assert target.stat().st_size > 0
    return target


# --- --stream: the stream alone, in every format -------------------------------------------


def test_the_stream_picture_keeps_only_its_hand_offs_and_marks_the_critical_path() -> None:
    graph = build_graph(load(ORG))
    drawn = stream_picture(graph, ORDER)
    assert sorted((e.provider, e.receiver) for e in drawn.edges) == ORDER_EDGES
    assert "planning" not in {n.id for n in drawn.nodes}  # its hand-off is in no stream
    critical = {(e.provider, e.receiver) for e in drawn.edges if e.critical}
    # The path alone: the loop checkout <-> payments is on no chain that visits each team once.
    assert drawn.stream.ties == ()  # type: ignore[union-attr]
    assert critical == set(itertools.pairwise(ORDER_PATH))
    assert ("packaging", "warehouse") not in critical
    assert {n.id for n in drawn.nodes if n.critical} == set(ORDER_PATH)
    # Labels carry the stream's relations only, with their process time and %C&A.
    label = next(
        e.label for e in drawn.edges if e.provider == "checkout" and e.receiver == "warehouse"
    )
    assert label == "Paid order (2h, work 20m, C&A 85%)"
    assert "critical" in drawn.key.lines and "handoff" in drawn.key.lines


def test_dot_marks_the_critical_path_and_says_the_numbers(runner: CliRunner) -> None:
    code, out, _ = _run(runner, "--stream", ORDER, "-f", "dot")
    assert code == 0
    assert "Order to delivery: value stream to Online shoppers" in out
    assert "lead time 1.29d (target 3d: met, 1.71d to spare)" in out
    assert "flow efficiency 9.7%" in out and "rolled %C&A 69.2%" in out
    critical_halves = re.findall(r'-> \w+ \[[^\]]*class="handoff[^"]*critical"', out)
    assert len(critical_halves) == 2 * 4  # 4 steps, two halves each
    assert "Quarterly plan" not in out and "Return request" not in out
    assert "the stream's critical path" in out  # the legend says what the colour is


@needs_dot
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_images(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    target = _write(runner, tmp_path, f"order.{fmt}")
    if fmt == "svg":
        root = ET.fromstring(target.read_text(encoding="utf-8"))
        critical = [g for g in root.iter(f"{_SVG}g") if "critical" in (g.get("class") or "")]
        assert critical
    else:
        assert target.read_bytes()[:4] in (b"\x89PNG", b"%PDF")


def test_mermaid_styles_the_critical_path(runner: CliRunner) -> None:
    code, out, _ = _run(runner, "--stream", ORDER, "-f", "mermaid")
    assert code == 0
    assert re.search(r"linkStyle [\d,]+ stroke:#c2185b", out)
    assert len(re.findall(r"^  style n\d+ stroke:#c2185b", out, re.MULTILINE)) == 5
    assert "rolled %C&A 69.2%" in out.splitlines()[1].replace("#37;", "%").replace("#amp;", "&")


def test_json_carries_the_stream_and_the_critical_marks(runner: CliRunner) -> None:
    code, out, _ = _run(runner, "--stream", ORDER, "-f", "json")
    assert code == 0
    data = json.loads(out)
    stream = data["graph"]["stream"]
    assert stream["stream"] == ORDER and stream["customer"] == "shoppers"
    assert stream["path"] == ORDER_PATH
    assert stream["lead_time_hours"] == 31.0 and stream["unit"] == "hours"
    assert stream["target_hours"] == 72.0 and stream["target_met"] is True
    assert stream["flow_efficiency"] == pytest.approx(0.096774)
    assert stream["rolled_complete_accurate"] == pytest.approx(0.691931)
    assert stream["constraint"]["provider"] == "warehouse" and stream["handoffs"] == 7
    assert [s["waiting_hours"] for s in stream["steps"]] == pytest.approx([50 / 60, 5 / 3, 22, 3.5])
    links = {(link["source"], link["target"]): link for link in data["links"]}
    assert sorted(links) == ORDER_EDGES
    assert links["warehouse", "delivery"]["critical"] is True
    assert links["packaging", "warehouse"]["critical"] is False
    relation = links["checkout", "warehouse"]["relations"][0]
    assert relation["complete_accurate"] == 0.85 and relation[
        "process_time_hours"
    ] == pytest.approx(1 / 3)
    assert relation["streams"] == [ORDER]
    assert {n["id"]: n["critical"] for n in data["nodes"]}["packaging"] is False


def test_the_html_page_of_a_stream(runner: CliRunner, tmp_path: Path) -> None:
    page = _write(runner, tmp_path, "order.html").read_text(encoding="utf-8")
    assert '<select id="stream">' in page
    assert "handoff critical" in page  # the DOT the page lays out marks the path


def test_the_tree_marks_the_critical_path_and_says_the_numbers(runner: CliRunner) -> None:
    code, out, err = _run(runner, "--stream", "Order to delivery")  # by name too
    assert (code, err) == (0, "")
    assert "Critical path: storefront → checkout → warehouse → delivery → shoppers" in out
    assert "Flow efficiency: 9.7% (work 3h)" in out
    assert "Lowest %C&A: checkout → warehouse (85%)" in out
    marked = [line for line in out.splitlines() if "◆ critical path" in line]
    assert any("Delivered parcel" in line for line in marked)
    assert not any("Boxes" in line for line in marked)
    assert "Quarterly plan" not in out


def test_one_hand_off_without_a_lead_time_is_said_in_the_singular(runner: CliRunner) -> None:
    org = str(EXAMPLES / "restaurant.yaml")
    result = runner.invoke(app, ["graph", org, "--stream", "dinner-service"])
    assert result.exit_code == 0
    assert "Caveat: 1 hand-off without a lead time" in result.stdout


def test_unknown_stream_is_a_usage_error_with_a_did_you_mean(runner: CliRunner) -> None:
    code, out, err = _run(runner, "--stream", "order-to-delivry")
    assert (code, out) == (2, "")
    assert (
        "no value stream 'order-to-delivry' in this org; did you mean 'order-to-delivery'?" in err
    )
    code, _, err = _run(runner, "--stream", "zzz")
    assert code == 2 and "streams: order-to-delivery, return-to-refund" in err


def test_stream_on_an_org_without_streams(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", str(EXAMPLES / "software-company.yaml"), "--stream", "x"])
    assert result.exit_code == 2
    assert "this org declares no value streams" in result.stderr


@pytest.mark.parametrize(
    "other", [["--all"], ["--overview"], ["--focus", "checkout"], ["--group", "Digital"]]
)
def test_stream_takes_no_other_scope(runner: CliRunner, other: list[str]) -> None:
    code, _, err = _run(runner, "--stream", ORDER, *other, "-f", "dot")
    assert code == 2
    assert f"it takes none of --focus, --group, --all and --overview, not {other[0]}" in err


def test_find_stream() -> None:
    graph = build_graph(load(ORG))
    assert find_stream(graph, "RETURN TO REFUND") == "return-to-refund"
    with pytest.raises(UsageError, match="did you mean 'return-to-refund'"):
        find_stream(graph, "return-to-refnd")


# --- --timeline ------------------------------------------------------------------------


def test_timeline_needs_a_stream_and_a_format_it_draws(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = _run(runner, "--timeline", "-o", str(tmp_path / "t.svg"))
    assert code == 2 and "add --stream ID" in err
    for fmt in ("pdf", "dot", "mermaid", "json", "html"):
        code, _, err = _run(runner, "--stream", ORDER, "--timeline", "-f", fmt)
        assert code == 2 and "drawn as svg or png" in err, fmt
    assert not list(tmp_path.iterdir())


def _svg_texts(text: str) -> list[tuple[str, str, float, float]]:
    root = ET.fromstring(text)
    return [
        (t.get("class") or "", t.text or "", float(t.get("x", 0)), float(t.get("y", 0)))
        for t in root.iter(f"{_SVG}text")
    ]


def test_timeline_svg(runner: CliRunner, tmp_path: Path) -> None:
    target = _write(runner, tmp_path, "t.svg", "--timeline")
    text = target.read_text(encoding="utf-8")
    root = ET.fromstring(text)  # well-formed
    boxes = [r.get("data-node") for r in root.iter(f"{_SVG}rect") if r.get("data-node")]
    assert boxes == ORDER_PATH  # one box per party on the path, in order
    texts = _svg_texts(text)
    by_role: dict[str, list[str]] = {}
    for role, words, _, _ in texts:
        by_role.setdefault(role, []).append(words)
    assert by_role["waiting"] == ["50m", "1.67h", "22h", "3.5h"]
    assert by_role["work"] == ["10m", "20m", "2h", "30m"]
    assert by_role["ca"] == ["95%", "85%", "92%", "96%"]
    totals = by_role["total"]
    for expected in ("Lead time", "1.29d", "3d: met, 1.71d to spare", "9.7%", "1.4d"):
        assert expected in totals
    # One hand-off of the stream gives no %C&A: the total says what it rests on.
    assert "69.2% (6 of 7 hand-offs rated)" in totals
    assert "<script" not in text and "href" not in text.replace("url(#head)", "")
    assert by_role["note"][0].endswith("In red: the longest lead time, the lowest %C&A.")


def test_timeline_says_when_the_lowest_complete_accurate_is_off_its_path(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "t.svg"
    org = str(EXAMPLES / "restaurant.yaml")
    done = runner.invoke(
        app, ["graph", org, "--stream", "dinner-service", "--timeline", "-o", str(target)]
    )
    assert done.exit_code == 0, done.stderr
    notes = [
        w for role, w, _, _ in _svg_texts(target.read_text(encoding="utf-8")) if role == "note"
    ]
    assert notes[0].endswith(
        "In red: the longest lead time; the stream's lowest %C&A, wait-staff → expediters, is "
        "off this path."
    )


def test_timeline_png(runner: CliRunner, tmp_path: Path) -> None:
    if shutil.which("neato") is None:
        pytest.skip("Graphviz is missing")
    target = _write(runner, tmp_path, "t.png", "--timeline")
    assert target.read_bytes()[:4] == b"\x89PNG"


def test_timeline_in_the_terminal(runner: CliRunner) -> None:
    code, out, _ = _run(runner, "--stream", ORDER, "--timeline")
    assert code == 0
    assert "Warehouse → Last mile" in out and "22h" in out and "92%" in out
    assert "Flow efficiency: 9.7%" in out and "Rolled %C&A: 69.2%" in out


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _check_geometry(
    labels: list[Label], boxes: list[Box], path: list[str], width: float, height: float
) -> None:
    # No text on other text.
    pairs = [
        (a.text, b.text) for a, b in itertools.combinations(labels, 2) if _overlaps(a.box, b.box)
    ]
    assert pairs == []
    # Boxes of the path in order, left to right, none on another.
    drawn = [b for b in boxes if b.node]
    assert [b.node for b in drawn] == path
    for a, b in itertools.pairwise(drawn):
        assert a.x + a.width < b.x
    # A name inside its box, as wide as its words; everything inside the picture.
    for label in labels:
        left, top, right, bottom = label.box
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, label
        if label.role == "name":
            box = next(b for b in drawn if b.x <= label.x <= b.x + b.width)
            assert box.x < left and right < box.x + box.width, label
            assert box.y < top and bottom < box.y + box.height, label
        elif label.role not in {"title", "note"}:
            # Nothing else on a box, but the totals in theirs.
            for box in drawn:
                assert not _overlaps(label.box, box.box), (label, box)


def test_timeline_geometry() -> None:
    graph = build_graph(load(ORG))
    drawn = layout(timeline(graph, ORDER))
    _check_geometry(drawn.labels, drawn.boxes, ORDER_PATH, drawn.width, drawn.height)
    totals = next(b for b in drawn.boxes if not b.node)
    for label in (lab for lab in drawn.labels if lab.role == "total"):
        left, top, right, bottom = label.box
        assert totals.x < left and right < totals.x + totals.width
        assert totals.y < top and bottom < totals.y + totals.height
    # The ladder: down under each box (work), up between boxes (waiting).
    ladder = next(line for line in drawn.lines if line.role == "ladder")
    heights = sorted({y for _, y in ladder.points})
    assert len(heights) == 2
    upper, lower = heights
    waiting = [lab for lab in drawn.labels if lab.role == "waiting"]
    work = [lab for lab in drawn.labels if lab.role == "work"]
    assert all(lab.y < upper for lab in waiting) and all(lab.y > lower for lab in work)


LONG = """\
customers: {c: {name: "A customer whose name goes on and on and on"}}
streams: {s: {customer: c, name: "<b>Bold</b> & \\"quoted\\"", target: 1h}}
teams:
  a:
    name: "Ein Team mit einem sehr langen Namen, das nie aufhört zu reden"
    provides: [{what: "A hand-off with a very long description that wraps onto lines",
                to: b, streams: s, lead_time: 3d, process_time: 1h, complete_accurate: 50%}]
  b:
    name: "日本語チーム 🚀 <script>alert(1)</script>"
    provides: [{what: "x", to: c, streams: s}]
"""


def test_timeline_of_long_hostile_names(tmp_path: Path, runner: CliRunner) -> None:
    org = write(tmp_path, "org.yaml", LONG)
    graph = build_graph(load(org))
    line = timeline(graph, "s")
    drawn = layout(line)
    _check_geometry(drawn.labels, drawn.boxes, ["a", "b", "c"], drawn.width, drawn.height)
    text = svg(drawn)
    ET.fromstring(text)  # escaped: still well-formed
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;" in text
    # A missing lead time and process time say so rather than draw a number.
    assert [t for r, t, _, _ in _svg_texts(text) if r == "work"] == ["1h", "?"]
    result = runner.invoke(app, ["graph", str(org), "--stream", "s", "--timeline", "-f", "svg"])
    assert result.exit_code == 0, result.stderr
    if shutil.which("neato"):
        target = tmp_path / "t.png"
        result = runner.invoke(
            app, ["graph", str(org), "--stream", "s", "--timeline", "-o", str(target)]
        )
        assert result.exit_code == 0, result.stderr


def test_measure_counts_wide_characters_as_an_em() -> None:
    assert measure("日本", 10) == 20
    assert measure("ab", 10, bold=True) > measure("ab", 10)


def test_stream_names_stay_escaped_in_the_html_page(tmp_path: Path, runner: CliRunner) -> None:
    org = write(tmp_path, "org.yaml", LONG)
    target = tmp_path / "page.html"
    result = runner.invoke(app, ["graph", str(org), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    page = target.read_text(encoding="utf-8")
    assert '<option value="s">&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;</option>' in page
    data = page.split('id="icmap-data">')[1].split("</script>")[0]
    assert "<" not in data and "\\u003cb\\u003eBold" in data
    streams = json.loads(data)["streams"]
    assert streams["s"]["label"] == '<b>Bold</b> & "quoted"'
    assert ["Target", "1h: missed by 2.96d"] in streams["s"]["facts"]


def test_timeline_of_a_step_without_a_process_time(runner: CliRunner, tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "customers: {c: {}}\nstreams:\n  s: {customer: c}\nteams:\n"
        "  a: {provides: [{what: x, to: b, lead_time: 20h, streams: [s]}]}\n"
        "  b: {provides: [{what: y, to: c, lead_time: 2h, process_time: 1h, streams: [s]}]}\n",
        encoding="utf-8",
    )
    done = runner.invoke(
        app, ["graph", str(org), "--stream", "s", "--timeline"], env={"COLUMNS": "120"}
    )
    assert done.exit_code == 0, done.stderr
    step = next(line for line in done.stdout.splitlines() if "a → b" in line)
    assert "20h lead time" in step  # its waiting, as the picture shows it
    assert "Flow efficiency: 50% (work 1h, 1 of 2 steps)" in done.stdout
