"""``stabgan explore`` in a real headless browser (Selenium, Debian's chromium and chromedriver).

The server runs in a subprocess (so Bokeh's and Tornado's warnings never meet pytest's
``filterwarnings = error``) on a free loopback port, with a method of the user's own from
``--method-file``. The browser resolves no host but the loopback address, so a request to the
network would fail (and show in the console). The page is driven as a user drives it: type a
value and press Enter, drag a slider and release it, choose in a select, click on the phase
plane or a button. What the page shows (verdict, h_max, the copied LaTeX, the stability map)
is compared with :func:`stabgan.analyze`, :func:`stabgan.stability_map` and the command line
called here (consistency checks: the same code behind two faces). Skips, with the reason,
only where chromium, chromedriver, Selenium or Bokeh are missing.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from _chromium import ARTIFACTS, DEEP, ROOT, missing, wait_until

import stabgan

#: The user's own method: R1 written out by hand, plus the catalogue's R2 at gamma = 1/2.
METHOD_FILE = '''
id = "mine"
loss_d = "f(D(theta)) + f(-D(0))"
d_penalty = "gamma/2 * psi**2"
summary = "R1 written out, plus R2"
penalties = ["r2:gamma=0.5"]
[parameters]
gamma = {default = 1, low = 0}
'''

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def method_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("method") / "mine.toml"
    path.write_text(METHOD_FILE)
    return path


@pytest.fixture(scope="module")
def server(method_file):
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "stabgan", "explore", "--port", str(port),
                             "--no-browser", "--method-file", str(method_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
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
    # the server says it is serving; the batch commands' "still working" line is not for it
    assert "still working" not in err, err[-3000:]


def _el(driver, cls):
    return driver.execute_script(DEEP + "return deep(document, arguments[0]);", cls)


def _text(driver, cls) -> str:
    return driver.execute_script(
        DEEP + "const e = deep(document, arguments[0]); if (!e) return null;"
        "const r = e.shadowRoot || e; const inner = r.querySelector('.bk-clearfix, pre');"
        "return inner ? inner.textContent : null;", cls)


def _shown(driver, cls) -> bool:
    """Whether the widget of class ``cls`` is displayed (not hidden with its scheme)."""
    return driver.execute_script(DEEP + "return deep(document, arguments[0]).checkVisibility();",
                                 cls)


def _model(driver, name, expr):
    """``expr`` evaluated in the page with ``m`` the Bokeh model called ``name``."""
    return driver.execute_script(
        f"const m = Bokeh.documents[0].get_model_by_name(arguments[0]); return {expr};", name)


def _wait(driver, cond, timeout=60.0):
    return wait_until(cond, timeout, lambda: f"; verdict: {_text(driver, 'sg-verdict')!r}")


def _input(driver, host_cls):
    return driver.execute_script(
        DEEP + "const h = deep(document, arguments[0]);"
        "return h.shadowRoot ? h.shadowRoot.querySelector('input') : h.querySelector('input');",
        host_cls)


def _type(driver, host_cls, text):
    from selenium.webdriver.common.keys import Keys

    box = _input(driver, host_cls)
    box.click()
    box.send_keys(Keys.END, *[Keys.BACKSPACE] * len(box.get_attribute("value")))
    box.send_keys(text, Keys.ENTER)


def _select(driver, host_cls):
    from selenium.webdriver.support.ui import Select
    return Select(driver.execute_script(
        "return arguments[0].shadowRoot.querySelector('select');", _el(driver, host_cls)))


def _hmax_text(a) -> str:
    return f"h_max = {a.discrete['h_max']}"


def _load(driver, url):
    driver.get(url)
    _wait(driver, lambda: (_text(driver, "sg-verdict") or "").startswith("verdict:"))


def _settled(driver, a) -> bool:
    """The page shows ``a``'s verdict and h_max, and nothing is being computed."""
    return (_text(driver, "sg-busy") == "" and _text(driver, "sg-verdict") == "verdict: "
            + a.verdict() and (_text(driver, "sg-hmax") or "").startswith(_hmax_text(a)))


def _no_severe_console_errors(driver):
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe


def _cli_error(argv, capsys) -> str:
    """The one line the command line prints on stderr for ``argv`` (exit status 2)."""
    from stabgan._cli import main
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("stabgan: error: ")
    return err[len("stabgan: error: "):].rstrip("\n")


