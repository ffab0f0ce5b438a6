"""Benchmark: the ODE oracle on a field that slides (the hinge loss), against the same
solver given the discontinuous field as it is.

Workload: the hinge loss's Dirac-GAN field v = (-psi, theta H(1 - theta psi)) (the spec of
tests/test_hinge.py), 8 starts with theta^2 + psi^2 > 2, t in (0, 50), DOP853 at rtol 1e-10,
atol 1e-12. stabgan.integrate slides along theta psi = 1 (Filippov) and then follows the
circle r = sqrt(2). The baseline is scipy.integrate.solve_ivp on the field with the
Heaviside evaluated as it is (numpy.heaviside), from (3, 0.5) (it reaches the sliding part
at t = 2): its step size collapses there; it is stopped after 2e6 evaluations and the time
it had reached is printed. For scale, the smooth rotation v = (-psi, theta) over the same
span. Prints wall time and right-hand-side evaluations for each.

Run: python benchmarks/sliding.py
"""
from __future__ import annotations

import pathlib
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

import stabgan

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from test_hinge import HINGE  # noqa: E402

STARTS = [(3.0, 0.5), (0.6, 2.0), (0.3, 3.0), (2.5, -1.0), (-3.0, -0.2), (-4.0, 6.0),
          (1.3, 0.8), (1.0, 1.05)]
SPAN, CAP = (0.0, 50.0), 2_000_000


class _Cap(Exception):
    pass


def main() -> None:
    m = stabgan.method(HINGE)
    stabgan.integrate(m, t_span=(0, 1), theta0=3.0, psi0=0.5)     # compile once
    th, ps = np.array(STARTS).T
    t0 = time.perf_counter()
    o = stabgan.integrate(m, t_span=SPAN, theta0=th, psi0=ps)
    dt = time.perf_counter() - t0
    r_end = np.hypot(o.theta[:, -1], o.psi[:, -1])
    print(f"stabgan.integrate, {len(STARTS)} starts: {dt:.3f} s, nfev {o.nfev.tolist()}, "
          f"max |r(50) - sqrt(2)| = {np.max(np.abs(r_end - np.sqrt(2))):.1e}")

    t0 = time.perf_counter()
    ref = solve_ivp(lambda t, y: [-y[1], y[0]], SPAN, [3.0, 0.5], method="DOP853",
                    rtol=1e-10, atol=1e-12)
    print(f"smooth rotation, one start: {time.perf_counter() - t0:.3f} s, nfev {ref.nfev}")

    count = [0, 0.0]

    def raw(t, y):
        count[0] += 1
        count[1] = t
        if count[0] > CAP:
            raise _Cap
        return [-y[1], y[0] * np.heaviside(1 - y[0] * y[1], 0.5)]
    t0 = time.perf_counter()
    try:
        solve_ivp(raw, SPAN, [3.0, 0.5], method="DOP853", rtol=1e-10, atol=1e-12)
        outcome = "finished"
    except _Cap:
        outcome = f"stopped after {CAP:.0e} evaluations at t = {count[1]:.6f}"
    print(f"solve_ivp on the raw Heaviside field, from (3, 0.5): "
          f"{time.perf_counter() - t0:.3f} s, {outcome}")


if __name__ == "__main__":
    main()
