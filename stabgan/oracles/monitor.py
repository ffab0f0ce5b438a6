"""What the simulator watches while it runs: the bound on the state, and progress.

A trajectory is stopped (frozen, status "diverged") at the first step where it leaves the
box max(|theta|, |psi|) <= bound or stops being finite; the chunk loop checks that cheaply
with one sum of squares per chunk and step against :func:`square_threshold`, and only then
per trajectory with :func:`outside`.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Meter", "outside", "square_threshold", "DOT_PIECE"]


class Meter:
    """Counts trajectory-steps and reports them to a callback at most about once a second."""

    def __init__(self, callback, total: int):
        import threading
        import time
        self.callback, self.total, self.done = callback, total, 0
        self.clock, self.last = time.monotonic, time.monotonic()
        self.lock = threading.Lock()

    def add(self, count: int) -> None:
        if self.callback is None:
            return
        with self.lock:
            self.done += count
            now = self.clock()
            if now - self.last >= 1.0:
                self.last = now
                self.callback(self.done, self.total)


#: Longest stretch of the state given to one BLAS dot call of the bound monitor (OpenBLAS runs
#: dots longer than 10000 on several threads: slower here, and in competition with the workers).
DOT_PIECE = 8192


def outside(th, ps, bound) -> np.ndarray:
    """Non-finite or max(|theta|, |psi|) > bound, elementwise."""
    return ~(np.isfinite(th) & np.isfinite(ps) & (np.abs(th) <= bound) & (np.abs(ps) <= bound))


def square_threshold(bound, dtype):
    """The largest finite T of ``dtype`` with T <= bound**2 exactly (0 for a bound that is not
    positive). A sum of squares that contains x**2 with |x| > bound is >= T however it is
    rounded (every term is >= 0 and rounding is monotone), and NaN if an x is NaN."""
    from fractions import Fraction
    b = float(bound)
    big = np.finfo(dtype).max
    if not b > 0:
        return dtype.type(0)
    if b == np.inf or Fraction(b) ** 2 >= Fraction(float(big)):
        return dtype.type(big)
    exact = Fraction(b) ** 2
    t = dtype.type(float(exact))
    while Fraction(float(t)) > exact:
        t = np.nextafter(t, dtype.type(0))
    return t
