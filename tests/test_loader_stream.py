"""Reading org files entry by entry, and large folders in parallel, changes nothing read.

The loader composes one team at a time (:meth:`FileReader.read_stream`) so a 100k-team file
never exists as one tree; :meth:`FileReader.read` of the whole tree is the reference.
"""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

import icmap.loader as loader_module
from conftest import EXAMPLES, load_failure, write
from icmap.diagnostics import Diagnostic
from icmap.loader import compose as compose_module
from icmap.loader import load, load_text
from icmap.loader.reader import FileReader, RawFile
from icmap.loader.source import parse_text, stream_text

CORPUS = Path(__file__).parent / "corpus" / "bad"
BUDGET = 100_000


def _whole(text: str) -> tuple[RawFile, list[Diagnostic]]:
    parsed = parse_text(text, "org.yaml")
    reader = FileReader("org.yaml", budget=len(text) + BUDGET)
    raw = reader.read(parsed.root)
    return raw, sorted([*parsed.diagnostics, *reader.diagnostics])


def _streamed(text: str) -> tuple[RawFile, list[Diagnostic]]:
    raw, diagnostics = stream_text(text, FileReader("org.yaml", budget=len(text) + BUDGET))
    return raw, sorted(diagnostics)


def _texts() -> list[tuple[str, str]]:
    files = [*EXAMPLES.rglob("*.yaml"), *CORPUS.rglob("*.yaml")]
    found = []
    for file in sorted(files):
        try:
            found.append((file.name, file.read_bytes().decode("utf-8-sig")))
        except UnicodeDecodeError:
            continue  # refused before any YAML is read
    return found


@pytest.mark.parametrize(("name", "text"), _texts(), ids=[name for name, _ in _texts()])
def test_every_example_and_corpus_file_reads_the_same_streamed(name: str, text: str) -> None:
    assert _streamed(text) == _whole(text)


CASES = {
    "merge into a section": (
        "x-base: &base {b: {provides: [{what: w, to: c}]}}\n"
        "customers: {c: {}}\n"
        "teams:\n  <<: *base\n  a: {provides: [{what: v, to: c}]}\n"
    ),
    "explicit team overrides a merged one": (
        "x-base: &base {a: {name: Merged}}\n"
        "customers: {c: {}}\n"
        "teams:\n  a: {name: Mine, provides: [{what: v, to: c}]}\n  <<: *base\n"
    ),
    "merge of a list reports each item": (
        "x-list: &l [1, 2]\ncustomers: {c: {}}\n"
        "teams:\n  a: {provides: [{what: v, to: nobody}]}\n  <<: *l\n"
    ),
    "recursive merge drops the section": (
        "customers: {c: {}}\nteams: &t\n  a: {provides: [{what: v, to: c}]}\n  <<: *t\n"
    ),
    "merge at the top level": (
        "x-top: &top {customers: {c: {}}}\n<<: *top\nteams: {a: {provides: [{what: v, to: c}]}}\n"
    ),
    "anchored section aliased later": (
        "customers: &c {c: {}}\nteams: {a: {provides: [{what: v, to: c}]}}\nx-again: *c\n"
    ),
    "duplicate team ids": (
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: v, to: c}]}\n  a: {}\n"
    ),
    "duplicate sections": "customers: {c: {}}\ncustomers: {d: {}}\nteams: {a: {}}\n",
    "tagged section": "customers: !!map {c: {}}\nteams: !custom {a: {}}\n",
    "section that is a list": "customers: [c]\nteams: {a: {}}\n",
    "misspelt section": "customers: {c: {}}\nteems: {a: {}}\nteams: {b: {}}\n",
    "non-text team id": "customers: {c: {}}\nteams: {[1, 2]: {}, null: {}, a: {}}\n",
    "syntax error after some teams": (
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: v, to: c}]}\n  b: [unclosed\n"
    ),
    "two documents": "customers: {c: {}}\n---\nteams: {a: {}}\n",
    "empty document": "---\n...\n",
    "anchored root": "&root\ncustomers: {c: {}}\nteams: {a: {}}\n",
    "alias of a team body": (
        "customers: {c: {}}\nteams:\n  a: &body {provides: [{what: v, to: c}]}\n  b: *body\n"
    ),
    "undefined alias": "customers: {c: {}}\nteams: {a: *nowhere}\n",
    "failed merge at the top level drops what was read": (
        "customers: {c: {}}\nteams: w\nx-a: &a\n  <<: *a\n<<: *a\n"
    ),
    "failed merge keeps the merge's other problems": (
        "x-s: &s w\nx-r: &r {<<: *r}\ncustomers: {c: {}}\nteams:\n  a: {nmae: 1}\n  <<: [*s, *r]\n"
    ),
    "failed merge reported once": "x-r: &r {<<: *r}\n<<: *r\nteams: *r\n",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_odd_shapes_read_the_same_streamed(text: str) -> None:
    assert _streamed(text) == _whole(text)


