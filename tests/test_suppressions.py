"""A team's ``ignore:`` entries: what they drop, and IC402 for those that drop nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap.cli import app

ORG = """
customers: {users: {}}
teams:
  web:
    lead: x
    provides: [{what: Site, to: users, lead_time: 1h}]
    receives: [{what: Vendor feed, from: vendor, lead_time: 1d}]
  vendor:
    lead: y
    ignore: {one-sided-relation: "declared by web only, on purpose"}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _codes(runner: CliRunner, org: Path, *args: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["check", str(org), "-f", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, [f["code"] for f in json.loads(result.stdout)["findings"]]


@pytest.mark.parametrize(
    "args", [[], ["--ignore", "IC206"], ["--select", "IC3,IC402"], ["--fail-on", "warning"]]
)
def test_a_suppression_of_a_rule_that_did_not_run_is_not_unused(
    runner: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    # IC206 (one-sided-relation) is off by default: its suppression matches once --strict
    # runs it, and a strict job and a default one must both pass.
    org = write(tmp_path, "org.yaml", ORG)
    code, codes = _codes(runner, org, *args)
    assert "IC402" not in codes
    assert code == 0
    strict_code, strict = _codes(runner, org, "--strict", "--fail-on", "warning")
    assert strict_code == 0 and "IC206" not in strict and "IC402" not in strict


def test_a_suppression_matching_nothing_of_a_rule_that_ran_is_unused(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(
        tmp_path, "org.yaml", ORG.replace("lead_time: 1d}]", "lead_time: 1d}]\n    provides: []")
    )
    both = ORG.replace(
        "  vendor:\n", "  vendor:\n    provides: [{what: Vendor feed, to: web, lead_time: 1d}]\n"
    )
    org = write(tmp_path, "both.yaml", both)  # declared by both sides: nothing to suppress
    code, codes = _codes(runner, org, "--strict", "--fail-on", "warning")
    assert code == 1 and codes == ["IC402"]


def test_an_unknown_rule_gets_a_did_you_mean(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        ORG.replace("one-sided-relation:", "loopp: x,\n      one-sided-relation:"),
    )
    result = runner.invoke(app, ["check", str(org)])
    assert "ignores unknown rule 'loopp' [IC402 unused-suppression]" in result.stdout
    assert "  hint: did you mean 'loop'?" in result.stdout


def test_the_config_at_the_root_of_the_org_folder_is_read_from_anywhere(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / "org", "org.yaml", "customers: {c: {}}\nteams:\n  a: {lead: Ann}\n")
    write(repo / "org", ".icmap.yaml", "check:\n  select: [IC302]\n")
    monkeypatch.chdir(repo)
    for args in (["org/"], ["--org", "org"], ["org/org.yaml"]):
        result = runner.invoke(app, ["check", *args, "-f", "json"])
        codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
        assert codes == ["IC302"], args  # IC301 (no path to the customer) not selected
    monkeypatch.chdir(repo / "org")
    assert _codes(runner, Path())[1] == ["IC302"]
    # Without one beside the org, the current folder's is read, as before.
    write(repo, ".icmap.yaml", "check:\n  select: [IC301]\n")
    (repo / "org" / ".icmap.yaml").unlink()
    monkeypatch.chdir(repo)
    assert _codes(runner, Path("org"))[1] == ["IC301"]
