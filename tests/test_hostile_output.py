"""Hostile outputs found by an outside attack run (issue 12): what icmap writes, and where.

Inputs are never overwritten, devices and FIFOs are written rather than replaced, write failures
are one clear line, and nothing a terminal would obey reaches it from a name or a file name.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, MINIMAL, write
from icmap.cli import app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _icmap(*args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "icmap", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


# --- 4. -o never names an input ----------------------------------------------------------------

BROKEN = "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: nobody}]}\n"


@pytest.mark.parametrize(
    "command",
    [
        ["graph", "{org}", "-f", "json", "-o", "{org}"],
        ["report", "{org}", "-f", "json", "-o", "{org}"],
        ["impact", "kitchen", "--org", "{org}", "-f", "json", "-o", "{org}"],
        ["check", "{org}", "-f", "json", "-o", "{org}"],
        ["check", "{broken}", "-f", "json", "-o", "{broken}"],
        ["check", "{broken}", "-f", "text", "-f", "sarif", "-o", "{text}", "-o", "{broken}"],
        ["diff", "{org}", "{other}", "-f", "json", "-o", "{org}"],
        ["diff", "{org}", "{other}", "-f", "json", "-o", "{other}"],
        ["diff", "{folder}", "{org}", "-f", "json", "-o", "{in_folder}"],
        ["graph", "{org}", "-f", "json", "-o", "{hardlink}"],
        ["graph", "{org}", "-f", "json", "-o", "{symlink}"],
        ["check", "{org}", "--config", "{config}", "-f", "json", "-o", "{config}"],
    ],
    ids=lambda command: " ".join(command[:1] + command[-2:]),
)
def test_no_command_overwrites_an_input(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    names = {
        "org": write(tmp_path, "org.yaml", MINIMAL),
        "other": write(tmp_path, "other.yaml", MINIMAL),
        "broken": write(tmp_path, "broken.yaml", BROKEN),
        "in_folder": write(tmp_path / "folder", "teams.yaml", MINIMAL),
        "config": write(tmp_path, "icmap.yaml", "check: {}\n"),
    }
    names["folder"] = tmp_path / "folder"
    names["text"] = tmp_path / "findings.txt"  # written first in order: must not be either
    names["hardlink"] = tmp_path / "hard.json"
    os.link(names["org"], names["hardlink"])
    names["symlink"] = tmp_path / "link.json"
    names["symlink"].symlink_to(names["org"])
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    args = [part.format(**{k: str(v) for k, v in names.items()}) for part in command]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.stderr
    assert "never overwrites its input" in result.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


# --- 5. devices, FIFOs, /dev/stdout ------------------------------------------------------------


def test_output_to_dev_null_keeps_the_device(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    done = _icmap("graph", str(org), "-f", "dot", "-o", "/dev/null")
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_output_to_dev_stdout_reaches_stdout(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    done = _icmap("graph", str(org), "-f", "json", "-o", "/dev/stdout")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["nodes"]
    assert Path("/dev/stdout").is_symlink()


def test_output_to_a_fifo_is_written_not_replaced(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = _icmap("graph", str(org), "-f", "json", "-o", str(fifo))
    reader.join(timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(received[0])["nodes"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_to_a_directory_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    result = runner.invoke(app, ["graph", str(org), "-f", "json", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert f"cannot write {tmp_path}: it is a folder; name a file in it" in result.stderr


def test_output_through_a_symlink_replaces_the_file_and_keeps_the_link(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    target = write(tmp_path, "real.json", "old")
    link = tmp_path / "out.json"
    link.symlink_to(target)
    result = runner.invoke(app, ["graph", str(org), "-o", str(link)])
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert json.loads(target.read_text(encoding="utf-8"))["nodes"]


# --- 7. write failures on stdout ---------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["report", "{org}", "-f", "json"],
        ["report", "{org}"],
        ["graph", "{org}"],
        ["check", "{org}"],
        ["check", "{org}", "-f", "sarif"],
        ["impact", "kitchen", "--org", "{org}"],
        ["diff", "{org}", "{org}", "-f", "markdown"],
        ["schema"],
    ],
    ids=" ".join,
)
def test_a_full_disk_on_stdout_is_one_line_exit_2(tmp_path: Path, command: list[str]) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    with Path("/dev/full").open("wb") as full:
        done = _icmap(*[part.format(org=org) for part in command], stdout=full.fileno())
    assert done.returncode == 2
    assert done.stderr.decode() == "icmap: error: cannot write to stdout: No space left on device\n"


@pytest.mark.parametrize("command", [["report", "-f", "json"], ["graph"], ["check"]])
def test_a_closed_pipe_on_stdout_is_silent(tmp_path: Path, command: list[str]) -> None:
    """A reader that went away is no failure: quiet, with the command's own exit code (issue
    28; tests/test_output_environment.py has the larger outputs and ``check``'s exit 1)."""
    org = write(tmp_path, "org.yaml", MINIMAL)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = _icmap(*command[:1], str(org), *command[1:], stdout=write_end)
    finally:
        os.close(write_end)
    assert done.returncode == 0
    assert done.stderr == b""


