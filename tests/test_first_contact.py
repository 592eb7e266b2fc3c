"""What a new user meets first (issue 24): the same answer from every PyYAML, lead times read
the same in every source, help that speaks one vocabulary, and sections that say why empty.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import EXAMPLES, load_failure, write
from icmap.cli import app
from icmap.loader import load, source
from icmap.loader.source import _syntax_diagnostic

RELATION = "customers: {{c: {{}}}}\nteams:\n  a: {{provides: [{{what: x, to: c, {0}}}]}}\n"
DEEP = "customers: {c: {}}\nteams: " + "[" * 2000 + "]" * 2000 + "\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# --- deep nesting: IC009 from every PyYAML ------------------------------------------------------


def _parsers() -> list[type[yaml.SafeLoader]]:
    found: list[type[yaml.SafeLoader]] = [yaml.SafeLoader]
    if hasattr(yaml, "CSafeLoader"):
        found.append(yaml.CSafeLoader)
    return found


@pytest.mark.parametrize("parser", _parsers(), ids=lambda p: p.__name__)
def test_deep_nesting_is_ic009_where_it_passes_100_whatever_the_parser(
    parser: type[yaml.SafeLoader], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # libyaml 0.2.6 (PyYAML 6.0.3's wheels on) stops at 1,000 levels by itself, at 2:1007.
    monkeypatch.setattr(source, "_Loader", parser)
    [problem] = load_failure(write(tmp_path, "deep.yaml", DEEP))
    assert (problem.code, problem.line, problem.col) == ("IC009", 2, 107)
    assert problem.message == "nesting deeper than 100 levels"
    assert problem.hint is None


def test_libyamls_own_depth_limit_reads_as_icmaps(tmp_path: Path) -> None:
    # What the newer libyaml raises, made by hand so that every installed PyYAML runs this.
    text = "customers: {c: {}}\nteams: " + "[" * 1000
    mark = yaml.Mark("d.yaml", len(text) - 1, 1, 1006, None, None)
    error = yaml.scanner.ScannerError(
        "while increasing flow level", mark, "exceeded maximum nesting depth", mark
    )
    problem = _syntax_diagnostic(error, text, "d.yaml")
    assert problem.format().startswith("d.yaml:2:107: error: nesting deeper than 100 levels")
    assert problem.hint is None


def test_deep_nesting_through_the_cli_names_the_limit_not_a_bracket(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["graph", str(write(tmp_path, "deep.yaml", DEEP))])
    assert result.exit_code == 2
    assert "deep.yaml:2:107: error: nesting deeper than 100 levels [IC009]" in result.stderr
    assert "not closed" not in result.stderr


# --- lead times in words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "hours"),
    [("4 hours", 4.0), ("2days", 48.0), ("1D", 24.0), ("90 Mins", 1.5), ("3 Weeks", 504.0)],
)
def test_lead_times_in_words_and_any_case_load_from_org_files(
    written: str, hours: float, tmp_path: Path
) -> None:
    org = load(write(tmp_path, "org.yaml", RELATION.format(f"lead_time: {written}")))
    [relation] = org.relations
    assert relation.lead_time is not None
    assert relation.lead_time.hours == hours


@pytest.mark.parametrize(
    ("written", "message", "hint"),
    [
        ("120", "lead_time '120' has no unit", "add a unit: 120m, 120h, 120d, 120w"),
        ("4 hourz", "has unknown unit 'hourz'", "did you mean 'hour'?"),
        ("2 months", "is in months, which vary in length", "write it in weeks or days instead"),
        ("1M", "'M' could mean minutes or months", "write 'm' (or 'min') for minutes"),
        ("5 x", "has unknown unit 'x'", "use one of m (minutes), h (hours)"),
        ("'1,5d'", "is not a duration", "write the decimal with a point: 1.5d"),
    ],
)
def test_a_wrong_lead_time_suggests_only_what_its_text_supports(
    written: str, message: str, hint: str, tmp_path: Path
) -> None:
    [problem] = load_failure(write(tmp_path, "org.yaml", RELATION.format(f"lead_time: {written}")))
    assert problem.code == "IC007"
    assert message in problem.message
    assert problem.hint is not None
    assert hint in problem.hint
    if written == "120":
        assert "120d" not in problem.hint.replace("120d,", "")  # offered, not singled out


def test_the_schema_accepts_the_lead_times_the_loader_reads(runner: CliRunner) -> None:
    import re

    pattern = json.loads(runner.invoke(app, ["schema"]).stdout)["$defs"]["lead_time"]["pattern"]
    for good in ("4h", "4 hours", "2days", "1D", "5.17d", "1m", "3 Weeks"):
        assert re.match(pattern, good), good
    for bad in ("120", "1M", "2 months", "4 hourz"):
        assert not re.match(pattern, bad), bad


# --- help: one vocabulary ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("impact", "Usage: icmap impact [OPTIONS] TEAM..."),
        ("import", "Usage: icmap import [OPTIONS] FORMAT SOURCE..."),
        ("team", "Usage: icmap team [OPTIONS] [TEAM]"),
        ("diff", "Usage: icmap diff [OPTIONS] [ORG]..."),
        ("graph", "Usage: icmap graph [OPTIONS] [ORG]"),
    ],
)
def test_usage_lines_write_arguments_one_way(runner: CliRunner, command: str, usage: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == usage
    assert "{" not in result.stdout.splitlines()[0]


@pytest.mark.parametrize("command", ["impact", "team", "diff", "report"])
def test_from_names_no_argument_a_command_lacks(runner: CliRunner, command: str) -> None:
    text = " ".join(runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout.split())
    assert "--from FORMAT Read the org from another format" in text
    assert "Read ORG" not in text


def test_diff_with_git_calls_its_one_argument_an_org(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(app, ["diff", "--help"], env={"COLUMNS": "200"}).stdout.split())
    assert text.startswith("Usage: icmap diff [OPTIONS] [ORG]...")
    assert "BASE" not in text


def test_schema_writes_to_a_file_with_o(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "org.schema.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["$defs"]["lead_time"]


def test_schema_never_writes_over_an_org_file(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", (EXAMPLES / "restaurant.yaml").read_text(encoding="utf-8"))
    before = org.read_bytes()
    result = runner.invoke(app, ["schema", "-o", str(org)])
    assert result.exit_code == 2
    assert "the schema is JSON: write it to a .json file" in result.stderr
    assert org.read_bytes() == before


# --- a report section with nothing to show says why ----------------------------------------------

UNSCORED = """\
customers: {c: {name: C}}
teams:
  a: {provides: [{what: X, to: b, lead_time: 1d}]}
  b: {provides: [{what: Y, to: c, lead_time: 2d}]}
