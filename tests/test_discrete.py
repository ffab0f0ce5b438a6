"""Discrete schemes (SimGD, AltGD, two step sizes) against independent facts.

Kinds of evidence used here (DESIGN.md section 6); each test says which it uses:

* published lemmas typed in only here: Mescheder, Geiger, Nowozin (2018) Lemma 2.4 (SimGD on
  the unregularized Dirac-GAN: |I + hJ| eigenvalues of modulus sqrt(1 + h^2 f'(0)^2), norm
  growing at every step) and Lemma 2.5 (AltGD: eigenvalues 1 - a^2/2 +- sqrt((1 - a^2/2)^2 - 1),
  a = sqrt(n_g n_d) h |f'(0)|); Mescheder, Nowozin, Geiger (2017) Lemma 4 (SimGD with a Hurwitz
  Jacobian converges iff h < min -2 Re(lambda) / |lambda|^2); the Jury criterion for 2x2 maps;
* measured trajectories of the simulator (``stabgan.simulate``): convergence just below h_max,
  escape just above, contraction rates fitted by least squares;
* LAPACK eigenvalues (``numpy.linalg.eigvals``), bisection on numerically computed spectral
  radii, and central finite differences of one simulated update;
* a second symbolic route: the AltGD update map composed by substitution and differentiated,
  where the code multiplies sub-step Jacobians.

Symbolic results are compared with ``sympy.simplify(a - b) == 0``.
"""
from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy.special import expit

import stabgan
from stabgan.analysis.discrete import step_size_bounds
from stabgan._symbols import H_SYMBOL, HD_SYMBOL
from stabgan.schemes.scheme import make_scheme
from stabgan.analysis.criteria import decide, schur_conditions

H = H_SYMBOL
Z = sp.Symbol("z")


@functools.lru_cache(maxsize=None)
def _analysis(method_id: str, params: tuple = (), scheme: str = "simgd", **options):
    """Cached ``analyze`` (several tests look at the same analysis)."""
    return stabgan.analyze(stabgan.method(method_id, **dict(params)), scheme=scheme, **options)


def _rational(x: float) -> Fraction:
    return Fraction(x).limit_denominator(10 ** 9)


def _norms(r) -> np.ndarray:
    return np.hypot(r.history_theta, r.history_psi)


def _fp0_symbol(expr_or_matrix) -> sp.Symbol:
    (sym,) = [s for s in expr_or_matrix.free_symbols if s.name == "fp0"]
    return sym


# ---------------------------------------------------------------------------------------------
# 1. Mescheder et al. 2018, Lemma 2.4: unregularized GAN under SimGD
# ---------------------------------------------------------------------------------------------

def test_lemma_2_4_simgd_norm_grows_at_every_step_measured():
    # Evidence: measured trajectories. With the logistic f, f'(t) = 1 / (1 + e^t) = expit(-t)
    # (typed in here), one SimGD step gives |x'|^2 = (1 + h^2 f'(theta psi)^2) |x|^2 (the cross
    # terms cancel), so the norm grows strictly at every step for every h > 0.
    m = stabgan.method("gan")
    hs = np.geomspace(0.01, 2.0, 12)
    starts = np.array([[1e-3, 0.0], [-5e-4, 8e-4], [2e-3, -1e-3],        # near 0
                       [1.0, 1.0], [-0.8, 1.5], [2.0, -0.3], [0.0, -1.0]])  # away from 0
    theta0 = starts[:, 0][:, None]
    psi0 = starts[:, 1][:, None]
    r = stabgan.simulate(m, scheme="simgd", h=hs[None, :], theta0=theta0, psi0=psi0, steps=200,
                         record_every=1)
    th, ps = r.history_theta, r.history_psi
    norm = np.hypot(th, ps)
    assert norm.shape == (len(starts), len(hs), 201)
    assert not r.converged.any()
    # Strict growth while |x_k| <= 3: there |theta psi| <= 4.5, so h^2 f'^2 >= 1e-4 * 1.2e-4,
    # far above rounding; further out f' underflows relative to 1 in float64 (the stall the
    # issue describes), and the identity below is checked instead.
    inside = norm[..., :-1] <= 3.0
    assert inside[..., 0].all()
    grew = norm[..., 1:] > norm[..., :-1]
    assert grew[inside].all()
    # Every trajectory's step-by-step growth obeys the lemma's identity (rtol 1e-12: a few
    # roundings of a well-conditioned sum of squares), up to the step at which it left the
    # simulator's bound.
    h = hs[None, :, None]
    fp = expit(-th[..., :-1] * ps[..., :-1])
    expected = (1 + h ** 2 * fp ** 2) * norm[..., :-1] ** 2
    steps = np.arange(200)
    alive = ~r.diverged[..., None] | (steps < r.diverged_at[..., None] - 1)
    np.testing.assert_allclose((norm[..., 1:] ** 2)[alive], expected[alive], rtol=1e-12)
    # and the norm ends above where it started for every trajectory
    assert (norm[..., -1] > norm[..., 0]).all()


