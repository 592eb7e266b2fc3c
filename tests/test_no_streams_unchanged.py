"""An org that declares no value streams gets the outputs it always had, apart from the
mixed-cadence hint and the JSON's (empty) stream fields, and the report JSON's count of what
each chokepoint strands (its schema version 2).

The files under fixtures/streams/no-streams were written by icmap before streams reached the
report, team pages and diff. Regenerate them only when a change to these outputs is reviewed
and meant: ``ICMAP_UPDATE_GOLDEN=1 pytest tests/test_no_streams_unchanged.py`` writes what the
commands print now (the hint and stream fields taken out again).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from icmap.cli import app

GOLDEN = Path(__file__).parent / "fixtures" / "streams" / "no-streams"
PERT = "tests/fixtures/pert.yaml"
MIXED = "tests/fixtures/streams/mixed-cadence.yaml"
HINT = "this path mixes cadences:"
UPDATE = os.environ.get("ICMAP_UPDATE_GOLDEN") == "1"

CASES = {
    "pert.report.txt": ["report", PERT, "--color", "never"],
    "pert.report.md": ["report", PERT, "-f", "markdown"],
    "pert.report.json": ["report", PERT, "-f", "json"],
    "mixed-cadence.report.txt": ["report", MIXED, "--color", "never"],
    "mixed-cadence.report.md": ["report", MIXED, "-f", "markdown"],
    "mixed-cadence.report.json": ["report", MIXED, "-f", "json"],
    "pert.team-c.txt": ["team", "c", "--org", PERT, "--color", "never"],
    "pert.team-c.md": ["team", "c", "--org", PERT, "-f", "markdown"],
    "pert.team-c.json": ["team", "c", "--org", PERT, "-f", "json"],
    "mixed-cadence.team-shop.txt": ["team", "shop", "--org", MIXED, "--color", "never"],
    "pert-to-mixed-cadence.diff.txt": ["diff", PERT, MIXED, "--color", "never"],
    "pert-to-mixed-cadence.diff.md": ["diff", PERT, MIXED, "-f", "markdown"],
    "pert-to-mixed-cadence.diff.json": ["diff", PERT, MIXED, "-f", "json"],
}


#: What the hint adds, after which line, in the text outputs that have it.
_HINT_WORDS = (
    "this path mixes cadences: strategy → product takes 4w, 672 times as long as shop → "
    "warehouse (1h), so it may string together flows that no single piece of work travels; "
    "declare value streams to measure each flow on its own (docs/format.md#value-streams)"
)
ADDED = {
    "mixed-cadence.report.txt": (
        "  strategy → product → shop → warehouse → shoppers\n",
        "  note: this path mixes cadences: strategy → product takes 4w, 672 times as long as "
        "shop → warehouse\n  (1h), so it may string together flows that no single piece of work "
        "travels; declare value streams\n  to measure each flow on its own "
        "(docs/format.md#value-streams)\n",
    ),
    "mixed-cadence.report.md": (
        "| shoppers | 43.04d | strategy → product → shop → warehouse → shoppers |\n",
        f"\n- shoppers: {_HINT_WORDS}\n",
    ),
}


def _expected(name: str) -> str:
    golden = (GOLDEN / name).read_text(encoding="utf-8")
    if name not in ADDED:
        return golden
    after, block = ADDED[name]
    assert golden.count(after) == 1
    return golden.replace(after, after + block)


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_without_streams_is_unchanged(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the diff names its sides by the paths given
    result = CliRunner().invoke(app, CASES[name], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    printed = result.stdout
    if name.endswith(".json"):
        data = json.loads(printed)
        assert data.pop("streams") == []
        for side in ("provides", "receives") if "team" in name else ():
            for hand_off in data[side]:  # what an event log measured (--events): none here
                assert hand_off.pop("measured") is None
                assert hand_off.pop("declared_lead_time_hours") == hand_off["lead_time_hours"]
        if "report" in name:
            assert data["schema_version"] == 2
            data["schema_version"] = 1
            for point in data["chokepoints"]:
                assert point.pop("stranded") == len(point["dependents"])
            hints = data.pop("mixed_cadences")
            assert [h["customer"] for h in hints] == (["shoppers"] if "mixed" in name else [])
        printed = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif name in ADDED:
        assert HINT in printed
    if UPDATE:
        _, block = ADDED.get(name, ("", ""))
        (GOLDEN / name).write_text(printed.replace(block, "") if block else printed, "utf-8")
    assert printed == _expected(name)
