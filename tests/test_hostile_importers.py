"""Hostile input to the importers and the survey reader (issue 28, items 4 to 6).

Each case ends in a finding with its position or a short usage error, exit 2 where nothing can
be read, never in "internal error"; the importers keep the loader's limits (docs/robustness.md
#limits). The command-line cases run the real ``icmap`` in a child, under the memory limit of
tests/test_hostile_input.py; the limits are proved in-process at small values.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import write
from icmap.importers import read_source
from test_hostile_input import icmap

CORPUS = Path(__file__).parent / "corpus" / "importers"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
#: A header cell past csv's own field limit of 131,072 characters.
LONG = "x" * 140_000


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_the_importer_corpus_ends_in_findings_at_their_positions(case: str) -> None:
    expected = EXPECTED[case]
    path = CORPUS / case
    code, out, err = icmap("check", "--from", expected["format"], str(path))
    err += out
    assert "internal error" not in err
    for finding in expected["findings"]:
        ic, at = finding.split()
        shown = rf"{re.escape(str(path))}[^:\s]*:{at}: \w+: [^\n]*\[{ic}\b"
        assert re.search(shown, err), (finding, err)
    assert code in (0, 1)


def test_the_corpus_lists_every_case() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.iterdir() if p.name != "expected.yaml")


# --- item 4: a header past csv's field limit, an absolute glob, a giant revision --------------


def test_a_csv_header_past_the_field_limit_is_a_finding(tmp_path: Path) -> None:
    table = write(tmp_path, "long-header.csv", f"{LONG},provider,receiver,what\na,b,c,d\n")
    code, _, err = icmap("graph", "--from", "csv", str(table), "-f", "json")
    assert code == 2
    assert f"{table}:1:1: error: CSV syntax: field larger than field limit" in err
    assert "internal error" not in err


def test_a_survey_header_past_the_field_limit_is_a_finding(tmp_path: Path) -> None:
    org = write(
        tmp_path, "org.yaml", "customers: {c: {}}\nteams: {a: {provides: [{what: w, to: c}]}}\n"
    )
    survey = write(tmp_path, "2026-q3.csv", f"receiver,provider,what,{LONG}\nc,a,w,4\n")
    code, _, err = icmap("report", str(org), "--survey", str(survey))
    assert code == 2
    assert f"{survey}:1:1: error: CSV syntax: field larger than field limit" in err
    assert "internal error" not in err


def test_an_absolute_glob_location_target_is_outside_the_catalog(tmp_path: Path) -> None:
    catalog = write(
        tmp_path,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: x}\n"
        "spec: {targets: [/etc/*, 'C:\\Windows\\*', /etc/passwd]}\n",
    )
    result = read_source("backstage", [catalog])
    outside = [(d.line, d.col) for d in result.diagnostics if d.code == "IC615"]
    assert outside == [(4, 18), (4, 26), (4, 42)]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_giant_git_revision_is_a_short_usage_error(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path, "org.yaml", "customers: {c: {}}\nteams: {a: {provides: [{what: w, to: c}]}}\n")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.email=t@e", "-c", "user.name=T", "commit", "-qm", "x"],
        cwd=tmp_path,
        check=True,
    )
    code, _, err = icmap("diff", "--git", "a" * 131_065, "org.yaml", cwd=tmp_path)
    assert code == 2
    assert "a revision of 131,065 characters is not one (at most 1,000)" in err
    assert "internal error" not in err and len(err) < 300, err


# --- item 5: tags ----------------------------------------------------------------------------


def test_tags_inside_aliases_are_reported_once_and_cost_nothing(tmp_path: Path) -> None:
    laughs = "a: &a [!vault x, !vault x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20)
    )
    catalog = write(
        tmp_path,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g\n"
        "  annotations:\n"
        + "".join(f"    {line}\n" for line in laughs.splitlines())
        + "spec: {type: team}\n",
    )
    result = read_source("backstage", [catalog])
    assert [(d.code, d.line) for d in result.diagnostics if d.code == "IC003"] == [
        ("IC003", 6),
        ("IC003", 6),
    ]


# --- item 6: limits --------------------------------------------------------------------------


def test_findings_of_one_code_are_capped_with_a_count(tmp_path: Path) -> None:
    rows = "".join(f"t{n},c,w{n},{n}x\n" for n in range(250))
    table = write(tmp_path, "h.csv", "provider,receiver,what,lead_time\n" + rows)
    result = read_source("csv", [table])
    invalid = [d for d in result.diagnostics if d.code == "IC007"]
    assert len(invalid) == 101
    assert invalid[-1].message == "…and 150 more IC007 (invalid-value) problems in this file"


def test_rows_past_the_limit_are_refused_at_the_first_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("icmap.loader.spreadsheet.MAX_ROWS", 5)
    rows = "".join(f"t{n},c,w{n}\n" for n in range(8))
    table = write(tmp_path, "h.csv", "provider,receiver,what\n\n" + rows)
    result = read_source("csv", [table])
    assert result.org is None
    [limit] = [d for d in result.diagnostics if d.code == "IC009"]
    assert (limit.line, limit.col, limit.severity) == (8, 1, "error")
    assert limit.message == "more than 5 rows: this row and the rest are not read"


def test_entities_past_the_limit_are_refused_at_the_first_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("icmap.importers.backstage.MAX_ENTITIES", 3)
    group = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: g{}}}\nspec: {{type: team}}\n"
    write(tmp_path, "a.yaml", "---\n".join(group.format(n) for n in range(2)))
    write(tmp_path, "b.yaml", "---\n".join(group.format(n) for n in range(2, 5)))
    result = read_source("backstage", [tmp_path])
    assert result.org is None
    [limit] = [d for d in result.diagnostics if d.code == "IC009"]
    assert (Path(limit.file).name, limit.line, limit.severity) == ("b.yaml", 6, "error")
    assert limit.message == "more than 3 entities: this one and the rest are not read"


def test_catalog_json_on_stdin_is_read_up_to_the_file_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("icmap.importers.backstage.MAX_FILE_BYTES", 10)
    monkeypatch.setattr("sys.stdin", io.StringIO("[" + " " * 100 + "]"))
    result = read_source("backstage", [Path("-")])
    assert [(d.code, d.line, d.col) for d in result.diagnostics] == [("IC009", 1, 1)]
    assert "stdin holds over 10 bytes" in result.diagnostics[0].message


def test_cml_files_are_read_with_the_loader_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("icmap.loader.source.MAX_FILE_BYTES", 10)
    cml = write(tmp_path, "map.cml", "ContextMap M { contains A }\n")
    result = read_source("cml", [cml])
    assert [(d.code, d.line) for d in result.diagnostics if d.code == "IC009"] == [("IC009", 1)]
