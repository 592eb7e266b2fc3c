"""Round-8 attack on issue 28: what a user can do to icmap from the shell, beyond its list.

A path the system refuses (a name longer than NAME_MAX, a symlink loop), ``-o /dev/stdout``
into a pipe whose reader left, a CSV header of 100,000 columns or of one 140,000-character
cell, a survey round cut short by a full disk, and a survey appended to a filled-in sheet.
Every case runs the real ``icmap`` in a child process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, write

EXAMPLES = Path(__file__).parent.parent / "examples"
RESTAURANT = EXAMPLES / "restaurant.yaml"
ICMAP = [sys.executable, "-m", "icmap"]
ENV = {**os.environ, "NO_COLOR": "1"}
ENV.pop("PYTHONIOENCODING", None)
LONG = "n" * 300  # over NAME_MAX (255) on every common file system


def run(
    args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ICMAP, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env=env or ENV,
    )


def shell(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``script`` run by bash (for PIPESTATUS), with ``$ICMAP`` the icmap command."""
    return subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**ENV, "ICMAP": " ".join(ICMAP)},
    )


# --- a path the system refuses is the command line's fault: exit 2, never "internal error" ---


@pytest.mark.parametrize(
    "args",
    [
        ["graph", "{bad}"],
        ["graph", "--org", "{bad}"],
        ["check", "{org}", "--config", "{bad}"],
        ["report", "{org}", "--survey", "{bad}"],
        ["report", "{org}", "--events", "{bad}"],
        ["diff", "{org}", "{bad}"],
        ["graph", "--from", "csv", "{bad}"],
        ["graph", "--from", "events", "{bad}"],
        ["import", "csv", "{bad}", "-o", "out"],
        ["import", "backstage", "{org}", "-o", "{bad}"],
        ["init", "{bad}"],
        ["team", "--all", "--org", "{org}", "-o", "{bad}"],
        ["survey", "{org}", "--per-team", "-o", "{bad}"],
    ],
    ids=" ".join,
)
@pytest.mark.parametrize("bad", [f"{LONG}.yaml", f"{LONG}/org.yaml"], ids=["name", "folder"])
def test_a_file_name_too_long_is_a_usage_error(tmp_path: Path, args: list[str], bad: str) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    done = run([part.format(bad=bad, org=org) for part in args], cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr
    assert done.stderr.count("\n") == 1  # one line
    assert "File name too long" in done.stderr
    assert "(3" in done.stderr and "characters)" in done.stderr  # clipped, with its length
    assert len(done.stderr) < 300
    assert done.stdout == ""


def test_debug_shows_the_traceback_of_a_failing_file_call(tmp_path: Path) -> None:
    """``--debug`` is for tracebacks: an OSError from a command is not "cannot write to stdout"."""
    done = run(["--debug", "graph", f"{LONG}.yaml"], cwd=tmp_path)
    assert "Traceback" in done.stderr
    assert "cannot write to stdout" not in done.stderr


# --- -o /dev/stdout into a pipe whose reader left: as stdout itself, quiet, the command's code -


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["report", "{org}", "-f", "json", "-o", "/dev/stdout"], 0),
        (["graph", "{org}", "-f", "json", "-o", "/dev/fd/1"], 0),
        (["check", "{org}", "--fail-on", "info", "-o", "json:/dev/stdout"], 1),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
def test_o_dev_stdout_into_a_closed_pipe_keeps_the_exit_code(
    tmp_path: Path, args: list[str], code: int
) -> None:
    org = big_org(tmp_path)
    command = " ".join(part.format(org=org) for part in args)
    done = shell(
        f"$ICMAP {command} 2>err | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}", tmp_path
    )
    assert done.stdout.strip() == str(code)
    assert "error" not in (tmp_path / "err").read_text(encoding="utf-8")


def big_org(folder: Path, teams: int = 2000) -> Path:
    """Output of several pipe buffers (64 KiB each), with an info finding per team."""
    lines = ["customers:", "  c: {name: C}", "teams:"]
    for n in range(teams):
        to = "c" if n == 0 else f"t{n - 1}"
        lines += [f"  t{n}:", f"    provides: [{{what: Output number {n}, to: {to}}}]"]
    return write(folder, "big.yaml", "\n".join(lines) + "\n")


