"""A catalogue-shaped method with a non-smooth field: the hinge loss (Lim & Ye 2017; Miyato et
al. 2018) written with Min/Max. It simulates (SimGD, AltGD, extragradient), integrates and
maps; every number is checked against a hand-written field (plain Python max/min)."""
import numpy as np
import pytest
import sympy as sp

import stabgan
from stabgan.model.catalogue import Citation, D, MethodSpec
from stabgan._symbols import THETA

# The paper's discriminator D_paper(x) is a score for REAL, so D_paper = -D_psi (as for rsgan).
# Discriminator: maximizes E[min(0, -1 + D_paper(x))] + E[min(0, -1 - D_paper(G(z)))], data at
# 0, G(z) = theta; generator: minimizes -E[D_paper(G(z))].
_DP = (lambda x: -D(x))
HINGE = MethodSpec(
    id="hinge", summary="hinge loss (geometric GAN / SN-GAN)",
    citation=Citation("Lim, Ye", 2017, "Geometric GAN", "arXiv preprint", "1705.02894"),
    parameters=(), objective=sp.S.Zero, builtin_f="none",
    loss_d=sp.Min(0, -1 + _DP(0)) - sp.Max(0, 1 + _DP(THETA)),
    loss_g=-_DP(THETA),
    convention="D_paper = -D_psi (a logit for REAL); the discriminator ascends "
               "min(0, -1 + D_paper(0)) + min(0, -1 - D_paper(theta)).",
)


def paper_losses(theta, psi):
    """(L_G, L_D) of the paper in plain Python: the generator descends L_G, the
    discriminator descends L_D = E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]."""
    d_real, d_fake = -psi * 0.0, -psi * theta
    return -d_fake, max(0.0, 1.0 - d_real) + max(0.0, 1.0 + d_fake)


def hand_field(theta, psi, delta=1e-6):
    """v = (-dL_G/dtheta, -dL_D/dpsi) by central differences of the paper's losses."""
    vt = -(paper_losses(theta + delta, psi)[0] - paper_losses(theta - delta, psi)[0]) / (2 * delta)
    vp = -(paper_losses(theta, psi + delta)[1] - paper_losses(theta, psi - delta)[1]) / (2 * delta)
    return vt, vp


def subgradient_field(theta, psi):
    """The explicit field off the kink psi theta = 1: (-psi, theta if psi theta < 1 else 0)."""
    return -psi, (theta if psi * theta < 1 else 0.0)


def _points():
    rng = np.random.default_rng(7)
    th, ps = rng.uniform(-2.5, 2.5, (2, 400))
    keep = np.abs(1 - th * ps) > 1e-3          # away from the kink, where v is a gradient
    return th[keep], ps[keep]


@pytest.fixture(scope="module")
def m():
    return stabgan.method(HINGE)


def test_field_is_the_papers_gradient(m):
    th, ps = _points()
    vt, vp = m.field(th, ps)
    hand = np.array([hand_field(a, b) for a, b in zip(th, ps)])
    np.testing.assert_allclose(vt, hand[:, 0], atol=1e-8)
    np.testing.assert_allclose(vp, hand[:, 1], atol=1e-8)
    sub = np.array([subgradient_field(a, b) for a, b in zip(th, ps)])
    assert np.array_equal(np.array([vt, vp]).T, sub)


def test_simgd_step_is_x_plus_h_v(m):
    th, ps = _points()
    h = 0.37
    r = stabgan.simulate(m, "simgd", h=h, steps=1, theta0=th, psi0=ps)
    hand = np.array([hand_field(a, b) for a, b in zip(th, ps)])
    np.testing.assert_allclose(r.theta, th + h * hand[:, 0], rtol=0, atol=1e-8)
    np.testing.assert_allclose(r.psi, ps + h * hand[:, 1], rtol=0, atol=1e-8)


