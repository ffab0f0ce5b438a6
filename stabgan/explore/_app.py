"""The explorer's page: controls, the four views and their callbacks (one Bokeh document).

Every input goes through the package's own validation (``method``, ``analyze``,
``simulate``); an :class:`~stabgan.InputError` shows its one-line message next to the control
it names, and the page keeps running with the last good views.

The numeric views (field, trajectories, distances) are drawn at once; the symbolic work
(``analyze``, 0.1 to 3 s) runs in a worker process while a busy line shows, its results are
cached per configuration, and a result that arrives after a newer setting was chosen is
dropped, never shown.
"""
from __future__ import annotations

import asyncio
import html
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from bokeh.document import without_document_lock
from bokeh.events import Tap
from bokeh.layouts import column, row
from bokeh.models import (Button, ColumnDataSource, CustomJS, Div, PreText, Select,
                          TextInput)
from bokeh.plotting import figure

from .._errors import InputError
from .._options import ADAPTIVE, SIMULATE_SCHEMES, check_float_option, exact_number, int_option
from ..model.catalogue import methods
from ..model.method import method
from ..oracles.ode import integrate
from ..oracles.simulate import simulate
from ._work import summary

#: The phase plane's extent (theta and psi in [-LIM, LIM]) and the vector field's grid.
LIM = 2.0
GRID = 17
#: A trajectory is cut where it leaves this box (a diverging run): Bokeh draws finite data.
CUT = 1e6
#: The most steps per trajectory (the page redraws each after every change).
MAX_STEPS = 20000
SCHEME_CHOICES = ["continuous", *SIMULATE_SCHEMES]


_POOL: ProcessPoolExecutor | None = None
#: Results of the symbolic work per configuration (method, parameters, scheme, h), shared by
#: the sessions of this server; bounded so that a long session cannot grow it without end.
_CACHE: dict[tuple, dict] = {}
CACHE_SIZE = 256


def _pool() -> ProcessPoolExecutor:
    """One worker process for the symbolic work (0.1 to 3 s), so the event loop stays free."""
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    return _POOL


def shutdown_pool() -> None:
    """Stop the worker process (when the server stops)."""
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(cancel_futures=True)
        _POOL = None


def _param_of(message: str, names: list[str]) -> str | None:
    """The control that an InputError message names ('gamma', 'h', 'steps'), if any."""
    for name in names:
        if re.search(rf"'{re.escape(name)}'", message):
            return name
    return None


def _finite_prefix(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < CUT) & (np.abs(y) < CUT)
    n = len(ok) if ok.all() else int(np.argmin(ok))
    return x[:n], y[:n]


