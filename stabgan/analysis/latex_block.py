r"""Paste-ready LaTeX and the Jupyter displays of an :class:`~stabgan.analysis.analyze.Analysis`.

Every formula goes through the one printer, :func:`stabgan._printing.latex`; this module only
chooses the rows and their left-hand sides. The rows of a block:

* ``field``: :math:`v_\theta`, :math:`v_\psi`;
* ``jacobian``: :math:`v'(0, 0)` in continuous time, and for a discrete scheme the Jacobian
  :math:`F'(0, 0)` of the update operator :math:`F` (one period of the scheme on its state);
* ``eigenvalues``: :math:`\lambda_1, \lambda_2, \dots` of that Jacobian;
* ``condition``: the verdict as mathematics (the condition on the free symbols, or the spectral
  abscissa / spectral radius against 0 / 1);
* ``critical``: where the continuous eigenvalues turn from complex to real;
* ``h_max``, ``spectral_radius``, ``h_opt``: the discrete schemes' step-size results.
"""
from __future__ import annotations

import html

import sympy as sp

from .._errors import InputError
from .._printing import latex, latex_lines, sympy_str

__all__ = ["PARTS", "check_part", "latex_block", "latex_rows", "repr_latex", "repr_html"]

#: The parts :meth:`Analysis.to_latex` prints one at a time (``--latex-part`` on the command line).
PARTS = ("field", "jacobian", "eigenvalues", "condition", "critical", "h_max",
         "spectral_radius", "h_opt")

#: Digits of the floating-point numbers printed beside exact ones.
_DIGITS = 6

#: About how many characters of LaTeX source fit on one row of a 345 pt text block; longer
#: sums continue on the next row, and a matrix whose row is longer is printed entry by entry.
WIDTH = 80

#: What starts a continuation row.
CONTINUE = r"&\qquad {}"


def _rows_of(lhs: str, expr, rel: str = "&= ") -> list[str]:
    """``lhs &= expr``, the sum cut over several rows where it is long (:func:`latex_lines`)."""
    first, *rest = latex_lines(expr, WIDTH)
    return [(lhs + " " if lhs else "") + rel + first] + [CONTINUE + piece for piece in rest]


def _num(x: float) -> str:
    """A float as LaTeX, through the printer (``1.0 \\cdot 10^{-5}``, never ``1e-05``)."""
    return latex(sp.Float(x, _DIGITS))


def _operator(a) -> str:
    """The left-hand side naming the Jacobian: v'(0, 0), or the update operator's F'(0, 0)."""
    if a.discrete is None:
        return r"v'(0, 0)"
    return r"F'(0, 0)" if len(a.discrete["state"]) == 2 else r"F'(0)"


def _field_rows(lhs: str, v) -> list[str]:
    """A component of the field; expanded where that is what lets a long one break."""
    rows = _rows_of(lhs, v)
    if max(map(len, rows)) > WIDTH + 20:
        expanded = _rows_of(lhs, sp.expand(v))
        if max(map(len, expanded)) < max(map(len, rows)):
            return expanded
    return rows


def _rows_field(a) -> list[str]:
    return (_field_rows(r"v_\theta(\theta, \psi)", a.vector_field[0])
            + _field_rows(r"v_\psi(\theta, \psi)", a.vector_field[1]))


def _rows_jacobian(a) -> list[str]:
    J = a.jacobian
    if J is None:
        return []
    widest = max(sum(len(latex(J[i, j])) for j in range(J.cols)) for i in range(J.rows))
    if widest <= WIDTH:
        return [_operator(a) + " &= " + latex(J)]
    rows = []
    for i in range(J.rows):
        for j in range(J.cols):
            rows += _rows_of(r"\bigl[" + _operator(a) + r"\bigr]_{%d %d}" % (i + 1, j + 1),
                             J[i, j])
    return rows


def _rows_eigenvalues(a) -> list[str]:
    return [row for i, e in enumerate(a.eigenvalues) for row in _rows_of(r"\lambda_{%d}" % (i + 1), e)]


def _rho(a) -> str:
    r"""The spectral radius per step: \rho(F'), or \rho(F')^{1/p} over a period of p steps."""
    p = a.discrete["period"]
    core = r"\rho\bigl(" + _operator(a) + r"\bigr)"
    return core if p == 1 else core + r"^{1/%d}" % p


_REL = {">": ">", ">=": r"\geq", "<": "<", "<=": r"\leq", "==": "=", "!=": r"\neq"}


def _relation_pieces(c) -> list[str]:
    """A condition cut into row pieces: a long sum at its signs (:func:`latex_lines`), a long
    product ``k A B^3 > 0`` factor by factor (each factor from the printer)."""
    pieces = latex_lines(c, WIDTH)
    if max(map(len, pieces)) <= WIDTH or not isinstance(c, sp.core.relational.Relational) \
            or not isinstance(c.lhs, sp.Mul) or c.rel_op not in _REL:
        return pieces
    coeff, factors = c.lhs.as_coeff_mul()
    tokens = [] if coeff == 1 else ["-"] if coeff == -1 else [latex(coeff)]
    for f in factors:
        base, exp = f.as_base_exp()
        tex = latex(base)
        if isinstance(base, sp.Add):
            tex = r"\left(" + tex + r"\right)"
        tokens.append(tex if exp == 1 else tex + "^{" + latex(exp) + "}")
    tokens.append(_REL[c.rel_op] + " " + latex(c.rhs))
    rows = [tokens[0]]
    for t in tokens[1:]:
        if len(rows[-1]) + len(t) > WIDTH:
            rows.append(t)
        else:
            rows[-1] += " " + t
    return rows


