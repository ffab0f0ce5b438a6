"""Five defects from the issue list, each checked against an independent fact: a hand-derived
polynomial or formula, mpmath at high precision, or a simulated trajectory."""
import mpmath
import numpy as np
import pytest
import sympy as sp

import stabgan


# 1. OGDA's optimal step sits exactly on a double eigenvalue ------------------------------------

def _ogda_radius(lam, h):
    """OGDA x+ = x + 2h v(x) - h v(x_prev) on an eigenvector of J with eigenvalue lam gives
    z^2 - (1 + 2 h lam) z + h lam = 0 (by hand); the radius of its roots, in mpmath."""
    b, c = -(1 + 2 * h * lam), h * lam
    d = mpmath.sqrt(b * b - 4 * c)
    return max(abs((-b + d) / 2), abs((-b - d) / 2))


@pytest.mark.parametrize("mid, lam, h_star", [
    # J = [[0, -1/2], [1/2, 0]] (logistic f'(0) = 1/2): lam = +-i/2; the discriminant
    # (1 + 2 h lam)^2 - 4 h lam = 1 + 4 h^2 lam^2 vanishes at h = 1: a double root (1 + i)/2
    ("gan", mpmath.mpc(0, 0.5), 1),
    # min_x max_y xy: lam = +-i, double root at h = 1/2
    ("bilinear", mpmath.mpc(0, 1), mpmath.mpf(1) / 2),
])
def test_ogda_optimal_step_is_the_exact_double_root(mid, lam, h_star):
    d = stabgan.analyze(stabgan.method(mid), scheme="ogda").to_dict()
    with mpmath.workdps(60):
        b, c = -(1 + 2 * h_star * lam), h_star * lam
        assert abs(b * b - 4 * c) < mpmath.mpf(10) ** -50          # a double root there
        # independent minimisation of the hand-written radius at 60 digits (golden section)
        lo, hi = mpmath.mpf(h_star) / 2, mpmath.mpf(h_star) * mpmath.mpf("1.1")
        g = (mpmath.sqrt(5) - 1) / 2
        for _ in range(300):
            x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
            if _ogda_radius(lam, x1) < _ogda_radius(lam, x2):
                hi = x2
            else:
                lo = x1
        h_min = (lo + hi) / 2
        assert abs(h_min - h_star) < mpmath.mpf(10) ** -20
        rate = _ogda_radius(lam, mpmath.mpf(h_star))
        assert abs(rate - 1 / mpmath.sqrt(2)) < mpmath.mpf(10) ** -40
    assert d["h_opt"] == float(h_star)
    assert abs(d["rate_opt"] - float(rate)) < 1e-15


def test_ogda_r1_optimum_where_the_repeated_quadratic_has_zero_trace():
    """R1, gamma = 1: J = [[0, -1/2], [1/2, -1]] has the double eigenvalue -1/2, so the OGDA
    polynomial is the square of z^2 - (1 - h) z - h/2 for every h (by hand); its radius
    (|1 - h| + sqrt(1 + h^2)) / 2 is least at h = 1, sqrt(2)/2."""
    d = stabgan.analyze(stabgan.method("r1", gamma=1), scheme="ogda").to_dict()
    h = sp.Symbol("h", positive=True)
    rho = (sp.Abs(1 - h) + sp.sqrt(1 + h ** 2)) / 2
    assert sp.N(rho.subs(h, sp.Rational(999, 1000)) - rho.subs(h, 1), 30) > 0
    assert sp.N(rho.subs(h, sp.Rational(1001, 1000)) - rho.subs(h, 1), 30) > 0
    assert d["h_opt"] == 1.0
    assert abs(d["rate_opt"] - np.sqrt(2) / 2) < 1e-15


# 2. Words for one-sided equilibria come from their type ---------------------------------------

# hand-built Jacobians of each type; numpy's eigenvalues are the independent check of the type
_TYPES = {
    "stable node": [[-1, 0], [0, -3]],
    "unstable node": [[1, 0], [0, 3]],
    "stable focus": [[-1, -2], [2, -1]],
    "unstable focus": [[1, -2], [2, 1]],
    "saddle": [[1, 0], [0, -2]],
    "centre": [[0, -2], [2, 0]],
    "stable degenerate node": [[-1, 1], [0, -1]],
    "unstable degenerate node": [[1, 1], [0, 1]],
}


