"""Benchmark: the symbolic sweep and the cold command line.

Prints, side by side:
* seconds to analyze every catalogue method in continuous time in one fresh process,
  (a) with every parameter at its catalogue default, (b) with every parameter symbolic;
* seconds for a cold `stabgan analyze r1 --json` next to a bare `python -c "import sympy"`
  (the floor), best of 5 each, and their difference;
* seconds for the discrete sweep: every method x {SimGD, AltGD n_d = 1, AltGD n_d = 5}, with
  its parameters at the defaults, with h = 0.1 and with h left symbolic (h_max), in one process;
* seconds for the lemma suite (``stabgan.lemmas.verify()``) in one fresh process.
Targets: (a) under 3 s; the cold CLI within 1 s of the floor (issue 3); the discrete sweep
under 20 s (issue 4); the lemma suite under 60 s on 2 cores (issue 5: a timing, so it lives
here and not in the tests).

Run: python benchmarks/symbolic.py
"""
from __future__ import annotations

import subprocess
import sys
import time

SWEEP = r"""
import time, stabgan
mode = {mode!r}
t0 = time.perf_counter()
for spec in stabgan.methods():
    params = {{p.name: p.default for p in spec.parameters}} if mode == "defaults" else {{}}
    stabgan.analyze(stabgan.method(spec.id, **params))
print(time.perf_counter() - t0)
"""


DISCRETE = r"""
import time, stabgan
t0 = time.perf_counter()
for spec in stabgan.methods():
    m = stabgan.method(spec.id, **{p.name: p.default for p in spec.parameters})
    for scheme, extra in (("simgd", {}), ("altgd", {}), ("altgd", {"n_d": 5})):
        for h in (0.1, None):
            stabgan.analyze(m, scheme=scheme, h=h, **extra)
print(time.perf_counter() - t0)
"""


LEMMAS = r"""
import time, stabgan.lemmas
t0 = time.perf_counter()
results = stabgan.lemmas.verify()
assert all(r.passed for r in results)
print(time.perf_counter() - t0)
"""


def _sweep(mode: str) -> float:
    code = {"discrete": DISCRETE, "lemmas": LEMMAS}.get(mode) or SWEEP.format(mode=mode)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def _wall(argv: list[str], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    defaults = _sweep("defaults")
    symbolic = _sweep("symbolic")
    print(f"continuous analysis of all 15 methods, parameters at defaults: {defaults:6.2f} s "
          f"(target < 3 s)")
    print(f"continuous analysis of all 15 methods, parameters symbolic:    {symbolic:6.2f} s")
    floor = _wall([sys.executable, "-c", "import sympy"])
    cli = _wall([sys.executable, "-m", "stabgan", "analyze", "r1", "--json"])
    print(f"cold `python -c 'import sympy'` (floor):  {floor:6.2f} s (best of 5)")
    print(f"cold `stabgan analyze r1 --json`:         {cli:6.2f} s (best of 5)")
    print(f"CLI minus floor:                          {cli - floor:6.2f} s (target < 1 s)")
    discrete = _sweep("discrete")
    print(f"discrete sweep, 15 methods x 3 schemes x (h = 0.1, h symbolic): {discrete:6.2f} s "
          f"(target < 20 s)")
    lemmas = _sweep("lemmas")
    print(f"lemma suite (verify(), every statement, both checks):          {lemmas:6.2f} s "
          f"(target < 60 s)")


if __name__ == "__main__":
    main()
