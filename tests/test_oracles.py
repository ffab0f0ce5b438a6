"""The two numeric oracles (issue 4, sections 2-4): the vectorized simulator and the ODE
integrator, checked against independent facts.

Kinds of evidence, named in each test:
- *independent*: exact arithmetic (integer iterates of the bilinear game), mpmath at 50 digits,
  ``scipy.linalg.expm`` of the linear field, conserved quantities, published spectra and
  equilibria typed in here from the paper's formulas, plain loops written as a user would;
- *invariance*: the same trajectory computed in different batches, chunks, orders, threads
  and precisions (DESIGN.md section 6: bitwise, or within float32 tolerance);
- *consistency*: two routes through stabgan (said so where used).

Every tolerance is stated with its reason. pytest runs with ``filterwarnings = error``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings

import mpmath as mp
import numpy as np
import pytest
import scipy.linalg
import sympy as sp

import stabgan
from stabgan import InputError

F1_LOGISTIC = 0.5      # f'(0) for the logistic f(t) = -log(1 + exp(-t)) (DESIGN.md section 2)


def _bilinear_iterates(x0, h, steps):
    """Exact SimGD iterates of min_x max_y x y: (theta, psi) <- (theta - h psi, psi + h theta),
    in rational arithmetic (independent of floating point)."""
    from fractions import Fraction
    th, ps = Fraction(x0[0]), Fraction(x0[1])
    h = Fraction(h)
    out = [(th, ps)]
    for _ in range(steps):
        th, ps = th - h * ps, ps + h * th
        out.append((th, ps))
    return out


# ---------------------------------------------------------------------------------------------
# 1. Status flags
# ---------------------------------------------------------------------------------------------

def test_status_flags_converged_bounded_diverged():
    """Independent: the three regimes of the paper. R1 (gamma = 1, h = 0.1, well below
    h_max = 4) contracts; the unregularized GAN under AltGD with alpha = h |f'(0)| = 0.05 <= 2
    (Lemma 2.5) has its spectrum on the unit circle and cycles; the bilinear game under SimGD
    grows by sqrt(1 + h^2) per step (Lemma 2.4) and leaves the bound. Frozen states are
    compared exactly with rational iterates (h = 1 and dyadic starts keep every iterate exact
    in float64, so equality is the right test)."""
    starts_t = np.array([1.0, -0.5, 2.0])
    starts_p = np.array([1.0, 1.5, -0.25])

    r = stabgan.simulate(stabgan.method("r1", gamma=1), "simgd", h=0.1, steps=1000,
                         theta0=starts_t, psi0=starts_p)
    assert r.status.tolist() == ["converged"] * 3
    assert r.converged.all() and not r.diverged.any()
    assert np.all(r.diverged_at == -1)
    assert np.all(r.distance <= 1e-6)          # tol = 1e-6, the documented default

    steps = 3000
    r = stabgan.simulate(stabgan.method("gan"), "altgd", h=0.1, steps=steps,
                         theta0=starts_t, psi0=starts_p, record_every=10)
    assert r.status.tolist() == ["bounded"] * 3
    assert not r.converged.any() and not r.diverged.any()
    # it cycles: the norm neither decays nor grows (within a factor 2 of the start over
    # 3000 steps, about 10 turns) and theta changes sign again and again
    norm = np.hypot(r.history_theta, r.history_psi)
    norm0 = np.hypot(starts_t, starts_p)[:, None]
    assert np.all(norm > 0.5 * norm0) and np.all(norm < 2 * norm0)
    sign_changes = np.sum(np.diff(np.sign(r.history_theta), axis=-1) != 0, axis=-1)
    assert np.all(sign_changes >= 10)

    bound = 1e8
    r = stabgan.simulate(stabgan.method("bilinear"), "simgd", h=1.0, steps=200,
                         theta0=starts_t, psi0=starts_p, bound=bound)
    assert r.status.tolist() == ["diverged"] * 3
    assert r.diverged.all() and not r.converged.any()
    assert np.all(np.isfinite(r.theta)) and np.all(np.isfinite(r.psi))
    for i in range(3):
        k = int(r.diverged_at[i])
        exact = _bilinear_iterates((starts_t[i], starts_p[i]), 1, k)
        # frozen at the last state inside the bound, which is the exact iterate k - 1 ...
        assert (r.theta[i], r.psi[i]) == tuple(float(v) for v in exact[k - 1])
        inside = [max(abs(a), abs(b)) <= bound for a, b in exact]
        # ... k is the first step outside (whichever norm is meant: max-abs <= Euclidean)
        assert all(inside[:k]) and not inside[k]


def test_status_flags_in_one_call():
    """Independent: one call, one method (the bilinear game under AltGD), three flags:
    the equilibrium is a fixed point (exactly (0, 0) forever: converged); h = 0.1 gives
    alpha = 0.1 <= 2, eigenvalues on the unit circle (bounded); h = 2.5 gives alpha > 2, a real
    eigenvalue of modulus > 1 (Lemma 2.5: diverged). The stalled minimax GAN of the issue runs
    next to a bounded one in one call too."""
    r = stabgan.simulate(stabgan.method("bilinear"), "altgd", h=np.array([0.1, 0.1, 2.5]),
                         steps=500, theta0=np.array([0.0, 1.0, 1.0]),
                         psi0=np.array([0.0, 1.0, 1.0]))
    assert r.status.tolist() == ["converged", "bounded", "diverged"]
    assert r.converged.tolist() == [True, False, False]
    assert r.diverged.tolist() == [False, False, True]
    assert r.diverged_at[0] == -1 and r.diverged_at[1] == -1 and r.diverged_at[2] > 0
    assert np.all(np.isfinite(r.theta)) and np.all(np.isfinite(r.psi))

    r = stabgan.simulate(stabgan.method("gan"), "simgd", h=np.array([5.0, 0.1]), steps=20,
                         theta0=1.0, psi0=1.0)
    assert r.status.tolist() == ["stalled", "bounded"]


def test_diverged_is_frozen_at_the_first_step_outside_the_bound():
    """Independent (plain loop): the contract says a trajectory beyond the bound is frozen at
    the step it left, with that step recorded. Bilinear AltGD, h = 0.5, from (1, 0) runs on
    an ellipse whose coordinates reach 1.0312 at step 3 and come back inside 1.03 by step 16;
    with bound = 1.03 the trajectory leaves at step 3 (max-abs and Euclidean norm alike).
    Exact comparison: the plain loop does the same two float64 operations per step."""
    h, bound = 0.5, 1.03
    th, ps = 1.0, 0.0
    states = [(th, ps)]
    for _ in range(40):
        th = th - h * ps
        ps = ps + h * th
        states.append((th, ps))
    first = next(k for k, (a, b) in enumerate(states) if max(abs(a), abs(b)) > bound)
    assert first == 3
    r = stabgan.simulate(stabgan.method("bilinear"), "altgd", h=h, steps=40, theta0=1.0,
                         psi0=0.0, bound=bound)
    assert r.status.item() == "diverged", (r.status, r.diverged_at, r.theta, r.psi)
    assert r.diverged_at.item() == first
    assert (r.theta.item(), r.psi.item()) == states[first - 1]


def test_stalled_minimax_gan_matches_mpmath():
    """Independent (mpmath, 50 digits): the minimax GAN under SimGD, h = 5, from (1, 1) reaches
    (-14.2163..., -41.1164...) after 3 steps, where f'(theta psi) = sigmoid(-584) ~ 1e-254: the
    update is below half an ulp of the state, so float64 stops there. Tolerance 1e-12
    relative: 3 steps of a map whose derivative is at most ~40 (psi jumps from 1.15 to -41)
    turn the ~1e-16 rounding of each step into at most ~1e-14."""
    with mp.workdps(50):
        th, ps, h = mp.mpf(1), mp.mpf(1), mp.mpf(5)
        for _ in range(3):
            fp = 1 / (1 + mp.e ** (th * ps))     # f'(t) = sigmoid(-t) for the logistic f
            th, ps = th - h * ps * fp, ps + h * th * fp
        ref = (float(th), float(ps))
    for steps in (200, 250):
        r = stabgan.simulate(stabgan.method("gan"), "simgd", h=5.0, steps=steps, theta0=1.0,
                             psi0=1.0)
        assert r.status.item() == "stalled"
        assert not r.converged.item() and not r.diverged.item()
        assert r.theta.item() == pytest.approx(ref[0], rel=1e-12)
        assert r.psi.item() == pytest.approx(ref[1], rel=1e-12)
        assert abs(r.theta.item() + 14) < 1 and abs(r.psi.item() + 41) < 1


# ---------------------------------------------------------------------------------------------
# 2. Bitwise invariance (batch size, position, chunking, order, threads)
# ---------------------------------------------------------------------------------------------

BASE_T = np.array([1.0, -0.7, 0.3, 2.5, -1.9, 0.05, 1.4])
BASE_P = np.array([1.0, 0.4, -1.2, 0.8, -2.2, 0.01, -0.6])
BASE_H = np.array([0.05, 0.2, 0.5, 1.0, 2.0, 3.0, 4.5])      # r1 gamma=1 SimGD: h_max = 4
POSITIONS = np.array([0, 1, 999, 1000, 5003, 8192, 9999])   # chunk edges of 1000 and 8192
BIG = 10_000

CONFIGS = {
    "r1-simgd": dict(method=("r1", {"gamma": 0.3}), scheme="simgd", h=0.2),
    "r1-altgd-nd5": dict(method=("r1", {"gamma": 0.3}), scheme="altgd", h=0.1, n_d=5),
    "gan-altgd": dict(method=("gan", {}), scheme="altgd", h=0.3),
    "bilinear-simgd-diverging": dict(method=("bilinear", {}), scheme="simgd", h=1.0),
    "wgan-clipped-simgd": dict(method=("wgan", {}), scheme="simgd", h=0.3),
    "r1-simgd-array-h": dict(method=("r1", {"gamma": 1}), scheme="simgd", h="array"),
}
FIELDS = ("theta", "psi", "distance", "converged", "diverged", "status", "diverged_at",
          "history_theta", "history_psi", "record_steps")


def _filler(seed: int):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    t = rng.uniform(-3, 3, BIG)
    p = rng.uniform(-3, 3, BIG)
    h = rng.uniform(0.01, 5.0, BIG)     # with array h: many of these diverge
    return t, p, h


def _run(cfg, theta0, psi0, h, **kw):
    name, params = cfg["method"]
    opts = {k: v for k, v in cfg.items() if k not in ("method", "scheme", "h")}
    return stabgan.simulate(stabgan.method(name, **params), cfg["scheme"], h=h, steps=120,
                            theta0=theta0, psi0=psi0, **opts, **kw)


def _pick(r, idx):
    out = {}
    for f in FIELDS:
        a = getattr(r, f)
        out[f] = a if (a is None or f == "record_steps") else a[idx]
    return out


def _assert_same(a, b, what):
    for f in FIELDS:
        x, y = a[f], b[f]
        if x is None or y is None:
            assert x is None and y is None, (what, f)
            continue
        assert np.array_equal(x, y), (what, f)


@pytest.mark.parametrize("record_every", [None, 7])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_bitwise_invariance(name, record_every):
    """Invariance (DESIGN.md section 6, practice 9): np.array_equal, no tolerance. Every
    operation is elementwise, so a trajectory's bits may not depend on the batch it is in
    (sizes 1, 7, 10^4, at chunk edges), on chunk_size (1, 3, 1000, 8192), on the order of
    the batch (reversed), on workers (1 vs 2), with or without record_every. With array h the
    lone trajectory runs with a scalar step and the batch with per-trajectory steps."""
    cfg = CONFIGS[name]
    hs = BASE_H if cfg["h"] == "array" else np.full(BASE_T.shape, cfg["h"])
    kw = {"record_every": record_every}

    singles = [_pick(_run(cfg, BASE_T[i], BASE_P[i], hs[i], **kw), ()) for i in range(7)]
    # sanity: the base set is not trivial for the diverging configurations
    if name in ("bilinear-simgd-diverging", "r1-simgd-array-h"):
        assert any(s["diverged"] for s in singles)
    h7 = hs if cfg["h"] == "array" else cfg["h"]
    for chunk in (1, 3, 8192):
        r7 = _run(cfg, BASE_T, BASE_P, h7, chunk_size=chunk, **kw)
        for i in range(7):
            _assert_same(singles[i], _pick(r7, i), (name, "batch 7", chunk, i))

    ft, fp, fh = _filler(1 + list(CONFIGS).index(name))
    ft[POSITIONS], fp[POSITIONS] = BASE_T, BASE_P
    fh[POSITIONS] = hs
    hbig = fh if cfg["h"] == "array" else cfg["h"]
    variants = {
        "chunk 8192": dict(chunk_size=8192),
        "chunk 1000": dict(chunk_size=1000),
        "workers 2": dict(chunk_size=1000, workers=2),
    }
    for label, opts in variants.items():
        rb = _run(cfg, ft, fp, hbig, **opts, **kw)
        for i, pos in enumerate(POSITIONS):
            _assert_same(singles[i], _pick(rb, pos), (name, label, i))
    rr = _run(cfg, ft[::-1], fp[::-1], hbig[::-1] if cfg["h"] == "array" else hbig, **kw)
    for i, pos in enumerate(POSITIONS):
        _assert_same(singles[i], _pick(rr, BIG - 1 - pos), (name, "reversed", i))


def test_noise_method_simulates_one_step_against_mpmath():
    """Independent (mpmath quadrature, 30 digits): instance noise is the one method whose field
    is a Gaussian expectation (the simulator's quadrature path, not the fused kernel). One
    SimGD step from (theta, psi) must be x + h v(x) with v the noisy-sample field of Mescheder
    et al. Tolerance 1e-12 absolute: the package's quadrature is stated to 1e-12
    (tests/test_numeric.py), times h <= 1, plus a few ulp of rounding."""
    m = stabgan.method("instance-noise", sigma=1)

    def sig(u):
        return 1 / (1 + mp.e ** (-u))

    def field(theta, psi):
        theta, psi = mp.mpf(theta), mp.mpf(psi)

        def density(e):
            return mp.e ** (-e ** 2 / 2) / mp.sqrt(2 * mp.pi)
        cut = [-mp.inf, -theta, 0, mp.inf]
        vt = -mp.quad(lambda e: psi * sig(-psi * (theta + e)) * density(e), cut)
        vp = (mp.quad(lambda e: (theta + e) * sig(-psi * (theta + e)) * density(e), cut)
              - mp.quad(lambda e: e * sig(psi * e) * density(e), [-mp.inf, 0, mp.inf]))
        return float(vt), float(vp)

    starts = [(0.7, -0.3), (1.5, 1.0), (-2.0, 0.5)]
    h = 0.5
    r = stabgan.simulate(m, "simgd", h=h, steps=1, theta0=[s[0] for s in starts],
                         psi0=[s[1] for s in starts])
    with mp.workdps(30):
        for i, (t0, p0) in enumerate(starts):
            vt, vp = field(t0, p0)
            assert abs(r.theta[i] - (t0 + h * vt)) < 1e-12
            assert abs(r.psi[i] - (p0 + h * vp)) < 1e-12
    # and the noisy path is batch-invariant too (bitwise)
    alone = stabgan.simulate(m, "altgd", h=0.2, steps=50, theta0=0.7, psi0=-0.3)
    batch = stabgan.simulate(m, "altgd", h=0.2, steps=50, theta0=[1.0, 0.7, -2.0],
                             psi0=[0.3, -0.3, 0.5], chunk_size=2)
    assert alone.theta.item() == batch.theta[1] and alone.psi.item() == batch.psi[1]


# ---------------------------------------------------------------------------------------------
# 3. float32 against float64
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["simgd", "altgd"])
def test_float32_agrees_with_float64(scheme):
    """Invariance within float32 tolerance: R1 (gamma = 1, h = 0.1) contracts, so an error
    made at one step shrinks with the state afterwards; relative to the state it can at most
    add up over the steps: ~ 3 eps_32 (6e-8) per step x 300 steps ~ 5e-5 in the worst case (a
    random walk gives ~4e-6). Tolerance: 1e-4 x |x_64| at every step, plus the smallest
    normal float32 for states that reach the subnormal range."""
    g = np.linspace(-2, 2, 5)
    t0, p0 = np.meshgrid(g, g)
    m = stabgan.method("r1", gamma=1)
    kw = dict(h=0.1, steps=300, theta0=t0, psi0=p0, record_every=1)
    r64 = stabgan.simulate(m, scheme, dtype=np.float64, **kw)
    r32 = stabgan.simulate(m, scheme, dtype=np.float32, **kw)
    assert r32.theta.dtype == np.float32 and r32.history_theta.dtype == np.float32
    err = np.hypot(r32.history_theta - r64.history_theta, r32.history_psi - r64.history_psi)
    scale = np.hypot(r64.history_theta, r64.history_psi)
    assert np.all(err <= 1e-4 * scale + np.finfo(np.float32).tiny)


@pytest.mark.parametrize("scheme", ["simgd", "altgd"])
def test_float32_status_agrees_with_float64(scheme):
    """Invariance of the verdict: the same contracting R1 runs as above. After 300 steps the
    float64 states are at distances 1.07e-6 ... 3e-3 from (0, 0), at least 6% above
    tol = 1e-6, so "bounded" (not yet converged; the start (0, 0) itself is "converged"),
    and they go on contracting at the linear rate (600 steps reach 1e-8 in both precisions).
    The float32 states agree to 1e-4 relative (previous test), far inside that 6% margin, so
    the statuses must be equal; in particular
    a trajectory still contracting at a linear rate near the equilibrium is not "stalled" (the
    field has not vanished: |v| ~ 0.5 |x|)."""
    g = np.linspace(-2, 2, 5)
    t0, p0 = np.meshgrid(g, g)
    m = stabgan.method("r1", gamma=1)
    kw = dict(h=0.1, steps=300, theta0=t0, psi0=p0)
    r64 = stabgan.simulate(m, scheme, dtype=np.float64, **kw)
    r32 = stabgan.simulate(m, scheme, dtype=np.float32, **kw)
    far = ~np.isclose(r64.distance, 1e-6, rtol=0.05)      # no distance at the tol threshold
    assert far.all()
    assert np.array_equal(r32.status, r64.status), (r32.status, r64.status, r64.distance)


# ---------------------------------------------------------------------------------------------
# 4. NumPy's SIMD paths switched off
# ---------------------------------------------------------------------------------------------

_SIMD_WORKLOAD = textwrap.dedent("""
    import numpy as np
    import stabgan
    g = np.linspace(-2.0, 2.0, 21)
    T, P = np.meshgrid(g, g)
    runs = {
        "r1_simgd": stabgan.simulate(stabgan.method("r1", gamma=0.3), "simgd", h=0.2,
                                     steps=400, theta0=T, psi0=P),
        "r1_altgd_nd5": stabgan.simulate(stabgan.method("r1", gamma=0.3), "altgd", h=0.1,
                                         n_d=5, steps=200, theta0=T, psi0=P),
        "gan_altgd": stabgan.simulate(stabgan.method("gan"), "altgd", h=0.1, steps=400,
                                      theta0=T, psi0=P),
        "dragan_simgd": stabgan.simulate(stabgan.method("dragan", gamma=0.7), "simgd",
                                         h=0.05, steps=400, theta0=T, psi0=P),
    }
    arrays = {}
    for key, r in runs.items():
        arrays[key + "_theta"] = r.theta
        arrays[key + "_psi"] = r.psi
        arrays[key + "_status"] = r.status
""")


def _dispatched_non_baseline_features():
    from numpy._core import _multiarray_umath as mu
    baseline = set(mu.__cpu_baseline__)
    return [f for f in mu.__cpu_dispatch__
            if mu.__cpu_features__.get(f, False) and f not in baseline]


def test_results_agree_with_simd_switched_off(tmp_path):
    """Independent of the hardware paths: the same workload in a subprocess where NumPy's
    runtime dispatch is told (NPY_DISABLE_CPU_FEATURES, a space-separated list; baseline
    features cannot be disabled) not to use the non-baseline features it would dispatch on
    this machine. Tolerance 1e-12 x max(1, |x|) (issue 4): the SIMD and scalar exp/divide may
    differ by an ulp or so per step; contracting and rotating runs of <= 400 steps keep that
    below ~1e-13."""
    disabled = _dispatched_non_baseline_features()
    assert disabled, "this machine dispatches non-baseline SIMD features; the list is empty"
    out = tmp_path / "simd_off.npz"
    child = _SIMD_WORKLOAD + textwrap.dedent(f"""
        from numpy._core._multiarray_umath import __cpu_features__ as feats
        np.savez({str(out)!r}, **arrays)
        print(__import__("json").dumps({{f: bool(feats[f]) for f in {disabled!r}}}))
    """)
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(disabled))
    proc = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # the child really ran without them
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {f: False for f in disabled}
    ns: dict = {}
    exec(_SIMD_WORKLOAD, ns)  # noqa: S102 - our own workload, run in-process with SIMD on
    here = ns["arrays"]
    there = np.load(out)
    for key, a in here.items():
        b = there[key]
        if a.dtype.kind == "U":
            assert np.array_equal(a, b), key
        else:
            assert np.all(np.abs(a - b) <= 1e-12 * np.maximum(1.0, np.abs(a))), key


# ---------------------------------------------------------------------------------------------
# 5. No warnings leak
# ---------------------------------------------------------------------------------------------

def test_diverging_runs_and_huge_starts_leak_no_warnings(capfd):
    """Independent of stabgan's own bookkeeping: NumPy's floating-point warnings would be
    errors here (filterwarnings = error) and are also recorded explicitly; nothing may reach
    stderr. A diverging run overflows to inf/nan if not stopped; starts of 1e200 overflow
    theta psi at the first step."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = stabgan.simulate(stabgan.method("bilinear"), "simgd", h=1.0, steps=2000,
                             theta0=np.linspace(-1, 1, 9), psi0=0.5)
        assert np.all(r.status == "diverged")
        for name, params in (("bilinear", {}), ("gan", {}), ("r1", {"gamma": 0.3}),
                             ("wgan-gp", {"gamma": 0.7})):
            for scheme in ("simgd", "altgd"):
                r = stabgan.simulate(stabgan.method(name, **params), scheme, h=0.1, steps=100,
                                     theta0=1e200, psi0=np.array([1.0, -1e200, 1e300, 0.0]))
                assert np.all(r.status == "diverged"), (name, scheme, r.status)
                assert np.all(np.isfinite(r.theta)) and np.all(np.isfinite(r.psi))
    assert caught == []
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