@pytest.mark.parametrize("kind", sorted(_TYPES))
def test_each_type_gets_its_own_words(kind):
    from stabgan.analysis.analyze import _nonsmooth_words
    from stabgan.analysis.continuous import classify_2x2
    J = np.array(_TYPES[kind], dtype=float)
    ev = np.linalg.eigvals(J)
    stable = bool(np.all(ev.real < 0))
    repels = bool(np.all(ev.real > 0))
    assert classify_2x2(sp.Matrix(_TYPES[kind])) == kind
    words = _nonsmooth_words([kind, kind])
    plural = {"focus": "foci", "node": "nodes", "saddle": "saddles", "centre": "centres"}
    last = kind.split()[-1]
    assert kind.replace(last, plural[last]) in words
    if stable and np.all(ev.imag == 0):
        assert "can settle on a non-Nash point" in words
    else:
        assert "can settle" not in words
    if repels:
        assert "repel" in words or "away" in words
    if np.any(ev.imag != 0) and stable:
        assert "limit cycle" in words
    elif "limit cycle" in words:
        pytest.fail(f"{kind}: a limit cycle is suggested by a type that does not spiral inwards")


def test_dragan_with_convex_f_has_repelling_one_sided_equilibria():
    """f = log(1 + e^t) (f''(0) = 1/4 > 0), gamma = 2, k = 1: on psi -> 0+ the equilibrium
    theta_b = -gamma k / f'(0) = -4 has d v_psi / d psi = theta_b^2 f''(0) - gamma = 2 > 0 and
    trace 2, det 1/4: an unstable node. A simulated trajectory from next to it moves away."""
    from scipy.integrate import solve_ivp
    m = stabgan.method("dragan", f="log(1+exp(t))", gamma=2, k=1)
    a = stabgan.analyze(m)
    types = {e["type"] for s in a.nonsmooth["one_sided"].values() for e in s["equilibria"]}
    assert types == {"unstable node"}
    text = a.verdict()
    assert "unstable nodes" in text and "can settle" not in text
    assert "can settle" not in a.to_dict()["nonsmooth"]["behaviour"]

    def rhs(t, y):
        vt, vp = m.field(np.array([y[0]]), np.array([y[1]]))
        return [float(vt[0]), float(vp[0])]
    start = np.array([-4.0 + 1e-3, 1e-3])
    sol = solve_ivp(rhs, (0, 3), start, rtol=1e-10, atol=1e-12)
    d0 = np.hypot(start[0] + 4, start[1])
    d1 = np.hypot(sol.y[0, -1] + 4, sol.y[1, -1])
    assert d1 > 10 * d0


# 3. The ODE oracle's horizon follows the spectrum -------------------------------------------

@pytest.mark.parametrize("gamma", [3, 4])
def test_dragan_large_gamma_reaches_its_non_nash_point(gamma):
    """DRAGAN, logistic f (f'(0) = 1/2, f''(0) = -1/4), k = 1: on psi -> 0+ the field vanishes at
    theta_b = -gamma k / f'(0) = -2 gamma, with one-sided Jacobian [[0, -1/2], [1/2,
    theta_b^2 f''(0) - gamma]] = [[0, -1/2], [1/2, -gamma^2 - gamma]] (by hand): a stable node
    whose slow eigenvalue (-0.021 for gamma = 3, -0.012 for 4) needs far more than t = 500.
    The flow must be followed until it stops at theta_b (and -theta_b from psi < 0)."""
    J = np.array([[0, -0.5], [0.5, -gamma ** 2 - gamma]])
    slow = -max(np.linalg.eigvals(J).real)
    assert 0 < slow < 0.025                 # about 10 e-foldings by t = 500: too few for 1e-8
    for start, theta_b in (((0.5, 1.0), -2.0 * gamma), ((0.5, -1.0), 2.0 * gamma)):
        a = stabgan.attractor(stabgan.method("dragan", gamma=gamma, k=1), *start)
        assert a.kind == "point", a
        assert abs(a.theta - theta_b) < 1e-6 and abs(a.psi) < 1e-6


