"""Printing SymPy results: LaTeX, parseable strings, numbers, and the {sympy, latex, value} form."""
from __future__ import annotations

import sympy as sp

from ._symbols import F_SYMBOL_LATEX

__all__ = ["latex", "sympy_str", "number", "formula", "complex_value"]


def latex(expr) -> str:
    """LaTeX of ``expr``; f'(0), f''(0) for the general-f symbols ``fp0``, ``fpp0``."""
    return sp.latex(expr, symbol_names=F_SYMBOL_LATEX)


def sympy_str(expr) -> str:
    """A string that ``sympy.sympify`` parses back (``fp0`` for f'(0))."""
    return sp.sstr(expr)


def complex_value(expr) -> list | None:
    """[re, im] as floats where ``expr`` is a number, else None."""
    expr = sp.sympify(expr)
    if expr.free_symbols or not expr.is_number:
        return None
    value = complex(sp.N(expr, 30))
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
