"""Internal-customer surveys: the questionnaire, response files, and their scores in the org."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, write
from icmap.cli import app
from icmap.errors import LoadError
from icmap.loader import load
from icmap.loader.surveys import round_start
from icmap.model import Org, SurveyRound

ORG = """\
organisation: Bistro
customers: {diners: {}}
teams:
  kitchen:
    name: Kitchen
    provides:
      - {what: Dishes, to: waiters, lead_time: 15m, satisfaction: 4.5}
      - {what: Soup, to: waiters, lead_time: 10m}
  waiters: {provides: [{what: Service, to: diners, satisfaction: 4}]}
  bar: {provides: [{what: Drinks, to: waiters, lead_time: 5m}]}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _org(tmp_path: Path, extra: str = "") -> Path:
    return write(tmp_path, "org.yaml", ORG + extra)


def _csv(folder: Path, name: str, rows: list[str], header: str = "") -> Path:
    head = header or "receiver,provider,what,score,lead_time,comment,respondent"
    return write(folder, name, "\r\n".join([head, *rows]) + "\r\n")


def test_round_names_are_ordered_by_their_date() -> None:
    assert round_start("2026-q3") < round_start("2026-09-30") < round_start("2026-q4-kitchen")
    assert round_start("2026-h2") == round_start("2026-07") == round_start("2026-q3")
    assert round_start("2026-13") is None and round_start("baseline") is None


def test_the_latest_round_replaces_the_yaml_satisfaction(tmp_path: Path) -> None:
    _org(tmp_path, "surveys: surveys\n")
    _csv(tmp_path / "surveys", "2026-q2.csv", ["waiters,kitchen,Dishes,4,,,ann"])
    _csv(
        tmp_path / "surveys",
        "2026-q3.csv",
        ["waiters,kitchen,Dishes,2,30m,slow,ann", 'waiters,kitchen,Dishes,"3,5",1h,,bob'],
    )
    org = load(tmp_path / "org.yaml")
    assert [r.name for r in org.surveys] == ["2026-q2", "2026-q3"]
    dishes = next(r for r in org.relations if r.what == "Dishes")
    assert dishes.satisfaction == 2.75
    assert dishes.survey is not None
    assert (dishes.survey.round, dishes.survey.answers, dishes.survey.declared) == (
        "2026-q3",
        2,
        4.5,
    )
    assert dishes.survey.experienced is not None and dishes.survey.experienced.hours == 0.75
    soup = next(r for r in org.relations if r.what == "Soup")
    assert soup.survey is None and soup.satisfaction is None


def test_every_problem_in_every_response_file_at_once(tmp_path: Path, runner: CliRunner) -> None:
    org = _org(tmp_path)
    bad = _csv(
        tmp_path,
        "2026-q3.csv",
        [
            "waiter,kitchen,Dishes,4,,,",
            "waiters,kitchen,Dishs,4,,,",
            "waiters,kitchen,Dishes,7,,,",
            "waiters,kitchen,Dishes,4,2x,,",
            "diners,waiters,Service,3,,,",
            "waiters,kitchen,,4,,,",
            "waiters,bar,Drinks,4.5.1,,,",
        ],
    )
    result = runner.invoke(app, ["report", str(org), "--survey", str(bad)])
    assert result.exit_code == 2
    err = result.stderr
    assert f"{bad}:2:1: error: unknown receiver 'waiter' [IC101]" in err
    assert "did you mean 'waiters'?" in err
    assert f"{bad}:3:3: error: kitchen hands waiters no 'Dishs' [IC101]" in err
    assert f"{bad}:4:4: error: score 7 is outside 1 to 5 [IC007]" in err
    assert f"{bad}:5:5: error: lead_time '2x' has unknown unit 'x' [IC007]" in err
    assert f"{bad}:6:1: error: the org has no hand-off from waiters to diners" not in err
    assert f"{bad}:7:3: error: kitchen hands waiters 'Dishes', 'Soup': say which" in err
    assert f"{bad}:8:4: error: score: '4.5.1' is not a number" in err
    assert "Traceback" not in err


def test_a_row_for_a_hand_off_the_org_no_longer_has(tmp_path: Path) -> None:
    _org(tmp_path, "surveys: [old.csv]\n")
    _csv(tmp_path, "old.csv", ["waiters,bar,Coffee,4,,,", "bar,kitchen,Ice,3,,,"])
    with pytest.raises(LoadError) as caught:
        load(tmp_path / "org.yaml")
    messages = [d.format() for d in caught.value.diagnostics]
    assert any("old.csv:2:3: error: bar hands waiters no 'Coffee'" in m for m in messages)
    assert any(
        "old.csv:3:1: error: the org has no hand-off from kitchen to bar" in m for m in messages
    )


