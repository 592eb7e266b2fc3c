"""Writers that race or are stopped (issue 28, items 1 and 3), with real processes.

Two ``icmap import --update`` runs into one folder: one writes, the other is refused (exit 2,
naming who holds the folder) or runs after it; the org always loads and equals a sequential
result. SIGTERM and SIGHUP in the middle of an ``-o`` write clean up as Ctrl-C does.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate import backstage_catalog

from icmap.loader import load

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks and signals")

ROUNDS = 10
REFUSED = "is being written by another 'icmap import' (pid "


def _icmap(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "icmap", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(*args: str, cwd: Path) -> None:
    process = _icmap(*args, cwd=cwd)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _update(start: Path, into: Path, *catalogs: str) -> dict[str, bytes]:
    shutil.rmtree(into, ignore_errors=True)
    shutil.copytree(start, into)
    for catalog in catalogs:
        _run("import", "backstage", catalog, "-o", into.name, "--update", cwd=into.parent)
    return _snapshot(into)


def test_two_updates_racing_leave_one_sequential_result(tmp_path: Path) -> None:
    for seed, name in enumerate(("base", "one", "two")):
        backstage_catalog(300, tmp_path / f"catalog-{name}", seed=seed + 1)
    _run("import", "backstage", "catalog-base", "-o", "base", cwd=tmp_path)
    base, org = tmp_path / "base", tmp_path / "org"
    sequential = {
        "one": _update(base, org, "catalog-one"),
        "two": _update(base, org, "catalog-two"),
        "one, then two": _update(base, org, "catalog-one", "catalog-two"),
        "two, then one": _update(base, org, "catalog-two", "catalog-one"),
    }
    # An update replaces what the last import wrote: "one, then two" is "two" (kept fields aside).
    assert sequential["one"] != sequential["two"]
    refusals = 0
    for round_ in range(ROUNDS):
        shutil.rmtree(org)
        shutil.copytree(base, org)
        racers = [
            _icmap("import", "backstage", catalog, "-o", "org", "--update", cwd=tmp_path)
            for catalog in ("catalog-one", "catalog-two")
        ]
        ends = [(racer.communicate(timeout=120)[1], racer.returncode) for racer in racers]
        for err, code in ends:
            assert code in (0, 2), f"round {round_}: exit {code}\n{err}"
            if code == 2:
                assert REFUSED in err and "nothing was written" in err, err
                refusals += 1
        assert any(code == 0 for _, code in ends), f"round {round_}: both refused\n{ends}"
        load(org)  # loads without a finding that stops it
        result = _snapshot(org)
        matches = [name for name, files in sequential.items() if files == result]
        assert matches, f"round {round_}: the org is no sequential result"
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
        assert leftovers == [], f"round {round_}: {leftovers} left beside the org"
    assert refusals, "the two imports never overlapped: the race was not tested"


def test_a_held_lock_names_its_holder_and_a_dead_holder_frees_it(tmp_path: Path) -> None:
    backstage_catalog(40, tmp_path / "catalog", seed=3)
    _run("import", "backstage", "catalog", "-o", "org", cwd=tmp_path)
    before = _snapshot(tmp_path / "org")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from icmap.cli.lock import folder_lock\n"
            "with folder_lock(Path('org')):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        refused = _icmap("import", "backstage", "catalog", "-o", "org", "--update", cwd=tmp_path)
        _, err = refused.communicate(timeout=120)
        assert refused.returncode == 2
        assert f"icmap: error: org {REFUSED}{holder.pid}, since " in err
        assert _snapshot(tmp_path / "org") == before
    finally:
        holder.kill()  # no clean-up runs: the kernel releases the lock, the file stays
        holder.communicate()
    assert (tmp_path / ".org.icmap-lock").exists()
    _run("import", "backstage", "catalog", "-o", "org", "--update", cwd=tmp_path)
    assert not (tmp_path / ".org.icmap-lock").exists()


OUT = ("-o", "out.json")

#: Runs icmap with the ``-o`` write held open after its temporary file is made, so that the
#: signal arrives mid-write every time (a real write of this size takes milliseconds).
SLOW_WRITE = """
import sys, time
import icmap.output as output
existing_mode = output._existing_mode
def slow(path):
    print("writing", flush=True)
    time.sleep(60)
    return existing_mode(path)
