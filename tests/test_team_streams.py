"""``icmap team`` on an org with value streams: which streams a team serves, its place in each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap import build_graph, load
from icmap.analysis.team_page import team_page
from icmap.cli import app

STREAMS = Path(__file__).parent / "fixtures" / "streams" / "two-streams.yaml"
PERT = str(Path(__file__).parent / "fixtures" / "pert.yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _section(text: str) -> list[str]:
    lines = text.splitlines()
    return lines[lines.index("Value streams") + 1 :]


def test_page_knows_its_streams() -> None:
    graph = build_graph(load(STREAMS))
    carrier = team_page(graph, "carrier")
    assert carrier.streams_declared
    assert [(f.id, p.on_critical_path, p.position, p.steps) for f, p in carrier.streams] == [
        ("order", True, 3, 3),
        ("wholesale", True, 3, 3),
    ]
    web = team_page(graph, "web")
    assert [(f.id, p.on_critical_path, p.slack) for f, p in web.streams] == [("order", False, 1.0)]
    assert team_page(graph, "planning").streams == ()


def test_text_page_says_its_place_in_each_stream(runner: CliRunner) -> None:
    org = str(STREAMS)
    env = {"COLUMNS": "200"}
    carrier = runner.invoke(app, ["team", "carrier", "--org", org, "--color", "never"], env=env)
    assert carrier.exit_code == 0, carrier.stderr
    assert _section(carrier.stdout) == [
        "Order to delivery (order) → shoppers: on its critical path, step 3 of 3 (lead time "
        "3.08d; target 3d: missed by 2h).",
        "Club order to delivery (wholesale) → clubs: on its critical path, step 3 of 3 (lead "
        "time 6d; target 14d: met, 8d to spare).",
    ]
    stock = runner.invoke(app, ["team", "stock", "--org", org, "--color", "never"], env=env)
    assert _section(stock.stdout) == [
        "Order to delivery (order) → shoppers: on its critical path, step 1 of 3 (lead time "
        "3.08d; target 3d: missed by 2h)."
    ]
    web = runner.invoke(app, ["team", "web", "--org", org, "--color", "never"], env=env)
    assert _section(web.stdout) == [
        "Order to delivery (order) → shoppers: off its critical path; slack 1h (lead time "
        "3.08d; target 3d: missed by 2h)."
    ]
    planning = runner.invoke(app, ["team", "planning", "--org", org, "--color", "never"])
    assert _section(planning.stdout) == [
        "Serves no value stream: none of its hand-offs is part of one."
    ]


def test_tied_team_has_no_slack_but_is_off_the_path_shown(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {shop: {}}
        streams: {order: {customer: shop}}
        teams:
          a: {provides: [{what: x, to: c, streams: order, lead_time: 1d}]}
          b: {provides: [{what: y, to: c, streams: order, lead_time: 1d}]}
          c: {provides: [{what: z, to: shop, streams: order, lead_time: 1h}]}
        """,
    )
    result = runner.invoke(app, ["team", "b", "--org", str(org)], env={"COLUMNS": "200"})
    assert _section(result.stdout) == [
        "order → shop: off its critical path as shown, but no slack: a chain through it is as "
        "long (lead time 1.04d)."
    ]


def test_markdown_and_json_pages(runner: CliRunner) -> None:
    org = str(STREAMS)
    markdown = runner.invoke(app, ["team", "web", "--org", org, "-f", "markdown"]).stdout
    assert (
        "\n## Value streams\n\n- Order to delivery (order) → shoppers: off its critical path; "
        "slack 1h (lead time 3.08d; target 3d: missed by 2h).\n"
    ) in markdown
    data = json.loads(runner.invoke(app, ["team", "carrier", "--org", org, "-f", "json"]).stdout)
    assert data["streams"] == [
        {
            "stream": "order",
            "name": "Order to delivery",
            "customer": "shoppers",
            "on_critical_path": True,
            "step": 3,
            "steps": 3,
            "slack": 0.0,
            "slack_unit": "hours",
            "slack_lower_bound": False,
            "tied": False,
        },
        {
            "stream": "wholesale",
            "name": "Club order to delivery",
            "customer": "clubs",
            "on_critical_path": True,
            "step": 3,
            "steps": 3,
            "slack": 0.0,
            "slack_unit": "hours",
            "slack_lower_bound": False,
            "tied": False,
        },
    ]
    web = json.loads(runner.invoke(app, ["team", "web", "--org", org, "-f", "json"]).stdout)
    assert web["streams"][0]["on_critical_path"] is False and web["streams"][0]["step"] is None


def test_no_streams_no_section(runner: CliRunner) -> None:
    for fmt in ("text", "markdown"):
        result = runner.invoke(app, ["team", "c", "--org", PERT, "-f", fmt])
        assert result.exit_code == 0, result.stderr
        assert "Value streams" not in result.stdout and "value stream" not in result.stdout
    data = json.loads(runner.invoke(app, ["team", "c", "--org", PERT, "-f", "json"]).stdout)
    assert data["streams"] == []


def test_all_pages_carry_their_streams(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    result = runner.invoke(app, ["team", "--all", "--org", str(STREAMS), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "step 2 of 3" in (out / "fulfil.md").read_text(encoding="utf-8")
    assert "Serves no value stream" in (out / "planning.md").read_text(encoding="utf-8")
