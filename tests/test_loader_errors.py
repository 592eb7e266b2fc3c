"""Every kind of bad input gets a positioned diagnostic with a stable code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL, load_failure, write
from icmap.errors import UsageError
from icmap.loader import load
from icmap.loader.discover import find_org

# (id, file content, [(line, col, code, fragment of the message or hint)])
CASES: list[tuple[str, str | bytes, list[tuple[int, int, str, str]]]] = [
    ("empty file", "", [(1, 1, "IC008", "the org is empty")]),
    ("only comments", "# nothing here\n# at all\n", [(1, 1, "IC008", "the org is empty")]),
    ("NUL byte", b"teams:\n  a\x00b: {}\n", [(2, 4, "IC001", "unreadable character")]),
    ("binary", bytes(range(1, 9)) * 4, [(1, 1, "IC001", "unreadable character")]),
    ("latin-1", "customers: {caf\xe9: {}}\n".encode("latin-1"), [(1, 16, "IC001", "not UTF-8")]),
    ("scalar root", "hello\n", [(1, 1, "IC003", "must be a mapping, found text")]),
    ("list root", "- a\n- b\n", [(1, 1, "IC003", "must be a mapping, found a list")]),
    ("teams is a list", "customers: {c: {}}\nteams: [a, b]\n", [(2, 8, "IC003", "found a list")]),
    ("teams is null", "customers: {c: {}}\nteams:\n", [(2, 7, "IC003", "found null")]),
    (
        "team body is text",
        "customers: {c: {}}\nteams:\n  a: kitchen\n",
        [(3, 6, "IC003", "team 'a' must be a mapping, found 'kitchen'")],
    ),
    (
        "provides is a mapping",
        "customers: {c: {}}\nteams:\n  a:\n    provides: {what: X, to: c}\n",
        [(4, 15, "IC003", "must be a list, found a mapping")],
    ),
    (
        "provides entry is null",
        "customers: {c: {}}\nteams:\n  a:\n    provides:\n      -\n",
        [(5, 8, "IC003", "must be a mapping, found null")],
    ),
    (
        "what is a list",
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: [x], to: c}]}\n",
        [(3, 25, "IC003", "what must be text, found a list")],
    ),
    (
        "to is a mapping",
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: {c: 1}}]}\n",
        [(3, 32, "IC003", "to must be text, found a mapping")],
    ),
    (
        "to is an empty list",
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: []}]}\n",
        [(3, 32, "IC007", "empty list")],
    ),
    (
        "name is null",
        "customers: {c: {}}\nteams:\n  a: {name: null}\n",
        [(3, 13, "IC003", "name of team 'a' must be text, found null")],
    ),
    (
        "duplicate top-level key",
        "customers: {c: {}}\nteams: {}\nteams: {}\n",
        [
            (
                3,
                1,
                "IC006",
                "duplicate key 'teams' in the top level of an org file (first at line 2)",
            )
        ],
    ),
    (
        "duplicate team id in one file",
        "customers: {c: {}}\nteams:\n  a: {}\n  a: {}\n",
        [(4, 3, "IC006", "duplicate key 'a'")],
    ),
    (
        "duplicate key in a team",
        "customers: {c: {}}\nteams:\n  a:\n    lead: X\n    lead: Y\n",
        [(5, 5, "IC006", "duplicate key 'lead' in team 'a'")],
    ),
    (
        "duplicate key in a relation",
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, what: y, to: c}]}\n",
        [(3, 28, "IC006", "duplicate key 'what'")],
    ),
    (
        "python object tag",
        "!!python/object/apply:os.system [echo hacked]\n",
        [(1, 1, "IC003", "unsupported tag '!!python/object/apply:os.system'")],
    ),
    (
        "unknown local tag",
        "customers: {c: {}}\nteams:\n  a: {name: !secret x}\n",
        [(3, 13, "IC003", "unsupported tag '!secret'")],
    ),
    (
        "syntax error",
        "customers: {c: {}\nteams: {}\n",
        [(1, 12, "IC002", "YAML syntax: did not find expected ',' or '}'")],
    ),
    ("two documents", MINIMAL + "---\nteams: {}\n", [(8, 1, "IC002", "single document")]),
    (
        "unknown top-level key",
        "customers: {c: {}}\nteam: {}\n",
        [(2, 1, "IC004", "did you mean 'teams'?")],
    ),
    (
        "misspelt team key",
        "customers: {c: {}}\nteams:\n  a:\n    provide: []\n",
        [(4, 5, "IC004", "did you mean 'provides'?")],
    ),
    (
        "comma in a flow mapping",
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: Checked, timed orders, to: c}]}\n",
        [(3, 34, "IC004", "quote text with commas")],
    ),
    (
        "relation without what and to",
        "customers: {c: {}}\nteams:\n  a: {provides: [{lead_time: 1d}]}\n",
        [(3, 18, "IC005", "has no 'what'"), (3, 18, "IC005", "has no 'to'")],
    ),
    ("negative lead time", "lead_time: -1d", [(0, 0, "IC007", "is negative")]),
    ("lead time without unit", "lead_time: 5", [(0, 0, "IC007", "has no unit")]),
    ("lead time unknown unit", "lead_time: 5s", [(0, 0, "IC007", "unknown unit 's'")]),
    ("lead time 1e400d", "lead_time: 1e400d", [(0, 0, "IC007", "is not a duration")]),
    ("lead time NaN", "lead_time: .nan", [(0, 0, "IC007", "is not a duration")]),
    ("lead time inf", "lead_time: .inf", [(0, 0, "IC007", "is not a duration")]),
    ("satisfaction out of range", "satisfaction: 7", [(0, 0, "IC007", "from 1 to 5")]),
    ("satisfaction not a number", "satisfaction: great", [(0, 0, "IC007", "from 1 to 5")]),
    (
        "unknown reference",
        "customers: {diners: {}}\nteams:\n  a: {provides: [{what: x, to: dinners}]}\n",
        [(3, 32, "IC101", "did you mean 'diners'?")],
    ),
    (
        "reference by name",
        "customers: {diners: {name: Guests}}\nteams:\n  a: {provides: [{what: x, to: guests}]}\n",
        [(3, 32, "IC101", "'guests' is the name of 'diners'; refer to it by id")],
    ),
    (
        "provides to a supplier",
        "customers: {c: {}}\nsuppliers: {s: {}}\nteams:\n  a: {provides: [{what: x, to: s}]}\n",
        [(4, 32, "IC103", "'s' is an outside supplier")],
    ),
    (
        "receives from a customer",
        "customers: {c: {}}\nteams:\n  a: {receives: [{what: x, from: c}]}\n",
        [(3, 34, "IC103", "'c' is an external customer")],
    ),
    (
        "self-provision",
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: [c, a]}]}\n",
        [(3, 36, "IC104", "'a' provides to itself")],
    ),
    (
        "relation declared twice by one side",
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: X, to: c}, {what: x, to: c}]}\n",
        [(3, 36, "IC105", "declared twice by the provider (first at")],
    ),
    ("no customers", "teams:\n  a: {}\n", [(1, 1, "IC008", "no external customers")]),
    ("no teams", "customers: {c: {}}\n", [(1, 1, "IC008", "no teams")]),
    (
        "id defined twice across kinds",
        "customers: {a: {}}\nteams:\n  a: {}\n",
        [(3, 3, "IC102", "duplicate id 'a': already defined as an external customer at")],
    ),
]

_RELATION_TEMPLATE = (
    "customers: {{c: {{}}}}\nteams:\n  a: {{provides: [{{what: x, to: c, {0}}}]}}\n"
)


def _content(content: str | bytes) -> str | bytes:
    if isinstance(content, str) and content.startswith(("lead_time:", "satisfaction:")):
        return _RELATION_TEMPLATE.format(content)
    return content


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_reported_with_position_and_code(
    tmp_path: Path, content: str | bytes, expected: list[tuple[int, int, str, str]]
) -> None:
    path = tmp_path / "org.yaml"
    data = _content(content)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    found = load_failure(path)
    for line, col, code, fragment in expected:
        matches = [d for d in found if d.code == code and fragment in f"{d.message} {d.hint}"]
        assert matches, f"no {code} with {fragment!r} in {[d.format() for d in found]}"
        if line:
            assert (matches[0].line, matches[0].col) == (line, col), matches[0].format()
        assert matches[0].file == str(path)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        """\
        customers: {diners: {}}
        teams:
          kitchen:
            leed: Ana
            provides: [{what: Dishes, to: waitres, lead_time: 5}]
        """,
    )
    write(
        tmp_path,
        "b.yaml",
        "teams:\n  waiters: {provides: [{what: S, to: diners, satisfaction: 9}]}\n",
    )
    codes = sorted(d.code for d in load_failure(tmp_path))
    assert codes == ["IC004", "IC007", "IC007", "IC101"]


def test_duplicate_id_across_files_names_both_places(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", MINIMAL)
    write(tmp_path, "b.yaml", "teams:\n  kitchen: {}\n")
    [problem] = load_failure(tmp_path)
    assert problem.code == "IC102"
    assert (problem.file, problem.line, problem.col) == (str(tmp_path / "b.yaml"), 2, 3)
    assert f"{tmp_path / 'a.yaml'}:4:3" in problem.message


def test_conflicting_organisation_names(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "organisation: One\n" + MINIMAL)
    write(tmp_path, "b.yaml", "organisation: Two\n")
    [problem] = load_failure(tmp_path)
    assert problem.code == "IC106"
    assert "'Two' here but 'One'" in problem.message


def test_a_broken_file_does_not_cascade_into_reference_errors(tmp_path: Path) -> None:
    write(
        tmp_path, "a.yaml", "customers: {diners: {}}\nteams: {a: {provides: [{what: x, to: b}]}}\n"
    )
    write(tmp_path, "b.yaml", "teams: {b: [\n")
    assert [d.code for d in load_failure(tmp_path)] == ["IC002"]


def test_aliases_nested_in_lists_are_not_expanded(org_file) -> None:
    lines = ["x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"x-a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    text = (
        "\n".join(lines) + "\ncustomers: {c: {}}\nteams:\n  t: {provides: [{what: w, to: *a8}]}\n"
    )
    # The ten lists under `to` are one wrong-type problem, reported once at the anchor (line 8).
    assert [(d.code, d.line) for d in load_failure(org_file(text))] == [("IC003", 8)]


def test_alias_bomb_is_refused_within_its_node_budget(org_file) -> None:
    # 1000 teams x 1000 relations x 1000 receivers from a 30 kB file: a billion entries.
    ids = ", ".join(["c"] * 1000)
    relations = ", ".join(["*entry"] * 1000)
    teams = "\n".join(f"  t{i}: {{provides: *rels}}" for i in range(1000))
    text = (
        f"x-to: &to [{ids}]\nx-entry: &entry {{what: w, to: *to}}\nx-rels: &rels [{relations}]\n"
        f"customers: {{c: {{}}}}\nteams:\n{teams}\n"
    )
    # The budget the loader counts (node visits) stops it, not the clock.
    found = load_failure(org_file(text))
    assert any(d.code == "IC009" and "alias" in d.message for d in found)


def test_alias_bomb_in_an_ignored_key_is_harmless(org_file) -> None:
    lines = ["x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"x-a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    assert load(org_file("\n".join(lines) + "\n" + MINIMAL)).teams


def test_deep_nesting_is_refused_before_composing(org_file) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    found = load_failure(org_file(f"customers: {{c: {{}}}}\nteams: {deep}\n"))
    assert [(d.code, d.line, d.col) for d in found] == [("IC009", 2, 107)]
    assert "nesting deeper than 100 levels" in found[0].message


def test_recursive_merge_key_is_refused(org_file) -> None:
    text = "customers: {c: {}}\nteams:\n  a: &x\n    <<: *x\n"
    found = load_failure(org_file(text))
    assert found and all(d.code in {"IC003", "IC009"} for d in found)


def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", MINIMAL)
    path.chmod(0)
    try:
        if path.stat().st_mode and _can_read(path):
            pytest.skip("running as a user who can read anything (root)")
        [problem] = load_failure(path)
        assert problem.code == "IC001" and "cannot read" in problem.message
    finally:
        path.chmod(0o644)


def _can_read(path: Path) -> bool:
    try:
        path.read_bytes()
    except PermissionError:
        return False
    return True


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or directory"):
        load(tmp_path / "nope.yaml")


def test_directory_without_org_files_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, ".hidden.yaml", MINIMAL)
    with pytest.raises(UsageError, match=r"no \*\.yaml or \*\.yml files"):
        load(tmp_path)


def test_find_org_order(tmp_path: Path) -> None:
    write(tmp_path, "org.yml", MINIMAL)
    (tmp_path / "org").mkdir()
    assert find_org(None, {}, tmp_path) == tmp_path / "org.yml"
    env_org = write(tmp_path, "elsewhere.yaml", MINIMAL)
    assert find_org(None, {"ICMAP_ORG": str(env_org)}, tmp_path) == env_org
    assert find_org(env_org, {"ICMAP_ORG": "ignored"}, tmp_path) == env_org


def test_find_org_says_what_it_tried(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        find_org(None, {}, tmp_path)
    assert "--org, $ICMAP_ORG, ./org.yaml, ./org.yml, ./org/" in str(caught.value)
    with pytest.raises(UsageError, match=r"ICMAP_ORG=missing\.yaml: no such file"):
        find_org(None, {"ICMAP_ORG": "missing.yaml"}, tmp_path)


@pytest.mark.parametrize(
    ("text", "where", "hint"),
    [
        ("customers:\n\tc: {}\n", (2, 1), "a tab: YAML indents with spaces only"),
        (
            "customers: {c: {}}\nteams:\n  a:\n    name: Kitchen: the hot side\n",
            (4, 18),
            "a value that contains ': ' must be quoted: write \"Kitchen: the hot side\"",
        ),
        (
            "customers: {c: {}}\nteams:\n  a:\n    provides:\n      - {what: Dishes #1, to: c}\n",
            (5, 23),
            "'#' after a space starts a comment",
        ),
        (
            "customers: {c: {}}\nteams:\n  a:\n    provides:\n    -what: x\n     to: c\n",
            (5, 5),
            "a list item needs a space after '-': write '- what: x'",
        ),
        (
            "customers: {c: {}}\nteams:\n  a:\n    provides: []\n   name: A\n",
            (5, 4),
            "check the indentation of this line against the lines above",
        ),
    ],
    ids=["tab", "colon-in-value", "hash-in-flow", "dash-without-space", "indentation"],
)
def test_yaml_mistakes_get_a_plain_hint(
    tmp_path: Path, text: str, where: tuple[int, int], hint: str
) -> None:
    [problem] = load_failure(write(tmp_path, "org.yaml", text))
    assert problem.code == "IC002"
    assert (problem.line, problem.col) == where
    assert problem.hint is not None and hint in problem.hint


def test_a_misspelt_section_does_not_drag_its_references_along(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "org.yaml",
        """\
        cusomers:
          diners: {}
        teams:
          kitchen: {provides: [{what: Dishes, to: waiters}]}
          waiters: {provides: [{what: Service, to: diners}, {what: Wine, to: diners}]}
          bar: {provides: [{what: Drinks, to: dinners}]}
        """,
    )
    problems = load_failure(path)
    assert [(p.line, p.code) for p in problems] == [(1, "IC004"), (6, "IC101")]
    assert problems[0].hint == "did you mean 'customers'?"
    assert "unknown id 'dinners'" in problems[1].message  # a real typo is still reported


def test_a_team_whose_id_a_customer_took_is_no_missing_team(tmp_path: Path) -> None:
    # Only the duplicate: "no teams" (IC008) was said too, though a team was written.
    org = write(
        tmp_path, "org.yaml", "customers: {users: {}, kitchen: {}}\nteams:\n  kitchen: {}\n"
    )
    assert [(d.line, d.col, d.code) for d in load_failure(org)] == [(3, 3, "IC102")]


@pytest.mark.parametrize(
    ("field", "written", "meant"),
    [("mode", "colab", "collaboration"), ("state", "blokcing", "blocking")],
)
def test_a_misspelt_word_gets_a_did_you_mean(
    tmp_path: Path, field: str, written: str, meant: str
) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        f"customers: {{u: {{}}}}\nteams:\n  a: {{provides: [{{what: x, to: u, {field}: {written}}}]}}\n",
    )
    [problem] = load_failure(org)
    assert problem.code == "IC007"
    assert problem.hint == f"did you mean {meant!r}?"


def test_a_bad_date_hint_does_not_read_as_a_correction(tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {u: {}}\nteams:\n  a: {provides: [{what: x, to: u, mode: collaboration, "
        "until: 2026/01/05}]}\n",
    )
    [problem] = load_failure(org)
    assert problem.message == "until '2026/01/05' is not a date"
    assert problem.hint == "write a date as YYYY-MM-DD (the 31st of March 2026 is 2026-03-31)"


def test_a_team_named_twice_in_one_list_points_at_the_second(tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {c: {}}\nteams:\n  b: {provides: [{what: Y, to: c}]}\n"
        "  d: {provides: [{what: Z, to: [b, b]}]}\n",
    )
    [problem] = load_failure(org)
    assert (problem.line, problem.col, problem.code) == (4, 36, "IC105")
    assert problem.message == f"'b' is named again in this 'to' (first at {org}:4:33)"


def test_an_id_that_only_looks_the_same_says_so(tmp_path: Path) -> None:
    # "gäste" with one ä (NFC) as the customer, with a and a combining diaeresis in 'to'.
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {g\u00e4ste: {}}\nteams:\n  a: {provides: [{what: x, to: ga\u0308ste}]}\n",
    )
    [problem] = load_failure(org)
    assert problem.code == "IC101"
    assert problem.hint is not None and "looks the same but is written with other" in problem.hint
