"""Value streams in the hand-off table, ``icmap import`` and ``icmap init`` (issue 26, item 1):
the ``streams``, ``process_time`` and ``complete_accurate`` columns, the ``streams:`` section
the import declares, round trips through the written files, and ``--update``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap.analysis.streams import stream_flows
from icmap.cli import app
from icmap.graph import build_graph
from icmap.importers import read_source
from icmap.loader import load

TABLE = (
    "provider,receiver,what,lead_time,process_time,%C&A,streams,external\n"
    "Shop,Warehouse,Orders,1d,2h,90%,Order,\n"
    'Warehouse,Shoppers,Parcels,2d,4h,"87,5 %",Order,yes\n'
    'Shop,Shoppers,Refunds,3d,,0.8,"Returns; order",yes\n'
    "Support,Shop,Complaints,1d,,,,\n"
)


def run(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.stdout, done.stderr


def _relations(org):  # type: ignore[no-untyped-def]
    return {(r.provider, r.receiver, r.what): r for r in org.relations}


def test_the_columns_are_read(tmp_path: Path) -> None:
    table = write(tmp_path, "handoffs.csv", TABLE)
    result = read_source("csv", [table])
    assert result.diagnostics == []
    org = result.org
    assert org is not None
    found = _relations(org)
    orders = found["shop", "warehouse", "Orders"]
    assert orders.streams == ("order",)
    assert orders.process_time is not None and orders.process_time.hours == 2
    assert orders.complete_accurate == 0.9
    assert found["warehouse", "shoppers", "Parcels"].complete_accurate == 0.875
    assert found["shop", "shoppers", "Refunds"].streams == ("order", "returns")
    assert found["support", "shop", "Complaints"].streams == ()
    assert {s.id: (s.customer, s.name) for s in org.streams.values()} == {
        "order": ("shoppers", "Order"),
        "returns": ("shoppers", "Returns"),
    }
    [order, _] = stream_flows(build_graph(org))
    assert order.path == ("shop", "warehouse", "shoppers")
    assert order.rolled_ca == pytest.approx(0.9 * 0.875 * 0.8)


def test_import_writes_them_and_the_files_load_into_the_same_org(tmp_path: Path) -> None:
    table = write(tmp_path, "handoffs.csv", TABLE)
    code, _, err = run("import", "csv", str(table), "-o", str(tmp_path / "org"))
    assert code == 0, err
    assert (
        "  value streams: order (to shoppers), returns (to shoppers): each ends at the external "
        "customer its hand-offs reach; add a target to org.yaml by hand (--update keeps it)"
    ) in err
    text = (tmp_path / "org" / "org.yaml").read_text(encoding="utf-8")
    assert "streams:\n  order:\n    name: Order\n    customer: shoppers\n" in text
    shop = (tmp_path / "org" / "teams" / "shop.yaml").read_text(encoding="utf-8")
    assert (
        "        lead_time: 1d\n        streams: [order]\n        process_time: 2h\n"
        "        complete_accurate: 90%\n"
    ) in shop
    written = load(tmp_path / "org")
    source = read_source("csv", [table]).org
    assert source is not None
    for key, relation in _relations(source).items():
        again = _relations(written)[key]
        assert (again.streams, again.process_time, again.complete_accurate) == (
            relation.streams,
            relation.process_time,
            relation.complete_accurate,
        )
    assert {s.id: s.customer for s in written.streams.values()} == {
        "order": "shoppers",
        "returns": "shoppers",
    }
    code, out, _ = run("check", str(tmp_path / "org"))
    assert code == 0, out


def test_json_summary_lists_the_streams(tmp_path: Path) -> None:
    table = write(tmp_path, "handoffs.csv", TABLE)
    code, out, err = run("import", "csv", str(table), "-o", str(tmp_path / "org"), "-f", "json")
    assert code == 0, err
    assert json.loads(out)["streams"] == [
        {"id": "order", "name": "Order", "customer": "shoppers"},
        {"id": "returns", "name": "Returns", "customer": "shoppers"},
    ]


def test_streams_the_table_cannot_make_are_left_off_with_a_warning(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "handoffs.csv",
        "provider,receiver,what,streams,external\n"
        "Shop,Shoppers,Parcels,order,yes\n"
        "Shop,Shops,Pallets,both,yes\n"
        "Shop,Shoppers,Parcels too,both,yes\n"
        "Shop,Lab,Samples,order,\n"
        "Lab,Shop,Test results,nowhere,\n",
    )
    result = read_source("csv", [table])
    found = [(d.line, d.col, d.code, d.message) for d in result.diagnostics]
    assert found == [
        (
            3,
            4,
            "IC617",
            "stream 'both' reaches shoppers, shops: a stream ends at one external customer; "
            "left off its rows",
        ),
        (
            5,
            3,
            "IC617",
            "shop → lab ('Samples') leads nowhere on to shoppers in the stream: left out of "
            "stream 'order'",
        ),
        (
            6,
            4,
            "IC617",
            "stream 'nowhere' reaches no external customer: a stream ends at one external "
            "customer; left off its rows",
        ),
    ]
    assert {d.severity for d in result.diagnostics} == {"warning"}
    assert (
        result.diagnostics[0].hint
        == "give each customer its own stream (e.g. both-shoppers, both-shops)"
    )
    org = result.org
    assert org is not None and list(org.streams) == ["order"]
    assert _relations(org)["shop", "lab", "Samples"].streams == ()
    # What is left loads and checks: the written org has no broken stream.
    code, _, err = run("import", "csv", str(table), "-o", str(tmp_path / "org"))
    assert code == 0, err
    load(tmp_path / "org")


def test_bad_cells_are_errors_with_positions(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "handoffs.csv",
        "provider,receiver,what,lead_time,process_time,complete_accurate\n"
        "Shop,Shoppers,Parcels,1h,2h,90%\n"
        "Shop,Shoppers,Labels,1d,soon,185\n",
    )
    code, _, err = run("import", "csv", str(table), "-o", str(tmp_path / "org"))
    assert code == 2
    assert f"{table}:2:5: error: process_time '2h' is longer than the lead_time" in err
    assert f"{table}:3:5: error: process_time 'soon' is not a duration" in err
    assert f"{table}:3:6: error: complete_accurate '185' is not a share" in err
    assert not (tmp_path / "org").exists()


def test_update_keeps_a_hand_made_target_and_hand_named_streams(tmp_path: Path) -> None:
    table = write(tmp_path, "handoffs.csv", TABLE)
    org = tmp_path / "org"
    assert run("import", "csv", str(table), "-o", str(org))[0] == 0
    text = (org / "org.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    customer: shoppers\n  returns:",
        "    customer: shoppers\n    target: 4d\n  returns:",
    ).replace(
        "streams:\n",
        "streams:\n  complaints: {customer: shoppers}\n",
    )
    (org / "org.yaml").write_text(text, encoding="utf-8")
    support = (org / "teams" / "support.yaml").read_text(encoding="utf-8")
    support = support.replace(
        "        to: shop\n",
        "        to: shop\n        streams: [complaints]\n        process_time: 1h\n",
    )
    (org / "teams" / "support.yaml").write_text(support, encoding="utf-8")
    shop = (org / "teams" / "shop.yaml").read_text(encoding="utf-8")
    shop = shop.replace(
        "        streams: [order, returns]\n", "        streams: [complaints, order, returns]\n"
    )
    (org / "teams" / "shop.yaml").write_text(shop, encoding="utf-8")
    load(org)  # the hand-made stream loads

    # The table drops Refunds from 'order': the source decides about its own streams.
    code, _, err = run(
        "import",
        "csv",
        str(write(tmp_path, "handoffs.csv", TABLE.replace('"Returns; order"', "Returns"))),
        "-o",
        str(org),
        "--update",
    )
    assert code == 0, err
    updated = load(org)
    assert updated.streams["order"].target is not None
    assert updated.streams["order"].target.hours == 96
    assert "complaints" in updated.streams
    found = _relations(updated)
    assert found["support", "shop", "Complaints"].streams == ("complaints",)
    process = found["support", "shop", "Complaints"].process_time
    assert process is not None and process.hours == 1
    assert found["shop", "shoppers", "Refunds"].streams == ("complaints", "returns")


def test_the_starter_has_a_small_stream_that_passes_check(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "my-org"))
    assert code == 0, err
    org = load(tmp_path / "my-org")
    assert list(org.streams) == ["fixes"]
    [flow] = stream_flows(build_graph(org))
    assert flow.target_met is True
    assert flow.flow_efficiency is not None and flow.rolled_ca is not None
    assert flow.process_known == len(flow.steps)
    code, out, _ = run("check", str(tmp_path / "my-org"), "--fail-on", "info", "-f", "json")
    assert code == 0
    assert json.loads(out)["findings"] == []


def test_a_stream_reaching_its_customer_only_by_feedback_is_left_off(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "s.csv",
        "provider,receiver,what,lead_time,feedback,stream\n"
        "Kitchen,Waiters,Dishes,15m,,Dinner\n"
        "Waiters,Diners,Service,5m,yes,Dinner\n",
    )
    # Read for a command (it crashed on the stream, exit 3) and written for one to load.
    code, out, err = run("check", "--from", "csv", str(table), "-f", "json")
    assert code == 0, err
    [found] = [f for f in json.loads(out)["findings"] if f["code"] == "IC617"]
    assert found["message"] == (
        "stream 'Dinner' (dinner) reaches no external customer but by feedback, which is no "
        "part of a stream: a stream ends at one external customer; left off its rows"
    )
    code, _, err = run("import", "csv", str(table), "-o", str(tmp_path / "org"))
    assert code == 0, err
    assert "streams" not in (tmp_path / "org" / "org.yaml").read_text(encoding="utf-8")
    code, _, err = run("check", str(tmp_path / "org"))
    assert code == 0, err


def test_a_stream_none_of_whose_hand_offs_delivers_has_a_path_of_its_customer_alone() -> None:
    import dataclasses

    from icmap.loader import load_text

    org = load_text(
        "customers: {diners: {}}\nstreams: {dinner: {customer: diners}}\n"
        "teams:\n  waiters: {provides: [{what: Service, to: diners, streams: [dinner]}]}\n"
    )
    # A source that lets feedback into a stream (the loader refuses it: IC108).
    fed_back = dataclasses.replace(
        org, relations=tuple(dataclasses.replace(r, feedback=True) for r in org.relations)
    )
    [flow] = stream_flows(build_graph(fed_back))
    assert flow.path == ("diners",)


def test_a_feedback_row_in_a_stream_is_told_to_drop_it(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "s.csv",
        "provider,receiver,what,feedback,stream\nFarm,Kitchen,Veg,,Dinner\n"
        "Kitchen,Diners,Dishes,,Dinner\nKitchen,Farm,Complaints,yes,Dinner\n",
    )
    result = read_source("csv", [table])
    [found] = [d for d in result.diagnostics if d.code == "IC617"]
    assert found.message.endswith("is feedback: left out of stream 'Dinner' (dinner)")
    assert found.hint == "a feedback hand-off is in no stream: drop dinner from this row"
