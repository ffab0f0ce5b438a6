r"""``stabgan explore --static OUT.html``: one method's explorer as a self-contained page.

The page needs no server and no network: BokehJS is inlined (``bokeh.resources.INLINE``),
and the closed forms that :mod:`._forms` derives (the field :math:`v(\theta, \psi; p)`, the
Jacobian :math:`J(p) = v'(0, 0)`, each scheme's update Jacobian :math:`M(h, p)`, the
Routh-Hurwitz and Schur-Cohn conditions and the boundary polynomials of :math:`h_{\max}`)
are printed to JavaScript by :mod:`._pagejs` and evaluated in the browser by ``_page.js``
when a slider moves. Sliders: the method's parameters, h and the number of steps; a select
for the scheme; a click on the phase plane adds a start.

Every model the page reads or writes has a ``name``, so a script (or a test) finds it with
``Bokeh.documents[0].get_model_by_name(name)``: ``param-<name>``, ``h``, ``steps``,
``scheme``, ``verdict``, ``hmax``, ``spectrum``, ``status``, ``latex`` and the sources
``field_src``, ``ode_src``, ``scheme_src``, ``start_src``, ``dist_ode_src``,
``dist_scheme_src``, ``eig_src``.
"""
from __future__ import annotations

import html
from importlib.resources import files

import numpy as np
from bokeh.embed import file_html
from bokeh.events import DocumentReady, Tap
from bokeh.document import Document
from bokeh.layouts import column, row
from bokeh.models import (Button, ColumnDataSource, CustomJS, Div, PreText, Select, Slider)
from bokeh.plotting import figure
from bokeh.resources import INLINE

from ..report.titles import title
from ..model.method import Method
from ._forms import PageForms, page_forms, slider_range
from ._jscode import RUNTIME_HELPERS
from ._pagejs import forms_js
from ._target import MAX_STEPS, PAGE_SCHEMES, check_options, check_target, write_atomically

__all__ = ["write_static", "page_html", "DEFAULT_START"]

#: The page's first start (theta, psi).
DEFAULT_START = (1.0, 1.0)
_LIM = 2.0


def _runtime() -> str:
    return files(__package__).joinpath("_page.js").read_text(encoding="utf-8")


def _callback_code(F: PageForms) -> str:
    """The update callback: the runtime and FORMS are compiled once per page (kept on
    ``window``), then every call redraws from the models passed as arguments."""
    return ("if (!window.__stabganStatic) {\n  window.__stabganStatic = (function () {\n"
            + RUNTIME_HELPERS + forms_js(F) + _runtime()
            + "\n    return { update, FORMS };\n  })();\n}\n"
            "window.__stabganStatic.update({sliders, h, steps, scheme, field_src, ode_src, "
            "scheme_src, start_src, dist_ode_src, dist_scheme_src, eig_src, verdict, hmax, "
            "spectrum, status, latex, circle, axis, eig_plot});\n")


