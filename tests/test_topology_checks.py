"""The Team Topologies rules of ``icmap check`` (IC206-IC210, IC307-IC310) and ``--today``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES, write
from icmap.cli import app

NEW_RULES = ("IC206", "IC207", "IC208", "IC209", "IC210", "IC307", "IC308", "IC309", "IC310")
TOPOLOGIES = EXAMPLES / "team-topologies.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _codes(runner: CliRunner, *args: str) -> Counter[str]:
    result = runner.invoke(app, ["check", "-f", "json", "--fail-on", "info", *args])
    assert result.exit_code in (0, 1), result.output
    return Counter(f["code"] for f in json.loads(result.stdout)["findings"])


def test_the_example_shows_each_new_rule_once(runner: CliRunner) -> None:
    found = _codes(runner, str(TOPOLOGIES), "--today", "2026-11-23")
    assert {code: found[code] for code in NEW_RULES} == dict.fromkeys(NEW_RULES, 1)


def test_the_example_passes_by_default(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(TOPOLOGIES), "--today", "2026-11-23"])
    assert result.exit_code == 0, result.stdout
    assert "IC206 interaction-past-end" in result.stdout


@pytest.mark.parametrize("org", [p for p in EXAMPLE_PATHS if p != TOPOLOGIES], ids=lambda p: p.name)
def test_orgs_without_the_fields_get_no_new_findings(runner: CliRunner, org: Path) -> None:
    found = _codes(runner, str(org), "--today", "2099-01-01", "--strict")
    assert not set(found) & set(NEW_RULES)


def test_too_many_providers_only_judges_orgs_that_use_the_fields(
    runner: CliRunner, tmp_path: Path
) -> None:
    receives = "".join(f"      - {{what: x{i}, from: t{i}}}\n" for i in range(8))
    body = "customers: {u: {}}\nteams:\n" + "".join(f"  t{i}: {{}}\n" for i in range(8))
    body += "  app:\n    provides: [{what: App, to: u}]\n"
    plain = write(tmp_path, "plain.yaml", body + "    receives:\n" + receives)
    typed = write(tmp_path, "typed.yaml", body + "    type: platform\n    receives:\n" + receives)
    assert _codes(runner, str(plain), "--select", "IC310") == {}  # loads, and is not judged
    assert _codes(runner, str(typed), "--select", "IC310")["IC310"] == 1


@pytest.mark.parametrize(
    ("provider_says", "receiver_says"),
    [
        ("mode: collaboration", ""),  # one side only, the provider
        ("", "state: blocking"),  # one side only, the receiver
        ("since: 2026-01-01", "lead_time: 2d"),  # both sides, the provider alone gives a date
        ("lead_time: 1d", "until: 2027-01-01"),  # both sides, the receiver alone gives one
    ],
)
def test_a_mode_state_or_date_on_either_side_makes_the_org_judged(
    runner: CliRunner, tmp_path: Path, provider_says: str, receiver_says: str
) -> None:
    receives = "".join(f"      - {{what: x{i}, from: t{i}}}\n" for i in range(1, 8))
    body = "customers: {u: {}}\nteams:\n" + "".join(f"  t{i}: {{}}\n" for i in range(1, 8))
    said = f", {provider_says}" if provider_says else ""
    body += f"  t0:\n    provides: [{{what: x0, to: app{said}}}]\n"
    heard = f", {receiver_says}" if receiver_says else ""
    body += "  app:\n    provides: [{what: App, to: u}]\n    receives:\n"
    body += receives + (f"      - {{what: x0, from: t0{heard}}}\n" if receiver_says else "")
    org = write(tmp_path, "org.yaml", body)
    assert _codes(runner, str(org), "--select", "IC310")["IC310"] == 1


def test_options_come_from_the_config(runner: CliRunner, tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "icmap.yaml",
        """\
        check:
          rules:
            too-many-providers: {max-providers: 7}
            IC308: {min-service-share: 0.3}
        """,
    )
    found = _codes(runner, str(TOPOLOGIES), "--today", "2026-11-23", "--config", str(config))
    assert found["IC310"] == 0
    assert found["IC308"] == 0  # data-platform serves 1 of 3 as a service: a third is enough


def test_today_decides_what_is_past_its_end(runner: CliRunner) -> None:
    # Tracking's collaboration ends 2026-06-30, booking's 2026-12-15.
    assert _codes(runner, str(TOPOLOGIES), "--select", "IC206", "--today", "2026-06-30") == {}
    assert _codes(runner, str(TOPOLOGIES), "--select", "IC206", "--today", "2026-07-01") == {
        "IC206": 1
    }
    assert _codes(runner, str(TOPOLOGIES), "--select", "IC206", "--today", "2027-06-01") == {
        "IC206": 4
    }
    result = runner.invoke(
        app, ["check", str(TOPOLOGIES), "--select", "IC206", "--today", "2026-11-23"]
    )
    assert "the collaboration was to end on 2026-06-30, 146 days before 2026-11-23" in (
        result.stdout
    )


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01", "23/11/2026", ""])
def test_a_bad_today_is_a_usage_error(runner: CliRunner, bad: str) -> None:
    result = runner.invoke(app, ["check", str(TOPOLOGIES), "--today", bad])
    assert result.exit_code == 2
    assert f"--today: {bad!r} is not a date; write it as YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.output


def test_disagreement_names_every_field(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {u: {}}
        teams:
          p: {provides: [{what: X, to: r, state: ok, until: 2027-01-01, mode: collaboration}]}
          r:
            provides: [{what: Y, to: u}]
            receives: [{what: X, from: p, state: blocking, until: 2027-02-01}]
        """,
    )
    result = runner.invoke(app, ["check", str(org), "--select", "IC208"])
    assert result.exit_code == 0
    assert "state: the provider says ok, the receiver blocking" in result.stdout
    assert "until: the provider says 2027-01-01, the receiver 2027-02-01" in result.stdout
    assert "mode:" not in result.stdout


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


