"""``icmap report`` on orgs written in Team Topologies terms, and on orgs that are not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES
from icmap.cli import app

TOPOLOGIES = EXAMPLES / "team-topologies.yaml"
FIELDS = ("today", "team_types", "interaction_modes", "dependency_states", "past_end")
HEADINGS = ("Teams by type", "Interactions by mode", "Blocking and slowing", "past their end")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["report", "-f", "json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_json_sections(runner: CliRunner) -> None:
    data = _json(runner, str(TOPOLOGIES), "--today", "2026-11-23")
    assert data["today"] == "2026-11-23"
    assert data["team_types"] == {
        "stream-aligned": ["booking", "insights", "routing", "tracking"],
        "platform": ["data-platform", "design-system", "runtime-platform"],
        "enabling": ["security-enabling"],
        "complicated-subsystem": ["routing-engine"],
    }
    modes = data["interaction_modes"]
    assert list(modes) == ["x-as-a-service", "collaboration", "facilitating", "none"]
    assert {"provider": "data-platform", "receiver": "tracking", "what": "Event streams"} in (
        modes["collaboration"]
    )
    assert data["dependency_states"] == [
        {
            "provider": "routing-engine",
            "receiver": "booking",
            "what": "Route pricing",
            "state": "blocking",
            "on_critical_path": True,
            "critical_to": ["recipients", "senders"],
        },
        {
            "provider": "booking",
            "receiver": "routing",
            "what": "Shipment orders",
            "state": "slowing",
            "on_critical_path": True,
            "critical_to": ["recipients"],
        },
        {
            "provider": "data-platform",
            "receiver": "tracking",
            "what": "Event streams",
            "state": "slowing",
            "on_critical_path": False,
            "critical_to": [],
        },
    ]
    assert data["past_end"] == [
        {
            "provider": "data-platform",
            "receiver": "tracking",
            "what": "Event streams",
            "mode": "collaboration",
            "until": "2026-06-30",
            "days_past": 146,
        }
    ]


def test_today_moves_the_end_dates(runner: CliRunner) -> None:
    assert _json(runner, str(TOPOLOGIES), "--today", "2026-06-30")["past_end"] == []
    later = _json(runner, str(TOPOLOGIES), "--today", "2027-02-01")["past_end"]
    assert [p["until"] for p in later] == ["2026-06-30", "2026-12-15", "2026-12-31", "2027-01-31"]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_and_markdown_sections(runner: CliRunner, fmt: str) -> None:
    result = runner.invoke(app, ["report", str(TOPOLOGIES), "-f", fmt, "--today", "2026-11-23"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    for heading in HEADINGS:
        assert heading in out
    assert "Interactions past their end date (today: 2026-11-23)" in out
    assert "146 days past its end" in out
    assert "on the critical path to recipients, senders" in out
    assert "not on a critical path" in out
    assert "complicated-subsystem" in out


@pytest.mark.parametrize("org", [p for p in EXAMPLE_PATHS if p != TOPOLOGIES], ids=lambda p: p.name)
def test_orgs_without_the_fields_have_no_such_sections(runner: CliRunner, org: Path) -> None:
    data = _json(runner, str(org))
    assert not set(FIELDS) & set(data)
    text = runner.invoke(app, ["report", str(org), "-f", "markdown"]).stdout
    assert not [h for h in HEADINGS if h in text]


def test_a_bad_today_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", str(TOPOLOGIES), "--today", "23.11.2026"])
    assert result.exit_code == 2
    assert "--today: '23.11.2026' is not a date; write it as YYYY-MM-DD" in result.stderr
