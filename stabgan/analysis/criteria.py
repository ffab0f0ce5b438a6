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

__all__ = ["hurwitz_conditions", "schur_conditions", "decide"]


def hurwitz_conditions(coeffs: list) -> list:
    """The Routh-Hurwitz conditions for every root of p to have negative real part.

    With leading coefficient c = a_0 (any sign, possibly symbolic), the roots of p are
    those of p / c, whose Hurwitz determinants are Delta_k / c^k; so the conditions are
    c Delta_k > 0 for odd k and Delta_k > 0 for even k (c Delta_1 > 0 implies c != 0).

    Parameters
    ----------
    coeffs : list of sympy.Expr
        [a_0, a_1, ..., a_n], highest degree first.

    Returns
    -------
    list of sympy.Expr
        Expressions that must all be positive.
    """
    n = len(coeffs) - 1
    c = coeffs[0]

    def a(k):
        return coeffs[k] if 0 <= k <= n else sp.S.Zero

    H = sp.Matrix(n, n, lambda i, j: a(2 * (j + 1) - (i + 1)))
    out = []
    for k in range(1, n + 1):
        delta = H[:k, :k].det()
        out.append(sp.factor(delta * c if k % 2 else delta))
    return out


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


def schur_conditions(coeffs: list) -> list:
    """Conditions expr > 0 for every root of p to lie strictly inside the unit circle.

    Schur-Cohn through the Moebius map z = (1 + w) / (1 - w), which sends the unit disc
    onto the left half-plane: p has all roots in |z| < 1 iff
    q(w) = (1 - w)^n p((1 + w) / (1 - w)) has all roots in Re w < 0, decided by
    Routh-Hurwitz on q (for n = 2 these are Jury's p(1) > 0, p(-1) > 0, |p(0)| < 1).

    Parameters
    ----------
    coeffs : list of sympy.Expr
        [a_0, ..., a_n] of p, highest degree first.

    Returns
    -------
    list of sympy.Expr
        Expressions that must all be positive.
    """
    n = len(coeffs) - 1
    w = sp.Symbol("w")
    q = sp.expand(sum(c * (1 + w) ** (n - k) * (1 - w) ** k for k, c in enumerate(coeffs)))
    return hurwitz_conditions([q.coeff(w, n - i) for i in range(n + 1)])
