"""Benchmark: trajectory-steps per second of the simulator against the plain NumPy loops a user
would write.

Reference workload (issue 4): r1, gamma = 0.3, SimGD, h = 0.2, 1e5 trajectories x 1000
steps, float64, one thread. The R1 field on the Dirac-GAN with the logistic f is
v = (-psi f'(theta psi), theta f'(theta psi) - gamma psi) with f'(t) = sigmoid(-t), so the
baselines are, on whole arrays:

    fp = 1 / (1 + np.exp(th * ps))           # the loop a user writes: f'(theta psi)
    fp = expit(-th * ps)                     # the same with SciPy's expit
    th, ps = th - h * ps * fp, ps + h * (th * fp - gamma * ps)

Everything runs in one process, side by side, best of ``--repeat`` runs each; the ratios are
what count (absolute times on a shared machine are noise). Both baselines must end where
stabgan.simulate ends (max |difference| <= 1e-12, checked and printed). Targets: stabgan on
one thread >= 2x the 1/(1+exp) loop (issue 4) and >= 2.5x the expit loop.

BLAS and OpenMP pools are limited to one thread before NumPy is imported (the loops are
elementwise ufuncs anyway). OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, which this machine may set
and which slow a current NumPy, are left as they are; the benchmark only says whether they
are set.

Run: python benchmarks/simulate.py [--trajectories N] [--steps K] [--repeat R] [--workers W]
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy.special import expit  # noqa: E402

import stabgan  # noqa: E402

TOLERANCE = 1e-12


def plain_loop_expit(th, ps, h, gamma, steps):
    """SimGD with SciPy's expit: fp = expit(-theta psi)."""
    with np.errstate(all="ignore"):
        for _ in range(steps):
            fp = expit(-th * ps)
            th, ps = th - h * ps * fp, ps + h * (th * fp - gamma * ps)
    return th, ps


def plain_loop_exp(th, ps, h, gamma, steps):
    """The loop a user writes, the sigmoid spelled out: fp = 1 / (1 + exp(theta psi))."""
    with np.errstate(all="ignore"):
        for _ in range(steps):
            fp = 1 / (1 + np.exp(th * ps))
            th, ps = th - h * ps * fp, ps + h * (th * fp - gamma * ps)
    return th, ps


def _thread_report() -> str:
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return "threadpoolctl not installed; OMP/OPENBLAS/MKL_NUM_THREADS=1 set before import"
    threadpool_limits(1)
    pools = ", ".join(f"{p['internal_api']} {p.get('architecture', '?')} "
                      f"{p['num_threads']} thread(s)" for p in threadpool_info())
    return f"thread pools: {pools or 'none loaded'}"


def _max_difference(r, th, ps) -> float:
    return float(max(np.max(np.abs(r.theta - th)), np.max(np.abs(r.psi - ps))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trajectories", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=16384)  # simulate's default
    parser.add_argument("--workers", type=int, default=1,
                        help="also time stabgan on this many threads (not the reference)")
    args = parser.parse_args()
    n, steps, h, gamma = args.trajectories, args.steps, 0.2, 0.3
    rng = np.random.default_rng(0)
    th0 = rng.uniform(-2, 2, n)
    ps0 = rng.uniform(-2, 2, n)
    m = stabgan.method("r1", gamma=gamma)
    stabgan.simulate(m, scheme="simgd", h=h, steps=2, theta0=th0[:10], psi0=ps0[:10])  # compile

    names = ("plain 1/(1+exp)", "plain expit", "stabgan, 1 thread")
    if args.workers > 1:
        names += (f"stabgan, {args.workers} threads",)
    best = dict.fromkeys(names, float("inf"))
    final = {}
    for _ in range(args.repeat):
        for name in names:
            t0 = time.perf_counter()
            if name == "plain 1/(1+exp)":
                final[name] = plain_loop_exp(th0.copy(), ps0.copy(), h, gamma, steps)
            elif name == "plain expit":
                final[name] = plain_loop_expit(th0.copy(), ps0.copy(), h, gamma, steps)
            else:
                final[name] = stabgan.simulate(m, scheme="simgd", h=h, steps=steps, theta0=th0,
                                               psi0=ps0, chunk_size=args.chunk_size,
                                               workers=1 if "1 thread" in name else args.workers)
            best[name] = min(best[name], time.perf_counter() - t0)

    work = n * steps
    r = final["stabgan, 1 thread"]
    print(f"workload: r1 gamma={gamma}, SimGD h={h}, {n} trajectories x {steps} steps, "
          f"float64, one thread, best of {args.repeat}, chunk {args.chunk_size}")
    print(_thread_report())
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        value = os.environ.get(var)
        print(f"{var}: " + (f"set ({value})" if value is not None else "not set"))
    print(f"numpy {np.__version__}, stabgan statuses: "
          + ", ".join(f"{s} {c}" for s, c in zip(*np.unique(r.status, return_counts=True))))
    for name in names:
        seconds = best[name]
        print(f"{name:18s}: {seconds:7.3f} s  {work / seconds / 1e6:7.1f} M traj-steps/s")
    # the same numbers: the final states, and (since the workload converges, the final states
    # are small) the states after a few steps too, while they are still of order 1
    early = min(25, steps)
    short = stabgan.simulate(m, scheme="simgd", h=h, steps=early, theta0=th0, psi0=ps0,
                             workers=1)
    loops = {"plain 1/(1+exp)": plain_loop_exp, "plain expit": plain_loop_expit}
    ok = True
    for name, loop in loops.items():
        for label, res, state in (
                (f"after {steps} steps", r, final[name]),
                (f"after {early} steps", short, loop(th0.copy(), ps0.copy(), h, gamma, early))):
            diff = _max_difference(res, *state)
            scale = float(max(np.max(np.abs(res.theta)), np.max(np.abs(res.psi))))
            ok &= diff <= TOLERANCE
            print(f"max |state difference| stabgan vs {name}, {label}: {diff:.2e} "
                  f"(largest |state| {scale:.1e}; "
                  f"{'agrees' if diff <= TOLERANCE else 'DISAGREES'} to {TOLERANCE:g})")
    stab = best["stabgan, 1 thread"]
    print(f"ratio stabgan / plain 1/(1+exp) loop: {best['plain 1/(1+exp)'] / stab:5.2f}x "
          f"(target >= 2x)")
    print(f"ratio stabgan / plain expit loop:     {best['plain expit'] / stab:5.2f}x "
          f"(target >= 2.5x)")
    if not ok:
        raise SystemExit("the baselines do not compute the same numbers as stabgan.simulate")


if __name__ == "__main__":
    main()
