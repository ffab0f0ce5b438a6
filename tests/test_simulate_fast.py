"""The simulator's fast SimGD path: the generated update kernels and the chunk-level bound
monitor (a sum of squares per step, then element by element once it trips).

Kinds of evidence, as in test_oracles.py: *consistency* (two routes through stabgan: the
fast path against the step-by-step path that ``record_every`` takes, which tracks
max(|theta|, |psi|) of every trajectory at every step; the update kernels against the
lambdified field), *independent* (exact rational arithmetic for the threshold, the recorded
history read by a plain loop). pytest runs with ``filterwarnings = error``.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import stabgan
from stabgan.model.catalogue import CATALOGUE
from stabgan.model.method import compiled_field
from stabgan.oracles.monitor import square_threshold
from stabgan.oracles.fields import update_kernel_factory

FIELDS = ("theta", "psi", "diverged_at", "status", "converged", "diverged")
NOISELESS = [s.id for s in CATALOGUE if not stabgan.method(s.id).derived.noise]


def _same(a, b, what, rows=None):
    """a equals b field by field, bit for bit; with ``rows``, a is a run of those rows of b."""
    for f in FIELDS:
        want = getattr(b, f) if rows is None else getattr(b, f)[rows]
        assert np.array_equal(getattr(a, f), want), (what, f)


@pytest.mark.parametrize("method_id", NOISELESS)
def test_update_kernels_match_the_field(method_id):
    """Consistency: one step of every generated kernel (SimGD with h_g = h_d shared or not,
    each AltGD player alone; scalar and array step sizes) against x + h v(x) with v from
    the lambdified field. The two evaluate the same formula with operations in another order
    (the step size folded into the sigmoid's reciprocal, 1 - h gamma computed first): a few
    ulp of the largest term; tolerance 1e-13 x (1 + |x| + h |v|)."""
    m = stabgan.method(method_id)
    values = [m.numeric_params[p.name] for p in m.spec.parameters]
    rng = np.random.default_rng(3)
    n = 64
    th, ps = rng.uniform(-3, 3, n), rng.uniform(-3, 3, n)
    hg, hd = rng.uniform(0.01, 1.0, n), rng.uniform(0.01, 1.0, n)
    vt, vp = compiled_field(m)(th, ps)
    for shared in (False, True):
        h_d = hg if shared else hd
        make, nbuf = update_kernel_factory(m.spec, m.f, m.generator, (0, 1), shared)
        outs = [np.empty(n), np.empty(n)]
        make(hg, h_d, *values, [np.empty(n) for _ in range(nbuf)], np.float64)(th, ps, *outs)
        for out, x, h, v in ((outs[0], th, hg, vt), (outs[1], ps, h_d, vp)):
            scale = 1 + np.abs(x) + h * np.abs(v)
            assert np.all(np.abs(out - (x + h * v)) <= 1e-13 * scale), (method_id, shared)
        # a scalar step size gives the bits of the same value in an array
        i = 5
        one = [np.empty(1), np.empty(1)]
        make(hg[i], h_d[i], *values, [np.empty(1) for _ in range(nbuf)], np.float64)(
            th[i:i + 1], ps[i:i + 1], *one)
        assert one[0][0] == outs[0][i] and one[1][0] == outs[1][i], (method_id, shared)
    for comp, x, h, v in (((0,), th, hg, vt), ((1,), ps, hd, vp)):
        make, nbuf = update_kernel_factory(m.spec, m.f, m.generator, comp, False)
        out = np.empty(n)
        make(h, *values, [np.empty(n) for _ in range(nbuf)], np.float64)(th, ps, out)
        assert np.all(np.abs(out - (x + h * v)) <= 1e-13 * (1 + np.abs(x) + h * np.abs(v)))


@pytest.mark.parametrize("method_id", ["r1", "gan", "consensus", "roth", "lsgan", "wgan-gp"])
def test_shared_step_kernel_is_bitwise_the_separate_one(method_id):
    """Invariance: with h_g = h_d the shared kernel computes h / (1 + e^t) once for both
    players; every value is computed by the same operations as with two step sizes, so the
    results are equal bit for bit (np.array_equal)."""
    m = stabgan.method(method_id)
    values = [m.numeric_params[p.name] for p in m.spec.parameters]
    rng = np.random.default_rng(4)
    n = 257
    th, ps, h = rng.uniform(-3, 3, n), rng.uniform(-3, 3, n), rng.uniform(0.01, 2.0, n)
    got = []
    for shared in (False, True):
        make, nbuf = update_kernel_factory(m.spec, m.f, m.generator, (0, 1), shared)
        outs = [np.empty(n), np.empty(n)]
        make(h, h.copy(), *values, [np.empty(n) for _ in range(nbuf)], np.float64)(th, ps, *outs)
        got.append(outs)
    assert np.array_equal(got[0][0], got[1][0]) and np.array_equal(got[0][1], got[1][1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bound", [1e8, 1.0, 1e200, float("inf"), 3.0e19, 0.7])
def test_square_threshold_is_the_largest_value_below_bound_squared(bound, dtype):
    """Independent (exact rational arithmetic): T <= bound^2, and the next value of the dtype
    is above bound^2 (or T is the largest finite value)."""
    dtype = np.dtype(dtype)
    t = square_threshold(bound, dtype)
    assert t.dtype == dtype and np.isfinite(t)
    if bound == float("inf"):
        assert t == np.finfo(dtype).max
        return
    exact = Fraction(bound) ** 2
    assert Fraction(float(t)) <= exact
    if t == np.finfo(dtype).max:
        return
    up = np.nextafter(t, dtype.type(np.inf))
    assert Fraction(float(up)) > exact


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_monitor_catches_one_trajectory_one_ulp_beyond_the_bound(dtype):
    """Independent (a plain float computation): WGAN (c = 1) SimGD from (bound, -eps) moves
    theta to bound + h eps, one ulp above the bound, and psi is clipped to 1, while 8191
    other trajectories sit at (0, 0). The sum of squares of the chunk is then
    (bound + ulp)^2 + 1 rounded, at least the threshold: the trajectory is diverged at step
    1, frozen at its start. One step only, so that a later, larger excursion cannot make up
    for a miss."""
    bound = 1e8 if dtype == np.float64 else 1e4
    big = dtype(bound)
    ulp = np.nextafter(big, dtype(np.inf)) - big
    h, eps = 0.5, float(ulp) * 1.5       # h eps = 0.75 ulp: rounds up to bound + ulp
    assert dtype(big - dtype(h) * dtype(-eps)) > big
    n = 8192
    t0, p0 = np.zeros(n), np.zeros(n)
    t0[4321], p0[4321] = bound, -eps
    r = stabgan.simulate(stabgan.method("wgan", c=1), "simgd", h=h, steps=1, theta0=t0,
                         psi0=p0, bound=bound, dtype=dtype)
    assert r.diverged_at[4321] == 1 and r.status[4321] == "diverged"
    assert r.theta[4321] == big and r.psi[4321] == dtype(-eps)
    assert np.all(r.diverged_at[np.arange(n) != 4321] == -1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_path_agrees_with_the_stepwise_path_on_excursions(dtype):
    """Consistency and independent: R1 (gamma = 1) SimGD with step sizes up to 4.5 (beyond
    h_max = 4) and the bound 2.5: many trajectories overshoot the bound and come back, or
    leave for good. A plain loop over the history recorded with a huge bound gives the first
    step with max(|theta|, |psi|) > 2.5; the fast path (no record_every) and the step-by-step
    path (record_every=1, element-wise tracking at every step) must both report exactly that
    step and freeze at the state before it, bit for bit, for every chunk size. Chunk size 1
    (one trajectory per chunk, the costliest) runs on a few hundred of the trajectories:
    every excursion that comes back, and the first 300 (starts that leave at once, leave for
    good, or never leave); the other chunk sizes on all 3000."""
    rng = np.random.default_rng(11)
    n = 3000
    t0, p0 = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
    h = rng.uniform(0.05, 4.5, n)
    m = stabgan.method("r1", gamma=1)
    steps = 150
    kw = dict(h=h, steps=steps, theta0=t0, psi0=p0, dtype=dtype)
    free = stabgan.simulate(m, "simgd", bound=1e30, record_every=1, **kw)
    peak = np.maximum(np.abs(free.history_theta), np.abs(free.history_psi))
    out = ~(peak <= 2.5)
    first = np.where(out.any(axis=1), out.argmax(axis=1), -1)
    back = out.any(axis=1) & ~out[:, -1] & np.isfinite(peak[:, -1])
    assert back.sum() > 20 and (first > 0).sum() > 200      # excursions that come back
    slow = stabgan.simulate(m, "simgd", bound=2.5, record_every=1, **kw)
    assert np.array_equal(slow.diverged_at, first)
    rows = np.flatnonzero(first > 0)
    assert np.array_equal(slow.theta[rows], free.history_theta[rows, first[rows] - 1])
    for chunk in (7, 1000, 8192):
        fast = stabgan.simulate(m, "simgd", bound=2.5, chunk_size=chunk, **kw)
        _same(fast, slow, chunk)
    sub = np.union1d(np.flatnonzero(back), np.arange(300))
    assert back[sub].sum() == back.sum() and (first[sub] > 0).sum() > 100
    assert (first[sub] == -1).sum() > 20 and (out[sub, -1]).sum() > 20
    fast1 = stabgan.simulate(m, "simgd", bound=2.5, chunk_size=1,
                             **{**kw, "h": h[sub], "theta0": t0[sub], "psi0": p0[sub]})
    _same(fast1, slow, 1, rows=sub)
    fast2 = stabgan.simulate(m, "simgd", bound=2.5, workers=2, chunk_size=500, **kw)
    _same(fast2, slow, "workers")


def test_fast_path_agrees_with_the_stepwise_path_for_clipping_and_nonfinite_starts():
    """Consistency: WGAN (clipping after each step) and the bilinear game (every trajectory
    leaves, some start outside the bound, one start overflows theta psi at once) on the fast
    path and on the step-by-step path give the same bits."""
    rng = np.random.default_rng(12)
    t0, p0 = rng.uniform(-3, 3, 500), rng.uniform(-3, 3, 500)
    t0[:3] = [1e200, 5e8, -1e9]
    p0[:3] = [1e200, 0.0, 1.0]
    for name, params in (("wgan", {"c": 1}), ("bilinear", {}), ("gan", {})):
        m = stabgan.method(name, **params)
        kw = dict(h=0.7, steps=100, theta0=t0, psi0=p0, bound=1e3)
        fast = stabgan.simulate(m, "simgd", **kw)
        slow = stabgan.simulate(m, "simgd", record_every=1, **kw)
        _same(fast, slow, name)
        assert np.all(fast.diverged_at[:3] == 0)
