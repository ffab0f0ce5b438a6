r"""Filippov sliding in the ODE oracle, checked against closed forms derived here by hand.

The hinge loss's field on the Dirac-GAN (tests/test_hinge.py) is
v = (-psi, theta H(1 - theta psi)). With s = theta psi - 1 and grad s = (psi, theta):

* inside (s < 0) v_- = (-psi, theta), a rotation: r^2 = theta^2 + psi^2 is conserved and
  the period is 2 pi; sigma_- = grad s . v_- = theta^2 - psi^2;
* outside (s > 0) v_+ = (-psi, 0): psi is constant; sigma_+ = -psi^2 < 0;
* on s = 0 with |theta| > |psi| (i.e. |theta| > 1) sigma_- > 0 > sigma_+: the flow slides with
  v_slide = (1 - a) v_- + a v_+, a = sigma_- / (sigma_- - sigma_+), i.e.
  v_slide = (-psi, psi^2 / theta). On the hyperbola theta' = -1/theta, so theta^2 / 2 falls at
  rate 1: from theta = a to theta = 1 takes (a^2 - 1) / 2. At theta = psi = +-1 sigma_- = 0
  and the flow leaves on the circle r = sqrt(2), which touches the hyperbola only there.
* on s = 0 with |theta| < |psi| both sigmas are negative: the flow crosses inwards.

So the disc r <= sqrt(2) is a centre, and every start with r > sqrt(2) reaches the circle
r = sqrt(2) in finite time and stays on it. Every expected number below comes from these
formulas (independent evidence), not from the program.
"""
import sys
import pathlib

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

import stabgan
from stabgan._symbols import PSI, THETA

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from test_hinge import HINGE  # noqa: E402

R_C = np.sqrt(2.0)


@pytest.fixture(scope="module")
def m():
    return stabgan.method(HINGE)


def _arrival(theta0, psi0):
    """Closed form: (time at which the flow from (theta0, psi0), r0 > sqrt(2), reaches the
    circle r = sqrt(2), theta at which it starts to slide)."""
    t = 0.0
    th, ps = theta0, psi0
    if th * ps > 1:                       # outside: psi constant, theta' = -psi
        th_hit = 1 / ps
        t += (th - th_hit) / ps
        th = th_hit
        if abs(th) > abs(ps):             # lands on the sliding part
            return t + (th ** 2 - 1) / 2, th
        # lands on the crossing part: goes inside and rotates
    r = np.hypot(th, ps)
    phi0 = np.arctan2(ps, th)
    phi_h = 0.5 * np.arcsin(2 / r ** 2)   # first-quadrant sliding point (below pi/4)
    hits = [phi_h + k * np.pi for k in range(-2, 4)]
    phi = min(h for h in hits if h > phi0 + 1e-12)
    th_slide = r * np.cos(phi)
    return t + (phi - phi0) + (th_slide ** 2 - 1) / 2, th_slide


@pytest.mark.parametrize("r0, angle", [(0.3, 0.2), (1.0, 1.0), (1.3, 2.5), (1.41, 0.785)])
def test_inside_the_disc_the_radius_is_conserved_and_the_period_is_two_pi(m, r0, angle):
    # tolerance 1e-8: 1e2 x the default rtol 1e-10 over five periods (the global error of
    # DOP853 grows about linearly in the number of periods)
    th0, ps0 = r0 * np.cos(angle), r0 * np.sin(angle)
    t = np.linspace(0, 10 * np.pi, 2001)
    o = stabgan.integrate(m, t_span=(0, t[-1]), theta0=th0, psi0=ps0, t_eval=t)
    assert o.status == "success" and o.switches == [[]]
    np.testing.assert_allclose(np.hypot(o.theta, o.psi), r0, rtol=0, atol=1e-8)
    np.testing.assert_allclose(o.theta, r0 * np.cos(angle + t), rtol=0, atol=1e-8)
    np.testing.assert_allclose(o.psi, r0 * np.sin(angle + t), rtol=0, atol=1e-8)
    periods = np.arange(6) * 2 * np.pi               # period 2 pi: back at the start
    o = stabgan.integrate(m, t_span=(0, periods[-1]), theta0=th0, psi0=ps0, t_eval=periods)
    np.testing.assert_allclose(o.theta, th0, atol=1e-8)
    np.testing.assert_allclose(o.psi, ps0, atol=1e-8)