# --- a CSV header is never quoted whole -----------------------------------------------------


def _many_columns(folder: Path) -> Path:
    return write(folder, "wide.csv", ",".join(f"c{n}" for n in range(100_000)) + "\nx\n")


def _long_cell(folder: Path) -> Path:
    return write(folder, "long.csv", "Provider,Receiver,Wh" + "A" * 130_000 + "\nx,y,z\n")


@pytest.mark.parametrize("table", [_many_columns, _long_cell], ids=["100k columns", "130k cell"])
@pytest.mark.parametrize(
    "args",
    [
        ["graph", "--from", "csv", "{table}"],
        ["import", "csv", "{table}", "-o", "out", "--dry-run"],
        ["graph", str(RESTAURANT), "--survey", "{table}"],
        ["graph", "--from", "events", "{table}"],
    ],
    ids=["--from csv", "import csv", "--survey", "--from events"],
)
def test_a_huge_header_is_named_in_a_short_message(
    tmp_path: Path, table: object, args: list[str]
) -> None:
    path = table(tmp_path)  # type: ignore[operator]
    done = run([part.format(table=path) for part in args], cwd=tmp_path)
    assert done.returncode == 2
    assert "internal error" not in done.stderr
    assert len(done.stderr) < 2_000, done.stderr[:300]
    assert "more" in done.stderr or "characters)" in done.stderr


# --- survey --per-team and team --all are all or nothing ------------------------------------


