"""Schemes with memory or a period (issue 7): extragradient, OGDA, heavy-ball momentum,
lookahead and lazy regularization, against independent facts.

Kinds of evidence used here; each test says which it uses:

* update matrices built by hand in this file with NumPy from the published update rules
  (Korpelevich 1976 extragradient; Daskalakis et al. 2018 OGDA; Polyak heavy ball;
  Zhang et al. 2019 / Chavdarova et al. 2021 lookahead; Karras et al. 2020 lazy
  regularization: the penalty only every k-th step, weighted by k), composed from the
  continuous Jacobian of ``stabgan.analyze(m)`` (itself checked against central finite
  differences of ``m.field``); the lazy Jacobians come from separate methods with the
  penalty weight set to 0 and to k times its value;
* LAPACK eigenvalues (``numpy.linalg.eigvals``) of those matrices and ``numpy.roots``;
* central finite differences of the nonlinear simulator over one or more periods, and
  trajectories measured just below and above h_max;
* bitwise comparisons of the simulator with itself (chunking, order, batching).

Tolerances: hand-built matrices against analyze 1e-12 absolute (entries) and 1e-9 relative
(eigenvalues, radii); central differences of the simulator use a step of 1e-5 (error ~1e-10,
checked at 1e-8); maps against LAPACK 1e-9 relative where the eigenvalues are more than 1e-3
apart, 1e-6 elsewhere (LAPACK itself loses half the digits at a double eigenvalue); random
polynomials against numpy.roots 1e-9 relative where the roots are 1e-3 apart; a root of
multiplicity m is only determined to about eps^(1/m).
"""
from __future__ import annotations

import functools
import math
import subprocess
import sys
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import stabgan
from stabgan.analysis.radius import spectral_radius_of_polynomials

#: Parameter values of the methods used here (every parameter given: a parameter left out
#: stays a symbol in the analysis). lsgan with a = -1/2 has J = [[0, 1], [-1/2, 0]] (a = 0,
#: the default, would give a nilpotent, defective J).
PARAMS = {
    "gan": {}, "wgan": {}, "bilinear": {},
    "r1": {"gamma": "3/10"}, "r2": {"gamma": "3/10"}, "roth": {"gamma": "3/10"},
    "consensus": {"gamma": "1/2"}, "nk": {"eta": "1/2"},
    "instance-noise": {"sigma": "1/2"},
    "lsgan": {"a": "-1/2", "b": "1", "c": "1"},
}
#: The penalty weight of each regularized method (typed in here, from the papers).
PENALTY = {"r1": "gamma", "r2": "gamma", "roth": "gamma", "consensus": "gamma", "nk": "eta"}

_FLOAT_OPTIONS = ("h", "h_g", "h_d", "h_e", "momentum", "lookahead_alpha")


def _num(x) -> float:
    return float(Fraction(str(x)))


@functools.lru_cache(maxsize=None)
def _method(mid: str, **overrides):
    return stabgan.method(mid, **{**PARAMS[mid], **overrides})


@functools.lru_cache(maxsize=None)
def _cont_J(mid: str, weight: str | None = None) -> np.ndarray:
    """The continuous Jacobian v'(0, 0) as floats (penalty weight replaced if given)."""
    over = {} if weight is None else {PENALTY[mid]: weight}
    J = stabgan.analyze(_method(mid, **over)).jacobian
    return np.array(J.evalf(30).tolist(), dtype=float)


def _jacobians(mid: str, lazy: int) -> dict:
    """None: J as given; False: penalty weight 0; True: k times the weight (lazy steps)."""
    if lazy == 1:
        return {None: _cont_J(mid)}
    w = Fraction(PARAMS[mid][PENALTY[mid]])
    return {None: _cont_J(mid), False: _cont_J(mid, "0"), True: _cont_J(mid, str(lazy * w))}


def _period(scheme: str, opts: dict) -> int:
    k = int(opts.get("lookahead_steps", 5)) if scheme == "lookahead" else 1
    return math.lcm(k, int(opts.get("lazy_every", 1)))


def _has_memory(scheme: str, opts: dict) -> bool:
    return scheme == "ogda" or _num(opts.get("momentum", 0)) != 0


def _step_matrix(Js: dict, kind: str, opts: dict, phase: int, dim: int) -> np.ndarray:
    """One step of the base scheme on the augmented state, from the published rules."""
    hg = _num(opts.get("h_g", opts.get("h")))
    hd = _num(opts.get("h_d", opts.get("h")))
    H = np.diag([hg, hd])
    beta = _num(opts.get("momentum", 0))
    lazy = int(opts.get("lazy_every", 1))
    I2, O2 = np.eye(2), np.zeros((2, 2))

    def pick(last: bool = True) -> np.ndarray:
        if lazy == 1:
            return Js[None]
        return Js[(phase % lazy == lazy - 1) and last]

    if kind == "simgd":
        Jp = pick()
        if beta == 0:
            return I2 + H @ Jp
        # x' = x + H J x + beta u,  u' = x' - x
        return np.block([[I2 + H @ Jp, beta * I2], [H @ Jp, beta * I2]])
    if kind == "extragradient":
        Jp = pick()
        He = H if opts.get("h_e") is None else _num(opts["h_e"]) * I2
        # y = x + He J x,  x' = x + H J y
        return I2 + H @ Jp @ (I2 + He @ Jp)
    if kind == "ogda":
        Jp = pick()
        # x' = x + H (2 J x - g_prev),  g_prev' = J x
        return np.block([[I2 + 2 * H @ Jp, -H], [Jp, O2]])
    assert kind == "altgd"
    count = {0: int(opts.get("n_g", 1)), 1: int(opts.get("n_d", 1))}
    players = [0, 1] if opts.get("order", "generator-first") == "generator-first" else [1, 0]
    M = np.eye(dim)
    for p in players:
        hp = (hg, hd)[p]
        for i in range(count[p]):
            Jp = pick(last=i == count[p] - 1)
            S = np.eye(dim)
            S[p, :] = 0
            S[p, p] = 1
            S[p, :2] += hp * Jp[p]          # x_p' = x_p + h_p (J x)_p (+ beta u_p)
            if beta != 0:
                S[p, 2 + p] = beta
                S[2 + p, :] = 0
                S[2 + p, :2] = hp * Jp[p]   # u_p' = x_p' - x_p
                S[2 + p, 2 + p] = beta
            M = S @ M
    return M


