"""Write the documentation pages that come from the package's own output (run by conf.py).

Every table here is the package's output at build time, never a typed-in number:

* ``catalogue.rst`` from ``stabgan methods --json``;
* ``lemmas.rst`` from ``stabgan verify --list --json`` (the statements and sources; the checks
  themselves take about 25 s and run in the test suite and in ``stabgan verify``);
* ``conventions.rst`` from the ``convention`` and ``conversions`` fields of the catalogue;
* ``guide.rst`` from :func:`stabgan.analyze` over the catalogue and the schemes;
* ``gallery/*.rst`` from the PNG files under ``figures/`` and the functions that draw them.

Pages are rewritten only when their text changes, so an unchanged page does not make Sphinx
read it again.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sympy as sp

import stabgan
from stabgan._printing import latex


def _cli_json(root: Path, *args: str):
    """``python -m stabgan ARGS --json`` run on this checkout; the parsed document."""
    env = {"PYTHONPATH": str(root)}
    import os
    env = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-m", "stabgan", *args, "--json"], cwd=root, env=env,
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _heading(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def _rst_text(text: str) -> str:
    """Plain text for a reST table cell or paragraph (no markup characters act)."""
    for a in ("\\", "*", "`", "|", "_"):
        text = text.replace(a, "\\" + a)
    return text


def _math(tex: str) -> str:
    return f":math:`{tex}`" if tex else ""


def _table(header: list[str], rows: list[list[str]]) -> str:
    """A ``list-table`` (cells may hold roles; no column widths to keep aligned)."""
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header] + rows:
        lines.append("   * - " + (row[0] or "\\ "))
        for cell in row[1:]:
            lines.append("     - " + (cell or "\\ "))
    return "\n".join(lines) + "\n"


def catalogue(methods: list[dict]) -> str:
    out = [_heading("The catalogue"),
           "Generated at build time from ``stabgan methods --json``: every method id the "
           "package knows, its parameters (defaults and ranges) and its source.\n"]
    for m in methods:
        out.append(_heading(f"``{m['id']}``", "-"))
        out.append(_rst_text(m["summary"]) + "\n")
        params = m["parameters"]
        if params:
            out.append(_table(["parameter", "default", "range", "meaning"],
                              [[f"``{p['name']}``", f"``{p['default']}``", f"``{p['range']}``",
                                _rst_text(p.get("meaning", ""))] for p in params]))
        else:
            out.append("No parameters.\n")
        out.append(f"f: {_rst_text(str(m['f']))}; generator losses: "
                   f"{', '.join(m.get('generator_options') or ['minimax'])}.\n")
        out.append("Source: " + _rst_text(m["citation"]["text"]) + "\n")
    return "\n".join(out)


def lemmas(statements: list[dict]) -> str:
    out = [_heading("The lemmas"),
           "Generated at build time from ``stabgan verify --list --json``: each statement the "
           "package checks symbolically and against a numeric oracle (run them with "
           "``stabgan verify``), with its source.\n"]
    for s in statements:
        out.append(_heading(f"``{s['id']}``", "-"))
        out.append(_statement(s["statement"]) + "\n")
        out.append("Source: " + _rst_text(s["source"]) + "\n")
    return "\n".join(out)


def _statement(text: str) -> str:
    """A statement whose math is written between dollar signs, as reST with :math: roles."""
    parts = text.split("$")
    out = []
    for k, part in enumerate(parts):
        if k % 2:
            out.append(":math:`" + part.replace("`", "'") + "`")
        else:
            out.append(_rst_text(part))
    return "\\ ".join(p for p in out if p) if len(parts) > 1 else out[0]


def conventions(methods: list[dict]) -> str:
    out = [_heading("Conventions"),
           "stabgan writes every method in the convention of Mescheder, Geiger and Nowozin "
           "(ICML 2018): the data distribution is :math:`\\delta_0`, the generator's "
           ":math:`\\delta_\\theta`, the discriminator :math:`D_\\psi(x) = \\psi x`, and "
           ":math:`L(\\theta, \\psi) = f(\\psi \\theta) + f(0)` with the logistic "
           ":math:`f(t) = -\\log(1 + e^{-t})` (:math:`f'(0) = 1/2`, :math:`f''(0) = -1/4`). "
           "The generator descends :math:`L_G`, the discriminator ascends :math:`L_D` minus its "
           "penalty, and the field is :math:`v = (-\\partial L_G/\\partial\\theta, "
           "\\partial L_D/\\partial\\psi)`. Here :math:`\\operatorname{sigmoid}(D_\\psi(x))` is "
           "the probability that :math:`x` is **fake**: other papers' conventions are mapped "
           "onto this one, method by method, below.\n",
           "Symbols in the output: ``fp0``, ``fpp0`` (JSON, ``sympy`` strings) are "
           ":math:`f'(0)`, :math:`f''(0)` (LaTeX); ``h_g``, ``h_d`` the generator's and the "
           "discriminator's step sizes, :math:`h = h_g = h_d` where one step is given.\n",
           "Generated at build time from the ``convention`` and ``conversions`` fields of "
           "``stabgan methods --json``.\n"]
    for m in methods:
        out.append(_heading(f"``{m['id']}``", "-"))
        out.append(_rst_text(m["convention"]) + "\n")
        for c in m.get("conversions") or []:
            out.append("* " + _rst_text(c))
        out.append("")
    return "\n".join(out)


# -- the guide ------------------------------------------------------------------------------------
#: The regularizers compared across schemes, at their catalogue defaults.
GUIDE_METHODS = ("gan", "r1", "consensus", "instance-noise", "nk")
#: The schemes compared (their analysis leaves h a symbol: h_max and h_opt are exact).
GUIDE_SCHEMES = ("simgd", "altgd", "extragradient", "ogda", "lookahead")


def _defaults(spec) -> dict:
    return {p.name: p.to_dict()["default"] for p in spec.parameters}


def _verdict_cell(a) -> str:
    if a.locally_convergent is None:
        return "if " + _math(latex(a.condition))
    if a.locally_convergent:
        return "yes"
    return "no (marginal)" if a.marginal else "no"


def _value(x, digits: int = 4) -> str:
    return "" if x is None else f"{x:.{digits}g}"


def _h_max_cell(a) -> str:
    h = a.h_max
    if a.discrete["h_max_status"] != "computed":
        return "not computed"
    if h is None:
        return "none"
    if h is sp.oo:
        return _math("\\infty")
    text = _math(latex(h)) if len(latex(h)) < 40 else ""
    value = float(sp.N(h, 20))
    return (text + " = " if text and not h.is_Integer else text) + \
        ("" if h.is_Integer else f"{value:.4g}")


def guide() -> str:
    specs = stabgan.methods()
    cont = []
    for spec in specs:
        symbolic = stabgan.analyze(stabgan.method(spec.id))
        at = stabgan.analyze(stabgan.method(spec.id, **_defaults(spec)))
        cont.append((spec, symbolic, at))
    yes = [s.id for s, _, a in cont if a.locally_convergent]
    marginal = [s.id for s, _, a in cont if a.locally_convergent is False and a.marginal]
    no = [s.id for s, _, a in cont if a.locally_convergent is False and not a.marginal]
    table1 = _table(
        ["method", "locally convergent (parameters symbolic)", "at the defaults",
         "spectral abscissa at the defaults", "critical value"],
        [[f"``{s.id}``", _verdict_cell(sym), _verdict_cell(a), _value(a.spectral_abscissa),
          ", ".join(_math(latex(sp.Symbol(k)) + " = " + latex(v))
                    for k, v in sorted(sym.critical.items()))]
         for s, sym, a in cont])
    rows, best = [], {}
    for mid in GUIDE_METHODS:
        spec = next(s for s in specs if s.id == mid)
        m = stabgan.method(mid, **_defaults(spec))
        for scheme in GUIDE_SCHEMES:
            a = stabgan.analyze(m, scheme)
            d = a.discrete
            rows.append([f"``{mid}``", scheme, _h_max_cell(a), _value(d["h_opt"]),
                         _value(d["rate_opt"])])
            if d["rate_opt"] is not None and (mid not in best or d["rate_opt"] < best[mid][1]):
                best[mid] = (scheme, d["rate_opt"], d["h_opt"])
    table2 = _table(["method (defaults)", "scheme", "h_max", "h_opt",
                     "spectral radius per step at h_opt"], rows)
    out = [_heading("Which regularizer, which scheme"),
           "Every number and verdict on this page is computed by ``stabgan.analyze`` while "
           "the documentation builds; the sentences are generated from those results.\n",
           _heading("Continuous time: which regularizer", "-"),
           "Locally convergent at the catalogue defaults (every eigenvalue of "
           ":math:`v'(0, 0)` has negative real part): "
           + (", ".join(f"``{x}``" for x in yes) or "none") + ". "
           "Marginal (the eigenvalues lie on the imaginary axis, so the linearization decides "
           "nothing and, for these methods, the dynamics do not converge at a linear rate): "
           + (", ".join(f"``{x}``" for x in marginal) or "none") + ". "
           "Not locally convergent for another reason (an eigenvalue in the right half-plane, "
           "or a field that jumps at :math:`\\psi = 0`): "
           + (", ".join(f"``{x}``" for x in no) or "none") + ".\n",
           "A critical value is where the eigenvalues turn from complex (a damped rotation) "
           "to real (a decay without oscillation).\n",
           table1,
           _heading("Discrete time: which scheme", "-"),
           ":math:`h_{\\max}` is the largest step size below which every step is locally "
           "convergent (:math:`h = h_g = h_d`); :math:`h_{\\mathrm{opt}}` is the step in "
           ":math:`(0, h_{\\max})` with the smallest spectral radius of the update operator, "
           "given per step.\n"]
    for mid in GUIDE_METHODS:
        if mid in best:
            scheme, rate, h = best[mid]
            out.append(f"* ``{mid}``: the fastest local rate among the schemes compared is "
                       f"{scheme}'s, spectral radius {rate:.4g} per step at "
                       f":math:`h = {h:.4g}`.")
        else:
            out.append(f"* ``{mid}``: no scheme compared here has a stable step size.")
    out += ["", table2]
    return "\n".join(out)


# -- the gallery ----------------------------------------------------------------------------------
#: Figure families: file prefix -> (title, what it shows, [(module path, function)]).
FAMILIES = {
    "phase": ("Phase portraits", "SimGD and AltGD trajectories of each method at its "
              "defaults, with the continuous flow.",
              [("stabgan/report/plots.py", "phase_portrait")]),
    "distance": ("Distance to the equilibrium", "The distance to (0, 0) along the "
                 "trajectories of the phase portraits.",
                 [("stabgan/report/plots.py", "distance_plot")]),
    "eigloci": ("Eigenvalue loci", "The continuous-time eigenvalues as a parameter grows.",
                [("stabgan/report/plots.py", "eigenvalue_loci")]),
    "stability": ("Stability maps", "The spectral radius of R1's update operator over the "
                  "regularization weight and the step size.",
                  [("stabgan/report/plots.py", "stability_figure")]),
    "region": ("Stability regions of the schemes", "Where each scheme's update operator "
               "has spectral radius below 1.",
               [("stabgan/report/plots.py", "scheme_region_figure")]),
    "nonsmooth": ("Non-smooth fields", "WGAN-GP and DRAGAN, whose field jumps at "
                  ":math:`\\psi = 0`: limit cycles and non-Nash attractors.",
                  [("stabgan/report/plots.py", "nonsmooth_figure")]),
    "ext": ("Extension API", "The hinge loss's flow, the weight average (EMA) and the "
            "adaptive optimizers.",
            [("stabgan/report/extension_plots.py", "hinge_flow_figure"),
             ("stabgan/report/extension_plots.py", "ema_figure"),
             ("stabgan/report/extension_plots.py", "adaptive_figure")]),
}


def gallery(root: Path, out_dir: Path) -> list[str]:
    figures = sorted((root / "figures").glob("*.png"))
    names = []
    for prefix, (title, what, code) in FAMILIES.items():
        files = [f for f in figures if f.name.split("_", 1)[0] == prefix]
        if not files:
            continue
        lines = [_heading(title), what + "\n",
                 "The figures are drawn by ``stabgan report`` into ``figures/``; the code "
                 "that draws them:\n"]
        for path, function in code:
            lines += [f".. literalinclude:: ../../../{path}", f"   :pyobject: {function}",
                      "   :language: python", ""]
        for f in files:
            lines += [_heading(f"``{f.name}``", "-"), f".. image:: ../../../figures/{f.name}",
                      f"   :alt: {f.stem}", "   :width: 90%", ""]
        _write(out_dir / "gallery" / f"{prefix}.rst", "\n".join(lines))
        names.append(prefix)
    index = [_heading("Gallery"), "One page per figure family.\n", ".. toctree::",
             "   :maxdepth: 1", ""] + [f"   {n}" for n in names]
    _write(out_dir / "gallery" / "index.rst", "\n".join(index) + "\n")
    return names


def generate(out_dir: Path, root: Path) -> None:
    """Write every generated page under ``out_dir`` (``docs/generated``)."""
    methods = _cli_json(root, "methods")
    _write(out_dir / "catalogue.rst", catalogue(methods))
    _write(out_dir / "conventions.rst", conventions(methods))
    _write(out_dir / "lemmas.rst", lemmas(_cli_json(root, "verify", "--list")))
    _write(out_dir / "guide.rst", guide())
    gallery(root, out_dir)