def _rows_condition(a) -> list[str]:
    discrete = a.discrete is not None
    if a.locally_convergent is None:
        parts = list(a.condition.args) if isinstance(a.condition, sp.And) else [a.condition]
        rows = []
        for k, c in enumerate(parts):
            first, *rest = _relation_pieces(c)
            rows += [(r"&\text{locally convergent} \iff " if k == 0 else r"&\qquad \wedge\ ")
                     + first] + [CONTINUE + piece for piece in rest]
        return rows
    if a.nonsmooth is not None or a.jacobian is None:
        return [r"&\text{not locally convergent: } v \text{ jumps at } \psi = 0"
                r"\text{ (no Jacobian there)}"]
    if discrete:
        rho = a.discrete["spectral_radius"]
        if a.locally_convergent:
            rhs = (_rho(a) + " = " + _num(rho) + " < 1") if rho is not None else \
                r"|\lambda_i| < 1 \text{ for all } i"
            return [r"&\text{locally convergent: } " + rhs]
        if a.marginal:
            return [r"&\text{not locally convergent (marginal): } |\lambda_i| = 1"
                    r"\text{ for all } i"]
        if rho is None:
            return [r"&\text{not locally convergent: a Schur-Cohn condition fails}",
                    r"&\qquad \text{for every value of the free symbols}"]
        return [r"&\text{not locally convergent: } " + _rho(a) + " = " + _num(rho) + r" > 1"]
    alpha = a.spectral_abscissa
    lhs = r"\max_i \operatorname{Re} \lambda_i"
    if a.locally_convergent:
        rhs = (lhs + " = " + _num(alpha) + " < 0") if alpha is not None else lhs + " < 0"
        return [r"&\text{locally convergent: } " + rhs]
    if a.marginal:
        return [r"&\text{not locally convergent (marginal): } \operatorname{Re} \lambda_i = 0"
                r"\text{ for all } i"]
    if a.marginal is None:
        return [r"&\text{not locally convergent: a Routh-Hurwitz condition fails}",
                r"&\qquad \text{for every value of the free symbols}"]
    rhs = (lhs + " = " + _num(alpha) + " > 0") if alpha is not None else lhs + " > 0"
    return [r"&\text{not locally convergent: } " + rhs]


def _rows_critical(a) -> list[str]:
    if a.discrete is not None:
        return []
    # braced: a parameter with a subscript of its own (LeCam's alpha_r) takes a second one
    return ["{" + latex(a.method.symbols.get(name, sp.Symbol(name))) + r"}_{\mathrm{crit}} &= "
            + latex(value)
            for name, value in sorted(a.critical.items())]


def _exact_and_value(value) -> str:
    """An exact value, followed by its decimal value where it is not an integer."""
    text = latex(value)
    if isinstance(value, sp.Basic) and value.is_number and not value.is_Integer:
        text += r" \approx " + _num(float(sp.N(value, 30)))
    return text


def _rows_h_max(a) -> list[str]:
    d = a.discrete
    if d is None or d["h_max_status"] != "computed":
        return []
    h_max = d["h_max"]
    if h_max is None:
        return [r"&\text{no step size } h > 0 \text{ is stable}"]
    rows = [r"h_{\max} &= " + (r"\infty" if h_max is sp.oo else _exact_and_value(h_max))]
    for lo, hi in d["stable_intervals"]:
        rows.append(r"&\text{stable again for } h \in (" + _exact_and_value(lo) + ", "
                    + (r"\infty" if hi is sp.oo else _exact_and_value(hi)) + ")")
    return rows


def _rows_spectral_radius(a) -> list[str]:
    d = a.discrete
    if d is None or d["spectral_radius"] is None:
        return []
    return [_rho(a) + " &= " + _num(d["spectral_radius"])]


def _rows_h_opt(a) -> list[str]:
    d = a.discrete
    if d is None or d["h_opt"] is None:
        return []
    return [r"h_{\mathrm{opt}} &= " + _num(d["h_opt"]) + r", \quad " + _rho(a)
            + r"\big|_{h = h_{\mathrm{opt}}} = " + _num(d["rate_opt"])]


_ROWS = {"field": _rows_field, "jacobian": _rows_jacobian, "eigenvalues": _rows_eigenvalues,
         "condition": _rows_condition, "critical": _rows_critical, "h_max": _rows_h_max,
         "spectral_radius": _rows_spectral_radius, "h_opt": _rows_h_opt}

