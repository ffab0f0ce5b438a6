"""Fixtures shared by the test modules (the browser tests' ``browser``)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium per test module (see ``tests/_chromium.py``); skips, with the
    reason, where chromium, chromedriver, Selenium or Bokeh are missing."""
    from _chromium import missing, new_driver

    reason = missing()
    if reason is not None:
        pytest.skip(reason)
    driver = new_driver(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()