def test_lemma_2_4_simgd_eigenvalue_modulus_general_f():
    # Evidence: the lemma's statement, |lambda_{1,2}| = sqrt(1 + h^2 f'(0)^2) > 1, typed in here.
    a = _analysis("gan", (("f", "general"),), "simgd")
    fp0 = _fp0_symbol(a.jacobian)
    assert len(a.eigenvalues) == 2
    for lam in a.eigenvalues:
        assert sp.simplify(sp.expand(lam * sp.conjugate(lam)) - (1 + H ** 2 * fp0 ** 2)) == 0
    assert sp.simplify(1 + H ** 2 * fp0 ** 2 - 1).is_positive  # h > 0, f'(0) != 0 real
    assert a.locally_convergent is False
    assert a.h_max is None


@pytest.mark.parametrize("h", ["1/100", "1/3", "1", "2"])
def test_lemma_2_4_simgd_spectral_radius_logistic(h):
    # Evidence: the lemma with f'(0) = 1/2: rho = sqrt(1 + h^2 / 4) > 1 at every numeric h.
    a = _analysis("gan", (), "simgd", h=h)
    expected = float(sp.sqrt(1 + sp.Rational(h) ** 2 / 4))
    assert a.spectral_radius == pytest.approx(expected, rel=1e-14)
    assert a.locally_convergent is False
    assert a.marginal is False


# ---------------------------------------------------------------------------------------------
# 2. Mescheder et al. 2018, Lemma 2.5: unregularized GAN under AltGD
# ---------------------------------------------------------------------------------------------

NG_ND = [(1, 1), (1, 5), (3, 2), (2, 2)]


@pytest.mark.parametrize("n_g, n_d", NG_ND)
def test_lemma_2_5_altgd_eigenvalues_general_f(n_g, n_d):
    # Evidence: the lemma's eigenvalues 1 - a^2/2 +- sqrt((1 - a^2/2)^2 - 1), i.e. (for a
    # quadratic, equivalently) sum 2 - a^2 and product 1, with a^2 = n_g n_d h^2 f'(0)^2.
    a = _analysis("gan", (("f", "general"),), "altgd", n_g=n_g, n_d=n_d)
    fp0 = _fp0_symbol(a.jacobian)
    alpha2 = n_g * n_d * H ** 2 * fp0 ** 2
    lam1, lam2 = a.eigenvalues
    assert sp.simplify(lam1 + lam2 - (2 - alpha2)) == 0
    assert sp.simplify(sp.expand(lam1 * lam2) - 1) == 0
    assert a.locally_convergent is False


@pytest.mark.parametrize("f, fp0", [("logistic", sp.Rational(1, 2)),
                                    ("t/3 - t**3", sp.Rational(1, 3)),
                                    ("-t/2 + t**2", sp.Rational(-1, 2))])
@pytest.mark.parametrize("n_g, n_d", NG_ND)
def test_lemma_2_5_h_marginal(f, fp0, n_g, n_d):
    # Evidence: the lemma: on the unit circle iff a = sqrt(n_g n_d) h |f'(0)| <= 2, so the
    # spectrum stays on the circle up to h = 2 / (sqrt(n_g n_d) |f'(0)|); no h converges.
    a = _analysis("gan", (("f", f),), "altgd", n_g=n_g, n_d=n_d)
    expected = 2 / (sp.sqrt(n_g * n_d) * abs(fp0))
    assert a.discrete["h_marginal"] is not None
    assert sp.simplify(a.discrete["h_marginal"] - expected) == 0
    assert a.h_max is None
    assert a.discrete["stable_intervals"] == []


@pytest.mark.parametrize("n_g, n_d", NG_ND)
def test_lemma_2_5_marginal_below_outside_above(n_g, n_d):
    # Evidence: the lemma (logistic, |f'(0)| = 1/2) at h = 0.99 and 1.01 times 4/sqrt(n_g n_d):
    # below, marginal (radius 1, not convergent); above, radius
    # |1 - a^2/2| + sqrt((1 - a^2/2)^2 - 1) > 1, typed in from the lemma.
    crit = 4 / np.sqrt(n_g * n_d)
    below = _analysis("gan", (), "altgd", n_g=n_g, n_d=n_d, h=_rational(0.99 * crit))
    assert below.marginal is True
    assert below.locally_convergent is False
    assert below.spectral_radius == pytest.approx(1.0, abs=1e-14)
    h_above = _rational(1.01 * crit)
    above = _analysis("gan", (), "altgd", n_g=n_g, n_d=n_d, h=h_above)
    alpha = np.sqrt(n_g * n_d) * float(h_above) / 2
    c = 1 - alpha ** 2 / 2
    assert above.spectral_radius == pytest.approx(abs(c) + np.sqrt(c * c - 1), rel=1e-12)
    assert above.spectral_radius > 1
    assert above.marginal is False
    assert above.locally_convergent is False


@pytest.mark.parametrize("n_g, n_d", NG_ND)
def test_lemma_2_5_trajectories_cycle_below_escape_above(n_g, n_d):
    # Evidence: measured trajectories from |x0| = 1e-3 over 3000 rounds. Below the critical
    # step the iterates neither converge nor escape (they stay on an ellipse, elongated near
    # a = 2, so within a factor 10 at 0.9 h_marginal); above, they grow by > 1000x.
    crit = 4 / np.sqrt(n_g * n_d)
    r = stabgan.simulate(stabgan.method("gan"), scheme="altgd", n_g=n_g, n_d=n_d,
                         h=np.array([0.5, 0.9, 1.1]) * crit, theta0=1e-3, psi0=0.0, steps=3000,
                         record_every=1)
    d = _norms(r)
    for k in range(2):
        assert 1e-4 < d[k].min() and d[k].max() < 1e-2, (k, d[k].min(), d[k].max())
        assert r.status[k] == "bounded"
    assert d[2].max() > 1.0