"""


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_weakest_links_without_scores_say_so_instead_of_dashes(
    runner: CliRunner, tmp_path: Path, fmt: str
) -> None:
    path = write(tmp_path, "org.yaml", UNSCORED)
    result = runner.invoke(app, ["report", str(path), "-f", fmt], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    section = result.stdout.split("Weakest links")[1]
    assert "no hand-off on the way to a customer has a satisfaction score" in section.lower()
    assert "| c | — | — | — |" not in section
    assert "weakest on the critical path" not in section


def test_weakest_links_with_scores_still_show_the_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", str(EXAMPLES / "restaurant.yaml")])
    section = result.stdout.split("Weakest links")[1]
    assert "weakest on the critical path" in section
    assert "no hand-off on the way" not in section


# --- long runs show signs of life on a terminal, nothing in a pipe -------------------------------


def _run_with_stderr_on_a_terminal(*args: str) -> tuple[int, bytes, bytes]:
    """``icmap args`` with stderr on a pseudo-terminal and stdout in a file, no display delay."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import tempfile

    master, slave = pty.openpty()
    env = {**os.environ, "ICMAP_PROGRESS_DELAY": "0", "TERM": "xterm", "COLUMNS": "100"}
    with tempfile.TemporaryFile() as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "icmap", *args], stdout=stdout, stderr=slave, env=env
        )
        os.close(slave)
        shown = b""
        while True:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            elif process.poll() is not None:
                break
        os.close(master)
        code = process.wait()
        stdout.seek(0)
        return code, stdout.read(), shown


def test_a_long_run_shows_its_step_on_a_terminal_and_clears_it(tmp_path: Path) -> None:
    pytest.importorskip("pty")
    # Long enough (about a second) for the display, drawn at once here, to show its step.
    chain = "".join(f"  t{n}: {{provides: [{{what: w, to: t{n + 1}}}]}}\n" for n in range(1999))
    org = write(tmp_path, "org.yaml", f"customers: {{t1999: {{}}}}\nteams:\n{chain}  x: {{}}\n")
    code, out, shown = _run_with_stderr_on_a_terminal("report", str(org), "-f", "json")
    assert code == 0
    assert json.loads(out)["counts"]["teams"] == 2000  # stdout holds the report alone
    assert b"analysing 2,000 teams" in shown
    assert shown.endswith(b"\x1b[2K")  # the display erased itself: nothing is left behind


def test_an_error_after_the_display_is_printed_on_a_clean_line(tmp_path: Path) -> None:
    pytest.importorskip("pty")
    missing = tmp_path / "missing.yaml"
    code, _, shown = _run_with_stderr_on_a_terminal("report", str(missing))
    assert code == 2
    # Whether or not the display had drawn yet, the error's line holds the error alone.
    last = shown.rstrip().split(b"\n")[-1]
    plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]|\r", b"", last)
    assert plain == f"icmap: error: {missing}: no such file or directory".encode()


def test_a_piped_stderr_gets_no_progress(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ICMAP_PROGRESS_DELAY", "0")
    result = runner.invoke(app, ["report", str(EXAMPLES / "northwind"), "-f", "json"])
    assert result.exit_code == 0
    assert result.stderr == ""
