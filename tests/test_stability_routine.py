"""The generic Routh-Hurwitz routine (``stabgan.analysis.criteria``) against independent oracles.

Kinds of evidence (DESIGN.md section 6):

* numeric oracle: for random real matrices with exact rational entries, the verdict
  ``decide(hurwitz_conditions(charpoly))`` must agree with the sign of the largest real
  part of the eigenvalues computed by LAPACK (``numpy.linalg.eigvals``), which knows
  nothing about Hurwitz determinants;
* textbook statements typed in here: a monic quadratic is Hurwitz iff both coefficients
  are positive; a monic cubic x^3 + a x^2 + b x + c iff a > 0, c > 0 and a b > c; a
  centre (eigenvalues +-i) is not asymptotically stable.
"""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from stabgan.analysis.criteria import decide, hurwitz_conditions

LAM = sp.Symbol("lam")

#: Matrices whose spectral abscissa lies within this distance of 0 are left out of the
#: comparison: there LAPACK's eigenvalues (backward error ~ 1e-16 |A|, forward error up
#: to ~ sqrt(eps |A|) ~ 1e-8 at a defective eigenvalue) cannot tell the sign, while the
#: exact routine can. The count of such cases is asserted to be small.
BOUNDARY = 1e-9

#: How many random matrices per size.
COUNT = 200


def _random_rational_matrix(rng: np.random.Generator, n: int) -> list[list[Fraction]]:
    """An n x n matrix with entries p/q, |p| <= 20, 1 <= q <= 7, shifted by -s I with
    s = k/10, 0 <= k < 40, so that stable and unstable matrices both occur often."""
    shift = Fraction(int(rng.integers(0, 40)), 10)
    rows = []
    for i in range(n):
        row = []
        for j in range(n):
            entry = Fraction(int(rng.integers(-20, 21)), int(rng.integers(1, 8))) / 4
            row.append(entry - (shift if i == j else 0))
        rows.append(row)
    return rows


def _exact_verdict(rows: list[list[Fraction]]):
    matrix = sp.Matrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in rows])
    coeffs = matrix.charpoly(LAM).all_coeffs()
    return decide(hurwitz_conditions(coeffs))


@pytest.mark.parametrize("n", [2, 3, 4])
def test_hurwitz_verdict_matches_lapack_eigenvalues_on_random_matrices(n):
    # Oracle: numpy.linalg.eigvals on the float matrix (independent of the routine).
    rng = np.random.default_rng(np.random.SeedSequence(20180104 + n))
    agreed = {True: 0, False: 0}
    near_boundary = 0
    for _ in range(COUNT):
        rows = _random_rational_matrix(rng, n)
        abscissa = float(np.max(np.linalg.eigvals(np.array(rows, dtype=float)).real))
        if abs(abscissa) < BOUNDARY:
            near_boundary += 1
            continue
        verdict, condition = _exact_verdict(rows)
        expected = abscissa < 0
        assert verdict is expected, (rows, abscissa, verdict, condition)
        agreed[expected] += 1
    # Both outcomes must be exercised, and the boundary exclusion must stay rare.
    assert agreed[True] >= COUNT // 10 and agreed[False] >= COUNT // 10, agreed
    assert near_boundary <= COUNT // 20, near_boundary


def test_hurwitz_on_a_centre_is_false_in_exact_arithmetic():
    # [[0, -1], [1, 0]] has eigenvalues +-i: not asymptotically stable (Delta_1 = 0).
    verdict, _ = _exact_verdict([[Fraction(0), Fraction(-1)], [Fraction(1), Fraction(0)]])
    assert verdict is False


def test_hurwitz_decides_a_tiny_positive_damping_exactly():
    # [[0, -1], [1, -1e-40]]: eigenvalues -5e-41 +- i sqrt(1 - 2.5e-81): stable, although the
    # real part is far below float resolution relative to the imaginary part.
    tiny = Fraction(1, 10 ** 40)
    verdict, _ = _exact_verdict([[Fraction(0), Fraction(-1)], [Fraction(1), -tiny]])
    assert verdict is True


def test_hurwitz_symbolic_damped_oscillator_condition_is_g_positive():
    # [[0, -1], [1, -g]], g >= 0: characteristic polynomial lam^2 + g lam + 1, which is
    # Hurwitz iff g > 0 (textbook statement for monic quadratics).
    g = sp.Symbol("g", nonnegative=True)
    coeffs = sp.Matrix([[0, -1], [1, -g]]).charpoly(LAM).all_coeffs()
    verdict, condition = decide(hurwitz_conditions(coeffs))
    assert verdict is None
    assert condition.free_symbols == {g}
    for value in [0, sp.Rational(1, 10 ** 30), sp.Rational(1, 2), 1, 2, 7]:
        assert bool(condition.subs(g, value)) is bool(value > 0), value
    assert sp.simplify(sp.Equivalent(condition, g > 0)) is sp.true


def test_hurwitz_symbolic_cubic_matches_textbook_condition():
    # x^3 + a x^2 + b x + c with a, b, c > 0 is Hurwitz iff a b > c (Routh's criterion).
    a, b, c = sp.symbols("a b c", positive=True)
    verdict, condition = decide(hurwitz_conditions([sp.S.One, a, b, c]))
    assert verdict is None
    rng = np.random.default_rng(np.random.SeedSequence(3))
    for _ in range(50):
        values = {s: sp.Rational(int(rng.integers(1, 30)), int(rng.integers(1, 6)))
                  for s in (a, b, c)}
        expected = values[a] * values[b] > values[c]
        assert bool(condition.subs(values)) is bool(expected), values