@pytest.mark.parametrize(
    "args",
    [["survey", str(RESTAURANT), "--per-team"], ["team", "--all", "--org", str(RESTAURANT)]],
    ids=["survey --per-team", "team --all"],
)
def test_pages_appear_or_none_change(tmp_path: Path, args: list[str]) -> None:
    """A page that cannot be written (here: its name taken by a folder, which only the final
    rename finds) leaves the folder as it was: no page beside the old ones, no temporary file."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "expediters.md").write_text("old round\n", encoding="utf-8")
    (pages / "wait-staff.md").mkdir()  # written after expediters.md in both
    done = run([*args, "-f", "markdown", "-o", str(pages)])
    assert done.returncode == 2, done.stderr
    assert "wrote" not in done.stderr
    assert sorted(p.name for p in pages.iterdir()) == ["expediters.md", "wait-staff.md"]
    assert (pages / "expediters.md").read_text(encoding="utf-8") == "old round\n"
    shutil.rmtree(pages / "wait-staff.md")
    done = run([*args, "-f", "markdown", "-o", str(pages)])
    assert done.returncode == 0, done.stderr
    assert (pages / "expediters.md").read_text(encoding="utf-8") != "old round\n"


# --- a survey appended to a filled-in sheet --------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self/fd/1").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_a_survey_appended_to_an_answered_sheet_is_refused(tmp_path: Path, fmt: str) -> None:
    sheet = tmp_path / "2026-q2.csv"
    shutil.copy(EXAMPLES / "surveys" / "restaurant" / "2026-q2.csv", sheet)
    before = sheet.read_bytes()
    done = shell(f"$ICMAP survey {RESTAURANT} -f {fmt} >> {sheet}", tmp_path)
    assert done.returncode == 2
    assert "answered rows" in done.stderr
    assert sheet.read_bytes() == before
    blank = tmp_path / "blank.csv"
    assert shell(f"$ICMAP survey {RESTAURANT} > {blank}", tmp_path).returncode == 0
    assert shell(f"$ICMAP survey {RESTAURANT} >> {blank}", tmp_path).returncode == 0


# --- the catalog on stdin: closed, not UTF-8, or UTF-8 under an ASCII locale ----------------

GROUP = (
    "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: {}}}\nspec: {{type: team}}\n"
)


@pytest.mark.parametrize(
    ("script", "env", "expected"),
    [
        ("$ICMAP import backstage - -o out --dry-run <&-", {}, "stdin is closed"),
        (
            "printf 'kind: Group\\nmetadata: {name: \\377}\\n' | $ICMAP import backstage - -o out",
            {},
            "<stdin>:2:18: error: not UTF-8 text: byte 0xff",
        ),
    ],
    ids=["closed", "not UTF-8"],
)
def test_a_catalog_on_stdin_that_cannot_be_read_is_a_finding(
    tmp_path: Path, script: str, env: dict[str, str], expected: str
) -> None:
    done = shell(script, tmp_path)
    assert done.returncode == 2
    assert "internal error" not in done.stderr
    assert expected in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_utf8_catalog_on_stdin_is_read_under_an_ascii_locale(tmp_path: Path) -> None:
    """Read as UTF-8 whatever the locale; the team file ``teams/Küche.yaml`` cannot be named
    in an ASCII file system encoding, which is said in one line, exit 2, nothing written."""
    site = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: shop}\n"
    site += "spec: {type: website, owner: group:Küche}\n"
    catalog = GROUP.format("Küche") + "---\n" + site
    done = subprocess.run(
        [*ICMAP, "import", "backstage", "-", "-o", "out"],
        input=catalog.encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**ENV, "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
    )
    assert done.returncode == 2, done.stderr
    assert b"internal error" not in done.stderr
    assert b"cannot hold '\\xfc'; run icmap under a UTF-8 locale" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    utf8 = subprocess.run(
        [*ICMAP, "import", "backstage", "-", "-o", "out"],
        input=catalog.encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**ENV, "LC_ALL": "C.UTF-8"},
    )
    assert utf8.returncode == 0, utf8.stderr
    assert (tmp_path / "out" / "teams" / "Küche.yaml").exists()


# --- check -o A -o B: a B that cannot be written stops the run before A is written ---------


@pytest.mark.parametrize("second", ["missing/report.sarif", "folder.sarif"])
def test_check_writes_none_of_its_files_when_one_cannot_be_written(
    tmp_path: Path, second: str
) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    (tmp_path / "folder.sarif").mkdir()
    done = run(["check", str(org), "-o", "report.json", "-o", second], cwd=tmp_path)
    assert done.returncode == 2
    assert "internal error" not in done.stderr
    assert not (tmp_path / "report.json").exists()


# --- a file name with a line feed cannot start a line of its own -----------------------------

FORGED = "evil\n::error file=x::forged\nb.yaml"


@pytest.mark.parametrize(
    "args",
    [["check", "{org}"], ["check", "{org}", "-f", "github"], ["graph", "{org}"]],
    ids=" ".join,
)
def test_a_file_name_with_a_line_feed_stays_on_its_line(tmp_path: Path, args: list[str]) -> None:
    """In a CI log a line ``::error file=x::…`` is a workflow command, and ``x:1:1: error:`` is
    read as icmap's: the name is shown with ``\\n``, never split."""
    org = tmp_path / "org"
    write(org, FORGED, "teams:\n  a:\n    provides: [{what: x, to: zz}]\n")
    done = run([part.format(org=org) for part in args])
    assert done.returncode in (1, 2)
    lines = (done.stdout + done.stderr).splitlines()
    assert not [line for line in lines if line.startswith(("::error file=x", "b.yaml"))]
    if "github" not in args:
        assert "evil\\n::error file=x::forged\\nb.yaml" in done.stdout + done.stderr


