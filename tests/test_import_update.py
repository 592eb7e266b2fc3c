"""``icmap import --update``: only an earlier import is updated, every removal is named first
(and ``--dry-run`` shows them without writing), and the summary's counts say what happened."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap.cli import app
from icmap.errors import LoadError
from icmap.importers import writer
from icmap.loader import load

SHOP = Path(__file__).resolve().parents[1] / "import-examples" / "backstage"

#: Kitchen hands waiters dishes and the bar glasses; waiters and the bar serve the diners.
TABLE = (
    "provider,receiver,what,external\n"
    "Kitchen,Waiters,Dishes,\n"
    "Kitchen,Waiters,Cutlery,\n"
    "Bar,Waiters,Glasses,\n"
    "Waiters,Diners,Service,yes\n"
    "Bar,Diners,Drinks,yes\n"
)


def run(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.stdout, done.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_an_org_written_by_hand_is_refused_and_not_advised_to_update(tmp_path: Path) -> None:
    org = tmp_path / "my-org"
    code, _, err = run("init", str(org))
    assert code == 0, err
    before = snapshot(org)
    code, _, err = run("import", "backstage", str(SHOP), "-o", str(org))
    assert code == 2
    assert "holds an org that 'icmap import' did not write" in err
    assert "--update" not in err  # it would delete the starter teams, comments and 'clients'
    code, _, err = run("import", "backstage", str(SHOP), "-o", str(org), "--update")
    assert code == 2
    assert "holds an org that 'icmap import' did not write" in err
    assert "--update refreshes only an earlier import" in err
    code, _, err = run("import", "backstage", str(SHOP), "-o", str(org), "--update", "--dry-run")
    assert code == 2
    assert snapshot(org) == before
    assert "Traceback" not in err


def test_a_folder_of_yaml_without_an_org_yaml_is_only_not_empty(tmp_path: Path) -> None:
    # The catalog's own folder: it holds YAML, and no org.yaml to have no record in.
    catalog = tmp_path / "catalog"
    shutil.copytree(SHOP, catalog)
    before = snapshot(catalog)
    code, _, err = run("import", "backstage", str(catalog), "-o", str(catalog))
    assert code == 2
    assert f"{catalog} is not empty: write the org to a new or empty folder" in err
    assert "did not write" not in err
    assert snapshot(catalog) == before


def test_update_into_a_new_or_empty_folder_is_the_first_import(tmp_path: Path) -> None:
    # A sync job passes --update every time, the first time included.
    for folder in (tmp_path / "missing", tmp_path / "empty"):
        if folder.name == "empty":
            folder.mkdir()
        code, _, err = run("import", "backstage", str(SHOP), "-o", str(folder), "--update")
        assert code == 0, err
        assert (folder / "org.yaml").is_file()
        code, _, err = run("import", "backstage", str(SHOP), "-o", str(folder), "--update")
        assert code == 0, err


def _imported_then_edited(tmp_path: Path) -> tuple[Path, Path]:
    """A CSV import with a hand-made team, relations and fields; then the source shrinks."""
    table = write(tmp_path, "source/handoffs.csv", TABLE)
    org = tmp_path / "org"
    code, _, err = run("import", "csv", str(table), "-o", str(org))
    assert code == 0, err
    kitchen = org / "teams" / "kitchen.yaml"
    text = kitchen.read_text(encoding="utf-8")
    text = text.replace("  kitchen:\n", "  kitchen:\n    lead: Ann\n")
    text = text.replace(
        "what: Dishes\n        to: waiters\n",
        "what: Dishes\n        to: waiters\n        lead_time: 1h\n        satisfaction: 4\n",
    )
    assert text.count("lead") == 2
    kitchen.write_text(text, encoding="utf-8")
    write(
        org,
        "teams/design.yaml",
        "teams:\n  design:\n    provides: [{what: Menus, to: [waiters, bar]}]\n",
    )
    # The bar closes and the diners are now called guests.
    table.write_text(
        "provider,receiver,what,external\n"
        "Kitchen,Waiters,Dishes,\n"
        "Kitchen,Waiters,Cutlery,\n"
        "Waiters,Guests,Service,yes\n",
        encoding="utf-8",
    )
    return table, org


REMOVALS = [
    "    removed team (gone from the source): bar\n",
    "    removed customer (gone from the source): diners\n",
    "    removed relation (gone from the source): bar → diners: Drinks\n",
    "    removed relation (gone from the source): bar → waiters: Glasses\n",
    "    removed relation (bar is gone): design → bar: Menus\n",
    "    removed relation (gone from the source): waiters → diners: Service\n",
]


def test_update_names_every_removal_customers_included_before_writing(tmp_path: Path) -> None:
    table, org = _imported_then_edited(tmp_path)
    code, _, err = run("import", "csv", str(table), "-o", str(org), "--update")
    assert code == 0, err
    assert (
        "  update: 0 teams added, 1 removed; 1 customer added, 1 removed; "
        "1 relation added, 4 removed; 3 hand-added fields kept\n"
    ) in err
    for line in REMOVALS:
        assert line in err
    assert f"removed file (not part of the rewritten org): {org / 'teams' / 'bar.yaml'}" in err
    assert err.index("removed customer") < err.index("wrote ")
    written = load(org)
    assert sorted(written.customers) == ["guests"]
    assert sorted(written.teams) == ["design", "kitchen", "waiters"]
    assert not (org / "teams" / "bar.yaml").exists()


def test_dry_run_shows_the_same_removals_and_writes_nothing(tmp_path: Path) -> None:
    table, org = _imported_then_edited(tmp_path)
    before = snapshot(org)
    code, _, err = run("import", "csv", str(table), "-o", str(org), "--update", "--dry-run")
    assert code == 0, err
    for line in REMOVALS:
        assert line in err
    assert "dry run: nothing written" in err
    assert "wrote " not in err
    assert snapshot(org) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["org", "source"]  # no staging folder
    code, out, err = run(
        "import", "csv", str(table), "-o", str(org), "--update", "--dry-run", "-f", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["dry_run"] is True
    update = data["update"]
    assert update["removed_teams"] == ["bar"]
    assert update["removed_customers"] == ["diners"]
    assert {r["relation"]: r["why"] for r in update["removed_relations"]} == {
        "bar → diners: Drinks": "gone from the source",
        "bar → waiters: Glasses": "gone from the source",
        "design → bar: Menus": "bar is gone",
        "waiters → diners: Service": "gone from the source",
    }
    assert snapshot(org) == before
    # A first import can be previewed too.
    code, _, err = run("import", "csv", str(table), "-o", str(tmp_path / "new"), "--dry-run")
    assert code == 0, err
    assert not (tmp_path / "new").exists()


def test_update_counts_say_what_the_source_gave_and_what_was_kept(tmp_path: Path) -> None:
    table, org = _imported_then_edited(tmp_path)
    code, _, err = run("import", "csv", str(table), "-o", str(org), "--update")
    assert code == 0, err
    # The source gives kitchen → waiters (Dishes, Cutlery) and waiters → guests; design's
    # Menus for the waiters was added by hand and is counted as kept, not as derived.
    assert "  teams: 2\n" in err
    assert "  team-to-team hand-offs: 1 (2 relations)\n" in err
    assert "  hand-offs to external customers: 1 (1 relation)\n" in err
    assert "    kept as written by hand: 1 team, 0 customers, 1 relation\n" in err
    # kitchen's lead, and Dishes' lead time and satisfaction.
    assert "3 hand-added fields kept" in err
    dishes = next(r for r in load(org).relations if r.what == "Dishes")
    assert (dishes.satisfaction, dishes.lead_time is not None) == (4, True)
    code, out, err = run("import", "csv", str(table), "-o", str(org), "--update", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["counts"]["teams"] == 2
    assert data["counts"]["team-to-team hand-offs"] == 1
    assert data["counts"]["team-to-team relations"] == 2
    assert data["update"]["kept_fields"] == 3
    assert data["update"]["kept_hand_made_relations"] == ["design → waiters: Menus"]


def test_a_value_the_source_cleared_goes_and_a_hand_added_one_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import records the fields it wrote: a lead time the sheet gave and no longer gives
    # was the sheet's, not "hand-added", and --update used to keep it as if it were.
    monkeypatch.setattr(writer, "RECORD_CHUNK", 1)  # the record's lists of lists read back too
    monkeypatch.setattr(writer, "_CODES_PER_LINE", 1)  # and its codes, a line each
    table = write(
        tmp_path,
        "st.csv",
        "provider,receiver,what,lead_time,team_type\nKitchen,Diners,Dishes,3d,platform\n"
        "Kitchen,Diners,Plates,,\n",
    )
    org = tmp_path / "u2"
    code, _, err = run("import", "csv", str(table), "-o", str(org))
    assert code == 0, err
    # Two characters a hand-off (Dishes: its lead time; Plates: nothing) and a party (diners,
    # a customer: nothing; kitchen: its name and type), in the order of the lists above them.
    record = (org / "org.yaml").read_text(encoding="utf-8").split("x-icmap-import:")[1]
    assert "  written:\n    - 01\n    - 00\n" in record, record
    assert "  team-written:\n    - 00\n    - 0h\n" in record, record
    team = org / "teams" / "kitchen.yaml"
    edited = team.read_text(encoding="utf-8").replace(
        "what: Plates\n        to: diners\n",
        "what: Plates\n        to: diners\n        satisfaction: 4\n",
    )
    team.write_text(edited, encoding="utf-8")
    table.write_text(
        "provider,receiver,what,lead_time\nKitchen,Diners,Dishes,\nKitchen,Diners,Plates,\n",
        encoding="utf-8",
    )
    code, _, err = run("import", "csv", str(table), "-o", str(org), "--update")
    assert code == 0, err
    # Plates' satisfaction; not Dishes' lead time nor kitchen's type, which the sheet gave.
    assert "1 hand-added field kept" in err
    written = load(org)
    got = {r.what: (r.lead_time, r.satisfaction) for r in written.relations}
    assert got == {"Dishes": (None, None), "Plates": (None, 4)}
    assert written.teams["kitchen"].type is None
    # The sheet now gives no hand-off field (the record leaves them out) and kitchen its name
    # only, not its type.
    record = (org / "org.yaml").read_text(encoding="utf-8").split("x-icmap-import:")[1]
    assert "\n  written:" not in record
    assert "  team-written:\n    - 00\n    - 01\n" in record, record


CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: api}
spec: {type: service, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: db}
spec: {type: service, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web}
spec: {type: website, owner: team-b, dependsOn: [component:api, component:db]}
"""