@pytest.mark.parametrize("scheme, options", [("simgd", {}), ("altgd", {}),
                                             ("altgd", {"n_g": 3, "n_d": 2})])
def test_unregularized_gan_has_no_h_max(scheme, options):
    # Evidence: Lemmas 2.4/2.5: no step size converges.
    for f in ("logistic", "t/3 - t**3"):
        a = _analysis("gan", (("f", f),), scheme, **options)
        assert a.h_max is None
        assert a.discrete["stable_intervals"] == []


# ---------------------------------------------------------------------------------------------
# 3. Converge at 0.97 h_max, escape at 1.03 h_max (measured)
# ---------------------------------------------------------------------------------------------

METHODS = [("r1", (("gamma", "3/10"),)), ("r1", (("gamma", 1),)), ("consensus", (("gamma", 1),)),
           ("nk", (("eta", 1),)), ("roth", (("gamma", 1),))]
SCHEMES = [("simgd", {}), ("altgd", {"n_d": 1}), ("altgd", {"n_d": 5})]

def _escape_step(a) -> float:
    """1.03 h_max, or, where a stable interval starts before that, a point between."""
    hm = float(a.h_max)
    h_out = 1.03 * hm
    for lo, hi in a.discrete["stable_intervals"]:
        if float(lo) < h_out:
            h_out = (hm + float(lo)) / 2
    return h_out


def _run_until(m, scheme, h, start, converge: bool, options, block=200, max_steps=3000):
    """Simulate from |x0| = start in blocks of ``block`` rounds until the trajectory has
    converged (distance < 1e-3 start) or escaped (peak > 100 start and the current distance
    > 10 start), or ``max_steps`` rounds have run; returns the recorded distances."""
    theta, psi = start / np.sqrt(2), -start / np.sqrt(2)
    norms = []
    for _ in range(max_steps // block):
        r = stabgan.simulate(m, scheme=scheme, h=h, steps=block, theta0=theta, psi0=psi,
                             record_every=10, **options)
        norms.append(_norms(r)[1:])
        d = np.concatenate(norms)
        if converge and d[-1] < 1e-3 * start:
            break
        if not converge and (d.max() > 100 * start and d[-1] > 10 * start or r.diverged):
            break
        theta, psi = float(r.theta), float(r.psi)
    return np.concatenate([[start], d])


@pytest.mark.parametrize("scheme, options", SCHEMES, ids=["simgd", "altgd-nd1", "altgd-nd5"])
@pytest.mark.parametrize("method_id, params", METHODS + [("instance-noise", (("sigma", 1),))],
                         ids=["r1-0.3", "r1-1", "consensus", "nk", "roth", "instance-noise"])
def test_converges_below_and_escapes_above_h_max(method_id, params, scheme, options):
    # Evidence: measured trajectories from |x0| = 1e-3 (nonlinear terms ~1e-6 relative), run
    # for at most 3000 rounds. Converged: the distance fell below 1e-3 of its start;
    # escaped: the distance grew > 100x and is still > 10x its start (a flip bifurcation can
    # leave a bounded cycle of size ~0.1) or the trajectory left the simulator's bound.
    a = _analysis(method_id, params, scheme, **options)
    assert a.h_max is not None and a.h_max is not sp.oo
    hm = float(a.h_max)
    m = stabgan.method(method_id, **dict(params))
    start = 1e-3
    d_in = _run_until(m, scheme, 0.97 * hm, start, True, options)
    assert d_in[-1] < 1e-3 * start, (hm, d_in[-1])
    d_out = _run_until(m, scheme, _escape_step(a), start, False, options)
    assert d_out.max() > 100 * start and d_out[-1] > 10 * start, (hm, d_out.max(), d_out[-1])


# ---------------------------------------------------------------------------------------------
# 4. Contraction rate measured on a trajectory
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method_id, params, scheme, options, h", [
    ("r1", (("gamma", "3/10"),), "simgd", {}, "3/5"),
    ("r1", (("gamma", "3/10"),), "altgd", {"n_d": 5}, "1"),
    ("consensus", (("gamma", 1),), "altgd", {"n_g": 2, "n_d": 3}, "1/2"),
    ("nk", (("eta", 1),), "simgd", {}, "1/2"),
    ("roth", (("gamma", 1),), "altgd", {}, "1"),
])
def test_contraction_rate_matches_spectral_radius(method_id, params, scheme, options, h):
    # Evidence: the slope of log|x_k| against k, fitted by least squares on a simulated
    # trajectory from |x0| = 1e-4, over steps N/5..N with rho^N ~ e^-150 (N <= 3000).
    # log|x_k| = k log rho + a bounded oscillation of amplitude A (complex pair, non-normal
    # M); its least-squares slope error is ~ 12 A / (omega N^2), well below the 1e-3
    # relative tolerance asked for (measured: 1e-5 .. 1e-4).
    a = _analysis(method_id, params, scheme, h=h, **options)
    rho = a.spectral_radius
    assert rho < 1
    n = int(min(3000, 150 / -np.log(rho)))
    r = stabgan.simulate(stabgan.method(method_id, **dict(params)), scheme=scheme,
                         h=float(Fraction(h)), steps=n, theta0=1e-4, psi0=0.0, record_every=1,
                         **options)
    logd = np.log(_norms(r))
    k = np.arange(logd.size)
    lo = n // 5
    slope = np.polyfit(k[lo:], logd[lo:], 1)[0]
    assert slope == pytest.approx(np.log(rho), rel=1e-3)