def _hand_operator(mid: str, scheme: str, opts: dict, nsteps: int, Js=None) -> np.ndarray:
    """The linear map of ``nsteps`` steps (from phase 0) on the augmented state (Js: the
    Jacobians as in :func:`_jacobians`, by default those of method ``mid``)."""
    if Js is None:
        Js = _jacobians(mid, int(opts.get("lazy_every", 1)))
    kind = opts.get("base", "simgd") if scheme == "lookahead" else scheme
    dim = 4 if _has_memory(scheme, opts) else 2
    k = int(opts.get("lookahead_steps", 5)) if scheme == "lookahead" else None
    alpha = _num(opts.get("lookahead_alpha", "1/2"))
    E = np.eye(dim)[:2]
    total, block = np.eye(dim), np.eye(dim)
    for i in range(nsteps):
        block = _step_matrix(Js, kind, opts, i, dim) @ block
        if k is not None and i % k == k - 1:
            # slow weights s = x at the block start; x <- s + alpha (x - s); memory unchanged
            avg = block.copy()
            avg[:2] = alpha * block[:2] + (1 - alpha) * E
            total, block = avg @ total, np.eye(dim)
    return block @ total


def _hand_period(mid, scheme, opts):
    return _hand_operator(mid, scheme, opts, _period(scheme, opts))


def _rho(M) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def _sim_options(opts: dict) -> dict:
    return {k: (_num(v) if k in _FLOAT_OPTIONS else v) for k, v in opts.items()}


def _with_h(opts: dict, h="3/10") -> dict:
    return opts if "h_g" in opts or "h" in opts else {**opts, "h": h}


@functools.lru_cache(maxsize=None)
def _analysis(mid: str, scheme: str, items: tuple):
    return stabgan.analyze(_method(mid), scheme=scheme, **dict(items))


def _case_analysis(mid, scheme, opts):
    return _analysis(mid, scheme, tuple(sorted(opts.items())))


def _numeric_eigenvalues(eigs) -> list:
    """The eigenvalues as complex numbers. A CRootOf(p, i) is not evaluated (isolating
    complex roots to many digits takes SymPy seconds): its polynomial's roots are taken
    from numpy.roots instead, after checking that the indices of every polynomial cover
    0..deg-1 equally often."""
    out, indices = [], {}
    for e in eigs:
        if isinstance(e, sp.CRootOf):
            indices.setdefault(e.poly, []).append(e.index)
        else:
            out.append(complex(sp.N(e, 20)))
    for poly, idx in indices.items():
        deg = poly.degree()
        mult = len(idx) // deg
        assert sorted(idx) == sorted(list(range(deg)) * mult), (poly, idx)
        out += list(np.roots([float(c) for c in poly.all_coeffs()])) * mult
    return out


def _match_multisets(got, want) -> float:
    """Pair each wanted eigenvalue with the nearest remaining one; largest relative error."""
    got = list(got)
    worst = 0.0
    for w in want:
        j = int(np.argmin([abs(g - w) for g in got]))
        worst = max(worst, abs(got[j] - w) / max(1.0, abs(w)))
        got.pop(j)
    return worst


# (method, scheme, options): every scheme and option of issue 7 over several methods.
# h = 3/10 unless h_g/h_d are given. Chosen away from defective spectra.
CASES = [
    ("gan", "extragradient", {}),
    ("gan", "ogda", {}),
    ("gan", "simgd", {"momentum": "1/2"}),
    ("gan", "altgd", {"momentum": "3/10"}),
    ("gan", "altgd", {"momentum": "2/5", "n_g": 2, "order": "discriminator-first"}),
    ("gan", "lookahead", {}),
    ("gan", "lookahead", {"base": "altgd", "lookahead_steps": 3, "lookahead_alpha": "7/10"}),
    ("wgan", "extragradient", {"h_g": "1/5", "h_d": "2/5"}),
    ("wgan", "ogda", {"h_g": "1/5", "h_d": "2/5"}),
    ("wgan", "simgd", {"momentum": "-3/10"}),
    ("wgan", "altgd", {"momentum": "1/5", "n_d": 2}),
    ("wgan", "lookahead", {"momentum": "1/5", "lookahead_steps": 2}),
    ("r1", "extragradient", {}),
    ("r1", "ogda", {}),
    ("r1", "simgd", {"momentum": "1/2"}),
    ("r1", "lookahead", {}),
    ("r1", "simgd", {"lazy_every": 2}),
    ("r1", "altgd", {"lazy_every": 2, "n_d": 2}),
    ("consensus", "simgd", {"momentum": "-3/10"}),
    ("consensus", "simgd", {"lazy_every": 3}),
    ("consensus", "extragradient", {"lazy_every": 2}),
    ("consensus", "ogda", {"lazy_every": 2}),
    ("consensus", "lookahead", {"lookahead_steps": 2, "lazy_every": 2}),
    ("nk", "extragradient", {"h_e": "1/5"}),
    ("nk", "lookahead", {"base": "altgd", "lookahead_steps": 3, "lookahead_alpha": "7/10"}),
    ("nk", "simgd", {"lazy_every": 2}),
    ("nk", "altgd", {"lazy_every": 2, "n_d": 2}),
    ("nk", "lookahead", {"lookahead_steps": 3, "lazy_every": 2}),
    ("instance-noise", "extragradient", {}),
    ("instance-noise", "lookahead", {}),
    ("lsgan", "extragradient", {}),
    ("lsgan", "ogda", {}),
    ("lsgan", "simgd", {"momentum": "1/2"}),
    ("lsgan", "lookahead", {}),
    ("roth", "lookahead", {"lookahead_steps": 2, "lazy_every": 2}),
    ("roth", "simgd", {"lazy_every": 2, "momentum": "1/5"}),
]