def test_simgd_on_the_kink_takes_heaviside_of_zero_one_half(m):
    # psi theta = 1 exactly: SymPy's Heaviside(0) = 1/2, so v_psi = theta / 2
    r = stabgan.simulate(m, "simgd", h=0.25, steps=1, theta0=2.0, psi0=0.5)
    assert float(r.theta) == 2.0 - 0.25 * 0.5 and float(r.psi) == 0.5 + 0.25 * 2.0 / 2


def _run_by_hand(scheme, th, ps, h, steps):
    th, ps = float(th), float(ps)
    for _ in range(steps):
        if scheme == "simgd":
            vt, vp = subgradient_field(th, ps)
            th, ps = th + h * vt, ps + h * vp
        elif scheme == "altgd":                       # generator first
            th = th + h * subgradient_field(th, ps)[0]
            ps = ps + h * subgradient_field(th, ps)[1]
        else:                                          # extragradient, h_e = h
            vt, vp = subgradient_field(th, ps)
            wt, wp = subgradient_field(th + h * vt, ps + h * vp)
            th, ps = th + h * wt, ps + h * wp
    return th, ps


@pytest.mark.parametrize("scheme", ["simgd", "altgd", "extragradient"])
def test_schemes_follow_the_hand_written_field(m, scheme):
    rng = np.random.default_rng(11)
    th, ps = rng.uniform(-1.5, 1.5, (2, 25))
    h, steps = 0.05, 40
    kw = {"h_e": h} if scheme == "extragradient" else {}
    r = stabgan.simulate(m, scheme, h=h, steps=steps, theta0=th, psi0=ps, **kw)
    hand = np.array([_run_by_hand(scheme, a, b, h, steps) for a, b in zip(th, ps)])
    np.testing.assert_allclose(r.theta, hand[:, 0], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(r.psi, hand[:, 1], rtol=1e-12, atol=1e-13)


def test_ode_matches_a_hand_written_rhs_and_the_closed_form(m):
    from scipy.integrate import solve_ivp
    # from (0.6, 2) (psi theta > 1: v = (-2, 0)) to the kink at theta = 0.5 (t = 0.05), then
    # across it onto the circle theta^2 + psi^2 = 4.25, which meets psi theta = 1 again (in
    # the third quadrant, where the flow then slides along the hyperbola: a Filippov sliding
    # mode, checked in tests/test_sliding.py) only after a turn of about 2.06 > 1.5 - 0.05
    t = np.linspace(0, 1.5, 61)
    o = stabgan.integrate(m, t_span=(0, 1.5), theta0=0.6, psi0=2.0, t_eval=t)
    assert o.status == "success"

    def rhs(_, y):
        return list(subgradient_field(y[0], y[1]))
    ref = solve_ivp(rhs, (0, 1.5), [0.6, 2.0], method="DOP853", rtol=1e-10, atol=1e-12, t_eval=t)
    np.testing.assert_allclose(o.theta, ref.y[0], atol=1e-9)
    np.testing.assert_allclose(o.psi, ref.y[1], atol=1e-9)
    r, a0, t1 = np.hypot(0.5, 2.0), np.arctan2(2.0, 0.5), 0.05
    exact_t = np.where(t < t1, 0.6 - 2 * t, r * np.cos(a0 + t - t1))
    exact_p = np.where(t < t1, 2.0, r * np.sin(a0 + t - t1))
    np.testing.assert_allclose(o.theta, exact_t, atol=1e-7)
    np.testing.assert_allclose(o.psi, exact_p, atol=1e-7)


def test_analyze_and_stability_map(m):
    # the kink psi theta = 1 is away from the equilibrium: there v = (-psi, theta), the
    # bilinear game's field, whose SimGD operator has spectral radius sqrt(1 + h^2)
    a = stabgan.analyze(m)
    assert a.jacobian == sp.Matrix([[0, -1], [1, 0]])
    h = np.array([0.1, 0.5, 1.0])
    s = stabgan.stability_map(m, "simgd", h=h)
    np.testing.assert_allclose(s.spectral_radius, np.sqrt(1 + h ** 2), rtol=1e-12)
    assert not s.locally_convergent.any()
