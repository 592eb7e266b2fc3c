"""Screenshots of the HTML page for docs/pictures.md, in headless Chromium.

    python scripts/screenshots.py            # writes docs/pictures/*-page.png

Needs Debian's chromium and chromium-driver, and selenium (the dev extra). Each page is
written with ``icmap graph``, opened from file://, and shot at 1920 x 1080 (a desktop screen)
once Graphviz has laid it out; a shot with a team in SHOTS clicks that team first.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = [
    # (org, output, team to click or None)
    ("examples/restaurant.yaml", "restaurant-page.png", None),
    ("examples/northwind", "northwind-page.png", None),
    ("examples/northwind", "northwind-page-support.png", "support"),
    ("examples/team-topologies.yaml", "team-topologies-page.png", None),
]


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1920,1080"):
        options.add_argument(argument)
    driver = webdriver.Chrome(
        service=Service(executable_path=shutil.which("chromedriver")), options=options
    )
    try:
        with tempfile.TemporaryDirectory() as folder:
            for org, name, click in SHOTS:
                page = Path(folder) / "page.html"
                subprocess.run(
                    [sys.executable, "-m", "icmap", "graph", str(ROOT / org), "-o", str(page)],
                    check=True,
                    capture_output=True,
                )
                driver.get(page.as_uri())
                while not driver.execute_script("return !!document.querySelector('#canvas svg')"):
                    time.sleep(0.05)
                if click:
                    node = driver.find_element(By.CSS_SELECTOR, f'.node[data-id="{click}"]')
                    driver.execute_script("arguments[0].scrollIntoView({block:'center'})", node)
                    node.click()
                target = ROOT / "docs" / "pictures" / name
                driver.save_screenshot(str(target))
                print(f"wrote {target.relative_to(ROOT)}")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