@pytest.mark.parametrize("method_id, params, scheme, options", [
    ("r1", (("gamma", "3/10"),), "simgd", {}),
    ("r1", (("gamma", 1),), "simgd", {}),
    ("nk", (("eta", 1),), "altgd", {}), ("r1", (("gamma", "3/10"),), "altgd", {"n_d": 5}),
    ("consensus", (("gamma", 1),), "altgd", {"n_d": 5})])
def test_optimal_step_against_a_lapack_grid(method_id, params, scheme, options):
    # Evidence: LAPACK spectral radii of the update matrix (built here from the continuous
    # Jacobian) on 1e5 points of (0, h_max]: rate_opt is no worse than the best grid point
    # (+1e-9), and LAPACK at h_opt gives rate_opt (abs 1e-6; near a double eigenvalue LAPACK
    # is accurate to ~sqrt(eps) ~ 1.5e-8).
    a = _analysis(method_id, params, scheme, **options)
    J = np.array(a.discrete["continuous_jacobian"].evalf(30).tolist(), dtype=float)
    hm = float(a.h_max)
    n_d = options.get("n_d", 1)
    grid = np.linspace(hm / 1e5, hm, 100000)
    best = _rho_grid(J, grid, scheme, n_d).min()
    assert a.discrete["rate_opt"] <= best + 1e-9
    assert 0 < a.discrete["h_opt"] < hm
    at_opt = _rho_grid(J, np.array([a.discrete["h_opt"]]), scheme, n_d)[0]
    assert at_opt == pytest.approx(a.discrete["rate_opt"], abs=1e-6)


def test_r1_critical_gamma_simgd_optimal_step_is_nilpotent():
    # Evidence: Mescheder et al. 2018 (R1 Jacobian [[0, -f'(0)], [f'(0), -gamma]]): at the
    # critical gamma = 2 |f'(0)| = 1 the eigenvalues are a double -f'(0) = -1/2, so with
    # h = 1 / f'(0) = 2 the SimGD update I + hJ is nilpotent ((I + 2J)^2 = 0, typed in here)
    # and the fastest rate is 0. Measured: two simulated steps from |x0| ~ 3e-4 land within
    # O(|x0|^3) of the equilibrium.
    J = sp.Matrix([[0, -sp.Rational(1, 2)], [sp.Rational(1, 2), -1]])
    assert (sp.eye(2) + 2 * J) ** 2 == sp.zeros(2, 2)
    r = stabgan.simulate(stabgan.method("r1", gamma=1), scheme="simgd", h=2.0, steps=2,
                         theta0=[1e-4, -3e-4], psi0=[2e-4, 1e-4])
    assert (r.distance < 1e-10).all()
    a = _analysis("r1", (("gamma", 1),), "simgd")
    assert a.discrete["h_opt"] == pytest.approx(2.0, rel=1e-12)
    assert a.discrete["rate_opt"] < 1e-12


# ---------------------------------------------------------------------------------------------
# 5. The update Jacobian: finite differences and a symbolic composition
# ---------------------------------------------------------------------------------------------

def _fd_update_jacobian(m, scheme, h, eps=1e-5, **options) -> np.ndarray:
    """Central differences of one simulated update around (0, 0)."""
    r = stabgan.simulate(m, scheme=scheme, h=h, steps=1, theta0=[eps, -eps, 0, 0],
                         psi0=[0, 0, eps, -eps], **options)
    th, ps = r.theta, r.psi
    return np.array([[th[0] - th[1], th[2] - th[3]], [ps[0] - ps[1], ps[2] - ps[3]]]) / (2 * eps)


ORDERS = ["generator-first", "discriminator-first"]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("method_id, params", [("r1", (("gamma", "3/10"),)),
                                               ("consensus", (("gamma", 1),)),
                                               ("nk", (("eta", 1),))])
def test_update_jacobian_matches_finite_differences(method_id, params, order):
    # Evidence: central differences (eps = 1e-5) of one AltGD round (n_g = 2, n_d = 3, h = 3/10)
    # run by the simulator: truncation ~ eps^2 |F'''| ~ 1e-10, rounding ~ 1e-16/eps = 1e-11;
    # tolerance 1e-8.
    m = stabgan.method(method_id, **dict(params))
    a = _analysis(method_id, params, "altgd", n_g=2, n_d=3, order=order, h="3/10")
    fd = _fd_update_jacobian(m, "altgd", 0.3, n_g=2, n_d=3, order=order)
    exact = np.array(a.jacobian.evalf(30).tolist(), dtype=float)
    np.testing.assert_allclose(fd, exact, rtol=0, atol=1e-8)
    # LAPACK on the finite-difference matrix gives the same spectral radius
    assert np.max(np.abs(np.linalg.eigvals(fd))) == pytest.approx(a.spectral_radius, abs=1e-7)