def test_a_blocking_hand_off_on_a_tied_critical_path_is_reported(
    runner: CliRunner, tmp_path: Path
) -> None:
    # alpha → app → users and beta → app → users both take 3d; the report shows alpha's.
    org = write(tmp_path, "org.yaml", TIED)
    result = runner.invoke(app, ["check", str(org), "--fail-on", "warning", "-f", "json"])
    assert result.exit_code == 1
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "IC209"]
    assert finding["message"] == (
        "beta → app ('Pricing') is blocking, and it is on the critical path to users (tied)"
    )
    assert (finding["line"], finding["col"]) == (9, 9)


LOOP_BACK = """
customers: {buyers: {}}
teams:
  sales:
    lead: x
    provides: [{what: Orders, to: prepress, lead_time: 1d}, {what: Service, to: buyers, lead_time: 1h}]
    receives: [{what: Proofs, from: prepress, state: blocking, satisfaction: 2}]
  prepress: {lead: x, provides: [{what: Plates, to: print, lead_time: 2d}]}
  print: {lead: x, provides: [{what: Prints, to: buyers, lead_time: 1h}]}
"""


def test_a_hand_off_back_inside_a_loop_is_no_tie(runner: CliRunner, tmp_path: Path) -> None:
    # sales → prepress → print → buyers takes 73h; the one chain taking prepress → sales
    # (prepress → sales → buyers) 1h: 72h of slack, so it is on no critical path, and none of
    # the critical-path rules fires on it (they used to, with "(tied)", through a chain passing
    # sales twice).
    org = write(tmp_path, "org.yaml", LOOP_BACK)
    result = runner.invoke(app, ["check", str(org), "--fail-on", "warning", "-f", "json"])
    assert result.exit_code == 0, result.stdout
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert not codes & {"IC203", "IC204", "IC209", "IC210"}
    report = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    [path] = report["critical_paths"]
    assert path["path"] == ["sales", "prepress", "print", "buyers"]
    assert path["tied_handoffs"] == []
