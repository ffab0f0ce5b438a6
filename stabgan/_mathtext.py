"""Parameter names and values as matplotlib mathtext (``$\\gamma = 0.3$``), for figure titles,
legends and colour bars: the names printed by SymPy (``sympy.latex``), never code names."""
from __future__ import annotations

import sympy as sp

__all__ = ["symbol_tex", "assign_tex", "expr_tex"]

#: Option and parameter names whose SymPy printing is not their mathematical name.
_NAMES = {"lam": r"\lambda", "momentum": r"\beta", "lookahead_alpha": r"\alpha",
          "lookahead_steps": "k", "lazy_every": "k", "ema": r"\beta", "h": "h", "eps": r"\epsilon"}


def symbol_tex(name: str) -> str:
    """The LaTeX of a parameter or option name, without dollars: ``gamma`` -> ``\\gamma``."""
    return _NAMES.get(name) or sp.latex(sp.Symbol(name))


def _value_tex(value) -> str:
    """A number as a decimal (``0.999``, ``10^{-8}``); an expression as SymPy prints it."""
    if isinstance(value, sp.Rational) and sp.Rational(f"{float(value):.6g}") == value:
        value = float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            power = f"10^{{{int(exponent)}}}"
            return power if mantissa == "1" else rf"{mantissa} \cdot {power}"
        return text
    return sp.latex(sp.sympify(value))


def assign_tex(name: str, value) -> str:
    """``$\\gamma = 0.3$``: a name and a value (a number, or an expression SymPy parses)."""
    return f"${symbol_tex(name)} = {_value_tex(value)}$"


def expr_tex(expr) -> str:
    """A SymPy expression (or a string SymPy parses) in mathtext: ``$\\frac{-1 + \\sqrt{5}}{2}$``."""
    return f"${sp.latex(sp.together(sp.sympify(expr)))}$"
