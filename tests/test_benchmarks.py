"""The benchmark scripts still run: a tiny size of each that finishes in seconds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def test_folders_benchmark_prints_a_row_per_size() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "folders.py"), "--sizes", "40", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| 40 |")]
    assert len(rows) == 1
    assert len(rows[0].split("|")) == 8  # teams, three timings, the ratio, the peaks


def test_page_benchmark_draws_and_clicks_a_tiny_org(tmp_path: Path) -> None:
    from test_html_browser import MISSING

    if MISSING:
        pytest.skip(f"the page benchmark needs {', '.join(MISSING)}")
    rows_file = tmp_path / "rows.json"
    command = [sys.executable, str(BENCHMARKS / "page.py"), "--sizes", "20", "--runs", "1"]
    done = subprocess.run(
        [*command, "--json", str(rows_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(rows_file.read_text(encoding="utf-8"))
    assert [row["page"] for row in rows] == ["20 teams", "20 teams --all"]
    for row in rows:
        assert row["not_drawn"] == 0 and row["drawn_ms"] > 0 and row["click_ms"] > 0
        assert row["nodes"] > 20 and row["bytes"] > 1_000_000  # the engine is inlined


def test_diff_pair_changes_a_generated_org_as_a_pull_request_would(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from icmap.cli import app

    base, head = tmp_path / "org.yaml", tmp_path / "org-new.yaml"
    for script, args in (
        ("generate.py", ["4000", "-o", str(base)]),
        ("diff_pair.py", [str(base), "-o", str(head)]),
    ):
        done = subprocess.run(
            [sys.executable, str(BENCHMARKS / script), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    result = CliRunner().invoke(app, ["diff", str(base), str(head), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["added"]["team"]) == len(data["removed"]["team"]) == 2
    assert data["relations"]["changed"]
