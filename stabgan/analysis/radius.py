r"""The spectral radius of many small real polynomials at once, in closed form.

A stability map evaluates the characteristic polynomial :math:`z^n + a_1 z^{n-1} + \dots
+ a_n` of the update operator at up to millions of points. For n <= 4 its largest root
modulus is computed without an eigenvalue call per point:

* n = 2: :math:`z^2 + b z + c` has :math:`\rho = \sqrt{c}` for a complex pair
  (:math:`b^2 < 4c`) and :math:`(|b| + \sqrt{b^2 - 4c})/2` otherwise (no cancellation);
* n = 3: the real root m of the cubic (below) is split off, leaving a quadratic;
* n = 4 (Ferrari/Descartes): with :math:`z = y - a/4` the depressed quartic
  :math:`y^4 + p y^2 + q y + r` factors over the reals as
  :math:`(y^2 + s y + t)(y^2 - s y + u)` where :math:`s^2 = m` is the largest real root of
  the resolvent cubic :math:`m^3 + 2 p m^2 + (p^2 - 4 r) m - q^2` (non-negative), and
  :math:`t, u = (p + m \mp q/s)/2`; for m = 0 (then q = 0) the quartic is biquadratic.

The cubic's real root comes from Cardano's formula in the cancellation-free form or, with
three real roots, the trigonometric one, and is polished by two Newton steps. Near a
multiple root every floating-point method loses half of the digits; elsewhere the result
agrees with ``numpy.linalg.eigvals`` to about 1e-10 (tested). Degrees above 4 fall back to
batched ``numpy.linalg.eigvals`` on companion matrices.
"""
from __future__ import annotations

import numpy as np

__all__ = ["spectral_radius_of_polynomials"]


def _quadratic(b, c):
    """max |z| over the roots of z^2 + b z + c (real arrays)."""
    disc = b * b - 4 * c
    return np.where(disc < 0, np.sqrt(np.abs(c)), (np.abs(b) + np.sqrt(np.maximum(disc, 0))) / 2)


def _cubic_largest_real_root(A, B, C):
    """The largest real root of m^3 + A m^2 + B m + C (real arrays), Newton-polished."""
    P = B - A * A / 3
    Q = 2 * A ** 3 / 27 - A * B / 3 + C
    delta = (Q / 2) ** 2 + (P / 3) ** 3
    # one real root: u^3 = -Q/2 - sign(Q) sqrt(delta) (the larger magnitude), w = u - P/(3u)
    S = -Q / 2 - np.copysign(np.sqrt(np.maximum(delta, 0)), Q)
    u = np.cbrt(S)
    one = np.where(u != 0, u - P / (3 * np.where(u != 0, u, 1)), 0.0)
    # three real roots: the largest of the trigonometric ones
    Pn = np.minimum(P, 0)
    safe = np.where(Pn < 0, Pn, -1.0)
    arg = np.clip((3 * Q / (2 * safe)) * np.sqrt(-3 / safe), -1, 1)
    three = 2 * np.sqrt(-Pn / 3) * np.cos(np.arccos(arg) / 3)
    m = np.where(delta > 0, one, three) - A / 3
    for _ in range(2):
        f = ((m + A) * m + B) * m + C
        df = (3 * m + 2 * A) * m + B
        step = np.where(df != 0, f / np.where(df != 0, df, 1), 0)
        m = m - step
    return m


def _cubic(a, b, c):
    """max |z| over the roots of z^3 + a z^2 + b z + c."""
    m = _cubic_largest_real_root(a, b, c)
    return np.maximum(np.abs(m), _quadratic(a + m, b + m * (a + m)))


def _quartic(a, b, c, d):
    """max |z| over the roots of z^4 + a z^3 + b z^2 + c z + d."""
    p = b - 3 * a * a / 8
    q = c - a * b / 2 + a ** 3 / 8
    r = d - a * c / 4 + a * a * b / 16 - 3 * a ** 4 / 256
    m = np.maximum(_cubic_largest_real_root(2 * p, p * p - 4 * r, -q * q), 0)
    s = np.sqrt(m)
    tiny = m <= 1e-14 * np.maximum(1, np.abs(p))
    ss = np.where(tiny, 1, s)
    t = (p + m - q / ss) / 2
    u = (p + m + q / ss) / 2
    # biquadratic branch (q = 0, m = 0): y^4 + p y^2 + r = (y^2 - w1)(y^2 - w2)
    disc = p * p - 4 * r
    sq = np.sqrt(np.maximum(disc, 0))
    w1 = np.where(p > 0, (-p - sq) / 2, (-p + sq) / 2)
    w2 = np.where(w1 != 0, r / np.where(w1 != 0, w1, 1), (-p - np.copysign(sq, -p)) / 2)
    s_, t_, u_ = np.where(tiny, 0, s), np.where(tiny, -w1, t), np.where(tiny, -w2, u)
    # back to z = y - a/4: (z + a/4)^2 +- s (z + a/4) + t
    k = a / 4
    r1 = _quadratic(2 * k + s_, k * k + s_ * k + t_)
    r2 = _quadratic(2 * k - s_, k * k - s_ * k + u_)
    return np.maximum(r1, r2)


def spectral_radius_of_polynomials(coeffs: list) -> np.ndarray:
    """max |z| over the roots of z^n + c_1 z^{n-1} + ... + c_n, elementwise.

    Parameters
    ----------
    coeffs : list of ndarray
        c_1, ..., c_n (real, broadcasting together); the polynomial is monic.

    Returns
    -------
    ndarray
        The spectral radius at every point (closed forms for n <= 4).
    """
    arrays = np.broadcast_arrays(*[np.asarray(c, dtype=float) for c in coeffs])
    n = len(arrays)
    with np.errstate(all="ignore"):
        if n == 1:
            return np.abs(arrays[0])
        if n == 2:
            return _quadratic(*arrays)
        if n == 3:
            return _cubic(*arrays)
        if n == 4:
            return _quartic(*arrays)
    shape = arrays[0].shape
    companion = np.zeros(shape + (n, n))
    for k, c in enumerate(arrays):
        companion[..., 0, k] = -c
    for k in range(1, n):
        companion[..., k, k - 1] = 1
    return np.max(np.abs(np.linalg.eigvals(companion)), axis=-1)