def test_page_verdict_hmax_click_console_screenshot(server, browser):
    """Default page, a changed parameter, a bad one, a click: views and text follow analyze."""
    from selenium.webdriver.common.action_chains import ActionChains

    _load(browser, server)
    a = stabgan.analyze(stabgan.method("r1", gamma="1"), scheme="simgd", h="0.1")
    _wait(browser, lambda: _settled(browser, a))

    # change gamma: the verdict and h_max follow analyze at gamma = 0.3
    _type(browser, "sg-param-gamma", "0.3")
    b = stabgan.analyze(stabgan.method("r1", gamma="0.3"), scheme="simgd", h="0.1")
    assert _hmax_text(a) != _hmax_text(b)
    _wait(browser, lambda: _settled(browser, b))
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
    # a second bad control while the first is bad: both show their messages at once, and
    # the views stay as they were
    shown = _text(browser, "sg-verdict")
    _type(browser, "sg-input-h", "abc")
    with pytest.raises(stabgan.InputError) as err_h:
        stabgan.analyze(stabgan.method("r1", gamma="0.3"), scheme="simgd", h="abc")
    _wait(browser, lambda: _text(browser, "sg-error-h") == str(err_h.value))
    assert _text(browser, "sg-error-gamma") == str(err.value)
    assert _text(browser, "sg-verdict") == shown
    _type(browser, "sg-input-h", "1.3")
    _wait(browser, lambda: _text(browser, "sg-error-h") == "")
    # an emptied box is the parameter's default (gamma = 1 for r1), never a symbol
    _type(browser, "sg-param-gamma", "")
    e = stabgan.analyze(stabgan.method("r1", gamma="1"), scheme="simgd", h="1.3")
    _wait(browser, lambda: _text(browser, "sg-verdict") == "verdict: " + e.verdict())
    assert "gamma" not in _text(browser, "sg-verdict")
    _type(browser, "sg-param-gamma", "0.3")
    _wait(browser, lambda: _text(browser, "sg-error-gamma") == "")
    _type(browser, "sg-param-f", "t**")  # an f that does not parse
    with pytest.raises(stabgan.InputError) as err:
        stabgan.method("r1", gamma="0.3", f="t**")
    _wait(browser, lambda: _text(browser, "sg-error-f") == str(err.value))
    _type(browser, "sg-param-f", "logistic")
    _wait(browser, lambda: _text(browser, "sg-error-f") == "")
    _type(browser, "sg-input-h", "0.1")
    _wait(browser, lambda: _settled(browser, b))

    # two settings in a row without waiting: OGDA (about 1.5 s of symbolic work in the
    # worker, not cached) then SimGD again (cached, shown at once). The page must end on
    # SimGD: the late OGDA result is dropped, never shown, and the busy line clears.
    scheme = _select(browser, "sg-scheme")
    scheme.select_by_visible_text("ogda")
    _wait(browser, lambda: _text(browser, "sg-busy") != "")  # OGDA is in the worker
    scheme.select_by_visible_text("simgd")
    _wait(browser, lambda: _settled(browser, b))
    time.sleep(4)  # longer than OGDA takes in the worker: its result has come and gone
    assert _settled(browser, b), _text(browser, "sg-hmax")

    # a click on the phase plane adds a start: one more trajectory of each kind
    assert _text(browser, "sg-status").startswith("trajectories: 1 ")
    phase = _el(browser, "sg-phase")
    ActionChains(browser).move_to_element_with_offset(phase, 60, -80).click().perform()
    _wait(browser, lambda: (_text(browser, "sg-status") or "").startswith("trajectories: 2 "))
    assert _text(browser, "sg-status") == "trajectories: 2 (ODE 2, scheme 2)"

    # the continuous scheme: no h_max, the continuous verdict, its LaTeX block
    scheme.select_by_visible_text("continuous")
    d = stabgan.analyze(stabgan.method("r1", gamma="0.3"))
    _wait(browser, lambda: _text(browser, "sg-verdict") == "verdict: " + d.verdict())
    assert _text(browser, "sg-hmax") == "h_max: none (continuous time)"
    assert _model(browser, "sg-latex-source", "m.text") == d.to_latex()
    scheme.select_by_visible_text("simgd")
    _wait(browser, lambda: _settled(browser, b))
    _wait(browser, lambda: _model(browser, "sg-map-marker", "m.data.y.length") == 1)

    _no_severe_console_errors(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    time.sleep(1)  # the last MathJax and canvas paints
    assert browser.save_screenshot(str(ARTIFACTS / "explore.png"))
    assert (ARTIFACTS / "explore.png").stat().st_size > 10_000


def test_formulas_are_typeset_offline_and_copy_latex_copies_the_block(server, browser):
    """The analysis shows as typeset formulas (MathJax from the server's own BokehJS bundle:
    every resource the page loaded is the server's), and the button copies ``to_latex()``."""
    _load(browser, server)
    a = stabgan.analyze(stabgan.method("r1", gamma="1"), scheme="simgd", h="0.1")
    _wait(browser, lambda: _settled(browser, a))
    # MathJax turned each $$...$$ of the formulas into an mjx-container (SVG output)
    count = browser.execute_script(
        DEEP + "const f = deep(document, 'sg-formulas'); if (!f) return 0;"
        "return every(f.shadowRoot || f, 'mjx-container', []).length;")
    parts = [p for p in ("field", "jacobian", "eigenvalues", "condition", "h_max")
             if a.to_latex(p)]
    assert count >= len(parts)
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name);")
    assert any("bokeh-mathjax" in r for r in resources), resources
    assert all(r.startswith(server) for r in resources), resources

    origin = server.rstrip("/")
    browser.execute_cdp_cmd("Browser.grantPermissions",
                            {"origin": origin, "permissions": ["clipboardReadWrite",
                                                               "clipboardSanitizedWrite"]})
    button = browser.execute_script("return arguments[0].shadowRoot.querySelector('button');",
                                    _el(browser, "sg-copy"))
    button.click()
    _wait(browser, lambda: _model(browser, "sg-copy", "m.label") == "copy LaTeX (copied)",
          timeout=10)
    copied = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, e => done('refused: ' + e));")
    assert copied == a.to_latex()
    _no_severe_console_errors(browser)


