"""``icmap import --update``: every removal is named first, and the summary's counts say what
happened."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import write
from icmap.cli import app
from icmap.loader import load

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
    assert err.index("removed customer") < err.index("wrote ")
    written = load(org)
    assert sorted(written.customers) == ["guests"]
    assert sorted(written.teams) == ["design", "kitchen", "waiters"]
    assert not (org / "teams" / "bar.yaml").exists()


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
