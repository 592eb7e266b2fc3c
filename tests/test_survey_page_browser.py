"""The survey page's Save button in headless Chromium (issue 28, item 10): what a respondent
types reaches the saved CSV guarded against formulas exactly as ``icmap survey -f csv`` guards
its cells, and icmap reads the saved file back as the same answers as the unguarded text."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap.cli import app
from icmap.errors import LoadError
from icmap.loader import load
from icmap.loader.surveys import read_rounds
from icmap.render.survey.csv import HEADER, guard
from test_html_browser import browser

__all__ = ["browser"]

ORG = """\
organisation: Bistro
customers: {diners: {}}
teams:
  kitchen:
    provides:
      - {what: Dishes, to: waiters, lead_time: 15m}
      - {what: "@SUM(A1)", to: waiters, lead_time: 10m}
  bar: {provides: [{what: "-2+3", to: waiters}]}
  waiters: {provides: [{what: Service, to: diners}]}
"""
#: Per hand-off: score, lead time, complete and accurate, comment, as a respondent types them.
TYPED = {
    "Dishes": ("4", "2h", "85%", '=HYPERLINK("http://evil.example","click")'),
    "@SUM(A1)": ("", "", "", "@SUM(1+1)"),
    "-2+3": ("3", "", "", "-2+3"),
}
RESPONDENT = "\t=1+1"
#: The same form with numbers a spreadsheet would also run: refused by the reader either way.
BAD_NUMBERS = {
    "Dishes": ("-2", "+1d", "", ""),
    "@SUM(A1)": ("", "", "", ""),
    "-2+3": ("", "", "", ""),
}

_HOOK = """
window.saved = null;
URL.createObjectURL = (blob) => { window.blob = blob; return 'blob:none'; };
HTMLAnchorElement.prototype.click = function () { window.savedName = this.download; };
"""
_FILL = """
const [what, values, who] = arguments;
const row = [...document.querySelectorAll('tr[data-team="waiters"]')]
  .find((r) => r.dataset.what.replace(/^'/, '') === what);
['score', 'lead_time', 'complete_accurate', 'comment'].forEach((name, i) => {
  row.querySelector('[name=' + name + ']').value = values[i];
});
document.getElementById('respondent').value = who;
"""
_SAVED = """
const done = arguments[arguments.length - 1];
window.blob.arrayBuffer().then((b) => done(Array.from(new Uint8Array(b))));
"""


def _save(driver: Any, page: Path, typed: dict[str, tuple[str, ...]], who: str) -> str:
    from selenium.webdriver.common.by import By

    driver.get(page.as_uri())
    driver.execute_script(_HOOK)
    for what, values in typed.items():
        driver.execute_script(_FILL, what, list(values), who)
    # Typed for real where a key can type it (a tab would move the focus instead).
    comment = driver.find_element(By.CSS_SELECTOR, 'tr[data-what="Dishes"] textarea')
    comment.clear()
    comment.send_keys(typed["Dishes"][3])
    driver.find_element(By.XPATH, "//button[contains(., 'waiters')]").click()
    assert driver.execute_script("return window.savedName") == "waiters-answers.csv"
    # The bytes as saved (Blob.text() would drop the byte-order mark).
    return bytes(driver.execute_async_script(_SAVED)).decode("utf-8")


def _unguarded(typed: dict[str, tuple[str, ...]], who: str) -> str:
    """The file a writer without any guard would make of the same answers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    lead = {"Dishes": "15m", "@SUM(A1)": "10m", "-2+3": ""}
    for what, values in typed.items():
        provider = "bar" if what == "-2+3" else "kitchen"
        writer.writerow(["waiters", provider, what, lead[what], *values, who])
    return "\ufeff" + buffer.getvalue()


def _answers(path: Path, org_path: Path) -> list[tuple[object, ...]]:
    [survey_round] = read_rounds([(path, path.name)], load(org_path))
    return sorted(
        (a.provider, a.what, a.score, a.lead_time, a.complete_accurate, a.comment, a.respondent)
        for a in survey_round.answers
    )


def test_the_pages_csv_guards_typed_formulas_as_icmap_survey_does(
    browser: Any, tmp_path: Path
) -> None:
    org = write(tmp_path, "org.yaml", ORG)
    page = tmp_path / "survey.html"
    result = CliRunner().invoke(app, ["survey", str(org), "-f", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    saved = _save(browser, page, TYPED, RESPONDENT)
    assert saved.startswith("\ufeff") and saved.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(saved.removeprefix("\ufeff"))))
    assert rows[0] == list(HEADER)
    by_what = {row[2].removeprefix("'"): row for row in rows[1:]}
    assert set(by_what) == set(TYPED)
    for what, values in TYPED.items():
        # Every typed cell exactly as the Python writer guards it (the page trims the fields).
        assert by_what[what][4:8] == [guard(v.strip()) for v in values]
        assert by_what[what][8] == guard(RESPONDENT)
    dishes = by_what["Dishes"]
    assert dishes[7] == "'" + TYPED["Dishes"][3]
    assert dishes[8] == "'\t=1+1"
    assert by_what["@SUM(A1)"][7] == "'@SUM(1+1)" and by_what["-2+3"][7] == "'-2+3"
    # A normal value is unchanged.
    assert dishes[:7] == ["waiters", "kitchen", "Dishes", "15m", "4", "2h", "85%"]
    # The hand-off's own cells are those `icmap survey -f csv` writes, guards included.
    sheet = CliRunner().invoke(app, ["survey", str(org), "-f", "csv"]).stdout
    written = {r[2]: r[:4] for r in csv.reader(io.StringIO(sheet.removeprefix("\ufeff")))}
    assert {row[2]: row[:4] for row in rows[1:]} == {
        k: v for k, v in written.items() if k != "what"
    }
    assert "'@SUM(A1)" in written and "'-2+3" in written
    # icmap reads the guarded file back as the very answers typed, scores and all.
    page_csv = tmp_path / "page" / "2026-q3.csv"
    plain_csv = tmp_path / "plain" / "2026-q3.csv"
    page_csv.parent.mkdir()
    plain_csv.parent.mkdir()
    page_csv.write_text(saved, encoding="utf-8", newline="")
    plain_csv.write_text(_unguarded(TYPED, RESPONDENT), encoding="utf-8", newline="")
    answers = _answers(page_csv, org)
    assert answers == _answers(plain_csv, org)
    dishes_answer = next(a for a in answers if a[1] == "Dishes")
    assert dishes_answer[2] == 4.0 and dishes_answer[4] == 0.85
    assert dishes_answer[5:] == (TYPED["Dishes"][3], "=1+1")


def test_the_pages_guarded_numbers_are_refused_as_typed(browser: Any, tmp_path: Path) -> None:
    """A score of -2 is saved as '-2 and refused just as -2 is: the guard hides no error."""
    org = write(tmp_path, "org.yaml", ORG)
    page = tmp_path / "survey.html"
    CliRunner().invoke(app, ["survey", str(org), "-f", "html", "-o", str(page)])
    saved = _save(browser, page, {**BAD_NUMBERS, "Dishes": (*BAD_NUMBERS["Dishes"][:3], "ok")}, "")
    dishes = next(r for r in csv.reader(io.StringIO(saved)) if r[2] == "Dishes")
    assert saved.startswith("\ufeff")
    assert dishes[4:6] == ["'-2", "'+1d"]
    problems = {}
    for name, text in (("page", saved), ("plain", _unguarded(BAD_NUMBERS, ""))):
        target = tmp_path / name / "2026-q3.csv"
        target.parent.mkdir()
        target.write_text(text, encoding="utf-8", newline="")
        with pytest.raises(LoadError) as caught:
            _answers(target, org)
        # Rows come in the page's order: compare the problems, not their lines.
        problems[name] = sorted((d.col, d.code, d.message) for d in caught.value.diagnostics)
    assert problems["page"] == problems["plain"]
    assert any("-2" in message for *_, message in problems["page"])


_FILL_EVERY_ROW = """
const [values, who] = arguments;
document.querySelectorAll('tr[data-what]').forEach((row) => {
  ['score', 'comment'].forEach((name, i) => { row.querySelector('[name=' + name + ']').value = values[i]; });
});
document.getElementById('respondent').value = who;
"""


def test_the_corpus_formula_names_are_saved_guarded(browser: Any, tmp_path: Path) -> None:
    """The hostile-input corpus's formula-named org: every cell the page saves is text to a
    spreadsheet, the org's own names included, and reads back as what was typed."""
    from selenium.webdriver.common.by import By

    org = tmp_path / "formulas.yaml"
    org.write_bytes((Path(__file__).parent / "corpus" / "bad" / "formulas.yaml").read_bytes())
    page = tmp_path / "survey.html"
    result = CliRunner().invoke(app, ["survey", str(org), "-f", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    browser.get(page.as_uri())
    browser.execute_script(_HOOK)
    browser.execute_script(_FILL_EVERY_ROW, ["3", "=1+1"], "@me")
    browser.find_element(By.XPATH, "//button[contains(., '-waiters')]").click()
    saved = bytes(browser.execute_async_script(_SAVED)).decode("utf-8")
    rows = list(csv.reader(io.StringIO(saved.removeprefix("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == 3 and "'=kitchen" in cells and "'-waiters" in cells
    assert not [cell for cell in cells if cell and cell[0] in "=+-@\t\r"], cells
    target = tmp_path / "answers" / "2026-q4.csv"
    target.parent.mkdir()
    target.write_text(saved, encoding="utf-8", newline="")
    answers = _answers(target, org)
    assert {(a[0], a[2], a[5], a[6]) for a in answers} == {("=kitchen", 3.0, "=1+1", "@me")}