def test_init_shows_a_folder_name_with_escapes_safely(tmp_path: Path) -> None:
    done = run(["init", "new\x1b[31m\nfolder"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stderr
    assert "wrote new\\x1b[31m\\nfolder/org.yaml" in done.stderr


# --- GITHUB_STEP_SUMMARY is a path like any -o -------------------------------------------------


@pytest.mark.parametrize("where", ["input", "missing/summary.md", "/dev/full", "folder"])
def test_the_step_summary_is_never_an_input_and_fails_in_one_line(
    tmp_path: Path, where: str
) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL + "  idle: {}\n")
    (tmp_path / "folder").mkdir()
    before = org.read_bytes()
    target = str(org) if where == "input" else where
    env = {**ENV, "GITHUB_STEP_SUMMARY": target}
    done = run(["check", str(org), "-f", "github", "--fail-on", "info"], cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert org.read_bytes() == before


# --- a $COLUMNS of any size --------------------------------------------------------------------


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.parametrize("columns", ["99999999", "999999999999999999999"])
@pytest.mark.parametrize("color", ["never", "always"])
def test_a_huge_columns_is_laid_out_at_a_readable_width(columns: str, color: str) -> None:
    """rich pads each line to the width while laying it out: COLUMNS=99999999 took 4.7 GB for
    a one-page report, and COLUMNS=10**21 ended in an OverflowError (exit 3)."""
    done = subprocess.run(
        [*ICMAP, "report", str(RESTAURANT), "--color", color],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**ENV, "COLUMNS": columns},
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 1000


# --- no descriptor left to start Graphviz ------------------------------------------------------


def _few_descriptors() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (8, 8))


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
@pytest.mark.parametrize(
    "args",
    [
        ["graph", str(RESTAURANT), "-f", "svg", "-o", "org.svg"],
        ["graph", str(RESTAURANT), "--stream", "dinner-service", "--timeline", "-o", "t.png"],
    ],
    ids=["svg", "timeline png"],
)
def test_graphviz_that_cannot_start_is_one_line(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run(
        [*ICMAP, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env=ENV,
        preexec_fn=_few_descriptors,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot run Graphviz" in done.stderr
    assert "internal error" not in done.stderr


# --- a file name that is not UTF-8 ---------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="Linux file names are bytes")
@pytest.mark.parametrize(
    ("args", "parse"),
    [
        (["check", "{org}", "-f", "json"], "json"),
        (["check", "{org}", "-f", "sarif"], "json"),
        (["check", "{org}", "-f", "junit"], "xml"),
        (["check", "{org}", "-f", "github"], None),
        (["check", "{org}", "-o", "out.sarif"], None),
        (["graph", "{org}", "-f", "json"], "json"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
def test_a_file_name_that_is_not_utf8_reaches_every_machine_format(
    tmp_path: Path, args: list[str], parse: str | None
) -> None:
    import json
    import xml.etree.ElementTree as ET

    org = tmp_path / "org"
    org.mkdir()
    name = os.fsdecode(b"caf\xe9.yaml")  # latin-1 é: a lone surrogate once decoded
    (org / name).write_text(MINIMAL + "  idle: {}\n", encoding="utf-8")
    done = subprocess.run(
        [*ICMAP, *[part.format(org=org) for part in args]],
        capture_output=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env=ENV,
    )
    assert done.returncode in (0, 1), done.stderr
    assert b"internal error" not in done.stderr
    if parse == "json":
        parsed = json.dumps(json.loads(done.stdout))
        assert "caf" in parsed or args[0] == "graph"  # graph's JSON names no files
    elif parse == "xml":
        ET.fromstring(done.stdout)
    if "out.sarif" in args:
        sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
        location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith("caf%E9.yaml")


# --- an argument of 100,000 characters is not echoed whole -----------------------------------

HUGE = "y" * 100_000
#: Spaces in it: the value is echoed in quotes, and the quoted run must be clipped as well.
HUGE_SPACED = "a b" * 33_333 + "c"


@pytest.mark.parametrize(
    "args",
    [
        ["graph", str(RESTAURANT), "--focus", HUGE],
        ["graph", str(RESTAURANT), "--group", HUGE],
        ["check", str(RESTAURANT), "--select", HUGE],
        ["impact", HUGE, "--org", str(RESTAURANT)],
        ["survey", str(RESTAURANT), "--team", HUGE],
    ],
    ids=lambda args: next(a for a in args if a.startswith("--") or a == "impact"),
)
def test_a_huge_argument_is_named_by_its_start_and_length(args: list[str]) -> None:
    done = run(args)
    assert done.returncode == 2
    assert len(done.stderr) < 500
    assert "… (100,000 characters)" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["report", str(RESTAURANT), "--color", HUGE_SPACED],
        ["impact", HUGE_SPACED, "--org", str(RESTAURANT)],
        ["graph", str(RESTAURANT), "--focus", HUGE_SPACED],
    ],
    ids=["parser", "impact", "focus"],
)
def test_a_huge_argument_with_spaces_is_named_by_its_start_and_length(args: list[str]) -> None:
    done = run(args)
    assert done.returncode == 2
    assert len(done.stderr) < 500
    assert "'a ba b" in done.stderr and "… (100,000 characters)'" in done.stderr


@pytest.mark.parametrize(
    ("growth", "why"),
    [
        ("-5%", "a percentage of 0% or more"),
        ("nan%", "a percentage of 0% or more"),
        ("inf%", "is too large: no limit at all"),
        ("1e400%", "is too large: no limit at all"),
        ("1000000000d", "is too large: at most 1e+09 hours"),
    ],
)
def test_a_growth_limit_no_one_means_is_refused(growth: str, why: str) -> None:
    """-5% failed every diff, even of an org with itself; nan% and inf% passed every one."""
    done = run(["diff", str(RESTAURANT), str(RESTAURANT), "--max-critical-growth", growth])
    assert done.returncode == 2
    assert why in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(RESTAURANT), "--config", "{fifo}"],
        [
            "report",
            str(EXAMPLES / "service-desk" / "org.yaml"),
            "--events",
            str(EXAMPLES / "service-desk" / "tickets.csv"),
            "--team-map",
            "{fifo}",
        ],
    ],
    ids=["--config", "--team-map"],
)
def test_a_fifo_for_a_file_option_is_named_as_such(tmp_path: Path, args: list[str]) -> None:
    """It exists: "no such file" sent the user looking for a typo."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = run([part.format(fifo=fifo) for part in args])
    assert done.returncode == 2
    assert "not a regular file" in done.stderr


# --- a total counts every error, listed or left out by the cap of 100 ----------------------


def test_a_source_error_total_counts_the_errors_the_cap_left_out(tmp_path: Path) -> None:
    rows = "".join(f"t{n},t{n},thing {n}\n" for n in range(500))
    table = write(tmp_path, "self.csv", "Provider,Receiver,What\n" + rows)
    done = run(["graph", "--from", "csv", str(table)], cwd=tmp_path)
    assert done.returncode == 2
    assert "…and 400 more IC007" in done.stderr
    last = done.stderr.splitlines()[-1]
    assert last == "icmap: 500 errors in the source (400 not listed): nothing read"


def test_an_org_error_total_counts_the_errors_the_cap_left_out(tmp_path: Path) -> None:
    teams = "".join(f"  t{n}:\n    provides: [{{what: x, to: t{n}}}]\n" for n in range(300))
    org = write(tmp_path, "org.yaml", "teams:\n" + teams)
    done = run(["report", str(org)], cwd=tmp_path)
    assert done.returncode == 2
    # 300 self-hand-offs (100 listed) and no external customer
    assert done.stderr.splitlines()[-1] == "icmap: 301 errors in the org files (200 not listed)"
    done = run(["check", str(org)], cwd=tmp_path)
    assert done.returncode == 1
    assert "check failed: 301 errors, 0 warnings, 0 infos" in done.stdout + done.stderr
    done = run(["check", str(org), "-f", "json"], cwd=tmp_path)
    assert '"error": 301' in done.stdout


# --- the parser's own errors quote a huge value short ----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["report", str(RESTAURANT), "--color", "{huge}"],
        ["check", str(RESTAURANT), "-f", "{huge}"],
        ["graph", str(RESTAURANT), "--format", "{huge}"],
        ["{huge}"],
    ],
    ids=["--color", "check -f", "graph --format", "command"],
)
def test_the_parsers_own_error_quotes_a_huge_value_short(args: list[str]) -> None:
    huge = "x" * 100_000
    done = run([part.format(huge=huge) for part in args])
    assert done.returncode == 2
    assert len(done.stderr) < 1_000, done.stderr[:300]
    assert "… (100,000 characters)" in done.stderr


# --- a revision with a line feed is said on one line -----------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("revision", ["HEAD\n", "no\nsuch"], ids=["HEAD\\n", "no\\nsuch"])
def test_a_revision_with_a_line_feed_is_one_line(tmp_path: Path, revision: str) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t"}
    git_env = {**ENV, **who, "GIT_COMMITTER_EMAIL": "t@x"}
    for step in (["init", "-q"], ["add", "org.yaml"], ["commit", "-q", "-m", "org"]):
        subprocess.run(["git", *step], cwd=tmp_path, env=git_env, check=True)
    done = run(["diff", "--git", revision, str(org)], cwd=tmp_path)
    assert done.returncode == 2
    shown = revision.replace("\n", "\\n")
    assert done.stderr == f"icmap: error: --git {shown}: no such revision in this repository\n"


# --- a wide header: the did-you-mean looks at the first 1,000 unknown columns ---------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (0, 1_500, "1:1: error: unknown column 'Providr' [IC004]\n  hint: did you mean"),
        (1_500, 0, "1:1: error: no 'provider' column (the header has 'x0', 'x1'"),
    ],
    ids=["misspelt first", "misspelt after 1,500 others"],
)
def test_a_wide_header_is_spell_checked_in_its_first_thousand_unknown_columns(
    tmp_path: Path, before: int, after: int, expected: str
) -> None:
    """Each unknown column was compared with every known name (100,000 of them: 7.6 s of
    CPU); past the first 1,000 they are ignored, and a required one missing is named."""
    header = [f"x{n}" for n in range(before)] + ["Providr"] + [f"y{n}" for n in range(after)]
    table = write(tmp_path, "wide.csv", ",".join([*header, "Receiver", "What"]) + "\n")
    done = run(["graph", "--from", "csv", str(table)], cwd=tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr


# --- a team named in UTF-8 under an ASCII locale -------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["impact", "küche"], ["team", "küche"], ["graph", "--focus", "küche", "-f", "json"]],
    ids=["impact", "team", "graph --focus"],
)
def test_a_team_named_in_utf8_is_found_under_an_ascii_locale(
    tmp_path: Path, args: list[str]
) -> None:
    """With Python's UTF-8 mode and locale coercion off, ``LC_ALL=C`` hands icmap the name's
    UTF-8 bytes escaped one by one (``k\\udcc3\\udcbcche``): read as the UTF-8 they are."""
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {diners: {}}\nteams:\n  küche: {provides: [{what: food, to: diners}]}\n",
    )
    ascii_env = {**ENV, "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "LC_ALL": "C"}
    ascii_env.pop("PYTHONIOENCODING", None)
    where = ["--org", str(org)] if args[0] != "graph" else [str(org)]
    done = run([*args, *where], cwd=tmp_path, env=ascii_env)
    assert done.returncode == 0, done.stderr
    assert "no team or supplier" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["report", str(RESTAURANT), "-o", ""],
        ["graph", str(RESTAURANT), "-f", "json", "-o", ""],
        ["check", str(RESTAURANT), "-o", ""],
        ["team", "kitchen", "--org", str(RESTAURANT), "-o", ""],
        ["schema", "-o", ""],
        ["import", "csv", "{sheet}", "-o", ""],
        ["init", ""],
        ["check", ""],
        ["report", "", "-f", "json"],
        ["impact", "kitchen", "--org", ""],
        ["diff", "", str(RESTAURANT)],
        ["import", "csv", "", "-o", "out"],
        ["report", "--from", "backstage", ""],
        ["report", str(RESTAURANT), "--survey", ""],
        ["report", str(RESTAURANT), "--events", ""],
        ["report", str(RESTAURANT), "--events", "{sheet}", "--team-map", ""],
        ["check", str(RESTAURANT), "--config", ""],
    ],
    ids=lambda args: " ".join(a for a in args if a and "/" not in a and "{" not in a),
)
def test_an_empty_path_is_refused_not_read_as_this_folder(tmp_path: Path, args: list[str]) -> None:
    # "$ORG" or -o "$OUT" with the variable unset: nothing read from or written into here.
    sheet = write(tmp_path, "h.csv", "provider,receiver,what\na,customers,x\n")
    work = tmp_path / "work"
    work.mkdir()
    done = run([part.format(sheet=sheet) for part in args], cwd=work)
    assert done.returncode == 2, done.stderr
    assert "an empty path (an unset variable?)" in done.stderr
    assert list(work.iterdir()) == []


def test_diff_of_stdin_with_itself_is_refused(tmp_path: Path) -> None:
    catalog = write(
        tmp_path,
        "c.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\n"
        "spec: {type: website, owner: team-a}\n",
    )
    done = subprocess.run(
        [*ICMAP, "diff", "--from", "backstage", "-", "-"],
        input=catalog.read_bytes(),
        capture_output=True,
        timeout=120,
        check=False,
        env=ENV,
    )
    assert done.returncode == 2
    assert b"stdin can be read once: give one of the two orgs as a file" in done.stderr