#: starts with r0 > sqrt(2): outside then slide; outside, cross, rotate, slide (third
#: quadrant); inside then slide in either quadrant; far away; just outside the circle
OUTSIDE = [(3.0, 0.5), (0.6, 2.0), (0.3, 3.0), (2.5, -1.0), (-3.0, -0.2), (-4.0, 6.0), (1.3, 0.8),
           (1.0, 1.05)]


@pytest.mark.parametrize("theta0, psi0", OUTSIDE)
def test_outside_the_disc_the_flow_reaches_the_circle_in_finite_time_and_stays(m, theta0, psi0):
    T, th_slide = _arrival(theta0, psi0)
    assert abs(th_slide) > 1                      # it does slide (the closed form says so)
    t = np.linspace(0, T + 4 * np.pi, 3001)
    o = stabgan.integrate(m, t_span=(0, t[-1]), theta0=theta0, psi0=psi0, t_eval=t)
    assert o.status == "success"
    r = np.hypot(o.theta, o.psi)
    after = t >= T + 1e-6
    # 1e-8: as in the disc test; the arrival time is an event located to ~1e-12
    np.testing.assert_allclose(r[after], R_C, rtol=0, atol=1e-8)
    assert np.all(r[t <= T - 1e-3] > R_C + 1e-7)  # and not before T
    kinds = [s[4] for s in o.switches[0]]
    assert "slide" in kinds
    first_leave = o.switches[0][kinds.index("leave")]
    assert first_leave[0] == pytest.approx(T, abs=1e-8)
    assert (first_leave[1], first_leave[2]) == pytest.approx((np.sign(th_slide),) * 2, abs=1e-8)


@pytest.mark.parametrize("a", [1.5, 2.0, 3.0, -2.5])
def test_sliding_speed_along_the_hyperbola_matches_the_closed_form(m, a):
    # start ON theta psi = 1 at theta = a (|a| > 1: the sliding part): theta' = -1/theta, so
    # theta(t) = sign(a) sqrt(a^2 - 2t), psi = 1/theta, until theta = +-1 at t = (a^2 - 1)/2
    t_leave = (a * a - 1) / 2
    t = np.linspace(0, t_leave, 201)[:-1]
    o = stabgan.integrate(m, t_span=(0, t_leave + 1), theta0=a, psi0=1 / a, t_eval=t)
    assert o.status == "success"
    exact = np.sign(a) * np.sqrt(a * a - 2 * t)
    np.testing.assert_allclose(o.theta, exact, rtol=0, atol=1e-8)
    np.testing.assert_allclose(o.theta * o.psi, 1.0, rtol=0, atol=1e-10)   # stays on s = 0
    leave = [s for s in o.switches[0] if s[4] == "leave"]
    assert leave[0][0] == pytest.approx(t_leave, abs=1e-8)


def test_starting_on_the_crossing_part_goes_inside(m):
    # theta psi = 1 with |theta| < |psi|: both sides push into s < 0, the flow rotates
    t = np.linspace(0, 1, 51)
    o = stabgan.integrate(m, t_span=(0, 1), theta0=0.5, psi0=2.0, t_eval=t)
    r, a0 = np.hypot(0.5, 2.0), np.arctan2(2.0, 0.5)
    np.testing.assert_allclose(o.theta, r * np.cos(a0 + t), atol=1e-9)
    np.testing.assert_allclose(o.psi, r * np.sin(a0 + t), atol=1e-9)


def test_no_chattering_the_cost_is_that_of_the_smooth_pieces(m):
    # The sliding flow must cost about as many right-hand-side evaluations as the smooth
    # rotation over the same span (no chattering of the step size at the kink). Reference:
    # solve_ivp on the rotation alone, same method and tolerances; allowed: 3x that plus
    # 600 per switch (each segment restarts the step-size control).
    span = (0.0, 40.0)
    ref = solve_ivp(lambda t, y: [-y[1], y[0]], span, [3.0, 0.5], method="DOP853",
                    rtol=1e-10, atol=1e-12)
    starts = np.array(OUTSIDE)
    o = stabgan.integrate(m, t_span=span, theta0=starts[:, 0], psi0=starts[:, 1])
    assert np.all(o.status == "success")
    for n, sw in zip(o.nfev, o.switches):
        assert 0 < n <= 3 * ref.nfev + 600 * len(sw)


