"""The pictures of one value stream for docs/pictures.md.

    python scripts/stream_pictures.py [ORG] [STREAM]

Defaults: examples/northwind and its order-to-delivery stream. When that org declares no such
stream, the test fixture tests/fixtures/streams.yaml (whose order stream has the same id) is
drawn instead, and the script says so. Writes, in docs/pictures/:

- STREAM-timeline.svg: ``icmap graph ORG --stream STREAM --timeline``, the value stream map;
- STREAM-timeline.png: the same SVG as headless Chromium shows it (the screenshot looked at);
- STREAM-stream.svg: ``icmap graph ORG --stream STREAM``, the stream on its own;
- STREAM-page.png: the HTML page with the stream chosen in its selector.

The two screenshots need Debian's chromium and chromium-driver, and selenium (the dev extra);
without them only the SVGs are written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ROOT / "docs" / "pictures"
FALLBACK = ROOT / "tests" / "fixtures" / "streams.yaml"


def icmap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "icmap", *args], capture_output=True, text=True, check=False
    )


def has_stream(org: Path, stream: str) -> bool:
    found = icmap("graph", str(org), "--stream", stream, "-f", "json")
    return found.returncode == 0 and json.loads(found.stdout)["graph"]["stream"]["stream"] == stream


def shoot(timeline: Path, page: Path, stream: str, targets: tuple[Path, Path]) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1920,1080"):
        options.add_argument(argument)
    driver = webdriver.Chrome(
        service=Service(executable_path=shutil.which("chromedriver")), options=options
    )
    try:
        # The SVG on its own, at its size, as any SVG viewer would show it.
        driver.get(timeline.as_uri())
        size = driver.execute_script(
            "const s = document.documentElement;"
            "return [s.width.baseVal.value, s.height.baseVal.value]"
        )
        driver.set_window_size(int(size[0]) + 40, int(size[1]) + 200)
        element = driver.find_element(By.TAG_NAME, "svg")
        element.screenshot(str(targets[0]))
        driver.set_window_size(1920, 1080)
        driver.get(page.as_uri())
        while not driver.execute_script("return !!document.querySelector('#canvas svg')"):
            time.sleep(0.05)
        Select(driver.find_element(By.ID, "stream")).select_by_value(stream)
        driver.save_screenshot(str(targets[1]))
    finally:
        driver.quit()


def main() -> None:
    org = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "northwind"
    stream = sys.argv[2] if len(sys.argv) > 2 else "order-to-delivery"
    if not has_stream(org, stream):
        print(f"{org} has no stream {stream!r}: drawing {FALLBACK.relative_to(ROOT)} instead")
        org, stream = FALLBACK, "order-to-delivery"
    timeline = PICTURES / f"{stream}-timeline.svg"
    drawn = PICTURES / f"{stream}-stream.svg"
    for extra, target in ((["--timeline"], timeline), ([], drawn)):
        done = icmap("graph", str(org), "--stream", stream, *extra, "-o", str(target))
        if done.returncode:
            sys.exit(done.stderr)
        print(f"wrote {target.relative_to(ROOT)}")
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        print("no chromium or chromedriver: no screenshots")
        return
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.html"
        icmap("graph", str(org), "-o", str(page))
        targets = (PICTURES / f"{stream}-timeline.png", PICTURES / f"{stream}-page.png")
        shoot(timeline, page, stream, targets)
        for target in targets:
            print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
