"""The path a team takes to adopt icmap works exactly as the README, --help and docs say."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, ROOT, write
from icmap.cli import app

SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
RESTAURANT = str(EXAMPLES / "restaurant.yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _valid_sarif(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    return data


# --- -f and -o in icmap check ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["-f", "github", "-o", "icmap.sarif"],
        ["-f", "github", "-f", "sarif", "-o", "icmap.sarif"],
        ["-f", "sarif", "-o", "icmap.sarif", "-f", "github"],
        ["-f", "github", "-o", "sarif:icmap.sarif"],
    ],
    ids=["extension", "format-named-too", "any-order", "prefix"],
)
def test_github_on_stdout_and_sarif_in_the_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", RESTAURANT, *args])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("::warning file=")
    assert _valid_sarif(tmp_path / "icmap.sarif")["version"] == "2.1.0"


def test_three_formats_each_where_asked(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["-f", "github", "-f", "sarif", "-o", "icmap.sarif", "-f", "junit", "-o", "icmap.xml"]
    result = runner.invoke(app, ["check", RESTAURANT, *args])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("::warning file=")
    _valid_sarif(tmp_path / "icmap.sarif")
    assert ET.parse(tmp_path / "icmap.xml").getroot().tag == "testsuites"


def test_one_format_and_one_file_pair_whatever_the_extension(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "findings.out"
    result = runner.invoke(app, ["check", RESTAURANT, "-f", "json", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["failed"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-f", "json", "-f", "sarif"],
            "only one format can go to stdout, but -f json and -f sarif",
        ),
        (
            ["-f", "json", "-f", "github", "-o", "x.out"],
            "cannot tell which format goes to x.out",
        ),
    ],
)
def test_ambiguous_pairings_say_how_to_write_them(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["check", RESTAURANT, *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "-o" in result.stderr.split(message, 1)[1]


def test_help_states_the_pairing_rule(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(app, ["check", "--help"], env={"COLUMNS": "200"}).stdout.split())
    assert (
        "The one -f left over goes to stdout (text when none is); with no -f at all, text goes "
        "there unless a .txt file takes it." in text
    )
    assert "It does not change which severities fail: see --fail-on." in text
    assert "error (the default: only errors fail), warning (warnings and errors)" in text


def test_readme_strict_line_exits_1_on_warnings(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "northwind"), "--fail-on", "warning"])
    assert result.exit_code == 1
    assert "check failed" in result.stdout


# --- icmap init -------------------------------------------------------------------------------


def test_init_then_graph_as_the_help_says(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init", "my-org"]).exit_code == 0
    graph = runner.invoke(app, ["graph", "my-org/org.yaml"])
    assert graph.exit_code == 0
    assert "clients Clients  external customer" in graph.stdout


# --- icmap diff ---------------------------------------------------------------------------------

FOUR_LOOP = """\
customers: {c: {}}
teams:
  a: {provides: [{what: w, to: b}, {what: out, to: c}]}
  b: {provides: [{what: w, to: c2}]}
  c2: {provides: [{what: w, to: d}, {what: back, to: a}]}
  d: {provides: [{what: w, to: a}]}
