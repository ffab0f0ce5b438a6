"""Closed-form analysis of the discrete schemes (SimGD, AltGD): spectra and step-size bounds.

With J = v'(0, 0) and the update operator's Jacobian M = F'(0, 0) (``stabgan.schemes.scheme``), the
scheme is locally convergent iff every eigenvalue of M lies strictly inside the unit
circle (Schur-Cohn on det(z I - M), decided in exact arithmetic). Eigenvalues on the
unit circle are not convergent (``marginal``).

Step-size bounds, with h_g = h_d = h and the other parameters as given: the Schur-Cohn
expressions, p(1), p(-1) and the discriminant of p are polynomials in h; their positive
real roots (exact: rationals, radicals for factors of degree <= 2, CRootOf otherwise)
cut (0, oo) into intervals on each of which the verdict is constant, decided exactly at
a rational point inside. Then

* ``h_max`` = sup{h : the scheme converges for every step in (0, h)}, None where the first
  interval is not stable;
* ``stable_intervals``: stable intervals above h_max;
* ``h_marginal``: the end of the first run of intervals on which the spectrum stays on
  the unit circle (e.g. unregularized AltGD: Mescheder et al. Lemma 2.5);
* ``h_opt``, ``rate_opt``: the step in (0, h_max) with the smallest spectral radius,
  and that radius (numerical minimization of the exact characteristic polynomial).
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from .._symbols import H_SYMBOL
from ..schemes.scheme import Scheme, update_jacobian
from .criteria import decide, schur_conditions

__all__ = ["largest_root_modulus", "step_size_bounds", "charpoly", "polynomial_roots"]

_Z = sp.Symbol("z")


def charpoly(M: sp.Matrix) -> list:
    """Coefficients [1, a_1, ..., a_n] of det(z I - M)."""
    return [sp.expand(c) for c in M.charpoly(_Z).all_coeffs()]


def polynomial_roots(coeffs) -> tuple[list, list]:
    """The roots of the polynomial with these coefficients, exactly where SymPy can.

    The polynomial is factored; a factor of degree <= 2 gives its roots in radicals, a
    factor of higher degree with numeric coefficients its CRootOf roots.

    Returns
    -------
    (list of sympy.Expr, list of sympy.Expr)
        The roots (with multiplicity), and the factors (in z) whose roots have no
        closed form here (higher degree with symbolic coefficients).
    """
    poly = sp.Poly(sum(c * _Z ** (len(coeffs) - 1 - k) for k, c in enumerate(coeffs)), _Z)
    found, left = [], []
    for factor, mult in sp.factor_list(poly)[1]:
        if factor.degree() <= 2:
            roots = sp.roots(factor, multiple=True)
        elif not (factor.free_symbols - {_Z}):
            roots = [sp.CRootOf(factor.as_expr(), i) for i in range(factor.degree())]
        else:
            roots = sp.roots(factor, multiple=True, cubics=False, quartics=False)
            if len(roots) < factor.degree():
                left += [factor.as_expr()] * mult
                continue
        found += [sp.simplify(r) for r in roots] * mult
    return found, left


def _numeric_roots(coeffs, dps: int = 50) -> list:
    """The roots at ``dps`` digits (mpmath's Durand-Kerner; roots at 0 split off exactly).

    The polynomial is first scaled to z = s w with s = max_k |a_k|^(1/k) (a bound on the
    roots' size, Fujiwara's up to a factor 2), so that its roots are of order 1 whatever the
    step size: at h = 1e300 the coefficients span 600 orders of magnitude and Durand-Kerner
    does not converge on them unscaled.
    """
    with mpmath.workdps(dps):
        values = [mpmath.mpf(sp.N(c, dps)) if sp.N(c, dps).is_real else
                  mpmath.mpc(complex(sp.N(c, dps))) for c in coeffs]
        zeros = 0
        while len(values) > 1 and values[-1] == 0:
            values.pop()
            zeros += 1
        roots = [mpmath.mpf(0)] * zeros
        if len(values) == 1:
            return roots
        lead = values[0]
        scale = max(abs(v / lead) ** (mpmath.mpf(1) / k) for k, v in enumerate(values) if k)
        if scale == 0:
            return roots + [mpmath.mpf(0)] * (len(values) - 1)
        values = [v / lead / scale ** k for k, v in enumerate(values)]
        for steps in (200, 5000):
            try:
                found = mpmath.polyroots(values, maxsteps=steps, extraprec=2 * dps)
                return roots + [r * scale for r in found]
            except mpmath.libmp.libhyper.NoConvergence:
                continue
        # a multiple root slows Durand-Kerner down (it may not converge at all, e.g. SimGD
        # with momentum on R1): the eigenvalues of the companion matrix (mpmath's QR) instead
        n = len(values) - 1
        companion = mpmath.matrix(n, n)
        for j in range(n):
            companion[0, j] = -values[j + 1]
        for i in range(1, n):
            companion[i, i - 1] = 1
        found = mpmath.eig(companion, left=False, right=False)
        return roots + [r * scale for r in found]


def largest_root_modulus(coeffs, dps: int = 50):
    """max |z| over the roots of the polynomial with these numeric coefficients (mpmath)."""
    with mpmath.workdps(dps):
        return max(abs(r) for r in _numeric_roots(coeffs, dps))


def _matrix_polynomial(poly: sp.Poly, M: sp.Matrix) -> sp.Matrix:
    """poly(M), exactly (Horner)."""
    out = sp.zeros(M.rows, M.cols)
    for c in poly.all_coeffs():
        out = out * M + c * sp.eye(M.rows)
    return out


def defective_unit_eigenvalues(M: sp.Matrix) -> list | None:
    """The eigenvalues on the unit circle whose algebraic multiplicity exceeds their geometric
    multiplicity (a Jordan block: the iterates M^k x grow like k), for an M with exact
    rational entries.

    Decided without algebraic numbers: with det(z I - M) = g^m r, g irreducible over Q and
    prime to r, the roots of g are semisimple iff g(M) r(M) = 0 (r(M) vanishes on the other
    generalized eigenspaces and is invertible on g's); conjugate roots share their Jordan
    structure since M is rational.

    Returns
    -------
    list of (sympy.Expr, int, int) or None
        (factor g(z), algebraic, geometric multiplicity of each of its roots) for each
        defective factor with a root on the unit circle; None where M is not rational.
    """
    if M.free_symbols:
        return None
    poly = sp.Poly(M.charpoly(_Z).as_expr(), _Z)
    if not (poly.domain.is_ZZ or poly.domain.is_QQ):
        return None
    factors = sp.factor_list(poly)[1]
    out = []
    for i, (g, mult) in enumerate(factors):
        if mult < 2:
            continue
        with mpmath.workdps(50):
            roots = _numeric_roots(g.all_coeffs())
            if not any(abs(abs(r) - 1) < mpmath.mpf(10) ** -40 for r in roots):
                continue
        rest = sp.Poly(1, _Z)
        for j, (other, k) in enumerate(factors):
            if j != i:
                rest = rest * other ** k
        gM = _matrix_polynomial(g, M)
        if not (gM * _matrix_polynomial(rest, M)).is_zero_matrix:
            geometric = (M.rows - gM.rank()) // g.degree()
            out.append((g.as_expr(), mult, geometric))
    return out


def _is_marginal(coeffs) -> bool:
    """Spectral radius equal to 1 at 50 digits (the exact coefficients decide the rest)."""
    with mpmath.workdps(50):
        return abs(largest_root_modulus(coeffs) - 1) < mpmath.mpf(10) ** -40


def _positive_roots(expr, h) -> list:
    """The positive real roots in h of the numerator of ``expr``, exact, sorted."""
    num, _ = sp.fraction(sp.together(expr))
    if not num.has(h):
        return []
    out = []
    poly = sp.Poly(num, h)
    if not (poly.domain.is_ZZ or poly.domain.is_QQ):
        roots = [r for r in sp.Poly(num, h).nroots(n=30)
                 if r.is_real and r > 0]
        return sorted(roots, key=lambda r: float(r))
    for factor, _ in sp.factor_list(poly)[1]:
        if factor.degree() <= 2:
            roots = [r for r in sp.roots(factor, filter=None) if r.is_real]
        else:
            roots = sp.real_roots(factor)
        out += [sp.nsimplify(r) if r.is_Rational else r for r in roots if r.is_positive]
    return out


def _equal(a, b) -> bool:
    """Whether two positive real roots are the same point. Distinct algebraic numbers are told
    apart at 60 digits (cheap); simplify (slow on CRootOf) decides only between equal-looking
    ones, and roots that agree to 50 digits but that SimPy cannot prove equal count as one."""
    if a.is_Float or b.is_Float:
        return abs(float(a) - float(b)) < 1e-25
    if abs(sp.N(a - b, 60)) > sp.Float(10) ** -50:
        return False
    if a == b or (a.is_Rational and b.is_Rational):
        return a == b
    return True


def _between(lo, hi) -> sp.Rational:
    """An exact rational strictly between lo and hi (hi may be oo)."""
    if hi is sp.oo:
        return sp.Rational(int(float(lo)) + 1) if lo != 0 else sp.Integer(1)
    a, b = float(lo), float(hi)
    candidate = sp.Rational(Fraction((a + b) / 2))
    if lo < candidate < hi:
        return candidate
    # refine exactly if the float midpoint is not strictly inside
    return sp.Rational(Fraction(str(sp.N((lo + hi) / 2, 60))))


def step_size_bounds(J, scheme: Scheme) -> dict:
    """h_max, stable_intervals, h_marginal, h_opt and rate_opt for the scheme with h_g = h_d = h.

    Parameters
    ----------
    J : sympy.Matrix or Linearization
        The continuous Jacobian v'(0, 0) with every method parameter a number (for lazy
        regularization, the :class:`~stabgan.schemes.rules.Linearization`).
    scheme : Scheme
        The scheme whose step sizes are replaced by one symbol h (extragradient's h_e
        follows h where it was left out; momentum, h_e, lookahead's alpha stay as given).

    Returns
    -------
    dict
        ``h_max`` (Expr, oo, or None), ``stable_intervals`` (list of (lo, hi)),
        ``h_marginal`` (Expr or None), ``h_opt`` and ``rate_opt`` (floats or None; the rate
        per step, the period-th root of the period operator's spectral radius).
    """
    h = H_SYMBOL
    coeffs = charpoly(update_jacobian(J, scheme.with_step(h)))
    conditions = schur_conditions(coeffs)
    n = len(coeffs) - 1
    boundary = list(conditions) + [sum(coeffs), sum(c * (-1) ** (n - k) for k, c in enumerate(coeffs))]
    if n == 2:
        boundary.append(coeffs[1] ** 2 - 4 * coeffs[2])
    roots = []  # (root, whether it zeroes a Schur-Cohn condition: unstable there)
    for k, expr in enumerate(boundary):
        for r in _positive_roots(sp.expand(expr), h):
            same = [i for i, (s_, _) in enumerate(roots) if _equal(r, s_)]
            if same:
                i = same[0]
                roots[i] = (roots[i][0], roots[i][1] or k < len(conditions))
            else:
                roots.append((r, k < len(conditions)))
    roots.sort(key=lambda item: sp.N(item[0], 40))
    edges = [sp.S.Zero] + [r for r, _ in roots] + [sp.oo]
    breaks = [True] + [b for _, b in roots] + [True]
    # maximal runs of intervals with one verdict, joined across points that break nothing
    runs = []
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        q = _between(lo, hi)
        stable, _ = decide([c.subs(h, q) for c in conditions])
        marginal = stable is not True and _is_marginal([c.subs(h, q) for c in coeffs])
        kind = "stable" if stable is True else ("marginal" if marginal else "unstable")
        if runs and runs[-1][2] == kind and not (kind == "stable" and breaks[i]):
            runs[-1] = (runs[-1][0], hi, kind)
        else:
            runs.append((lo, hi, kind))
    h_max = runs[0][1] if runs[0][2] == "stable" else None
    h_marginal = runs[0][1] if runs[0][2] == "marginal" else None
    stable_intervals = [(lo, hi) for lo, hi, kind in runs[1:] if kind == "stable"]
    h_opt = rate_opt = None
    if h_max is not None:
        candidates = []
        if n == 2:
            # exact points where the radius of a 2 x 2 operator can be least: a double
            # eigenvalue (discriminant 0), a zero trace or determinant, and the minimum of
            # det = |lambda|^2 over a complex pair (d det / dh = 0)
            for e in (coeffs[1] ** 2 - 4 * coeffs[2], coeffs[1], coeffs[2], sp.diff(coeffs[2], h)):
                candidates += [r for r in _positive_roots(sp.expand(e), h)
                               if h_max is sp.oo or r < h_max]
        elif n > 2:
            # a larger operator (OGDA, momentum, ...) can also be least at a double eigenvalue
            # (OGDA on the GAN: two pairs merge at h = 1), where Brent on the float roots stops
            # ~1e-9 short; the exact points are the roots in h of the discriminant in z, and
            # those of the 2 x 2 case for each quadratic factor in z
            for e in _exact_candidate_conditions(coeffs, h):
                candidates += [r for r in _positive_roots(e, h) if h_max is sp.oo or r < h_max]
        h_opt, rate_opt = _optimal_step(coeffs, h, h_max, candidates)
        rate_opt = rate_opt ** (1 / scheme.period)
    return {"h_max": h_max, "stable_intervals": stable_intervals, "h_marginal": h_marginal,
            "h_opt": h_opt, "rate_opt": rate_opt}


def _exact_candidate_conditions(coeffs, h) -> list:
    """Polynomials in h whose positive roots are the exact points where the spectral radius
    of an operator of size > 2 can be least: the discriminant in z of the square-free part
    of det(z I - M) (a double eigenvalue; a factor repeated for every h marks no point, two
    factors sharing a root still do), and for each factor in z of degree <= 2 the points of
    the 2 x 2 case (OGDA on R1: det(z I - M) is the square of a quadratic for every h, least
    where its trace vanishes)."""
    poly = sp.Poly(sum(c * _Z ** (len(coeffs) - 1 - k) for k, c in enumerate(coeffs)), _Z)
    out = []
    square_free = sp.Poly(sp.sqf_part(poly.as_expr(), _Z), _Z)
    if square_free.degree() >= 2:
        out.append(sp.discriminant(square_free, _Z))
    for factor, _ in sp.factor_list(poly)[1]:
        f = factor.all_coeffs()
        if factor.degree() == 1:
            out.append(f[1] / f[0])
        elif factor.degree() == 2:
            b, c = f[1] / f[0], f[2] / f[0]
            out += [b ** 2 - 4 * c, b, c, sp.diff(c, h)]
    return [sp.expand(e) for e in out]


def _optimal_step(coeffs, h, h_max, candidates=()):
    """The step in (0, h_max) with the smallest spectral radius: a grid and bounded Brent on
    the float polynomial, plus the exact candidate points given (double eigenvalues); the
    radius at each candidate is then computed from the exact coefficients at 50 digits
    (the float roots lose half their digits at a double root)."""
    from scipy.optimize import minimize_scalar
    from ..codegen.kernels import lambdify_numpy

    funcs = [lambdify_numpy([h], c) for c in coeffs]

    def rho(x: float) -> float:
        return float(np.max(np.abs(np.roots([complex(f(x)) for f in funcs]))))

    upper = float(h_max) if h_max is not sp.oo else 100.0
    grid = np.linspace(upper / 2000, upper * (1 - 1 / 2000), 2000)
    values = np.array([rho(x) for x in grid])
    k = int(np.argmin(values))
    lo = grid[max(k - 1, 0)]
    hi = grid[min(k + 1, len(grid) - 1)]
    res = minimize_scalar(rho, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    points = [(0, c) for c in candidates] + [(1, res.x if res.fun <= values[k] else grid[k])]
    exact = []
    for numeric, x in points:
        q = x if isinstance(x, sp.Basic) else sp.Rational(Fraction(float(x)))
        # compared at 50 digits, exact candidates first on ties: a float minimizer next to an
        # exact optimum (h = 2 gamma for R1 under SimGD) must not win by rounding
        exact.append((largest_root_modulus([c.subs(h, q) for c in coeffs]), numeric, float(q)))
    rate, _, step = min(exact)
    return step, float(rate)
