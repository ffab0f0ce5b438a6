r"""The static page's generated JavaScript: the closed forms of :mod:`._forms` printed by
:func:`._jscode.js_expr`, as one object ``FORMS`` that the page's runtime (``_page.js``)
evaluates.

Names in the printed code: ``th``, ``ps`` (the state), ``e`` (a noise variable's value),
``h`` (the step, :math:`h_g = h_d = h`) and ``P["name"]`` (each method parameter, the
sliders' values). Each closed form becomes an arrow function of the names it needs:

* ``field[c]``: the groups of component c, ``{noise, f: (th, ps, e, P) => ...}`` (noise: the
  index of its noise variable, -1 without), ``noiseSd[k]: (P) => sigma_k``, ``nodes``: the
  trapezoidal rule's z_j and weights (:func:`stabgan.codegen.field.noise_nodes`);
* ``clip``: ``(P) => [low, high]`` of each box constraint on psi;
* ``smooth: (P) => bool``: the field has no jump at psi = 0 (then ``J`` is its Jacobian);
* ``J: (P) => [[., .], [., .]]`` and ``hurwitz: (P) => [...]`` (all > 0 iff convergent);
* ``sides``: the one-sided equilibria, ``{theta, residual, J}`` as functions of P;
* ``schemes[name]``: ``M: (h, P)``, ``schur: (h, P) => [...]`` (all > 0 iff convergent),
  ``boundaries``: ``{schur, factors: [(P) => [coefficients in h, highest first]]}``, and
  the scheme's LaTeX;
* the words of the verdicts, from :meth:`stabgan.Analysis.verdict` and the analysis's own
  table of one-sided equilibrium types (never retyped here).
"""
from __future__ import annotations

import itertools
import json

import sympy as sp

from .._errors import InputError
from .._symbols import H_SYMBOL, PSI, THETA
from ..analysis.analyze import _TYPE_WORDS, _nonsmooth_words, Analysis
from ..codegen.field import noise_nodes
from ._forms import PageForms
from ._jscode import js_expr, js_name

__all__ = ["forms_js", "verdict_words", "nonsmooth_words"]

#: The most distinct one-sided equilibrium types whose words the page carries.
_MAX_KINDS = 3


def verdict_words(m) -> dict:
    """The verdicts' words, each from :meth:`Analysis.verdict` of an analysis in that state
    (``{behaviour}`` marks where the one-sided equilibria's words go)."""
    base = dict(method=m, vector_field=(), equilibrium={}, jacobian=None, eigenvalues=[],
                condition=None, spectral_abscissa=None, critical={})
    out = {}
    for kind, scheme, disc in (("continuous", "continuous", None),
                               ("discrete", "simgd", {"defective": False})):
        for state, convergent, marginal in (("convergent", True, False),
                                            ("marginal", False, True),
                                            ("unstable", False, False)):
            out[f"{kind}_{state}"] = Analysis(scheme=scheme, locally_convergent=convergent,
                                              marginal=marginal, discrete=disc,
                                              **base).verdict()
    out["jump"] = Analysis(scheme="continuous", locally_convergent=False, marginal=False,
                           nonsmooth={"behaviour": "{behaviour}"}, **base).verdict()
    return out


def nonsmooth_words() -> dict:
    """The behaviour near the one-sided equilibria for every set of up to three types
    (keys: the sorted types joined by '|'; '' for none), from the analysis's own words."""
    kinds = sorted(_TYPE_WORDS)
    out = {"": _nonsmooth_words([])}
    for n in range(1, _MAX_KINDS + 1):
        for combo in itertools.combinations(kinds, n):
            out["|".join(combo)] = _nonsmooth_words(list(combo))
    return out


def _names(F: PageForms) -> dict:
    names = {THETA: "th", PSI: "ps", H_SYMBOL: "h"}
    names.update({p.symbol: f"P[{js_name(p.name)}]" for p in F.parameters})
    return names


def _matrix(M: sp.Matrix, names: dict) -> str:
    return "[" + ", ".join("[" + ", ".join(js_expr(M[i, j], names) for j in range(M.cols))
                           + "]" for i in range(M.rows)) + "]"


def _list(exprs, names: dict) -> str:
    return "[" + ", ".join(js_expr(e, names) for e in exprs) + "]"


def forms_js(F: PageForms) -> str:
    """The JavaScript source ``const FORMS = {...};`` of the page's closed forms.

    Parameters
    ----------
    F : PageForms
        From :func:`stabgan.explore._forms.page_forms`.

    Returns
    -------
    str
        One JavaScript statement.

    Raises
    ------
    InputError
        Naming the method, when a closed form uses a function the browser cannot
        evaluate (e.g. erf) or a symbol that is not a parameter.
    """
    try:
        return _forms_js(F)
    except InputError as exc:
        raise InputError(f"Method '{F.method.id}' cannot be put on a static page: "
                         f"{exc}.") from None


def _forms_js(F: PageForms) -> str:
    names = _names(F)
    noise = {eps: "e" for eps, _ in F.method.derived.noise}
    field_names = {**names, **noise}
    field = "[" + ", ".join(
        "[" + ", ".join(f"{{noise: {-1 if k is None else k}, f: (th, ps, e, P) => "
                        f"({js_expr(expr, field_names)})}}" for k, expr in groups) + "]"
        for groups in F.field_groups) + "]"
    z, w = noise_nodes()
    sides = "[" + ", ".join(
        f"{{name: {js_name(s.name)}, eqs: ["
        + ", ".join(f"{{theta: (P) => ({js_expr(t, names)}), residual: (P) => "
                    f"({js_expr(r, names)}), J: (P) => {_matrix(J, names)}}}"
                    for t, r, J in s.equilibria) + "]}" for s in F.sides) + "]"
    schemes = []
    for name, S in F.schemes.items():
        boundaries = "[" + ", ".join(
            f"{{schur: {'true' if b.schur else 'false'}, factors: ["
            + ", ".join(f"(P) => {_list(c, names)}" for c in b.factors) + "]}"
            for b in S.boundaries) + "]"
        schemes.append(f"{js_name(name)}: {{M: (h, P) => {_matrix(S.M, names)}, "
                       f"schur: (h, P) => {_list(S.schur, names)}, boundaries: {boundaries}}}")
    latex = {"continuous": F.latex, **{k: S.latex for k, S in F.schemes.items()}}
    parts = [
        f"params: {json.dumps([p.name for p in F.parameters])}",
        f"values: {json.dumps(F.values)}",
        f"field: {field}",
        "noiseSd: [" + ", ".join(f"(P) => ({js_expr(sd, names)})" for sd in F.noise_sd) + "]",
        f"nodes: {{z: {json.dumps([float(x) for x in z])}, w: {json.dumps([float(x) for x in w])}}}",
        "clip: [" + ", ".join(f"(P) => [{js_expr(lo, names)}, {js_expr(hi, names)}]"
                              for lo, hi in F.clip) + "]",
        f"smooth: (P) => ({js_expr(F.smooth_where, names)})",
        f"J: (P) => {_matrix(F.J, names)}",
        f"hurwitz: (P) => {_list(F.hurwitz, names)}",
        f"sides: {sides}",
        "schemes: {" + ", ".join(schemes) + "}",
        f"latex: {json.dumps(latex)}",
        f"altgd: {json.dumps(F.altgd)}",
        f"words: {json.dumps(verdict_words(F.method))}",
        f"nonsmoothWords: {json.dumps(nonsmooth_words())}",
    ]
    return "const FORMS = {\n  " + ",\n  ".join(parts) + "\n};\n"
