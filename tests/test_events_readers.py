"""Event log readers that hold up: every limit ends in a finding (docs/events.md#limits), CSV
lines the reader rejects name their line, XES is read completely and safely, and hostile logs
(entity bombs, long lines, NUL bytes, Latin-1, long cases, times out of order) end clearly.

The limits are module constants; the tests set small ones (monkeypatch) rather than write
gigabytes. benchmarks/attacks.py runs the same attacks at the real limits.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from icmap.cli import app
from icmap.errors import LoadError, UsageError
from icmap.eventlog import EventLogOptions, read, xes
from icmap.importers.events import read_event_logs


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _found(result: object) -> list[str]:
    return [d.format().split("\n")[0] for d in result.diagnostics]  # type: ignore[attr-defined]


def _pairs(result: object) -> dict[tuple[str, str], object]:
    org = result.org  # type: ignore[attr-defined]
    assert org is not None
    return {(r.provider, r.receiver): r.measured for r in org.relations}


HEADER = "case,time,team\n"


def _events(cases: int, per_case: int = 2) -> str:
    return "".join(
        f"C{c},2026-01-0{1 + e % 9}T10:00,{'AB'[e % 2]}\n"
        for c in range(cases)
        for e in range(per_case)
    )


# --- limits --------------------------------------------------------------------------------


def test_events_past_the_count_are_left_out_with_one_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_EVENTS", 5)
    log = _write(tmp_path / "log.csv", HEADER + _events(4))
    result = read_event_logs([log])
    assert result.counts["events read"] == 5
    [finding] = _found(result)
    assert finding == (
        f"{log}:7:1: warning: more than 5 events in the log: this one and every one after it "
        "left out [IC621]"
    )


def test_a_second_file_past_the_count_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_EVENTS", 4)
    first = _write(tmp_path / "a.csv", HEADER + _events(2))
    second = _write(tmp_path / "b.csv", HEADER + _events(2))
    result = read_event_logs([first, second])
    assert result.counts["events read"] == 4
    assert _found(result) == [
        f"{second}:1:1: warning: not read: the files before hold 4 events, as many as icmap "
        "reads [IC621]"
    ]


def test_a_case_too_long_is_left_out_and_the_rest_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_CASE_EVENTS", 3)
    log = _write(
        tmp_path / "log.csv", HEADER + _events(2) + _events(1, per_case=6).replace("C0", "BIG")
    )
    result = read_event_logs([log])
    assert _found(result) == [
        f"{log}:6:1: warning: case 'BIG' left out: 6 events, more than the 3 icmap reads in "
        "one case [IC621]"
    ]
    assert result.counts["events left out"] == 6
    measured = _pairs(result)["A", "B"]
    assert measured is not None and measured.cases == 2  # type: ignore[attr-defined]


def test_a_value_too_long_leaves_its_event_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_VALUE_CHARS", 20)
    log = _write(
        tmp_path / "log.csv", HEADER + _events(2) + "C9,2026-01-01T10:00," + "T" * 21 + "\n"
    )
    result = read_event_logs([log])
    assert _found(result) == [
        f"{log}:6:1: warning: event left out: a value longer than 20 characters, the most "
        "icmap reads [IC621]"
    ]


def test_a_long_line_inside_the_sniffed_lines_stops_the_file_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_LINE_BYTES", 200)
    log = _write(tmp_path / "log.csv", HEADER + _events(2) + "C9,2026-01-01,A" + "x" * 300 + "\n")
    with pytest.raises(LoadError) as caught:
        read_event_logs([log])
    [finding] = caught.value.diagnostics
    assert finding.format().startswith(
        f"{log}:6:1: error: a line longer than 200 bytes, the most icmap reads in one line: "
        "nothing read [IC621]"
    )


def test_a_long_line_after_the_sniffed_lines_is_left_out_and_the_rest_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_LINE_BYTES", 200)
    body = _events(15_000)
    log = _write(tmp_path / "log.csv", HEADER + body + "C9,2026-01-01,A" + "x" * 300 + "\n" + body)
    result = read_event_logs([log])
    assert _found(result) == [
        f"{log}:30002:1: warning: line left out: a line longer than 200 bytes, the most icmap "
        "reads [IC621]"
    ]
    assert result.counts["events read"] == 60_000


def test_a_header_too_wide_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_COLUMNS", 50)
    log = _write(tmp_path / "log.csv", ",".join(f"c{i}" for i in range(60)) + "\n")
    with pytest.raises(LoadError) as caught:
        read_event_logs([log])
    assert (
        caught.value.diagnostics[0]
        .format()
        .startswith(
            f"{log}:1:1: error: a header of 60 columns, more than the 50 icmap reads [IC621]"
        )
    )


def test_a_file_too_big_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_FILE_BYTES", 10)
    log = _write(tmp_path / "log.csv", HEADER + _events(1))
    result = CliRunner().invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert f"{log}:1:1: error: 59 bytes, more than the 10 icmap reads in one log file [IC621]" in (
        result.stderr
    )


# --- CSV details ---------------------------------------------------------------------------


def test_rejected_lines_are_named_and_later_rows_keep_their_lines(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv",
        "case,time,team\n"
        "C1,2026-01-01T10:00,A\n"
        "C1,2026-01-01T11:00,B,extra\n"  # 3: too many cells
        "C1,2026-01-01T12:00\n"  # 4: too few
        "C2,soon,A\n"  # 5: the first row after them, on its true line
        "C2,never,B\n"  # 6
        "C2,2026-01-01T10:00,A,x\n"  # 7: too many
        "C3,later,A\n",  # 8
    )
    found = _found(read_event_logs([log]))
    assert f"{log}:3:1: warning: line left out: more cells than the header [IC620]" in found
    assert f"{log}:4:1: warning: line left out: fewer cells than the header [IC620]" in found
    assert f"{log}:7:1: warning: line left out: more cells than the header [IC620]" in found
    for line, time in ((5, "soon"), (6, "never"), (8, "later")):
        assert (
            f"{log}:{line}:1: warning: event left out: time {time!r} is not a timestamp icmap "
            "reads [IC620]"
        ) in found


def test_an_unclosed_quote_is_named_with_its_line(tmp_path: Path) -> None:
    quoted = 'C0,2026-01-01T10:00,"A, the first"\n' * 30_000
    log = _write(
        tmp_path / "log.csv",
        "case,time,team\n" + quoted + 'C1,2026-01-02T10:00,"B\nC2,2026-01-02T10:00,A\n',
    )
    result = read_event_logs([log])
    assert (
        f"{log}:30002:1: warning: line left out: a quote left open (or text after a closing quote) [IC620]"
        in _found(result)
    )
    assert result.counts["events read"] == 30_000


def test_latin1_lines_are_findings_and_the_utf8_ones_read(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv",
        b"case,time,team\nC1,2026-01-01T10:00,A\n"
        + "C1,2026-01-01T11:00,K\u00fcche\n".encode("latin-1")
        + "C1,2026-01-01T12:00,K\u00fcche\n".encode()
        + b"C1,2026-01-01T13:00,A\n",
    )
    result = read_event_logs([log])
    assert _found(result) == [f"{log}:3:1: warning: line left out: not UTF-8 text [IC620]"]
    assert set(_pairs(result)) >= {("A", "Küche"), ("Küche", "A")}


def test_nul_bytes_in_a_team_are_a_finding_and_in_an_activity_dropped(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv",
        b"case,time,team,activity\nC1,2026-01-01T10:00,A\x00B,x\n"
        b"C1,2026-01-01T11:00,A,ma\x00il\nC1,2026-01-01T12:00,B,y\n\x00\x00\x00\n",
    )
    result = read_event_logs([log])
    found = _found(result)
    assert (
        f"{log}:2:1: warning: event left out: the team 'A\\x00B' has a control character "
        "(such as NUL or ESC) [IC620]" in found
    )
    assert any(f.startswith(f"{log}:5:1: warning: ") for f in found), found
    org = result.org
    assert org is not None and [r.what for r in org.relations if r.receiver == "B"] == ["y"]
    assert list(org.teams) == ["A", "B"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("semicolon.csv", "\ufeffcase;time;team\nC1;2026-01-01T10:00;A\nC1;2026-01-01T12:00;B\n"),
        ("tab.tsv", "case\ttime\tteam\nC1\t2026-01-01T10:00\tA\nC1\t2026-01-01T12:00\tB\n"),
    ],
)
def test_delimiters_and_a_bom(tmp_path: Path, name: str, text: str) -> None:
    result = read_event_logs([_write(tmp_path / name, text)])
    assert result.diagnostics == []
    measured = _pairs(result)["A", "B"]
    assert measured.median.hours == 2.0  # type: ignore[attr-defined]


def test_a_gzipped_csv_reads_as_the_plain_one(tmp_path: Path) -> None:
    log = tmp_path / "log.csv.gz"
    log.write_bytes(gzip.compress((HEADER + _events(3)).encode()))
    result = read_event_logs([log])
    assert result.counts["events read"] == 6 and result.diagnostics == []


def test_a_json_line_that_is_not_json_stops_with_a_clear_error(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.jsonl",
        '{"case": "C1", "time": "2026-01-01T10:00:00Z", "team": "A"}\n{"case": "C1", oops\n',
    )
    with pytest.raises(LoadError) as raised:
        read_event_logs([log])
    [bad] = raised.value.diagnostics
    assert bad.format().startswith(f"{log}:2:16: error: this line is not JSON (Expecting ")


def test_every_json_line_that_is_no_event_is_said_at_its_line(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.jsonl",
        'not json\n{"case": "C1", "time": "2026-01-01T10:00:00Z", "team": "A"}\n\n[1, 2]\n'
        '{"case": oops}\n',
    )
    done = CliRunner().invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert [line for line in done.stderr.splitlines() if "[IC620]" in line] == [
        f"{log}:1:1: error: this line is not JSON (Expecting value) [IC620]",
        f"{log}:4:1: error: this line is a list, not a JSON object [IC620]",
        f"{log}:5:10: error: this line is not JSON (Expecting value) [IC620]",
    ]
    assert not (tmp_path / "o").exists()


def test_json_lines_giving_a_key_values_of_several_types(tmp_path: Path) -> None:
    # One time written as a number makes DuckDB type the column JSON: the others must not be
    # read with their quotes, nor the teams named with theirs.
    log = _write(
        tmp_path / "log.jsonl",
        '{"case": "C1", "team": "A", "time": "2026-03-02T01:00:00Z"}\n'
        '{"case": "C1", "team": "B", "time": 1772445600}\n'
        '{"case": "C1", "team": {"name": "X"}, "time": "2026-03-02T11:00:00Z"}\n',
    )
    result = read_event_logs([log])
    assert _found(result) == [f"{log}:3:1: warning: event left out: no team [IC620]"]
    measured = _pairs(result)[("A", "B")]
    assert measured.median.hours == 9  # type: ignore[attr-defined]


def test_typed_parquet_times_keep_their_zone(tmp_path: Path) -> None:
    import duckdb

    log = tmp_path / "log.parquet"
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'Europe/Berlin'")
    connection.execute(
        f"""COPY (SELECT * FROM (VALUES
            ('C1', TIMESTAMPTZ '2026-03-29 01:30:00+01', 'A'),
            ('C1', TIMESTAMPTZ '2026-03-29 03:30:00+02', 'B'),
            ('C2', TIMESTAMPTZ '2026-01-01 10:00:00+00', 'A'),
            ('C2', TIMESTAMPTZ '2026-01-01 13:00:00+00', 'B')) t(case_id, ts, team))
            TO '{log}'"""
    )
    naive = tmp_path / "naive.parquet"
    connection.execute(
        f"COPY (SELECT 'C1' AS case_id, TIMESTAMP '2026-01-01 10:00' + INTERVAL (h) HOUR AS ts, "
        f"['A', 'B'][h + 1] AS team FROM range(2) t(h)) TO '{naive}'"
    )
    result = read_event_logs([log], EventLogOptions(time="ts"))
    assert result.diagnostics == []
    measured = _pairs(result)["A", "B"]
    # 01:30+01 to 03:30+02 is one hour (the clocks went forward), 10:00 to 13:00 three.
    assert measured.median.hours == 2.0  # type: ignore[attr-defined]
    assert measured.p85.hours == pytest.approx(2.7)  # type: ignore[attr-defined]
    naive_result = read_event_logs([naive], EventLogOptions(time="ts"))
    assert _pairs(naive_result)["A", "B"].median.hours == 1.0  # type: ignore[attr-defined]


def test_times_out_of_order_are_sorted_ties_in_file_order(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv",
        HEADER
        + "C1,2026-01-01T12:00,C\n"
        + "C1,2026-01-01T10:00,A\n"
        + "C1,2026-01-01T11:00,B\n"
        + "C1,2026-01-01T11:00,A\n",  # a tie with B: after it, as in the file
    )
    pairs = _pairs(read_event_logs([log]))
    assert set(pairs) == {("A", "B"), ("B", "A"), ("A", "C"), ("C", "log")}
    assert pairs["A", "B"].median.hours == 1.0  # type: ignore[attr-defined]


# --- XES -----------------------------------------------------------------------------------

XES_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<log xmlns="http://www.xes-standard.org/">\n'


def _xes(path: Path, body: str) -> Path:
    return _write(path, XES_HEAD + body + "</log>\n")


def _event(time: str | None, team: str | None, extra: str = "") -> str:
    parts = [f'<string key="org:group" value="{team}"/>' if team else ""]
    parts.append(f'<date key="time:timestamp" value="{time}"/>' if time else "")
    return "<event>" + "".join(parts) + extra + "</event>\n"


def test_xes_globals_trace_attributes_and_nesting(tmp_path: Path) -> None:
    log = _xes(
        tmp_path / "log.xes",
        '<global scope="event"><string key="org:group" value="Triage"/>'
        '<date key="time:timestamp" value="1970-01-01T00:00:00"/></global>\n'
        '<string key="concept:name" value="Permits"/>\n'
        '<trace><string key="concept:name" value="T1"/><string key="channel" value="web"/>\n'
        + _event("2026-01-01T10:00:00+00:00", None)  # takes the global team
        + _event(
            "2026-01-01T12:00:00+00:00",
            "Review",
            '<list key="tags"><values><string key="org:group" value="Nested"/></values></list>'
            '<string key="note" value="n"><string key="org:group" value="Meta"/></string>',
        )
        + _event(None, "Review")  # no time: never the global's 1970
        + "</trace>\n<trace>\n"
        + _event("2026-01-02T10:00:00+00:00", "Review")  # a trace without a name
        + "</trace>\n",
    )
    result = read_event_logs([log])
    assert _found(result) == [
        f"{log}:8:1: warning: event left out (trace 1, event 3): no time [IC620]",
        f"{log}:11:1: warning: event left out (trace 2, event 1): no case [IC620]",
    ]
    pairs = _pairs(result)
    assert set(pairs) == {("Triage", "Review"), ("Review", "Permits")}
    assert pairs["Triage", "Review"].median.hours == 2.0  # type: ignore[attr-defined]


def test_an_xes_entity_bomb_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE log [\n<!ENTITY a "aaaaaaaaaa">\n'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(8))
        + ']>\n<log><trace><event><string key="org:group" value="&i;"/></event></trace></log>\n'
    )
    log = _write(tmp_path / "bomb.xes", bomb)
    with pytest.raises(UsageError) as caught:
        read_event_logs([log])
    assert str(caught.value) == (
        f"{log}:3:1: refused: an entity declaration ('a'): an XES log needs none, and icmap "
        "expands none (entities can make a small file huge)"
    )


def test_an_xes_external_entity_is_refused_and_nothing_fetched(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "xxe.xes",
        '<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<log><trace><event><string key="org:group" value="&x;"/></event></trace></log>\n',
    )
    result = CliRunner().invoke(app, ["report", "--from", "events", str(log)])
    assert result.exit_code == 2
    assert (
        f"{log}:2:1: refused: an external entity 'x' (file:///etc/passwd): icmap fetches nothing"
        in result.stderr
    )
    assert "root:" not in result.output


def test_a_trace_attribute_after_an_event_applies_to_the_events_after_it_only(
    tmp_path: Path,
) -> None:
    log = _xes(
        tmp_path / "log.xes",
        "<trace>\n"
        + _event("2026-01-01T10:00:00+00:00", "A")  # before the trace's name: no case
        + '<string key="concept:name" value="T1"/>\n'
        + _event("2026-01-01T11:00:00+00:00", "B")
        + _event("2026-01-01T12:00:00+00:00", "C")
        + "</trace>\n",
    )
    result = read_event_logs([log])
    assert _found(result) == [
        f"{log}:4:1: warning: event left out (trace 1, event 1): no case [IC620]"
    ]
    pairs = _pairs(result)
    assert ("B", "C") in pairs
    assert not any("A" in pair for pair in pairs)  # the event before the name is left out


def test_xes_nesting_too_deep_is_refused_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xes, "MAX_DEPTH", 10)
    log = _xes(tmp_path / "deep.xes", "<trace>\n" + "<list>" * 20 + "\n")
    with pytest.raises(LoadError) as caught:
        read_event_logs([log])
    assert (
        caught.value.diagnostics[0]
        .format()
        .startswith(
            f"{log}:4:1: error: elements nested deeper than 10 levels, the most icmap reads [IC621]"
        )
    )


def test_an_xes_tag_too_long_is_refused_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_LINE_BYTES", 100_000)
    log = _xes(
        tmp_path / "long.xes",
        '<trace><event><string key="org:group" value="' + "x" * 1_000_000 + '"/></event></trace>',
    )
    with pytest.raises(LoadError) as caught:
        read_event_logs([log])
    assert "more than 100,000 bytes without a tag ending" in caught.value.diagnostics[0].message


def test_a_gzipped_xes_that_unpacks_too_far_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_FILE_BYTES", 100_000)
    body = "<trace>" + _event("2026-01-01T10:00:00", "A") * 10_000 + "</trace>"
    log = tmp_path / "log.xes.gz"
    log.write_bytes(gzip.compress((XES_HEAD + body + "</log>").encode()))
    assert log.stat().st_size < 100_000
    with pytest.raises(LoadError) as caught:
        read_event_logs([log])
    assert "unpacks to more than 100,000 bytes" in caught.value.diagnostics[0].message


def test_xes_events_past_the_count_and_too_long_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_CASE_EVENTS", 3)
    trace = '<trace><string key="concept:name" value="{}"/>\n{}</trace>\n'
    log = _xes(
        tmp_path / "log.xes",
        trace.format("BIG", _event("2026-01-01T10:00:00", "A") * 4)
        + trace.format(
            "T2", _event("2026-01-01T10:00:00", "A") + _event("2026-01-01T11:00:00", "B")
        ),
    )
    result = read_event_logs([log])
    assert _found(result) == [
        f"{log}:4:1: warning: case 'BIG' left out: 4 events, more than the 3 icmap reads in "
        "one case [IC621]"
    ]
    monkeypatch.setattr(read, "MAX_EVENTS", 2)
    result = read_event_logs([log])
    assert _found(result) == [
        f"{log}:6:1: warning: more than 2 events in the log: this one and every one after it "
        "left out [IC621]"
    ]


# --- progress ------------------------------------------------------------------------------


def test_reading_reports_its_steps_to_a_callback(tmp_path: Path) -> None:
    steps: list[str] = []
    log = _write(tmp_path / "log.csv", HEADER + _events(2))
    read_event_logs([log], EventLogOptions(progress=steps.append))
    assert steps == [f"reading {log}", "measuring 4 events: stays and hand-offs"]


def test_a_zone_written_as_an_abbreviation_is_not_guessed(tmp_path: Path) -> None:
    # IST is India, Ireland or Israel; CST the US or China: DuckDB picks one without a word.
    log = _write(
        tmp_path / "log.csv",
        "case,team,time\nX1,A,2026-03-02T10:00:00 IST\nX1,B,2026-03-02T10:00:00 CST\n"
        "X1,C,2026-03-02T10:00:00 UTC\nX1,D,2026-03-02T11:00:00Z\n",
    )
    result = read_event_logs([log])
    assert _found(result) == [
        f"{log}:2:1: warning: event left out: time '2026-03-02T10:00:00 IST' names its zone "
        "by an abbreviation, which can mean several zones [IC620]",
        f"{log}:3:1: warning: event left out: time '2026-03-02T10:00:00 CST' names its zone "
        "by an abbreviation, which can mean several zones [IC620]",
    ]
    assert _pairs(result)[("C", "D")].median.hours == 1  # type: ignore[attr-defined]
    # Nor with a --time-format whose %Z would read it.
    given = read_event_logs([log], EventLogOptions(time_format="%Y-%m-%dT%H:%M:%S %Z"))
    assert [d.line for d in given.diagnostics if "abbreviation" in d.message] == [2, 3]


def test_a_time_not_matching_the_format_given_says_so(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv",
        "case,team,time\nX1,A,02/03/2026\nX1,B,2026-03-03T00:00:00Z\nX1,C,04/03/2026\n",
    )
    result = read_event_logs([log], EventLogOptions(time_format="%d/%m/%Y"))
    [said] = result.diagnostics
    assert said.format().split("\n") == [
        f"{log}:3:1: warning: event left out: time '2026-03-03T00:00:00Z' does not match "
        "--time-format '%d/%m/%Y' [IC620]",
        "  hint: give the format the times are written in, or leave --time-format out",
    ]
