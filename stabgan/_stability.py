"""Verdicts from the characteristic polynomial: one generic routine for every method.

Continuous time (Routh-Hurwitz): every root of
p(x) = a_0 x^n + a_1 x^{n-1} + ... + a_n (a_0 > 0) has negative real part iff all
leading principal minors of the Hurwitz matrix H_{ij} = a_{2j - i} (1-based,
a_k = 0 outside 0..n) are positive.

The conditions are decided in exact arithmetic where the coefficients are
numbers, and otherwise returned as SymPy relationals in the free symbols.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["hurwitz_conditions", "decide"]


def hurwitz_conditions(coeffs: list) -> list:
    """The Routh-Hurwitz conditions Delta_k > 0, k = 1..n, for p with these coefficients.

    Parameters
    ----------
    coeffs : list of sympy.Expr
        [a_0, a_1, ..., a_n], highest degree first, with a_0 > 0.

    Returns
    -------
    list of sympy.Expr
        The Hurwitz determinants Delta_1, ..., Delta_n (each must be > 0).
    """
    n = len(coeffs) - 1

    def a(k):
        return coeffs[k] if 0 <= k <= n else sp.S.Zero

    H = sp.Matrix(n, n, lambda i, j: a(2 * (j + 1) - (i + 1)))
    return [sp.factor(H[:k, :k].det()) for k in range(1, n + 1)]


def decide(conditions: list) -> tuple[bool | None, sp.Basic]:
    """Decide a conjunction of conditions ``expr > 0``.

    Returns
    -------
    (verdict, condition)
        ``verdict`` is True or False where every condition is decided (exactly),
        else None; ``condition`` is the remaining conjunction as a SymPy boolean.
    """
    remaining = []
    for expr in conditions:
        expr = _drop_positive_factors(sp.factor(sp.simplify(expr)))
        rel = expr > 0
        if rel is sp.true or rel is True:
            continue
        if rel is sp.false or rel is False:
            return False, sp.false
        if expr.is_number:
            value = sp.N(expr, 50)
            if value.is_comparable:
                if value > 0:
                    continue
                return False, sp.false
        if rel not in remaining:
            remaining.append(rel)
    if not remaining:
        return True, sp.true
    return None, sp.And(*remaining)


def _drop_positive_factors(expr: sp.Expr) -> sp.Expr:
    """expr with its factors that are known to be positive removed (same sign as expr)."""
    if not expr.is_Mul:
        return expr
    kept = [f for f in expr.args if not f.is_positive]
    return sp.Mul(*kept) if kept else sp.S.One