output._existing_mode = slow
sys.argv = ["icmap", *sys.argv[1:]]
from icmap.cli import main
main()
"""


def _signals_as_a_shell_leaves_them() -> None:
    """In the child: the signals at their defaults. A test run under ``nohup`` or as a
    background job (a CI runner, say) starts with SIGHUP or SIGINT ignored, and icmap keeps a
    signal ignored at start ignored, as it should: the signal tests must not inherit that."""
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(
            number, signal.SIG_DFL if number != signal.SIGINT else signal.default_int_handler
        )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_an_output_write_leaves_no_temporary_file(
    tmp_path: Path, signum: int
) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "restaurant.yaml"
    (tmp_path / "out.json").write_text("earlier output\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, "graph", str(example), "-o", "out.json"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_signals_as_a_shell_leaves_them,  # noqa: PLW1509
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n"
    assert [p.name for p in tmp_path.glob(".out.json.*.tmp")], "no write under way"
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == "earlier output\n"


def test_a_signal_ignored_at_start_stays_ignored(tmp_path: Path) -> None:
    """``nohup icmap ...``: SIGHUP was ignored when icmap started, and icmap keeps ignoring it."""
    example = Path(__file__).resolve().parents[1] / "examples" / "restaurant.yaml"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE.replace("60", "2"), "graph", str(example), *OUT],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),  # noqa: PLW1509
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n"
    process.send_signal(signal.SIGHUP)
    time.sleep(0.2)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert (tmp_path / "out.json").stat().st_size > 0


UPDATE_TWO = ("import", "backstage", "catalog-two", "-o", "org", "--update")

#: Runs icmap with ``import --update`` held open once the updated copy is staged, before the
#: switch.
SLOW_SWITCH = """
import sys, time
import icmap.cli.import_cmd as import_cmd
switch = import_cmd._switch
def slow(new, old):
    print("staged", flush=True)
    time.sleep(60)
    switch(new, old)
import_cmd._switch = slow
sys.argv = ["icmap", *sys.argv[1:]]
from icmap.cli import main
main()
"""


def test_a_signal_during_an_update_leaves_the_org_as_it_was(tmp_path: Path) -> None:
    backstage_catalog(40, tmp_path / "catalog-one", seed=1)
    backstage_catalog(40, tmp_path / "catalog-two", seed=2)
    _run("import", "backstage", "catalog-one", "-o", "org", cwd=tmp_path)
    before = _snapshot(tmp_path / "org")
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_SWITCH, *UPDATE_TWO],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_signals_as_a_shell_leaves_them,  # noqa: PLW1509
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "staged\n"
    assert sorted(p.name for p in tmp_path.glob(".org*")) != []  # the copy and the lock
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert _snapshot(tmp_path / "org") == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_folder_in_a_read_only_parent_is_updated_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder mounted into a container: no copy or lock can be made beside it, so the lock
    is inside it and its files are replaced one by one."""
    from typer.testing import CliRunner

    import icmap.cli.import_cmd
    import icmap.cli.lock
    from icmap.cli import app

    backstage_catalog(40, tmp_path / "catalog-one", seed=1)
    backstage_catalog(40, tmp_path / "catalog-two", seed=2)
    _run("import", "backstage", "catalog-one", "-o", "org", cwd=tmp_path)
    _run("import", "backstage", "catalog-two", "-o", "expected", cwd=tmp_path)
    folder = (tmp_path / "org").stat().st_ino
    monkeypatch.setattr(icmap.cli.lock, "can_write_beside", lambda _folder: False)
    monkeypatch.setattr(icmap.cli.import_cmd, "can_write_beside", lambda _folder: False)
    assert icmap.cli.lock.lock_path(tmp_path / "org") == tmp_path / "org" / ".icmap-lock"
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(app, ["import", "backstage", "catalog-two", "-o", "org", "--update"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "org").stat().st_ino == folder
    assert sorted(_snapshot(tmp_path / "org")) == sorted(_snapshot(tmp_path / "expected"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