def test_limits_apply_to_streamed_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compose_module, "MAX_ENTRIES", 3)
    teams = "".join(f"  t{n}: {{}}\n" for n in range(5))
    text = f"customers: {{c: {{}}}}\nteams:\n{teams}"
    raw, diagnostics = _streamed(text)
    assert raw.parties == []
    assert [(d.code, d.line, d.col) for d in diagnostics] == [("IC009", 6, 3)]
    assert _whole(text)[1] == diagnostics


def test_limits_apply_to_a_section_after_the_budget_is_spent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compose_module, "MAX_ENTRIES", 2)
    text = "teams:\n  a: {}\n  b: {}\n  c: {}\n"
    # A budget of one node: the root spends it, so the section is skipped unread.
    _, diagnostics = stream_text(text, FileReader("org.yaml", budget=1))
    assert [(d.code, d.line, d.col, d.message) for d in diagnostics] == [
        ("IC009", 4, 3, "more than 2 entries in one mapping or list")
    ]
    parsed = parse_text(text, "org.yaml")
    assert list(parsed.diagnostics) == diagnostics


def test_nesting_depth_counts_the_collections_around_a_team(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compose_module, "MAX_DEPTH", 4)
    # root, teams, a, provides: the entry's mapping is the fifth level.
    text = "customers: {c: {}}\nteams:\n  a:\n    provides:\n      - {what: v, to: c}\n"
    _, diagnostics = _streamed(text)
    assert [(d.code, d.line, d.col) for d in diagnostics] == [("IC009", 5, 9)]
    assert _whole(text)[1] == diagnostics


def test_a_big_file_is_never_held_as_one_tree() -> None:
    teams = "".join(
        f"  t{n:04}:\n    name: Team {n}\n    provides:\n"
        f"      - {{what: part {n}, to: {'c' if n == 0 else f't{n - 1:04}'}, lead_time: 2d}}\n"
        for n in range(2000)
    )
    text = f"customers:\n  c: {{}}\nteams:\n{teams}"
    peaks = []
    for read in (_whole, _streamed):
        # Once unmeasured first: growing the table of interned strings (large after the fuzz
        # tests) would otherwise count as the read's peak. The least of three peaks: a table
        # of the interpreter's growing during one (after other tests) is no part of the read.
        read(text)
        measured = []
        for _ in range(3):
            tracemalloc.start()
            read(text)
            measured.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        peaks.append(min(measured))
    whole, streamed = peaks
    assert streamed < whole / 2
    assert len(load_text(text).teams) == 2000


def test_a_large_folder_read_in_parallel_gives_the_same_org(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serial = load(EXAMPLES / "northwind")
    monkeypatch.setattr(loader_module, "PARALLEL_FILES", 2)
    monkeypatch.setattr(loader_module, "_idle_cores", lambda: 2)
    monkeypatch.setattr(loader_module, "_CHUNK", 3)
    assert load(EXAMPLES / "northwind") == serial


def test_a_large_folder_read_in_parallel_reports_the_same_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "org.yaml", "customers: {c: {}}\n")
    for n in range(6):
        body = f"teams:\n  t{n}: {{provides: [{{what: w, to: c{n}, lead_time: {n}x}}]}}\n"
        write(tmp_path, f"teams/t{n}.yaml", body)
    write(tmp_path, "teams/broken.yaml", "teams: [unclosed\n")
    serial = load_failure(tmp_path)
    monkeypatch.setattr(loader_module, "PARALLEL_FILES", 2)
    monkeypatch.setattr(loader_module, "_idle_cores", lambda: 2)
    monkeypatch.setattr(loader_module, "_CHUNK", 2)
    assert load_failure(tmp_path) == serial
    assert {d.code for d in serial} == {"IC002", "IC007"}


def test_a_large_folder_is_read_in_one_process_when_no_core_is_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import concurrent.futures

    serial = load(EXAMPLES / "northwind")

    class NoPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("started worker processes on a busy machine")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", NoPool)
    monkeypatch.setattr(loader_module, "PARALLEL_FILES", 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (64.0, 64.0, 64.0))
    assert load(EXAMPLES / "northwind") == serial


_MAIN = os.getpid()
_READ_FILE = loader_module._read_file


def _killed_in_workers(file: Path, display: str) -> tuple[RawFile, list[Diagnostic]]:
    if os.getpid() != _MAIN and file.name == "qa.yaml":
        os._exit(9)  # as the kernel's out-of-memory killer would end it
    return _READ_FILE(file, display)


def test_a_worker_that_dies_leaves_its_files_to_the_main_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serial = load(EXAMPLES / "northwind")
    monkeypatch.setattr(loader_module, "_read_file", _killed_in_workers)
    monkeypatch.setattr(loader_module, "PARALLEL_FILES", 2)
    monkeypatch.setattr(loader_module, "_idle_cores", lambda: 2)
    monkeypatch.setattr(loader_module, "_CHUNK", 3)
    assert load(EXAMPLES / "northwind") == serial