"""


def test_a_loop_that_shrinks_is_changed_not_new(runner: CliRunner, tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", FOUR_LOOP)
    # Removing d → a leaves the 3-team loop a → b → c2 → a.
    shrunk = FOUR_LOOP.replace("  d: {provides: [{what: w, to: a}]}", "  d: {}")
    head = write(tmp_path, "head.yaml", shrunk)
    result = runner.invoke(app, ["diff", str(base), str(head), "--fail-on", "new-loop"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "loop changed: a, b, c2, d (4 teams) → a, b, c2 (3 teams)" in result.stdout
    data = json.loads(runner.invoke(app, ["diff", str(base), str(head), "-f", "json"]).stdout)
    assert data["loops"]["new"] == []
    assert data["loops"]["changed"][0]["before"] == ["a", "b", "c2", "d"]


def test_a_loop_sharing_no_team_is_new(runner: CliRunner, tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", FOUR_LOOP)
    head = write(
        tmp_path,
        "head.yaml",
        FOUR_LOOP + "  x: {provides: [{what: w, to: y}, {what: v, to: c}]}\n"
        "  y: {provides: [{what: w, to: x}]}\n",
    )
    result = runner.invoke(app, ["diff", str(base), str(head), "--fail-on", "new-loop"])
    assert result.exit_code == 1
    assert "new loop: x ⇄ y" in result.stdout


def test_reworded_finding_is_not_new(runner: CliRunner, tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", FOUR_LOOP)
    # Renaming c2 rewords every finding that names it, but they are the same findings.
    head = write(tmp_path, "head.yaml", FOUR_LOOP.replace("c2", "cc"))
    result = runner.invoke(app, ["diff", str(base), str(head), "-f", "json"])
    data = json.loads(result.stdout)
    assert data["renamed"] == [{"kind": "team", "old": "c2", "new": "cc"}]
    assert data["findings"]["new"] == []
    assert data["findings"]["gone"] == []


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_diff_git_with_an_org_added_since(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "commit", "-q", "--allow-empty", "-m", "empty")
    write(tmp_path, "new.yaml", (EXAMPLES / "restaurant.yaml").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["diff", "--git", "HEAD", "new.yaml"])
    assert result.exit_code == 0, result.stderr
    assert "6 teams added" in result.stdout


def test_diff_git_failures_are_one_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = write(tmp_path, "org.yaml", FOUR_LOOP)
    monkeypatch.chdir(tmp_path)
    outside = runner.invoke(app, ["diff", "--git", "HEAD", str(org)])
    assert outside.exit_code == 2
    assert (
        outside.stderr == f"icmap: error: --git needs a git repository, and {org} is not in one\n"
    )
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "org.yaml")
    _git(tmp_path, "commit", "-q", "-m", "org")
    unknown = runner.invoke(app, ["diff", "--git", "no-such-branch", str(org)])
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "icmap: error: --git no-such-branch: no such revision in this repository\n"
    )


# --- every command line the README, --help and docs/ci.md print -------------------------------

README = ROOT / "README.md"
CI_DOC = ROOT / "docs" / "ci.md"
COMMANDS = (
    "graph",
    "report",
    "impact",
    "team",
    "check",
    "diff",
    "survey",
    "import",
    "init",
    "schema",
)
IMPORT_DOC = ROOT / "docs" / "import.md"


def _code_blocks(path: Path) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", path.read_text(encoding="utf-8"), re.M | re.S)


def _readme_commands() -> list[str]:
    found = []
    for block in _code_blocks(README):
        for raw in block.splitlines():
            line = raw.removeprefix("$ ")
            if line.startswith("icmap "):
                found.append(line.split("  #")[0].strip())
    return found


def _ci_doc_commands() -> list[str]:
    found = []
    for block in _code_blocks(CI_DOC):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            match = re.match(r"^\s*(?:- run: |run: |- )?(icmap .*)$", line)
            if match and "[" not in match.group(1):  # not the synopsis line
                found.append(" ".join(match.group(1).split()))
    # The pull-request workflow's base is a GitHub expression; in a clone it is a branch.
    return [c.replace('"origin/${{ github.base_ref }}"', "main") for c in found]


def _import_doc_commands(*, shared: bool = False) -> list[str]:
    """docs/import.md's commands: on the repository's examples, or (``shared``) on the
    third-party data in ../shared, which test_import_real.py runs."""
    found = []
    for block in _code_blocks(IMPORT_DOC):
        for line in block.splitlines():
            if line.startswith("icmap ") and ("../shared/" in line) == shared:
                found.append(line.strip())
    return found


def _help_commands() -> list[str]:
    runner = CliRunner()
    found = []
    for command in ("", *COMMANDS):
        args = [command, "--help"] if command else ["--help"]
        text = runner.invoke(app, args, env={"COLUMNS": "200"}).stdout
        # An example too long for one line goes on with a backslash, as a shell reads it.
        text = re.sub(r" \\\n\s+", " ", text)
        found += re.findall(r"^    (icmap .+)$", text, re.M)
        found += re.findall(r"Example: (icmap .+)$", text, re.M)
    return found


DOCUMENTED = sorted(
    set(_readme_commands())
    | set(_ci_doc_commands())
    | set(_help_commands())
    | set(_import_doc_commands())
)


def test_the_documents_print_commands_to_run() -> None:
    assert len(_readme_commands()) >= 10
    assert any("-f github -o icmap.sarif" in c for c in _ci_doc_commands())
    assert sum(1 for c in _help_commands()) >= len(COMMANDS)


@pytest.fixture(scope="module")
def org_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository as an org-design team keeps one: examples/, org/ and org.yaml."""
    repo = tmp_path_factory.mktemp("org-repo")
    shutil.copytree(EXAMPLES, repo / "examples")
    shutil.copytree(ROOT / "import-examples", repo / "import-examples")
    shutil.copytree(EXAMPLES / "northwind", repo / "org")
    shutil.copy(EXAMPLES / "software-company.yaml", repo / "org.yaml")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "org")
    return repo