def test_a_relation_whose_what_changed_keeps_its_hand_added_fields(tmp_path: Path) -> None:
    # A component given a title changes its hand-off's what: the hand-added lead time was
    # lost with a "removed relation (gone from the source)".
    catalog = write(tmp_path, "cat/c.yaml", CATALOG)
    org = tmp_path / "o"
    code, _, err = run("import", "backstage", str(catalog.parent), "-o", str(org))
    assert code == 0, err
    team = org / "teams" / "team-a.yaml"
    team.write_text(
        team.read_text(encoding="utf-8").replace(
            "what: api\n        to: team-b\n",
            "what: api\n        to: team-b\n        lead_time: 3d\n",
        ),
        encoding="utf-8",
    )
    catalog.write_text(
        CATALOG.replace("{name: api}", "{name: api, title: Orders API}"), encoding="utf-8"
    )
    code, _, err = run("import", "backstage", str(catalog.parent), "-o", str(org), "--update")
    assert code == 0, err
    assert "0 relations added, 0 removed, 1 renamed; 1 hand-added field kept" in err
    assert (
        "    renamed relation (its what changed in the source; hand-added fields kept): "
        "team-a → team-b: Orders API (was: api)\n"
    ) in err
    lead = {r.what: r.lead_time for r in load(org).relations if r.provider == "team-a"}
    assert lead["Orders API"] is not None and lead["Orders API"].hours == 72
    # Two gone and two new between the same teams could be paired wrongly: not renamed.
    catalog.write_text(
        CATALOG.replace("{name: api}", "{name: api, title: Orders}").replace(
            "{name: db}", "{name: db, title: Database}"
        ),
        encoding="utf-8",
    )
    code, out, err = run(
        "import", "backstage", str(catalog.parent), "-o", str(org), "--update", "-f", "json"
    )
    assert code == 0, err
    update = json.loads(out)["update"]
    assert update["renamed_relations"] == []
    assert len(update["removed_relations"]) == 2