def test_a_method_from_method_file_is_offered_and_analysed(server, browser, method_file):
    """The method of --method-file (with the penalty the file adds) is in the method select,
    with its parameters, and the page shows analyze's verdict and h_max for it."""
    _load(browser, server)
    method = _select(browser, "sg-method")
    assert "mine+r2 (--method-file)" in [o.text for o in method.options]
    method.select_by_visible_text("mine+r2 (--method-file)")
    _wait(browser, lambda: _el(browser, "sg-param-gamma_r2") is not None)
    assert _input(browser, "sg-param-gamma_r2").get_attribute("value") == "1/2"
    # the same method built here from the API: R1 written out, plus R2 at gamma = 1/2
    spec = stabgan.custom_method("mine", loss_d="f(D(theta)) + f(-D(0))",
                                 d_penalty="gamma/2 * psi**2", parameters={"gamma": (1, 0, None)})
    m = stabgan.method(spec, gamma="1") + stabgan.penalty("r2", gamma="0.5")
    a = stabgan.analyze(m, scheme="simgd", h="0.1")
    _wait(browser, lambda: _settled(browser, a))
    _type(browser, "sg-param-gamma", "0.2")
    b = stabgan.analyze(stabgan.method(spec, gamma="0.2") + stabgan.penalty("r2", gamma="0.5"),
                        scheme="simgd", h="0.1")
    assert _hmax_text(a) != _hmax_text(b)
    _wait(browser, lambda: _settled(browser, b))
    _no_severe_console_errors(browser)


def test_scheme_options_follow_analyze_and_a_bad_one_is_the_cli_message(server, browser,
                                                                        capsys):
    """Only the chosen scheme's options show; AltGD with n_d = 2 and SimGD with two step
    sizes give analyze's verdict and h_max for those options; n_d = 0 shows the command
    line's one-line message next to n_d, and the page keeps running."""
    _load(browser, server)
    r1 = stabgan.method("r1", gamma="1")
    assert not _shown(browser, "sg-input-n_d")  # simgd has no n_d
    assert _shown(browser, "sg-input-momentum")
    _select(browser, "sg-scheme").select_by_visible_text("altgd")
    _wait(browser, lambda: _shown(browser, "sg-input-n_d"))
    assert _shown(browser, "sg-input-order") and not _shown(browser, "sg-input-h_e")
    _type(browser, "sg-input-n_d", "2")
    a = stabgan.analyze(r1, scheme="altgd", h="0.1", n_d="2")
    one = stabgan.analyze(r1, scheme="altgd", h="0.1")
    assert _hmax_text(a) != _hmax_text(one)
    _wait(browser, lambda: _settled(browser, a))

    message = _cli_error(["analyze", "r1", "-p", "gamma=1", "--scheme", "altgd", "--h", "0.1",
                          "--n-d", "0"], capsys)
    _type(browser, "sg-input-n_d", "0")
    _wait(browser, lambda: _text(browser, "sg-error-n_d") == message)
    _type(browser, "sg-input-n_d", "2")
    _wait(browser, lambda: _text(browser, "sg-error-n_d") == "")
    _wait(browser, lambda: _settled(browser, a))

    # SimGD with the players' own step sizes
    _select(browser, "sg-scheme").select_by_visible_text("simgd")
    _select(browser, "sg-step-mode").select_by_visible_text("two (h_g, h_d)")
    _wait(browser, lambda: _shown(browser, "sg-input-h_d"))
    _type(browser, "sg-input-h_d", "0.5")
    two = stabgan.analyze(r1, scheme="simgd", h_g="0.1", h_d="0.5")
    # the block names the step sizes it was derived for (h_g = 1/10, h_d = 1/2)
    _wait(browser, lambda: _model(browser, "sg-latex-source", "m.text") == two.to_latex())
    assert _settled(browser, two)
    _no_severe_console_errors(browser)


