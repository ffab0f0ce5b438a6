"""Benchmark: trajectory-steps per second of a basin map (stabgan.basins) against the plain
NumPy loop a user would write for the same map.

Reference workload (issue 13, section 4): WGAN-GP, gamma = 0.7, g0 = 1, SimGD, h = 0.05,
4000 steps, a 1000 x 1000 grid of starts on [-3, 3]^2 (``--grid N`` for N x N). WGAN-GP's
field on the Dirac-GAN is v = (-psi, theta - gamma (|psi| - g0) sign(psi)), so the user's
loop is, on whole arrays:

    for _ in range(steps + tail):
        th, ps = th - h * ps, ps + h * (th - gamma * (np.abs(ps) - g0) * np.sign(ps))
        (over the tail: running min and max of theta and psi per half, to classify)

stabgan.basins runs the same steps and tail (default tail 2048) and classifies every start
(points, cycles with the 5% attraction probe, divergence); its time includes all of that.
Trajectory-steps = starts x (steps + tail) for both. The plain loop runs twice: on the whole
grid at once (as a user first writes it) and in blocks of 16,384 starts (the chunk basins
uses: the arrays stay in cache, which makes it faster here); the ratio is taken against the
faster of the two, the baseline a user would keep. Everything runs in this process, one
thread, best of ``--repeat`` runs; the ratio is what counts on a shared machine.

Then the same map on a process pool of ``--workers`` processes (default 2) through
``executor=``: the grid's fixed chunks of 16,384 starts are the tasks, and the result is
checked to be the same bytes as the serial one. Target: >= 1.7x serial on 2 cores. Every
timed call follows one untimed warm-up (the update kernels are generated and compiled once
per process: in this process, and in each worker of the pool). The machine's load average
is printed beside the figures: on a shared machine the ratios are what counts.

Run: python benchmarks/basins.py [--grid N] [--steps K] [--tail K] [--repeat R] [--workers W]
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import stabgan  # noqa: E402

GAMMA, G0, H = 0.7, 1.0, 0.05
#: The plain loop's block: the chunk size of basins (stabgan.dynamics.basins.BASINS_CHUNK).
BLOCK = 16384


def plain_loop(th0, ps0, steps, tail, block):
    """The user's loop: SimGD on whole blocks, then the tail's envelope per half."""
    out = []
    with np.errstate(all="ignore"):
        for start in range(0, th0.size, block):
            th, ps = th0[start:start + block].copy(), ps0[start:start + block].copy()
            for _ in range(steps):
                th, ps = th - H * ps, ps + H * (th - GAMMA * (np.abs(ps) - G0) * np.sign(ps))
            env = []
            for half in (tail // 2, tail - tail // 2):
                lo_t, hi_t, lo_p, hi_p = th.copy(), th.copy(), ps.copy(), ps.copy()
                for _ in range(half):
                    th, ps = (th - H * ps,
                              ps + H * (th - GAMMA * (np.abs(ps) - G0) * np.sign(ps)))
                    np.minimum(lo_t, th, out=lo_t)
                    np.maximum(hi_t, th, out=hi_t)
                    np.minimum(lo_p, ps, out=lo_p)
                    np.maximum(hi_p, ps, out=hi_p)
                env.append(np.stack([lo_t, hi_t, lo_p, hi_p]))
            out.append((th, ps, np.abs(env[0] - env[1]).max(axis=0)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=1000, help="N for an N x N grid (1000)")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--tail", type=int, default=2048)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2,
                        help="processes of the pool (0: no pool run)")
    args = parser.parse_args()
    g = np.linspace(-3.0, 3.0, args.grid)
    m = stabgan.method("wgan-gp", gamma=GAMMA, g0=G0)
    work = args.grid ** 2 * (args.steps + args.tail)
    best_b = best_g = best_k = best_s = best_w = float("inf")
    small = np.linspace(-3.0, 3.0, 8)
    warm = dict(theta=small, psi=small, steps=16, tail=16, h=H)
    stabgan.basins(m, "simgd", **warm)          # untimed: kernels generated here
    load = [os.getloadavg()]
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        b = stabgan.basins(m, "simgd", theta=g, psi=g, steps=args.steps, tail=args.tail, h=H)
        best_b = min(best_b, time.perf_counter() - t0)
        TH, PS = np.meshgrid(g, g, indexing="ij")
        t0 = time.perf_counter()
        plain_loop(TH.ravel(), PS.ravel(), args.steps, args.tail, TH.size)
        best_g = min(best_g, time.perf_counter() - t0)
        t0 = time.perf_counter()
        plain_loop(TH.ravel(), PS.ravel(), args.steps, args.tail, BLOCK)
        best_k = min(best_k, time.perf_counter() - t0)
        t0 = time.perf_counter()
        stabgan.simulate(m, "simgd", h=H, steps=args.steps + args.tail, theta0=TH, psi0=PS)
        best_s = min(best_s, time.perf_counter() - t0)
    load.append(os.getloadavg())
    if args.workers > 1:
        import json
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(args.workers,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            stabgan.basins(m, "simgd", executor=pool, block=16, **warm)   # untimed warm-up
            load.append(os.getloadavg())
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                w = stabgan.basins(m, "simgd", theta=g, psi=g, steps=args.steps,
                                   tail=args.tail, h=H, executor=pool)
                best_w = min(best_w, time.perf_counter() - t0)
        load.append(os.getloadavg())
        same = json.dumps(w.to_dict()) == json.dumps(b.to_dict())
    best_p = min(best_g, best_k)
    kinds = [(a.kind, c) for a, c in zip(b.attractors, b.counts)]
    print(f"wgan-gp gamma={GAMMA} SimGD h={H}: {args.grid} x {args.grid} starts, "
          f"{args.steps} steps + tail {args.tail} = {work:.3g} trajectory-steps")
    print(f"attractors: {kinds}; undecided {int((b.labels == -2).sum())}")
    print(f"stabgan.basins (serial): {best_b:.2f} s, {work / best_b:.3g} trajectory-steps/s")
    print(f"plain NumPy loop, whole grid at once:   {best_g:.2f} s, "
          f"{work / best_g:.3g} trajectory-steps/s")
    print(f"plain NumPy loop, blocks of {BLOCK}: {best_k:.2f} s, "
          f"{work / best_k:.3g} trajectory-steps/s")
    print(f"ratio basins / plain loop (the faster of the two): {best_p / best_b:.2f}x "
          f"(target >= 2x); against the whole-grid loop: {best_g / best_b:.2f}x")
    print(f"for comparison, stabgan.simulate alone (same steps + tail, no tail recorded, "
          f"nothing classified): {best_s:.2f} s, {best_p / best_s:.2f}x the plain loop")
    if args.workers > 1:
        print(f"stabgan.basins on a {args.workers}-process pool: {best_w:.2f} s, "
              f"{work / best_w:.3g} trajectory-steps/s, {best_b / best_w:.2f}x serial "
              f"(target >= 1.7x on 2 cores); same bytes as serial: {same}")
    print("load average (1, 5, 15 min) before, after the serial runs"
          + (", before and after the pool runs" if args.workers > 1 else "") + ": "
          + "; ".join(" ".join(f"{v:.2f}" for v in la) for la in load)
          + f" on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
