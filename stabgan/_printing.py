"""Printing SymPy results: LaTeX, parseable strings, numbers, and the {sympy, latex, value} form."""
from __future__ import annotations

import sympy as sp
from sympy.core.evalf import PrecisionExhausted
from sympy.printing.latex import LatexPrinter

from ._symbols import F_SYMBOL_LATEX

__all__ = ["latex", "latex_lines", "sympy_str", "number", "formula", "complex_value"]


class _LatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the Heaviside step written H(x): SymPy writes
    theta(x), which beside the generator's theta reads as a product."""

    def _print_Heaviside(self, expr, exp=None):
        tex = r"H\left(%s\right)" % self._print(expr.args[0])
        return r"%s^{%s}" % (tex, exp) if exp else tex


def latex(expr) -> str:
    """LaTeX of ``expr``; f'(0), f''(0) for the general-f symbols ``fp0``, ``fpp0``; the
    Heaviside step as H(x)."""
    return _LatexPrinter({"symbol_names": F_SYMBOL_LATEX}).doprint(expr)


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
    printer = _LatexPrinter({"symbol_names": F_SYMBOL_LATEX})
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