def test_out_of_memory_is_one_line_not_a_bug_report(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import icmap.loader

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(icmap.loader, "load", exhausted)
    result = runner.invoke(app, ["report", str(write(tmp_path, "org.yaml", MINIMAL))])
    assert result.exit_code == 2
    assert result.stderr == (
        "icmap: error: out of memory: the org is too big for the memory available\n"
    )


def test_a_tree_failing_while_it_is_written_leaves_the_file_as_it_was(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tree is written to its file as its lines are made: a failure half-way must still
    leave the earlier file whole and no temporary file behind."""
    import icmap.render.picture.tree

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    org = write(tmp_path, "org.yaml", MINIMAL)
    target = write(tmp_path, "tree.txt", "the earlier tree\n")
    monkeypatch.setattr(icmap.render.picture.tree, "_branch_label", exhausted)
    result = runner.invoke(app, ["graph", str(org), "-f", "text", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr == (
        "icmap: error: out of memory: the org is too big for the memory available\n"
    )
    assert target.read_text() == "the earlier tree\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["org.yaml", "tree.txt"]


# --- 8, 10. control and bidi characters --------------------------------------------------------

#: Bidi controls in every string field (the loader refuses C0 and C1 controls in org text, so
#: those reach output only through file names).
HOSTILE_ORG = """\
organisation: "Org \\u202eevil\\u2066"
customers: {c: {name: "Cust \\u202b", description: "D \\u202c"}}
suppliers: {s: {name: "Sup \\u2068", provides: [{what: "Flour \\u2069", to: a}]}}
teams:
  a:
    name: "A \\u2067"
    group: "G \\u202a"
    lead: "L \\u202d"
    description: "D \\u202e"
    provides: [{what: "W \\u202d", to: c, lead_time: 1d, satisfaction: 2}]
  b: {name: "B \\u202e", provides: [{what: "X \\u202e", to: a}], receives: [{what: "Flour \\u2069", from: s}]}
"""
#: ESC, an OSC title sequence with BEL, and CSI (\x9b) in the file name.
HOSTILE_FILE = "org\x1b]0;pwned\x07\x9b2J.yaml"
UNSAFE = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} - {"\n", "\t"}
UNSAFE |= {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}

COMMANDS = [
    ["graph", "{org}"],
    ["graph", "{org}", "-f", "dot"],
    ["graph", "{org}", "-f", "mermaid"],
    ["graph", "{org}", "-f", "json"],
    ["graph", "{org}", "-f", "html"],
    ["graph", "{org}", "-f", "graphml"],
    ["graph", "{org}", "-f", "gexf"],
    ["graph", "{org}", "--overview", "-f", "mermaid"],
    ["graph", "{org}", "--overview", "-f", "dot"],
    ["report", "{org}"],
    ["report", "{org}", "-f", "markdown"],
    ["report", "{org}", "-f", "json"],
    ["impact", "a", "--org", "{org}"],
    ["impact", "a", "--org", "{org}", "-f", "markdown"],
    ["impact", "a", "--org", "{org}", "-f", "json"],
    ["impact", "a", "--org", "{org}", "-f", "dot"],
    ["impact", "a", "--org", "{org}", "-f", "mermaid"],
    ["team", "a", "--org", "{org}"],
    ["team", "a", "--org", "{org}", "-f", "markdown"],
    ["team", "a", "--org", "{org}", "-f", "json"],
    ["diff", "{org}", "{org}"],
    ["diff", "{org}", "{org}", "-f", "markdown"],
    ["diff", "{org}", "{org}", "-f", "json"],
    *[
        ["check", "{org}", "--strict", "-f", f]
        for f in ("text", "json", "github", "sarif", "junit")
    ],
    *[["check", "{broken}", "-f", f] for f in ("text", "json", "github", "sarif", "junit")],
    ["report", "{broken}"],
    ["graph", "{broken}", "-f", "json"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_output_carries_a_control_or_bidi_character(tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / HOSTILE_FILE.replace(".yaml", "")
    org = write(folder, HOSTILE_FILE, HOSTILE_ORG)
    broken = write(
        folder, "broken" + HOSTILE_FILE, HOSTILE_ORG + "  z: {provides: [{what: q, to: nobody}]}\n"
    )
    done = _icmap(*[part.format(org=org, broken=broken) for part in command])
    assert done.returncode in (0, 1, 2), done.stderr
    for name, stream in (("stdout", done.stdout), ("stderr", done.stderr)):
        text = stream.decode("utf-8")
        found = sorted({f"U+{ord(c):04X}" for c in text if c in UNSAFE})
        assert not found, f"{name} carries {found}"
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    markers = ("<U+202", "<U+206", "#8238;", "\\x1b", "\\u202", "\\u206", "\\u001b", "&#x202")
    # SARIF names files by URI, the escape in the file name percent-encoded (%1B).
    assert any(marker in out + err for marker in (*markers, "%1B")), (
        "nothing hostile reached the output"
    )
    fmt = command[command.index("-f") + 1] if "-f" in command else "text"
    if done.returncode == 2:
        assert not out
    elif fmt in ("json", "sarif"):
        json.loads(out, parse_constant=_not_json)
    elif fmt == "junit":
        ET.fromstring(out)
    elif fmt in ("graphml", "gexf"):
        import networkx as nx

        read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
        loaded = read(io.BytesIO(done.stdout))
        assert loaded.nodes["b"]["label"] == "B \u202e"  # the name is kept
    elif fmt == "dot":
        subprocess.run(["dot", "-Tsvg"], input=done.stdout, capture_output=True, check=True)
    elif fmt == "html":
        data = out.split('id="icmap-data">', 1)[1].split("</script>", 1)[0]
        assert "\u202e" in json.dumps(json.loads(data), ensure_ascii=False)  # names are kept


def _not_json(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")


def test_colour_still_works_with_the_safe_console(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", HOSTILE_ORG)
    done = _icmap("graph", str(org), "--color", "always")
    text = done.stdout.decode("utf-8")
    assert "\x1b[" in text  # rich's own styling
    assert "<U+202E>" in text
    assert "\u202e" not in text


def test_file_names_in_load_errors_are_shown_safely(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "bad\x1b[2J.yaml", "teams: [\n")
    result = runner.invoke(app, ["report", str(org)])
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert "bad\\x1b[2J.yaml:2:1: error: YAML syntax" in result.stderr


def test_usage_errors_show_paths_safely(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "missing\x1b[2J\u202e.yaml")])
    assert result.exit_code == 2
    assert "missing\\x1b[2J<U+202E>.yaml: no such file or directory" in result.stderr


def test_graphviz_pictures_past_the_limit_are_refused_quickly(
    runner: CliRunner, tmp_path: Path
) -> None:
    from icmap.render.picture import image

    teams = "".join(f"  t{i}: {{provides: [{{what: x, to: c}}]}}\n" for i in range(image.MAX_NODES))
    org = write(tmp_path, "org.yaml", "customers: {c: {}}\nteams:\n" + teams)
    result = runner.invoke(app, ["graph", str(org), "-o", str(tmp_path / "org.svg")])
    assert result.exit_code == 2
    assert "1,001 nodes are too many for Graphviz to draw as svg (at most 1,000)" in result.stderr
    assert not (tmp_path / "org.svg").exists()


def test_json_is_never_written_with_nan_or_infinity() -> None:
    """The loader keeps lead times finite; were one to slip through, the JSON writers refuse
    (``allow_nan=False``) instead of writing ``Infinity``, which is not JSON."""
    import dataclasses
    import math

    from icmap import build_graph, load_text
    from icmap.analysis.picture import whole_org
    from icmap.analysis.report import build_report
    from icmap.model import Duration
    from icmap.render.picture import node_link
    from icmap.render.report import json as report_json

    org = load_text(MINIMAL.replace("to: waiters}", "to: waiters, lead_time: 1d}"))
    broken = tuple(
        dataclasses.replace(r, lead_time=Duration(math.inf, "inf")) if r.lead_time else r
        for r in org.relations
    )
    graph = build_graph(dataclasses.replace(org, relations=broken))
    with pytest.raises(ValueError, match="not JSON compliant"):
        report_json.render(build_report(graph), graph)
    with pytest.raises(ValueError, match="not JSON compliant"):
        node_link.render(whole_org(graph))


def test_output_to_dev_stdout_appends_where_the_shell_appends(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    log = tmp_path / "log.txt"
    log.write_text("first line\n")
    with log.open("ab") as stream:
        done = _icmap("graph", str(org), "-f", "json", "-o", "/dev/stdout", stdout=stream.fileno())
    assert done.returncode == 0, done.stderr
    text = log.read_text()
    assert text.startswith("first line\n{")
    assert json.loads(text.split("\n", 1)[1])["nodes"]


def test_output_where_no_file_can_be_made_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", MINIMAL)
    result = runner.invoke(app, ["graph", str(org), "-f", "json", "-o", "/proc/no-such.json"])
    assert result.exit_code == 2
    assert result.stderr.startswith("icmap: error: cannot write /proc/no-such.json: ")


def test_stdout_appended_to_an_input_is_refused(tmp_path: Path) -> None:
    """``-o - >> org.yaml`` would write into what the command reads: refused as -o org.yaml is,
    and the org is left as it was; stdout into any other file works."""
    org = tmp_path / "org.yaml"
    org.write_bytes((EXAMPLES / "restaurant.yaml").read_bytes())
    before = org.read_bytes()
    for extra in ([], ["-o", "-"]):
        with org.open("ab") as appended:
            done = subprocess.run(
                [sys.executable, "-m", "icmap", "report", str(org), "-f", "json", *extra],
                stdout=appended,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        assert done.returncode == 2
        assert "stdout is a file this command reads (an input)" in done.stderr
        assert org.read_bytes() == before
    with (tmp_path / "report.json").open("wb") as elsewhere:
        done = subprocess.run(
            [sys.executable, "-m", "icmap", "report", str(org), "-f", "json"],
            stdout=elsewhere,
            check=False,
        )
    assert done.returncode == 0
    assert (tmp_path / "report.json").read_text(encoding="utf-8").startswith("{")


def test_an_output_that_is_the_source_is_refused_before_it_is_read(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The catalog warns (a dangling ref): refused first, nothing of it is printed.
    catalog = write(
        tmp_path,
        "c.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\n"
        "spec: {type: website, owner: team-a, dependsOn: [component:gone]}\n",
    )
    before = catalog.read_bytes()
    done = runner.invoke(
        app, ["report", "--from", "backstage", str(catalog), "-o", str(catalog), "-f", "json"]
    )
    assert done.exit_code == 2
    assert done.stderr == (
        f"icmap: error: {catalog} is an input of this command; icmap never overwrites its input\n"
    )
    assert catalog.read_bytes() == before
