"""``icmap diff`` on orgs with value streams: what a change does to each stream."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from icmap import build_graph, load_text
from icmap.analysis.diff import OrgDiff, diff_orgs
from icmap.cli import app

STREAMS = Path(__file__).parent / "fixtures" / "streams" / "two-streams.yaml"
BASE = STREAMS.read_text(encoding="utf-8")
#: Parcels go out in a day instead of two, arrive right more often, and planning's promotions
#: join the order stream.
FASTER = BASE.replace(
    "lead_time: 2d, process_time: 4h,\n         complete_accurate: 98%",
    "lead_time: 1d, process_time: 4h,\n         complete_accurate: 99%",
).replace(
    "      - {what: Quarterly plan, to: fulfil, lead_time: 4w}\n",
    "      - {what: Quarterly plan, to: fulfil, lead_time: 4w}\n"
    "      - {what: Promotions, to: web, streams: order, lead_time: 1h, complete_accurate: 90%}\n",
)


def _diff(base: str, head: str) -> OrgDiff:
    old, new = load_text(base), load_text(head)
    return diff_orgs(old, new, build_graph(old), build_graph(new))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def sides(tmp_path: Path) -> tuple[str, str]:
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    before.write_text(BASE, encoding="utf-8")
    after.write_text(FASTER, encoding="utf-8")
    return str(before), str(after)


def test_no_change_to_streams_is_no_change() -> None:
    result = _diff(BASE, BASE)
    assert result.empty
    assert [(s.stream, s.changed) for s in result.streams] == [
        ("order", False),
        ("wholesale", False),
    ]


def test_each_stream_before_and_after() -> None:
    result = _diff(BASE, FASTER)
    order, wholesale = result.streams
    assert order.changed and not wholesale.changed
    assert order.before is not None and order.after is not None
    assert (order.before.lead_time, order.after.lead_time) == (74.0, 50.0)
    assert (order.before.target_met, order.after.target_met) == (False, True)
    assert order.handoffs_added == (("planning", "web", "Promotions"),)
    assert order.handoffs_removed == ()
    [changed] = result.relations_changed
    assert changed.changes == {
        "lead_time_hours": (48.0, 24.0),
        "complete_accurate": (0.98, 0.99),
    }


def test_relation_changes_name_process_time_and_streams() -> None:
    head = BASE.replace(
        "{what: Stock answers, to: fulfil, streams: order, lead_time: 2h, process_time: 30m}",
        "{what: Stock answers, to: fulfil, streams: order, lead_time: 2h, process_time: 1h}",
    )
    result = _diff(BASE, head)
    [changed] = result.relations_changed
    assert changed.changes == {"process_time_hours": (0.5, 1.0)}
    two = BASE.replace(
        "{what: Club orders, to: fulfil, streams: wholesale,",
        "{what: Club orders, to: fulfil, streams: [order, wholesale],",
    )
    result = _diff(BASE, two)
    [changed] = result.relations_changed
    assert changed.changes == {"streams": (["wholesale"], ["order", "wholesale"])}
    order = result.streams[0]
    assert order.handoffs_added == (("sales", "fulfil", "Club orders"),)


def test_streams_added_and_removed() -> None:
    without = BASE.replace(
        "  wholesale:\n    name: Club order to delivery\n    customer: clubs\n    target: 2w\n", ""
    ).replace("streams: [order, wholesale]", "streams: order")
    without = without.replace(", streams: wholesale,", ",")
    result = _diff(BASE, without)
    assert [(s.stream, s.before is None, s.after is None) for s in result.streams] == [
        ("order", False, False),
        ("wholesale", False, True),
    ]
    assert result.streams[1].changed and not result.streams[0].changed
    back = _diff(without, BASE)
    assert [(s.stream, s.before is None) for s in back.streams if s.changed] == [
        ("wholesale", True)
    ]


def test_a_renamed_team_does_not_move_hand_offs_in_or_out() -> None:
    head = BASE.replace("  stock:\n", "  warehouse:\n").replace("to: stock,", "to: warehouse,")
    result = _diff(BASE, head)
    assert [(r.old, r.new) for r in result.renamed] == [("stock", "warehouse")]
    order = result.streams[0]
    assert order.handoffs_added == () and order.handoffs_removed == ()
    assert not order.changed


def test_text_says_what_happens_to_each_stream(runner: CliRunner, sides: tuple[str, str]) -> None:
    result = runner.invoke(app, ["diff", *sides, "--color", "never"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        "  value stream order: lead time 3.08d → 2.08d, now meets its target, rolled %C&A "
        "83.8% → 76.2%, flow efficiency 8.8% → 12.8%, hand-offs 1 added, 0 removed"
    ) in lines
    at = lines.index("Value streams")
    # Only the streams the change moves are listed (-f json has them all).
    assert lines[at + 1 : at + 2] == [
        "  Order to delivery (order): lead time 3.08d → 2.08d (target 3d: missed by 2h → 3d: "
        "met, 22h to spare); flow efficiency 8.8% → 12.8%; rolled %C&A 83.8% → 76.2%; "
        "hand-offs 5 → 6; critical path now planning → web → fulfil → carrier → shoppers; "
        "joined: planning → web: Promotions",
    ]
    assert "Club order to delivery (wholesale)" not in result.stdout
    assert "  carrier → shoppers: Parcels: lead time 2d → 1d; %C&A 98% → 99%" in lines


def test_markdown_folds_the_streams(runner: CliRunner, sides: tuple[str, str]) -> None:
    text = runner.invoke(app, ["diff", *sides, "-f", "markdown"]).stdout
    assert "- value stream order: lead time 3.08d → 2.08d, now meets its target" in text
    assert "<details><summary>Value streams (1)</summary>" in text
    assert "- Order to delivery (order): lead time 3.08d → 2.08d (target 3d: " in text


def test_json_has_both_sides_of_each_stream(runner: CliRunner, sides: tuple[str, str]) -> None:
    data = json.loads(runner.invoke(app, ["diff", *sides, "-f", "json"]).stdout)
    order, wholesale = data["streams"]
    assert (order["stream"], order["changed"], wholesale["changed"]) == ("order", True, False)
    assert order["before"]["lead_time_hours"] == 74.0
    assert order["after"]["lead_time_hours"] == 50.0
    assert order["after"]["target_met"] is True
    assert order["after"]["rolled_complete_accurate"] == pytest.approx(0.95 * 0.9 * 0.99 * 0.9)
    assert order["handoffs_added"] == [
        {"provider": "planning", "receiver": "web", "what": "Promotions"}
    ]
    assert order["handoffs_removed"] == []
    [changed] = data["relations"]["changed"]
    assert changed["changes"]["complete_accurate"] == {"before": 0.98, "after": 0.99}


def test_a_stream_only_change_is_not_no_change(runner: CliRunner, tmp_path: Path) -> None:
    before, after = tmp_path / "a.yaml", tmp_path / "b.yaml"
    before.write_text(BASE, encoding="utf-8")
    after.write_text(BASE.replace("target: 3d", "target: 4d"), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(before), str(after)], env={"COLUMNS": "300"})
    assert "no change to the internal-customer graph" not in result.stdout
    assert "now meets its target" in result.stdout


def test_a_stream_renamed_is_a_change(runner: CliRunner, tmp_path: Path) -> None:
    before, after = tmp_path / "a.yaml", tmp_path / "b.yaml"
    before.write_text(BASE, encoding="utf-8")
    renamed = BASE.replace("name: Order to delivery", "name: Order to door")
    assert renamed != BASE
    after.write_text(renamed, encoding="utf-8")
    result = runner.invoke(app, ["diff", str(before), str(after)], env={"COLUMNS": "300"})
    assert "no change to the internal-customer graph" not in result.stdout
    assert "value stream order: renamed" in result.stdout
    assert "name Order to delivery → Order to door" in result.stdout
