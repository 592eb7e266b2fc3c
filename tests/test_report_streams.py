"""``icmap report`` on an org with value streams: the section in every format, and the hint
for an org without them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, write
from icmap import build_graph, load_text
from icmap.analysis.report import build_report
from icmap.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "streams"
STREAMS = str(FIXTURES / "two-streams.yaml")
MIXED = str(FIXTURES / "mixed-cadence.yaml")
PERT = str(Path(__file__).parent / "fixtures" / "pert.yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_report_result_holds_each_stream() -> None:
    report = build_report(build_graph(load_text((FIXTURES / "two-streams.yaml").read_text())))
    assert [f.id for f in report.streams] == ["order", "wholesale"]
    assert report.mixed_cadences == ()  # it declares streams: no hint, 4w plan or not


def test_text_section_has_a_row_per_stream(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", STREAMS, "--color", "never"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    at = lines.index("Value streams (each flow measured on its own)")
    assert _cells(lines[at + 1]) == [
        "stream",
        "customer",
        "lead time",
        "target",
        "flow efficiency",
        "rolled %C&A",
        "hand-offs",
        "teams",
    ]
    assert _cells(lines[at + 2]) == [
        "Order to delivery",
        "shoppers",
        "3.08d",
        "3d: missed by 2h",
        "8.8% (3 of 3 timed)",
        "83.8% (3 of 5 rated)",
        "5",
        "4",
    ]
    assert _cells(lines[at + 3]) == [
        "Club order to delivery",
        "clubs",
        "6d",
        "14d: met, 8d to spare",
        "5.6% (2 of 3 timed)",
        "64.8% (3 of 3 rated)",
        "3",
        "3",
    ]
    assert lines[at + 4 : at + 13] == [
        "Order to delivery (order): stock → fulfil → carrier → shoppers",
        "  constraint: carrier → shoppers (2d); quality constraint: fulfil → carrier (90%)",
        "  starts: an order placed",
        "  with rework: 3.24d expected (each step's lead time ÷ its %C&A)",
        "  lowest %C&A: fulfil → carrier 90%, web → fulfil 95%, carrier → shoppers 98%",
        "Club order to delivery (wholesale): sales → fulfil → carrier → clubs",
        "  constraint: carrier → clubs (3d); quality constraint: sales → fulfil (80%)",
        "  with rework: 6.94d expected (each step's lead time ÷ its %C&A)",
        "  lowest %C&A: sales → fulfil 80%, carrier → clubs 90%, fulfil → carrier 90%",
    ]
    assert "mixes cadences" not in result.stdout


def test_piped_section_stays_within_100_columns(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", STREAMS, "--color", "never"], env={"COLUMNS": "100"})
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    assert "Value streams (each flow measured on its own)" in result.stdout


def test_markdown_table_has_every_column(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", STREAMS, "-f", "markdown"])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert (
        "\n## Value streams\n\n| stream | customer | lead time | target | flow efficiency " in text
    )
    assert (
        "| Order to delivery | shoppers | 3.08d | 3d: missed by 2h | 8.8% (3 of 3 timed) | "
        "83.8% (3 of 5 rated) | 5 | 4 | carrier → shoppers (2d) | fulfil → carrier (90%) |"
    ) in text
    assert (
        "| Club order to delivery | clubs | 6d | 14d: met, 8d to spare | 5.6% (2 of 3 timed) | "
        "64.8% (3 of 3 rated) | 3 | 3 | carrier → clubs (3d) | sales → fulfil (80%) |"
    ) in text
    assert "- Order to delivery (order): stock → fulfil → carrier → shoppers\n" in text
    assert "  - with rework: 3.24d expected (each step's lead time ÷ its %C&A)\n" in text


def test_json_gives_every_stream_number(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", STREAMS, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["mixed_cadences"] == []
    order, wholesale = data["streams"]
    assert (order["stream"], order["name"], order["customer"]) == (
        "order",
        "Order to delivery",
        "shoppers",
    )
    assert order["starts"] == "an order placed" and order["description"] is None
    assert order["unit"] == "hours"
    assert order["path"] == ["stock", "fulfil", "carrier", "shoppers"]
    assert (order["lead_time_hours"], order["hops"]) == (74.0, 3)
    assert order["steps"][0] == {
        "provider": "stock",
        "receiver": "fulfil",
        "what": ["Stock answers"],
        "lead_time_hours": 2.0,
        "process_time_hours": 0.5,
        "waiting_hours": 1.5,
        "complete_accurate": None,
    }
    # fulfil → stock → fulfil would pass fulfil twice: no tie.
    assert order["tied_handoffs"] == []
    assert order["slack_hours"] == {"carrier": 0.0, "fulfil": 0.0, "stock": 0.0, "web": 1.0}
    assert (order["handoffs"], order["teams"]) == (5, ["carrier", "fulfil", "stock", "web"])
    assert (order["process_time_hours"], order["process_known"]) == (6.5, 3)
    assert order["flow_efficiency"] == pytest.approx(6.5 / 74, abs=1e-6)
    assert order["rolled_complete_accurate"] == pytest.approx(0.95 * 0.9 * 0.98)
    assert order["complete_accurate_known"] == 3
    assert [(s["provider"], s["complete_accurate"]) for s in order["costliest"]] == [
        ("fulfil", 0.9),
        ("web", 0.95),
        ("carrier", 0.98),
    ]
    assert order["lead_time_with_rework_hours"] == pytest.approx(2 + 24 / 0.9 + 48 / 0.98)
    assert order["constraint"]["provider"] == "carrier"
    assert order["quality_constraint"]["provider"] == "fulfil"
    assert (order["target_hours"], order["target_gap_hours"], order["target_met"]) == (
        72.0,
        2.0,
        False,
    )
    assert (wholesale["target_gap_hours"], wholesale["target_met"]) == (-192.0, True)
    assert wholesale["flow_efficiency"] == pytest.approx(4 / 72, abs=1e-6)  # 2 of 3 timed


def test_stream_without_lead_times_counts_hand_offs(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {shop: {}}
        streams: {order: {customer: shop, target: 1d}}
        teams:
          a: {provides: [{what: x, to: b, streams: order}]}
          b: {provides: [{what: y, to: shop, streams: order}]}
        """,
    )
    data = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    [order] = data["streams"]
    assert (order["unit"], order["lead_time_hours"], order["hops"]) == ("hops", None, 2)
    assert order["slack_hops"] == {"a": 0, "b": 0}
    assert (order["target_hours"], order["target_gap_hours"], order["target_met"]) == (
        24.0,
        None,
        None,
    )
    assert order["flow_efficiency"] is None and order["rolled_complete_accurate"] is None
    text = runner.invoke(app, ["report", str(org)], env={"COLUMNS": "200"}).stdout
    row = next(line for line in text.splitlines() if line.startswith("order "))
    assert _cells(row) == [
        "order",
        "shop",
        "2 hops",
        "1d: no lead times to compare",
        "— (0 of 2 timed)",
        "— (0 of 2 rated)",
        "2",
        "2",
    ]
    assert "  note: no lead times in this stream: hand-offs counted instead" in text


