"""Surveys ask the receiving team for a hand-off's %C&A (issue 26, item 2): the questionnaire's
``complete_accurate`` column, its answers read back, and the latest round's mean in the org."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap.cli import app
from icmap.errors import LoadError
from icmap.graph import build_graph
from icmap.loader import load

ORG = """\
customers: {shoppers: {}}
streams: {order: {customer: shoppers, target: 4d}}
surveys: surveys/
teams:
  shop:
    provides:
      - {what: Orders, to: warehouse, streams: order, lead_time: 1d, complete_accurate: 95%}
  warehouse:
    provides:
      - {what: Parcels, to: shoppers, streams: order, lead_time: 2d, complete_accurate: 90%}
"""
HEADER = "receiver,provider,what,score,lead_time,complete_accurate,comment,respondent"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _org(tmp_path: Path, rounds: dict[str, list[str]], header: str = HEADER) -> Path:
    for name, rows in rounds.items():
        write(tmp_path / "surveys", name, "\r\n".join([header, *rows]) + "\r\n")
    return write(tmp_path, "org.yaml", ORG)


def _orders(org: Path):  # type: ignore[no-untyped-def]
    return next(r for r in load(org).relations if r.what == "Orders")


def test_the_questionnaire_asks_for_it(runner: CliRunner, tmp_path: Path) -> None:
    org = _org(tmp_path, {})
    result = runner.invoke(app, ["survey", str(org)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "receiver,provider,what,declared_lead_time,score,lead_time,complete_accurate,comment,"
        "respondent"
    )
    assert lines[1] == "warehouse,shop,Orders,1d,,,,,"
    page = runner.invoke(app, ["survey", str(org), "-f", "markdown"]).stdout
    assert "| complete and accurate (%) |" in page
    assert "share of deliveries your team can use as they arrive" in page
    form = runner.invoke(app, ["survey", str(org), "-f", "html"]).stdout
    assert 'name="complete_accurate"' in form
    # The page's heading first, then what to do, then a heading per team.
    body = form.split("<body>", 1)[1]
    assert body.startswith("\n<h1>Internal-customer survey")
    assert body.index("<h1>") < body.index("Your name") < body.index("<h2>What ")


def test_the_latest_rounds_mean_replaces_the_yaml_value(tmp_path: Path) -> None:
    org = _org(
        tmp_path,
        {
            "2026-q2.csv": ["warehouse,shop,Orders,4,,50%,,ann"],
            "2026-q3.csv": [
                "warehouse,shop,Orders,4,,70%,,ann",
                "warehouse,shop,Orders,,,0.8,,bo",
                "warehouse,shop,Orders,3,,,,cy",  # blank: unanswered, not counted
            ],
        },
    )
    orders = _orders(org)
    assert orders.complete_accurate == 0.75
    survey = orders.survey
    assert survey is not None
    assert (survey.complete_accurate, survey.complete_accurate_answers) == (0.75, 2)
    assert survey.complete_accurate_round == "2026-q3"
    assert survey.declared_complete_accurate == 0.95
    assert survey.complete_accurate_pos is not None
    assert (survey.complete_accurate_pos.line, survey.complete_accurate_pos.col) == (2, 6)
    assert survey.complete_accurate_pos.file.endswith("2026-q3.csv")
    # The streams' numbers use it: rolled %C&A is 0.75 * 0.9.
    from icmap.analysis.streams import stream_flows

    [flow] = stream_flows(build_graph(load(org)))
    assert flow.rolled_ca == pytest.approx(0.675)


def test_an_older_round_counts_until_a_later_one_reports_one(tmp_path: Path) -> None:
    org = _org(
        tmp_path,
        {
            "2026-q2.csv": ["warehouse,shop,Orders,4,,60%,,ann"],
            "2026-q3.csv": ["warehouse,shop,Orders,2,,,,ann"],
        },
    )
    orders = _orders(org)
    assert orders.satisfaction == 2
    assert orders.complete_accurate == 0.6
    assert orders.survey is not None and orders.survey.complete_accurate_round == "2026-q2"


def test_a_hand_off_nobody_reported_keeps_its_yaml_value(tmp_path: Path) -> None:
    org = _org(tmp_path, {"2026-q3.csv": ["warehouse,shop,Orders,4,,,,ann"]})
    orders = _orders(org)
    assert orders.complete_accurate == 0.95
    assert orders.survey is not None and orders.survey.complete_accurate is None


def test_old_response_files_without_the_column_still_load(tmp_path: Path) -> None:
    org = _org(
        tmp_path,
        {"2026-q3.csv": ["warehouse,shop,Orders,3,2d,,ann"]},
        header="receiver,provider,what,score,lead_time,comment,respondent",
    )
    orders = _orders(org)
    assert (orders.satisfaction, orders.complete_accurate) == (3, 0.95)


def test_other_headers_for_the_column(tmp_path: Path) -> None:
    header = "receiver,provider,what,score,%C&A"
    org = _org(tmp_path, {"2026-q3.csv": ['warehouse,shop,Orders,4,"87,5 %"']}, header=header)
    assert _orders(org).complete_accurate == 0.875


def test_bad_cells_are_errors_with_positions(tmp_path: Path) -> None:
    org = _org(
        tmp_path,
        {
            "2026-q3.csv": [
                "warehouse,shop,Orders,4,,85,,ann",
                "warehouse,shop,Orders,4,,0%,,bo",
                "warehouse,shop,Orders,4,,most,,cy",
                "warehouse,shop,Orders,4,,120%,,dee",
            ]
        },
    )
    with pytest.raises(LoadError) as caught:
        load(org)
    found = [(d.line, d.col, d.code, d.message) for d in caught.value.diagnostics]
    # 85 under the questionnaire's "(%)" heading is 85%: no finding for line 2.
    assert found == [
        (3, 6, "IC007", "complete_accurate '0%' must be above 0%"),
        (4, 6, "IC007", "complete_accurate 'most' is not a share"),
        (5, 6, "IC007", "complete_accurate '120%' is more than 100%"),
    ]
    assert all(d.file.endswith("2026-q3.csv") for d in caught.value.diagnostics)
    assert caught.value.diagnostics[2].hint == "a share of what arrives is at most 100%"


def test_check_points_at_the_survey_cell(runner: CliRunner, tmp_path: Path) -> None:
    org = _org(
        tmp_path,
        {"2026-q3.csv": ["warehouse,shop,Orders,4,,60%,,ann", "warehouse,shop,Orders,4,,70%,,bo"]},
    )
    result = runner.invoke(app, ["check", str(org), "-f", "json", "--select", "IC211"])
    assert result.exit_code == 0, result.output
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["file"] == str(tmp_path / "surveys" / "2026-q3.csv")
    assert (finding["line"], finding["col"]) == (2, 6)
    assert finding["message"] == (
        "shop → warehouse ('Orders') on the critical path of stream 'order' arrives complete "
        "and accurate 65% of the time (survey 2026-q3, 2 answers; the YAML says 95%), below 80%"
    )


def test_a_broken_cell_is_a_check_finding(runner: CliRunner, tmp_path: Path) -> None:
    org = _org(tmp_path, {"2026-q3.csv": ["warehouse,shop,Orders,4,,lots,,ann"]})
    result = runner.invoke(app, ["check", str(org)])
    assert result.exit_code == 1
    expected = f"{tmp_path / 'surveys' / '2026-q3.csv'}:2:6: error: complete_accurate 'lots'"
    assert expected in result.stdout