def _case_id(case):
    mid, scheme, opts = case
    return "-".join([mid, scheme] + [f"{k}={v}" for k, v in opts.items()])


# ---------------------------------------------------------------------------------------------
# 0. The continuous Jacobian the hand-built matrices start from
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mid", ["gan", "wgan", "r1", "consensus", "nk", "instance-noise",
                                 "lsgan", "roth"])
def test_continuous_jacobian_matches_finite_differences_of_the_field(mid):
    # Fact: analyze's v'(0, 0) equals central differences of m.field (base of the hand matrices).
    m = _method(mid)
    e = 1e-5
    vt_p, vp_p = m.field(np.array([e, 0.0]), np.array([0.0, e]))
    vt_m, vp_m = m.field(np.array([-e, 0.0]), np.array([0.0, -e]))
    fd = np.array([[(vt_p[0] - vt_m[0]) / (2 * e), (vt_p[1] - vt_m[1]) / (2 * e)],
                   [(vp_p[0] - vp_m[0]) / (2 * e), (vp_p[1] - vp_m[1]) / (2 * e)]])
    np.testing.assert_allclose(_cont_J(mid), fd, atol=1e-8)


def test_r1_jacobian_is_the_published_one():
    # Fact (Mescheder et al. 2018): gan J = [[0, -1/2], [1/2, 0]]; r1 adds -gamma at J[1, 1].
    np.testing.assert_array_equal(_cont_J("gan"), [[0, -0.5], [0.5, 0]])
    np.testing.assert_allclose(_cont_J("r1"), [[0, -0.5], [0.5, -0.3]], rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# 1. analyze against update matrices built by hand from the published rules
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_analyze_matches_hand_built_update_matrix(case):
    # Fact: analyze's operator, eigenvalues, charpoly, radius equal those of the hand-built matrix.
    mid, scheme, opts = case
    opts = _with_h(opts)
    a = _case_analysis(mid, scheme, opts)
    P = _period(scheme, opts)
    M = _hand_period(mid, scheme, opts)
    memory = (["u_theta", "u_psi"] if _num(opts.get("momentum", 0)) != 0 else
              ["g_prev_theta", "g_prev_psi"] if scheme == "ogda" else [])
    assert a.discrete["state"] == ["theta", "psi"] + memory
    assert a.discrete["period"] == P
    A = np.array(a.jacobian.evalf(30).tolist(), dtype=float)
    assert A.shape == M.shape
    np.testing.assert_allclose(A, M, rtol=0, atol=1e-12)
    want = np.linalg.eigvals(M)
    got = _numeric_eigenvalues(a.eigenvalues)
    assert len(got) == M.shape[0]
    assert _match_multisets(got, want) < 1e-9, (got, want)
    z = [s for s in a.discrete["charpoly"].free_symbols if s.name == "z"][0]
    coeffs = [float(c) for c in sp.Poly(a.discrete["charpoly"], z).all_coeffs()]
    np.testing.assert_allclose(coeffs, np.poly(M), rtol=0, atol=1e-12)
    rho = _rho(M)
    assert a.discrete["period_spectral_radius"] == pytest.approx(rho, rel=1e-9)
    assert a.spectral_radius == pytest.approx(rho ** (1 / P), rel=1e-9)
    assert a.locally_convergent is (rho < 1)


# ---------------------------------------------------------------------------------------------
# 2. The nonlinear simulator against the same matrices
# ---------------------------------------------------------------------------------------------

SIM_CASES = [
    ("gan", "extragradient", {"h": "3/10"}),
    ("r1", "extragradient", {"h": "1/2", "h_e": "1/5"}),
    ("wgan", "ogda", {"h_g": "1/5", "h_d": "2/5"}),
    ("instance-noise", "ogda", {"h": "3/10"}),
    ("r1", "simgd", {"h": "3/10", "momentum": "1/2"}),
    ("nk", "altgd", {"h": "3/10", "momentum": "-3/10", "n_d": 2}),
    ("lsgan", "altgd", {"h": "3/10", "momentum": "2/5", "n_g": 2,
                        "order": "discriminator-first"}),
    ("gan", "lookahead", {"h": "3/10"}),
    ("r1", "lookahead", {"h": "3/10", "base": "altgd", "lookahead_steps": 3,
                         "lookahead_alpha": "7/10", "momentum": "1/5"}),
    ("r1", "simgd", {"h": "3/10", "lazy_every": 3}),
    ("consensus", "altgd", {"h": "3/10", "lazy_every": 2, "n_d": 2}),
    ("nk", "ogda", {"h": "3/10", "lazy_every": 2}),
    ("roth", "extragradient", {"h": "3/10", "lazy_every": 2}),
    ("r2", "lookahead", {"h": "3/10", "lookahead_steps": 2, "lazy_every": 3,
                         "momentum": "1/5"}),
]


@pytest.mark.parametrize("case", SIM_CASES, ids=[_case_id(c) for c in SIM_CASES])
def test_simulator_finite_differences_match_hand_built_operator(case):
    # Fact: finite differences of n simulated steps equal [I 0] M_n [I; memory0], M_n by hand.
    mid, scheme, opts = case
    P = _period(scheme, opts)
    e = 1e-5
    lazy = int(opts.get("lazy_every", 1))
    for n in (P, 2 * P + 1):
        r = stabgan.simulate(_method(mid), scheme=scheme, steps=n, theta0=[e, -e, 0, 0],
                             psi0=[0, 0, e, -e], **_sim_options(opts))
        X = np.stack([r.theta, r.psi])
        fd = np.stack([(X[:, 0] - X[:, 1]) / (2 * e), (X[:, 2] - X[:, 3]) / (2 * e)], axis=1)
        M = _hand_operator(mid, scheme, opts, n)
        embed = np.zeros((M.shape[0], 2))
        embed[:2] = np.eye(2)
        if scheme == "ogda":
            Js = _jacobians(mid, lazy)
            embed[2:] = Js[None] if lazy == 1 else Js[lazy == 1]
        np.testing.assert_allclose(fd, M[:2] @ embed, rtol=0, atol=1e-8,
                                   err_msg=f"{n} steps")


@pytest.mark.parametrize("mid, scheme, opts, record", [
    ("r1", "ogda", {}, 1),
    ("consensus", "simgd", {"momentum": "-3/10"}, 1),
    ("nk", "simgd", {"lazy_every": 2}, 2),
    ("r1", "lookahead", {}, 5),
])
def test_contraction_rate_of_a_trajectory_matches_spectral_radius(mid, scheme, opts, record):
    # Fact: a simulated trajectory decays at analyze's per-step spectral radius.
    opts = _with_h(opts)
    a = _case_analysis(mid, scheme, opts)
    rho = a.spectral_radius
    assert rho < 1
    n = int(min(6000, 150 / -np.log(rho)))
    n -= n % record
    r = stabgan.simulate(_method(mid), scheme=scheme, steps=n, theta0=1e-4, psi0=0.0,
                         record_every=record, **_sim_options(opts))
    logd = np.log(np.hypot(r.history_theta, r.history_psi))
    k = r.record_steps
    lo = logd.size // 5
    slope = np.polyfit(k[lo:], logd[lo:], 1)[0]
    assert slope == pytest.approx(np.log(rho), rel=2e-3)


# ---------------------------------------------------------------------------------------------
# 3. The simulator: invariance to chunking, order and batching; float32
# ---------------------------------------------------------------------------------------------

INVARIANCE = [
    ("r1", "extragradient", {}),
    ("r1", "extragradient", {"h_e": 0.2}),
    ("consensus", "ogda", {}),
    ("r1", "simgd", {"momentum": 0.5}),
    ("nk", "altgd", {"momentum": -0.3, "n_d": 2}),
    ("wgan", "lookahead", {"momentum": 0.2}),
    ("r1", "lookahead", {"base": "altgd", "lookahead_steps": 3, "lookahead_alpha": 0.7}),
    ("r1", "simgd", {"lazy_every": 3}),
    ("roth", "altgd", {"lazy_every": 2, "order": "discriminator-first"}),
    ("nk", "ogda", {"lazy_every": 2}),
    ("wgan", "extragradient", {}),
]


@pytest.mark.parametrize("mid, scheme, opts", INVARIANCE,
                         ids=[_case_id(c) for c in INVARIANCE])
def test_simulate_bitwise_invariance(mid, scheme, opts):
    # Fact: results are bitwise independent of chunk size, order and batching (per-trajectory h).
    rng = np.random.default_rng(7)
    n = 40
    th = rng.uniform(-3, 3, n)
    ps = rng.uniform(-3, 3, n)
    th[:4] *= 15  # a few start near the bound: they diverge early
    h = rng.uniform(0.05, 2.5, n)
    m = _method(mid)
    kw = dict(scheme=scheme, steps=150, bound=60.0, **opts)
    a = stabgan.simulate(m, h=h, theta0=th, psi0=ps, chunk_size=7, **kw)
    b = stabgan.simulate(m, h=h[::-1], theta0=th[::-1], psi0=ps[::-1], chunk_size=1000, **kw)
    for key in ("theta", "psi", "status", "diverged_at"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key)[::-1], err_msg=key)
    for i in (0, 5, 17, 33):
        s = stabgan.simulate(m, h=float(h[i]), theta0=float(th[i]), psi0=float(ps[i]), **kw)
        assert (s.theta, s.psi, s.diverged_at, s.status) == (
            a.theta[i], a.psi[i], a.diverged_at[i], a.status[i]), i