def test_a_record_longer_than_one_list_is_written_in_lists_the_loader_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record of more entries than one list may hold is written as lists of lists, and
    read back whole by --update: nothing in it is taken for hand-made."""
    monkeypatch.setattr(writer, "RECORD_CHUNK", 2)
    table = write(tmp_path, "source/handoffs.csv", TABLE)
    org = tmp_path / "org"
    code, _, err = run("import", "csv", str(table), "-o", str(org))
    assert code == 0, err
    text = (org / "org.yaml").read_text(encoding="utf-8")
    assert '  parties:\n    - - "bar"\n      - "diners"\n    - - "kitchen"\n' in text
    assert '  hand-offs:\n    - - ["bar", "diners", "Drinks"]\n      - ["bar", "waiters", ' in text
    recorded = writer.read_marker(org / "org.yaml")
    assert recorded is not None
    assert recorded.parties == {"bar", "diners", "kitchen", "waiters"}
    assert len(recorded.relations) == 5
    before = snapshot(org)
    code, out, err = run("import", "csv", str(table), "-o", str(org), "--update")
    assert code == 0, err
    assert "removed" not in out and "kept" not in out
    assert snapshot(org) == before


def test_an_import_record_past_the_loaders_list_limit_still_loads(tmp_path: Path) -> None:
    """200,001 recorded hand-offs: one flat list would be refused (IC009 past 200,000
    entries), the chunked one loads."""
    entries = [json.dumps(["a", "c", f"w{n}"]) for n in range(200_001)]
    head = "customers: {c: {}}\nteams:\n  a: {provides: [{what: w0, to: c}]}\n"
    chunked = write(
        tmp_path,
        "chunked/org.yaml",
        head
        + f"{writer.MARKER}:\n  hand-offs:\n"
        + "\n".join(writer._chunked(entries, len(entries), "    ")),
    )
    assert load(chunked).teams.keys() == {"a"}
    flat = write(
        tmp_path,
        "flat/org.yaml",
        head + f"{writer.MARKER}:\n  hand-offs:\n" + "\n".join(f"    - {e}" for e in entries),
    )
    with pytest.raises(LoadError) as refused:
        load(flat)
    assert [d.code for d in refused.value.diagnostics] == ["IC009"]
    recorded = writer.read_marker(chunked)
    assert recorded is not None and len(recorded.relations) == 200_001


def test_an_org_file_the_loader_would_refuse_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import icmap.loader.source

    monkeypatch.setattr(icmap.loader.source, "MAX_FILE_BYTES", 300)
    table = write(tmp_path, "source/handoffs.csv", TABLE)
    org = tmp_path / "org"
    code, _, err = run("import", "csv", str(table), "-o", str(org))
    assert code == 2
    assert "not written: org.yaml would be " in err
    assert " bytes, more than the 300 icmap reads in one file, so the org would not load" in err
    assert not org.exists()