def build(doc) -> None:
    """Fill the Bokeh document ``doc`` with the explorer (one call per browser session)."""
    catalogue = {m.id: m for m in methods()}
    state = {"starts": [(1.0, 1.0)], "method": None, "generation": 0}

    method_select = Select(title="method", value="r1", options=sorted(catalogue),
                           css_classes=["sg-method"])
    scheme_select = Select(title="scheme", value="simgd", options=SCHEME_CHOICES,
                           css_classes=["sg-scheme"])
    h_input = TextInput(title="h (step size; time step of the ODE)", value="0.1",
                        css_classes=["sg-input-h"])
    steps_input = TextInput(title="steps", value="200", css_classes=["sg-input-steps"])
    errors = {name: Div(text="", css_classes=[f"sg-error-{name}"], styles={"color": "#b00"})
              for name in ("h", "steps")}
    general_error = Div(text="", css_classes=["sg-error"], styles={"color": "#b00"})
    param_box = column()
    param_inputs: dict[str, TextInput] = {}
    param_errors: dict[str, Div] = {}
    clear_button = Button(label="clear starts", css_classes=["sg-clear"])

    verdict_div = Div(text="", css_classes=["sg-verdict"], width=560)
    hmax_div = Div(text="", css_classes=["sg-hmax"], width=560)
    status_div = Div(text="", css_classes=["sg-status"])
    busy_div = Div(text="", css_classes=["sg-busy"], styles={"color": "#a60"})
    latex_pre = PreText(text="", css_classes=["sg-latex"], width=560, height=220,
                        styles={"overflow": "auto"})
    copy_button = Button(label="copy LaTeX", css_classes=["sg-copy"])
    copy_button.js_on_click(CustomJS(args={"pre": latex_pre}, code="""
        if (navigator.clipboard) {
            navigator.clipboard.writeText(pre.text).catch(() => {});
        }
    """))

    field_src = ColumnDataSource({"x0": [], "y0": [], "x1": [], "y1": []})
    ode_src = ColumnDataSource({"xs": [], "ys": []})
    scheme_src = ColumnDataSource({"xs": [], "ys": []})
    start_src = ColumnDataSource({"x": [], "y": []})
    dist_ode_src = ColumnDataSource({"xs": [], "ys": []})
    dist_scheme_src = ColumnDataSource({"xs": [], "ys": []})
    eig_src = ColumnDataSource({"re": [], "im": []})

    phase = figure(title="phase portrait (click to add a start)", x_range=(-LIM, LIM),
                   y_range=(-LIM, LIM), width=520, height=500, x_axis_label="theta",
                   y_axis_label="psi", tools="pan,wheel_zoom,reset", css_classes=["sg-phase"])
    phase.segment("x0", "y0", "x1", "y1", source=field_src, color="#999")
    phase.scatter("x1", "y1", source=field_src, size=2, color="#999")
    phase.multi_line("xs", "ys", source=ode_src, color="#1f77b4", line_width=2,
                     legend_label="ODE")
    phase.multi_line("xs", "ys", source=scheme_src, color="#d62728", line_width=1.5,
                     legend_label="scheme")
    phase.scatter("x", "y", source=start_src, size=8, color="black")
    phase.legend.location = "top_left"

    dist = figure(title="distance to the equilibrium", y_axis_type="log", width=520,
                  height=300, x_axis_label="step", y_axis_label="|x_k - x*|",
                  tools="pan,wheel_zoom,reset", css_classes=["sg-distance"])
    dist.multi_line("xs", "ys", source=dist_ode_src, color="#1f77b4", legend_label="ODE")
    dist.multi_line("xs", "ys", source=dist_scheme_src, color="#d62728",
                    legend_label="scheme")

    eig = figure(title="eigenvalues", width=400, height=400, match_aspect=True,
                 tools="pan,wheel_zoom,reset", css_classes=["sg-eigenvalues"])
    t = np.linspace(0, 2 * np.pi, 200)
    circle = eig.line(np.cos(t), np.sin(t), color="#555")
    axis = eig.line([0, 0], [-2, 2], color="#555")
    eig.scatter("re", "im", source=eig_src, size=10, color="#d62728")

    def set_error(name: str | None, message: str) -> None:
        target = (errors.get(name) or param_errors.get(name) or general_error
                  if name else general_error)
        target.text = html.escape(message)

    def clear_errors() -> None:
        for d in [*errors.values(), *param_errors.values(), general_error]:
            d.text = ""

    def rebuild_params(attr, old, new) -> None:
        spec = catalogue[method_select.value]
        param_inputs.clear()
        param_errors.clear()
        rows = []
        for p in spec.parameters:
            box = TextInput(title=f"{p.name} ({p.meaning})", value=str(p.default),
                            css_classes=[f"sg-param-{p.name}"])
            box.on_change("value", recompute)
            err = Div(text="", css_classes=[f"sg-error-{p.name}"], styles={"color": "#b00"})
            param_inputs[p.name], param_errors[p.name] = box, err
            rows.append(row(box, err))
        if spec.takes_f:
            box = TextInput(title="f (logistic, or an expression in t)", value="logistic",
                            css_classes=["sg-param-f"])
            box.on_change("value", recompute)
            err = Div(text="", css_classes=["sg-error-f"], styles={"color": "#b00"})
            param_inputs["f"], param_errors["f"] = box, err
            rows.append(row(box, err))
        param_box.children = rows
        recompute(None, None, None)

    def recompute(attr, old, new) -> None:
        clear_errors()
        names = [*param_inputs, "h", "steps"]
        mid, scheme = method_select.value, scheme_select.value
        params = {k: v.value.strip() for k, v in param_inputs.items() if v.value.strip()}
        h_text = h_input.value.strip()
        try:
            m = method(mid, **params)
            h = check_float_option(float(exact_number(h_text, "The 'h' option",
                                                      "a number in (0, inf)")), "h", 0.0, False)
            steps = int_option(steps_input.value.strip(), "steps", 1, MAX_STEPS)
        except InputError as e:
            set_error(_param_of(str(e), names), str(e))
            return
        state["method"] = m
        state["generation"] += 1
        key = (mid, tuple(sorted(params.items())), scheme, h_text)
        try:
            draw(m, scheme, h, steps)
        except InputError as e:  # e.g. a scheme option the simulator refuses
            set_error(_param_of(str(e), names), str(e))
        except Exception as e:  # noqa: BLE001 - the page keeps running; say why
            general_error.text = html.escape(f"cannot draw the trajectories: {e}")
        if key in _CACHE:
            busy_div.text = ""
            show_analysis(_CACHE[key], scheme)
            return
        busy_div.text = "computing the closed form ..."
        generation = state["generation"]

        def apply(res) -> None:
            # runs under the document lock, after the worker has answered
            if isinstance(res, dict):
                _CACHE[key] = res
                while len(_CACHE) > CACHE_SIZE:
                    _CACHE.pop(next(iter(_CACHE)))
            if generation != state["generation"]:
                return  # a newer setting was chosen meanwhile: never show a stale result
            busy_div.text = ""
            if isinstance(res, InputError):
                if scheme in ADAPTIVE:
                    general_error.text = html.escape(str(res).split(":")[0] + ".")
                    show_analysis(None, scheme)
                else:
                    set_error(_param_of(str(res), names), str(res))
            elif isinstance(res, Exception):  # a broken worker: say so, keep running
                general_error.text = html.escape(f"internal error: {res}")
            else:
                show_analysis(res, scheme)

        @without_document_lock
        async def job() -> None:
            # waits for the worker without the document lock, so the page's newer changes
            # are handled meanwhile; the result is applied in a locked callback
            try:
                res = await asyncio.wrap_future(_pool().submit(summary, *key))
            except Exception as e:  # InputError (bad input) or a broken worker
                res = e
            doc.add_next_tick_callback(lambda: apply(res))

        doc.add_next_tick_callback(job)

    def show_analysis(res: dict | None, scheme: str) -> None:
        if res is None:
            verdict_div.text = "verdict: none (this scheme is simulated only)"
            hmax_div.text = "h_max: none"
            latex_pre.text = ""
            eig_src.data = {"re": [], "im": []}
            return
        verdict_div.text = "verdict: " + html.escape(res["verdict"])
        if scheme == "continuous":
            hmax_div.text = "h_max: none (continuous time)"
        elif res["h_max"] is None:
            hmax_div.text = "h_max = None (no step size converges)"
        else:
            val = res["h_max_value"]
            hmax_div.text = (f"h_max = {html.escape(res['h_max'])}"
                             + (f" &asymp; {val:.6g}" if val is not None else ""))
        latex_pre.text = res["latex"]
        eig_src.data = {"re": res["re"], "im": res["im"]}
        circle.visible = scheme != "continuous"
        axis.visible = scheme == "continuous"
        eig.title.text = ("eigenvalues of v'(0, 0), imaginary axis" if scheme == "continuous"
                          else "eigenvalues of F'(0, 0), unit circle")

    def draw(m, scheme: str, h: float, steps: int) -> None:
        g = np.linspace(-LIM * 0.95, LIM * 0.95, GRID)
        th, ps = np.meshgrid(g, g)
        with np.errstate(all="ignore"):
            u, v = (np.asarray(c, dtype=float) for c in m.field(th.ravel(), ps.ravel()))
            n = np.hypot(u, v)
            s = np.where(n > 0, 0.8 * (g[1] - g[0]) / np.where(n > 0, n, 1), 0)
        x0, y0 = th.ravel(), ps.ravel()
        field_src.data = {"x0": x0, "y0": y0, "x1": x0 + s * u, "y1": y0 + s * v}
        starts = state["starts"]
        start_src.data = {"x": [p[0] for p in starts], "y": [p[1] for p in starts]}
        oxs, oys, odx, ody, sxs, sys_, sdx, sdy = [], [], [], [], [], [], [], []
        k = np.arange(steps + 1)
        for th0, ps0 in starts:
            o = integrate(m, t_span=(0.0, steps * h), theta0=th0, psi0=ps0,
                          t_eval=k * h)
            x, y = _finite_prefix(np.asarray(o.theta, float), np.asarray(o.psi, float))
            oxs.append(x), oys.append(y)
            odx.append(k[:len(x)]), ody.append(np.maximum(np.hypot(x, y), 1e-300))
        if scheme != "continuous" and starts:
            r = simulate(m, scheme=scheme, h=h, steps=steps,
                         theta0=np.array([p[0] for p in starts]),
                         psi0=np.array([p[1] for p in starts]), record_every=1)
            for i in range(len(starts)):
                x, y = _finite_prefix(np.asarray(r.history_theta[i], float),
                                      np.asarray(r.history_psi[i], float))
                sxs.append(x), sys_.append(y)
                sdx.append(np.arange(len(x))), sdy.append(np.maximum(np.hypot(x, y), 1e-300))
        ode_src.data = {"xs": oxs, "ys": oys}
        scheme_src.data = {"xs": sxs, "ys": sys_}
        dist_ode_src.data = {"xs": odx, "ys": ody}
        dist_scheme_src.data = {"xs": sdx, "ys": sdy}
        status_div.text = (f"trajectories: {len(starts)} (ODE {len(oxs)}, "
                           f"scheme {len(sxs)})")

    def on_tap(event) -> None:
        if event.x is None or event.y is None:
            return
        state["starts"].append((float(event.x), float(event.y)))
        recompute(None, None, None)

    def on_clear() -> None:
        state["starts"].clear()
        recompute(None, None, None)

    method_select.on_change("value", rebuild_params)
    for w in (scheme_select, h_input, steps_input):
        w.on_change("value", recompute)
    phase.on_event(Tap, on_tap)
    clear_button.on_click(on_clear)

    controls = column(Div(text="<b>stabgan explore</b>"), method_select, param_box,
                      scheme_select, row(h_input, errors["h"]),
                      row(steps_input, errors["steps"]), clear_button, general_error,
                      status_div, width=360)
    analysis = column(busy_div, verdict_div, hmax_div, row(copy_button), latex_pre, eig)
    doc.add_root(row(controls, column(phase, dist), analysis))
    doc.title = "stabgan explore"
    rebuild_params(None, None, None)