def test_simgd_update_jacobian_matches_finite_differences():
    # Evidence: as above, for SimGD with two step sizes.
    m = stabgan.method("consensus", gamma=1)
    a = _analysis("consensus", (("gamma", 1),), "simgd", h_g="1/5", h_d="7/10")
    fd = _fd_update_jacobian(m, "simgd", None, h_g=0.2, h_d=0.7)
    np.testing.assert_allclose(fd, np.array(a.jacobian.evalf(30).tolist(), dtype=float),
                               rtol=0, atol=1e-8)


@pytest.mark.parametrize("order", ORDERS)
def test_altgd_update_jacobian_by_symbolic_composition(order):
    # Evidence: a second symbolic route. The code multiplies the sub-steps' Jacobians; here the
    # update map itself is composed by substitution (2 generator steps, 3 discriminator steps,
    # each with the newest value of the other player), differentiated, and evaluated at 0,
    # with h a symbol.
    m = stabgan.method("r1", gamma="3/10")
    v_theta, v_psi = m.vector_field
    symbols = {s.name: s for s in v_theta.free_symbols | v_psi.free_symbols}
    theta, psi = symbols["theta"], symbols["psi"]
    x, y = sp.symbols("x y")
    th, ps = x, y
    blocks = [("g", 2), ("d", 3)]
    if order == "discriminator-first":
        blocks.reverse()
    for who, count in blocks:
        for _ in range(count):
            if who == "g":
                th = th + H * v_theta.subs({theta: th, psi: ps}, simultaneous=True)
            else:
                ps = ps + H * v_psi.subs({theta: th, psi: ps}, simultaneous=True)
    composed = sp.Matrix([[sp.diff(th, x), sp.diff(th, y)],
                          [sp.diff(ps, x), sp.diff(ps, y)]]).subs({x: 0, y: 0})
    a = _analysis("r1", (("gamma", "3/10"),), "altgd", n_g=2, n_d=3, order=order)
    assert (composed - a.jacobian).applyfunc(sp.simplify) == sp.zeros(2, 2)


def test_altgd_spectrum_does_not_depend_on_order():
    # Evidence: AB and BA have the same spectrum (generator-first M = D G, discriminator-first
    # M' = G D): symbolic in h, gamma and f'(0); and LAPACK on finite-difference Jacobians.
    a, b = (_analysis("r1", (("f", "general"),), "altgd", n_g=2, n_d=3, order=o) for o in ORDERS)
    assert sp.simplify(sum(a.eigenvalues) - sum(b.eigenvalues)) == 0
    assert sp.simplify(sp.expand(a.eigenvalues[0] * a.eigenvalues[1]
                                 - b.eigenvalues[0] * b.eigenvalues[1])) == 0
    assert sp.simplify(a.jacobian - b.jacobian) != sp.zeros(2, 2)  # the maps differ
    m = stabgan.method("r1", gamma=0.3)
    eigs = [np.sort_complex(np.linalg.eigvals(_fd_update_jacobian(m, "altgd", 0.7, n_g=2, n_d=3,
                                                                    order=o))) for o in ORDERS]
    np.testing.assert_allclose(eigs[0], eigs[1], atol=1e-8)
    ha, hb = (_analysis("r1", (("gamma", "3/10"),), "altgd", n_g=2, n_d=3, order=o).h_max
              for o in ORDERS)
    assert sp.N(ha - hb, 30) == 0 or sp.simplify(ha - hb) == 0


# ---------------------------------------------------------------------------------------------
# 6. SimGD step-size lemma (Mescheder, Nowozin, Geiger 2017)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method_id, params", [
    ("r1", (("gamma", "1/10"),)), ("r1", (("gamma", "3/10"),)), ("r1", (("gamma", 1),)),
    ("r1", (("gamma", "5/2"),)), ("nk", (("eta", "1/2"),)), ("nk", (("eta", 3),)),
    ("consensus", (("gamma", "1/5"),)), ("consensus", (("gamma", 2),))])
def test_simgd_h_max_is_the_published_bound(method_id, params):
    # Evidence: Mescheder, Nowozin, Geiger (2017), Lemma 4: with every Re(lambda) < 0, SimGD
    # converges iff h < min_i -2 Re(lambda_i) / |lambda_i|^2. lambda from LAPACK on the
    # continuous Jacobian; that Jacobian itself is checked against central differences of the
    # numeric field m.field (eps = 1e-6: error ~ 1e-12, tolerance 1e-8).
    m = stabgan.method(method_id, **dict(params))
    a = _analysis(method_id, params, "simgd")
    J = np.array(a.discrete["continuous_jacobian"].evalf(30).tolist(), dtype=float)
    eps = 1e-6
    cols = []
    for e in ([eps, 0.0], [0.0, eps]):
        plus = np.array(m.field(e[0], e[1]), dtype=float)
        minus = np.array(m.field(-e[0], -e[1]), dtype=float)
        cols.append((plus - minus) / (2 * eps))
    np.testing.assert_allclose(np.array(cols).T, J, rtol=0, atol=1e-8)
    lam = np.linalg.eigvals(J)
    assert (lam.real < 0).all()
    bound = np.min(-2 * lam.real / np.abs(lam) ** 2)
    assert float(a.h_max) == pytest.approx(bound, rel=1e-10)
    assert a.discrete["stable_intervals"] == []  # "iff": no stability above the bound