def _drag(driver, slider_cls, dx: int, check_while_held=None):
    """Drag the slider's handle by ``dx`` pixels; call ``check_while_held()`` before the
    mouse button is released."""
    from selenium.webdriver.common.action_chains import ActionChains

    handle = driver.execute_script(
        "return arguments[0].shadowRoot.querySelector('.noUi-handle');", _el(driver, slider_cls))
    ActionChains(driver).click_and_hold(handle).move_by_offset(dx // 2, 0).pause(0.3) \
        .move_by_offset(dx - dx // 2, 0).pause(0.3).perform()
    try:
        if check_while_held is not None:
            time.sleep(1.0)  # time for a (wrong) recompute on every tick to show
            check_while_held()
    finally:
        ActionChains(driver).release().perform()


def test_stability_map_marker_and_slider_release(server, browser):
    """The map is stability_map's spectral radius over h and gamma for this setting, with a
    marker at (h, gamma); dragging the gamma slider changes nothing until it is released,
    then the verdict follows analyze at the released value and the marker moves there."""
    _load(browser, server)
    a = stabgan.analyze(stabgan.method("r1", gamma="1"), scheme="simgd", h="0.1")
    _wait(browser, lambda: _settled(browser, a))
    _wait(browser, lambda: _model(browser, "sg-map-image", "m.data.image.length") == 1)
    assert _select(browser, "sg-map-x").first_selected_option.text == "h"
    assert _select(browser, "sg-map-y").first_selected_option.text == "gamma"
    xs = np.array(_model(browser, "sg-map-image", "Array.from(m.data.xs[0])"))
    ys = np.array(_model(browser, "sg-map-image", "Array.from(m.data.ys[0])"))
    image = np.array(_model(browser, "sg-map-image", "Array.from(m.data.image[0])"))
    s = stabgan.stability_map(stabgan.method("r1"), "simgd", h=xs, gamma=ys)
    assert np.array_equal(image.reshape(ys.size, xs.size), s.spectral_radius.T)
    # the marker sits on the current point, inside the stable region there (h_max = 4)
    assert _model(browser, "sg-map-marker", "[m.data.x[0], m.data.y[0]]") == [0.1, 1.0]
    i, j = np.argmin(abs(xs - 0.1)), np.argmin(abs(ys - 1.0))
    assert s.locally_convergent[i, j] == a.locally_convergent

    def unchanged():
        # the handle has moved (the slider's value follows the drag) ...
        assert _model(browser, "sg-slider-gamma", "m.value") > 1.2
        # ... and nothing else has: no recompute before the release
        assert _input(browser, "sg-param-gamma").get_attribute("value") == "1"
        assert _model(browser, "sg-map-marker", "m.data.y[0]") == 1.0
        assert _settled(browser, a)

    _drag(browser, "sg-slider-gamma", 60, check_while_held=unchanged)
    _wait(browser, lambda: _input(browser, "sg-param-gamma").get_attribute("value") != "1")
    gamma = _input(browser, "sg-param-gamma").get_attribute("value")
    assert 1 < float(gamma) < 4
    b = stabgan.analyze(stabgan.method("r1", gamma=gamma), scheme="simgd", h="0.1")
    _wait(browser, lambda: _settled(browser, b))
    _wait(browser, lambda: _model(browser, "sg-map-marker", "m.data.y[0]") == float(gamma))
    assert _model(browser, "sg-map-marker", "m.data.x[0]") == 0.1
    _no_severe_console_errors(browser)


def test_a_port_in_use_is_one_line_naming_the_option():
    """A port that something else listens on: exit status 2, one line naming --port."""
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep
                   + os.environ.get("PYTHONPATH", ""))
        r = subprocess.run([sys.executable, "-m", "stabgan", "explore", "--port", str(port),
                            "--no-browser"], capture_output=True, text=True, timeout=120,
                           env=env)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and "'--port'" in r.stderr and str(port) in r.stderr
    assert "already in use" in r.stderr and r.stdout == ""


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


def test_explore_with_a_bad_method_file_is_one_line_and_serves_nothing(tmp_path, capsys):
    """A method file the loader refuses stops explore with analyze's one-line message."""
    path = tmp_path / "bad.toml"
    path.write_text('id = "a"\nloss_d = "theta*beta"')
    message = _cli_error(["analyze", "--method-file", str(path)], capsys)
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "stabgan", "explore", "--no-browser", "--port",
                        str(port), "--method-file", str(path)],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == f"stabgan: error: {message}\n"
