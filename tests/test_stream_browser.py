"""The HTML page's value stream selector in headless Chromium: choosing a stream lights its
hand-offs and teams and its critical path, and shows the numbers icmap computed."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from conftest import EXAMPLES, ROOT
from test_html_browser import _check, _open, _page, browser

__all__ = ["browser"]  # the module's Chromium, shared with the page's other tests

ORG = ROOT / "tests" / "fixtures" / "streams.yaml"
_LIT = """
return [...document.querySelectorAll('[class*=hl-]')].map(e =>
  [e.dataset.id || (e.dataset.from + '>' + e.dataset.to), e.getAttribute('class')]);
"""


def _lit(driver: Any, cls: str) -> set[str]:
    return {key for key, classes in driver.execute_script(_LIT) if cls in classes.split()}


def test_the_stream_selector_lights_a_stream_and_shows_its_numbers(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    facts = _open(browser, _page(ORG, tmp_path))
    _check(facts, ORG)  # the page of an org with streams is as sound as any
    chooser = Select(browser.find_element(By.ID, "stream"))
    assert [o.text for o in chooser.options] == ["(none)", "Order to delivery", "Return to refund"]
    chooser.select_by_value("order-to-delivery")
    path = ["storefront", "checkout", "warehouse", "delivery", "shoppers"]
    edges = {
        "checkout>payments",
        "checkout>warehouse",
        "delivery>shoppers",
        "packaging>warehouse",
        "payments>checkout",
        "storefront>checkout",
        "warehouse>delivery",
    }
    teams = {"storefront", "checkout", "payments", "warehouse", "delivery", "packaging", "shoppers"}
    assert _lit(browser, "hl-stream") == teams | edges
    steps = {f"{a}>{b}" for a, b in itertools.pairwise(path)}
    # The loop checkout ⇄ payments is on no chain that visits each team once: not critical.
    assert _lit(browser, "hl-critical") == {*path} | steps
    # Every other team and hand-off dimmed: returns and planning are in no part of it.
    assert not {"returns", "planning", "storefront>returns"} & _lit(browser, "hl")
    details = browser.find_element(By.ID, "details").text
    for words in (
        "Order to delivery",
        "Value stream to Online shoppers. Starts: an order placed",
        "Lead time\n1.29d",
        "Target\n3d: met, 1.71d to spare",
        "Flow efficiency\n9.7% (work 3h)",
        "Rolled %C&A\n69.2%",
        "Hand-offs\n7",
        "Constraint\nwarehouse → delivery (1d)",
        "Critical path (magenta): Storefront → Checkout → Warehouse → Last mile → Online shoppers",
    ):
        assert words in details, words
    # Another stream replaces it; a team's click or a customer's critical path resets it.
    chooser.select_by_value("return-to-refund")
    assert _lit(browser, "hl-stream") >= {
        "returns",
        "storefront>returns",
        "payments>finance-office",
    }
    assert "warehouse" not in _lit(browser, "hl")
    assert "Target\n2d: missed by 4h" in browser.find_element(By.ID, "details").text
    Select(browser.find_element(By.ID, "critical")).select_by_value("shoppers")
    assert chooser.first_selected_option.text == "(none)"
    assert not _lit(browser, "hl-stream")
    assert [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")] == []


def test_no_selector_without_streams(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, _page(EXAMPLES / "software-company.yaml", tmp_path))
    assert browser.find_elements(By.ID, "stream") == []


def test_the_page_of_one_stream(browser: Any, tmp_path: Path) -> None:
    facts = _open(browser, _page(ORG, tmp_path, "--stream", "return-to-refund"))
    assert sorted(n["id"] for n in facts["nodes"]) == [
        "finance-office",
        "payments",
        "returns",
        "storefront",
    ]
    assert [e for e in facts["log"] if e["level"] in ("SEVERE", "WARNING")] == []
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    # The page of one stream opens on that stream: the only one offered, chosen and lit,
    # its numbers shown, and the headlines are the stream's own.
    chooser = Select(browser.find_element(By.ID, "stream"))
    assert [o.text for o in chooser.options] == ["(none)", "Return to refund"]
    assert chooser.first_selected_option.text == "Return to refund"
    assert "returns" in _lit(browser, "hl-stream")
    assert "Return to refund" in browser.find_element(By.ID, "details").text
    headlines = browser.find_element(By.TAG_NAME, "aside").text
    assert "planning" not in headlines and "warehouse" not in headlines