# ---------------------------------------------------------------------------------------------
# 6. record_every
# ---------------------------------------------------------------------------------------------

def test_record_every_shapes_and_values():
    """Shapes follow the contract (broadcast shape + (steps // k + 1,)); the recorded steps
    are 0, k, 2k, ...; consistency: each recorded state is bitwise the final state of a run
    with that many steps (a second route through stabgan)."""
    m = stabgan.method("r1", gamma=0.3)
    t0 = np.array([[0.5], [-1.0], [2.0]])           # (3, 1)
    p0 = np.array([1.0, -0.5, 0.25, 3.0])           # (4,)
    h = np.array([0.1, 0.3]).reshape(2, 1, 1)       # (2, 1, 1)
    steps, k = 50, 7
    r = stabgan.simulate(m, "altgd", h=h, steps=steps, theta0=t0, psi0=p0, record_every=k)
    assert r.theta.shape == (2, 3, 4)
    assert r.history_theta.shape == r.history_psi.shape == (2, 3, 4, steps // k + 1)
    assert r.record_steps.tolist() == list(range(0, steps + 1, k))
    assert np.array_equal(r.history_theta[..., 0], np.broadcast_to(t0, (2, 3, 4)))
    assert np.array_equal(r.history_psi[..., 0], np.broadcast_to(p0, (2, 3, 4)))
    for j in (1, 3, 7):
        s = stabgan.simulate(m, "altgd", h=h, steps=j * k, theta0=t0, psi0=p0)
        assert np.array_equal(r.history_theta[..., j], s.theta)
        assert np.array_equal(r.history_psi[..., j], s.psi)
    r2 = stabgan.simulate(m, "simgd", h=0.2, steps=42, theta0=t0, psi0=p0, record_every=6)
    assert r2.history_theta.shape == (3, 4, 8)
    assert np.array_equal(r2.history_theta[..., -1], r2.theta)      # 42 = 7 x 6
    assert np.array_equal(r2.history_psi[..., -1], r2.psi)


def test_record_every_history_of_a_diverged_trajectory_is_frozen():
    """Independent (exact rational iterates): bilinear SimGD with h = 1 from (1, 1) leaves
    the bound 1e8 at step 53. Recorded states before that are the exact iterates; every
    recorded state from step 53 on is the frozen state (iterate 52), never the escaped one."""
    k, steps = 4, 80
    r = stabgan.simulate(stabgan.method("bilinear"), "simgd", h=1.0, steps=steps,
                         theta0=[1.0, 0.5], psi0=[1.0, 0.0], record_every=k)
    assert r.history_theta.shape == (2, steps // k + 1)
    for i, x0 in enumerate([(1, 1), (0.5, 0)]):
        exact = _bilinear_iterates(x0, 1, steps)
        d = int(r.diverged_at[i])
        assert r.status[i] == "diverged" and d > 0
        for j, s in enumerate(r.record_steps):
            want = exact[s] if s < d else exact[d - 1]
            assert (r.history_theta[i, j], r.history_psi[i, j]) == \
                tuple(float(v) for v in want), (i, s, d)


# ---------------------------------------------------------------------------------------------
# 7. The ODE integrator
# ---------------------------------------------------------------------------------------------

def test_ode_conserves_the_norm_of_the_unregularized_gan():
    """Independent (conserved quantity, Mescheder et al. Lemma 2.3): for the minimax GAN,
    d/dt (theta^2 + psi^2) = 2 (-theta psi f' + psi theta f') = 0. Tolerance 1e-8 relative
    over t = 100 (issue 4): rtol = 1e-10 per step, drift over ~16 turns stays far below."""
    t0 = np.array([1.0, 0.3, -2.0, 3.0])
    p0 = np.array([1.0, -0.7, 0.5, 2.0])
    o = stabgan.integrate(stabgan.method("gan"), t_span=(0, 100), theta0=t0, psi0=p0)
    assert o.theta.shape == (4, o.t.size) and o.t[-1] == 100
    assert np.all(o.status == "success")
    r2 = o.theta ** 2 + o.psi ** 2
    assert np.all(np.abs(r2 - (t0 ** 2 + p0 ** 2)[:, None]) <= 1e-8 * (t0 ** 2 + p0 ** 2)[:, None])


LINEAR = {
    # the game min_x max_y x y: v = (-psi, theta), typed in here
    "bilinear": ({}, np.array([[0.0, -1.0], [1.0, 0.0]])),
    # WGAN, f(t) = t: the same field while |psi| < c = 1 (starts inside the clip)
    "wgan": ({}, np.array([[0.0, -1.0], [1.0, 0.0]])),
    # WGAN-GP with g0 = 0: penalty gamma/2 psi^2, v = (-psi, theta - gamma psi)
    "wgan-gp": ({"gamma": 0.3, "g0": 0}, np.array([[0.0, -1.0], [1.0, -0.3]])),
}


@pytest.mark.parametrize("name", list(LINEAR))
def test_ode_matches_expm_on_linear_fields(name):
    """Independent (scipy.linalg.expm): on a linear field v = J x the flow is expm(J t) x0.
    Error in units of the requested accuracy, |x - x_ref| / (atol + rtol |x_ref|) with
    Euclidean norms, at two tolerance levels; bound 5 (SciPy's own test_ivp bound), since the
    global error over t = 10 (1.6 turns) is a few local tolerances. J is typed in from the
    definitions and checked against m.field (consistency) at random points."""
    params, J = LINEAR[name]
    m = stabgan.method(name, **params)
    rng = np.random.default_rng(np.random.SeedSequence(11))
    pts = rng.uniform(-0.6, 0.6, size=(2, 5))
    v = np.array(m.field(pts[0], pts[1]))
    assert np.allclose(v, J @ pts, rtol=0, atol=1e-15)
    T = np.linspace(0, 10, 101)
    for x0 in (np.array([0.6, -0.4]), np.array([0.9, 0.0]), np.array([-0.2, 0.7])):
        ref = np.stack([scipy.linalg.expm(J * t) @ x0 for t in T], axis=-1)
        for rtol, atol in ((1e-10, 1e-12), (1e-6, 1e-8)):
            o = stabgan.integrate(m, t_span=(0, 10), theta0=x0[0], psi0=x0[1], t_eval=T,
                                  rtol=rtol, atol=atol)
            x = np.stack([o.theta, o.psi])
            e = np.linalg.norm(x - ref, axis=0) / (atol + rtol * np.linalg.norm(ref, axis=0))
            assert e.max() < 5, (name, x0, rtol, e.max())


def test_ode_decay_rate_matches_the_spectral_abscissa():
    """Independent (published spectrum, Mescheder et al. 2018 Lemma 3.3 for R1: eigenvalues
    -gamma/2 +- i sqrt(f'(0)^2 - gamma^2/4)): for gamma = 0.3 the abscissa is -0.15. Sampled
    every period P = 2 pi / Im(lambda) the linear flow shrinks by exactly exp(-0.15 P), so
    the regression slope of log|x| is the rate. From |x0| ~ 1e-3 the nonlinear terms are
    O(|x|^2) ~ 1e-6 relative: tolerance 1e-6 on the rate."""
    gamma = sp.Rational(3, 10)
    a = stabgan.analyze(stabgan.method("r1", gamma=gamma))
    published = [-gamma / 2 + s * sp.I * sp.sqrt(sp.Rational(1, 4) - gamma ** 2 / 4)
                 for s in (1, -1)]
    assert sorted(map(complex, a.eigenvalues), key=lambda z: z.imag) == \
        pytest.approx(sorted(map(complex, published), key=lambda z: z.imag), abs=1e-14)
    abscissa = max(float(sp.re(e)) for e in a.eigenvalues)
    assert abscissa == -0.15
    omega = float(sp.sqrt(sp.Rational(1, 4) - gamma ** 2 / 4))
    T = np.arange(9) * 2 * np.pi / omega
    o = stabgan.integrate(stabgan.method("r1", gamma=0.3), t_span=(0, T[-1]), theta0=1e-3,
                          psi0=-5e-4, t_eval=T, rtol=1e-12, atol=1e-20)
    rate = np.polyfit(T, np.log(np.hypot(o.theta, o.psi)), 1)[0]
    assert abs(rate - abscissa) < 1e-6


# ---------------------------------------------------------------------------------------------
# 8. ODE against the simulator as h -> 0
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["simgd", "altgd"])
def test_simulator_converges_to_the_flow_at_first_order(scheme):
    """Independent oracles against each other (the ODE reference at rtol 1e-12 is ~1e9 times
    more accurate than the Euler-type schemes): SimGD and AltGD are first order, so the error
    at t = 2 is C h + O(h^2), and halving h halves it: ratio 2 + O(h). With h = 0.02 ... 0.0025
    the O(h) correction is about 1%: tolerance 0.05 on each ratio."""
    m = stabgan.method("r1", gamma=0.3)
    ref = stabgan.integrate(m, t_span=(0, 2), theta0=1.0, psi0=1.0, t_eval=[2.0], rtol=1e-12,
                            atol=1e-14)
    xr = np.array([ref.theta[-1], ref.psi[-1]])
    errs = []
    for h in (0.02, 0.01, 0.005, 0.0025):
        r = stabgan.simulate(m, scheme, h=h, steps=round(2 / h), theta0=1.0, psi0=1.0)
        errs.append(float(np.hypot(r.theta - xr[0], r.psi - xr[1])))
    ratios = np.array(errs[:-1]) / np.array(errs[1:])
    assert np.all(np.abs(ratios - 2) < 0.05), (errs, ratios)
    assert errs[-1] < 1e-3


# ---------------------------------------------------------------------------------------------
# 9. Where the flow ends: limit cycles and non-Nash points
# ---------------------------------------------------------------------------------------------

def _limit_cycle(m, starts):
    found = [stabgan.attractor(m, theta0=t, psi0=p) for t, p in starts]
    for a in found:
        assert a.kind == "limit_cycle", a
        assert a.period > 0
    # the same cycle from both starts: the section crossings agree to the stated 1e-8
    c = [a.theta_crossing for a in found]
    assert abs(c[0] - c[1]) <= 1e-8 * max(1.0, abs(c[0]))
    return found[0]


def test_wgan_gp_limit_cycle_and_non_nash_points():
    """Independent (one-sided equilibria typed in from the field): WGAN-GP, f(t) = t,
    v_psi = theta - gamma (|psi| - g0) sign(psi). On psi = 0+ it vanishes at theta = -gamma g0,
    on psi = 0- at theta = +gamma g0. gamma = 3, g0 = 1: the flow stops at -3 from psi > 0 and
    at +3 from psi < 0 (to 1e-6: the attractor's own stopping tolerance is 1e-8 on the speed),
    not at the Nash point; gamma = 0.7: a limit cycle, the same from two starts (1e-8)."""
    cyc = _limit_cycle(stabgan.method("wgan-gp", gamma=0.7, g0=1), [(1.0, 0.5), (-2.0, -1.0)])
    # the cycle closes: one period of the flow from its upward crossing comes back to it
    # (consistency: integrate and attractor share the piecewise solver); 1e-6 is far looser
    # than rtol 1e-10 over one period and far tighter than the cycle's size
    o = stabgan.integrate(stabgan.method("wgan-gp", gamma=0.7, g0=1),
                          t_span=(0, 1.5 * cyc.period), theta0=cyc.theta_crossing, psi0=0.0)
    ups = [(t, th) for t, th, d in o.crossings[0] if d == "up"]
    assert ups and abs(ups[0][0] - cyc.period) < 1e-6
    assert abs(ups[0][1] - cyc.theta_crossing) < 1e-6

    gamma, g0 = 3, 1
    m = stabgan.method("wgan-gp", gamma=gamma, g0=g0)
    for t, p in ((0.5, 1.0), (-2.0, 0.3), (4.0, 2.0)):
        a = stabgan.attractor(m, theta0=t, psi0=p)
        assert a.kind == "point" and abs(a.theta + gamma * g0) < 1e-6 and abs(a.psi) < 1e-6
    for t, p in ((0.5, -1.0), (2.0, -0.3), (-4.0, -2.0)):
        a = stabgan.attractor(m, theta0=t, psi0=p)
        assert a.kind == "point" and abs(a.theta - gamma * g0) < 1e-6 and abs(a.psi) < 1e-6


def test_dragan_point_cycle_and_bistability():
    """Independent (one-sided equilibrium typed in): DRAGAN with the logistic f and k = 1,
    v_psi = theta f'(psi theta) - gamma (|psi| - k) sign(psi); on psi = 0+ it vanishes at
    theta = -gamma k / f'(0) = -2 gamma. gamma = 1: the non-Nash point -2; gamma = 0.3: a
    limit cycle (same from two starts, 1e-8); gamma = 0.7: bistable, the point -1.4 from
    (-1, 0.2) and a limit cycle from (-1.5, 0.05). Points to 1e-6 as for WGAN-GP."""
    k = 1
    for gamma, start in ((1, (1.0, 0.5)), (1, (-1.0, 0.2)), (0.7, (-1.0, 0.2))):
        a = stabgan.attractor(stabgan.method("dragan", gamma=gamma, k=k), theta0=start[0],
                              psi0=start[1])
        assert a.kind == "point", (gamma, start, a)
        assert abs(a.theta + gamma * k / F1_LOGISTIC) < 1e-6 and abs(a.psi) < 1e-6
    _limit_cycle(stabgan.method("dragan", gamma=0.3, k=k), [(1.0, 0.5), (-2.0, -1.0)])
    a = stabgan.attractor(stabgan.method("dragan", gamma=0.7, k=k), theta0=-1.5, psi0=0.05)
    assert a.kind == "limit_cycle" and a.period > 0


def test_smooth_methods_attractors():
    """Independent (the paper): the minimax GAN is a centre, theta^2 + psi^2 conserved, so
    nothing attracts ("none"); R1 with gamma = 0.3 has spectral abscissa -0.15 < 0 and the
    flow reaches the Nash equilibrium ("equilibrium")."""
    assert stabgan.attractor(stabgan.method("gan"), theta0=1.0, psi0=1.0).kind == "none"
    a = stabgan.attractor(stabgan.method("r1", gamma=0.3), theta0=1.0, psi0=1.0)
    assert a.kind == "equilibrium"


# ---------------------------------------------------------------------------------------------
# 10. Bad inputs
# ---------------------------------------------------------------------------------------------

_R1 = dict(h=0.1, steps=10, theta0=1.0, psi0=1.0)


@pytest.mark.parametrize("kwargs, name", [
    (dict(_R1, h=0.0), "h"),
    (dict(_R1, h=-0.1), "h"),
    (dict(_R1, h=[0.1, 0.0]), "h"),
    (dict(_R1, steps=-1), "steps"),
    (dict(_R1, scheme="altgd", n_d=0), "n_d"),
    (dict(_R1, scheme="altgd", n_d=2.5), "n_d"),
    (dict(_R1, theta0=float("nan")), "theta0"),
    (dict(_R1, psi0=float("inf")), "psi0"),
    (dict(_R1, dtype=int), "dtype"),
])
def test_simulate_rejects_bad_inputs(kwargs, name):
    """The one-line InputError of the core issue, naming the parameter."""
    scheme = kwargs.pop("scheme", "simgd")
    with pytest.raises(InputError, match=f"'{name}'") as info:
        stabgan.simulate(stabgan.method("r1", gamma=0.3), scheme, **kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("kwargs, name", [
    (dict(t_span=(10, 0)), "t_span"),
    (dict(t_span=(0, 10), theta0=float("nan")), "theta0"),
    (dict(t_span=(0, 10), psi0=float("inf")), "psi0"),
])
def test_integrate_rejects_bad_inputs(kwargs, name):
    with pytest.raises(InputError, match=f"'{name}'") as info:
        stabgan.integrate(stabgan.method("r1", gamma=0.3), **kwargs)
    assert "\n" not in str(info.value)


def test_wgan_clip_bound_zero_is_rejected():
    with pytest.raises(InputError, match="'c'") as info:
        stabgan.method("wgan", c=0)
    assert "\n" not in str(info.value)