def test_attractor_sees_the_centre_inside_and_the_circle_outside(m):
    assert stabgan.attractor(m, theta0=0.5, psi0=0.5, t_max=100).kind == "none"
    a = stabgan.attractor(m, theta0=3.0, psi0=0.5, t_max=100)
    assert a.kind == "limit_cycle"
    assert a.theta_crossing == pytest.approx(R_C, abs=1e-8)   # psi' = theta > 0 there
    assert a.period == pytest.approx(2 * np.pi, abs=1e-8)


def test_a_curved_surface_slides_and_leaves_where_the_closed_form_says():
    # v = (1 - 2 H(s), 1), s = theta - psi^2 (a parabola), built directly (generality beyond
    # the hinge). grad s = (1, -2 psi); sigma_- = 1 - 2 psi, sigma_+ = -1 - 2 psi: sliding for
    # |psi| < 1/2 with v_slide = (2 psi, 1) (theta = psi^2 stays true), leaving at psi = 1/2
    # to the side s < 0 with v = (1, 1). From (1, -0.3) (s > 0: v = (-1, 1)) it hits the
    # parabola at t_h = (-0.4 + sqrt(3.8)) / 2.
    from stabgan.model.switching import general_switching
    from stabgan.oracles.filippov import solve_switched, switched_field
    field = (1 - 2 * sp.Heaviside(THETA - PSI ** 2), sp.S.One)
    surfaces = general_switching(field)
    assert surfaces == (THETA - PSI ** 2,) or surfaces == (PSI ** 2 - THETA,)
    system = switched_field(field, surfaces)
    t_h = (-0.4 + np.sqrt(3.8)) / 2
    psi_h = -0.3 + t_h
    t_x = t_h + (0.5 - psi_h)
    t = np.linspace(0, t_x + 1, 401)
    out, status, _, switches, nfev, _ = solve_switched(system, (0, t[-1]), (1.0, -0.3), t,
                                                       1e-10, 1e-12, "DOP853", 100)
    assert status == "success" and [s[4] for s in switches] == ["slide", "leave"]
    assert switches[0][0] == pytest.approx(t_h, abs=1e-9)
    assert switches[1][0] == pytest.approx(t_x, abs=1e-9)
    psi = -0.3 + t                                 # psi' = 1 throughout
    theta = np.where(t < t_h, 1 - t, np.where(t < t_x, psi ** 2, 0.25 + (t - t_x)))
    np.testing.assert_allclose(out[1], psi, atol=1e-9)
    np.testing.assert_allclose(out[0], theta, atol=1e-8)


def test_switching_functions_and_region_fields_of_max_min_abs_sign():
    from stabgan.model.switching import general_switching, region_field, switching_functions
    th, ps = THETA, PSI
    field = (sp.Max(th, ps) + sp.Abs(th - 1), sp.Min(ps ** 2, 1) * sp.sign(1 - th))
    s = switching_functions(field)
    # th - 1 and 1 - th are one surface; ps^2 - 1; th - ps (orientation canonical)
    assert len(s) == 3
    assert general_switching(field) == s
    point = {th: 0.3, ps: 2.0}                     # th - 1 < 0, ps^2 - 1 > 0, th < ps
    signs = tuple(int(sp.sign(e.subs(point))) for e in s)
    region = region_field(field, s, signs)
    assert sp.simplify(region[0] - (ps + 1 - th)) == 0
    assert sp.simplify(region[1] - 1) == 0
    # fields that jump only at psi = 0 (WGAN-GP, DRAGAN) or are smooth keep the old path
    assert general_switching(stabgan.method("wgan-gp").integrand) is None
    assert general_switching(stabgan.method("gan").integrand) is None


def test_too_many_switches_is_a_failure_that_says_so(m):
    # from (3, 0.5) the flow switches at t = 2 (slide) and t = 3.5 (leave), then touches the
    # hyperbola once a period; with max_crossings=1 the second switch stops it
    t = np.linspace(0, 10, 101)
    o = stabgan.integrate(m, t_span=(0, 10), theta0=3.0, psi0=0.5, t_eval=t, max_crossings=1)
    assert o.status == "failed" and "more than 1 switches" in str(o.message)
    assert np.all(np.isfinite(o.theta[t < 3.4])) and np.all(np.isnan(o.theta[t > 3.6]))


