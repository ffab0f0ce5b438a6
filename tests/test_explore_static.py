"""``stabgan explore --static OUT.html`` in a real headless browser, offline.

The page evaluates the closed forms in JavaScript; what it shows is checked against the
package's own answers computed here: the verdict words and h_max of :func:`stabgan.analyze`
(exact arithmetic), its eigenvalues, and the trajectories of :func:`stabgan.simulate`. The
browser runs with Chrome's offline network emulation, and the page must not have asked for
any resource that is not a file:// or data: URL. Skips, with the reason, only where
chromium, chromedriver, Selenium or Bokeh are missing (the command-line refusals run
everywhere Bokeh is, and the refusals before Bokeh is needed run everywhere).

Tolerances, and why:

* h_max: 1e-9 relative. The page takes the positive roots of the derived boundary
  polynomials in floating point (a closed form for degree <= 2, Newton-polished Aberth
  above); analyze gives the exact root. A simple root in double precision is good to
  ~1e-15; 1e-9 leaves room for the conditioning of a quartic's root, and is far below any
  difference a wrong polynomial or a wrong interval would make.
* eigenvalues: 1e-12 (relative to their modulus): the page evaluates the derived 2 x 2 matrix
  at double precision and takes tr/2 -+ sqrt(tr^2/4 - det); away from a double eigenvalue
  that loses at most a few ulp.
* trajectories: 1e-12 absolute on states of size <= 1.5 over 200 steps. The page's update is
  the same rule on the same field, printed from the same SymPy expression, but the
  simulator's generated kernels associate some products differently (last-bit
  differences per step), and the map contracts (spectral radius < 1), so these do not grow
  beyond ~1e-14.
* the page's flow (fixed-step RK4 with steps of at most 0.05) against the SciPy oracle
  (``stabgan.integrate``, tight tolerances): 1e-6 absolute, the RK4 global error
  O(dt^4 T) for dt = 0.05 over T = 20 (about 1e-7 here).
"""
from __future__ import annotations

import html.parser
import json
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
import sympy
from _chromium import ARTIFACTS, DEEP, ROOT, missing, wait_until

import stabgan
from stabgan._cli import main

BOKEH = pytest.mark.skipif(missing() == "bokeh is not installed (pip install '.[explore]' "
                           "selenium)", reason="bokeh is not installed")


def _page(tmp_path_factory, name: str, *argv: str) -> pathlib.Path:
    out = tmp_path_factory.mktemp(name) / f"{name}.html"
    assert main(["explore", "--static", str(out), *argv]) == 0
    return out


@pytest.fixture(scope="module")
def r1_page(tmp_path_factory):
    if missing() is not None and "bokeh" in missing():
        pytest.skip(missing())
    return _page(tmp_path_factory, "r1", "--method", "r1", "-p", "gamma=0.3", "--h", "0.1")


# -- the page in the browser ---------------------------------------------------------------

def _offline(driver) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": True, "latency": 0, "downloadThroughput": -1,
                            "uploadThroughput": -1})


def _open(driver, page: pathlib.Path) -> None:
    _offline(driver)
    driver.get(page.as_uri())
    _wait(lambda: (_model(driver, "verdict", "text") or "").startswith("verdict: "))
    driver.get_log("browser")   # start each page with an empty console log


def _wait(cond, timeout: float = 30.0):
    return wait_until(cond, timeout)


def _model(driver, name: str, attr: str):
    """A property of the page's Bokeh model called ``name`` (data sources: their data)."""
    return driver.execute_script(
        "const m = Bokeh.documents[0].get_model_by_name(arguments[0]);"
        "if (!m) return null; const v = m[arguments[1]];"
        "if (v instanceof Map) { const o = {}; for (const [k, x] of v) o[k] = x; return o; }"
        "return v;", name, attr)


def _data(driver, name: str) -> dict:
    """A ColumnDataSource's columns as lists (arrays of arrays for multi_line)."""
    return json.loads(driver.execute_script(
        "const d = Bokeh.documents[0].get_model_by_name(arguments[0]).data;"
        "const o = {}; for (const [k, v] of (d instanceof Map ? d : Object.entries(d)))"
        "  o[k] = Array.from(v, (x) => (x && x.length !== undefined) ? Array.from(x) : x);"
        "return JSON.stringify(o);", name))


