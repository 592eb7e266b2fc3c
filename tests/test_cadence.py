"""``icmap.analysis.cadence``: which critical paths mix cadences, and which do not."""

from __future__ import annotations

import pytest

from icmap import build_graph, load_text
from icmap.analysis.cadence import MIXED_CADENCE, mixed_cadences
from icmap.analysis.critical import critical_paths


def _mixes(text: str) -> list[tuple[str, str, str, float]]:
    graph = build_graph(load_text(text))
    return [
        (m.customer, m.slowest.provider, m.fastest.provider, m.ratio)
        for m in mixed_cadences(graph, critical_paths(graph))
    ]


def _chain(slow: str, fast: str, extra: str = "") -> str:
    return f"""
customers: {{shop: {{}}}}
{extra}
teams:
  plan: {{provides: [{{what: Plan, to: pick, lead_time: {slow}}}]}}
  pick: {{provides: [{{what: Parcels, to: shop, lead_time: {fast}}}]}}
"""


@pytest.mark.parametrize(
    ("slow", "fast", "mixed"),
    [("100h", "1h", True), ("99h", "1h", False), ("4w", "2h", True), ("2d", "2h", False)],
)
def test_the_threshold_is_a_hundred_times(slow: str, fast: str, mixed: bool) -> None:
    assert MIXED_CADENCE == 100
    assert bool(_mixes(_chain(slow, fast))) is mixed


def test_names_the_slowest_and_fastest_hand_offs() -> None:
    assert _mixes(_chain("4w", "2h")) == [("shop", "plan", "pick", 336.0)]


def test_an_org_with_streams_gets_no_hint() -> None:
    text = """
customers: {shop: {}}
streams: {order: {customer: shop}}
teams:
  plan: {provides: [{what: Plan, to: pick, lead_time: 4w}]}
  pick: {provides: [{what: Parcels, to: shop, lead_time: 2h, streams: order}]}
"""
    assert _mixes(text) == []


def test_untimed_zero_and_feedback_hand_offs_are_not_compared() -> None:
    text = """
customers: {shop: {}}
teams:
  plan: {provides: [{what: Plan, to: pack, lead_time: 4w}]}
  pack:
    provides:
      - {what: Boxes, to: pick, lead_time: 0h}
      - {what: Notes, to: pick, lead_time: 1m, feedback: true}
  pick: {provides: [{what: Labels, to: label}, {what: Parcels, to: shop, lead_time: 1d}]}
  label: {provides: [{what: Labelled, to: pick}]}
"""
    graph = build_graph(load_text(text))
    assert critical_paths(graph).paths[0].path == ("plan", "pack", "pick", "shop")
    # 4w beside 1d: 28 times; the 0h, the untimed and the feedback's 1m are left out.
    assert _mixes(text) == []
    assert _mixes(text.replace("lead_time: 0h", "lead_time: 1h")) == [
        ("shop", "plan", "pack", 672.0)
    ]


def test_an_org_without_lead_times_gets_no_hint() -> None:
    text = "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: b}]}\n"
    text += "  b: {provides: [{what: y, to: c}]}\n"
    assert _mixes(text) == []


def test_each_customer_is_judged_on_its_own_path() -> None:
    text = """
customers: {shoppers: {}, partners: {}}
teams:
  plan: {provides: [{what: Plan, to: shop, lead_time: 4w}]}
  shop:
    provides:
      - {what: Orders, to: shoppers, lead_time: 1h}
      - {what: Feed, to: partners, lead_time: 1d}
"""
    assert _mixes(text) == [("shoppers", "plan", "shop", 672.0)]