def test_no_streams_no_section(runner: CliRunner) -> None:
    for fmt in ("text", "markdown"):
        result = runner.invoke(app, ["report", PERT, "-f", fmt])
        assert result.exit_code == 0, result.stderr
        assert "Value streams" not in result.stdout
    data = json.loads(runner.invoke(app, ["report", PERT, "-f", "json"]).stdout)
    assert data["streams"] == [] and data["mixed_cadences"] == []


def test_html_page_lists_streams_in_its_headlines(runner: CliRunner, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert runner.invoke(app, ["report", STREAMS, "-o", str(page)]).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert (
        "<h2>Value streams</h2><ul><li>Order to delivery (order) → shoppers: 3.08d (target 3d: "
        "missed by 2h); flow efficiency 8.8% (3 of 3 timed); rolled %C&amp;A 83.8% (3 of 5 "
        "rated)</li>"
    ) in html
    plain = tmp_path / "pert.html"
    assert runner.invoke(app, ["report", PERT, "-o", str(plain)]).exit_code == 0
    assert "Value streams" not in plain.read_text(encoding="utf-8")


# --- the hint for an org without streams -----------------------------------------------------


def test_mixed_cadence_hint_under_the_path(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", MIXED, "--color", "never"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    at = lines.index("shoppers: 43.04d")
    assert lines[at + 1] == "  strategy → product → shop → warehouse → shoppers"
    assert lines[at + 2] == (
        "  note: this path mixes cadences: strategy → product takes 4w, 672 times as long as "
        "shop → warehouse (1h), so it may string together flows that no single piece of work "
        "travels; declare value streams to measure each flow on its own "
        "(docs/format.md#value-streams)"
    )
    partners = lines.index("partners: 43d")  # 4w beside 1d: 28 times, no hint
    assert lines[partners + 2] == "shoppers: 43.04d"


def test_mixed_cadence_hint_in_markdown_and_json(runner: CliRunner) -> None:
    markdown = runner.invoke(app, ["report", MIXED, "-f", "markdown"]).stdout
    assert "\n- shoppers: this path mixes cadences: strategy → product takes 4w" in markdown
    assert "(docs/format.md#value-streams)\n" in markdown
    data = json.loads(runner.invoke(app, ["report", MIXED, "-f", "json"]).stdout)
    assert data["mixed_cadences"] == [
        {
            "customer": "shoppers",
            "slowest": {"provider": "strategy", "receiver": "product", "lead_time_hours": 672.0},
            "fastest": {"provider": "shop", "receiver": "warehouse", "lead_time_hours": 1.0},
            "ratio": 672.0,
        }
    ]


@pytest.mark.parametrize("columns", ["60", "80"])
def test_a_narrow_terminal_folds_the_stream_table_and_cuts_nothing(columns: str) -> None:
    """At 60 columns the table read "outfit…" and "21…"; at 80 "efficie…"."""
    result = CliRunner().invoke(
        app, ["report", str(EXAMPLES / "northwind")], env={"COLUMNS": columns}
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    start = lines.index("Value streams (each flow measured on its own)")
    table = lines[start : lines.index("", start + 1)]
    assert not any("…" in line for line in table), table
    assert all(len(line) <= int(columns) for line in table)