def _set(driver, name: str, value) -> None:
    """Set a widget's value through its Bokeh model, as a slider or select would."""
    driver.execute_script(
        "Bokeh.documents[0].get_model_by_name(arguments[0]).value = arguments[1];", name, value)


def _text(driver, name: str) -> str:
    return _model(driver, name, "text")


def _h_max(text: str) -> float | None:
    found = re.match(r"h_max = ([-+0-9.e]+|\u221e)", text)
    if found is None:
        return None
    return float("inf") if found.group(1) == "\u221e" else float(found.group(1))


def _method(m, **params):
    return m if isinstance(m, stabgan.Method) else stabgan.method(m, **params)


def _analyze(m, scheme: str = "continuous", h: str | None = None, **params):
    m = _method(m, **params)
    return stabgan.analyze(m) if scheme == "continuous" else \
        stabgan.analyze(m, scheme=scheme, h=h)


def _check_h_max(driver, m, scheme: str, **params) -> None:
    """The page's h_max against analyze's exact one (any h: h_max does not depend on it)."""
    a = _analyze(m, scheme, "1/10", **params)
    shown = _h_max(_text(driver, "hmax"))
    assert a.h_max is not None and shown is not None, _text(driver, "hmax")
    assert shown == pytest.approx(float(a.h_max), rel=1e-9), (a.h_max, _text(driver, "hmax"))


def _check_eigenvalues(driver, a) -> None:
    page = _data(driver, "eig_src")
    got = [complex(r, i) for r, i in zip(page["re"], page["im"])]
    want = [complex(*e["value"]) for e in a.to_dict()["eigenvalues"]]
    assert len(got) == len(want) == 2
    for w in want:   # each eigenvalue of analyze's is one of the page's
        assert min(abs(g - w) for g in got) <= 1e-12 * max(1.0, abs(w)), (got, want)
    for g in got:
        assert min(abs(g - w) for w in want) <= 1e-12 * max(1.0, abs(g)), (got, want)


def _check_trajectory(driver, m, scheme: str, h: float, steps: int, index: int,
                      **params) -> None:
    """The page's scheme trajectory from start ``index`` against stabgan.simulate's."""
    starts = _data(driver, "start_src")
    x0, y0 = starts["x"][index], starts["y"][index]
    page = _data(driver, "scheme_src")
    r = stabgan.simulate(_method(m, **params), scheme=scheme, h=h, steps=steps,
                         theta0=x0, psi0=y0, record_every=1)
    theta, psi = np.asarray(page["xs"][index]), np.asarray(page["ys"][index])
    assert theta.shape == psi.shape == (steps + 1,)
    np.testing.assert_allclose(theta, r.history_theta, rtol=0, atol=1e-12)
    np.testing.assert_allclose(psi, r.history_psi, rtol=0, atol=1e-12)


def _no_network(driver) -> None:
    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map((e) => e.name)"
        ".concat(performance.getEntriesByType('navigation').map((e) => e.name));")
    assert names, "the page's own navigation entry is missing"
    assert all(n.startswith(("file://", "data:")) for n in names), names


def _no_severe(driver) -> None:
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe


