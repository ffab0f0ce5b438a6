"""The explorer's page: the controls wired to the views (one Bokeh document per session).

Every input goes through the package's own validation (``method``, the scheme options'
table through ``make_scheme``, ``analyze``, ``simulate``, ``stability_map``); an
:class:`~stabgan.InputError` shows its one-line message next to the control it names, and
the page keeps running with the last good views.

The numeric views (field, trajectories, distances) are drawn at once; the closed form
(``analyze``, 0.1 to 3 s) and the stability map run in worker processes while busy lines
show, their results cached per configuration, and a result that arrives after a newer
setting was chosen is dropped, never shown (:mod:`stabgan.explore._jobs`).
"""
from __future__ import annotations

import html
import re

from bokeh.events import Tap
from bokeh.layouts import column, row
from bokeh.models import Button, Div, Select, TextInput

from .._errors import InputError
from .._options import ADAPTIVE, OPTIONS, int_option
from ..model.method import method
from ..schemes.scheme import make_scheme
from ._controls import (ERROR_STYLE, STEP_NAMES, WIDTH, NumberControl, SchemeControls,
                        parameter_control)
from ._jobs import Channel, shutdown_pools
from ._mapview import OPTION_AXES, MapView
from ._offered import Offered, offered
from ._panel import AnalysisPanel
from ._views import Views
from ._work import summary

__all__ = ["build", "shutdown_pools", "MAX_STEPS"]

#: The most steps per trajectory (the page redraws each after every change).
MAX_STEPS = 20000


def _named(message: str, names: list[str]) -> str | None:
    """The control that an InputError message names first ('gamma', 'h', 'n_d'), if any."""
    hits = [(m.start(), name) for name in names
            for m in [re.search(rf"'{re.escape(name)}'", message)] if m]
    return min(hits)[1] if hits else None


