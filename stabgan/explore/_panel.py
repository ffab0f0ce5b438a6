"""The explorer's analysis panel: verdict, h_max and the analysis as typeset formulas (the
parts of ``Analysis.to_latex(part)``: field, Jacobian, eigenvalues, verdict, critical values,
h_max, ...), with a button that copies the raw LaTeX of the whole block.

The formulas are typeset by the MathJax that BokehJS bundles (a Div renders the text between
``$$`` delimiters; the bundle is one of the server's own static files, so the page needs no
network).
"""
from __future__ import annotations

import html

from bokeh.layouts import column, row
from bokeh.models import Button, CustomJS, Div, PreText

#: What each part of the LaTeX block is, as the panel titles it.
LABELS = {"field": "vector field", "jacobian": "Jacobian at the equilibrium",
          "eigenvalues": "eigenvalues", "condition": "verdict",
          "critical": "critical values", "h_max": "largest stable step size",
          "spectral_radius": "spectral radius per step", "h_opt": "fastest step size"}


def typeset(parts: list[tuple[str, str]]) -> str:
    """The Div text of the parts: each part's ``align*`` rows as ``$$\\begin{aligned} ...
    \\end{aligned}$$`` under its title (the math is left raw: MathJax reads it before the
    rest becomes HTML)."""
    blocks = []
    for part, tex in parts:
        rows = tex.strip().splitlines()
        if rows[:1] == [r"\begin{align*}"] and rows[-1:] == [r"\end{align*}"]:
            rows = rows[1:-1]
        blocks.append(f'<div class="sg-part-{part}"><b>{html.escape(LABELS.get(part, part))}'
                      f'</b> $$\\begin{{aligned}}\n' + "\n".join(rows)
                      + "\n\\end{aligned}$$</div>")
    return "\n".join(blocks)


class AnalysisPanel:
    """The busy line, verdict, h_max, the typeset formulas and the copy button."""

    def __init__(self) -> None:
        self.busy = Div(text="", css_classes=["sg-busy"], styles={"color": "#a60"})
        self.verdict = Div(text="", css_classes=["sg-verdict"], width=560)
        self.h_max = Div(text="", css_classes=["sg-hmax"], width=560)
        # the raw LaTeX of the whole block: what the button copies (not shown)
        self.latex = PreText(text="", name="sg-latex-source")
        self.formulas = Div(text="", width=560, css_classes=["sg-formulas"],
                            styles={"overflow": "auto", "max-height": "430px"})
        self.copy = Button(label="copy LaTeX", css_classes=["sg-copy"], width=220,
                           name="sg-copy")
        self.copy.js_on_click(CustomJS(args={"src": self.latex, "button": self.copy}, code="""
            const done = (label) => { button.label = label; };
            if (navigator.clipboard) {
                navigator.clipboard.writeText(src.text).then(
                    () => done("copy LaTeX (copied)"),
                    () => done("copy LaTeX (the browser refused)"));
            }
        """))
        self.layout = column(self.busy, self.verdict, self.h_max, row(self.copy),
                             self.formulas)

    def set_busy(self, on: bool) -> None:
        """Show or clear the busy line."""
        self.busy.text = "computing the closed form ..." if on else ""

    def show(self, res: dict | None, scheme: str) -> None:
        """Show the worker's summary ``res`` of the analysis (None: a scheme that is
        simulated only, nothing to show)."""
        self.copy.label = "copy LaTeX"
        if res is None:
            self.verdict.text = "verdict: none (this scheme is simulated only)"
            self.h_max.text = "h_max: none"
            self.latex.text = ""
            self.formulas.text = ""
            return
        self.verdict.text = "verdict: " + html.escape(res["verdict"])
        if scheme == "continuous":
            self.h_max.text = "h_max: none (continuous time)"
        elif res["h_max"] is None:
            self.h_max.text = ("h_max: none (the field jumps at psi = 0: the update has no "
                               "Jacobian at the equilibrium)"
                               if res.get("h_max_status") == "no Jacobian"
                               else "h_max: none (no step size converges)")
        else:
            val = res["h_max_value"]
            self.h_max.text = (f"h_max = {html.escape(res['h_max'])}"
                               + (f" &asymp; {val:.6g}" if val is not None else ""))
        self.latex.text = res["latex"]
        self.formulas.text = typeset(res["parts"])