def test_r1_page_offline_follows_analyze_and_simulate(browser, r1_page):
    """R1: sliders move the verdict, h_max and eigenvalues as analyze says; the SimGD
    trajectories (the first start and a clicked one) are simulate's."""
    from selenium.webdriver.common.action_chains import ActionChains

    _open(browser, r1_page)
    _no_network(browser)
    # the first view: gamma = 0.3 as given, SimGD, h = 0.1
    a = _analyze("r1", "simgd", "1/10", gamma="3/10")
    assert _text(browser, "verdict") == "verdict: " + a.verdict()
    assert _h_max(_text(browser, "hmax")) == pytest.approx(1.2, rel=1e-9)
    assert str(a.h_max) == "6/5"

    # move gamma: verdict, h_max, eigenvalues and the trajectory follow
    _set(browser, "param-gamma", 0.7)
    a = _analyze("r1", "simgd", "1/10", gamma="7/10")
    _wait(lambda: _h_max(_text(browser, "hmax")) != pytest.approx(1.2))
    assert _text(browser, "verdict") == "verdict: " + a.verdict()
    assert a.locally_convergent is True
    _check_h_max(browser, "r1", "simgd", gamma="7/10")
    _check_eigenvalues(browser, a)
    _check_trajectory(browser, "r1", "simgd", 0.1, 200, 0, gamma="7/10")

    # a step beyond h_max = 4 gamma = 2.8: not convergent, and the page says why
    _set(browser, "h", 3.0)
    b = _analyze("r1", "simgd", "3", gamma="7/10")
    assert b.locally_convergent is False
    _wait(lambda: _text(browser, "verdict") == "verdict: " + b.verdict())
    _check_eigenvalues(browser, b)
    _set(browser, "h", 0.1)

    # gamma = 1.5: h_max is the smaller root of h^2/4 - 2 gamma h + 4 (a square root)
    _set(browser, "param-gamma", 1.5)
    _wait(lambda: _h_max(_text(browser, "hmax")) != pytest.approx(float(a.h_max)))
    _check_h_max(browser, "r1", "simgd", gamma="3/2")
    assert _analyze("r1", "simgd", "1/10", gamma="3/2").h_max.is_Rational is False

    # AltGD and extragradient (h_max a CRootOf): the page's h_max is analyze's
    for scheme in ("altgd", "extragradient"):
        _set(browser, "scheme", scheme)
        _wait(lambda: f"scheme {scheme}" in str(_text(browser, "latex")).split("\n")[0])
        _check_h_max(browser, "r1", scheme, gamma="3/2")
        _check_eigenvalues(browser, _analyze("r1", scheme, "1/10", gamma="3/2"))
        _check_trajectory(browser, "r1", scheme, 0.1, 200, 0, gamma="3/2")

    # the flow: no h_max, the continuous verdict and eigenvalues of v'(0, 0)
    _set(browser, "scheme", "continuous")
    c = _analyze("r1", gamma="3/2")
    _wait(lambda: _text(browser, "verdict") == "verdict: " + c.verdict())
    assert _text(browser, "hmax") == "h_max: none (continuous time)"
    _check_eigenvalues(browser, c)
    assert _data(browser, "scheme_src") == {"xs": [], "ys": []}
    # the page's RK4 flow against the SciPy oracle, sampled every h = 0.1 over 200 steps
    flow = _data(browser, "ode_src")
    o = stabgan.integrate(stabgan.method("r1", gamma="3/2"), t_span=(0, 20), theta0=1.0,
                          psi0=1.0, t_eval=np.arange(201) * 0.1)
    np.testing.assert_allclose(flow["xs"][0], o.theta, rtol=0, atol=1e-6)
    np.testing.assert_allclose(flow["ys"][0], o.psi, rtol=0, atol=1e-6)

    # the LaTeX is analyze's with gamma (and, for a scheme, h) a symbol: true at every slider
    assert _text(browser, "latex") == stabgan.analyze(stabgan.method("r1")).to_latex()

    # a click on the phase plane adds a start: one more line in each source
    _set(browser, "scheme", "simgd")
    _wait(lambda: len(_data(browser, "scheme_src")["xs"]) == 1)
    assert _text(browser, "latex") == stabgan.analyze(stabgan.method("r1"),
                                                      scheme="simgd").to_latex()
    phase = browser.execute_script(
        "return Bokeh.index.get_one(Bokeh.documents[0].get_model_by_name('phase')).el;")
    ActionChains(browser).move_to_element_with_offset(phase, 60, -80).click().perform()
    _wait(lambda: len(_data(browser, "scheme_src")["xs"]) == 2)
    assert len(_data(browser, "start_src")["x"]) == 2
    assert len(_data(browser, "ode_src")["xs"]) == 2
    assert _text(browser, "status") == "trajectories: 2 (ODE 2, scheme 2)"
    _check_trajectory(browser, "r1", "simgd", 0.1, 200, 1, gamma="3/2")

    # "copy LaTeX" puts the block on the clipboard
    browser.execute_cdp_cmd("Browser.grantPermissions",
                            {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    button = browser.execute_script(
        DEEP + "const h = deep(document, 'sg-copy');"
        "return (h.shadowRoot || h).querySelector('button');")
    button.click()
    _wait(lambda: browser.execute_async_script(
        "const done = arguments[0];"
        "navigator.clipboard.readText().then(done, () => done(null));") == _text(browser, "latex"))

    _no_severe(browser)
    _no_network(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "explore-static.png"))
    assert (ARTIFACTS / "explore-static.png").stat().st_size > 10_000


def test_wgan_gp_page_jump_and_smooth(browser, tmp_path_factory):
    """WGAN-GP: where the field jumps at psi = 0 the verdict is analyze's (no Jacobian, the
    one-sided equilibria's types); with g0 = 0 the field is smooth and h_max is analyze's."""
    page = _page(tmp_path_factory, "wgan-gp", "--method", "wgan-gp", "--h", "0.1")
    _open(browser, page)
    _no_network(browser)
    for gamma, g0 in ((1.0, 1.0), (5.0, 0.2), (0.3, 0.5)):
        _set(browser, "param-gamma", gamma)
        _set(browser, "param-g0", g0)
        a = _analyze("wgan-gp", "simgd", "1/10", gamma=str(gamma), g0=str(g0))
        assert a.jacobian is None and a.h_max is None
        _wait(lambda: _text(browser, "verdict") == "verdict: " + a.verdict())
        assert _text(browser, "hmax").startswith("h_max: none")
        assert _data(browser, "eig_src") == {"re": [], "im": []}
    _check_trajectory(browser, "wgan-gp", "simgd", 0.1, 200, 0, gamma="0.3", g0="0.5")
    # no jump with g0 = 0: the smooth field's Jacobian, verdict and h_max
    _set(browser, "param-g0", 0.0)
    a = _analyze("wgan-gp", "simgd", "1/10", gamma="0.3", g0="0")
    _wait(lambda: _text(browser, "verdict") == "verdict: " + a.verdict())
    _check_h_max(browser, "wgan-gp", "simgd", gamma="0.3", g0="0")
    _check_eigenvalues(browser, a)
    _check_trajectory(browser, "wgan-gp", "simgd", 0.1, 200, 0, gamma="0.3", g0="0")
    _no_severe(browser)


def test_gan_page_marginal(browser, tmp_path_factory):
    """The unregularized GAN: eigenvalues on the imaginary axis (flow) and on the unit
    circle (AltGD, for h below analyze's h_marginal = 2); SimGD diverges for every h."""
    page = _page(tmp_path_factory, "gan", "--method", "gan", "--scheme", "continuous")
    _open(browser, page)
    c = _analyze("gan")
    assert c.marginal is True
    assert c.verdict().startswith(_text(browser, "verdict")[len("verdict: "):])
    _check_eigenvalues(browser, c)
    _set(browser, "scheme", "altgd")
    a = _analyze("gan", "altgd", "1/10")
    assert a.marginal is True and a.h_max is None
    _wait(lambda: _text(browser, "verdict") == "verdict: " + a.verdict())
    shown = re.search(r"for h < ([0-9.]+)", _text(browser, "hmax"))
    assert shown and float(shown.group(1)) == pytest.approx(float(a.discrete["h_marginal"]),
                                                            rel=1e-9)
    _check_trajectory(browser, "gan", "altgd", 0.1, 200, 0)
    _set(browser, "scheme", "simgd")
    s = _analyze("gan", "simgd", "1/10")
    _wait(lambda: _text(browser, "verdict") == "verdict: " + s.verdict())
    assert _text(browser, "hmax") == "h_max = none (no step size converges)"
    _no_severe(browser)


def test_instance_noise_page_quadrature(browser, tmp_path_factory):
    """Instance noise: the page takes the expectation by the simulator's quadrature, so its
    SimGD trajectory is simulate's; the verdict and h_max are analyze's."""
    page = _page(tmp_path_factory, "noise", "--method", "instance-noise", "-p", "sigma=0.8")
    _open(browser, page)
    a = _analyze("instance-noise", "simgd", "1/10", sigma="0.8")
    assert _text(browser, "verdict") == "verdict: " + a.verdict()
    _check_h_max(browser, "instance-noise", "simgd", sigma="0.8")
    _check_eigenvalues(browser, a)
    _check_trajectory(browser, "instance-noise", "simgd", 0.1, 200, 0, sigma="0.8")
    _no_severe(browser)


#: Methods and parameter values for the h_max sweep: convergent, marginal (lsgan, lecam: on the
#: unit circle up to h_marginal under AltGD) and divergent (SimGD) cases; h_max rational, a
#: square root, or a CRootOf of a cubic (extragradient). consensus at gamma = 0.05 has
#: h_max = 160/1601, just below the page's h = 0.1: the verdict there is "not convergent".
SWEEP = [("consensus", {"gamma": "0.05"}), ("consensus", {"gamma": "2.6"}),
         ("nk", {"eta": "0.9"}), ("nk", {"eta": "3.3"}),
         ("lsgan", {"a": "-0.5", "b": "1", "c": "1"}), ("lsgan", {"a": "0.4", "b": "1", "c": "-1.2"}),
         ("lecam", {"lam": "0.3", "alpha_r": "-0.2", "alpha_f": "0.1"})]


def test_h_max_and_verdicts_over_methods(browser, tmp_path_factory):
    """Over methods, parameter values and schemes, the page's verdict at h = 0.1 and its
    h_max (or h_marginal, or none) are analyze's."""
    pages = {}
    for mid, params in SWEEP:
        if mid not in pages:
            pages[mid] = _page(tmp_path_factory, mid, "--method", mid)
            _open(browser, pages[mid])
        for name, value in params.items():
            _set(browser, f"param-{name}", float(value))
        for scheme in ("simgd", "altgd", "extragradient"):
            _set(browser, "scheme", scheme)
            a = _analyze(mid, scheme, "1/10", **params)
            assert _text(browser, "verdict") == "verdict: " + a.verdict(), (mid, params, scheme)
            shown = _text(browser, "hmax")
            if a.h_max is not None:
                assert _h_max(shown) == pytest.approx(float(a.h_max), rel=1e-9), \
                    (mid, params, scheme, a.h_max, shown)
            elif a.discrete["h_marginal"] is not None:
                found = re.search(r"for h < ([0-9.e+-]+)\)", shown)
                assert found and float(found.group(1)) == pytest.approx(
                    float(a.discrete["h_marginal"]), rel=1e-9), (mid, params, scheme, shown)
            else:
                assert shown == "h_max = none (no step size converges)", (mid, scheme, shown)
            _check_eigenvalues(browser, a)
    _no_severe(browser)


def test_altgd_rounds_and_order(browser, tmp_path_factory):
    """--n-g, --n-d and --order fix AltGD's rounds on the page: its h_max (a root of a
    quartic here), eigenvalues and trajectory are analyze's and simulate's for them."""
    rounds = {"n_g": 2, "n_d": 3, "order": "discriminator-first"}
    page = _page(tmp_path_factory, "rounds", "--method", "r1", "-p", "gamma=0.4", "--scheme",
                 "altgd", "--n-g", "2", "--n-d", "3", "--order", "discriminator-first")
    _open(browser, page)
    m = stabgan.method("r1", gamma="0.4")
    a = stabgan.analyze(m, scheme="altgd", h="1/10", **rounds)
    assert _text(browser, "verdict") == "verdict: " + a.verdict()
    assert _h_max(_text(browser, "hmax")) == pytest.approx(float(a.h_max), rel=1e-9)
    _check_eigenvalues(browser, a)
    r = stabgan.simulate(m, scheme="altgd", h=0.1, steps=200, theta0=1.0, psi0=1.0,
                         record_every=1, **rounds)
    page_path = _data(browser, "scheme_src")
    np.testing.assert_allclose(page_path["xs"][0], r.history_theta, rtol=0, atol=1e-12)
    np.testing.assert_allclose(page_path["ys"][0], r.history_psi, rtol=0, atol=1e-12)
    _no_severe(browser)


def test_method_file_page(browser, tmp_path_factory):
    """A method of one's own (--method-file, with a penalty and -p) is the method analyze and
    simulate build from the same TOML keys through the API."""
    folder = tmp_path_factory.mktemp("own")
    (folder / "m.toml").write_text(
        'id = "my-r1"\nloss_d = "f(D(theta)) + f(-D(0))"\nd_penalty = "gamma/2 * psi**2"\n'
        'summary = "R1 written out"\npenalties = ["r2:gamma=0.5"]\n'
        '[parameters]\ngamma = {default = 1, low = 0}\n')
    page = _page(tmp_path_factory, "own", "--method-file", str(folder / "m.toml"), "-p",
                 "gamma=0.3")
    spec = stabgan.custom_method("my-r1", loss_d="f(D(theta)) + f(-D(0))",
                                 d_penalty="gamma/2 * psi**2", summary="R1 written out",
                                 parameters={"gamma": (1, 0, None)})
    m = stabgan.method(spec, gamma="0.3") + stabgan.penalty("r2", gamma="0.5")
    _open(browser, page)
    assert sorted(_model(browser, f"param-{p.name}", "value") for p in m.spec.parameters) \
        == [0.3, 0.5]
    a = _analyze(m, "simgd", "1/10")
    assert _text(browser, "verdict") == "verdict: " + a.verdict()
    _check_h_max(browser, m, "simgd")
    _check_eigenvalues(browser, a)
    _check_trajectory(browser, m, "simgd", 0.1, 200, 0)
    _no_severe(browser)


# -- the printer: each function of the package's table, in JavaScript -----------------------------

_X = sympy.Symbol("x", real=True)
_Y = sympy.Symbol("y", real=True)
#: Points where the functions are compared: signs, 0 and -0, tiny, large (overflow of exp),
#: NaN.
_POINTS = [-800.0, -40.0, -3.5, -1.0, -1e-300, -0.0, 0.0, 1e-300, 0.3, 0.7, 2.0, 40.0, 800.0,
           float("nan")]


def _table_cases():
    """One expression per class of the JavaScript table, and the connectives and Piecewise
    (the function table's conventions: NaN where no condition holds, H(0) = H0)."""
    from stabgan._symbols import Sigmoid, Softplus
    from stabgan.explore._jscode import JS_FUNCTIONS
    cases = []
    for cls, js in JS_FUNCTIONS.items():
        if js.call is None:
            continue
        if cls in (sympy.Max, sympy.Min):
            cases.append(cls(_X, _Y / 3, sympy.Rational(1, 5), evaluate=False))
        elif cls is sympy.Heaviside:
            cases += [sympy.Heaviside(_X), sympy.Heaviside(_X - _Y, 0),
                      sympy.Heaviside(_X, 1)]
        elif cls in (sympy.log,):
            cases.append(cls(_X * _X + _Y * _Y / 7, evaluate=False))
        elif cls in (Sigmoid, Softplus):
            cases.append(cls(_X * 3 - _Y))
        else:
            cases.append(cls(_X / 7 + _Y / 11, evaluate=False))
    cases += [
        sympy.Piecewise((_X, _X > 1), (2 * _Y, sympy.Eq(_X, _Y)), (_X * _Y, _X <= -1)),
        sympy.Piecewise((_X ** 3, sympy.And(_X > 0, _Y < 0.5)),
                        (_Y ** -1, sympy.Or(sympy.Ne(_X, 0), sympy.Not(_Y >= 2))),
                        (sympy.sqrt(_Y * _Y) ** sympy.Rational(3, 2), True)),
        sympy.Piecewise((1, sympy.Xor(_X > 0, _Y > 0, _X > _Y)), (0, True)),
        _X ** 2 - _X ** -2 + sympy.sqrt(_Y * _Y + 1) * sympy.pi - sympy.E ** _Y / 3,
    ]
    return cases


def test_javascript_table_agrees_with_numpy(browser):
    """Each expression printed by the page's printer, run in the browser, equals the
    package's NumPy route (lambdify through its function table) at the same points, NaN
    where NumPy gives NaN. Tolerance 1e-14 relative (the browser's libm and the C library's
    may round a few ulp apart; the conventions at 0, NaN and overflow must be identical)."""
    from stabgan.codegen.kernels import lambdify_numpy
    from stabgan.explore._jscode import RUNTIME_HELPERS, js_expr

    cases = _table_cases()
    codes = [js_expr(e, {_X: "x", _Y: "y"}) for e in cases]
    points = [(x, y) for x in _POINTS for y in (-2.5, 0.0, 0.4, 3.0)]
    script = (RUNTIME_HELPERS + "const f = [" + ", ".join(f"(x, y) => ({c})" for c in codes)
              + "]; const p = JSON.parse(arguments[0].replace(/NaN/g, 'null'))"
              ".map(([x, y]) => [x === null ? NaN : x, y]);"
              "return JSON.stringify(f.map((g) => p.map(([x, y]) => { const v = Number(g(x, y));"
              "  return isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' "
              "  : v; })));")
    got = json.loads(browser.execute_script(script, json.dumps(points)))
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    for expr, code, row in zip(cases, codes, got):
        with np.errstate(all="ignore"):
            want = np.broadcast_to(np.asarray(lambdify_numpy([_X, _Y], expr)(xs, ys),
                                              dtype=float), xs.shape)
        page = np.array([float(v) for v in row])
        assert np.array_equal(np.isnan(page), np.isnan(want)), (expr, code, page, want)
        ok = ~np.isnan(want)
        np.testing.assert_allclose(page[ok], want[ok], rtol=1e-14, atol=0,
                                   err_msg=f"{expr} printed as {code}")


def test_printer_refuses_what_the_page_cannot_evaluate():
    """erf (no Math.erf), a function outside the table, a symbol with no value: refused in
    one line that says what."""
    from stabgan.explore._jscode import js_expr

    with pytest.raises(stabgan.InputError, match="erf .*the browser's Math has no erf"):
        js_expr(sympy.erf(_X), {_X: "x"})
    with pytest.raises(stabgan.InputError, match="cannot evaluate gamma"):
        js_expr(sympy.gamma(_X), {_X: "x"})
    with pytest.raises(stabgan.InputError, match="the symbol y with no value on the page"):
        js_expr(_X + _Y, {_X: "x"})


# -- the file itself ---------------------------------------------------------------------------

class _Sources(html.parser.HTMLParser):
    """Every URL an element of the page would load (src, href, and CSS url()/@import)."""

    def __init__(self):
        super().__init__()
        self.urls, self._style = [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "data", "poster", "srcset") and value:
                self.urls.append(value)
        self._style = tag == "style"

    def handle_data(self, data):
        if self._style:
            self.urls += re.findall(r"(?:url\(|@import\s+)['\"]?([^'\")\s]+)", data)


def test_page_loads_nothing_from_the_network(r1_page):
    """No script, link, image or stylesheet of the page points to http(s)."""
    text = r1_page.read_text(encoding="utf-8")
    parser = _Sources()
    parser.feed(text)
    assert not [u for u in parser.urls if re.match(r"\s*(https?:)?//", u)], parser.urls
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*['\"]?\s*"
                         r"(https?:)?//", text, re.I)
    assert "BokehJS" in text or "Bokeh" in text   # inlined, not fetched
    assert text.count("<script") >= 2


# -- bad input: exit 2, one line, no file --------------------------------------------------------

def _refused(argv, tmp_path, capsys) -> str:
    before = sorted(os.listdir(tmp_path))
    status = main(["explore", *argv])
    out, err = capsys.readouterr()
    assert status == 2, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("stabgan: error: "), err
    assert sorted(os.listdir(tmp_path)) == before   # nothing written, no temporary file
    return err


@pytest.mark.parametrize("argv, words", [
    (["--method", "foo"], "Unknown method 'foo'"),
    (["--method", "r1", "-p", "gamma=-1"], "The 'gamma' parameter of method 'r1' must be"),
    (["--method", "r1", "-p", "sigma=1"], "Unknown parameter 'sigma' for method 'r1'"),
    (["--method", "r1", "--scheme", "ogda"], "The 'scheme' option of explore --static"),
    (["--method", "r1", "--steps", "0"], "The 'steps' option must be an integer in [1, 5000]"),
    (["--method", "r1", "--h", "-0.1"], "The '--h' option must be a number in (0, inf)"),
    (["--method", "r1", "--n-g", "0"], "n_g"),
    (["--method", "r1", "--order", "sideways"], "order"),
])
def test_bad_input_is_refused(argv, words, tmp_path, capsys):
    err = _refused(["--static", str(tmp_path / "page.html"), *argv], tmp_path, capsys)
    assert words in err


@pytest.mark.parametrize("name, why", [
    ("missing/page.html", "must name a file in an existing directory"),
    ("page.txt", "must name an .html file"),
    (".", "(a directory)"),
])
def test_bad_target_is_refused(name, why, tmp_path, capsys):
    err = _refused(["--static", str(tmp_path / name), "--method", "r1"], tmp_path, capsys)
    assert "The '--static' option of explore" in err and why in err
    assert str(tmp_path / name) in err or repr(str(tmp_path / name)) in err


@pytest.mark.parametrize("argv", [["r1"], ["--method", "r1"], ["--h", "0.1"], ["-p", "gamma=1"],
                                  ["--scheme", "altgd"], ["--json"]])
def test_static_options_without_static_are_refused(argv, tmp_path, capsys):
    """The method and page options belong to --static: the server does not take them."""
    err = _refused(argv, tmp_path, capsys)
    assert "of explore belongs to --static OUT.html" in err


@pytest.mark.parametrize("flag", [["--port", "8000"], ["--no-browser"]])
def test_server_options_with_static_are_refused(flag, tmp_path, capsys):
    """--port and --no-browser belong to the server: --static refuses them, writes nothing."""
    out = tmp_path / "page.html"
    err = _refused(["--static", str(out), "--method", "r1", *flag], tmp_path, capsys)
    assert f"The option {flag[0]} of explore belongs to the server" in err
    assert not out.exists()


@BOKEH
@pytest.mark.parametrize("argv, words", [
    (["--method", "r1", "--f", "general"], "Method 'r1' cannot be put on a static page: "
                                           "with f = 'general'"),
    (["--method", "gan", "--f", "t + t**2*erf(t)"], "Method 'gan' cannot be put on a static "
                                                    "page: the closed form uses erf"),
])
def test_methods_the_page_cannot_evaluate_are_refused(argv, words, tmp_path, capsys):
    err = _refused(["--static", str(tmp_path / "page.html"), *argv], tmp_path, capsys)
    assert words in err


@BOKEH
def test_failed_write_leaves_the_old_page(tmp_path, monkeypatch, capsys):
    """A failure while the page is written leaves OUT as it was and no temporary file."""
    import stabgan.explore.static as static
    out = tmp_path / "page.html"
    out.write_text("old page")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(static, "page_html", broken)
    assert main(["explore", "--static", str(out), "--method", "r1"]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert out.read_text() == "old page"
    assert os.listdir(tmp_path) == ["page.html"]


def test_static_without_bokeh_says_how_to_install(tmp_path):
    """Without Bokeh, --static prints one line with the install command, exit 2, no file."""
    (tmp_path / "bokeh").mkdir()
    (tmp_path / "bokeh" / "__init__.py").write_text("raise ImportError('no bokeh here')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    out = tmp_path / "page.html"
    r = subprocess.run([sys.executable, "-m", "stabgan", "explore", "--static", str(out),
                        "--method", "r1"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and "pip install 'stabgan[explore]'" in r.stderr
    assert not out.exists()