@pytest.mark.parametrize("solver", ["RK45", "Radau", "LSODA"])
def test_other_solvers_slide_the_same_way(m, solver):
    # (3, 0.5): theta' = -1/2 until theta = 2 (t = 2), slide to theta = 1 (t = 3.5); 1e-6:
    # these solvers at rtol 1e-8, atol 1e-10
    t = np.array([1.0, 2.5, 3.0])
    o = stabgan.integrate(m, t_span=(0, 5), theta0=3.0, psi0=0.5, t_eval=t, method=solver,
                          rtol=1e-8, atol=1e-10)
    exact = [3.0 - 0.5, np.sqrt(4 - 2 * 0.5), np.sqrt(4 - 2 * 1.0)]
    np.testing.assert_allclose(o.theta, exact, atol=1e-6)
    np.testing.assert_allclose(o.psi, [0.5, 1 / exact[1], 1 / exact[2]], atol=1e-6)


def test_smooth_fields_report_their_evaluations_too():
    # the field-specific path is unchanged; nfev is the solver's count (consistency check)
    o = stabgan.integrate(stabgan.method("gan"), t_span=(0, 5), theta0=[1.0, 0.5], psi0=0.0)
    assert o.nfev.shape == (2,) and np.all(o.nfev > 0) and o.switches == [[], []]


def test_a_zeno_point_stops_with_a_message_at_the_closed_form_time():
    # The twisting system theta'' = -2 sign(theta) - sign(theta') (v = (psi, -2 sign(theta) -
    # sign(psi)), two surfaces) reaches the origin in finite time after infinitely many
    # switches. By hand, from (A, 0): theta'' = -1 until theta = 0 (time sqrt(2A), speed
    # -sqrt(2A)), then theta'' = 3 until psi = 0 (time sqrt(2A)/3) at theta = -A/3: the
    # amplitude falls by 3 each half-turn, which takes (4/3) sqrt(2A); summed, the Zeno time
    # from (1, 0) is (4 sqrt(2)/3) / (1 - 1/sqrt(3)). The integrator must not hang there.
    from stabgan.model.switching import general_switching
    from stabgan.oracles.filippov import solve_switched, switched_field
    field = (PSI, -2 * sp.sign(THETA) - sp.sign(PSI))
    system = switched_field(field, general_switching(field))
    t_zeno = (4 * np.sqrt(2) / 3) / (1 - 1 / np.sqrt(3))
    out, status, message, switches, _, _ = solve_switched(
        system, (0, 10), (1.0, 0.0), np.array([1.0, 4.0, 5.0]), 1e-10, 1e-12, "DOP853", 10**5)
    assert status == "failed" and "Zeno" in message
    assert switches[-1][0] == pytest.approx(t_zeno, abs=1e-6)
    rest = [s[1] for s in switches if s[3] == "psi"][:6]     # theta where psi = 0
    np.testing.assert_allclose(rest, [(-1 / 3) ** (k + 1) for k in range(6)], rtol=1e-8)
    assert np.isfinite(out[:, :2]).all() and np.isnan(out[:, 2]).all()


@pytest.mark.parametrize("seed", range(5))
def test_random_starts_end_on_their_circle_or_on_r_sqrt2_at_the_closed_form_time(m, seed):
    # r(40) = r0 inside the disc, sqrt(2) outside (40 exceeds every arrival time from the box
    # [-4, 4]^2: at most a turn plus a slide from |theta| < 6); for r0 > sqrt(2) the first
    # exit from the hyperbola is at the closed-form time of _arrival. Tolerances as above.
    rng = np.random.default_rng(seed)
    th, ps = rng.uniform(-4, 4, (2, 40))
    o = stabgan.integrate(m, t_span=(0, 40), theta0=th, psi0=ps, t_eval=[0.0, 40.0])
    assert np.all(o.status == "success")
    r0 = np.hypot(th, ps)
    np.testing.assert_allclose(np.hypot(o.theta[:, -1], o.psi[:, -1]), np.minimum(r0, R_C),
                               rtol=0, atol=1e-8)
    for k in np.flatnonzero(r0 > R_C):
        T, _ = _arrival(th[k], ps[k])
        leave = next(s for s in o.switches[k] if s[4] == "leave")
        assert leave[0] == pytest.approx(T, abs=1e-8)