def test_cells_as_people_type_them(tmp_path: Path) -> None:
    """A semicolon export from a German Excel, with a BOM, Windows line ends and spaces."""
    _org(tmp_path, "surveys: 2026-09-30.csv\n")
    text = "sep=;\r\nReceiver ; Provider ; What ; Score ; Lead time\r\n waiters ; kitchen ; dishes ;4,5; 1,5d \r\n"
    write(tmp_path, "2026-09-30.csv", b"\xef\xbb\xbf" + text.encode())
    dishes = next(r for r in load(tmp_path / "org.yaml").relations if r.what == "Dishes")
    assert dishes.satisfaction == 4.5
    assert dishes.survey is not None and dishes.survey.experienced is not None
    assert dishes.survey.experienced.hours == 36


def test_mixed_dated_and_undated_rounds_are_refused(tmp_path: Path) -> None:
    _org(tmp_path, "surveys: [2026-q3.csv, baseline.csv]\n")
    _csv(tmp_path, "2026-q3.csv", ["waiters,kitchen,Dishes,4,,,"])
    _csv(tmp_path, "baseline.csv", ["waiters,kitchen,Dishes,4,,,"])
    with pytest.raises(LoadError) as caught:
        load(tmp_path / "org.yaml")
    [problem] = caught.value.diagnostics
    assert problem.file.endswith("baseline.csv") and "no date in its name" in problem.message


def test_undated_rounds_are_ordered_by_name_with_numbers_as_numbers(tmp_path: Path) -> None:
    _org(tmp_path, "surveys: s\n")
    for n, score in ((2, 3), (10, 1), (1, 5)):
        _csv(tmp_path / "s", f"round-{n}.csv", [f"waiters,kitchen,Dishes,{score},,,"])
    org = load(tmp_path / "org.yaml")
    assert [r.name for r in org.surveys] == ["round-1", "round-2", "round-10"]
    assert next(r for r in org.relations if r.what == "Dishes").satisfaction == 1


def test_a_missing_surveys_entry_points_at_the_org(tmp_path: Path) -> None:
    _org(tmp_path, "surveys: [nowhere.csv]\n")
    with pytest.raises(LoadError) as caught:
        load(tmp_path / "org.yaml")
    [problem] = caught.value.diagnostics
    assert (problem.line, problem.code) == (ORG.count("\n") + 1, "IC001")
    assert "'nowhere.csv' does not exist" in problem.message


def test_survey_writes_one_row_per_hand_off_to_a_team(tmp_path: Path, runner: CliRunner) -> None:
    org = _org(tmp_path)
    out = tmp_path / "survey.csv"
    result = runner.invoke(app, ["survey", str(org), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["receiver"], r["provider"], r["what"], r["declared_lead_time"]) for r in rows] == [
        ("waiters", "bar", "Drinks", "5m"),
        ("waiters", "kitchen", "Dishes", "15m"),
        ("waiters", "kitchen", "Soup", "10m"),
    ]
    assert all(r["score"] == "" for r in rows)