def _check_written(path: Path) -> None:
    suffix = path.suffix
    if suffix == ".sarif":
        _valid_sarif(path)
    elif suffix in (".xml", ".svg"):
        ET.parse(path)
    elif suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    elif suffix == ".png":
        assert path.read_bytes().startswith(b"\x89PNG")
    elif suffix == ".html":
        assert "<html" in path.read_text(encoding="utf-8")
    else:
        assert path.stat().st_size > 0


@pytest.mark.parametrize("command", DOCUMENTED)
def test_documented_command_runs_as_printed(org_repo: Path, command: str) -> None:
    if (
        re.search(r"\.(svg|png|pdf)\b", command)
        and not shutil.which("dot")
        and not os.environ.get("CI")
    ):
        pytest.skip("Graphviz's dot is not installed")
    shutil.rmtree(org_repo / "my-org", ignore_errors=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    if command.startswith("icmap import ") and " --update" in command:
        # --update refreshes an earlier import: make it first, as a reader would have.
        first = re.sub(r" --(update|dry-run)\b|\s+#.*$", "", command)
        earlier = subprocess.run(
            first, shell=True, cwd=org_repo, env=env, capture_output=True, text=True, check=False
        )
        assert earlier.returncode == 0, f"{first}\n{earlier.stderr}"
    done = subprocess.run(
        command, shell=True, cwd=org_repo, env=env, capture_output=True, text=True, check=False
    )
    allowed = (0, 1) if re.search(r"icmap (check|diff) .*--fail-on", command) else (0,)
    assert done.returncode in allowed, f"{command}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    for target in re.findall(r"(?:-o (?:[a-z]+:)?|> )(\S+)", command):
        _check_written(org_repo / target)


def test_github_workflow_step_by_step(
    runner: CliRunner, org_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """docs/ci.md's workflow: annotations on stdout, a valid SARIF file, a job summary."""
    [step] = [c for c in _ci_doc_commands() if "-f github" in c]
    summary = tmp_path / "summary.md"
    monkeypatch.chdir(org_repo)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = runner.invoke(app, step.split()[1:])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("::warning file=org/")
    _valid_sarif(org_repo / "icmap.sarif")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("## icmap check\n")
    assert "| org/teams/last-mile.yaml:3:3 | IC304 big-chokepoint | warning |" in written


# --- text for pipes and files ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["report", "graph"])
def test_piped_text_wraps_at_100_without_trailing_spaces(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    result = runner.invoke(app, [command, str(EXAMPLES / "northwind")])
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert all(line == line.rstrip() for line in lines)


def test_written_text_wraps_with_a_hanging_indent(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    target = tmp_path / "report.txt"
    assert (
        runner.invoke(app, ["report", str(EXAMPLES / "northwind"), "-o", str(target)]).exit_code
        == 0
    )
    lines = target.read_text(encoding="utf-8").splitlines()
    assert max(len(line) for line in lines) <= 100
    at = lines.index("shoppers: 73.05d")
    assert lines[at + 1].startswith("  sustainability → leadership")
    assert lines[at + 2] == "  returns → shoppers"  # the path's second line keeps its indent


def test_every_report_table_column_has_a_header(runner: CliRunner) -> None:
    text = runner.invoke(
        app, ["report", str(EXAMPLES / "northwind")], env={"COLUMNS": "200"}
    ).stdout
    assert "hops  teams  share" in text
    assert "team        strands  teams and suppliers stranded if it fails" in text


def test_check_findings_stay_one_line_each(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    result = runner.invoke(app, ["check", str(EXAMPLES / "northwind")])
    [finding] = [line for line in result.stdout.splitlines() if "IC304" in line]
    assert finding.endswith(
        "brands, facilities, fulfilment, inbound, parcelnet, procurement [IC304 big-chokepoint]"
    )


# --- colour means something, and a word or symbol says it too ---------------------------------


def test_colour_marks_what_matters_and_words_back_it(runner: CliRunner) -> None:
    org = str(EXAMPLES / "northwind")
    plain = runner.invoke(app, ["graph", org, "--color", "never"], env={"COLUMNS": "200"}).stdout
    assert (
        "legal Legal [Corporate] → Contract reviews (1w, satisfaction 2.9 ⚠)  chokepoint" in plain
    )
    assert "⚠: satisfaction below 3" in plain.splitlines()
    coloured = runner.invoke(
        app, ["graph", org, "--color", "always"], env={"COLUMNS": "200"}
    ).stdout
    assert "\x1b[1;31msatisfaction 2.9 ⚠" in coloured  # low: bold red
    assert "\x1b[33m  chokepoint" in coloured  # chokepoint: yellow
    assert "\x1b[36m" not in coloured and "\x1b[1;36m" not in coloured  # no more bold cyan
    # Only the id is bold; what the team hands over is plain.
    assert "\x1b[1mlegal\x1b[0m" in coloured
    assert "\x1b[1mContract reviews" not in coloured
    report = runner.invoke(app, ["report", org, "--color", "never"], env={"COLUMNS": "200"}).stdout
    assert "2.8 ⚠" in report  # a low weakest-link bound carries the mark without colour


# --- words ----------------------------------------------------------------------------------


def test_joint_failure_reads_as_plural(runner: CliRunner) -> None:
    org = str(EXAMPLES / "restaurant.yaml")
    markdown = runner.invoke(app, ["impact", "kitchen", "pastry", "--org", org, "-f", "markdown"])
    assert markdown.stdout.startswith("# If kitchen and pastry fail\n")
    single = runner.invoke(app, ["impact", "kitchen", "--org", org, "-f", "markdown"]).stdout
    assert single.startswith("# If kitchen fails\n")
    assert "1 of 1 customer hit" in single


def test_growth_option_errors_name_the_option(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", FOUR_LOOP)
    result = runner.invoke(app, ["diff", str(org), str(org), "--max-critical-growth", "5"])
    assert result.exit_code == 2
    assert result.stderr == (
        "icmap: error: --max-critical-growth '5' is neither a percentage nor a duration: "
        "write 10% or a number with a unit m, h, d or w (2d)\n"
    )


def test_a_new_team_is_added_not_said_to_gain_a_path(runner: CliRunner, tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", FOUR_LOOP)
    head = write(tmp_path, "head.yaml", FOUR_LOOP + "  e: {provides: [{what: w, to: a}]}\n")
    data = json.loads(runner.invoke(app, ["diff", str(base), str(head), "-f", "json"]).stdout)
    assert data["added"] == {"team": ["e"]}
    assert data["gained_path"] == []


def test_wrong_kind_reference_says_what_the_target_is(tmp_path: Path) -> None:
    from conftest import load_failure

    path = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {diners: {}}
        suppliers: {fishmonger: {provides: [{what: Fish, to: kitchen}]}}
        teams:
          kitchen:
            provides: [{what: Scraps, to: fishmonger}, {what: Dishes, to: diners}]
            receives: [{what: Orders, from: diners}]
        """,
    )
    messages = sorted(p.message for p in load_failure(path))
    assert messages == [
        "'diners' is an external customer, and external customers only receive: "
        "they hand nothing to teams in an org",
        "'fishmonger' is an outside supplier, and outside suppliers only provide: "
        "nothing is handed to them in an org",
    ]


def test_a_hand_off_with_a_lead_time_is_not_called_instant(runner: CliRunner) -> None:
    org = str(EXAMPLES / "software-company.yaml")
    result = runner.invoke(app, ["check", org, "--select", "IC203", "-f", "json"])
    # operations → users carries 'Deployed releases' (2h) and 'Running service' (none): the
    # hand-off has a lead time, so the critical path does not count it as instant.
    assert json.loads(result.stdout)["findings"] == []


# --- the library API ------------------------------------------------------------------------


def test_the_library_api_is_listed_and_documented() -> None:
    import icmap

    public = [name for name in dir(icmap) if not name.startswith("_")]
    for name in ("load", "build_graph", "build_report", "critical_paths", "impact", "loops"):
        assert name in public
        assert name in icmap.__all__
    for name in icmap.__all__:
        if name != "__version__":
            assert getattr(icmap, name).__doc__, name
    graph = icmap.build_graph(icmap.load(EXAMPLES / "restaurant.yaml"))
    report = icmap.build_report(graph)
    assert report.critical.paths[0].customer == "diners"
    assert icmap.impact(graph, ["pastry"]).downstream[0].team == "expediters"


def test_totals_and_slack_share_one_unit_style(runner: CliRunner) -> None:
    text = runner.invoke(app, ["report", str(EXAMPLES / "insurance-claims.yaml")]).stdout
    assert "repairers: 14d" in text  # not 2w next to policyholders' 11d
    northwind = runner.invoke(app, ["report", str(EXAMPLES / "northwind"), "-f", "markdown"])
    assert not re.search(r"\| \d+(\.\d+)?w \|", northwind.stdout)


# --- --help reads like a man page -----------------------------------------------------------


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_has_clean_metavars(runner: CliRunner, command: str) -> None:
    args = [command, "--help"] if command else ["--help"]
    text = runner.invoke(app, args, env={"COLUMNS": "100"}).stdout
    assert "<list[" not in text and "<path>" not in text and "<str>" not in text
    # Summaries are whole: nothing cut with an ellipsis (argument lists like TEAM... aside).
    assert "…" not in text
    for listed in ("TEAM...", "SOURCE...", "[ARGS]...", "[ORG]..."):
        text = text.replace(listed, "")
    assert "..." not in text
    # Arguments read as the docs write them (FORMAT SOURCE...), not as a set ({FORMAT}).
    usage = text.split("\n", 1)[0]
    assert "{" not in usage and "}" not in usage, usage


def test_import_usage_names_format_and_sources_as_the_docs_do(runner: CliRunner) -> None:
    text = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "100"}).stdout
    assert text.startswith("Usage: icmap import [OPTIONS] FORMAT SOURCE...\n")
    assert "`icmap import FORMAT SOURCE... -o DIR`" in (ROOT / "docs" / "cli.md").read_text(
        encoding="utf-8"
    )


def test_a_bad_choice_reads_as_a_sentence(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["check", str(EXAMPLES / "restaurant.yaml"), "--fail-on", "warnings"]
    )
    assert result.exit_code == 2
    assert "Value error" not in result.stderr
    assert (
        "Invalid value for '--fail-on': 'warnings' is not one of error, warning, info; "
        "did you mean 'warning'?" in result.stderr
    )


def test_ci_docs_install_from_the_repository() -> None:
    text = CI_DOC.read_text(encoding="utf-8") + (ROOT / "action.yml").read_text(encoding="utf-8")
    assert not re.search(r"pip install icmap\s*$", text, re.M)
    assert '-o "sarif:$ICMAP_SARIF"' in text


def test_readme_excerpts_match_what_the_commands_print(org_repo: Path) -> None:
    """Every line of the README's console excerpts appears in the command's real output."""
    text = README.read_text(encoding="utf-8")
    excerpts = re.findall(r"^```console\n\$ (icmap .+?)\n(.*?)^```", text, re.M | re.S)
    assert len(excerpts) >= 2
    env = {**os.environ, "COLUMNS": "200"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    for command, shown in excerpts:
        done = subprocess.run(
            command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        printed = done.stdout.splitlines()
        for line in shown.splitlines():
            if line.strip() and line.strip() != "...":
                assert line.rstrip() in printed, f"{command}: README shows {line!r}"


# --- second look: what a new user tripped on ------------------------------------------------


@pytest.mark.parametrize("args", [["-f", "json", "-o", "-"], ["-o", "json:-"]])
def test_dash_means_stdout_in_check(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["check", RESTAURANT, *args])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["schema_version"] == 1
    assert not (tmp_path / "-").exists()


def test_the_same_file_twice_is_refused(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", RESTAURANT, "-o", "x.sarif", "-o", "x.sarif"])
    assert result.exit_code == 2
    assert "-o x.sarif is given twice" in result.stderr


def test_diff_comment_says_why_it_fails(runner: CliRunner, tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", FOUR_LOOP)
    head = write(
        tmp_path, "head.yaml", FOUR_LOOP.replace("  d: {provides: [{what: w, to: a}]}", "  d: {}")
    )
    result = runner.invoke(
        app, ["diff", str(base), str(head), "-f", "markdown", "--fail-on", "lost-path"]
    )
    assert result.exit_code == 1
    assert (
        "**⚠ This change meets these `--fail-on` conditions:**\n\n"
        "- lost their path to the customer: d\n"
    ) in result.stdout


def test_diff_text_keeps_the_indent_of_a_wrapped_path(runner: CliRunner, tmp_path: Path) -> None:
    chain = "\n".join(
        f"  team-{i:02d}: {{provides: [{{what: w, to: team-{i + 1:02d}}}]}}" for i in range(12)
    )
    org = (
        f"customers: {{c: {{}}}}\nteams:\n{chain}\n  team-12: {{provides: [{{what: w, to: c}}]}}\n"
    )
    base = write(tmp_path, "base.yaml", org)
    moved = org.replace("team-00", "team-first").replace("what: w,", "what: w, lead_time: 1h,")
    head = write(tmp_path, "head.yaml", moved)
    text = runner.invoke(app, ["diff", str(base), str(head)], env={"COLUMNS": "60"}).stdout
    body = text.splitlines()
    assert all(len(line) <= 60 for line in body)
    assert all(line.startswith("  ") for line in body[body.index("Critical paths") + 1 :] if line)


def test_config_problems_point_at_keys_and_same_rules(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        ".icmap.yaml",
        "reprot:\n  x: 1\ncheck:\n  rules:\n    IC304: off\n    big-chokepoint: on\n",
    )
    result = runner.invoke(app, ["check", RESTAURANT])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert lines == [
        ".icmap.yaml:1:1: error: unknown key 'reprot' [IC090]",
        ".icmap.yaml:6:5: error: check.rules: 'big-chokepoint' and 'IC304' are the same rule "
        "(IC304 big-chokepoint): configure it once [IC090]",
    ]
    write(tmp_path, ".icmap.yaml", "check:\n\tfail-on: warning\n")
    tab = runner.invoke(app, ["check", RESTAURANT])
    assert "hint: a tab: YAML indents with spaces only" in tab.stderr


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "customers: {c: {}}\nteams:\n  a:\n    provides:\n      -what: x\n",
            "provides of team 'a' must be a list, found a mapping",
            "a list item needs a space after '-': write '- what: …'",
        ),
        (
            "customers: {c: {}}\nteams:\n  a:\n    name: A\n  provides:\n    - {what: x, to: c}\n",
            "'provides' sits where a team id belongs, with a list under it",
            "is it indented one level too little?",
        ),
        (
            "customers: {c: {}}\nteams:\n  a:\n    name: A\n     group: G\n",
            "YAML syntax: mapping values are not allowed in this context",
            "this line is indented more than the key above it",
        ),
    ],
    ids=["dash-mapping", "field-at-team-level", "over-indented"],
)
def test_more_yaml_mistakes_get_a_hint(tmp_path: Path, text: str, message: str, hint: str) -> None:
    from conftest import load_failure

    [problem] = load_failure(write(tmp_path, "org.yaml", text))
    assert problem.message == message
    assert problem.hint is not None and hint in problem.hint


def test_dir_shows_only_the_public_api() -> None:
    import icmap

    assert dir(icmap) == sorted(icmap.__all__)


def test_help_is_at_most_100_columns_and_keeps_the_schema_line_whole(runner: CliRunner) -> None:
    text = runner.invoke(app, ["schema", "--help"], env={"COLUMNS": "200"}).stdout
    assert "    # yaml-language-server: $schema=org.schema.json" in text.splitlines()
    check = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "200"}).stdout
    assert max(len(line) for line in check.splitlines()) <= 100


def test_diff_git_says_when_the_path_is_new(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "commit", "-q", "--allow-empty", "-m", "empty")
    write(tmp_path, "org.yaml", FOUR_LOOP)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["diff", "--git", "HEAD", "org.yaml"])
    assert result.exit_code == 0
    assert "icmap: note: org.yaml does not exist at HEAD: everything in it counts as added" in (
        result.stderr
    )
