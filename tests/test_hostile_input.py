"""Hostile input found by an outside attack run (issue 12): each case ends fast and clearly.

The real ``icmap`` runs in a child process under a memory limit: a crash by signal, a hang, a
traceback or a blow-up fails the test. FIFOs, devices and symlinks are made at test time.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, load_failure, write

#: Kills a child that hangs (a FIFO read forever, a loop): not a speed limit, which would fail
#: at random on a busy machine. How fast each case ends is benchmarks/attacks.py's to measure;
#: here the bounds are the ones the code counts (entries, depth, node visits) and memory.
HANG = 600.0
MEMORY = 1024 * 1024 * 1024


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 * MEMORY, 3 * MEMORY))


def icmap(*args: str, cwd: Path | None = None, module: bool = True) -> tuple[int, str, str]:
    """Run ``icmap args`` in a child; fail on a signal, a traceback, a hang or > 1 GB.
    ``module=False`` runs ``python args`` instead."""
    process = subprocess.Popen(
        [sys.executable, *(["-m", "icmap"] if module else []), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit,  # noqa: PLW1509 -- the tests start no threads
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    try:
        out, err = process.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    stderr = err.decode("utf-8", "replace")
    assert process.returncode >= 0, f"killed by signal {-process.returncode}"
    assert "Traceback" not in stderr, stderr
    assert peak < MEMORY, f"peaked at {peak / 2**20:.0f} MiB"
    return process.returncode, out.decode("utf-8", "replace"), stderr


# --- 1. nesting depth --------------------------------------------------------------------------

DEEP = {
    "flow-unclosed-under-x": ("x-deep: " + "[" * 50_000 + "\n", "1:108"),
    "flow-closed-at-root": ("[" * 100_000 + "]" * 100_000 + "\n", "1:101"),
    "flow-mappings": ("teams: " + "{a: " * 50_000 + "\n", "1:404"),
    "block-mappings": ("".join(" " * i + f"k{i}:\n" for i in range(150)), "101:101"),
}


@pytest.mark.parametrize("case", sorted(DEEP))
def test_deep_nesting_is_refused_with_a_position(case: str, tmp_path: Path) -> None:
    text, at = DEEP[case]
    path = write(tmp_path, "d.yaml", text)
    code, _, err = icmap("report", str(path))
    assert code == 2
    assert err.startswith(f"{path}:{at}: error: nesting deeper than 100 levels [IC009]"), err


def test_nesting_within_the_limit_still_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", MINIMAL + "x-deep: " + "[" * 90 + "]" * 90 + "\n")
    code, _, err = icmap("graph", str(path), "-f", "json")
    assert code == 0, err


# --- 2. only regular files, bounded reads ------------------------------------------------------


def test_a_fifo_given_directly_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "org.yaml"
    os.mkfifo(fifo)
    code, _, err = icmap("report", str(fifo))
    assert code == 2
    assert err.startswith(f"{fifo}:1:1: error: cannot read: a named pipe (FIFO)"), err


def test_a_fifo_inside_an_org_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "org", "teams.yaml", MINIMAL)
    os.mkfifo(tmp_path / "org" / "zz.yaml")
    code, out, _ = icmap("check", str(tmp_path / "org"), "-f", "json")
    assert code == 1
    findings = json.loads(out)["findings"]
    assert [(f["file"], f["code"]) for f in findings] == [
        (str(tmp_path / "org" / "zz.yaml"), "IC001")
    ]
    assert "FIFO" in findings[0]["message"]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_link_to_a_device_is_refused(device: str, tmp_path: Path) -> None:
    link = tmp_path / "org.yaml"
    link.symlink_to(device)
    code, _, err = icmap("report", str(link))
    assert code == 2
    assert err.startswith(f"{link}:1:1: error: cannot read: a character device"), err


def test_a_file_that_grows_past_the_limit_is_not_read_to_the_end(tmp_path: Path) -> None:
    from icmap.loader import source

    big = tmp_path / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(source.MAX_FILE_BYTES + 1)
    code, _, err = icmap("report", str(big))
    assert code == 2
    assert f"{big}:1:1: error: file is over 67,108,864 bytes" in err


# --- 3. entries, diagnostics, memory -----------------------------------------------------------


def test_a_million_customers_are_refused_early(tmp_path: Path) -> None:
    text = "customers:\n" + "".join(f"  c{i}:\n" for i in range(1_000_000))
    path = write(tmp_path, "org.yaml", text)  # 10.9 MB
    code, _, err = icmap("report", str(path), "-f", "json")
    assert code == 2
    first = err.splitlines()[0]
    assert (
        first == f"{path}:200002:3: error: more than 200,000 entries in one mapping or list [IC009]"
    )


def test_a_million_unknown_keys_in_one_team_are_refused(tmp_path: Path) -> None:
    keys = "".join(f"    k{i}: 1\n" for i in range(1_000_000))
    path = write(tmp_path, "org.yaml", "customers: {c: {}}\nteams:\n  a:\n" + keys)
    code, out, _ = icmap("check", str(path), "-f", "json")
    assert code == 1
    [finding] = json.loads(out)["findings"]
    assert (finding["code"], finding["line"], finding["col"]) == ("IC009", 200004, 5)


def test_a_one_line_flow_map_of_300k_teams_is_refused(tmp_path: Path) -> None:
    teams = ", ".join(f"t{i}: {{provides: [{{what: x, to: c}}]}}" for i in range(300_000))
    path = write(tmp_path, "org.yaml", "{customers: {c: {}}, teams: {" + teams + "}}\n")
    code, _, err = icmap("graph", str(path), "-f", "json")
    assert code == 2
    assert "more than 200,000 entries in one mapping or list [IC009]" in err.splitlines()[0]


def test_200k_dangling_references_are_counted_not_listed(tmp_path: Path) -> None:
    targets = ", ".join(f"nobody{i}" for i in range(200_000))
    text = f"customers: {{c: {{}}}}\nteams:\n  a: {{provides: [{{what: x, to: [{targets}]}}]}}\n"
    path = write(tmp_path, "org.yaml", text)
    code, _, err = icmap("report", str(path))
    assert code == 2
    lines = err.splitlines()
    assert len([line for line in lines if "[IC101]" in line]) == 101
    assert "…and 199,900 more IC101 (dangling-reference) problems in this file [IC101]" in err


def test_repeated_diagnostics_are_capped_in_check_output_too(tmp_path: Path) -> None:
    targets = ", ".join(f"u{i}" for i in range(150))
    path = write(
        tmp_path,
        "org.yaml",
        f"customers: {{c: {{}}}}\nteams:\n  a: {{provides: [{{what: x, to: [{targets}]}}]}}\n",
    )
    code, out, _ = icmap("check", str(path), "-f", "json")
    assert code == 1
    messages = [f["message"] for f in json.loads(out)["findings"]]
    assert len(messages) == 101
    assert messages[-1] == "…and 50 more IC101 (dangling-reference) problems in this file"


# --- 6. links leaving the org folder, files that are not YAML ----------------------------------

SECRET = "https://user:ghp_s3cretT0kenValue@github.com"


def test_a_link_out_of_the_org_folder_is_not_followed(tmp_path: Path) -> None:
    secret = write(tmp_path, "git-credentials", SECRET + "\n")
    org = tmp_path / "org"
    write(org, "teams.yaml", MINIMAL)
    (org / "creds.yaml").symlink_to(secret)
    for args in (["report", str(org)], ["check", str(org), "-f", "sarif"]):
        code, out, err = icmap(*args)
        assert code in (1, 2)
        assert "ghp_" not in out and "ghp_" not in err
        assert f"{org / 'creds.yaml'}" in out + err
        assert "symbolic link to a place outside the org folder" in out + err


def test_a_folder_link_out_of_the_org_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    write(outside, "secret.yaml", SECRET + "\n")
    org = tmp_path / "org"
    write(org, "teams.yaml", MINIMAL)
    (org / "shared").symlink_to(outside, target_is_directory=True)
    code, _, err = icmap("report", str(org))
    assert code == 2
    assert "ghp_" not in err
    assert err.startswith(f"{org / 'shared'}:1:1: error: not read: a symbolic link"), err


def test_links_inside_the_org_folder_are_followed(tmp_path: Path) -> None:
    org = tmp_path / "org"
    write(org, "real/teams.yaml", MINIMAL)
    (org / "alias").symlink_to(org / "real", target_is_directory=True)
    code, _, err = icmap("graph", str(org / "alias"), "-f", "json")
    assert code == 0, err


def test_a_file_that_is_not_yaml_is_not_quoted(tmp_path: Path) -> None:
    path = write(tmp_path, "creds.yaml", SECRET + "\n")
    code, out, err = icmap("check", str(path), "-f", "sarif")
    assert code == 1
    assert "ghp_" not in out + err
    assert "this does not look like an org file" in out


# --- 9, 11: values and tags --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead_time", "col"), [("1" + "0" * 307 + "w", 46), ("1000000001h", 46), ("9" * 400 + "d", 46)]
)
def test_lead_times_that_are_not_finite_in_hours_are_refused(
    org_file, lead_time: str, col: int
) -> None:
    text = f"customers: {{c: {{}}}}\nteams:\n  a: {{provides: [{{what: x, to: c, lead_time: {lead_time}}}]}}\n"
    found = load_failure(org_file(text))
    assert [(d.code, d.line, d.col) for d in found] == [("IC007", 3, col)]
    assert "is too large" in found[0].message


def test_large_lead_time_sums_stay_finite_in_json(tmp_path: Path) -> None:
    chain = "".join(
        f"  t{i}: {{provides: [{{what: x, to: {'c' if i == 0 else f't{i - 1}'}, lead_time: 5950000w}}]}}\n"
        for i in range(50)
    )
    path = write(tmp_path, "org.yaml", "customers: {c: {}}\nteams:\n" + chain)
    code, out, err = icmap("report", str(path), "-f", "json")
    assert code == 0, err
    json.loads(out, parse_constant=_no_constants)


def _no_constants(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")


TAGGED = {
    "python tag on a team id": "  !!python/object/apply:os.system kitchen: {}\n",
    "binary tag on an id": "  !!binary aGVsbG8=: {}\n",
    "custom tag on a to list": "  a: {provides: [{what: x, to: !custom [c]}]}\n",
    "custom tag on a team mapping": "  a: !custom {provides: [{what: x, to: c}]}\n",
    "custom tag on provides": "  a: {provides: !seq [{what: x, to: c}]}\n",
}


@pytest.mark.parametrize("case", sorted(TAGGED))
def test_tags_on_keys_lists_and_mappings_are_errors(org_file, case: str) -> None:
    found = load_failure(org_file("customers: {c: {}}\nteams:\n" + TAGGED[case]))
    assert any(d.code == "IC003" and "unsupported tag" in d.message for d in found), found


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", '"A\\0B"'),
        ("name", '"clear\\e[2J"'),
        ("group", '"csi\\x9b31m"'),
        ("description", '"bell\\a"'),
        ("lead", '"del\\x7f"'),
    ],
)
def test_control_characters_are_refused_where_written(org_file, field: str, value: str) -> None:
    found = load_failure(org_file(f"customers: {{c: {{}}}}\nteams:\n  a: {{{field}: {value}}}\n"))
    assert [(d.code, d.line) for d in found] == [("IC007", 3)]
    assert "control character" in found[0].message


def test_control_characters_in_ids_and_what_are_refused(org_file) -> None:
    text = 'customers: {c: {}}\nteams:\n  "k\\eid": {}\n  b: {provides: [{what: "x\\0y", to: c}]}\n'
    found = load_failure(org_file(text))
    assert {(d.code, d.line, d.col) for d in found} == {("IC007", 3, 3), ("IC007", 4, 25)}


def test_tabs_newlines_and_bidi_text_still_load(org_file) -> None:
    from icmap.loader import load

    text = 'customers: {c: {name: "a\\tb"}}\nteams:\n  a: {name: "\\u202eevil", provides: [{what: "x\\ny", to: c}]}\n'
    assert load(org_file(text)).teams["a"].name == "\u202eevil"


# --- 30. event logs ----------------------------------------------------------------------------
# Files in tests/corpus/events; the logs too big to commit are made here, at small limits set in
# the child (the real sizes are benchmarks/attacks.py's). Each ends in a clear finding.

EVENTS = Path(__file__).parent / "corpus" / "events"


def icmap_limited(limits: dict[str, int], *args: str) -> tuple[int, str, str]:
    """``icmap args`` in a child whose event log limits (icmap.eventlog.read) are ``limits``."""
    setting = "; ".join(f"r.{name} = {value}" for name, value in limits.items())
    code = f"import sys; import icmap.eventlog.read as r; {setting}; from icmap.cli import main; "
    code += f"sys.argv = ['icmap', *{list(args)!r}]; main()"
    return icmap("-c", code, module=False)


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (
            "entity-bomb.xes",
            ":3:1: refused: an entity declaration ('a'): an XES log needs none, and icmap expands "
            "none (entities can make a small file huge)",
        ),
        (
            "external-entity.xes",
            ":2:1: refused: an external entity 'x' (file:///etc/passwd): icmap fetches nothing",
        ),
    ],
)
def test_xes_entities_are_refused(name: str, said: str, tmp_path: Path) -> None:
    path = EVENTS / name
    code, out, err = icmap("report", "--from", "events", str(path))
    assert code == 2
    assert err == f"icmap: error: {path}{said}\n"
    assert "root:" not in out + err


def test_nul_bytes_and_latin1_lines_are_findings(tmp_path: Path) -> None:
    nul, latin1 = EVENTS / "nul-bytes.csv", EVENTS / "latin1.csv"
    code, out, _ = icmap("check", "--from", "events", str(nul), "-f", "json")
    assert code in (0, 1)
    found = [(f["line"], f["code"], f["message"]) for f in json.loads(out)["findings"]]
    assert (
        2,
        "IC620",
        "event left out: the team 'A\\x00B' has a control character (such as NUL or ESC)",
    ) in found
    assert (5, "IC620", "line left out: fewer cells than the header") in found
    code, out, _ = icmap("check", "--from", "events", str(latin1), "-f", "json")
    found = [(f["line"], f["code"], f["message"]) for f in json.loads(out)["findings"]]
    assert (3, "IC620", "line left out: not UTF-8 text") in found


def test_events_out_of_order_are_sorted(tmp_path: Path) -> None:
    code, out, err = icmap(
        "graph", "--from", "events", str(EVENTS / "out-of-order.csv"), "-f", "json"
    )
    assert code == 0, err
    edges = {(e["source"], e["target"]) for e in json.loads(out)["links"]}
    assert {("A", "B"), ("B", "A"), ("A", "C")} <= edges


def test_a_long_line_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "log.csv", "case,time,team\nC1,2026-01-01,A\nC1,2026-01-01," + "x" * 5000 + "\n"
    )
    code, _, err = icmap_limited({"MAX_LINE_BYTES": 1000}, "report", "--from", "events", str(path))
    assert code == 2
    assert err.startswith(f"{path}:3:1: error: a line longer than 1,000 bytes"), err


def test_a_case_of_a_million_events_is_left_out(tmp_path: Path) -> None:
    rows = "".join(f"BIG,2026-01-01T10:{i % 60:02d},{'AB'[i % 2]}\n" for i in range(2000))
    path = write(tmp_path, "log.csv", "case,time,team\nC1,2026-01-01,A\nC1,2026-01-02,B\n" + rows)
    code, out, _ = icmap_limited(
        {"MAX_CASE_EVENTS": 1000}, "check", "--from", "events", str(path), "-f", "json"
    )
    assert code in (0, 1)
    found = [(f["line"], f["code"], f["message"]) for f in json.loads(out)["findings"]]
    assert (
        4,
        "IC621",
        "case 'BIG' left out: 2,000 events, more than the 1,000 icmap reads in one case",
    ) in found


def test_a_billion_event_parquet_stops_at_the_count(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "claim.parquet"
    duckdb.connect().execute(
        "COPY (SELECT 'C' || (i // 2) AS case_id, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND "
        f"AS time, ['A', 'B'][i % 2 + 1] AS team FROM range(1000000) t(i)) TO '{path}'"
    )
    code, out, _ = icmap_limited(
        {"MAX_EVENTS": 1000}, "check", "--from", "events", str(path), "-f", "json"
    )
    assert code in (0, 1)
    found = [(f["line"], f["code"], f["message"]) for f in json.loads(out)["findings"]]
    assert (
        1001,
        "IC621",
        "more than 1,000 events in the log: this one and every one after it left out",
    ) in found


def test_a_gzip_bomb_of_xes_stops_at_the_unpacked_limit(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "bomb.xes.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(b'<?xml version="1.0"?>\n<log><trace><string key="concept:name" value="C"/>')
        event = (
            b'<event><string key="org:group" value="A"/>'
            b'<date key="time:timestamp" value="2026-01-01T10:00:00"/></event>\n'
        )
        for _ in range(200):
            stream.write(event * 10_000)
    code, _, err = icmap_limited(
        {"MAX_FILE_BYTES": 50_000_000}, "report", "--from", "events", str(path)
    )
    assert code == 2
    assert "unpacks to more than 50,000,000 bytes" in err, err


def test_one_loop_of_thousands_of_teams_is_analysed_within_bounds(tmp_path: Path) -> None:
    """2,000 teams handing work to each other in one loop (a measured org where tickets
    bounce between groups): report and check finish under the memory bound; before, the
    critical paths inside the loop kept a path between every two teams (9 GB here)."""
    rows = ["provider,receiver,what,lead_time"]
    teams = 2_000
    for n in range(20_000):
        provider = n // 10
        receiver = "customer" if n % 10 == 9 else f"t{(provider + n % 10 + 1) % teams}"
        rows.append(f"t{provider},{receiver},w{n},{n % 7 + 1}h")
    table = write(tmp_path, "handoffs.csv", "\n".join(rows) + "\n")
    code, out, err = icmap("report", "--from", "csv", str(table), "-f", "json")
    assert code == 0, err
    report = json.loads(out)
    assert [len(loop) for loop in report["approximated_loops"]] == [teams]
    [path] = report["critical_paths"]
    assert path["customer"] == "customer" and path["exact"] is False
    code, out, err = icmap("check", "--from", "csv", str(table), "-f", "json")
    assert code in (0, 1), err