@pytest.mark.parametrize("scheme, opts", [
    ("extragradient", {}), ("ogda", {}), ("simgd", {"momentum": 0.6}),
    ("altgd", {"momentum": -0.4, "n_g": 2}),
    ("lookahead", {"base": "altgd", "momentum": 0.3, "lookahead_steps": 3}),
])
def test_simulate_bitwise_invariance_with_diverging_trajectories(scheme, opts):
    # Fact: frozen states and diverged_at of escaping trajectories are bitwise batch-independent.
    rng = np.random.default_rng(5)
    n = 30
    th, ps, h = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n), rng.uniform(0.05, 3.0, n)
    kw = dict(scheme=scheme, steps=200, bound=1e3, **opts)
    m = _method("bilinear")
    a = stabgan.simulate(m, h=h, theta0=th, psi0=ps, chunk_size=7, **kw)
    b = stabgan.simulate(m, h=h[::-1], theta0=th[::-1], psi0=ps[::-1], chunk_size=1000, **kw)
    for key in ("theta", "psi", "status", "diverged_at"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key)[::-1], err_msg=key)
    assert 0 < a.diverged.sum() < n
    for i in np.flatnonzero(a.diverged)[:3]:
        s = stabgan.simulate(m, h=float(h[i]), theta0=float(th[i]), psi0=float(ps[i]), **kw)
        assert (s.theta, s.psi, s.diverged_at) == (a.theta[i], a.psi[i], a.diverged_at[i])


def test_simulate_bitwise_invariance_with_instance_noise():
    # Fact: bitwise chunk/order invariance also holds for a quadrature field (instance noise).
    rng = np.random.default_rng(3)
    th, ps, h = rng.uniform(-2, 2, 8), rng.uniform(-2, 2, 8), rng.uniform(0.1, 2.0, 8)
    kw = dict(scheme="extragradient", steps=30, bound=20.0)
    m = _method("instance-noise")
    a = stabgan.simulate(m, h=h, theta0=th, psi0=ps, chunk_size=3, **kw)
    b = stabgan.simulate(m, h=h[::-1], theta0=th[::-1], psi0=ps[::-1], chunk_size=1000, **kw)
    for key in ("theta", "psi", "status", "diverged_at"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key)[::-1], err_msg=key)