# ---------------------------------------------------------------------------------------------
# 7. The generic Schur-Cohn routine on random matrices
# ---------------------------------------------------------------------------------------------

def _random_rational(rng, n: int, scale: int) -> list[list[Fraction]]:
    return [[Fraction(int(rng.integers(-20, 21)), int(rng.integers(1, 8))) / scale
             for _ in range(n)] for _ in range(n)]


def _to_sympy(rows) -> sp.Matrix:
    return sp.Matrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in rows])


@pytest.mark.parametrize("n", [2, 4])
def test_schur_cohn_verdict_matches_lapack(n):
    # Evidence: LAPACK. verdict == (max |eig| < 1) on seeded random rational matrices; the
    # cases with | rho - 1 | < 1e-9 are skipped (LAPACK cannot tell the side there; the
    # exact routine can) and must be rare.
    rng = np.random.default_rng(np.random.SeedSequence(2017 + n))
    count, agreed, skipped = 150, {True: 0, False: 0}, 0
    for _ in range(count):
        rows = _random_rational(rng, n, 8)
        rho = float(np.max(np.abs(np.linalg.eigvals(np.array(rows, dtype=float)))))
        if abs(rho - 1) < 1e-9:
            skipped += 1
            continue
        verdict, _ = decide(schur_conditions(_to_sympy(rows).charpoly(Z).all_coeffs()))
        assert verdict is bool(rho < 1), (rows, rho, verdict)
        agreed[verdict] += 1
    assert min(agreed.values()) >= count // 10, agreed
    assert skipped <= count // 20


def _rho_grid(J: np.ndarray, hs: np.ndarray, scheme: str, n_d: int) -> np.ndarray:
    """Spectral radius of the update matrix at each step size (LAPACK, vectorized)."""
    eye = np.eye(2)
    HJ = hs[:, None, None] * J[None]
    if scheme == "simgd":
        M = eye + HJ
    else:
        G = eye + np.diag([1.0, 0.0]) @ HJ
        D = eye + np.diag([0.0, 1.0]) @ HJ
        M = np.linalg.matrix_power(D, n_d) @ G
    return np.max(np.abs(np.linalg.eigvals(M)), axis=-1)


@pytest.mark.parametrize("seed", [0, 1])
def test_h_max_matches_bisection_on_random_hurwitz_matrices(seed):
    # Evidence: bisection on LAPACK spectral radii of the update matrix (built here in NumPy)
    # for random 2x2 J with eigenvalues in the open left half-plane. The first unstable point
    # of a geometric grid on [1e-4, 1e3] is bracketed and bisected to 1e-12 relative; h_max
    # must agree to 1e-9. Grid points above h_max with rho < 1 - 1e-9 must lie in a reported
    # stable interval, and points in a reported interval must have rho < 1 + 1e-9.
    rng = np.random.default_rng(np.random.SeedSequence([4, seed]))
    grid = np.geomspace(1e-4, 1e3, 20001)
    done = 0
    while done < 3:
        rows = _random_rational(rng, 2, 4)
        J = np.array(rows, dtype=float)
        if not (np.trace(J) < -1e-3 and np.linalg.det(J) > 1e-3):
            continue
        done += 1
        for scheme, n_d in [("simgd", 1), ("altgd", 1), ("altgd", 2)]:
            bounds = step_size_bounds(_to_sympy(rows), make_scheme(scheme, n_d=n_d))
            rho = _rho_grid(J, grid, scheme, n_d)
            unstable = np.flatnonzero(rho >= 1)
            assert bounds["h_max"] is not None
            if unstable.size == 0:
                assert bounds["h_max"] is sp.oo
                continue
            i = unstable[0]
            assert i > 0
            lo, hi = grid[i - 1], grid[i]
            while hi - lo > 1e-12 * hi:
                mid = (lo + hi) / 2
                if _rho_grid(J, np.array([mid]), scheme, n_d)[0] < 1:
                    lo = mid
                else:
                    hi = mid
            h_max = float(bounds["h_max"])
            assert h_max == pytest.approx(lo, rel=1e-9), (rows, scheme, n_d)
            intervals = [(float(a), float(b)) for a, b in bounds["stable_intervals"]]

            def reported(x):
                return any(a < x < b for a, b in intervals)
            above = grid > h_max * (1 + 1e-6)
            for x, r in zip(grid[above], rho[above]):
                if r < 1 - 1e-9:
                    assert reported(x), (rows, scheme, n_d, x, r)
                elif r > 1 + 1e-9:
                    assert not reported(x), (rows, scheme, n_d, x, r)


# ---------------------------------------------------------------------------------------------
# 8. Two step sizes
# ---------------------------------------------------------------------------------------------

