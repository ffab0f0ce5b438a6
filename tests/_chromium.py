"""What the browser tests share: Debian's chromium and chromedriver driven by Selenium
(headless), the reason to skip when a piece is missing, the artifacts folder, and a helper
that finds an element through Bokeh 3's shadow roots. The ``browser`` fixture is in
``conftest.py``."""
from __future__ import annotations

import os
import pathlib
import time

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = pathlib.Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"

#: JavaScript: ``deep`` finds the first element with class ``cls`` and ``every`` all elements
#: with a tag, looking through every shadow root (Bokeh 3 renders each widget in a shadow DOM).
DEEP = """
function deep(root, cls) {
    const hit = root.querySelector('.' + cls);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) { const r = deep(el.shadowRoot, cls); if (r) return r; }
    }
    return null;
}
function every(root, tag, out) {
    for (const el of root.querySelectorAll('*')) {
        if (el.tagName.toLowerCase() === tag) out.push(el);
        if (el.shadowRoot) every(el.shadowRoot, tag, out);
    }
    return out;
}
"""


def missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    for mod in ("selenium", "bokeh"):
        try:
            __import__(mod)
        except ImportError:
            return f"{mod} is not installed (pip install '.[explore]' selenium)"
    return None


def new_driver(profile: pathlib.Path):
    """A headless Chromium under chromedriver with its own profile directory, the browser
    console log kept (``driver.get_log('browser')``), and no name resolving but the loopback
    address (the pages must need no network)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1500,1500",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                 f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)


def wait_until(cond, timeout: float, message=lambda: ""):
    """Poll ``cond()`` every 0.05 s until it returns something true, and return that; fail
    after ``timeout`` seconds with "timed out waiting for the page" and ``message()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for the page{message()}")
