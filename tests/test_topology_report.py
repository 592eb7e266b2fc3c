"""``icmap report`` on orgs written in Team Topologies terms, and on orgs that are not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES, write
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
            "tied_to": [],
        },
        {
            "provider": "booking",
            "receiver": "routing",
            "what": "Shipment orders",
            "state": "slowing",
            "on_critical_path": True,
            # booking ⇄ routing ⇄ tracking is a loop: no chain to senders takes this hand-off
            # without passing booking twice (booking → routing → tracking → booking → senders).
            "critical_to": ["recipients"],
            "tied_to": [],
        },
        {
            "provider": "data-platform",
            "receiver": "tracking",
            "what": "Event streams",
            "state": "slowing",
            "on_critical_path": False,
            "critical_to": [],
            "tied_to": [],
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


TIED = """\
customers: {users: {}}
teams:
  alpha: {provides: [{what: Designs, to: app}]}
  beta: {provides: [{what: Pricing, to: app}]}
  app:
    provides: [{what: App, to: users, lead_time: 1d}]
    receives:
      - {what: Designs, from: alpha, lead_time: 2d}
      - {what: Pricing, from: beta, lead_time: 2d, state: blocking}
"""


def test_a_hand_off_on_a_tied_critical_path_is_on_a_critical_path(
    runner: CliRunner, tmp_path: Path
) -> None:
    # alpha → app → users and beta → app → users both take 3d: the path shown is alpha's (the
    # first by id), and beta → app, with no slack, is on a critical path all the same.
    org = str(write(tmp_path, "org.yaml", TIED))
    data = _json(runner, org)
    [path] = data["critical_paths"]
    assert path["path"] == ["alpha", "app", "users"]
    assert path["tied_handoffs"] == [{"provider": "beta", "receiver": "app"}]
    assert data["slack_hours"]["beta"] == 0
    [dependency] = data["dependency_states"]
    assert (dependency["provider"], dependency["on_critical_path"]) == ("beta", True)
    assert (dependency["critical_to"], dependency["tied_to"]) == (["users"], ["users"])
    text = runner.invoke(app, ["report", org], env={"COLUMNS": "200"}).stdout
    tie = "paths tie: 1 more hand-off is on a chain as long as this one: beta → app"
    assert f"note: {tie}" in text
    assert "beta → app ('Pricing')  on the critical path to users (tied)" in text
    markdown = runner.invoke(app, ["report", org, "-f", "markdown"]).stdout
    assert f"- users: {tie}" in markdown
    assert (
        "| blocking | beta → app ('Pricing') | on the critical path to users (tied) |" in markdown
    )


def test_a_path_without_ties_lists_none(runner: CliRunner, tmp_path: Path) -> None:
    org = str(
        write(
            tmp_path,
            "org.yaml",
            TIED.replace("from: beta, lead_time: 2d", "from: beta, lead_time: 1d"),
        )
    )
    data = _json(runner, org)
    assert data["critical_paths"][0]["tied_handoffs"] == []
    [dependency] = data["dependency_states"]
    assert (dependency["on_critical_path"], dependency["tied_to"]) == (False, [])
    assert "paths tie" not in runner.invoke(app, ["report", org]).stdout
