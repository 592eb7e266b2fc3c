"""Loading well-formed orgs: examples, relation merging, literal ids, merge keys, directories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import EXAMPLE_PATHS, EXAMPLES, MINIMAL, write
from icmap.loader import load
from icmap.model import Duration


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_every_example_loads(path: Path) -> None:
    org = load(path)
    assert org.customers and org.teams and org.relations


def test_restaurant_example_has_the_seed_chain() -> None:
    org = load(EXAMPLES / "restaurant.yaml")
    assert org.name == "Bistro Lumière"
    pairs = {(r.provider, r.receiver) for r in org.relations}
    assert {
        ("kitchen", "expediters"),
        ("expediters", "wait-staff"),
        ("wait-staff", "diners"),
    } <= pairs
    assert org.teams["kitchen"].label == "Culinary staff"
    assert org.teams["kitchen"].group == "Back of house"
    assert org.suppliers["fishmonger"].label == "Harbour Fish Co."


def test_northwind_directory_is_a_mid_size_company() -> None:
    org = load(EXAMPLES / "northwind")
    assert len(org.teams) >= 30
    assert len({t.group for t in org.teams.values()}) >= 5
    assert org.suppliers
    assert len(org.sources) == len(org.teams) + 1


def test_both_sides_declaring_a_relation_make_one_relation(org_file) -> None:
    path = org_file(
        """\
        customers: {diners: {}}
        teams:
          kitchen:
            provides: [{what: Plated dishes, to: pass, lead_time: 15m, satisfaction: 3}]
          pass:
            provides: [{what: Plates, to: diners}]
            receives: [{what: "  plated   DISHES", from: kitchen, lead_time: 20m}]
        """
    )
    org = load(path)
    [relation] = [r for r in org.relations if r.provider == "kitchen"]
    assert relation.declared_by == {"provider", "receiver"}
    assert relation.what == "Plated dishes"
    # The receiver waits, so its lead time is the one used; both stay in the declarations.
    assert relation.lead_time == Duration.of(20, "m")
    assert [d.lead_time for d in relation.declarations] == [
        Duration.of(15, "m"),
        Duration.of(20, "m"),
    ]
    assert relation.satisfaction == 3.0
    assert relation.pos.line == 4


def test_one_sided_relations_remember_their_side(org_file) -> None:
    path = org_file(
        """\
        customers: {diners: {}}
        teams:
          kitchen: {}
          pass:
            provides: [{what: Plates, to: diners}]
            receives: [{what: Dishes, from: kitchen}]
        """
    )
    org = load(path)
    [relation] = [r for r in org.relations if r.provider == "kitchen"]
    assert relation.declared_by == {"receiver"}
    assert relation.lead_time is None


def test_to_takes_one_id_or_a_list(org_file) -> None:
    path = org_file(
        """\
        customers: {a: {}, b: {}}
        teams:
          t: {provides: [{what: X, to: [a, b]}, {what: Y, to: a}]}
        """
    )
    assert sorted((r.receiver, r.what) for r in load(path).relations) == [
        ("a", "X"),
        ("a", "Y"),
        ("b", "X"),
    ]


def test_yaml_11_booleans_and_numbers_stay_literal_ids(org_file) -> None:
    path = org_file(
        """\
        customers: {yes: {}}
        teams:
          no: {provides: [{what: X, to: on}]}
          on: {provides: [{what: Y, to: yes}]}
          123: {name: 0x1F, provides: [{what: 1.5, to: no}]}
        """
    )
    org = load(path)
    assert set(org.teams) == {"no", "on", "123"}
    assert org.teams["123"].label == "0x1F"
    assert ("123", "no", "1.5") in {(r.provider, r.receiver, r.what) for r in org.relations}


def test_lead_time_units_and_decimals(org_file) -> None:
    path = org_file(
        """\
        customers: {c: {}}
        teams:
          t:
            provides:
              - {what: A, to: c, lead_time: 30m}
              - {what: B, to: c, lead_time: 2h}
              - {what: C, to: c, lead_time: 5.17d}
              - {what: D, to: c, lead_time: 1w}
        """
    )
    hours = {r.what: r.lead_time.hours for r in load(path).relations if r.lead_time}
    assert hours == {"A": 0.5, "B": 2.0, "C": 124.08, "D": 168.0}


def test_x_keys_and_merge_keys(org_file) -> None:
    path = org_file(
        """\
        x-defaults: &kitchen-defaults
          group: Back of house
          lead: Ana
        x-anything: [1, {2: 3}]
        customers: {diners: {}}
        teams:
          kitchen:
            <<: *kitchen-defaults
            lead: Bea
            provides: [{what: Dishes, to: diners}]
        """
    )
    kitchen = load(path).teams["kitchen"]
    assert (kitchen.group, kitchen.lead) == ("Back of house", "Bea")


def test_null_bodies_mean_defaults(org_file) -> None:
    path = org_file(
        "customers:\n  diners:\nteams:\n  waiters:\n    provides: [{what: S, to: diners}]\n"
    )
    org = load(path)
    assert org.customers["diners"].label == "diners"


def test_bom_and_crlf_are_fine(org_file) -> None:
    text = MINIMAL.replace("\n", "\r\n").encode("utf-8")
    assert len(load(org_file(b"\xef\xbb\xbf" + text)).teams) == 2


def test_big_name_loads(org_file) -> None:
    big = "N" * 2_000_000
    org = load(org_file(MINIMAL.replace("{name: Diners}", f"{{name: {big}}}")))
    assert len(org.customers["diners"].label) == 2_000_000


def test_directory_merges_files_in_sorted_order_and_skips_hidden(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", "organisation: Split\ncustomers: {diners: {}}\n")
    write(tmp_path, "teams/waiters.yml", "teams: {waiters: {provides: [{what: S, to: diners}]}}\n")
    write(
        tmp_path, "teams/kitchen.yaml", "teams: {kitchen: {provides: [{what: D, to: waiters}]}}\n"
    )
    write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs: {build: {runs-on: x}}\n")
    write(tmp_path, ".pre-commit-config.yaml", "repos: []\n")
    write(tmp_path, "notes.txt", "not yaml")
    org = load(tmp_path)
    assert org.name == "Split"
    assert [Path(s).relative_to(tmp_path).as_posix() for s in org.sources] == [
        "org.yaml",
        "teams/kitchen.yaml",
        "teams/waiters.yml",
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_directory_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", MINIMAL)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert len(load(tmp_path).teams) == 2


def test_team_topologies_fields_are_read_in_any_spelling() -> None:
    from datetime import date

    from icmap.loader import load_text

    org = load_text(
        "customers: {c: {}}\n"
        "teams:\n"
        "  a:\n"
        "    type: Stream Aligned Team\n"
        "    provides: [{what: w, to: c}]\n"
        "    receives:\n"
        "      - {what: Runtime, from: p, mode: XaaS, state: Blocking}\n"
        "      - {what: Pairing, from: p, mode: Collaboration, since: 2026-01-05, until: 2026-03-31}\n"
        "  p: {type: platform, provides: [{what: Runtime, to: a, mode: collaboration}]}\n"
    )
    assert org.teams["a"].type == "stream-aligned"
    runtime = next(r for r in org.relations if r.what == "Runtime")
    assert (runtime.mode, runtime.state) == ("x-as-a-service", "blocking")  # the receiver's
    pairing = next(r for r in org.relations if r.what == "Pairing")
    assert (pairing.since, pairing.until) == (date(2026, 1, 5), date(2026, 3, 31))


def test_team_topologies_values_are_checked() -> None:
    import pytest

    from icmap.errors import LoadError
    from icmap.loader import load_text

    with pytest.raises(LoadError) as caught:
        load_text(
            "customers: {c: {}}\nteams:\n"
            "  a: {type: stream alined, provides: [{what: w, to: c, mode: sometimes, "
            "state: Blocked, since: 2026-05-01, until: 2026-04-01}]}\n"
        )
    problems = {d.message: d.hint for d in caught.value.diagnostics}
    assert (
        problems[
            "type 'stream alined' is not one of stream-aligned, platform, enabling, complicated-subsystem"
        ]
        == "did you mean 'stream-aligned'?"
    )
    assert "state 'Blocked' is not one of ok, slowing, blocking" in problems
    assert "mode 'sometimes' is not one of x-as-a-service, collaboration, facilitating" in problems
    assert "until 2026-04-01 is before since 2026-05-01" in problems


def test_loading_leaves_nothing_for_the_collector() -> None:
    """Reading a file must not tie objects in cycles: a folder of 100,000 team files left
    millions of them for the collector once, which then took longer than resolving the org."""
    import gc

    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        load(EXAMPLES / "northwind")
        load(EXAMPLES / "software-company.yaml")
        gc.collect()
        left = len(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == 0
