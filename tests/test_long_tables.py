"""Long tables in the terminal text (issue 29): the text shows the first rows and says how many
more there are; ``-f json`` and ``-f markdown`` keep every row (docs/performance.md).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS
from icmap.analysis.impact import impact
from icmap.analysis.report import build_report
from icmap.cli import app
from icmap.graph import build_graph
from icmap.loader import load
from icmap.render import rows
from icmap.render.impact import terminal as impact_text
from icmap.render.report import terminal as report_text
from icmap.render.rows import TERMINAL_ROWS
from icmap.render.text import to_plain_text

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


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_examples_text_is_what_it_was_without_the_cut(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No example has a table near the limit: its text must be exactly the uncut text.
    org = load(path)
    graph = build_graph(org)
    report = build_report(graph, date(2026, 1, 1), org)
    teams = sorted(team for team in org.teams if team in graph)
    cut = [to_plain_text(report_text.render(report))]
    cut += [
        to_plain_text(impact_text.render(impact(graph, [t]), down=True, up=True)) for t in teams
    ]
    monkeypatch.setattr(rows, "TERMINAL_ROWS", 10**9)
    whole = [to_plain_text(report_text.render(report))]
    whole += [
        to_plain_text(impact_text.render(impact(graph, [t]), down=True, up=True)) for t in teams
    ]
    assert cut == whole
    assert not any("more (all in" in text for text in cut)
