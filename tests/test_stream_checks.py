"""The value-stream rules of ``icmap check`` (issue 26): IC211, IC311, IC312, IC313, their
options in ``.icmap.yaml``, and orgs without streams."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, write
from icmap.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "check"
STREAM_RULES = "IC211,IC311,IC312,IC313"

ORG = """\
customers: {shoppers: {}}
streams:
  order: {customer: shoppers, target: 3d}
  returns: {customer: shoppers, target: 4d}
teams:
  shop:
    type: stream-aligned
    provides:
      - {what: Orders, to: warehouse, streams: [order, returns], lead_time: 2d,
         complete_accurate: 85%}
  warehouse:
    type: stream-aligned
    provides:
      - {what: Parcels, to: shoppers, streams: order, lead_time: 1.5d, complete_accurate: 0.95}
      - {what: Refunds, to: shoppers, streams: returns, lead_time: 1d}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _check(
    runner: CliRunner, tmp_path: Path, config: str | None = None, *args: str
) -> tuple[int, list[dict[str, object]], str]:
    org = write(tmp_path, "org.yaml", ORG)
    extra = []
    if config is not None:
        extra = ["--config", str(write(tmp_path, "icmap.yaml", config))]
    select = [] if "--select" in args else ["--select", STREAM_RULES]
    result = runner.invoke(app, ["check", str(org), "-f", "json", *select, *extra, *args])
    findings = json.loads(result.stdout)["findings"] if result.stdout.startswith("{") else []
    return result.exit_code, findings, result.stderr


def test_the_org_as_written(runner: CliRunner, tmp_path: Path) -> None:
    """Order takes 3.5d against 3d: an error, so the check fails without --fail-on; both
    stream-aligned teams serve two streams."""
    code, findings, _ = _check(runner, tmp_path)
    assert code == 1
    found = [(f["code"], f["severity"], f["line"], f["col"]) for f in findings]
    assert found == [
        ("IC311", "error", 3, 3),
        ("IC312", "warning", 6, 3),
        ("IC312", "warning", 11, 3),
    ]
    missed = findings[0]
    assert missed["name"] == "stream-misses-target"
    assert missed["file"] == str(tmp_path / "org.yaml")
    assert missed["message"] == (
        "stream 'order' takes 3.5d to reach shoppers, 12h over its target of 3d; "
        "critical path: shop → warehouse → shoppers; longest step shop → warehouse (2d)"
    )
    assert findings[1]["message"] == (
        "stream-aligned team 'shop' serves 2 value streams (more than 1): order, returns"
    )


@pytest.mark.parametrize(
    ("margin", "reported"),
    [("10%", True), ("20%", False), ("11h", True), ("12h", False), ("0.5d", False), (0, True)],
)
def test_margin_as_a_share_or_a_duration(
    runner: CliRunner, tmp_path: Path, margin: object, reported: bool
) -> None:
    config = f"check: {{rules: {{stream-misses-target: {{margin: {margin}}}}}}}\n"
    code, findings, stderr = _check(runner, tmp_path, config, "--select", "IC311")
    assert code == (1 if reported else 0), stderr
    assert bool(findings) is reported
    if reported and margin:
        assert f"(more than the margin of {margin})" in str(findings[0]["message"])


def test_severity_is_configurable(runner: CliRunner, tmp_path: Path) -> None:
    config = "check: {rules: {IC311: {severity: warning}}}\n"
    code, findings, _ = _check(runner, tmp_path, config, "--select", "IC311")
    assert code == 0
    assert [f["severity"] for f in findings] == ["warning"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "{IC311: {margin: soon}}",
            ":1:33: error: check.rules.IC311.margin: margin 'soon' is neither a share of the "
            "target nor a duration",
        ),
        ("{IC311: {margin: 5}}", "margin '5' is neither a share of the target nor a duration"),
        ("{IC211: {threshold: 80}}", "check.rules.IC211.threshold: threshold '80' is not a share"),
        ("{IC211: {threshold: 0%}}", "threshold '0%' must be above 0%"),
        ("{IC312: {max-streams: two}}", "max-streams: expected a number"),
    ],
)
def test_bad_options_are_exit_2_with_positions(
    runner: CliRunner, tmp_path: Path, setting: str, message: str
) -> None:
    code, _, stderr = _check(runner, tmp_path, f"check: {{rules: {setting}}}\n")
    assert code == 2
    assert message in stderr
    assert "[IC090]" in stderr


def test_threshold_as_a_share_or_a_fraction(runner: CliRunner, tmp_path: Path) -> None:
    for written in ("90%", "0.9"):
        config = f"check: {{rules: {{low-complete-accurate: {{threshold: {written}}}}}}}\n"
        code, findings, stderr = _check(runner, tmp_path, config, "--select", "IC211")
        assert code == 0, stderr  # warnings do not fail by default
        assert [(f["code"], f["line"], f["col"]) for f in findings] == [("IC211", 9, 9)]
        assert findings[0]["message"] == (
            "shop → warehouse ('Orders') on the critical path of streams 'order', 'returns' "
            "arrives complete and accurate 85% of the time, below 90%"
        )


def test_max_streams_and_max_hand_offs(runner: CliRunner, tmp_path: Path) -> None:
    config = "check: {rules: {IC312: {max-streams: 2}, IC313: {max-hand-offs: 1}}}\n"
    code, findings, _ = _check(runner, tmp_path, config, "--select", "IC312,IC313")
    assert code == 0
    assert [(f["code"], f["line"]) for f in findings] == [("IC313", 3), ("IC313", 4)]
    assert findings[0]["message"] == (
        "stream 'order' has 2 hand-offs (more than 1) between 2 teams and its customer "
        "shoppers, 2 of them on its critical path"
    )


def test_a_team_suppresses_a_stream_finding(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        ORG.replace(
            "  shop:\n    type: stream-aligned\n",
            "  shop:\n    type: stream-aligned\n"
            "    ignore: {stream-aligned-focus: runs both desks until the split in May}\n",
        ),
    )
    result = runner.invoke(app, ["check", str(org), "-f", "json", "--select", "IC312"])
    assert [f["line"] for f in json.loads(result.stdout)["findings"]] == [12]


@pytest.mark.parametrize(
    "org",
    [EXAMPLES / "team-topologies.yaml", EXAMPLES / "software-company.yaml"],
    ids=lambda p: p.stem,
)
def test_an_org_without_streams_gets_none_of_them(runner: CliRunner, org: Path) -> None:
    assert "\nstreams:" not in org.read_text(encoding="utf-8")
    result = runner.invoke(
        app, ["check", str(org), "-f", "json", "--select", STREAM_RULES, "--fail-on", "info"]
    )
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["findings"] == []


def test_text_output_names_the_rule_and_hint(runner: CliRunner) -> None:
    bad = FIXTURES / "ic311-bad.yaml"
    result = runner.invoke(app, ["check", str(bad), "--select", "IC311"])
    assert result.exit_code == 1
    assert f"{bad}:7:3: error: stream 'order' takes 5d to reach shoppers" in result.stdout
    assert "[IC311 stream-misses-target]" in result.stdout
    assert "hint: shorten its critical path, or agree a target it can meet" in result.stdout