def test_two_step_sizes_bound_on_h_d():
    # Evidence: the Jury criterion typed in here for M = I + diag(h_g, h_d) J with the R1
    # Jacobian J = [[0, -f'(0)], [f'(0), -gamma]] (Mescheder et al. 2018, Sec. 3): p(1) =
    # h_g h_d f'^2 > 0, 1 - det = h_d (gamma - h_g f'^2) > 0, p(-1) = 4 - 2 gamma h_d +
    # h_g h_d f'^2 > 0, i.e. h_d < 4 / (2 gamma - h_g f'^2) = 160/23 at gamma = 3/10,
    # h_g = 1/10, f'(0) = 1/2; then measured trajectories just inside and outside the bound.
    a = _analysis("r1", (("gamma", "3/10"),), "simgd", h_g="1/10")
    conditions = a.discrete["stability_conditions"]
    assert conditions and a.locally_convergent is None
    assert all(c.free_symbols == {HD_SYMBOL} for c in conditions)
    solved = sp.reduce_inequalities(conditions, HD_SYMBOL).as_set()
    gamma, h_g, fp = sp.Rational(3, 10), sp.Rational(1, 10), sp.Rational(1, 2)
    bound = 4 / (2 * gamma - h_g * fp ** 2)
    assert solved == sp.Interval.open(-sp.oo, bound) or solved == sp.Interval.open(0, bound)
    assert sp.simplify(solved.sup - bound) == 0
    for value, inside in [(sp.Rational(1, 100), True), (bound * sp.Rational(99, 100), True),
                          (bound, False), (bound * sp.Rational(101, 100), False)]:
        assert bool(sp.And(*conditions).subs(HD_SYMBOL, value)) is inside, value
    m = stabgan.method("r1", gamma=0.3)
    start = 1e-3
    r = stabgan.simulate(m, scheme="simgd", h_g=0.1, h_d=np.array([0.97, 1.03]) * float(bound),
                         steps=3000, theta0=start, psi0=0.0, record_every=10)
    d = _norms(r)
    assert d[0, -1] < 1e-3 * start
    assert d[1].max() > 100 * start and d[1, -1] > 10 * start


# ---------------------------------------------------------------------------------------------
# 9. WGAN clipping and non-smooth methods
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme, options", [("simgd", {}), ("altgd", {}),
                                             ("altgd", {"n_g": 2, "n_d": 3}),
                                             ("altgd", {"h": "1/2"})])
def test_wgan_clipping_leaves_the_local_spectrum_unchanged(scheme, options):
    # Evidence: WGAN's f(t) = t gives L = psi theta, the bilinear game; the clipping psi in
    # [-1, 1] is inactive near 0. Same update Jacobian, eigenvalues, verdict and step bounds.
    w = _analysis("wgan", (("c", 1),), scheme, **options)
    b = _analysis("bilinear", (), scheme, **options)
    assert (w.jacobian - b.jacobian).applyfunc(sp.simplify) == sp.zeros(2, 2)
    assert sp.simplify(sum(w.eigenvalues) - sum(b.eigenvalues)) == 0
    assert sp.simplify(sp.expand(w.eigenvalues[0] * w.eigenvalues[1]
                                 - b.eigenvalues[0] * b.eigenvalues[1])) == 0
    assert w.locally_convergent == b.locally_convergent
    assert w.marginal == b.marginal
    assert w.h_max == b.h_max
    for key in ("h_marginal",):
        assert (w.discrete[key] is None) == (b.discrete[key] is None)
        if w.discrete[key] is not None:
            assert sp.simplify(w.discrete[key] - b.discrete[key]) == 0


def test_wgan_clipping_trajectories():
    # Evidence: measured trajectories. Near 0 (|psi| << 1) WGAN with c = 1 and the bilinear
    # game follow the same iterates (rtol 1e-13: the same update, possibly written in another
    # order); from far away the clipping holds |psi| <= 1 after every discriminator step.
    kw = dict(scheme="altgd", h=0.3, steps=300, theta0=1e-3, psi0=-2e-3, record_every=1)
    w = stabgan.simulate(stabgan.method("wgan", c=1), **kw)
    b = stabgan.simulate(stabgan.method("bilinear"), **kw)
    np.testing.assert_allclose(w.history_theta, b.history_theta, rtol=1e-13, atol=0)
    np.testing.assert_allclose(w.history_psi, b.history_psi, rtol=1e-13, atol=0)
    far = stabgan.simulate(stabgan.method("wgan", c=1), scheme="altgd", h=0.3, steps=300,
                           theta0=3.0, psi0=0.5, record_every=1)
    assert np.abs(far.history_psi).max() <= 1.0
    assert np.abs(far.history_psi).max() == 1.0  # the constraint is reached and active


@pytest.mark.parametrize("scheme, options", [("simgd", {}), ("altgd", {}), ("altgd", {"h": "1/10"}),
                                             ("altgd", {"n_d": 5, "h": "1/10"})])
@pytest.mark.parametrize("method_id, params", [("wgan-gp", ()), ("dragan", (("k", 1),)),
                                               ("wgan-gp", (("gamma", "7/10"), ("g0", 1)))])
