"""The corpus of broken and hostile org files: each ends fast, small and with the right outcome.

Every case runs the real ``icmap`` in a child process under a memory limit, twice: ``graph``
(exit 0 for valid input, 2 with ``file:line:col`` otherwise) and ``check`` (exit 0/1; an invalid
file is a finding at its position). Nothing may be written but the requested output, and the
Python tags must not run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from icmap.safe_text import FORMULA_START
from test_markdown_mentions import live_mentions

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, object] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
#: Kills a child that hangs; not a speed limit (benchmarks/attacks.py measures speed).
HANG = 600.0
MEMORY = 500 * 1024 * 1024
PWNED = Path("/tmp/icmap-corpus-pwned")


def _limit_memory() -> None:
    # Address space, not resident memory: a blow-up fails fast instead of swapping.
    resource.setrlimit(resource.RLIMIT_AS, (2 * MEMORY, 2 * MEMORY))


def _run(args: list[str], cwd: Path) -> tuple[int, str, str, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "icmap", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limit_memory,  # noqa: PLW1509 -- the tests start no threads
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    try:
        out, err = process.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    # The largest resident size of any child so far: an upper bound for this one.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return process.returncode, out, err, peak


ORG = "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: c}]}\n"
SECRET = "https://user:ghp_s3cretT0kenValue@github.com\n"


def _big_name(path: Path) -> None:
    big = "N" * 2_000_000
    path.write_text(
        f"customers: {{c: {{name: {big}}}}}\nteams:\n  a: {{provides: [{{what: x, to: c}}]}}\n"
    )


def _symlink_loop(folder: Path) -> None:
    (folder / "sub").mkdir(parents=True)
    (folder / "org.yaml").write_text(ORG)
    (folder / "sub" / "again").symlink_to(folder, target_is_directory=True)


def _link_out(folder: Path) -> None:
    secret = folder.parent.parent / "git-credentials"
    secret.write_text(SECRET)
    folder.mkdir()
    (folder / "org.yaml").write_text(ORG)
    (folder / "creds.yaml").symlink_to(secret)


#: Cases made at test time: too big, or a FIFO, device or link that git cannot hold.
GENERATED: dict[str, Callable[[Path], None]] = {
    "big-name.yaml": _big_name,
    "symlink-loop": _symlink_loop,
    "deep-50k.yaml": lambda path: path.write_text("x-deep: " + "[" * 50_000 + "\n"),
    "deep-100k-closed.yaml": lambda path: path.write_text("[" * 100_000 + "]" * 100_000 + "\n"),
    "fifo.yaml": os.mkfifo,
    "dev-zero.yaml": lambda path: path.symlink_to("/dev/zero"),
    "link-out": _link_out,
}


def _materialise(name: str, tmp_path: Path) -> Path:
    """The case's path: a copy in tmp (so writes next to it would show), or a generated one."""
    target = tmp_path / name
    if name in GENERATED:
        GENERATED[name](target)
        return target
    source = CORPUS / "bad" / name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    return target


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_every_corpus_file_has_an_expectation() -> None:
    present = {p.name for p in (CORPUS / "bad").iterdir()}
    assert present | set(GENERATED) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_corpus_case(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    work = tmp_path / "work"
    work.mkdir()
    case = _materialise(name, work)
    before = _tree(work)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    PWNED.unlink(missing_ok=True)

    valid = expected == "valid" or (isinstance(expected, dict) and expected.get("valid") is True)
    secret = expected.get("secret") if isinstance(expected, dict) else None
    where = case / expected["file"] if isinstance(expected, dict) and "file" in expected else case
    code, _, err, peak = _run(
        ["graph", str(case), "-f", "json", "-o", str(out_dir / "g.json")], work
    )
    assert not secret or secret not in err
    assert peak < MEMORY, f"graph peaked at {peak / 2**20:.0f} MiB"
    assert "Traceback" not in err
    if valid:
        assert code == 0, err
        json.loads((out_dir / "g.json").read_text(encoding="utf-8"))
    else:
        assert isinstance(expected, dict)
        assert code == 2, err
        first = err.splitlines()[0]
        assert first.startswith(f"{where}:{expected['at']}: error: "), first
        assert first.endswith(f"[{expected['code']}]"), first
        assert not (out_dir / "g.json").exists()

    code, out, err, peak = _run(["check", str(case), "-f", "json"], work)
    assert peak < MEMORY
    assert "Traceback" not in err
    assert not secret or secret not in out + err
    findings = json.loads(out)["findings"]
    if valid:
        assert code in (0, 1), err
    else:
        assert isinstance(expected, dict)
        assert code == 1, err
        line, col = map(int, str(expected["at"]).split(":"))
        wanted = {"code": expected["code"], "line": line, "col": col, "file": str(where)}
        assert any(wanted.items() <= f.items() for f in findings), findings

    assert _tree(work) == before, "icmap wrote or changed something beside its output"
    assert sorted(p.name for p in out_dir.iterdir()) == (["g.json"] if valid else [])
    assert not PWNED.exists(), "a YAML tag ran code"
    if isinstance(expected, dict) and "inert" in expected:
        INERT[expected["inert"]](case, work)


def _markdown_is_inert(case: Path, work: Path) -> None:
    """Markdown meant for pull-request comments neither mentions nor links (issue 28, item 11)."""
    outputs = [
        ["report", str(case), "-f", "markdown"],
        ["diff", str(case), str(case), "-f", "markdown"],
        ["survey", str(case), "-f", "markdown"],
    ]
    for args in outputs:
        code, out, err, _ = _run(args, work)
        assert code == 0, err
        assert not live_mentions(out), (args, out)
    pages = work.parent / "pages"
    code, _, err, _ = _run(
        ["team", "--all", "--org", str(case), "-f", "markdown", "-o", str(pages)], work
    )
    assert code == 0, err
    for page in pages.glob("*.md"):
        assert not live_mentions(page.read_text(encoding="utf-8")), page


def _csv_is_inert(case: Path, work: Path) -> None:
    """No cell of the survey sheet starts as a formula would (issue 28, item 10); the survey
    page's own Save button is held to the same rule in tests/test_survey_page_browser.py."""
    code, out, err, _ = _run(["survey", str(case), "-f", "csv"], work)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert len(rows) > 1, out
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if re.match(FORMULA_START, cell)], out
    assert any(cell.startswith("'=") for cell in cells), out


#: Outputs that others open, checked for what each case's names would do there.
INERT: dict[str, Callable[[Path, Path], None]] = {
    "markdown": _markdown_is_inert,
    "csv": _csv_is_inert,
}
