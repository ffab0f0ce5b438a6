"""Printing SymPy results: LaTeX, parseable strings, numbers, and the {sympy, latex, value} form."""
from __future__ import annotations

import sympy as sp
from sympy.core.evalf import PrecisionExhausted
from sympy.printing.latex import LatexPrinter

from ._symbols import F_SYMBOL_LATEX

#: LaTeX names of symbols that SymPy would spell letter by letter: the general-f symbols
#: (f'(0), f''(0), ...) and LeCam's weight ``lam`` (nonnegative, as its parameter range makes
#: it), written as Tseng et al.'s :math:`\lambda_{\mathrm{LC}}`.
SYMBOL_NAMES = {**F_SYMBOL_LATEX,
                sp.Symbol("lam", nonnegative=True): r"\lambda_{\mathrm{LC}}"}

__all__ = ["latex", "latex_lines", "sympy_str", "number", "formula", "complex_value"]


def gaussian_factor(integral) -> tuple | None:
    r"""``(eps, variance, g)`` when ``integral`` is
    :math:`\int_{-\infty}^{\infty} g\, \mathcal{N}(\epsilon; 0, s^2)\, d\epsilon`, i.e. the
    expectation :math:`\mathbb{E}_{\epsilon \sim \mathcal{N}(0, s^2)}[g]` (how
    :func:`stabgan.model.method.expectation_integral` writes instance noise); else None.

    The density is recognised by its factor :math:`e^{c \epsilon^2}` (c free of
    :math:`\epsilon`, so :math:`s^2 = -1/(2c)`); ``g`` is the integrand divided by the whole
    density, accepted only if ``g`` times the density is the integrand again.
    """
    if not isinstance(integral, sp.Integral) or len(integral.limits) != 1:
        return None
    limit = integral.limits[0]
    if len(limit) != 3 or limit[1] != -sp.oo or limit[2] != sp.oo:
        return None
    eps, integrand = limit[0], integral.function
    for factor in sp.Mul.make_args(integrand):
        if not isinstance(factor, sp.exp):
            continue
        c = sp.cancel(factor.args[0] / eps ** 2)
        if c.has(eps) or not c.is_negative:
            continue
        variance = sp.cancel(-1 / (2 * c))
        density = sp.exp(-eps ** 2 / (2 * variance)) / sp.sqrt(2 * sp.pi * variance)
        g = sp.powsimp(integrand / density)
        if g.has(sp.exp(factor.args[0])) or sp.cancel(g * density - integrand) != 0:
            continue
        return eps, variance, g
    return None


class _LatexPrinter(LatexPrinter):
    r"""SymPy's LaTeX printer with the Heaviside step written H(x) (SymPy writes theta(x),
    which beside the generator's theta reads as a product), and a Gaussian expectation
    written as one: :math:`\mathbb{E}_{\epsilon \sim \mathcal{N}(0, \sigma^2)}[g]` rather
    than the integral against the density (see :func:`gaussian_factor`). Nested expectations
    with the same variance share one :math:`\mathbb{E}`; an expectation of what does not
    depend on its variable is that value (E[c] = c), and is printed as it."""

    def _print_Heaviside(self, expr, exp=None):
        tex = r"H\left(%s\right)" % self._print(expr.args[0])
        return r"%s^{%s}" % (tex, exp) if exp else tex

    def _print_Integral(self, expr):
        found = gaussian_factor(expr)
        if found is None:
            return super()._print_Integral(expr)
        variables, variance, g = [], found[1], found[2]
        if found[0] in g.free_symbols:
            variables.append(found[0])
        while True:  # E_a[E_b[g]] with one variance: E_{a, b}[g]
            inner = gaussian_factor(g)
            if inner is None or sp.simplify(inner[1] - variance) != 0:
                break
            g = inner[2]
            if inner[0] in g.free_symbols:
                variables.append(inner[0])
        if not variables:
            return self._print(g)
        names = ", ".join(self._print(v) for v in variables)
        return (r"\mathbb{E}_{%s \sim \mathcal{N}\left(0, %s\right)}\left[%s\right]"
                % (names, self._print(variance), self._print(g)))


def latex(expr) -> str:
    """LaTeX of ``expr``; f'(0), f''(0) for the general-f symbols ``fp0``, ``fpp0``;
    :math:`\\lambda_{\\mathrm{LC}}` for LeCam's weight ``lam``; the Heaviside step as H(x)."""
    return _LatexPrinter({"symbol_names": SYMBOL_NAMES}).doprint(expr)


def latex_lines(expr, width: int = 80) -> list[str]:
    """``latex(expr)`` cut into pieces at the top-level ``+``/``-`` signs, each about at most
    ``width`` characters of LaTeX source, so that a long sum can run over several rows of an
    ``align*``.

    The pieces, concatenated, are exactly ``latex(expr)``: they come from the same printer's
    ordering and signs of the terms (SymPy's ``_print_Add``); a piece after the first starts
    with its sign (``" + "`` or ``" - "``). An expression that is not a sum, or fits in
    ``width``, is one piece.
    """
    whole = latex(expr)
    expr = sp.sympify(expr)
    if len(whole) <= width or not isinstance(expr, sp.Add):
        return [whole]
    printer = _LatexPrinter({"symbol_names": SYMBOL_NAMES})
    pieces = []
    for i, term in enumerate(printer._as_ordered_terms(expr)):
        sign = ""
        if i and term.could_extract_minus_sign():
            sign, term = " - ", -term
        elif i:
            sign = " + "
        tex = printer._print(term)
        if printer._needs_add_brackets(term):
            tex = r"\left(%s\right)" % tex
        pieces.append(sign + tex)
    if "".join(pieces) != whole:  # the printer changed its ways: do not cut
        return [whole]
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + len(piece) > width:
            lines.append(piece)
        else:
            lines[-1] += piece
    return lines


def sympy_str(expr) -> str:
    """A string that ``sympy.sympify`` parses back (``fp0`` for f'(0))."""
    return sp.sstr(expr)


#: Working precisions (digits) tried in turn when a number must be told apart from zero.
_MAXN = (100, 1000, 10000)


def complex_value(expr) -> list | None:
    """[re, im] as floats where ``expr`` is a number, else None.

    Evaluated to 30 correct digits however much cancellation the closed form has (SymPy's
    evalf with ``strict=True``, raising the working precision up to 10000 digits): -gamma/2 +
    sqrt(gamma^2 - 4)/2 at gamma = 1e150 is -1e-150, not the 7e-15 of a float evaluation, so
    the number agrees with the exact verdict beside it. A part that stays indistinguishable
    from zero at 10000 digits is reported as 0.
    """
    expr = sp.sympify(expr)
    if expr.free_symbols or not expr.is_number:
        return None
    for maxn in _MAXN:
        try:
            value = complex(sp.N(expr, 30, strict=True, maxn=maxn))
            break
        except PrecisionExhausted:
            continue
    else:
        value = complex(sp.N(expr, 30, chop=True))
    return [float(value.real), float(value.imag)]


def number(expr) -> float | None:
    """A real number as float where ``expr`` is one, else None."""
    value = complex_value(expr)
    return None if value is None else value[0]


def formula(expr, value: bool = False) -> dict:
    """The {sympy, latex} form, with ``value`` (a float or None) when asked."""
    out = {"sympy": sympy_str(expr), "latex": latex(expr)}
    if value:
        out["value"] = number(expr)
    return out
