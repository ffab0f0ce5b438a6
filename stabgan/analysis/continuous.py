"""Closed-form continuous-time analysis: equilibria, Jacobian, eigenvalues, critical values.

Everything here is derived from a method's vector field v = (v_theta, v_psi):

* the Jacobian v'(0, 0) (for instance noise: differentiated under the
  expectation, then Gaussian moments: exact);
* the eigenvalues, as the roots of the characteristic polynomial
  det(lambda I - J) (for 2 x 2: lambda = tr/2 +- sqrt(tr^2/4 - det));
* the critical value of a parameter p: the root of the discriminant
  tr(J)^2 - 4 det(J) in p, where the eigenvalues turn from complex to real;
* for a field with a jump at psi = 0 (|psi| in a penalty): the one-sided fields,
  their equilibria on psi = 0 and their Jacobians.
"""
from __future__ import annotations

import sympy as sp

from ..model.method import Method, gaussian_expectation
from .._symbols import PSI, THETA
from ..model.jumps import smooth_field

__all__ = ["near_equilibrium", "jacobian_at", "eigenvalues_2x2", "charpoly_coeffs", "critical_values",
           "equilibrium_set", "norm_rate", "classify_2x2"]

_LAMBDA = sp.Symbol("lambda")


def jacobian_at(field, point=(0, 0), noise=()) -> sp.Matrix:
    """The Jacobian of ``field`` at ``point``, with the expectation over ``noise`` taken exactly."""
    J = sp.Matrix(list(field)).jacobian([THETA, PSI])
    J = J.subs({THETA: point[0], PSI: point[1]})
    return J.applyfunc(lambda e: sp.factor(sp.simplify(gaussian_expectation(e, noise))))


def charpoly_coeffs(J: sp.Matrix) -> list:
    """Coefficients [1, a_1, ..., a_n] of det(lambda I - J)."""
    return [sp.factor(sp.simplify(c)) for c in J.charpoly(_LAMBDA).all_coeffs()]


def eigenvalues_2x2(J: sp.Matrix) -> list:
    """The two eigenvalues tr/2 - sqrt(D), tr/2 + sqrt(D), D = tr^2/4 - det, simplified.

    For update operators with a symbolic step (polynomial entries, large for AltGD with many
    steps) the trace is expanded and the discriminant factored, without ``simplify`` (which
    took seconds there and does not shorten polynomials).
    """
    from .._symbols import H_SYMBOL, HD_SYMBOL, HG_SYMBOL
    steps = {H_SYMBOL, HG_SYMBOL, HD_SYMBOL}
    if J.free_symbols & steps or sum(sp.count_ops(e) for e in J) > 60:
        tr = sp.expand(J.trace())
        disc = sp.factor(sp.expand(tr ** 2 / 4 - J.det()))
        return [tr / 2 - sp.sqrt(disc), tr / 2 + sp.sqrt(disc)]
    tr = sp.simplify(J.trace())
    det = sp.simplify(J.det())
    disc = sp.factor(sp.simplify(tr ** 2 / 4 - det))
    root = sp.sqrt(disc)
    return [sp.simplify(tr / 2 - root), sp.simplify(tr / 2 + root)]


def critical_values(m: Method) -> dict:
    """For each method parameter p: the value where the eigenvalues of J turn complex -> real.

    The other parameters take their given values; the result is the root p* (in
    p's range) of tr(J)^2 - 4 det(J), J = v'(0, 0) with p a symbol, where the
    discriminant changes sign.
    """
    out = {}
    for p in m.spec.parameters:
        others = {q.symbol: m.values[q.name] for q in m.spec.parameters
                  if q.name in m.values and q.name != p.name}
        field = smooth_field(tuple(e.subs(others) for e in m.derived.integrand))
        if field is None:
            continue
        J = jacobian_at(field, noise=tuple((eps, sd.subs(others)) for eps, sd in m.derived.noise))
        disc = sp.factor(sp.simplify(J.trace() ** 2 - 4 * J.det()))
        if not disc.has(p.symbol):
            continue
        roots = [sp.simplify(r) for r in sp.solve(sp.expand(disc), p.symbol)]
        roots = [r for r in roots if r.is_real is not False]
        merged = []
        for r in roots:
            # a root and its negative (e.g. +-2 f'(0)): the one in range is the absolute value
            if any(s is not r and _is_zero(r + s) for s in roots):
                r = sp.simplify(sp.Abs(r))
            if not any(_is_zero(r - s) for s in merged):
                merged.append(r)
        valid = [r for r in merged if _in_range(r, p)]
        if len(valid) == 1:
            out[p.name] = sp.simplify(valid[0])
    return out