def page_html(F: PageForms, scheme: str = "simgd", h: float = 0.1, steps: int = 200) -> str:
    """The page of the closed forms ``F`` as one HTML document (BokehJS inlined).

    Parameters
    ----------
    F : PageForms
        From :func:`stabgan.explore._forms.page_forms`.
    scheme : {"continuous", "simgd", "altgd", "extragradient"}
        The scheme selected at first.
    h : float
        The step size at first (also the flow's sampling interval).
    steps : int
        The number of steps at first.

    Returns
    -------
    str
        The HTML text.
    """
    m = F.method
    sliders = []
    for p in F.parameters:
        value = F.values[p.name]
        start, end, step = slider_range(p, value)
        sliders.append(Slider(title=f"{p.name} ({p.meaning})", start=start, end=end,
                              step=step, value=value, name=f"param-{p.name}",
                              css_classes=[f"sg-param-{p.name}"], format="0[.]000"))
    h_slider = Slider(title="h (step size; the flow is sampled every h)", start=min(0.005, h),
                      end=max(5.0, 2 * h), step=0.005, value=h, name="h",
                      css_classes=["sg-h"], format="0[.]000")
    steps_slider = Slider(title="steps", start=1, end=max(MAX_STEPS, steps), step=1,
                          value=steps, name="steps", css_classes=["sg-steps"])
    scheme_select = Select(title="scheme", value=scheme, options=list(PAGE_SCHEMES),
                           name="scheme", css_classes=["sg-scheme"])
    clear = Button(label="clear starts", css_classes=["sg-clear"])

    def div(name: str, **kw) -> Div:
        return Div(text="", name=name, css_classes=[f"sg-{name}"], width=560, **kw)

    verdict, hmax, spectrum, status = div("verdict"), div("hmax"), div("spectrum"), div("status")
    latex = PreText(text="", name="latex", css_classes=["sg-latex"], width=560, height=220,
                    styles={"overflow": "auto"})
    copy = Button(label="copy LaTeX", css_classes=["sg-copy"])
    copy.js_on_click(CustomJS(args={"pre": latex}, code="""
        const text = pre.text;
        const fallback = () => {
            const area = document.createElement('textarea');
            area.value = text;
            document.body.appendChild(area);
            area.select();
            try { document.execCommand('copy'); } catch (e) {}
            area.remove();
        };
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(text).catch(fallback);
        } else {
            fallback();
        }
    """))

    def source(name: str, **columns) -> ColumnDataSource:
        return ColumnDataSource(columns, name=name)

    field_src = source("field_src", x0=[], y0=[], x1=[], y1=[])
    ode_src, scheme_src = source("ode_src", xs=[], ys=[]), source("scheme_src", xs=[], ys=[])
    start_src = source("start_src", x=[DEFAULT_START[0]], y=[DEFAULT_START[1]])
    dist_ode_src = source("dist_ode_src", xs=[], ys=[])
    dist_scheme_src = source("dist_scheme_src", xs=[], ys=[])
    eig_src = source("eig_src", re=[], im=[])

    phase = figure(title="phase portrait (click to add a start)", x_range=(-_LIM, _LIM),
                   y_range=(-_LIM, _LIM), width=520, height=500, x_axis_label="theta",
                   y_axis_label="psi", tools="pan,wheel_zoom,reset", name="phase",
                   css_classes=["sg-phase"])
    phase.segment("x0", "y0", "x1", "y1", source=field_src, color="#999")
    phase.scatter("x1", "y1", source=field_src, size=2, color="#999")
    phase.multi_line("xs", "ys", source=ode_src, color="#1f77b4", line_width=2,
                     legend_label="ODE (RK4)")
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

    eig_plot = figure(title="eigenvalues", width=400, height=400, match_aspect=True,
                      tools="pan,wheel_zoom,reset", css_classes=["sg-eigenvalues"])
    t = np.linspace(0, 2 * np.pi, 200)
    circle = eig_plot.line(np.cos(t), np.sin(t), color="#555")
    axis = eig_plot.line([0, 0], [-2, 2], color="#555")
    eig_plot.scatter("re", "im", source=eig_src, size=10, color="#d62728")

    update = CustomJS(args=dict(sliders=sliders, h=h_slider, steps=steps_slider,
                                scheme=scheme_select, field_src=field_src, ode_src=ode_src,
                                scheme_src=scheme_src, start_src=start_src,
                                dist_ode_src=dist_ode_src, dist_scheme_src=dist_scheme_src,
                                eig_src=eig_src, verdict=verdict, hmax=hmax,
                                spectrum=spectrum, status=status, latex=latex,
                                circle=circle, axis=axis, eig_plot=eig_plot),
                      code=_callback_code(F))
    for widget in (*sliders, h_slider, steps_slider, scheme_select):
        widget.js_on_change("value", update)
    start_src.js_on_change("data", update)
    phase.js_on_event(Tap, CustomJS(args={"src": start_src}, code="""
        if (cb_obj.x == null || cb_obj.y == null) return;
        src.data = {x: [...src.data.x, cb_obj.x], y: [...src.data.y, cb_obj.y]};
    """))
    clear.js_on_click(CustomJS(args={"src": start_src}, code="src.data = {x: [], y: []};"))

    start = {p.name: m.values.get(p.name, p.default) for p in m.spec.parameters}
    given = ", ".join(f"{k} = {v}" + ("" if k in m.values else " (catalogue default)")
                      for k, v in start.items()) or "no parameters"
    header = Div(text=f"<b>stabgan explore</b> (static page): {html.escape(repr(m))}<br>"
                 f"{html.escape(title(m.spec))}<br><small>{html.escape(str(m.spec.citation))}"
                 f"</small>", width=360)
    note = Div(text="<small>Evaluated in this page, in floating point, from the closed forms "
               "that stabgan derives; near a critical value <code>stabgan analyze</code> "
               "(exact arithmetic) decides. The LaTeX is <code>stabgan analyze --latex</code> "
               "with the parameters and h as symbols, so it holds for every slider position "
               f"(the sliders started at {html.escape(given)}).</small>",
               width=360)
    controls = column(header, *sliders, scheme_select, h_slider, steps_slider, clear, status,
                      note, width=380)
    analysis = column(verdict, hmax, spectrum, row(copy), latex, eig_plot)
    doc = Document()
    doc.add_root(row(controls, column(phase, dist), analysis))
    doc.title = f"stabgan: {m!r}"
    doc.js_on_event(DocumentReady, update)
    return file_html(doc, resources=INLINE, title=doc.title)


def write_static(m: Method, out: str, scheme: str = "simgd", h: float = 0.1,
                 steps: int = 200, n_g: int = 1, n_d: int = 1,
                 order: str = "generator-first") -> str:
    r"""Write the static explorer page of method ``m`` to ``out`` (atomically).

    The closed forms are derived with the method's parameters as symbols; the page's
    sliders start at the values given in ``m`` (else the catalogue defaults). The file is
    written to a temporary file in the same directory and renamed onto ``out``, so ``out``
    is never half-written.

    Parameters
    ----------
    m : Method
        The method (its f must be concrete: logistic or an expression in t).
    out : str
        The .html file to write (its directory must exist).
    scheme : {"continuous", "simgd", "altgd", "extragradient"}
        The scheme selected at first.
    h : float
        The step size at first, in (0, inf).
    steps : int
        The number of steps at first, 1 to :data:`MAX_STEPS`.
    n_g, n_d : int
        AltGD's generator and discriminator moves per round.
    order : {"generator-first", "discriminator-first"}
        AltGD's order.

    Returns
    -------
    str
        The absolute path written.

    Raises
    ------
    InputError
        Bad input (named), or a method the page cannot evaluate (e.g. f = "general").
    """
    path = check_target(out)
    check_options(scheme, h, steps)
    text = page_html(page_forms(m, n_g=n_g, n_d=n_d, order=order), scheme, h, steps)
    write_atomically(path, text)
    return path
