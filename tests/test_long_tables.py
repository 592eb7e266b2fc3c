"""Long tables in the terminal text (issue 29): the text shows the first rows and says how many
more there are; ``-f json`` and ``-f markdown`` keep every row (docs/performance.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from icmap.cli import app
from icmap.render.rows import TERMINAL_ROWS

#: More front-line teams than the text shows, all fed by one hub.
WIDE = 150


@pytest.fixture
def org(tmp_path: Path) -> Path:
    """``hub`` provides to WIDE teams, each of which hands its work to the customer."""
    names = [f"t{i:03}" for i in range(WIDE)]
    lines = ["customers: {diners: {}}", "teams:"]
    lines.append(
        "  hub: {provides: [" + ", ".join(f"{{what: parts, to: {n}}}" for n in names) + "]}"
    )
    lines += [f"  {n}: {{provides: [{{what: meals, to: diners}}]}}" for n in names]
    path = tmp_path / "org.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _section(text: str, heading: str) -> list[str]:
    """The lines under ``heading`` up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_impact_text_shows_the_first_rows_and_counts_the_rest(org: Path) -> None:
    text = _invoke("impact", "hub", "--org", str(org))
    assert text.startswith(f"hub: {WIDE} teams downstream")
    header, *rows, tail = _section(text, "Downstream (depends on its output)")
    assert header.split() == ["team", "hops", "first", "hand-off", "chain"]
    assert [row.split()[0] for row in rows] == [f"t{i:03}" for i in range(TERMINAL_ROWS)]
    assert tail == f"… and {WIDE - TERMINAL_ROWS} more (all in -f json or -f markdown)"


def test_impact_json_and_markdown_keep_every_row(org: Path, tmp_path: Path) -> None:
    data = json.loads(_invoke("impact", "hub", "--org", str(org), "-f", "json"))
    assert [hit["team"] for hit in data["downstream"]] == [f"t{i:03}" for i in range(WIDE)]
    markdown = _invoke("impact", "hub", "--org", str(org), "-f", "markdown")
    assert all(f"t{i:03}" in markdown for i in range(WIDE))
    assert "more (all in" not in markdown


def test_report_front_line_shows_the_first_rows_and_counts_the_rest(org: Path) -> None:
    text = _invoke("report", str(org))
    header, *rows, tail = _section(text, "Front line (one hand-off from an external customer)")
    assert header.split() == ["team", "serves"]
    assert rows == [f"t{i:03}  diners" for i in range(TERMINAL_ROWS)]
    assert tail == f"… and {WIDE - TERMINAL_ROWS} more (all in -f json or -f markdown)"
    data = json.loads(_invoke("report", str(org), "-f", "json"))
    assert len(data["front_line"]) == WIDE


def test_a_table_at_the_limit_is_shown_whole(tmp_path: Path) -> None:
    names = [f"t{i:03}" for i in range(TERMINAL_ROWS)]
    lines = ["customers: {diners: {}}", "teams:"]
    lines += [f"  {n}: {{provides: [{{what: meals, to: diners}}]}}" for n in names]
    path = tmp_path / "org.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = _invoke("report", str(path))
    _, *rows = _section(text, "Front line (one hand-off from an external customer)")
    assert len(rows) == TERMINAL_ROWS
    assert "more (all in" not in text