@pytest.mark.parametrize("mid, scheme, opts", INVARIANCE,
                         ids=[_case_id(c) for c in INVARIANCE])
def test_simulate_float32_agrees_with_float64(mid, scheme, opts):
    # Fact: float32 runs are float32 and agree with float64 to float32 rounding over 200 steps.
    rng = np.random.default_rng(11)
    h = rng.uniform(0.05, 0.3, 16)
    t0, p0 = rng.uniform(-1, 1, 16), rng.uniform(-1, 1, 16)
    kw = dict(scheme=scheme, h=h, steps=200, theta0=t0, psi0=p0, **opts)
    x64 = stabgan.simulate(_method(mid), **kw)
    x32 = stabgan.simulate(_method(mid), dtype=np.float32, **kw)
    assert x32.theta.dtype == np.float32 and x64.theta.dtype == np.float64
    np.testing.assert_allclose(x32.theta, x64.theta, rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(x32.psi, x64.psi, rtol=1e-4, atol=2e-5)


# ---------------------------------------------------------------------------------------------
# 4. h_max: trajectories just below converge, just above do not
# ---------------------------------------------------------------------------------------------

H_MAX_CASES = [
    ("gan", "extragradient", {}),
    ("gan", "ogda", {}),
    ("gan", "lookahead", {}),
    ("r1", "simgd", {"momentum": "1/2"}),
    ("nk", "simgd", {"lazy_every": 2}),
    ("consensus", "lookahead", {"lookahead_steps": 2, "lazy_every": 2}),
    ("nk", "altgd", {"lazy_every": 2, "n_d": 2}),
]


@pytest.mark.parametrize("mid, scheme, opts", H_MAX_CASES,
                         ids=[_case_id(c) for c in H_MAX_CASES])
def test_trajectories_converge_below_and_not_above_h_max(mid, scheme, opts):
    # Fact: from |x0| = 1e-3, trajectories at 0.97 h_max converge and at 1.03 h_max do not.
    a = _case_analysis(mid, scheme, _with_h(opts))
    assert a.h_max is not None and a.h_max is not sp.oo
    hm = float(a.h_max)
    P = _period(scheme, opts)
    for factor, converge in ((0.97, True), (1.03, False)):
        h = factor * hm
        rho = _rho(_hand_period(mid, scheme, {**opts, "h": repr(h)})) ** (1 / P)
        assert (rho < 1) is converge, (factor, rho)
        n = int(min(100000, 12 / abs(np.log(rho))))
        n = -(-n // P) * P
        r = stabgan.simulate(_method(mid), scheme=scheme, h=h, steps=n, theta0=1e-3, psi0=0.0,
                             **_sim_options(opts))
        if converge:
            assert r.status == "converged", (factor, n, r.status, r.distance)
        else:
            assert r.status != "converged" and r.distance > 1e-2, (factor, n, r.status,
                                                                   r.distance)


# ---------------------------------------------------------------------------------------------
# 5. stability_map against LAPACK on hand-built matrices
# ---------------------------------------------------------------------------------------------

def _eigen_gap(M) -> float:
    ev = np.linalg.eigvals(M)
    d = np.where(np.eye(ev.size, dtype=bool), np.inf, np.abs(ev[:, None] - ev[None, :]))
    return float(d.min())


MAPS = [
    ("r1", "extragradient", {}, "h_e", np.linspace(0.05, 1.5, 15)),
    ("r1", "ogda", {}, "gamma", np.linspace(0.05, 2.1, 15)),
    ("r1", "simgd", {}, "momentum", np.linspace(-0.87, 0.93, 15)),
    ("nk", "altgd", {"n_d": 2}, "momentum", np.linspace(-0.87, 0.93, 15)),
    ("gan", "lookahead", {}, "lookahead_alpha", np.linspace(0.07, 1.0, 15)),
    ("r1", "lookahead", {"base": "altgd", "lookahead_steps": 3}, "lookahead_alpha",
     np.linspace(0.07, 1.0, 15)),
    ("wgan", "lookahead", {"lookahead_steps": 3}, "momentum", np.linspace(-0.57, 0.63, 15)),
    ("r1", "lookahead", {}, "lookahead_steps", np.arange(1, 7)),
    ("r1", "simgd", {}, "lazy_every", np.arange(1, 5)),
    ("nk", "extragradient", {"lazy_every": 2}, "h_e", np.linspace(0.05, 1.5, 15)),
    ("roth", "altgd", {"momentum": 0.3}, "lazy_every", np.array([3, 1, 2])),
]


@pytest.mark.parametrize("mid, scheme, fixed, name, values", MAPS,
                         ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in MAPS])
def test_stability_map_matches_lapack_on_hand_built_matrices(mid, scheme, fixed, name, values):
    # Fact: the map's per-step radius equals LAPACK's on the hand-built period matrix at each point.
    hs = np.linspace(0.04, 2.4, 15)
    structure = {k: fixed[k] for k in ("n_d", "base") if k in fixed}
    options = {k: v for k, v in fixed.items() if k not in structure}
    m = stabgan.method(mid) if name == "gamma" else _method(mid)
    s = stabgan.stability_map(m, scheme, h=hs, **{name: values}, **options, **structure)
    assert s.spectral_radius.shape == (hs.size, values.size)
    for i, h in enumerate(hs):
        for j, v in enumerate(values):
            o = {**fixed, "h": repr(float(h))}
            if name == "gamma":
                J = np.array([[0, -0.5], [0.5, -v]])
                M = _step_matrix({None: J}, scheme, o, 0, 4)
                P = 1
            else:
                o[name] = int(v) if name in ("lookahead_steps", "lazy_every") else repr(float(v))
                P = _period(scheme, o)
                M = _hand_operator(mid, scheme, o, P)
            want = _rho(M) ** (1 / P)
            tol = 1e-9 if _eigen_gap(M) > 1e-3 else 1e-6
            assert s.spectral_radius[i, j] == pytest.approx(want, rel=tol), (h, v)
            assert s.locally_convergent[i, j] == (s.spectral_radius[i, j] < 1)


def test_stability_map_per_step_radius_of_lazy_period_matches_analyze():
    # Fact: map and analyze agree on a lazy period's per-step radius; period radius = per-step^2.
    a = _case_analysis("r1", "simgd", {"h": "3/10", "lazy_every": 2})
    s = stabgan.stability_map(_method("r1"), "simgd", h=np.array([0.3]),
                              lazy_every=np.array([2.0]))
    assert s.spectral_radius[0, 0] == pytest.approx(a.spectral_radius, rel=1e-9)
    assert a.discrete["period_spectral_radius"] == pytest.approx(a.spectral_radius ** 2, rel=1e-12)


@pytest.mark.parametrize("mid, scheme, fixed", [
    ("r1", "extragradient", {}),
    ("r1", "extragradient", {"h_e": 0.4}),
    ("nk", "ogda", {}),
    ("consensus", "simgd", {"momentum": 0.3}),
    ("r1", "altgd", {"lazy_every": 2, "momentum": -0.2}),
    ("r1", "lookahead", {"base": "altgd", "lookahead_steps": 2, "lazy_every": 3}),
])
def test_stability_map_over_two_step_sizes_matches_hand_built_matrices(mid, scheme, fixed):
    # Fact: maps over h_g x h_d (h_e following H for extragradient) match the hand-built matrices.
    hg, hd = np.linspace(0.05, 2.0, 9), np.linspace(0.07, 2.2, 11)
    options = {k: v for k, v in fixed.items() if k != "base"}
    s = stabgan.stability_map(_method(mid), scheme, h_g=hg, h_d=hd, base=fixed.get("base"),
                              **options)
    for i, a in enumerate(hg):
        for j, b in enumerate(hd):
            o = {**{k: (repr(v) if isinstance(v, float) else v) for k, v in fixed.items()},
                 "h_g": repr(float(a)), "h_d": repr(float(b))}
            P = _period(scheme, o)
            M = _hand_operator(mid, scheme, o, P)
            tol = 1e-9 if _eigen_gap(M) > 1e-3 else 1e-6
            assert s.spectral_radius[i, j] == pytest.approx(_rho(M) ** (1 / P), rel=tol), (a, b)


@pytest.mark.parametrize("scheme, fixed", [("simgd", {}), ("ogda", {}),
                                           ("altgd", {"momentum": 0.2}),
                                           ("lookahead", {"lookahead_steps": 2})])
def test_stability_map_over_penalty_and_lazy_period_matches_hand_built_matrices(scheme, fixed):
    # Fact: a gamma x lazy_every map of r1 matches hand-built lazy products of the published J.
    gammas, periods = np.linspace(0.05, 2.0, 9), np.array([1, 2, 3, 4])
    s = stabgan.stability_map(stabgan.method("r1"), scheme, h=0.4, gamma=gammas,
                              lazy_every=periods, **fixed)
    off = np.array([[0, -0.5], [0.5, 0]])
    for i, g in enumerate(gammas):
        for j, k in enumerate(periods):
            Js = {None: off + np.diag([0, -g]), False: off, True: off + np.diag([0, -k * g])}
            o = {**{key: repr(v) for key, v in fixed.items()}, "h": "0.4", "lazy_every": int(k)}
            P = _period(scheme, o)
            M = _hand_operator("r1", scheme, o, P, Js=Js)
            tol = 1e-9 if _eigen_gap(M) > 1e-3 else 1e-6
            assert s.spectral_radius[i, j] == pytest.approx(_rho(M) ** (1 / P), rel=tol), (g, k)


# ---------------------------------------------------------------------------------------------
# 6. The closed-form spectral radius of polynomials
# ---------------------------------------------------------------------------------------------

def _np_radius(coeffs_rows) -> tuple[np.ndarray, np.ndarray]:
    """max|root| by numpy.roots and the smallest distance between two roots, per row."""
    rad, gap = [], []
    for c in coeffs_rows:
        r = np.roots(np.concatenate([[1.0], c]))
        rad.append(np.max(np.abs(r)))
        d = np.where(np.eye(r.size, dtype=bool), np.inf, np.abs(r[:, None] - r[None, :]))
        gap.append(d.min() / max(1.0, np.max(np.abs(r))))
    return np.array(rad), np.array(gap)


@pytest.mark.parametrize("degree", [2, 3, 4, 5])
@pytest.mark.parametrize("scale", [0.3, 1.0, 5.0])
def test_radius_of_random_polynomials_matches_numpy_roots(degree, scale):
    # Fact: the closed-form radius of random monic polynomials equals max|np.roots| (degree 2-5).
    rng = np.random.default_rng(degree * 100 + int(scale * 10))
    C = rng.normal(scale=scale, size=(2000, degree))
    got = spectral_radius_of_polynomials([C[:, k] for k in range(degree)])
    want, gap = _np_radius(C)
    sep = gap > 1e-3
    assert sep.mean() > 0.9
    np.testing.assert_allclose(got[sep], want[sep], rtol=1e-9)
    np.testing.assert_allclose(got[~sep], want[~sep], rtol=1e-5)


def _monic(roots) -> list:
    c = np.real_if_close(np.poly(roots))
    assert np.all(np.isreal(c))
    return [np.array([float(x)]) for x in np.real(c)[1:]]


@pytest.mark.parametrize("roots, radius, tol", [
    ([np.exp(0.7j), np.exp(-0.7j)], 1.0, 1e-13),
    ([np.exp(2.1j), np.exp(-2.1j), 0.4], 1.0, 1e-12),
    ([np.exp(1.3j), np.exp(-1.3j), 0.5 + 0.2j, 0.5 - 0.2j], 1.0, 1e-12),
    ([-1.0, 0.3, 0.2 + 0.5j, 0.2 - 0.5j], 1.0, 1e-12),
    ([0.9, -0.2, 0.5j, -0.5j], 0.9, 1e-12),
    ([0.6 + 0.6j, 0.6 - 0.6j, -0.1, 0.3], math.hypot(0.6, 0.6), 1e-12),
    ([0.99 * np.exp(0.01j), 0.99 * np.exp(-0.01j), -0.98, 0.0], 0.99, 1e-9),
    ([0.7, 0.7], 0.7, 1e-12),
    ([-0.8, -0.8, 0.3], 0.8, 1e-7),
    ([0.9, 0.9, 0.5j, -0.5j], 0.9, 1e-7),
    ([0.8j, -0.8j, 0.8j, -0.8j], 0.8, 1e-7),
    ([0.5, 0.5, 0.5], 0.5, 1e-4),
    ([0.5, 0.5, 0.5, 0.5], 0.5, 1e-3),
    ([0.0, 0.0, 0.0, 0.3], 0.3, 1e-12),
    ([3.0, -2.0, 1e-3, 2.5], 3.0, 1e-12),
])
def test_radius_of_polynomials_with_known_roots(roots, radius, tol):
    # Fact: a polynomial built from known roots has radius max|root| (m-fold roots: ~eps^(1/m)).
    got = spectral_radius_of_polynomials(_monic(roots))
    assert got.shape == (1,)
    assert got[0] == pytest.approx(radius, rel=tol, abs=tol)


@pytest.mark.parametrize("p, r", [(-2.5, 1.0), (1.0, 1.0), (0.0, -16.0), (-1.0, 0.0),
                                  (3.0, 2.0), (0.5, 0.25), (-4.0, 4.0), (2.0, 1.0),
                                  (0.0, 0.0625), (-0.3, -0.04)])
def test_radius_of_biquadratic_polynomials(p, r):
    # Fact: z^4 + p z^2 + r has radius sqrt(max|w|) over the roots w of w^2 + p w + r.
    w = np.roots([1.0, p, r])
    want = math.sqrt(np.max(np.abs(w)))
    tol = 1e-7 if p * p == 4 * r else 1e-12
    got = spectral_radius_of_polynomials([0.0, p, 0.0, r])
    assert float(got) == pytest.approx(want, rel=tol)


def test_radius_of_polynomials_broadcasts():
    # Fact: scalar and array coefficients broadcast, each entry giving its own polynomial's radius.
    b = np.array([-1.0, 0.0, 3.0, -3.0])
    got = spectral_radius_of_polynomials([b, 0.25])
    want = [max(abs(np.roots([1.0, x, 0.25]))) for x in b]
    np.testing.assert_allclose(got, want, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# 7. Bad inputs
# ---------------------------------------------------------------------------------------------

BAD = [
    ("simgd", "gan", {"momentum": 1}, "momentum"),
    ("simgd", "gan", {"momentum": -1.5}, "momentum"),
    ("extragradient", "gan", {"h_e": 0}, "h_e"),
    ("lookahead", "gan", {"lookahead_alpha": 0}, "lookahead_alpha"),
    ("lookahead", "gan", {"lookahead_alpha": 1.5}, "lookahead_alpha"),
    ("lookahead", "gan", {"lookahead_steps": 0}, "lookahead_steps"),
    ("simgd", "r1", {"lazy_every": 0}, "lazy_every"),
    ("simgd", "gan", {"lazy_every": 2}, "lazy_every"),
    ("simgd", "gan", {"h_e": 0.5}, "h_e"),
    ("ogda", "gan", {"momentum": 0.5}, "momentum"),
    ("lookahead", "gan", {"base": "foo"}, "base"),
]


@pytest.mark.parametrize("scheme, mid, opts, name", BAD, ids=[f"{b[0]}-{b[2]}" for b in BAD])
def test_bad_options_raise_input_error_naming_the_option(scheme, mid, opts, name):
    # Fact: each bad option raises InputError naming it, from analyze, simulate and stability_map.
    m = _method(mid)
    calls = [lambda: stabgan.analyze(m, scheme=scheme, h=0.3, **opts),
             lambda: stabgan.simulate(m, scheme=scheme, h=0.3, steps=3, **opts),
             lambda: stabgan.stability_map(m, scheme, h=np.array([0.1, 0.2]), **opts)]
    for call in calls:
        with pytest.raises(stabgan.InputError) as info:
            call()
        assert f"'{name}'" in str(info.value) or f"{name}=" in str(info.value), str(info.value)


@pytest.mark.parametrize("scheme, name, values", [
    ("simgd", "momentum", [0.5, 1.0]),
    ("lookahead", "lookahead_alpha", [0.0, 0.5]),
    ("lookahead", "lookahead_steps", [1.0, 2.5]),
    ("simgd", "lazy_every", [0.0, 1.0]),
    ("extragradient", "h_e", [-0.1, 0.5]),
])
def test_bad_map_axes_raise_input_error_naming_the_axis(scheme, name, values):
    # Fact: a map axis with a value outside the option's range raises InputError naming the axis.
    with pytest.raises(stabgan.InputError, match=name):
        stabgan.stability_map(_method("r1"), scheme, h=np.array([0.1, 0.2]),
                              **{name: np.array(values)})


CLI_BAD = [
    (["analyze", "gan", "--scheme", "simgd", "--h", "0.3", "--momentum", "1"], "momentum"),
    (["analyze", "gan", "--scheme", "simgd", "--h", "0.3", "--momentum", "-1.5"], "momentum"),
    (["analyze", "gan", "--scheme", "extragradient", "--h", "0.3", "--h-e", "0"], "h_e"),
    (["analyze", "gan", "--scheme", "lookahead", "--h", "0.3", "--lookahead-alpha", "0"],
     "lookahead_alpha"),
    (["analyze", "gan", "--scheme", "lookahead", "--h", "0.3", "--lookahead-alpha", "1.5"],
     "lookahead_alpha"),
    (["analyze", "gan", "--scheme", "lookahead", "--h", "0.3", "--lookahead-steps", "0"],
     "lookahead_steps"),
    (["analyze", "r1", "--scheme", "simgd", "--h", "0.3", "--lazy-every", "0"], "lazy_every"),
    (["analyze", "gan", "--scheme", "simgd", "--h", "0.3", "--lazy-every", "2"], "lazy_every"),
    (["analyze", "gan", "--scheme", "simgd", "--h", "0.3", "--h-e", "0.5"], "h_e"),
    (["analyze", "gan", "--scheme", "ogda", "--h", "0.3", "--momentum", "0.5"], "momentum"),
    (["analyze", "gan", "--scheme", "lookahead", "--h", "0.3", "--base", "foo"], "base"),
    (["simulate", "gan", "--scheme", "ogda", "--h", "0.3", "--steps", "5", "--theta0", "1",
      "--psi0", "1", "--momentum", "0.5"], "momentum"),
    (["simulate", "r1", "--scheme", "lookahead", "--h", "0.3", "--steps", "5", "--theta0", "1",
      "--psi0", "1", "--lookahead-alpha", "1.5"], "lookahead_alpha"),
    (["map", "gan", "--scheme", "simgd", "--x", "h=0.1:1:3", "--y", "momentum=-0.5:0.5:3",
      "--h-e", "0.3"], "h_e"),
    (["map", "r1", "--scheme", "lookahead", "--x", "h=0.1:1:3", "--y",
      "lookahead_alpha=0.1:1.5:3"], "lookahead_alpha"),
    (["map", "r1", "--scheme", "simgd", "--x", "h=0.1:1:3", "--y", "momentum=0:0.5:3",
      "--lazy-every", "0"], "lazy_every"),
]


def _check_cli_error(args, name, code, out, err):
    assert code == 2, (args, code, err)
    assert out == "", (args, out)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("stabgan: error:"), (args, err)
    assert name in lines[0] or name.replace("_", "-") in lines[0], (args, err)


@pytest.mark.parametrize("args, name", CLI_BAD, ids=[" ".join(a[:3] + a[-2:]) for a, _ in CLI_BAD])
def test_cli_bad_options_exit_2_with_one_line(args, name, capsys):
    # Fact: the CLI (main in-process) exits 2, empty stdout, one stderr line naming the option.
    from stabgan._cli import main
    code = main(args)
    captured = capsys.readouterr()
    _check_cli_error(args, name, code, captured.out, captured.err)


def test_cli_bad_options_as_a_process():
    # Fact: the same holds for `python -m stabgan` run as a separate process.
    chosen = [CLI_BAD[0], CLI_BAD[7], CLI_BAD[11], CLI_BAD[14]]
    results = []
    for start in range(0, len(chosen), 2):
        procs = [(args, name, subprocess.Popen([sys.executable, "-m", "stabgan", *args],
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                               text=True))
                 for args, name in chosen[start:start + 2]]
        for args, name, p in procs:
            out, err = p.communicate(timeout=120)
            results.append((args, name, p.returncode, out, err))
    for args, name, code, out, err in results:
        _check_cli_error(args, name, code, out, err)


# ---------------------------------------------------------------------------------------------
# 8. Divergence without warnings
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mid, scheme, opts, bound", [
    ("gan", "simgd", {"momentum": 0.9, "h": 2.0}, 100.0),
    ("bilinear", "simgd", {"momentum": 0.9, "h": 2.0}, 1e8),
    ("bilinear", "extragradient", {"h": 3.0}, 1e8),
    ("bilinear", "ogda", {"h": 3.0}, 1e8),
    ("bilinear", "lookahead", {"h": 3.0, "momentum": 0.5, "base": "altgd"}, 1e8),
    ("r1", "altgd", {"h": 9.0, "lazy_every": 2, "momentum": -0.5}, 1e3),
])
def test_diverging_simulation_is_frozen_without_warnings(mid, scheme, opts, bound):
    # Fact: a diverging run warns nothing and is frozen at its state after diverged_at - 1 steps.
    m = _method(mid)
    for dtype in (np.float64, np.float32):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = stabgan.simulate(m, scheme=scheme, steps=3000, theta0=1.0, psi0=1.0,
                                 bound=bound, dtype=dtype, record_every=100, **opts)
            d = int(r.diverged_at)
            before = stabgan.simulate(m, scheme=scheme, steps=max(d - 1, 0), theta0=1.0,
                                      psi0=1.0, bound=bound, dtype=dtype, **opts)
        assert not caught, [str(w.message) for w in caught]
        assert r.status == "diverged" and d > 0, (r.status, d)
        assert before.status != "diverged"
        assert (r.theta, r.psi) == (before.theta, before.psi)
        assert max(abs(r.theta), abs(r.psi)) <= bound
        assert np.all(np.isfinite(r.history_theta)) and np.all(np.isfinite(r.history_psi))


def test_saturated_gan_with_momentum_stalls_where_the_field_vanishes():
    # Fact: gan/simgd/momentum 0.9/h=2 stalls (field underflows to 0) instead of leaving bound 1e8.
    m = _method("gan")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = stabgan.simulate(m, scheme="simgd", momentum=0.9, h=2.0, steps=3000, theta0=1.0,
                             psi0=1.0)
    assert not caught
    assert r.status == "stalled" and r.diverged_at == -1
    vt, vp = m.field(r.theta, r.psi)
    assert abs(float(vt)) < 1e-300 and abs(float(vp)) < 1e-300
