"""The simulator's one chunk loop (``stabgan.oracles.loop``): progress, the bound monitor and
freezing are the same for every scheme.

Kinds of evidence: *consistency* (the progress count against trajectories x steps; one run
against another route through stabgan: a run with a huge bound that records every state,
read by a plain loop for the first step outside the bound). pytest runs with
``filterwarnings = error``.
"""
from __future__ import annotations

import threading

import numpy as np
import pytest

import stabgan

#: Every kind of stepper and step: the fused kernels (SimGD, AltGD), the update rules
#: (extragradient, OGDA, momentum, lookahead, lazy regularization), a field with noise.
SCHEMES = [
    ("r1", "simgd", {}),
    ("r1", "altgd", {"n_d": 2}),
    ("wgan", "simgd", {}),
    ("r1", "extragradient", {}),
    ("r1", "ogda", {}),
    ("r1", "simgd", {"momentum": 0.5}),
    ("r1", "altgd", {"momentum": 0.5}),
    ("r1", "lookahead", {}),
    ("r1", "lookahead", {"base": "altgd", "lookahead_steps": 3}),
    ("r1", "simgd", {"lazy_every": 3}),
    ("r1", "altgd", {"lazy_every": 2}),
    ("instance-noise", "simgd", {}),
    ("instance-noise", "altgd", {}),
]


def _id(case):
    mid, scheme, opts = case
    return "-".join([mid, scheme] + [f"{k}={v}" for k, v in opts.items()])


def _every_reading_fires(monkeypatch):
    """A Meter whose clock advances 2 s per reading: the callback fires at every add."""
    import stabgan.oracles.simulate as sim
    ticks = iter(range(0, 10 ** 9, 2))

    def init(self, callback, total):
        self.callback, self.total, self.done = callback, total, 0
        self.clock = lambda: next(ticks)
        self.last = self.clock()
        self.lock = threading.Lock()
    monkeypatch.setattr(sim.Meter, "__init__", init)


@pytest.mark.parametrize("steps", [40, 1, 17])
@pytest.mark.parametrize("case", SCHEMES, ids=[_id(c) for c in SCHEMES])
def test_progress_reaches_trajectories_times_steps_for_every_scheme(monkeypatch, case, steps):
    """Consistency: the last progress report is (trajectories x steps, trajectories x steps),
    the count never goes back, and every report names the same total (momentum with 40 steps
    used to stop at 32 of 40)."""
    _every_reading_fires(monkeypatch)
    mid, scheme, opts = case
    seen = []
    stabgan.simulate(stabgan.method(mid), scheme, h=0.1, steps=steps, theta0=[1.0, 2.0, -0.5],
                     psi0=1.0, progress=lambda d, t: seen.append((d, t)), **opts)
    total = 3 * steps
    assert seen and seen[-1] == (total, total), seen
    assert all(t == total for _, t in seen)
    assert all(a <= b for (a, _), (b, _) in zip(seen, seen[1:]))


@pytest.mark.parametrize("scheme, opts", [("simgd", {}), ("ogda", {}),
                                          ("simgd", {"momentum": 0.6})])
def test_progress_reaches_the_total_when_every_trajectory_leaves_early(monkeypatch, scheme,
                                                                         opts):
    """Consistency: bilinear with h = 3 leaves the bound within a few steps; the steps a
    frozen trajectory does not run still count, in several chunks on two threads."""
    _every_reading_fires(monkeypatch)
    seen = []
    r = stabgan.simulate(stabgan.method("bilinear"), scheme, h=3.0, steps=100,
                         theta0=np.linspace(0.5, 1.5, 9), psi0=1.0, chunk_size=2, workers=2,
                         progress=lambda d, t: seen.append((d, t)), **opts)
    assert np.all(r.diverged_at > 0) and np.all(r.diverged_at < 20)
    assert seen[-1] == (900, 900)


#: Schemes whose trajectories overshoot a small bound and come back, or leave for good.
EXCURSIONS = [
    ("simgd", {}), ("altgd", {"n_g": 2}), ("extragradient", {"h_e": 0.5}), ("ogda", {}),
    ("simgd", {"momentum": 0.4}), ("altgd", {"momentum": -0.3}),
    ("lookahead", {"base": "altgd", "lookahead_steps": 3, "lookahead_alpha": 0.7}),
    ("simgd", {"lazy_every": 3}),
]


@pytest.mark.parametrize("scheme, opts", EXCURSIONS, ids=[_id(("r1",) + c) for c in EXCURSIONS])
def test_every_scheme_freezes_at_the_first_step_outside_the_bound(scheme, opts):
    """Consistency and independent: R1 (gamma = 1) with step sizes up to 5 and the bound 2.2.
    A plain loop over the history recorded with a huge bound gives the first step with
    max(|theta|, |psi|) > 2.2 (or non-finite); the run with the bound must report exactly that
    step and be frozen at the recorded state before it, bit for bit, whatever the chunk
    size, with and without record_every (the monitor's sum of squares trips, the block is
    replayed step by step for the trajectories that left)."""
    rng = np.random.default_rng(21)
    n = 400
    t0, p0 = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
    h = np.random.default_rng(22).uniform(0.05, 5.0, n)
    m = stabgan.method("r1", gamma=1)
    kw = dict(h=h, steps=90, theta0=t0, psi0=p0, **opts)
    free = stabgan.simulate(m, scheme, bound=1e300, record_every=1, **kw)
    peak = np.maximum(np.abs(free.history_theta), np.abs(free.history_psi))
    out = ~(peak <= 2.2)
    first = np.where(out.any(axis=1), out.argmax(axis=1), -1)
    back = out.any(axis=1) & ~out[:, -1]
    assert back.sum() >= 1 and (first > 0).sum() > 40, (back.sum(), (first > 0).sum())
    rows = np.flatnonzero(first > 0)
    for chunk in (1, 7, 1000):
        for record in (None, 4):
            r = stabgan.simulate(m, scheme, bound=2.2, chunk_size=chunk, record_every=record,
                                 **kw)
            assert np.array_equal(r.diverged_at, first), (chunk, record)
            assert np.array_equal(r.theta[rows], free.history_theta[rows, first[rows] - 1])
            assert np.array_equal(r.psi[rows], free.history_psi[rows, first[rows] - 1])
            live = first < 0
            assert np.array_equal(r.theta[live], free.theta[live])
            if record:
                steps = r.record_steps
                frozen = steps[None, :] >= np.where(first > 0, first, 10 ** 9)[:, None]
                want = np.where(frozen, r.theta[:, None], free.history_theta[:, steps])
                assert np.array_equal(r.history_theta, want), (chunk, record)


def test_chunk_field_and_method_field_share_the_quadrature():
    """Consistency: the simulator's chunk evaluator and ``Method.field`` sum the same
    quadrature (``codegen.field.expectation_sum``) over kernels compiled two ways, so they agree
    to rounding on instance noise; and a zero weight on the noise (sigma -> tiny) gives the
    noise-free field of the unregularized GAN."""
    from stabgan.oracles.fields import ChunkField
    rng = np.random.default_rng(1)
    th, ps = rng.uniform(-2, 2, 64), rng.uniform(-2, 2, 64)
    m = stabgan.method("instance-noise", sigma=0.7)
    chunk = ChunkField(m, (0, 1), 64, np.float64)(th, ps)
    for got, want in zip(chunk, m.field(th, ps)):
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)
    tiny = stabgan.method("instance-noise", sigma=1e-9)
    for got, want in zip(ChunkField(tiny, (0, 1), 64, np.float64)(th, ps),
                         stabgan.method("gan").field(th, ps)):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-12)
