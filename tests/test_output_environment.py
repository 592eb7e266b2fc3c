"""The output environment (issue 28, items 2, 7, 8 and 9): a disk that fills mid-write, a stdout
that cannot encode the output, closed stdout or stderr, and readers that go away.

Every case runs the real ``icmap`` in a child process: each is about the process's own streams.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from conftest import MINIMAL, write

RESTAURANT = Path(__file__).parent.parent / "examples" / "restaurant.yaml"
ICMAP = [sys.executable, "-m", "icmap"]
ENV = {**os.environ, "NO_COLOR": "1"}
ENV.pop("PYTHONIOENCODING", None)


def big_org(folder: Path, teams: int = 300) -> Path:
    """A chain of ``teams`` teams with non-ASCII names: every output is tens of kilobytes."""
    lines = ["organisation: Größe → Lumière", "customers:", "  c: {name: Café}", "teams:"]
    for n in range(teams):
        to = "c" if n == 0 else f"t{n - 1}"
        lines += [
            f"  t{n}:",
            f"    name: Équipe {n} — über",
            f"    provides: [{{what: Plats {n}, to: {to}, lead_time: {n % 7 + 1}h}}]",
        ]
    return write(folder, "org.yaml", "\n".join(lines) + "\n")


def _id(value: object) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


def run(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    stdout: int | IO[bytes] = subprocess.PIPE,
    stderr: int | IO[bytes] = subprocess.PIPE,
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*ICMAP, *args], stdout=stdout, stderr=stderr, timeout=120, check=False, env=env or ENV
    )


def shell(script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``script`` run by sh, with ``$ICMAP`` the icmap command."""
    return subprocess.run(
        ["sh", "-c", script],
        capture_output=True,
        timeout=120,
        check=False,
        env={**(env or ENV), "ICMAP": shlex.join(ICMAP)},
    )


# --- item 2: a disk that fills mid-write ------------------------------------------------------

#: Run a command with stdout on a file that may not grow past LIMIT bytes (RLIMIT_FSIZE), with
#: SIGXFSZ ignored so that the write past it fails (EFBIG) instead of killing the process: a
#: full disk any user can make, which takes part of a write and refuses the rest.
LIMITED = """
import os, resource, signal, sys
limit, out = int(sys.argv[1]), sys.argv[2]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
os.dup2(fd, 1)
os.execv(sys.argv[3], sys.argv[3:])
"""

LIMIT = 4096