def _is_zero(expr: sp.Expr) -> bool:
    """Whether ``expr`` simplifies to 0. A value far from 0 at two sample points of its free
    symbols (rationals of the symbols' signs, where roots of the discriminant are real) proves it is not,
    without the simplification, which on the root formulas of a quartic in several symbols
    takes minutes; only a candidate zero is simplified."""
    free = sorted(expr.free_symbols, key=str)
    for k, sample in enumerate(((7, 11), (5, 13))):
        point = {x: (-1 if x.is_negative or x.is_nonpositive else 1)
                 * sp.Rational(sample[0] + 3 * i, sample[1] + 2 * i + k)
                 for i, x in enumerate(free)}
        try:
            value = complex(sp.N(expr.xreplace(point), 30))
        except (TypeError, ValueError, ZeroDivisionError):
            break
        if value != value or abs(value) == float("inf"):
            break
        if abs(value) > 1e-12:
            return False
    return sp.simplify(expr) == 0


def _in_range(value: sp.Expr, p) -> bool:
    if value.is_number:
        if not value.is_real:
            return False
        from fractions import Fraction
        try:
            return p.contains(Fraction(str(sp.nsimplify(value)))) if value.is_Rational else \
                p.contains(Fraction(float(value)))
        except (TypeError, ValueError):
            return False
    if p.low is not None and p.low == 0:
        return value.is_nonnegative is not False and value.is_zero is not True
    return True


def equilibrium_set(field) -> dict | None:
    """All solutions of v = 0 where the field is polynomial (SymPy solves it exactly).

    Returns None where the field is not polynomial in theta and psi, has total
    degree above 3, or SymPy cannot solve it.
    """
    if not all(sp.sympify(e).is_polynomial(THETA, PSI) for e in field):
        return None
    if max(sp.Poly(e, THETA, PSI).total_degree() for e in field) > 3:
        return None
    try:
        solutions = sp.solve(list(field), [THETA, PSI], dict=True)
    except NotImplementedError:
        return None
    curves = [s for s in solutions if len(s) < 2 or any(v.free_symbols & {THETA, PSI}
                                                          for v in s.values())]
    return {"solutions": solutions, "isolated": not curves}


def norm_rate(field) -> sp.Expr:
    """d/dt (theta^2 + psi^2) / 2 = theta v_theta + psi v_psi, simplified."""
    return sp.simplify(THETA * field[0] + PSI * field[1])


def near_equilibrium(expr: sp.Expr) -> sp.Expr:
    r"""``expr`` as it is on a neighbourhood of (0, 0): a switch whose argument is not 0 there
    takes its value there.

    .. math:: H(a) \to H(a(0, 0)), \quad \operatorname{sign}(a) \to
              \operatorname{sign}(a(0, 0)), \quad |a| \to \operatorname{sign}(a(0, 0))\, a,
              \quad \max(a, b) \to a \text{ if } a(0, 0) > b(0, 0)

    (by continuity of a and b the same holds near (0, 0)). The hinge loss's H(1 - theta psi)
    is 1 there; a switch at the equilibrium itself (WGAN-GP's |psi|) is left as it is.
    """
    at = {THETA: 0, PSI: 0}

    def value(a):
        v = a.xreplace(at)
        return v if v.is_number and v.is_real else None

    def local(e):
        if isinstance(e, (sp.Heaviside, sp.sign, sp.Abs)):
            v = value(e.args[0])
            if v is not None and v != 0:
                if isinstance(e, sp.Heaviside):
                    return sp.S.One if v > 0 else sp.S.Zero
                sign = sp.S.One if v > 0 else -sp.S.One
                return sign if isinstance(e, sp.sign) else sign * e.args[0]
        if isinstance(e, (sp.Max, sp.Min)):
            values = [value(a) for a in e.args]
            if all(v is not None for v in values):
                best = (max if isinstance(e, sp.Max) else min)(values)
                if values.count(best) == 1:
                    return e.args[values.index(best)]
        return e

    return sp.simplify(expr.replace(lambda e: isinstance(
        e, (sp.Heaviside, sp.sign, sp.Abs, sp.Max, sp.Min)), local))


def classify_2x2(J: sp.Matrix) -> str:
    """The type of a 2 x 2 linearization: stable node, stable focus, saddle, centre, ...

    Where the type depends on free parameters the answer says so.
    """
    tr = sp.simplify(J.trace())
    det = sp.simplify(J.det())
    disc = sp.simplify(tr ** 2 - 4 * det)

    def sign(e):
        if e.is_positive:
            return 1
        if e.is_negative:
            return -1
        if e.is_zero:
            return 0
        if e.is_number:
            v = sp.N(e, 50)
            return (v > 0) - (v < 0)
        return None

    s_tr, s_det, s_disc = sign(tr), sign(det), sign(disc)
    if s_det is not None and s_det < 0:
        return "saddle"
    if None in (s_tr, s_det, s_disc):
        return (f"depends on the parameters: trace {tr}, determinant {det}, "
                f"discriminant {disc} (node where the discriminant is >= 0, focus where < 0)")
    if s_det == 0:
        return "degenerate (a zero eigenvalue)"
    if s_tr == 0:
        return "centre" if s_disc < 0 else "degenerate"
    stability = "stable" if s_tr < 0 else "unstable"
    if s_disc < 0:
        return f"{stability} focus"
    if s_disc == 0:
        return f"{stability} degenerate node"
    return f"{stability} node"