def test_survey_for_one_team_and_per_team_pages(tmp_path: Path, runner: CliRunner) -> None:
    org = _org(tmp_path)
    result = runner.invoke(app, ["survey", str(org), "--team", "Kitchen"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == []  # the kitchen receives nothing
    result = runner.invoke(app, ["survey", str(org), "--team", "waiter"])
    assert result.exit_code == 2 and "did you mean 'waiters'" in result.stderr
    pages = tmp_path / "pages"
    for fmt, suffix in (("markdown", ".md"), ("html", ".html")):
        result = runner.invoke(app, ["survey", str(org), "--per-team", "-f", fmt, "-o", str(pages)])
        assert result.exit_code == 0, result.output
        page = (pages / f"waiters{suffix}").read_text(encoding="utf-8")
        assert "hat waiters receives" in page and "Drinks" in page
    assert "<form" not in page and "download(" in page
    result = runner.invoke(app, ["survey", str(org), "--per-team"])
    assert result.exit_code == 2 and "-o DIR" in result.stderr


def test_round_trip_survey_then_report_uses_the_scores(tmp_path: Path, runner: CliRunner) -> None:
    org = _org(tmp_path)
    blank = tmp_path / "survey.csv"
    assert runner.invoke(app, ["survey", str(org), "-o", str(blank)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(blank.read_text(encoding="utf-8-sig"))))
    for row in rows:  # the waiters fill it in
        row["score"] = {"Dishes": "2", "Soup": "4,5", "Drinks": ""}[row["what"]]
        row["lead_time"] = "1h" if row["what"] == "Dishes" else ""
    filled = tmp_path / "surveys" / "2026-q3.csv"
    filled.parent.mkdir()
    with filled.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["report", str(org), "--survey", str(filled), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [weak] = data["weakest_links"]
    assert weak["bottleneck"] == {
        "provider": "kitchen",
        "receiver": "waiters",
        "what": "Dishes",
        "satisfaction": 2.0,
        "survey_round": "2026-q3",
        "answers": 1,
    }
    dishes = next(h for h in data["surveys"]["handoffs"] if h["what"] == "Dishes")
    assert (dishes["yaml_satisfaction"], dishes["experienced_lead_time_hours"]) == (4.5, 1.0)
    assert dishes["lead_time_gap_hours"] == 0.75

    # A second round: the kitchen got better at dishes, worse at soup, and slower.
    second = tmp_path / "surveys" / "2026-q4.csv"
    second.write_text(
        "receiver,provider,what,score,lead_time\n"
        "waiters,kitchen,Dishes,4,45m\nwaiters,kitchen,Soup,2,\nwaiters,bar,Drinks,,\n",
        encoding="utf-8",
    )
    folder = str(filled.parent)
    result = runner.invoke(app, ["report", str(org), "--survey", folder, "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert "| kitchen → waiters: Soup | 4.5 (1) | 2 (1) | -2.5 | — | — |" in result.stdout
    assert "| kitchen | 3.25 (2) | 3 (2) | -0.25 |" in result.stdout
    assert "| diners | 2 | 2 |" in result.stdout  # Soup now bounds what Dishes did
    result = runner.invoke(app, ["check", str(org), "--survey", folder, "--fail-on", "info"])
    assert result.exit_code == 1
    codes = {
        line.rsplit("[", 1)[1].split()[0] for line in result.stdout.splitlines() if "[IC5" in line
    }
    assert codes == {"IC501", "IC502", "IC503", "IC504"}


def test_output_never_overwrites_a_response_file(tmp_path: Path, runner: CliRunner) -> None:
    org = _org(tmp_path)
    answers = _csv(tmp_path, "2026-q3.csv", ["waiters,kitchen,Dishes,4,,,"])
    before = answers.read_bytes()
    result = runner.invoke(
        app, ["report", str(org), "--survey", str(answers), "-f", "text", "-o", str(answers)]
    )
    assert result.exit_code == 2 and "is an input of this command" in result.stderr
    assert answers.read_bytes() == before


def test_survey_writes_the_next_round_when_an_old_round_is_broken(
    tmp_path: Path, runner: CliRunner
) -> None:
    # A hand-off renamed since an old round breaks that round for the analyses, not for
    # sending out the next questionnaire; and the rounds are still never overwritten.
    org = _org(tmp_path, "surveys: surveys\n")
    _csv(tmp_path / "surveys", "2026-q2.csv", ["waiters,kitchen,Stew,4,,,ann"])
    kept = _csv(tmp_path / "surveys", "2026-q3.csv", ["waiters,kitchen,Dishes,9,,,ann"])
    before = kept.read_bytes()
    result = runner.invoke(app, ["report", str(org)])
    assert result.exit_code == 2 and "2026-q2.csv:2:3" in result.stderr
    result = runner.invoke(app, ["survey", str(org), "--team", "waiters"])
    assert result.exit_code == 0, result.stderr
    assert "waiters,kitchen,Dishes,15m,,,," in result.stdout
    result = runner.invoke(app, ["survey", str(org), "-o", str(kept)])
    assert result.exit_code == 2 and "is an input of this command" in result.stderr
    assert kept.read_bytes() == before


RESTAURANT = str(EXAMPLES / "restaurant.yaml")
ROUNDS = str(EXAMPLES / "surveys" / "restaurant")


def test_the_example_programme_in_the_text_report(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", RESTAURANT, "--survey", ROUNDS])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "(2.75, survey 2026-q3: 2 answers)" in out
    assert "Rounds, oldest first: 2026-q2, 2026-q3. 13 hand-offs scored" in out
    assert "kitchen        4.25 (2)  2.75 (2)  -1.5" in out
    assert "diners    3.25     2.75" in out


def test_the_example_programme_in_check(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", RESTAURANT, "--survey", ROUNDS, "--select", "IC2,IC5"])
    assert result.exit_code == 0, result.output
    q3 = "surveys/restaurant/2026-q3.csv"
    lines = [line for line in result.stdout.splitlines() if q3 + ":" in line]
    assert [line.rsplit("[", 1)[1] for line in lines] == [
        "IC204 low-satisfaction]",
        "IC501 survey-score-drop]",
        "IC504 slow-experienced-lead-time]",
        "IC502 few-survey-answers]",
        "IC503 unanswered-hand-off]",
    ]
    assert "is scored 2.75 (survey 2026-q3, 2 answers; the YAML says 4.2), below 3" in lines[0]
    assert "fell from 4.25 in 2026-q2 to 2.75 in 2026-q3 (-1.5)" in lines[1]
    assert "receivers wait 27.5m (median of 2 in 2026-q3), 1.8 times the declared 15m" in lines[2]


def test_survey_thresholds_are_configured_like_other_rules(
    runner: CliRunner, tmp_path: Path
) -> None:
    config = write(
        tmp_path,
        ".icmap.yaml",
        """\
        check:
          rules:
            survey-score-drop: {threshold: 2}
            IC502: {minimum: 1}
            IC504: {factor: 2, severity: error}
            IC503: off
        """,
    )
    args = ["check", RESTAURANT, "--survey", ROUNDS, "--config", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "[IC5" not in result.stdout
    config.write_text("check:\n  rules:\n    IC501: {threshold: 1.5, severity: error}\n")
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "IC501" in result.stdout
    config.write_text("check:\n  rules:\n    IC501: {treshold: 1}\n")
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "did you mean 'threshold'?" in result.stderr


def test_bad_response_files_are_check_findings(runner: CliRunner, tmp_path: Path) -> None:
    org = _org(tmp_path)
    bad = _csv(tmp_path, "2026-q3.csv", ["waiters,kitchen,Dishes,9,,,"])
    result = runner.invoke(app, ["check", str(org), "--survey", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2:4: error: score 9 is outside 1 to 5 [IC007 invalid-value]" in result.stdout


def _git(repo: Path, *args: str) -> None:
    import subprocess

    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_diff_shows_a_new_round(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A pull request that adds a round: the base's rounds come from the revision too."""
    repo = tmp_path / "repo"
    (repo / "surveys").mkdir(parents=True)
    (repo / "org.yaml").write_text(
        (EXAMPLES / "restaurant.yaml").read_text(encoding="utf-8") + "surveys: surveys\n",
        encoding="utf-8",
    )
    (repo / "surveys" / "2026-q2.csv").write_bytes((Path(ROUNDS) / "2026-q2.csv").read_bytes())
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "q2")
    (repo / "surveys" / "2026-q3.csv").write_bytes((Path(ROUNDS) / "2026-q3.csv").read_bytes())
    monkeypatch.chdir(repo)
    result = runner.invoke(app, ["diff", "--git", "HEAD", "org.yaml", "-f", "json"])
    assert result.exit_code == 0, result.output
    surveys = json.loads(result.stdout)["surveys"]
    assert (surveys["rounds_added"], surveys["rounds_removed"]) == (["2026-q3"], [])
    plated = next(c for c in surveys["scores_changed"] if c["what"] == "Plated dishes")
    assert plated["before"] == {"satisfaction": 4.25, "round": "2026-q2", "answers": 2}
    assert plated["after"] == {"satisfaction": 2.75, "round": "2026-q3", "answers": 2}
    unchanged = {c["what"] for c in surveys["scores_changed"]}
    assert "Seated tables and bookings" not in unchanged  # 4.25 in both rounds
    result = runner.invoke(app, ["diff", "--git", "HEAD", "org.yaml", "-f", "markdown"])
    assert "- survey rounds: 2026-q3 added; 8 scores changed" in result.stdout
    assert (
        "kitchen → expediters: Plated dishes: satisfaction 4.25 (2026-q2, 2 answers) → "
        "2.75 (2026-q3, 2 answers)" in result.stdout
    )


def test_diff_survey_adds_rounds_to_the_head(runner: CliRunner) -> None:
    args = ["diff", RESTAURANT, RESTAURANT, "--survey", ROUNDS, "-f", "markdown"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "- survey rounds: 2026-q2, 2026-q3 added; 13 scores changed" in result.stdout
    assert "fishmonger → kitchen: Fresh fish: satisfaction 4.6 (YAML) → 4.25 (2026-q3" in (
        result.stdout
    )


def test_the_walkthrough_prints_what_it_shows(tmp_path: Path) -> None:
    """Every console excerpt of docs/surveys.md: each line shown is a line of the output."""
    import os
    import re
    import shutil
    import subprocess
    import sys

    from conftest import ROOT

    text = (ROOT / "docs" / "surveys.md").read_text(encoding="utf-8")
    excerpts = re.findall(r"^```console\n\$ (icmap .+?)\n(.*?)^```", text, re.M | re.S)
    assert len(excerpts) >= 5
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    env = {**os.environ, "COLUMNS": "200"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    for command, shown in excerpts:
        done = subprocess.run(
            command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        printed = done.stdout.splitlines()
        for line in shown.splitlines():
            if line.strip() and line.strip() != "...":
                assert line.rstrip() in printed, f"{command}: docs show {line!r}"


def test_team_pages_and_the_tree_say_where_a_score_comes_from(runner: CliRunner) -> None:
    args = ["team", "kitchen", "--org", RESTAURANT, "--survey", ROUNDS]
    result = runner.invoke(app, [*args, "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert (
        "| expediters | Plated dishes | 15m (27.5m experienced) | "
        "2.75 (survey 2026-q3, 2 answers; YAML 4.2) ⚠ | — |" in result.stdout
    )
    data = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)
    [plated] = data["provides"]
    assert plated["satisfaction"] == 2.75
    assert plated["survey"] == {
        "round": "2026-q3",
        "mean": 2.75,
        "answers": 2,
        "yaml_satisfaction": 4.2,
        "experienced_lead_time_hours": pytest.approx(27.5 / 60),
        "lead_time_answers": 2,
        "lead_time_round": "2026-q3",
    }
    result = runner.invoke(app, ["graph", RESTAURANT, "--survey", ROUNDS], env={"COLUMNS": "200"})
    assert (
        "Plated dishes (15m, work 11m, C&A 94%, satisfaction 2.75 by survey 2026-q3 ⚠)"
        in result.stdout
    )


def test_hostile_names_stay_text_in_the_html_form(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {c: {}}
        teams:
          "=cmd": {name: "<script>x</script>", provides: [{what: "=HYPERLINK(1)", to: b}]}
          b: {provides: [{what: y, to: c}]}
        """,
    )
    page = tmp_path / "s.html"
    assert runner.invoke(app, ["survey", str(org), "-o", str(page)]).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    sheet = tmp_path / "s.csv"
    assert runner.invoke(app, ["survey", str(org), "-o", str(sheet)]).exit_code == 0
    rows = sheet.read_text(encoding="utf-8-sig").splitlines()
    assert rows[1] == "b,'=cmd,'=HYPERLINK(1),,,,,,"
    # Filled in and read back, the guard is dropped: the row names the real hand-off.
    filled = tmp_path / "2026-q3.csv"
    filled.write_text(rows[0] + "\n" + rows[1].replace(",,,,,", ",,4,,,") + "\n", "utf-8")
    result = runner.invoke(app, ["report", str(org), "--survey", str(filled), "-f", "json"])
    assert result.exit_code == 0, result.output
    [weak] = json.loads(result.stdout)["weakest_links"]
    assert weak["bottleneck"]["what"] == "=HYPERLINK(1)"
    assert weak["bottleneck"]["survey_round"] == "2026-q3"


def test_a_utf16_export_and_an_unreadable_one(tmp_path: Path) -> None:
    _org(tmp_path, "surveys: [2026-q3.csv, 2026-q4.csv]\n")
    text = "receiver\tprovider\twhat\tscore\r\nwaiters\tkitchen\tDishes\t3\r\n"
    (tmp_path / "2026-q3.csv").write_bytes(text.encode("utf-16"))
    (tmp_path / "2026-q4.csv").write_bytes(b"receiver,provider,score\nwaiters,kitchen,\xe9\n")
    with pytest.raises(LoadError) as caught:
        load(tmp_path / "org.yaml")
    [problem] = caught.value.diagnostics
    assert problem.file.endswith("2026-q4.csv") and problem.code == "IC001"
    (tmp_path / "2026-q4.csv").write_text("receiver,provider,what,score\n", encoding="utf-8")
    dishes = next(r for r in load(tmp_path / "org.yaml").relations if r.what == "Dishes")
    assert (dishes.satisfaction, dishes.survey and dishes.survey.round) == (3, "2026-q3")


def test_a_semicolon_questionnaire_filled_in_excel_reads_back(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Written for a European Excel, filled with decimal commas, saved as it was."""
    org = _org(tmp_path)
    sheet = tmp_path / "2026-q3.csv"
    args = ["survey", str(org), "--delimiter", "semicolon", "-o", str(sheet)]
    assert runner.invoke(app, args).exit_code == 0
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    assert lines[2] == "waiters;kitchen;Dishes;15m;;;;;"
    lines[2] = "waiters;kitchen;Dishes;15m;3,5;20m;87,5 %;ok;Zoé"
    sheet.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    result = runner.invoke(app, ["team", "waiters", "--org", str(org), "--survey", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "3.5 (survey 2026-q3, 1 answer; YAML 4.5)" in result.stdout
    from icmap.loader.surveys import apply_rounds, read_rounds

    plain = load(org)
    surveyed = apply_rounds(plain, read_rounds([(sheet, str(sheet))], plain))
    dishes = next(r for r in surveyed.relations if r.what == "Dishes")
    assert dishes.complete_accurate == 0.875


def test_the_scores_depend_on_the_answers_not_their_order_or_repeats(tmp_path: Path) -> None:
    """Applying rounds is a function of the rounds: shuffled rows, applied twice, same org."""
    import dataclasses
    import random

    from icmap.loader.surveys import apply_rounds

    org = load(RESTAURANT)
    rounds = load_rounds_of_example(org)
    once = apply_rounds(org, rounds)
    rng = random.Random(7)
    shuffled = tuple(
        dataclasses.replace(r, answers=tuple(rng.sample(r.answers, len(r.answers)))) for r in rounds
    )
    again = apply_rounds(apply_rounds(org, rounds[:1]), shuffled)
    assert [(r.satisfaction, r.survey and r.survey.mean) for r in again.relations] == [
        (r.satisfaction, r.survey and r.survey.mean) for r in once.relations
    ]
    assert apply_rounds(once, ()).relations == org.relations  # back to the YAML


def load_rounds_of_example(org: Org) -> tuple[SurveyRound, ...]:
    from icmap.loader.surveys import read_rounds, survey_files

    return read_rounds(survey_files(Path(ROUNDS), ROUNDS), org)


def test_many_bad_rows_are_counted_not_all_listed(tmp_path: Path) -> None:
    _org(tmp_path, "surveys: 2026-q3.csv\n")
    _csv(tmp_path, "2026-q3.csv", [f"waiter{n},kitchen,Dishes,4,,," for n in range(150)])
    with pytest.raises(LoadError) as caught:
        load(tmp_path / "org.yaml")
    problems = caught.value.diagnostics
    assert len(problems) == 101
    assert problems[0].hint == "did you mean 'waiters'?"
    assert problems[-1].message == "…and 50 more IC101 (dangling-reference) problems in this file"


@pytest.mark.skipif(not __import__("shutil").which("node"), reason="needs node to run the page")
def test_the_html_form_saves_answers_icmap_reads_back(runner: CliRunner, tmp_path: Path) -> None:
    """The page's own script, run on stand-ins for the browser, writes a valid round."""
    import re
    import subprocess

    org = _org(tmp_path)
    page = runner.invoke(app, ["survey", str(org), "-f", "html"]).stdout
    script = re.search(r"<script>(.*)</script>", page, re.S)
    assert script is not None
    rows = re.findall(r"<tr (data-team[^>]*)>", page)
    datasets = [dict(re.findall(r'data-([a-z]+)="([^"]*)"', row)) for row in rows]
    answers = {
        "Dishes": ("4,5", "20m", "90%", 'slow, "often"'),
        "Soup": ("2", "", "", ""),
        "Drinks": ("", "", "0,5", ""),
    }
    harness = f"""
const html = (s) => s.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&');
const answers = {json.dumps(answers)};
const rows = {json.dumps(datasets)}.map((d) => {{
  for (const k in d) d[k] = html(d[k]);
  const [score, lead_time, complete_accurate, comment] = answers[d.what];
  const fields = {{score, lead_time, complete_accurate, comment}};
  return {{dataset: d, querySelector: (q) => ({{value: fields[q.match(/name=(\\w+)/)[1]]}})}};
}});
globalThis.CSS = {{escape: (s) => s}};
globalThis.document = {{
  getElementById: () => ({{value: 'Zoé'}}),
  querySelectorAll: () => rows,
  createElement: () => ({{click() {{}}}}),
}};
globalThis.Blob = class {{ constructor(parts) {{ process.stdout.write(parts.join('')); }} }};
globalThis.URL = {{createObjectURL: () => ''}};
{script.group(1)}
download('waiters');
"""
    done = subprocess.run(["node", "-e", harness], capture_output=True, text=True, check=True)
    saved = tmp_path / "2026-q3.csv"
    saved.write_text(done.stdout, encoding="utf-8")
    result = runner.invoke(app, ["report", str(org), "--survey", str(saved), "-f", "json"])
    assert result.exit_code == 0, result.output
    handoffs = {h["what"]: h for h in json.loads(result.stdout)["surveys"]["handoffs"]}
    assert handoffs["Dishes"]["rounds"][0]["mean"] == 4.5
    assert handoffs["Dishes"]["experienced_lead_time_hours"] == pytest.approx(1 / 3)
    assert handoffs["Soup"]["rounds"][0]["mean"] == 2
    from icmap.loader.surveys import read_rounds

    [answer_round] = read_rounds([(saved, str(saved))], load(org))
    dishes = next(a for a in answer_round.answers if a.what == "Dishes")
    assert (dishes.comment, dishes.respondent) == ('slow, "often"', "Zoé")
    assert dishes.complete_accurate == 0.9
    drinks = next(a for a in answer_round.answers if a.what == "Drinks")
    assert (drinks.score, drinks.complete_accurate) == (None, 0.5)


def test_survey_folders_are_inputs_too(runner: CliRunner, tmp_path: Path) -> None:
    org = _org(tmp_path)
    folder = tmp_path / "rounds"
    answers = _csv(folder, "2026-q3.csv", ["waiters,kitchen,Dishes,4,,,"])
    before = answers.read_bytes()
    args = ["report", str(org), "--survey", str(folder), "-f", "json", "-o", str(answers)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "is an input of this command" in result.stderr
    assert answers.read_bytes() == before
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["check", str(org), "--survey", str(empty)])
    assert result.exit_code == 2 and "no response files" in result.stderr


def test_a_round_of_per_team_files_in_a_dated_folder(runner: CliRunner, tmp_path: Path) -> None:
    """--per-team sheets come back one per team: a folder named by its date is one round."""
    org = _org(tmp_path)
    pages = tmp_path / "pages"
    args = ["survey", str(org), "--per-team", "-f", "csv", "-o", str(pages)]
    assert runner.invoke(app, args).exit_code == 0
    assert sorted(p.name for p in pages.iterdir()) == ["waiters.csv"]
    rounds = tmp_path / "rounds"
    _csv(rounds, "2026-q2.csv", ["waiters,kitchen,Dishes,4,,,ann"])
    header = "receiver,provider,what,score,lead_time,comment,respondent"
    _csv(rounds / "2026-q3", "waiters-ann.csv", ["waiters,kitchen,Dishes,2,,,ann"], header)
    _csv(rounds / "2026-q3", "waiters-bob.csv", ["waiters,kitchen,Dishes,3,,,bob"], header)
    result = runner.invoke(app, ["report", str(org), "--survey", str(rounds), "-f", "json"])
    assert result.exit_code == 0, result.output
    surveys = json.loads(result.stdout)["surveys"]
    assert surveys["rounds"] == ["2026-q2", "2026-q3"]
    dishes = next(h for h in surveys["handoffs"] if h["what"] == "Dishes")
    assert [(r["mean"], r["answers"]) for r in dishes["rounds"]] == [(4, 1), (2.5, 2)]
    # The same respondent in two of the round's files is one answer too many.
    _csv(rounds / "2026-q3", "waiters-again.csv", ["waiters,kitchen,Dishes,5,,,bob"], header)
    result = runner.invoke(app, ["report", str(org), "--survey", str(rounds)])
    assert result.exit_code == 2
    # Files are read in name order: waiters-again.csv comes first.
    assert "waiters-bob.csv:2:4: error: 'bob' answers for kitchen → waiters" in result.stderr
    assert "twice (first on " in result.stderr and "waiters-again.csv:2:4)" in result.stderr


def test_surveys_relative_to_a_file_in_an_org_folder(tmp_path: Path) -> None:
    write(tmp_path / "org", "org.yaml", ORG + "surveys: ../rounds\n")
    _csv(tmp_path / "rounds", "2026-q3.csv", ["waiters,kitchen,Dishes,9,,,"])
    with pytest.raises(LoadError) as caught:
        load(tmp_path / "org")
    [problem] = caught.value.diagnostics
    assert problem.file == (tmp_path / "rounds" / "2026-q3.csv").as_posix()
    assert (problem.line, problem.col, problem.code) == (2, 4, "IC007")


def test_lead_times_from_an_older_round_are_named_as_such(
    tmp_path: Path, runner: CliRunner
) -> None:
    # q3 scored the dishes but nobody gave a lead time: the 45 minutes are q2's, and the
    # finding points at q2's lead_time cell rather than at q3's score.
    org = _org(tmp_path)
    folder = tmp_path / "surveys"
    _csv(
        folder,
        "2026-q2.csv",
        ["waiters,kitchen,Dishes,4,40m,,ann", "waiters,kitchen,Dishes,4,50m,,bob"],
    )
    _csv(
        folder, "2026-q3.csv", ["waiters,kitchen,Dishes,3,,,ann", "waiters,kitchen,Dishes,3,,,bob"]
    )
    result = runner.invoke(
        app, ["check", str(org), "--survey", str(folder), "--select", "IC504", "-f", "json"]
    )
    [finding] = json.loads(result.stdout)["findings"]
    assert "(median of 2 in 2026-q2)" in finding["message"]
    assert (Path(finding["file"]).name, finding["line"], finding["col"]) == ("2026-q2.csv", 2, 5)
    result = runner.invoke(app, ["report", str(org), "--survey", str(folder), "-f", "json"])
    [dishes] = [
        h for h in json.loads(result.stdout)["surveys"]["handoffs"] if h["what"] == "Dishes"
    ]
    assert dishes["lead_time_round"] == "2026-q2" and dishes["experienced_lead_time_hours"] == 0.75
    result = runner.invoke(app, ["report", str(org), "--survey", str(folder), "-f", "markdown"])
    assert "45m vs 15m declared (+30m, 2 answers in 2026-q2)" in result.stdout


def test_an_empty_questionnaire_is_said_not_silent(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["survey", str(_org(tmp_path)), "--team", "bar"])
    assert result.exit_code == 0
    assert (
        result.stdout
        == "receiver,provider,what,declared_lead_time,score,lead_time,complete_accurate,comment,"
        "respondent\n"
    )
    assert "bar receives nothing from a team or supplier: no questions" in result.stderr


def test_a_workbook_in_the_surveys_folder_is_refused_not_skipped(
    tmp_path: Path, runner: CliRunner
) -> None:
    # Answers kept as 2026-q3.xlsx would otherwise be left out of every analysis silently.
    org = _org(tmp_path, "surveys: surveys\n")
    _csv(tmp_path / "surveys", "2026-q2.csv", ["waiters,kitchen,Dishes,4,,,ann"])
    (tmp_path / "surveys" / "2026-q3.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (tmp_path / "surveys" / "~$2026-q3.xlsx").write_bytes(b"\x00" * 40)  # Excel's lock file
    result = runner.invoke(app, ["report", str(org)])
    assert result.exit_code == 2
    assert "surveys/2026-q3.xlsx:1:1: error: not a CSV file" in result.stderr
    assert "~$" not in result.stderr
    # Saved as CSV beside it, the workbook is the CSV's source and is left alone.
    _csv(tmp_path / "surveys", "2026-q3.csv", ["waiters,kitchen,Dishes,3,,,ann"])
    result = runner.invoke(app, ["report", str(org), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["surveys"]["rounds"] == ["2026-q2", "2026-q3"]


def test_a_respondent_is_one_person_whatever_the_case(tmp_path: Path, runner: CliRunner) -> None:
    # One team's sheet says 'Leo', the copy pasted into another file 'leo ': one answer twice.
    round_folder = tmp_path / "2026-q3"
    _csv(round_folder, "a.csv", ["waiters,kitchen,Dishes,4,,,Leo"])
    _csv(round_folder, "b.csv", ["waiters,kitchen,Dishes,2,,,leo "])
    result = runner.invoke(app, ["report", str(_org(tmp_path)), "--survey", str(round_folder)])
    assert result.exit_code == 2
    assert "'leo' answers for kitchen → waiters ('Dishes') twice" in result.stderr


def test_survey_team_names_a_team_not_a_customer_or_supplier(
    tmp_path: Path, runner: CliRunner
) -> None:
    # find_party's 'name a team or a supplier' would send the user to a supplier, which the
    # survey then refuses; and a misspelling suggests only what can be asked.
    org = write(tmp_path, "org.yaml", ORG + "suppliers: {farm: {name: Green Farm}}\n")
    result = runner.invoke(app, ["survey", str(org), "--team", "Diners"])
    assert result.exit_code == 2
    assert "'Diners' is an external customer: the survey asks teams what they receive" in (
        result.stderr
    )
    result = runner.invoke(app, ["survey", str(org), "--team", "green farm"])
    assert result.exit_code == 2 and "'green farm' is an outside supplier" in result.stderr
    result = runner.invoke(app, ["survey", str(org), "--team", "kitchn"])
    assert result.exit_code == 2
    assert "no team 'kitchn' in this org; did you mean 'kitchen'?" in result.stderr


def test_lead_times_typed_in_words(tmp_path: Path, runner: CliRunner) -> None:
    org = _org(tmp_path)
    answers = _csv(
        tmp_path,
        "2026-q3.csv",
        ["waiters,kitchen,Dishes,4,2 days,,ann", 'waiters,kitchen,Dishes,4,"1,5 Hours",,bob'],
    )
    result = runner.invoke(app, ["report", str(org), "--survey", str(answers), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    [dishes] = [
        h for h in json.loads(result.stdout)["surveys"]["handoffs"] if h["what"] == "Dishes"
    ]
    assert dishes["experienced_lead_time_hours"] == pytest.approx((48 + 1.5) / 2)
    bad = _csv(tmp_path, "2026-q4.csv", ["waiters,kitchen,Dishes,4,2 months,,ann"])
    result = runner.invoke(app, ["report", str(org), "--survey", str(bad)])
    assert result.exit_code == 2
    assert (
        "2026-q4.csv:2:5: error: lead_time '2 months' is in months, which vary in length"
        in result.stderr
    )


def test_survey_never_writes_over_answers(tmp_path: Path) -> None:
    org = str(EXAMPLES / "restaurant.yaml")
    sheet = tmp_path / "survey.csv"
    runner = CliRunner()
    assert runner.invoke(app, ["survey", org, "-o", str(sheet)]).exit_code == 0
    # An unanswered questionnaire may be written again.
    assert runner.invoke(app, ["survey", org, "-o", str(sheet)]).exit_code == 0
    rows = sheet.read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(",")
    cells = rows[1].split(",")
    cells[header.index("score")] = "4"
    rows[1] = ",".join(cells)
    filled = "\ufeff" + "\r\n".join(rows) + "\r\n"
    sheet.write_bytes(filled.encode("utf-8"))
    result = runner.invoke(app, ["survey", org, "-o", str(sheet)])
    assert result.exit_code == 2
    assert "holds 1 answered row: icmap survey never writes over answers" in result.stderr
    assert sheet.read_bytes() == filled.encode("utf-8")

    pages = tmp_path / "pages"
    assert (
        runner.invoke(app, ["survey", org, "--per-team", "-f", "csv", "-o", str(pages)]).exit_code
        == 0
    )
    kitchen = pages / "kitchen.csv"
    page_rows = kitchen.read_text(encoding="utf-8-sig").splitlines()
    page_cells = page_rows[1].split(",")
    page_cells[header.index("comment")] = "late on Fridays"
    page_rows[1] = ",".join(page_cells)
    kitchen.write_text("\r\n".join(page_rows) + "\r\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in pages.iterdir()}
    again = runner.invoke(app, ["survey", org, "--per-team", "-f", "csv", "-o", str(pages)])
    assert again.exit_code == 2 and "kitchen.csv holds 1 answered row" in again.stderr
    assert {p.name: p.read_bytes() for p in pages.iterdir()} == before  # nothing written


def test_errors_in_responses_are_named_as_such(tmp_path: Path) -> None:
    answers = write(
        tmp_path,
        "2026-q3.csv",
        "receiver,provider,what,score\nexpediters,kitchen,Plated dishes,9\n",
    )
    org = str(EXAMPLES / "restaurant.yaml")
    result = CliRunner().invoke(app, ["report", org, "--survey", str(answers)])
    assert result.exit_code == 2
    assert "2026-q3.csv:2:4: error: score 9 is outside 1 to 5 [IC007]" in result.stderr
    assert "icmap: 1 error in the survey responses" in result.stderr


def test_an_undated_subfolder_of_a_rounds_folder_is_no_round(
    tmp_path: Path, runner: CliRunner
) -> None:
    rounds = tmp_path / "rounds"
    rounds.mkdir()
    source = EXAMPLES / "surveys" / "restaurant"
    (rounds / "2026-q2.csv").write_bytes((source / "2026-q2.csv").read_bytes())
    write(rounds / "archive", "2026-q3.csv", (source / "2026-q3.csv").read_text())
    write(rounds / "2026-q4", "kitchen-answers.csv", (source / "2026-q3.csv").read_text())
    done = runner.invoke(
        app, ["report", str(EXAMPLES / "restaurant.yaml"), "--survey", str(rounds), "-f", "json"]
    )
    assert done.exit_code == 0, done.stderr
    assert "archive" not in done.stdout
    assert json.loads(done.stdout)["surveys"]["rounds"] == [
        "2026-q2",
        "2026-q4",
    ]
