"""Benchmark: stability maps, stabgan.stability_map against a per-point eigvals loop.

Workload: r1, a 1000 x 1000 grid over (gamma, h), SimGD and AltGD with n_d = 5. stabgan
evaluates the spectral radius from the derived trace and determinant, vectorized; the baseline
builds the explicit 2 x 2 update matrix at each point and calls numpy.linalg.eigvals (timed on
20 000 points and reported per point). Prints points per second for both, side by side, and
the ratio. Target (issue 7, for these schemes): the 1000 x 1000 grid in under 1 s.

Run: python benchmarks/maps.py
"""
from __future__ import annotations

import time

import numpy as np

import stabgan


def eigvals_loop(gammas, hs, n_d: int, scheme: str) -> np.ndarray:
    out = np.empty((hs.size, gammas.size))
    for j, g in enumerate(gammas):
        J = np.array([[0.0, -0.5], [0.5, -g]])
        for i, h in enumerate(hs):
            if scheme == "simgd":
                M = np.eye(2) + h * J
            else:
                G = np.array([[1 + h * J[0, 0], h * J[0, 1]], [0.0, 1.0]])
                D = np.array([[1.0, 0.0], [h * J[1, 0], 1 + h * J[1, 1]]])
                M = np.linalg.matrix_power(D, n_d) @ G
            out[i, j] = np.max(np.abs(np.linalg.eigvals(M)))
    return out


def main() -> None:
    m = stabgan.method("r1")
    hs, gammas = np.linspace(0.01, 4, 1000), np.linspace(0, 3, 1000)
    for scheme, n_d in (("simgd", 1), ("altgd", 5)):
        stabgan.stability_map(m, scheme, n_d=n_d, h=hs[:2], gamma=gammas[:2])  # derive once
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            s = stabgan.stability_map(m, scheme, n_d=n_d, h=hs, gamma=gammas)
            best = min(best, time.perf_counter() - t0)
        sub_h, sub_g = hs[::50], gammas[::10]   # 20 x 100 = 2000 points ... x10 below
        t0 = time.perf_counter()
        ref = None
        for _ in range(10):
            ref = eigvals_loop(sub_g, sub_h, n_d, scheme)
        per_point = (time.perf_counter() - t0) / (10 * ref.size)
        err = np.max(np.abs(ref - s.spectral_radius[::50, ::10]) / np.maximum(1, ref))
        print(f"r1 {scheme} n_d={n_d}: 1000 x 1000 grid in {best:.3f} s = "
              f"{1e6 / best / 1e6:.1f} M points/s; eigvals loop {1 / per_point / 1e6:.3f} M "
              f"points/s ({per_point * 1e6:.0f} s for the grid); ratio {per_point * 1e6 / best:.0f}x;"
              f" max relative difference on the sample {err:.1e}")
    print("target: 1000 x 1000 in under 1 s")


if __name__ == "__main__":
    main()