def test_nonsmooth_methods_have_no_update_jacobian(method_id, params, scheme, options):
    # Evidence: DESIGN.md section 3: the field jumps at psi = 0 (grad_x D = psi, penalty on
    # (|psi| - k)^2), so there is no Jacobian at the equilibrium.
    a = _analysis(method_id, params, scheme, **options)
    assert a.jacobian is None
    assert a.locally_convergent is False
    assert a.nonsmooth is not None
    assert a.h_max is None


# ---------------------------------------------------------------------------------------------
# 10. n_g, n_d up to 10
# ---------------------------------------------------------------------------------------------

def test_altgd_ten_by_ten_r1():
    # Evidence: LAPACK spectral radius of (I + h P_d J)^10 (I + h P_g J)^10 with the R1
    # Jacobian [[0, -1/2], [1/2, -1]] typed in here, just below/above h_max and in any
    # reported stable interval; measured trajectories converge / escape there.
    a = _analysis("r1", (("gamma", 1),), "altgd", n_g=10, n_d=10)
    assert a.h_max is not None and a.h_max is not sp.oo
    hm = float(a.h_max)
    assert 0 < hm < 10
    J = np.array([[0.0, -0.5], [0.5, -1.0]])
    eye = np.eye(2)

    def rho(h):
        G = np.linalg.matrix_power(eye + h * np.diag([1.0, 0.0]) @ J, 10)
        D = np.linalg.matrix_power(eye + h * np.diag([0.0, 1.0]) @ J, 10)
        return float(np.max(np.abs(np.linalg.eigvals(D @ G))))

    assert rho(hm * (1 - 1e-6)) < 1 < rho(hm * (1 + 1e-6))
    assert all(rho(x) < 1 for x in np.linspace(hm / 100, hm * (1 - 1e-6), 200))
    h_test = [0.97 * hm, _escape_step(a)]
    inside = []
    for lo, hi in a.discrete["stable_intervals"]:
        lo, hi = float(lo), float(hi)
        assert rho(lo * (1 - 1e-6)) > 1 - 1e-9 and rho((lo + hi) / 2) < 1
        inside.append((lo + hi) / 2)
    m = stabgan.method("r1", gamma=1)
    start = 1e-3
    r = stabgan.simulate(m, scheme="altgd", n_g=10, n_d=10, h=np.array(h_test + inside),
                         steps=2000, theta0=start, psi0=0.0, record_every=10)
    d = _norms(r)
    assert d[0, -1] < 1e-3 * start
    assert d[1].max() > 100 * start and d[1, -1] > 10 * start
    for k in range(2, d.shape[0]):
        assert d[k, -1] < 1e-3 * start


# ---------------------------------------------------------------------------------------------
# 11. Bad inputs
# ---------------------------------------------------------------------------------------------

_R1 = stabgan.method("r1", gamma=0.3)

BAD = [
    ("h", lambda: stabgan.analyze(_R1, scheme="simgd", h=0)),
    ("h", lambda: stabgan.analyze(_R1, scheme="simgd", h=-0.1)),
    ("h", lambda: stabgan.analyze(_R1, scheme="altgd", h=float("nan"))),
    ("h", lambda: stabgan.simulate(_R1, scheme="simgd", h=0.0, steps=5)),
    ("h", lambda: stabgan.simulate(_R1, scheme="simgd", h=[0.1, -0.2], steps=5)),
    ("h", lambda: stabgan.simulate(_R1, scheme="simgd", h=float("nan"), steps=5)),
    ("h_d", lambda: stabgan.simulate(_R1, scheme="simgd", h_g=0.1, h_d=0.0, steps=5)),
    ("h_g", lambda: stabgan.analyze(_R1, scheme="simgd", h_g=-1)),
    ("steps", lambda: stabgan.simulate(_R1, scheme="simgd", h=0.1, steps=-1)),
    ("n_d", lambda: stabgan.analyze(_R1, scheme="altgd", n_d=0)),
    ("n_d", lambda: stabgan.analyze(_R1, scheme="altgd", n_d=2.5)),
    ("n_d", lambda: stabgan.simulate(_R1, scheme="altgd", h=0.1, n_d=0)),
    ("n_d", lambda: stabgan.simulate(_R1, scheme="altgd", h=0.1, n_d=2.5)),
    ("n_g", lambda: stabgan.analyze(_R1, scheme="altgd", n_g=0)),
    ("theta0", lambda: stabgan.simulate(_R1, h=0.1, theta0=float("nan"))),
    ("psi0", lambda: stabgan.simulate(_R1, h=0.1, psi0=[0.1, float("nan")])),
    ("c", lambda: stabgan.method("wgan", c=0)),
    ("scheme", lambda: stabgan.analyze(_R1, scheme="adam")),
    ("scheme", lambda: stabgan.simulate(_R1, scheme="foo", h=0.1)),
    ("order", lambda: stabgan.analyze(_R1, scheme="altgd", order="random")),
]


@pytest.mark.parametrize("name, call", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_bad_inputs_raise_input_error_naming_the_parameter(name, call):
    # Evidence: the contract (DESIGN.md section 3, issue section 4): an InputError (a
    # ValueError) whose message names the parameter.
    with pytest.raises(stabgan.InputError, match=f"'{name}'") as info:
        call()
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)