def test_attractor_not_settled_by_t_max_is_undecided_not_none():
    """Cut short at t_max = 500 the gamma = 3 flow is still moving (speed ~1e-6): the answer
    is 'undecided', since 'none' means a centre (nothing attracts)."""
    a = stabgan.attractor(stabgan.method("dragan", gamma=3, k=1), 0.5, 1.0, t_max=500)
    assert a.kind == "undecided" and "undecided at t_max = 500" in a.detail
    assert abs(a.theta + 6) < 1e-3                     # on its way to theta_b = -6
    assert stabgan.attractor(stabgan.method("gan")).kind == "none"   # a centre stays 'none'


# 4. A defective eigenvalue on the unit circle is reported ---------------------------------------

@pytest.mark.parametrize("scheme", ["simgd", "altgd", "ogda"])
def test_lsgan_defective_unit_eigenvalue_and_linear_growth(scheme):
    """LSGAN, a = 0, c = 1: v = (psi (1 - psi theta), -psi theta^2), J = [[0, 1], [0, 0]]
    (by hand), so SimGD's I + hJ = [[1, h], [0, 1]] is a Jordan block at z = 1. Simulated from
    (0, 1e-5) with h = 0.1 the distance grows like k h psi0 (the block's theta_k = k h psi0;
    the nonlinear term psi theta^2 changes it by < 0.5% over 4000 steps): linearly."""
    m = stabgan.method("lsgan", a=0, b=1, c=1)
    d = stabgan.analyze(m, scheme=scheme, h=0.1).to_dict()
    assert d["marginal"] is True and d["defective"] is True
    assert any("grow linearly" in n for n in d["notes"])
    assert "defective" in stabgan.analyze(m, scheme=scheme, h=0.1).verdict()
    symbolic = stabgan.analyze(m, scheme=scheme)
    assert symbolic.to_dict()["defective"] is True
    from stabgan._text import analysis_text
    assert "defective eigenvalue" in analysis_text(symbolic)
    r = stabgan.simulate(m, scheme=scheme, h=0.1, steps=4000, theta0=0.0, psi0=1e-5,
                         record_every=1000)
    dist = np.hypot(r.history_theta, r.history_psi)[1:]
    k = np.asarray(r.record_steps)[1:]
    assert np.all(np.abs(dist / (k * 0.1 * 1e-5) - 1) < 5e-3)


def test_distinct_unit_eigenvalues_are_not_defective():
    """AltGD on min_x max_y xy, h = 1: det(z I - M) = z^2 - (2 - h^2) z + 1 (by hand), two
    distinct roots e^{+-i pi/3} on the circle: marginal, not defective; the simulated iterates
    stay bounded (the map is linear: no growth over 10^4 steps)."""
    m = stabgan.method("bilinear")
    d = stabgan.analyze(m, scheme="altgd", h=1).to_dict()
    assert d["marginal"] is True and d["defective"] is False
    r = stabgan.simulate(m, scheme="altgd", h=1.0, steps=10000, theta0=1.0, psi0=0.0)
    assert 0.5 < float(r.distance) < 2.0


# 5. Dirac-GAN facts outside a paper's assumptions are labelled derived --------------------------

def test_nagarajan_kolter_statements_on_the_dirac_gan_are_labelled_derived():
    """NK17's stability theorems assume absolutely continuous generator and data distributions
    (the condition Mescheder et al. 2018 show to fail for the Dirac-GAN). Every NK17 statement
    checked on the Dirac-GAN (all of the suite's) is therefore
    a derived fact, labelled as nk17-critical-eta is: '(on the Dirac-GAN; derived)'."""
    from stabgan.lemmas.registry import statements
    nk = [s for s in statements() if "Nagarajan" in s.source]
    ids = {s.id for s in nk}
    assert {"nk17-stable-logistic", "nk17-stable-wgan", "nk17-critical-eta"} <= ids
    for s in nk:
        assert "on the Dirac-GAN; derived" in s.source, (s.id, s.source)
