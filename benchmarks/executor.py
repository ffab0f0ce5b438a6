"""Benchmark: one big sweep serially, on a 2-process pool and on a 2-worker Dask LocalCluster.

Workloads (both give the same bytes on every executor; checked and printed):

* simulate: r1 (gamma = 0.3), SimGD, h = 0.2, ``--trajectories`` starts (default 8e5) x
  ``--steps`` (default 1000) steps, float64, chunks of 16384 trajectories (the default
  ``chunk_size`` at the defaults: 49 tasks);
* stability_map: r1 (gamma = 0.3), SimGD with heavy-ball momentum (a quartic per point), h
  x momentum on a ``--grid`` x ``--grid`` grid (default 1500 x 1500, chunks of 65536
  points: 35 tasks).

Each executor is started first (its start-up time printed on its own), warmed up on a small
run (the workers import stabgan and derive the kernels and polynomials once per process),
then timed, best of ``--repeat`` runs. The ratios to the serial time are what count: the
machine is shared, so absolute times vary with whatever else runs. BLAS/OpenMP pools are
limited to one thread in this process and in the workers (environment variables set before
NumPy is imported, inherited by the spawned workers).

Run: python benchmarks/executor.py [--trajectories N] [--steps K] [--grid G] [--repeat R]
     [--no-dask]
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

import numpy as np  # noqa: E402

import stabgan  # noqa: E402


def workloads(trajectories: int, steps: int, grid: int):
    m = stabgan.method("r1", gamma=0.3)
    rng = np.random.default_rng(0)
    theta0 = rng.uniform(-1, 1, trajectories)
    psi0 = rng.uniform(-1, 1, trajectories)

    def sim(executor=None, small=False):
        n = 20000 if small else trajectories
        return stabgan.simulate(m, "simgd", h=0.2, steps=10 if small else steps,
                                theta0=theta0[:n], psi0=psi0[:n], executor=executor)

    def smap(executor=None, small=False):
        g = 50 if small else grid
        return stabgan.stability_map(m, "simgd", h=np.linspace(0.01, 2, g),
                                     momentum=np.linspace(-0.9, 0.9, g), executor=executor)

    return {"simulate": (sim, lambda r: (r.theta, r.psi, r.status, r.diverged_at),
                         f"r1 SimGD, {trajectories:,} trajectories x {steps:,} steps"),
            "stability_map": (smap, lambda s: (s.spectral_radius,),
                              f"r1 SimGD with momentum, h x momentum on {grid:,} x {grid:,}")}


def best(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trajectories", type=int, default=800_000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--grid", type=int, default=1500)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; stabgan {stabgan.__version__}; load average before: "
          f"{os.getloadavg()[0]:.2f} (other processes on a shared machine slow every column)")
    work = workloads(args.trajectories, args.steps, args.grid)
    executors = {}
    t0 = time.perf_counter()
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    for name, (fn, _, _) in work.items():
        fn(pool, small=True)   # start the workers and warm them up
    executors["2-process pool"] = pool
    print(f"process pool (2 spawned processes) started and warmed up in "
          f"{time.perf_counter() - t0:.1f} s")
    cluster = client = None
    if not args.no_dask:
        try:
            import distributed
        except ImportError:
            print("Dask not installed (pip install 'stabgan[dask]'): no Dask column")
        else:
            t0 = time.perf_counter()
            cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                               dashboard_address=None, silence_logs=40)
            client = distributed.Client(cluster)
            ex = client.get_executor()
            for name, (fn, _, _) in work.items():
                fn(ex, small=True)
            executors["Dask, 2 workers"] = ex
            print(f"Dask LocalCluster (2 worker processes) started and warmed up in "
                  f"{time.perf_counter() - t0:.1f} s")
    try:
        for name, (fn, fields, what) in work.items():
            fn(None, small=True)
            serial, ref = best(lambda: fn(None), args.repeat)
            print(f"\n{name}: {what}")
            print(f"  serial (1 process)      {serial:8.2f} s")
            for label, ex in executors.items():
                t, out = best(lambda: fn(ex), args.repeat)
                same = all(np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
                           for a, b in zip(fields(ref), fields(out)))
                print(f"  {label:22s}  {t:8.2f} s   speed-up {serial / t:4.2f}x   "
                      f"same bytes as serial: {same}")
        print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    finally:
        pool.shutdown()
        if client is not None:
            client.close()
            cluster.close()


if __name__ == "__main__":
    main()
