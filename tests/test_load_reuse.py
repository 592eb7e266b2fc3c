"""Reading a second version of an org from the first one's unchanged parties (``icmap diff``).

Each case reads the head twice, in full and taking the base's parties as read, and asserts the
two orgs are equal (positions included), or fail with the same problems.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap.cli import app
from icmap.errors import LoadError
from icmap.loader import load
from icmap.loader.reuse import Entries

BASE = """\
customers: {shop: {}}
suppliers: {mill: {provides: [{what: flour, to: bakery, lead_time: 1d}]}}
teams:
  bakery: {provides: [{what: bread, to: counter, lead_time: 4h, satisfaction: 4}]}
  counter: {provides: [{what: sales, to: shop, lead_time: 1h, streams: [hiring]}]}
  hr:
    name: People
    provides:
      - what: staff
        to: [counter]
        lead_time: 2w
        streams: [hiring]
    ignore: {IC301: hires for everyone}
streams:
  hiring: {customer: shop}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _both(tmp_path: Path, base: str, head: str) -> tuple[object, object, int]:
    """The head read in full and read reusing the base: each an org or the problems raised,
    and how many parties were taken as read."""
    entries = Entries()
    load(write(tmp_path, "base.yaml", base), remember=entries)
    path = write(tmp_path, "head.yaml", head)
    results = []
    for reuse in (None, entries):
        try:
            results.append(load(path, reuse=reuse))
        except LoadError as error:
            results.append([str(d) for d in error.diagnostics])
    return results[0], results[1], entries.reused


def test_unchanged_parties_moved_down_keep_the_heads_lines(tmp_path: Path) -> None:
    head = BASE.replace("teams:\n", "teams:\n  # two lines\n  # more\n").replace(
        "lead_time: 1h", "lead_time: 2h"
    )
    fresh, reused, count = _both(tmp_path, BASE, head)
    assert reused == fresh
    assert count == 4  # shop, mill, bakery and hr; counter changed
    assert isinstance(reused, type(fresh)) and not isinstance(reused, list)
    hr = reused.teams["hr"]  # type: ignore[attr-defined]
    assert (hr.pos.file, hr.pos.line) == (str(tmp_path / "head.yaml"), 8)


def test_a_party_moved_up_and_one_moved_below_the_others(tmp_path: Path) -> None:
    counter = "  counter: {provides: [{what: sales, to: shop, lead_time: 1h, streams: [hiring]}]}\n"
    head = BASE.replace(counter, "").replace("streams:\n", counter + "streams:\n")
    fresh, reused, count = _both(tmp_path, BASE, head)
    assert reused == fresh
    assert count == 5  # every party: hr one line up, counter eight lines down
    assert reused.teams["counter"].pos.line == 13  # type: ignore[attr-defined]


def test_a_party_reindented_or_restyled_is_read_again(tmp_path: Path) -> None:
    head = BASE.replace("\n  ", "\n    ").replace("\n      ", "\n        ")
    fresh, reused, count = _both(tmp_path, BASE, head)
    assert reused == fresh
    assert count == 2  # shop and mill, whose sections are written in flow style as before
    as_json = json.dumps({"teams": {"a": {"provides": [{"what": "x", "to": "shop"}]}}})
    as_block = "teams:\n  a: {'provides': [{'what': 'x', 'to': 'shop'}]}\ncustomers: {shop: {}}\n"
    json_org = as_json[:-1] + ', "customers": {"shop": {}}}'
    assert _both(tmp_path, json_org, as_block)[:2] == _both(tmp_path, as_block, as_block)[:2]


def test_plain_text_going_on_after_the_same_text_is_read_again(tmp_path: Path) -> None:
    base = "customers: {shop: {}}\nteams:\n  a:\n    name: Alpha\n  b:\n    name: Beta\n"
    head = "customers: {shop: {}}\nteams:\n  a:\n    name: Alpha\n     more words\n  b:\n    name: Beta\n"
    fresh, reused, count = _both(tmp_path, base, head)
    assert reused == fresh
    assert reused.teams["a"].name == "Alpha more words"  # type: ignore[attr-defined]
    assert count == 0  # the whole file read again once 'a' did not end where it did before


def test_aliases_and_anchors_are_never_taken_as_read(tmp_path: Path) -> None:
    base = (
        "x-hand: &hand {what: bread, to: shop, lead_time: 1d}\n"
        "customers: {shop: {}}\n"
        "teams:\n"
        "  a: {provides: [*hand]}\n"
        "  b: {provides: [&own {what: rolls, to: shop}]}\n"
        "  c: {provides: [*own]}\n"
    )
    head = base.replace("lead_time: 1d", "lead_time: 3d")
    fresh, reused, count = _both(tmp_path, base, head)
    assert reused == fresh
    assert count == 1  # the customer shop alone
    assert reused.relations[0].lead_time.text == "3d"  # type: ignore[attr-defined]


def test_problems_in_the_head_are_told_as_without_reuse(tmp_path: Path) -> None:
    twice = BASE.replace("streams:\n", "  hr:\n    name: Again\nstreams:\n")
    fresh, reused, _ = _both(tmp_path, BASE, twice)
    assert isinstance(fresh, list) and fresh
    assert reused == fresh
    broken = BASE.replace("  hr:\n", "  hr:\n   - [\n")
    fresh, reused, _ = _both(tmp_path, BASE, broken)
    assert isinstance(fresh, list) and fresh
    assert reused == fresh


@pytest.mark.parametrize(
    "example",
    sorted(p.name for p in (Path(__file__).parent.parent / "examples").glob("*.yaml")),
)
def test_examples_read_the_same_with_lines_added_above(tmp_path: Path, example: str) -> None:
    text = (Path(__file__).parent.parent / "examples" / example).read_text(encoding="utf-8")
    fresh, reused, _ = _both(tmp_path, text, "# one\n# two\n# three\n" + text)
    assert reused == fresh


def test_diff_reports_the_heads_lines_for_a_party_that_only_moved(
    runner: CliRunner, tmp_path: Path
) -> None:
    base = """\
customers: {shop: {}}
teams:
  bakery: {provides: [{what: bread, to: counter, lead_time: 4h}]}
  counter: {provides: [{what: sales, to: shop, lead_time: 1h}]}
"""
    head = base.replace("teams:\n", "teams:\n  # a comment\n  # another\n").replace(
        "to: shop", "to: bakery"
    )
    base_path, head_path = write(tmp_path, "b.yaml", base), write(tmp_path, "h.yaml", head)
    result = runner.invoke(app, ["diff", str(base_path), str(head_path), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    new = json.loads(result.stdout)["findings"]["new"]
    found = {(f["code"], f["message"].split("'")[1]): f for f in new if "'" in f["message"]}
    # bakery's text is unchanged: taken as read from the base, two lines further down
    assert (found["IC301", "bakery"]["file"], found["IC301", "bakery"]["line"]) == (
        str(head_path),
        5,
    )
