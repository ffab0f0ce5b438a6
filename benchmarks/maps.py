"""Benchmark: stability maps, stabgan.stability_map against a per-point eigvals loop.

Workload: r1 (logistic f), a 1000 x 1000 grid for every scheme: over (gamma, h) for SimGD,
AltGD n_d = 5, extragradient (h_e = h), OGDA, lookahead (k = 5, alpha = 1/2) and lazy R1
(every 4th step), over (momentum, h) at gamma = 0.3 for simultaneous and alternating heavy
ball. stabgan evaluates the derived characteristic polynomial's coefficients as arrays and
takes the spectral radius from closed forms (degree 2 and 4). The baseline builds the explicit
update matrix at each point from the schemes' textbook formulas (written out below, not taken
from stabgan) and calls numpy.linalg.eigvals; it is timed on a 20 x 100 sample (repeated)
and reported per point. Prints points per second for both, side by side, the ratio and the
largest relative difference on the sample. Target (issue 7): 1000 x 1000 in under 1 s.

Run: python benchmarks/maps.py
"""
from __future__ import annotations

import time

import numpy as np

import stabgan

I2 = np.eye(2)


def jac(gamma: float) -> np.ndarray:
    """R1 with the logistic f: J = [[0, -f'(0)], [f'(0), -gamma]], f'(0) = 1/2."""
    return np.array([[0.0, -0.5], [0.5, -gamma]])


def altgd(J, h, n_d=1):
    G = np.array([[1 + h * J[0, 0], h * J[0, 1]], [0.0, 1.0]])
    D = np.array([[1.0, 0.0], [h * J[1, 0], 1 + h * J[1, 1]]])
    return np.linalg.matrix_power(D, n_d) @ G


def altgd_momentum(J, h, beta):
    """State (theta, psi, u_theta, u_psi); each player's step adds beta times its last move."""
    G = np.array([[1 + h * J[0, 0], h * J[0, 1], beta, 0], [0, 1, 0, 0],
                  [h * J[0, 0], h * J[0, 1], beta, 0], [0, 0, 0, 1]])
    D = np.array([[1, 0, 0, 0], [h * J[1, 0], 1 + h * J[1, 1], 0, beta],
                  [0, 0, 1, 0], [h * J[1, 0], h * J[1, 1], 0, beta]])
    return D @ G


def explicit(case: str, a: float, h: float) -> np.ndarray:
    """The update matrix at one point; ``a`` is gamma or, for the momentum cases, beta."""
    if case == "simgd":
        return I2 + h * jac(a)
    if case == "altgd n_d=5":
        return altgd(jac(a), h, 5)
    if case == "extragradient":
        J = jac(a)
        return I2 + h * J @ (I2 + h * J)
    if case == "ogda":          # state (x, g_prev): x' = x + 2hJx - h g_prev, g_prev' = Jx
        J = jac(a)
        return np.block([[I2 + 2 * h * J, -h * I2], [J, 0 * I2]])
    if case == "simgd momentum":  # state (x, u): x' = x + hJx + beta u, u' = x' - x
        J = jac(0.3)
        return np.block([[I2 + h * J, a * I2], [h * J, a * I2]])
    if case == "altgd momentum":
        return altgd_momentum(jac(0.3), h, a)
    if case == "lookahead":
        return 0.5 * I2 + 0.5 * np.linalg.matrix_power(I2 + h * jac(a), 5)
    if case == "lazy every 4":   # penalty 0 on three steps, 4 gamma on the fourth
        return (I2 + h * jac(4 * a)) @ np.linalg.matrix_power(I2 + h * jac(0.0), 3)
    raise ValueError(case)


CASES = {  # name: (scheme, options, axis name, axis values, period)
    "simgd": ("simgd", {}, "gamma", np.linspace(0, 3, 1000), 1),
    "altgd n_d=5": ("altgd", {"n_d": 5}, "gamma", np.linspace(0, 3, 1000), 1),
    "extragradient": ("extragradient", {}, "gamma", np.linspace(0, 3, 1000), 1),
    "ogda": ("ogda", {}, "gamma", np.linspace(0, 3, 1000), 1),
    "simgd momentum": ("simgd", {}, "momentum", np.linspace(-0.95, 0.95, 1000), 1),
    "altgd momentum": ("altgd", {}, "momentum", np.linspace(-0.95, 0.95, 1000), 1),
    "lookahead": ("lookahead", {}, "gamma", np.linspace(0, 3, 1000), 5),
    "lazy every 4": ("simgd", {"lazy_every": 4}, "gamma", np.linspace(0, 3, 1000), 4),
}


def main() -> None:
    hs = np.linspace(0.01, 4, 1000)
    print(f"{'scheme':16s} {'stabgan 1000x1000':>18s} {'stabgan':>14s} {'eigvals loop':>16s} "
          f"{'ratio':>7s} {'max rel diff':>13s}")
    worst = 0.0
    for case, (scheme, options, axis, values, period) in CASES.items():
        m = stabgan.method("r1", gamma=0.3) if axis == "momentum" else stabgan.method("r1")
        stabgan.stability_map(m, scheme, h=hs[:2], **options, **{axis: values[:2]})  # derive
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            s = stabgan.stability_map(m, scheme, h=hs, **options, **{axis: values})
            best = min(best, time.perf_counter() - t0)
        worst = max(worst, best)
        sub_h, sub_a = hs[::50], values[::10]
        ref = np.empty((sub_h.size, sub_a.size))
        t0 = time.perf_counter()
        for _ in range(3):
            for i, h in enumerate(sub_h):
                for j, a in enumerate(sub_a):
                    ref[i, j] = np.max(np.abs(np.linalg.eigvals(explicit(case, a, h))))
        per_point = (time.perf_counter() - t0) / (3 * ref.size)
        ref = ref ** (1 / period)
        got = s.spectral_radius[::50, ::10]
        err = float(np.max(np.abs(ref - got) / np.maximum(1, ref)))
        print(f"{case:16s} {best:16.3f} s {1 / best:10.2f} M/s {1e-6 / per_point:12.3f} M/s "
              f"{per_point * 1e6 / best:6.0f}x {err:13.1e}")
    print(f"slowest stabgan map: {worst:.3f} s; target: every 1000 x 1000 map in under 1 s")


if __name__ == "__main__":
    main()