#: Why a part is missing, per part, for the error message.
_MISSING = {
    "jacobian": "the field jumps at psi = 0, so there is no Jacobian at the equilibrium",
    "eigenvalues": "the field jumps at psi = 0, so there is no Jacobian at the equilibrium",
    "critical": "no method parameter turns the continuous-time eigenvalues from complex to real "
                "(or the scheme is discrete)",
    "h_max": "h_max belongs to the discrete schemes, and is computed only when no symbol "
             "other than h remains",
    "spectral_radius": "the spectral radius belongs to the discrete schemes, and is a number "
                       "only when no symbol (h included) remains",
    "h_opt": "h_opt belongs to the discrete schemes, and is computed only when no symbol other "
             "than h remains and some step size is stable",
}


def check_part(part: str, name: str = "The 'part' parameter of Analysis.to_latex") -> None:
    """Raise :class:`InputError` unless ``part`` is one of :data:`PARTS`; the message starts
    with ``name`` (the command line passes its option's name)."""
    if not isinstance(part, str) or part not in PARTS:
        none = " None or" if "'part'" in name else ""
        raise InputError(f"{name} must be{none} one of {', '.join(repr(p) for p in PARTS)}. "
                         f"Got {part!r} instead.")


def latex_rows(a, part: str) -> list[str]:
    """The ``align*`` rows (with their ``&``) of one part; [] where the analysis lacks it."""
    check_part(part)
    return _ROWS[part](a)


def _conventions(a) -> list[str]:
    """The comment lines: what the symbols mean (plain ASCII, one line each)."""
    m = a.method
    params = ", ".join(f"{k} = {sympy_str(v)}" if k in m.values else f"{k} symbolic"
                       for k, v in m.params.items()) or "no parameters"
    lines = [f"% stabgan: method {m.id} ({params}), f {m.f}, generator {m.generator}, "
             f"scheme {a.scheme}",
             "% Conventions of Mescheder et al. (2018): D_psi(x) = psi x, "
             "L = f(psi theta) + f(0), v = (-dL_G/dtheta, dL_D/dpsi), equilibrium "
             "(theta, psi) = (0, 0); f'(0), f''(0) are derivatives of f at 0; "
             "sigmoid(D) is the probability of FAKE"]
    if a.discrete is not None:
        d = a.discrete
        options = ", ".join(f"{k} = {v}" for k, v in d["options"].items())
        over = f"one period of {d['period']} steps of" if d["period"] > 1 else "one step of"
        lines.append(f"% F is {over} the update x <- F(x) ({options}) on the state "
                     f"({', '.join(d['state'])}); rho is the spectral radius per step; "
                     "h = h_g = h_d for h_max and h_opt")
    lines.append("% verdict: " + a.verdict().replace("\n", " "))
    return lines


def latex_block(a, part: str | None = None) -> str:
    """The text of :meth:`Analysis.to_latex`."""
    if part is not None:
        rows = latex_rows(a, part)
        if not rows:
            raise InputError(f"The 'part' parameter of Analysis.to_latex is {part!r}, which this "
                             f"analysis ({a.method.id}, {a.scheme}) does not have: "
                             f"{_MISSING.get(part, 'not available')}.")
        return "\n".join([r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]) + "\n"
    rows = [r for p in PARTS for r in _ROWS[p](a)]
    return "\n".join(_conventions(a) + [r"\begin{align*}", " \\\\\n".join(rows),
                                        r"\end{align*}"]) + "\n"


def repr_latex(a) -> str:
    """Jupyter's LaTeX display: the block's rows in ``$$\\begin{aligned}...\\end{aligned}$$``."""
    rows = [r for p in PARTS for r in _ROWS[p](a)]
    return "$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$"


def _cell(value) -> str:
    return "&mdash;" if value is None else html.escape(str(value))


def repr_html(a) -> str:
    """Jupyter's HTML display: method, scheme, verdict, spectral abscissa or radius, h_max."""
    rows = [("method", a.method.id), ("scheme", a.scheme), ("verdict", a.verdict())]
    if a.discrete is None:
        rows.append(("spectral abscissa", a.spectral_abscissa))
    else:
        d = a.discrete
        rows.append(("spectral radius (per step)", d["spectral_radius"]))
        h_max = d["h_max"]
        if d["h_max_status"] != "computed":
            text = f"not computed ({d['h_max_status']})"
        elif h_max is None:
            text = "no step size is stable"
        elif h_max is sp.oo:
            text = "inf"
        else:
            text = sympy_str(h_max)
            if not h_max.is_Integer and h_max.is_number:
                text += f" ≈ {float(sp.N(h_max, 30)):.6g}"
        rows.append(("h_max", text))
        if d["h_opt"] is not None:
            rows.append(("h_opt", f"{d['h_opt']:.6g} (spectral radius {d['rate_opt']:.6g})"))
    body = "".join(f"<tr><th style=\"text-align:left\">{html.escape(k)}</th>"
                   f"<td style=\"text-align:left\">{_cell(v)}</td></tr>" for k, v in rows)
    return f"<table class=\"stabgan-analysis\">{body}</table>"
