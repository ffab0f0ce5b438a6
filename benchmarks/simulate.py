"""Benchmark: trajectory-steps per second of the simulator against a plain NumPy loop.

Reference workload (issue 4): r1, gamma = 0.3, SimGD, h = 0.2, 1e5 trajectories x 1000
steps, float64. The baseline is the loop a user would write on whole arrays:

    fp = expit(-th * ps)                     # f'(theta psi) for the logistic f
    th, ps = th - h * ps * fp, ps + h * (th * fp - gamma * ps)

Both run in the same process, best of ``--repeat`` runs each; the ratio is what counts
(absolute times on a shared machine are noise). Target: stabgan >= 2.5x the plain loop.

Run: python benchmarks/simulate.py [--trajectories N] [--steps K] [--repeat R]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy.special import expit

import stabgan


def plain_loop(th, ps, h, gamma, steps):
    with np.errstate(all="ignore"):
        for _ in range(steps):
            fp = expit(-th * ps)
            th, ps = th - h * ps * fp, ps + h * (th * fp - gamma * ps)
    return th, ps


def plain_loop_exp(th, ps, h, gamma, steps):
    """The same loop with the sigmoid written out: fp = 1 / (1 + exp(theta psi))."""
    with np.errstate(all="ignore"):
        for _ in range(steps):
            fp = 1 / (1 + np.exp(th * ps))
            th, ps = th - h * ps * fp, ps + h * (th * fp - gamma * ps)
    return th, ps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trajectories", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=16384)  # simulate's default
    args = parser.parse_args()
    n, steps = args.trajectories, args.steps
    rng = np.random.default_rng(0)
    th0 = rng.uniform(-2, 2, n)
    ps0 = rng.uniform(-2, 2, n)
    m = stabgan.method("r1", gamma=0.3)
    stabgan.simulate(m, scheme="simgd", h=0.2, steps=2, theta0=th0[:10], psi0=ps0[:10])  # compile

    workers = os.cpu_count() or 1
    best = {"plain (expit)": float("inf"), "plain (1/(1+exp))": float("inf"),
            "stabgan, 1 thread": float("inf"), f"stabgan, {workers} threads": float("inf")}
    for _ in range(args.repeat):
        for name in best:
            t0 = time.perf_counter()
            if name == "plain (expit)":
                th, ps = plain_loop(th0.copy(), ps0.copy(), 0.2, 0.3, steps)
            elif name == "plain (1/(1+exp))":
                plain_loop_exp(th0.copy(), ps0.copy(), 0.2, 0.3, steps)
            else:
                r = stabgan.simulate(m, scheme="simgd", h=0.2, steps=steps, theta0=th0,
                                     psi0=ps0, chunk_size=args.chunk_size,
                                     workers=1 if "1 thread" in name else workers)
            best[name] = min(best[name], time.perf_counter() - t0)
    work = n * steps
    agree = np.max(np.abs(r.theta - th)) if np.all(np.isfinite(th)) else float("nan")
    print(f"workload: r1 gamma=0.3, SimGD h=0.2, {n} trajectories x {steps} steps, float64, "
          f"best of {args.repeat}, chunk {args.chunk_size}")
    for name, seconds in best.items():
        print(f"{name:22s}: {seconds:7.3f} s  {work / seconds / 1e6:8.1f} M traj-steps/s  "
              f"ratio to plain (expit) {best['plain (expit)'] / seconds:5.2f}x")
    print(f"max |theta difference| stabgan vs plain loop: {agree:.2e}")
    print("target: stabgan >= 2.5x the plain loop")


if __name__ == "__main__":
    main()