def build(doc, own: Offered | None = None) -> None:
    """Fill the Bokeh document ``doc`` with the explorer (one call per browser session).

    Parameters
    ----------
    doc : bokeh.document.Document
        The session's document.
    own : Offered, optional
        The user's own method (``stabgan explore --method-file F``), offered beside the
        catalogue.
    """
    offers = offered(own)
    starts: list[tuple[float, float]] = [(1.0, 1.0)]
    labels = [(k, f"{k} (--method-file)" if o.own else k) for k, o in offers.items()]
    method_select = Select(title="method", value="r1", options=labels, width=WIDTH,
                           css_classes=["sg-method"])
    params: dict[str, NumberControl] = {}
    f_box = TextInput(title="f (logistic, or an expression in t)", value="logistic",
                      width=WIDTH, css_classes=["sg-param-f"])
    f_error = Div(text="", width=WIDTH, css_classes=["sg-error-f"], styles=ERROR_STYLE)
    f_part = column(f_box, f_error)
    param_box = column()
    schemes = SchemeControls(lambda: recompute())
    steps = NumberControl("steps", "steps (rounds for altgd)", 10, 2000, 10, "200", 200,
                          lambda: recompute(), css="sg-input-steps",
                          accepts=lambda value: value == int(value) and 1 <= value <= MAX_STEPS)
    clear_button = Button(label="clear starts", css_classes=["sg-clear"])
    general_error = Div(text="", width=WIDTH, css_classes=["sg-error"], styles=ERROR_STYLE)
    status = Div(text="", css_classes=["sg-status"])

    views = Views()
    panel = AnalysisPanel()
    analysis = Channel(doc, "analysis", panel.set_busy)
    mapview = MapView(doc, lambda: update_map())
    shown: dict = {}  # the last valid setting (what the map is drawn for)
    hold = [False]  # True while the method's controls are rebuilt: one redraw at the end

    def axis_controls() -> dict[str, NumberControl]:
        return {**{k: schemes.numbers[k] for k in (*STEP_NAMES, *OPTION_AXES)}, **params}

    def show_error(e: Exception) -> None:
        message = str(e)
        names = [*params, "f", *schemes.numbers, *schemes.choices, "steps"]
        name = _named(message, names)
        if name in params:
            params[name].set_error(message)
        elif name == "f":
            f_error.text = html.escape(message)
        elif name == "steps":
            steps.set_error(message)
        elif name is None or not schemes.set_error(name, message):
            general_error.text = html.escape(message)

    def clear_errors() -> None:
        for c in [*params.values(), steps]:
            c.error.text = ""
        f_error.text = general_error.text = ""
        schemes.clear_errors()

    def rebuild_params() -> None:
        entry = offers[method_select.value]
        params.clear()
        values = dict(entry.values)
        for p in entry.spec.parameters:
            params[p.name] = parameter_control(p, values[p.name], lambda: recompute())
        hold[0] = True
        f_box.value = "logistic"
        hold[0] = False
        param_box.children = [c.layout for c in params.values()] + (
            [f_part] if entry.spec.takes_f else [])
        recompute()

    def recompute() -> None:
        if hold[0]:
            return
        clear_errors()
        entry = offers[method_select.value]
        # an emptied box is the parameter's default (the page draws numbers: a parameter
        # left symbolic would have no trajectories)
        given = {p.name: params[p.name].text or str(p.default)
                 for p in entry.spec.parameters if p.name in params}
        if entry.spec.takes_f and f_box.value.strip():
            given["f"] = f_box.value.strip()
        scheme = schemes.scheme.value
        options = schemes.given()
        # every control is checked, so each bad one shows its message at once
        checks = [lambda: method(entry.ref, **given),
                  lambda: float(OPTIONS["h"].validate(schemes.numbers["h"].text)),
                  lambda: int_option(steps.text, "steps", 1, MAX_STEPS)]
        if scheme != "continuous":
            checks.append(lambda: make_scheme(scheme, **options))  # analyze's messages
        values, failed = [], False
        for check in checks:
            try:
                values.append(check())
            except InputError as e:
                show_error(e)
                failed = True
        if failed:
            # a request still in flight was made for an earlier setting: never show it now
            analysis.drop()
            mapview.channel.drop()
            return
        m, h, n = values[:3]   # h: the ODE's time step
        run = {k: float(v) if k in STEP_NAMES else v for k, v in options.items()}
        try:
            status.text = views.draw(m, scheme, h, n, run, starts)
        except InputError as e:  # e.g. lazy_every for a method without a penalty
            show_error(e)
        except Exception as e:  # noqa: BLE001 - the page keeps running; say why
            general_error.text = html.escape(f"cannot draw the trajectories: {e}")
        if scheme in ADAPTIVE:
            analysis.drop()
            panel.show(None, scheme)
            views.show_eigenvalues([], [], scheme)
        else:
            key = (method_select.value, tuple(sorted(given.items())), scheme,
                   tuple(sorted(options.items())))
            analysis.request(key, summary, (entry.ref, *key[1:]),
                             lambda res: show_analysis(res, scheme))
        shown.update(entry=entry, given=given, scheme=scheme, options=options)
        update_map()

    def show_analysis(res, scheme: str) -> None:
        if isinstance(res, InputError):
            show_error(res)
        elif isinstance(res, BaseException):  # a broken worker: say so, keep running
            general_error.text = html.escape(f"internal error: {res}")
        else:
            panel.show(res, scheme)
            views.show_eigenvalues(res["re"], res["im"], scheme)

    def update_map() -> None:
        if not shown:
            return
        entry = shown["entry"]
        names = [p.name for p in entry.spec.parameters]
        steps_axes = ["h_g", "h_d"] if schemes.two_steps else ["h"]
        mapview.offer(steps_axes[:1] + names + steps_axes[1:]
                      + [k for k in OPTION_AXES if schemes.takes(k)])
        mapview.update(entry.ref, method_select.value, shown["given"], shown["scheme"],
                       shown["options"], axis_controls())

    def on_tap(event) -> None:
        if event.x is not None and event.y is not None:
            starts.append((float(event.x), float(event.y)))
            recompute()

    def on_clear() -> None:
        starts.clear()
        recompute()

    method_select.on_change("value", lambda attr, old, new: rebuild_params())
    f_box.on_change("value", lambda attr, old, new: recompute())
    views.phase.on_event(Tap, on_tap)
    clear_button.on_click(on_clear)

    controls = column(Div(text="<b>stabgan explore</b>"), method_select, param_box,
                      schemes.layout, steps.layout, clear_button, general_error, status,
                      width=WIDTH + 20)
    top = row(column(views.phase, views.distance), panel.layout)
    doc.add_root(row(controls, column(top, row(views.eigenvalues, mapview.layout))))
    doc.title = "stabgan explore"
    rebuild_params()
