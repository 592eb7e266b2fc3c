"""``icmap check``: one fixture org per rule (triggering and not), configs, and every format."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES, ROOT, write
from icmap.cli import app
from icmap.lint.registry import all_rules

FIXTURES = Path(__file__).parent / "fixtures" / "check"
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _expectations(path: Path) -> tuple[list[str], list[tuple[str, int, int]]]:
    text = path.read_text(encoding="utf-8")
    args_line = re.search(r"^# args:(.*)$", text, re.MULTILINE)
    # {fixtures} is the fixtures' folder: the event logs of the IC7xx rules are in events/.
    args = args_line.group(1).replace("{fixtures}", str(path.parent)).split() if args_line else []
    expected = [
        (code, int(line), int(col))
        for code, line, col in re.findall(r"^# expect: (IC\d+) (\d+):(\d+)$", text, re.MULTILINE)
    ]
    return args, sorted(expected)


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_rule_fixtures(runner: CliRunner, fixture: Path) -> None:
    args, expected = _expectations(fixture)
    if "--fail-on" not in args:
        args += ["--fail-on", "info"]
    result = runner.invoke(app, ["check", str(fixture), "-f", "json", *args])
    data = json.loads(result.stdout)
    found = sorted((f["code"], f["line"], f["col"]) for f in data["findings"])
    assert found == expected, result.stdout
    assert result.exit_code == (1 if expected else 0), result.stderr
    for finding in data["findings"]:
        # Survey rules (IC5xx) point into the fixture's own response files.
        surveys = str(FIXTURES / "surveys" / fixture.stem) + "/"
        # IC705 points at the line of the fixture's event log that names an unknown team.
        log = str(FIXTURES / "events" / fixture.stem) + ".csv"
        assert finding["file"] in (str(fixture), log) or finding["file"].startswith(surveys)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", finding["name"])


@pytest.mark.parametrize("page", ["format", "import"])
def test_the_pages_tables_of_codes_are_the_findings_own(page: str) -> None:
    # One text for each code: the page's table, docs/rules.md and SARIF's rule descriptions.
    from icmap.diagnostics import LOADER_CODES, LOADER_MEANINGS
    from icmap.importers import IMPORT_CODES, IMPORT_MEANINGS
    from icmap.lint.docs import code_table

    codes, meanings = (
        (LOADER_CODES, LOADER_MEANINGS) if page == "format" else (IMPORT_CODES, IMPORT_MEANINGS)
    )
    assert codes.keys() == meanings.keys()
    text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
    assert code_table(codes, meanings) in text


def test_every_rule_has_fixtures_and_docs() -> None:
    from icmap.lint.docs import rules_markdown

    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert docs == rules_markdown(), "stale: python -m icmap.lint.docs > docs/rules.md"
    for rule in all_rules():
        assert f"## {rule.code} {rule.name}" in docs or f"### {rule.code} {rule.name}" in docs
        if rule.check is not None:
            assert list(FIXTURES.glob(f"{rule.code.lower()}-bad.yaml")), rule.code
            assert list(FIXTURES.glob(f"{rule.code.lower()}-good.yaml")), rule.code


@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_examples_pass(runner: CliRunner, org: Path) -> None:
    result = runner.invoke(app, ["check", str(org)])
    assert result.exit_code == 0, result.stdout
    assert "check passed" in result.stdout


def test_text_output_groups_by_file(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(FIXTURES / "ic301-bad.yaml"), "--select", "IC301"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == str(FIXTURES / "ic301-bad.yaml")
    assert lines[1].startswith(f"{FIXTURES / 'ic301-bad.yaml'}:6:3: error: team 'lab' has no path")
    assert lines[-1] == "check failed: 2 errors, 0 warnings, 0 infos"


def test_fail_on_warning(runner: CliRunner) -> None:
    org = str(FIXTURES / "ic302-bad.yaml")
    assert runner.invoke(app, ["check", org, "--select", "IC302"]).exit_code == 0
    assert (
        runner.invoke(app, ["check", org, "--select", "IC302", "--fail-on", "warning"]).exit_code
        == 1
    )


def test_a_broken_org_is_a_finding_not_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(FIXTURES / "loader-syntax.yaml")])
    assert result.exit_code == 1
    assert f"{FIXTURES / 'loader-syntax.yaml'}:3:12: error: YAML syntax" in result.stdout
    assert "[IC002 yaml-syntax]" in result.stdout


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["check", str(tmp_path / "nope")])
    assert missing.exit_code == 2
    unknown = runner.invoke(
        app, ["check", str(EXAMPLES / "restaurant.yaml"), "--select", "far-from-custmer"]
    )
    assert unknown.exit_code == 2
    assert (
        "--select: unknown rule 'far-from-custmer'; did you mean 'far-from-customer'?"
        in unknown.stderr
    )
    two_stdout = runner.invoke(
        app, ["check", str(EXAMPLES / "restaurant.yaml"), "-f", "json", "-f", "text"]
    )
    assert two_stdout.exit_code == 2


def test_select_and_ignore_by_name_and_prefix(runner: CliRunner) -> None:
    org = str(EXAMPLES / "restaurant.yaml")

    def codes(*args: str) -> set[str]:
        result = runner.invoke(app, ["check", org, "-f", "json", *args])
        return {f["code"] for f in json.loads(result.stdout)["findings"]}

    assert codes() == {"IC203", "IC303", "IC304", "IC401"}
    assert codes("--select", "IC3") == {"IC303", "IC304"}
    assert codes("--ignore", "loop,missing-lead") == {"IC203", "IC304"}
    assert codes("--select", "big-chokepoint") == {"IC304"}


def test_config_file(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    org = write(tmp_path, "org.yaml", (FIXTURES / "ic304-good.yaml").read_text(encoding="utf-8"))
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        ".icmap.yaml",
        """\
        check:
          fail-on: warning
          rules:
            big-chokepoint: {severity: error, max-stranded: 4}
            IC401: off
        """,
    )
    monkeypatch.chdir(tmp_path / ".git")  # found in a parent folder
    result = runner.invoke(app, ["check", str(org), "-f", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [(f["code"], f["severity"]) for f in data["findings"]] == [("IC304", "error")]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("check: {rules: {IC999: off}}", ":1:17: error: check.rules: unknown rule 'IC999'"),
        ("check: {rules: {IC304: {max-stranded: many}}}", "max-stranded: expected a number"),
        ("check: {rules: {IC312: {max-streams: -1}}}", "max-streams: expected 0 or more, not -1"),
        (
            "check: {rules: {IC701: {min-handoffs: 1.9}}}",
            "min-handoffs: expected a whole number, not 1.9",
        ),
        (
            "check: {rules: {IC304: {severity: fatal}}}",
            "severity must be one of info, warning, error",
        ),
        ("check: {fail-on: sometimes}", "check.fail-on must be one of info, warning, error"),
        ("check: {colour: red}", ":1:9: error: unknown key 'colour' under 'check'"),
        ("check: [", "YAML syntax"),
    ],
)
def test_bad_config_is_exit_2(runner: CliRunner, tmp_path: Path, config: str, message: str) -> None:
    path = write(tmp_path, "icmap.yaml", config + "\n")
    result = runner.invoke(app, ["check", str(EXAMPLES / "restaurant.yaml"), "--config", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "[IC090]" in result.stderr


def test_every_config_problem_at_once_with_positions(runner: CliRunner, tmp_path: Path) -> None:
    config = write(
        tmp_path,
        ".icmap.yaml",
        """\
        check:
          fail_on: warning
          select: [IC3, big-chokepint]
          rules:
            IC304: {severty: error}
            loop: {severity: fatal}
        """,
    )
    result = runner.invoke(
        app, ["check", str(EXAMPLES / "restaurant.yaml"), "--config", str(config)]
    )
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert lines == [
        f"{config}:2:3: error: unknown key 'fail_on' under 'check'; did you mean 'fail-on'? [IC090]",
        f"{config}:3:17: error: check.select: unknown rule 'big-chokepint'; "
        "did you mean 'big-chokepoint'? [IC090]",
        f"{config}:5:13: error: check.rules.IC304: unknown setting 'severty'; "
        "did you mean 'severity'? [IC090]",
        f"{config}:6:22: error: check.rules.IC303.severity must be one of info, warning, error, "
        "not 'fatal' [IC090]",
    ]
    assert result.stderr.rstrip().endswith(f"icmap: 4 errors in {config}")


def test_github_annotations_escape_and_cut(runner: CliRunner, tmp_path: Path) -> None:
    teams = "\n".join(
        f"  t{i}: {{provides: [{{what: x, to: t{i}b}}]}}\n  t{i}b: {{}}" for i in range(12)
    )
    org = write(
        tmp_path,
        "org.yaml",
        f"customers: {{c: {{}}}}\nteams:\n  'a,b:c%': {{provides: [{{what: x, to: c}}]}}\n{teams}\n",
    )
    summary = tmp_path / "summary.md"
    result = runner.invoke(
        app,
        ["check", str(org), "-f", "github", "--select", "IC301"],
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 10
    assert errors[0].startswith(
        f"::error file={str(org).replace(':', '%3A').replace(',', '%2C')},line="
    )
    assert "title=IC301 no-path-to-customer::" in errors[0]
    assert lines[-1].startswith("::notice title=icmap::14 errors more not annotated")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## icmap check\n\ncheck failed: 24 errors")
    assert text.count("| IC301 no-path-to-customer |") == 24


def test_github_message_escaping() -> None:
    from icmap.diagnostics import Diagnostic
    from icmap.render.check import github as check_github

    finding = Diagnostic(
        "dir,x/a:b.yaml", 1, 2, "IC301", "100% bad\nreally", rule_name="no-path-to-customer"
    )
    assert check_github.render([finding]) == (
        "::error file=dir%2Cx/a%3Ab.yaml,line=1,col=2,title=IC301 no-path-to-customer::100%25 bad%0Areally\n"
    )


def test_sarif_is_valid_and_stable(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    target = tmp_path / "out.sarif"
    result = runner.invoke(
        app, ["check", "examples/restaurant.yaml", "-o", str(target), "--strict"]
    )
    assert result.exit_code == 0, result.stderr
    log = json.loads(target.read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]
    assert {r["name"] for r in rules} >= {"dangling-reference", "no-path-to-customer"}
    results = run["results"]
    assert results
    for item in results:
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "examples/restaurant.yaml"
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["partialFingerprints"]["icmapFinding/v1"]
    again = tmp_path / "again.sarif"
    runner.invoke(app, ["check", "examples/restaurant.yaml", "-o", str(again), "--strict"])
    assert json.loads(again.read_text(encoding="utf-8"))["runs"][0]["results"] == results


def test_sarif_tells_the_same_finding_twice_in_a_file_apart(
    runner: CliRunner, tmp_path: Path
) -> None:
    catalog = (
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\n"
        "spec: {type: team, children: [], members: [ghost, ghost]}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: ann}\n"
        "spec: {memberOf: [team-a]}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\n"
        "spec: {type: website, owner: team-a}\n"
    )

    def fingerprints(text: str) -> list[str]:
        source = write(tmp_path, "catalog.yaml", text)
        done = runner.invoke(app, ["check", "--from", "backstage", str(source), "-f", "sarif"])
        assert done.exit_code == 0, done.stderr
        results = json.loads(done.stdout)["runs"][0]["results"]
        return [
            r["partialFingerprints"]["icmapFinding/v1"] for r in results if r["ruleId"] == "IC603"
        ]

    found = fingerprints(catalog)
    assert len(found) == len(set(found)) == 2
    assert fingerprints("# moved down a line\n" + catalog) == found


def test_junit_has_unique_cases(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: b}, {what: y, to: b}]}\n  b: {}\n",
    )
    target = tmp_path / "junit.xml"
    result = runner.invoke(
        app, ["check", str(org), "-o", str(target), "-f", "junit", "--select", "IC301,IC401"]
    )
    assert result.exit_code == 1
    suite = ET.parse(target).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    keys = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(keys) == len(set(keys)) == 4
    assert suite.get("failures") == "2"
    assert {c.find("failure") is not None for c in cases} == {True, False}


def test_several_formats_in_one_run(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "check",
            str(EXAMPLES / "restaurant.yaml"),
            "-f",
            "sarif",
            "-o",
            str(tmp_path / "a.sarif"),
            "-f",
            "junit",
            "-o",
            str(tmp_path / "b.xml"),
            "-f",
            "github",
        ],
    )
    assert result.exit_code == 0
    assert (tmp_path / "a.sarif").exists() and (tmp_path / "b.xml").exists()
    assert result.stdout.startswith("::warning ")


def test_pre_commit_hook_and_action_are_declared() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["id"] == "icmap-check"
    assert hooks[0]["entry"].startswith("icmap check")
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert any('/bin/icmap" check' in step.get("run", "") for step in action["runs"]["steps"])


# --- CI paths start at the repository root (issue 24, item 5) ---------------------------------


def _repo_with_org(tmp_path: Path, marker: str = "folder") -> Path:
    """A git work tree (a ``.git`` folder, or a worktree's ``.git`` file) with its org in org/:
    one finding, in org/teams/kitchen.yaml at 3:42."""
    repo = tmp_path / "repo"
    if marker == "folder":
        (repo / ".git").mkdir(parents=True)
    else:
        write(repo, ".git", "gitdir: /elsewhere/.git/worktrees/repo\n")
    write(repo, "org/org.yaml", "customers: {diners: {}}\n")
    write(
        repo,
        "org/teams/kitchen.yaml",
        "teams:\n  waiters: {provides: [{what: Service, to: diners}]}\n"
        "  kitchen: {provides: [{what: Notes, to: stray}]}\n",
    )
    return repo


@pytest.mark.parametrize("marker", ["folder", "file"])
def test_github_annotations_name_files_from_the_repository_root(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marker: str
) -> None:
    """A workflow step with `working-directory: org` still annotates org/teams/kitchen.yaml."""
    repo = _repo_with_org(tmp_path, marker)
    monkeypatch.chdir(repo / "org")
    summary = tmp_path / "summary.md"
    result = runner.invoke(
        app, ["check", ".", "-f", "github"], env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.exit_code == 1, result.stderr
    assert result.stdout.startswith("::error file=org/teams/kitchen.yaml,line=3,col=42,")
    assert "| org/teams/kitchen.yaml:3:42 |" in summary.read_text(encoding="utf-8")


def test_sarif_paths_and_base_are_the_repository_root(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo_with_org(tmp_path)
    monkeypatch.chdir(repo / "org")
    result = runner.invoke(app, ["check", ".", "-f", "sarif", "-o", "-"])
    assert result.exit_code == 1, result.stderr
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    locations = {
        json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"])
        for r in run["results"]
    }
    assert locations == {json.dumps({"uri": "org/teams/kitchen.yaml", "uriBaseId": "%SRCROOT%"})}


def test_junit_classnames_are_paths_from_the_repository_root(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo_with_org(tmp_path)
    monkeypatch.chdir(repo / "org")
    result = runner.invoke(app, ["check", ".", "-f", "text", "-o", "icmap.xml"])
    assert result.exit_code == 1, result.stderr
    cases = ET.parse(repo / "org" / "icmap.xml").getroot().iter("testcase")
    assert {case.get("classname") for case in cases} == {"org/teams/kitchen.yaml"}
    failure = ET.parse(repo / "org" / "icmap.xml").getroot().find(".//failure")
    assert failure is not None and (failure.text or "").startswith(
        "org/teams/kitchen.yaml:3:42: IC101"
    )
    # The text for the person at the terminal names the file from where they are.
    assert "teams/kitchen.yaml" in result.stdout and "org/teams" not in result.stdout


def test_an_absolute_org_path_inside_the_repository_is_named_from_its_root(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo_with_org(tmp_path)
    monkeypatch.chdir(repo / "org" / "teams")
    result = runner.invoke(app, ["check", str(repo / "org"), "-f", "github"])
    assert result.stdout.startswith("::error file=org/teams/kitchen.yaml,")


def test_outside_a_repository_ci_paths_start_at_the_current_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from icmap.loader.discover import work_tree_root

    if work_tree_root(tmp_path.resolve()) is not None:
        pytest.skip("the temporary folder is inside a git work tree")
    repo = _repo_with_org(tmp_path)
    (repo / ".git").rmdir()
    monkeypatch.chdir(repo)
    result = runner.invoke(app, ["check", "org", "-f", "github"])
    assert result.stdout.startswith("::error file=org/teams/kitchen.yaml,")
    monkeypatch.chdir(repo / "org")
    result = runner.invoke(app, ["check", ".", "-f", "github"])
    assert result.stdout.startswith("::error file=teams/kitchen.yaml,")


def test_the_work_tree_root_is_found_by_its_git_folder_or_file(tmp_path: Path) -> None:
    from icmap.loader.discover import work_tree_root

    top = tmp_path.resolve()
    (top / "repo" / ".git").mkdir(parents=True)
    (top / "repo" / "a" / "b").mkdir(parents=True)
    assert work_tree_root(top / "repo" / "a" / "b") == top / "repo"
    # A submodule or linked worktree: a .git file pointing at the git folder.
    write(top / "repo" / "a", ".git", "gitdir: ../.git/modules/a\n")
    assert work_tree_root(top / "repo" / "a" / "b") == top / "repo" / "a"
    # Any other file called .git marks nothing.
    write(top / "repo" / "a" / "b", ".git", "not a git file\n")
    assert work_tree_root(top / "repo" / "a" / "b") == top / "repo" / "a"


def test_a_run_that_writes_only_files_still_says_why_it_fails_on_stdout(
    runner: CliRunner, tmp_path: Path
) -> None:
    bad = str(FIXTURES / "ic301-bad.yaml")
    sarif = tmp_path / "x.sarif"
    result = runner.invoke(app, ["check", bad, "--select", "IC301", "-o", str(sarif)])
    assert result.exit_code == 1
    assert "[IC301 no-path-to-customer]" in result.stdout  # the text findings, not silence
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    # When a .txt file takes the text, stdout stays quiet.
    text = tmp_path / "findings.txt"
    quiet = runner.invoke(app, ["check", bad, "--select", "IC301", "-o", str(text)])
    assert quiet.exit_code == 1
    assert quiet.stdout == ""
    assert "[IC301 no-path-to-customer]" in text.read_text(encoding="utf-8")


# --- --max-per-rule: the first findings of each rule listed, the rest counted -----------------

#: Five isolated teams: five IC301 errors, five IC302 warnings, five IC401 infos.
ISOLATED = "customers: {c: {}}\nteams:\n" + "".join(f"  t{n}: {{}}\n" for n in range(5))


def test_the_first_findings_of_each_rule_are_listed_and_the_rest_counted(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(tmp_path, "org.yaml", ISOLATED)
    result = runner.invoke(app, ["check", str(org), "--max-per-rule", "2"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    listed = [line for line in lines if line.startswith(f"{org}:")]
    assert len(listed) == 6
    # The first two of each rule by position: teams t0 and t1.
    assert all("'t0'" in line or "'t1'" in line for line in listed)
    assert (
        "… and 3 more IC302 isolated-team findings (warning), not listed: "
        "--max-per-rule 0 lists all" in lines
    )
    assert sum(line.startswith("… and 3 more IC") for line in lines) == 3
    # The verdict counts every finding.
    assert lines[-1] == "check failed: 5 errors, 5 warnings, 5 infos"


def test_max_per_rule_keeps_every_format_counting_all(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", ISOLATED)
    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    args = ["check", str(org), "-f", "json", "-o", str(sarif), "-o", str(junit)]
    result = runner.invoke(app, [*args, "--max-per-rule", "1"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"] == {"error": 5, "warning": 5, "info": 5}
    assert [f["code"] for f in data["findings"]] == ["IC301", "IC302", "IC401"]
    assert data["left_out"] == [
        {"code": "IC301", "name": "no-path-to-customer", "severity": "error", "count": 4},
        {"code": "IC302", "name": "isolated-team", "severity": "warning", "count": 4},
        {"code": "IC401", "name": "missing-lead", "severity": "info", "count": 4},
    ]
    log = json.loads(sarif.read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    assert len(run["results"]) == 3
    notes = run["invocations"][0]["toolExecutionNotifications"]
    rules = run["tool"]["driver"]["rules"]
    assert [(n["associatedRule"]["id"], n["level"]) for n in notes] == [
        ("IC301", "error"),
        ("IC302", "warning"),
        ("IC401", "note"),
    ]
    assert all(
        rules[n["associatedRule"]["index"]]["id"] == n["associatedRule"]["id"] for n in notes
    )
    assert "4 more IC301" in notes[0]["message"]["text"]
    # Code scanning shows a rule's help as the alert's guidance: plain text and Markdown.
    assert all(r["help"]["text"] and r["help"]["markdown"] for r in rules)
    assert not any("``" in r["help"]["text"] + r["fullDescription"]["text"] for r in rules)
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    # Three findings and one case per rule for the rest; the errors fail.
    assert suite.get("tests") == "6" and suite.get("failures") == "2"
    counted = [c for c in suite.findall("testcase") if c.get("classname") == "icmap"]
    assert [c.get("name") for c in counted] == [
        "IC301 no-path-to-customer",
        "IC302 isolated-team",
        "IC401 missing-lead",
    ]
    failure = counted[0].find("failure")
    assert failure is not None and "4 more IC301" in (failure.get("message") or "")


def test_max_per_rule_0_lists_every_finding(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", ISOLATED)
    data = json.loads(
        runner.invoke(app, ["check", str(org), "-f", "json", "--max-per-rule", "0"]).stdout
    )
    assert len(data["findings"]) == 15 and data["left_out"] == []
    default = json.loads(runner.invoke(app, ["check", str(org), "-f", "json"]).stdout)
    assert default == data


def test_github_counts_left_out_findings_as_not_annotated(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(tmp_path, "org.yaml", ISOLATED)
    summary = tmp_path / "summary.md"
    result = runner.invoke(
        app,
        ["check", str(org), "-f", "github", "--max-per-rule", "2"],
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.exit_code == 1
    annotations = [
        line for line in result.stdout.splitlines() if not line.startswith("::notice title=icmap")
    ]
    assert len(annotations) == 6
    assert result.stdout.splitlines()[-1] == (
        # Cut by --max-per-rule, not by GitHub's 10 a level: said so.
        "::notice title=icmap::3 errors, 3 notices, 3 warnings not listed (--max-per-rule); "
        "see the job summary"
    )
    one = runner.invoke(app, ["check", str(org), "-f", "github", "--max-per-rule", "4"])
    assert one.stdout.splitlines()[-1] == (
        "::notice title=icmap::1 error, 1 notice, 1 warning not listed (--max-per-rule); "
        "see the job summary"
    )
    text = summary.read_text(encoding="utf-8")
    assert "check failed: 5 errors, 5 warnings, 5 infos" in text
    assert text.count("| IC3") == 4 and "3 more IC401 missing-lead findings (info)" in text


def test_max_per_rule_refuses_a_negative_count(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", ISOLATED)
    result = runner.invoke(app, ["check", str(org), "--max-per-rule", "-1"])
    assert result.exit_code == 2
    assert "--max-per-rule" in result.stderr


def test_every_unknown_rule_selected_is_said(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["check", str(EXAMPLES / "restaurant.yaml"), "--select", "IC301,lop,big-chokpoint"]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "icmap: error: --select: unknown rule 'lop'; did you mean 'loop'?",
        "icmap: error: --select: unknown rule 'big-chokpoint'; did you mean 'big-chokepoint'?",
    ]


def test_a_code_typed_with_a_letter_for_a_digit_gets_the_code_meant(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "restaurant.yaml"), "--ignore", "IC3O3"])
    assert result.exit_code == 2
    assert result.stderr == "icmap: error: --ignore: unknown rule 'IC3O3'; did you mean 'IC303'?\n"


def test_hints_reach_junit_and_the_job_summary(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {u: {}}\nteams:\n"
        "  a: {lead: x, ignore: {big-chokepont: by design}, provides: [{what: w, to: u}]}\n",
    )
    junit = tmp_path / "out.xml"
    summary = tmp_path / "summary.md"
    runner.invoke(
        app,
        ["check", str(org), "-f", "github", "-o", str(junit)],
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    hint = "did you mean 'big-chokepoint'?"
    assert f"hint: {hint}" in junit.read_text(encoding="utf-8")
    assert f"<br>hint: {hint}" in summary.read_text(encoding="utf-8")


TWO_CUSTOMERS = """\
customers: {east: {}, west: {}}
teams:
  hub:
    provides:
      - {what: East deliveries, to: east, lead_time: 1d}
      - {what: West deliveries, to: west, lead_time: 2d}
  b1: {provides: [{what: Bulk parts, to: hub, lead_time: 2d, satisfaction: 2.0}]}
  a1: {provides: [{what: Raw parts, to: a2, lead_time: 1d}]}
  a2: {provides: [{what: Sub-assemblies, to: hub, lead_time: 1d, satisfaction: 2.5}]}
"""


def test_a_finding_names_every_customer_whose_critical_path_the_hand_off_is_on(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Both hand-offs into hub lie on the paths to east and to west (b1's on a tie): naming
    # east alone would read as if west were unaffected.
    org = str(write(tmp_path, "org.yaml", TWO_CUSTOMERS))
    text = runner.invoke(app, ["check", org, "--select", "IC204"]).stdout
    assert "a2 → hub ('Sub-assemblies') on the critical path to east, west is scored 2.5" in text
    assert "b1 → hub ('Bulk parts') on the critical path to east (tied), west (tied)" in text
    slower = TWO_CUSTOMERS.replace("to: a2, lead_time: 1d", "to: a2, lead_time: 3d")
    untimed = write(
        tmp_path, "untimed.yaml", slower.replace(", lead_time: 1d, satisfaction: 2.5", "")
    )
    text = " ".join(runner.invoke(app, ["check", str(untimed), "--select", "IC203"]).stdout.split())
    assert "on the critical path to east, west" in text, text


def test_a_finding_on_many_customers_paths_names_five_and_counts_the_rest(
    runner: CliRunner, tmp_path: Path
) -> None:
    customers = ", ".join(f"c{n}: {{}}" for n in range(8))
    hands = "\n".join(f"      - {{what: w{n}, to: c{n}, lead_time: 1d}}" for n in range(8))
    org = write(
        tmp_path,
        "org.yaml",
        f"customers: {{{customers}}}\nteams:\n  hub:\n    provides:\n{hands}\n"
        "  maker: {provides: [{what: parts, to: hub, lead_time: 1d, satisfaction: 1}]}\n",
    )
    text = " ".join(runner.invoke(app, ["check", str(org), "--select", "IC204"]).stdout.split())
    assert "on the critical path to c0, c1, c2, c3, c4 and 3 more is scored 1" in text


def test_a_loop_finding_names_the_teams_that_join_it_only_through_feedback(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The report's loop is doctor, lab, pharmacy, triage; IC303 leaves out what only feedback
    # closes, and says so instead of seeming to disagree.
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {patients: {}}\nteams:\n"
        "  triage: {provides: [{what: Triaged, to: doctor, lead_time: 30m}]}\n"
        "  doctor:\n    provides:\n"
        "      - {what: Re-triage, to: triage, lead_time: 5m}\n"
        "      - {what: Samples, to: lab, lead_time: 1h}\n"
        "      - {what: Prescriptions, to: pharmacy, lead_time: 1h}\n"
        "  lab: {provides: [{what: Results, to: doctor, lead_time: 4h}]}\n"
        "  pharmacy:\n    provides:\n"
        "      - {what: Medicines, to: patients, lead_time: 20m}\n"
        "      - {what: Alerts, to: doctor, lead_time: 10m, feedback: true}\n",
    )
    text = " ".join(runner.invoke(app, ["check", str(org), "--select", "IC303"]).stdout.split())
    assert (
        "3 teams serve each other in a loop: doctor, lab, triage (pharmacy joins it only "
        "through feedback hand-offs); shortest cycles:"
    ) in text


def test_every_rule_naming_critical_customers_names_five_and_counts_the_rest(
    runner: CliRunner, tmp_path: Path
) -> None:
    customers = ", ".join(f"c{n}: {{}}" for n in range(7))
    hands = "\n".join(f"      - {{what: w{n}, to: c{n}, lead_time: 1d}}" for n in range(7))
    org = write(
        tmp_path,
        "org.yaml",
        f"customers: {{{customers}}}\nteams:\n"
        "  e: {type: enabling, provides: [{what: Coaching, to: f, state: blocking, "
        "mode: facilitating}]}\n"
        f"  f:\n    type: stream-aligned\n    provides:\n{hands}\n",
    )
    text = " ".join(
        runner.invoke(app, ["check", str(org), "--select", "IC203,IC209,IC309"]).stdout.split()
    )
    for code in ("IC203", "IC209", "IC309"):
        assert code in text
    assert text.count("c0, c1, c2, c3, c4 and 2 more") == 3, text