@pytest.mark.parametrize("unbuffered", ["1", ""], ids=["PYTHONUNBUFFERED=1", "buffered"])
@pytest.mark.parametrize(
    "command",
    [
        ["report", "{org}", "-f", "json"],
        ["report", "{org}", "-f", "markdown"],
        ["report", "{org}"],
        ["graph", "{org}"],
        ["graph", "{org}", "-f", "dot", "--all"],
        ["graph", "{org}", "-f", "json"],
        ["survey", "{org}"],
        ["check", "{org}", "-f", "json"],
        ["schema"],
    ],
    ids=" ".join,
)
def test_a_disk_that_fills_mid_write_is_exit_2(
    tmp_path: Path, command: list[str], unbuffered: str
) -> None:
    org = big_org(tmp_path)
    out = tmp_path / "out"
    env = {**ENV, "PYTHONUNBUFFERED": unbuffered}
    args = [part.format(org=org) for part in command]
    done = subprocess.run(
        [sys.executable, "-c", LIMITED, str(LIMIT), str(out), sys.executable, "-m", "icmap", *args],
        capture_output=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert out.stat().st_size == LIMIT  # the disk took what it could: the output was longer
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode().endswith("icmap: error: cannot write to stdout: File too large\n")


def test_a_full_tmpfs_is_exit_2(tmp_path: Path) -> None:
    """The attack as reported: stdout on a 64 KiB tmpfs (where mounting is allowed)."""
    mount = tmp_path / "full"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        org = big_org(tmp_path, teams=1500)
        with (mount / "o").open("wb") as out:
            done = run(["graph", str(org), "-f", "json"], stdout=out, stderr=subprocess.PIPE)
        assert done.returncode == 2
        assert done.stderr.decode().endswith(
            "icmap: error: cannot write to stdout: No space left on device\n"
        )
    finally:
        subprocess.run(["umount", str(mount)], check=False)


# --- item 7: a stdout that cannot encode the output -------------------------------------------

TEXT_COMMANDS = [
    (["graph", "{org}"], 0),
    (["graph", "{org}", "--group", "Back of house"], 0),
    (["report", "{org}"], 0),
    (["report", "{org}", "-f", "markdown"], 0),
    (["impact", "kitchen", "--org", "{org}"], 0),
    (["team", "kitchen", "--org", "{org}"], 0),
    (["team", "kitchen", "--org", "{org}", "-f", "markdown"], 0),
    (["check", "{org}"], 0),
    (["diff", "{org}", "{other}"], 0),
    (["diff", "{org}", "{other}", "-f", "markdown"], 0),
    (["survey", "{org}", "-f", "markdown"], 0),
]


def _other(tmp_path: Path) -> Path:
    text = RESTAURANT.read_text(encoding="utf-8").replace("Bistro Lumière", "Bistro Lumière → 2")
    return write(tmp_path, "other.yaml", text.replace("lead_time: 5m", "lead_time: 50m"))


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize(("command", "code"), TEXT_COMMANDS, ids=_id)
def test_every_command_prints_in_an_encoding_that_cannot_take_its_symbols(
    tmp_path: Path, command: list[str], code: int, encoding: str
) -> None:
    args = [part.format(org=RESTAURANT, other=_other(tmp_path)) for part in command]
    done = run(args, env={**ENV, "PYTHONIOENCODING": encoding})
    assert done.returncode == code, done.stderr
    assert b"internal error" not in done.stderr
    shown = done.stdout.decode(encoding)  # every byte in the stream's own encoding
    assert shown.strip()
    assert "\u2192" not in shown
    if command[0] in {"graph", "report", "impact", "team"} and "markdown" not in command:
        assert "->" in shown or "|" in shown or "+" in shown  # arrows, bars and lines in ASCII
    if command[0] in {"graph", "report"}:  # they show the organisation's name
        # letters the encoding has are kept; accented letters it lacks lose the accent
        assert ("Lumière" if encoding == "latin-1" else "Lumiere") in shown


@pytest.mark.parametrize(
    ("text", "encoding", "shown"),
    [
        ("kitchen → diners ⇄ pastry", "ascii", "kitchen -> diners <-> pastry"),
        ("├── a\n│   └── b ━━ █…", "ascii", "+-- a\n|   `-- b -- #..."),
        ("Lumière Größe Øresund", "ascii", "Lumiere Grosse Oresund"),
        ("Lumière → Größe", "latin-1", "Lumière -> Größe"),
        ("½ 中 😀", "ascii", "\\u00bd \\u4e2d \\U0001f600"),
        ("wait-staff → diners", "cp1252", "wait-staff -> diners"),
    ],
)
def test_the_fallback_for_what_an_encoding_cannot_take(
    text: str, encoding: str, shown: str
) -> None:
    from icmap.cli.streams import FALLBACK

    assert text.encode(encoding, FALLBACK).decode(encoding) == shown


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_diagnostics_on_stderr_fall_back_too(tmp_path: Path, encoding: str) -> None:
    org = write(
        tmp_path, "org.yaml", "customers: {c: {}}\nteams:\n  é: {provides: [{what: x, to: nó}]}\n"
    )
    done = run(["graph", str(org)], env={**ENV, "PYTHONIOENCODING": encoding})
    assert done.returncode == 2
    assert b"internal error" not in done.stderr
    assert "IC101" in done.stderr.decode(encoding)


@pytest.mark.parametrize(
    "command",
    [
        ["graph", "{org}", "-f", "json"],
        ["report", "{org}", "-f", "json"],
        ["check", "{org}", "-f", "sarif"],
        ["check", "{org}", "-f", "github"],
        ["graph", "{org}", "-f", "mermaid"],
    ],
    ids=" ".join,
)
def test_machine_formats_stay_utf8_whatever_the_encoding(
    tmp_path: Path, command: list[str]
) -> None:
    args = [part.format(org=RESTAURANT) for part in command]
    plain = run(args)
    ascii_stdout = run(args, env={**ENV, "PYTHONIOENCODING": "ascii"})
    assert ascii_stdout.returncode == plain.returncode == 0, ascii_stdout.stderr
    assert ascii_stdout.stdout == plain.stdout
    assert "\u2192" in ascii_stdout.stdout.decode("utf-8") or "Lumière" in plain.stdout.decode()


# --- item 8: closed stdout and stderr ---------------------------------------------------------


def test_closed_stdout_with_o_writes_the_file_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    done = shell(f"$ICMAP graph {shlex.quote(str(RESTAURANT))} -f json -o {out} >&-")
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["nodes"]
    assert done.stderr.decode() == f"wrote {out}\n"


@pytest.mark.parametrize(
    "command",
    [["graph"], ["report", "-f", "json"], ["check"], ["survey"], ["impact", "kitchen"]],
    ids=" ".join,
)
def test_closed_stdout_as_the_destination_is_exit_2(command: list[str]) -> None:
    args = [*command, "--org", str(RESTAURANT)]
    done = shell(f"$ICMAP {shlex.join(args)} >&-")
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode() == "icmap: error: cannot write to stdout: it is closed\n"


def test_closed_stdout_or_stderr_named_by_o_is_exit_2() -> None:
    """``-o /dev/stdout`` with stdout closed: the destination is missing, as without ``-o``."""
    done = shell(f"$ICMAP graph {RESTAURANT} -f json -o /dev/stdout >&-")
    assert done.returncode == 2
    assert done.stderr.decode() == "icmap: error: cannot write /dev/stdout: it is closed\n"
    done = shell(f"$ICMAP graph {RESTAURANT} -f json -o /dev/stderr 2>&-")
    assert (done.returncode, done.stdout) == (2, b"")


@pytest.mark.parametrize("args", [["--version"], ["graph", "--help"], ["--help"]], ids=_id)
def test_version_and_help_on_a_closed_or_full_stdout_are_one_line_exit_2(args: list[str]) -> None:
    done = shell(f"$ICMAP {shlex.join(args)} >&-")
    assert done.returncode == 2
    assert done.stderr.decode() == "icmap: error: cannot write to stdout: it is closed\n"
    done = shell(f"$ICMAP {shlex.join(args)} >/dev/full")
    assert done.returncode == 2
    assert done.stderr.decode() == "icmap: error: cannot write to stdout: No space left on device\n"


def test_closed_stderr_keeps_diagnostics_out_of_stdout(tmp_path: Path) -> None:
    """The note about a whole-org picture and every other diagnostic are dropped, never put
    into stdout: the JSON there parses."""
    org = big_org(tmp_path, teams=60)
    done = shell(f"$ICMAP graph {org} -f json --all 2>&-")
    assert done.returncode == 0
    assert json.loads(done.stdout)["nodes"]
    written = tmp_path / "o.json"
    done = shell(f"$ICMAP graph {org} -f json -o {written} 2>&-")
    assert (done.returncode, done.stdout) == (0, b"")
    assert json.loads(written.read_text(encoding="utf-8"))["nodes"]


def test_closed_stderr_an_error_still_exits_2_and_says_nothing_on_stdout(tmp_path: Path) -> None:
    broken = write(
        tmp_path, "org.yaml", "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: b}]}\n"
    )
    for script in (f"$ICMAP graph {broken} 2>&-", f"$ICMAP graph {tmp_path / 'none.yaml'} 2>&-"):
        done = shell(script)
        assert (done.returncode, done.stdout) == (2, b""), script


def test_both_streams_closed(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert shell(f"$ICMAP graph {RESTAURANT} -f json -o {out} >&- 2>&-").returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["nodes"]
    assert shell(f"$ICMAP graph {RESTAURANT} >&- 2>&-").returncode == 2


# --- item 9: exit codes when a reader goes away or stderr fails -------------------------------


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (["graph", "{org}"], 0),
        (["graph", "{org}", "-f", "json"], 0),
        (["report", "{org}", "-f", "markdown"], 0),
        (["survey", "{org}"], 0),
        (["check", "{org}", "-f", "json", "--fail-on", "info"], None),
        (["check", "{org}", "--fail-on", "info"], None),
        (["check", "{ok}"], 0),
    ],
    ids=_id,
)
def test_a_reader_that_goes_away_leaves_the_command_its_own_exit_code(
    tmp_path: Path, command: list[str], code: int | None
) -> None:
    """``icmap … | head -1``: quiet, and the exit code is the one a full read gives."""
    org = big_org(tmp_path)  # pages of output, and findings for check --fail-on info
    ok = write(tmp_path, "ok.yaml", MINIMAL)
    args = [part.format(org=org, ok=ok) for part in command]
    if code is None:
        code = run(args).returncode
        assert code == 1
    done = shell(f"set -e; $ICMAP {shlex.join(args)} | head -c 10 >/dev/null; echo done >&2")
    # sh has no pipefail everywhere: ask for the exit code from a closed pipe directly too
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        closed = run(args, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert done.returncode == 0
    assert closed.returncode == code
    assert b"error" not in closed.stderr
    process = subprocess.Popen(
        [*ICMAP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    assert b"error" not in process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == code


@pytest.mark.parametrize("stderr", ["closed pipe", "/dev/full"])
@pytest.mark.parametrize(
    ("command", "code"),
    [
        (["check", "{org}", "--fail-on", "info"], 1),  # findings: 1, as with a working stderr
        (["graph", "{org}", "-f", "json", "-o", "{out}"], 0),  # "wrote FILE" lost, file written
        (["graph", "{missing}"], 2),  # the error lost, its exit code kept
        (["graph", "{broken}"], 2),
    ],
    ids=_id,
)
def test_a_failing_stderr_never_changes_the_exit_code(
    tmp_path: Path, command: list[str], code: int, stderr: str
) -> None:
    names = {
        "org": big_org(tmp_path, teams=40),
        "out": tmp_path / "out.json",
        "missing": tmp_path / "missing.yaml",
        "broken": write(
            tmp_path, "b.yaml", "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: b}]}\n"
        ),
    }
    args = [part.format(**names) for part in command]
    if stderr == "/dev/full":
        with Path("/dev/full").open("wb") as full:
            done = run(args, stdout=subprocess.PIPE, stderr=full)
    else:
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            done = run(args, stdout=subprocess.PIPE, stderr=write_end)
        finally:
            os.close(write_end)
    assert done.returncode == code
    if "-o" in command:
        assert json.loads(names["out"].read_text(encoding="utf-8"))["nodes"]
        assert done.stdout == b""
