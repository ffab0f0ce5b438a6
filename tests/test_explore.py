"""``stabgan explore`` in a real headless browser (Selenium, Debian's chromium and chromedriver).

The server runs in a subprocess (so Bokeh's and Tornado's warnings never meet pytest's
``filterwarnings = error``) on a free loopback port. The page is driven as a user drives it:
type a parameter and press Enter, click on the phase plane. What the page shows (the verdict,
h_max) is compared with :func:`stabgan.analyze` called here (a consistency check: the same
code behind two faces). Skips, with the reason, only where chromium, chromedriver, Selenium
or Bokeh are missing.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from _chromium import ARTIFACTS, DEEP, ROOT, missing

import stabgan

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "stabgan", "explore", "--port", str(port),
                             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out, err = proc.communicate()
                pytest.fail(f"the explorer did not start: {err[-2000:]}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    assert "Traceback" not in err, err[-3000:]


def _el(driver, cls):
    return driver.execute_script(DEEP + "return deep(document, arguments[0]);", cls)


def _text(driver, cls) -> str:
    return driver.execute_script(
        DEEP + "const e = deep(document, arguments[0]); if (!e) return null;"
        "const r = e.shadowRoot || e; const inner = r.querySelector('.bk-clearfix, pre');"
        "return inner ? inner.textContent : null;", cls)


def _wait(driver, cond, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for the page; verdict: {_text(driver, 'sg-verdict')!r}")


def _type(driver, host_cls, text):
    from selenium.webdriver.common.keys import Keys

    box = driver.execute_script(
        DEEP + "const h = deep(document, arguments[0]);"
        "return h.shadowRoot ? h.shadowRoot.querySelector('input') : h.querySelector('input');",
        host_cls)
    box.click()
    box.send_keys(Keys.END, *[Keys.BACKSPACE] * len(box.get_attribute("value")))
    box.send_keys(text, Keys.ENTER)


def _hmax_text(a) -> str:
    return f"h_max = {a.discrete['h_max']}"


def test_page_verdict_hmax_click_console_screenshot(server, browser):
    """Default page, a changed parameter, a bad one, a click: views and text follow analyze."""
    from selenium.webdriver.common.action_chains import ActionChains

    browser.get(server)
    _wait(browser, lambda: (_text(browser, "sg-verdict") or "").startswith("verdict:"))
    a = stabgan.analyze(stabgan.method("r1", gamma="1"), scheme="simgd", h="0.1")
    assert _text(browser, "sg-verdict") == "verdict: " + a.verdict()
    assert _text(browser, "sg-hmax").startswith(_hmax_text(a))

    # change gamma: the verdict and h_max follow analyze at gamma = 0.3
    _type(browser, "sg-param-gamma", "0.3")
    b = stabgan.analyze(stabgan.method("r1", gamma="0.3"), scheme="simgd", h="0.1")
    assert _hmax_text(a) != _hmax_text(b)
    _wait(browser, lambda: (_text(browser, "sg-hmax") or "").startswith(_hmax_text(b)))
    assert _text(browser, "sg-verdict") == "verdict: " + b.verdict()
    assert str(b.discrete["h_max"]) == "6/5"

    # a step size beyond h_max: not convergent, and the page says so
    _type(browser, "sg-input-h", "1.3")
    c = stabgan.analyze(stabgan.method("r1", gamma="0.3"), scheme="simgd", h="1.3")
    assert c.locally_convergent is False
    _wait(browser, lambda: _text(browser, "sg-verdict") == "verdict: " + c.verdict())

    # bad input: the package's one-line message next to the control; the app keeps running
    _type(browser, "sg-param-gamma", "-0.3")
    with pytest.raises(stabgan.InputError) as err:
        stabgan.method("r1", gamma="-0.3")
    _wait(browser, lambda: _text(browser, "sg-error-gamma") == str(err.value))
    _type(browser, "sg-param-gamma", "0.3")
    _wait(browser, lambda: _text(browser, "sg-error-gamma") == "")
    _type(browser, "sg-param-f", "t**")  # an f that does not parse
    with pytest.raises(stabgan.InputError) as err:
        stabgan.method("r1", gamma="0.3", f="t**")
    _wait(browser, lambda: _text(browser, "sg-error-f") == str(err.value))
    _type(browser, "sg-param-f", "logistic")
    _wait(browser, lambda: _text(browser, "sg-error-f") == "")
    _type(browser, "sg-input-h", "0.1")
    _wait(browser, lambda: (_text(browser, "sg-verdict") or "") == "verdict: " + b.verdict())

    # two settings in a row without waiting: OGDA (about 1.5 s of symbolic work in the
    # worker, not cached) then SimGD again (cached, shown at once). The page must end on
    # SimGD: the late OGDA result is dropped, never shown, and the busy line clears.
    from selenium.webdriver.support.ui import Select
    scheme_select = Select(browser.execute_script(
        "return arguments[0].shadowRoot.querySelector('select');", _el(browser, "sg-scheme")))
    scheme_select.select_by_visible_text("ogda")
    _wait(browser, lambda: _text(browser, "sg-busy") != "")  # OGDA is in the worker
    scheme_select.select_by_visible_text("simgd")

    def settled():
        return (_text(browser, "sg-busy") == ""
                and _text(browser, "sg-hmax").startswith(_hmax_text(b))
                and _text(browser, "sg-verdict") == "verdict: " + b.verdict())
    _wait(browser, settled)
    time.sleep(4)  # longer than OGDA takes in the worker: its result has come and gone
    assert settled(), _text(browser, "sg-hmax")

    # a click on the phase plane adds a start: one more trajectory of each kind
    assert _text(browser, "sg-status").startswith("trajectories: 1 ")
    phase = _el(browser, "sg-phase")
    ActionChains(browser).move_to_element_with_offset(phase, 60, -80).click().perform()
    _wait(browser, lambda: (_text(browser, "sg-status") or "").startswith("trajectories: 2 "))
    assert _text(browser, "sg-status") == "trajectories: 2 (ODE 2, scheme 2)"

    # the continuous scheme: no h_max, the continuous verdict
    scheme_select.select_by_visible_text("continuous")
    d = stabgan.analyze(stabgan.method("r1", gamma="0.3"))
    _wait(browser, lambda: _text(browser, "sg-verdict") == "verdict: " + d.verdict())
    assert _text(browser, "sg-hmax") == "h_max: none (continuous time)"
    assert "\\begin{align*}" in (_text(browser, "sg-latex") or "") or \
        d.to_latex().splitlines()[0] in (_text(browser, "sg-latex") or "")
    scheme_select.select_by_visible_text("simgd")
    _wait(browser, lambda: (_text(browser, "sg-hmax") or "").startswith(_hmax_text(b)))

    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "explore.png"))
    assert (ARTIFACTS / "explore.png").stat().st_size > 10_000


def test_explore_without_bokeh_says_how_to_install(tmp_path):
    """Without Bokeh the command prints one line with the install command and exits 2."""
    (tmp_path / "bokeh").mkdir()
    (tmp_path / "bokeh" / "__init__.py").write_text("raise ImportError('no bokeh here')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    r = subprocess.run([sys.executable, "-m", "stabgan", "explore", "--no-browser"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and "pip install 'stabgan[explore]'" in r.stderr
