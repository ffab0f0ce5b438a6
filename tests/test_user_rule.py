"""Optimizers of the user's own (``stabgan.update_rule``, issue 12).

Independent evidence, each test saying which kind it is:

* textbook formulas typed in here: Heun's update operator is I + HJ + (HJ)^2 / 2;
* measured contraction rates of simulated trajectories (the slope of log|x_k|) against the
  spectral radius that ``analyze`` derives from the same rule's linearization;
* h_max against bisection on NumPy eigenvalues of the textbook operator;
* a user's re-implementation of a built-in scheme against the built-in (the built-ins are
  checked against their published lemmas elsewhere): the exact SymPy Jacobian, and the
  simulator bit for bit (or, against SimGD's fused kernels, to 1e-15);

and every refusal, one InputError line naming the culprit.
"""
import numpy as np
import pytest
import sympy as sp

import stabgan
from stabgan import InputError
from stabgan._options import SCHEMES


def heun(ops, x, memory):
    """Heun's method (explicit RK2): x' = x + H (v(x) + v(x + H v(x))) / 2."""
    k1 = ops.v(x)
    k2 = ops.v(ops.move(x, k1))
    return ops.move(x, (k1[0] + k2[0], k1[1] + k2[1]), 1 / 2), {}


def simgd(ops, x, memory):
    return ops.move(x, ops.v(x)), {}


def extragradient(ops, x, memory):
    return ops.move(x, ops.v(ops.move(x, ops.v(x)))), {}


def ogda(ops, x, memory):
    g, gp = ops.v(x), memory["g_prev"]
    return ops.move(x, (2 * g[0] - gp[0], 2 * g[1] - gp[1])), {"g_prev": g}


def heavy_ball(ops, x, memory, beta=-0.5):
    u = memory["u"]
    new = ops.move(x, ops.v(x))
    new = (new[0] + beta * u[0], new[1] + beta * u[1])
    return new, {"u": (new[0] - x[0], new[1] - x[1])}


HEUN = stabgan.update_rule("heun", heun, summary="Heun's method")
SIMGD = stabgan.update_rule("my-simgd", simgd)
EXTRA = stabgan.update_rule("my-extragradient", extragradient)
OGDA = stabgan.update_rule("my-ogda", ogda, memory={"g_prev": "field"})
HEAVY = stabgan.update_rule("my-heavy-ball", heavy_ball, memory=("u",))

H, HG, HD = sp.Symbol("h", positive=True), sp.Symbol("h_g", positive=True), \
    sp.Symbol("h_d", positive=True)


# -- the worked example: Heun's method ---------------------------------------------------------

@pytest.mark.parametrize("mid, params", [("r1", {}), ("gan", {}), ("nk", {"eta": 1}),
                                         ("consensus", {"gamma": "1/3"})])
def test_heun_operator_is_the_textbook_polynomial(mid, params):
    """Independent (textbook): one Heun step on v = Jx is I + HJ + (HJ)^2/2, for symbolic h
    and for two step sizes; the rule's linearization must give exactly that."""
    m = stabgan.method(mid, **params)
    J = stabgan.analyze(m).jacobian
    M = stabgan.analyze(m, scheme=HEUN).jacobian
    expected = sp.eye(2) + H * J + (H * J) ** 2 / 2
    assert sp.simplify(M - expected) == sp.zeros(2, 2)
    Hm = sp.diag(sp.Rational(1, 3), sp.Rational(1, 5))
    M2 = stabgan.analyze(m, scheme=HEUN, h_g="1/3", h_d="0.2").jacobian
    assert sp.simplify(M2 - (sp.eye(2) + Hm * J + (Hm * J) ** 2 / 2)) == sp.zeros(2, 2)


@pytest.mark.parametrize("gamma, h", [("0.3", 0.5), ("0.3", 1.0), ("0.3", 2.0), ("0.3", 3.0),
                                      ("0.3", 3.2), ("2", 0.5), ("2", 0.9)])
def test_heun_contraction_rate_is_the_spectral_radius(gamma, h):
    """Independent (measured rate): fit log|x_k| against k on a simulated trajectory started
    1e-6 from the equilibrium (nonlinear terms are then 1e-12 relative) and compare
    exp(slope) with the spectral radius analyze derives. With a complex pair |x_k| is rho^k
    times a bounded oscillation, which moves a least-squares slope over K = 400 steps by
    about its log-amplitude / K; tolerance 5e-5 on the rate (observed below 5e-6)."""
    m = stabgan.method("r1", gamma=gamma)
    rho = stabgan.analyze(m, scheme=HEUN, h=h).spectral_radius
    r = stabgan.simulate(m, scheme=HEUN, h=h, steps=400, theta0=1e-6, psi0=-3e-7,
                         record_every=1)
    log_norm = np.log(np.hypot(r.history_theta, r.history_psi))
    slope = np.polyfit(r.record_steps, log_norm, 1)[0]
    assert abs(np.exp(slope) - rho) < 5e-5, (np.exp(slope), rho)


def test_heun_h_max_against_bisection_on_numeric_eigenvalues():
    """Independent (NumPy eigenvalues of the textbook operator, bisection): the step size at
    which rho(I + hJ + (hJ)^2/2) reaches 1 is analyze's exact h_max (a CRootOf)."""
    m = stabgan.method("r1", gamma="0.3")
    J = np.array(stabgan.analyze(m).jacobian, dtype=float)

    def rho(h):
        return max(abs(np.linalg.eigvals(np.eye(2) + h * J + (h * J) @ (h * J) / 2)))
    lo, hi = 1.0, 5.0
    assert rho(lo) < 1 < rho(hi)
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if rho(mid) < 1 else (lo, mid)
    a = stabgan.analyze(m, scheme=HEUN)
    assert abs(float(a.h_max) - lo) < 1e-12
    assert a.locally_convergent is None and a.discrete["state"] == ["theta", "psi"]


def test_heun_statuses_on_both_sides_of_h_max():
    """The simulator's statuses agree with the verdict on each side of h_max (3.2947)."""
    m = stabgan.method("r1", gamma="0.3")
    r = stabgan.simulate(m, scheme=HEUN, h=[3.2, 3.6], steps=3000, theta0=1e-3, psi0=1e-3)
    assert r.status.tolist()[0] == "converged" and not r.converged[1]
    assert r.distance[1] > 100 * np.hypot(1e-3, 1e-3)   # repelled: 100 times farther
    assert stabgan.analyze(m, scheme=HEUN, h=3.2).locally_convergent is True
    assert stabgan.analyze(m, scheme=HEUN, h=3.6).locally_convergent is False
    assert r.scheme == "heun" and r.to_dict()["scheme"] == "heun"
    assert stabgan.analyze(m, scheme=HEUN, h=1).to_dict()["scheme"] == "heun"


def test_stability_map_of_a_user_rule_is_analyze_spectral_radius():
    """Consistency: the map's closed-form roots equal analyze's spectral radius."""
    m = stabgan.method("r1", gamma="0.3")
    hs = np.array([0.5, 1.0, 2.0, 3.0, 3.6])
    s = stabgan.stability_map(m, HEUN, h=hs)
    expected = [stabgan.analyze(m, scheme=HEUN, h=float(h)).spectral_radius for h in hs]
    np.testing.assert_allclose(s.spectral_radius, expected, rtol=1e-12)
    assert s.scheme == "heun"


def test_heun_batch_is_elementwise_and_float32_agrees():
    """DESIGN section 6: bitwise the same whatever the chunking; float32 within float32
    tolerance of float64 (200 contracting steps: rtol 1e-5, atol 1e-6)."""
    m = stabgan.method("r1", gamma=1)
    th = np.linspace(-1, 1, 11)
    kw = dict(scheme=HEUN, h=0.4, steps=200, theta0=th, psi0=0.5, record_every=7)
    a = stabgan.simulate(m, **kw)
    b = stabgan.simulate(m, chunk_size=3, **kw)
    c = stabgan.simulate(m, workers=2, chunk_size=4, **kw)
    one = stabgan.simulate(m, **{**kw, "theta0": th[4]})
    for other in (b, c):
        assert np.array_equal(a.history_theta, other.history_theta)
        assert np.array_equal(a.history_psi, other.history_psi)
    assert np.array_equal(a.history_theta[4], one.history_theta)
    f32 = stabgan.simulate(m, dtype=np.float32, **kw)
    assert f32.history_theta.dtype == np.float32
    np.testing.assert_allclose(f32.history_theta, a.history_theta, rtol=1e-5, atol=1e-6)


# -- a user's re-implementation of a built-in gives the built-in's numbers -----------------------

@pytest.mark.parametrize("mid, params", [("r1", {}), ("r1", {"gamma": "0.3"}), ("gan", {}),
                                         ("nsgan", {}), ("nk", {"eta": 2})])
@pytest.mark.parametrize("steps", [{}, {"h": "0.7"}, {"h_g": "1/3", "h_d": "2"}])
def test_user_simgd_jacobian_is_exactly_simgd(mid, params, steps):
    """The rule run on v = Jx gives the built-in's update Jacobian exactly (``==`` on SymPy
    matrices; the built-in SimGD Jacobian is the product formula, not the rule)."""
    m = stabgan.method(mid, **params)
    mine = stabgan.analyze(m, scheme=SIMGD, **steps)
    ref = stabgan.analyze(m, scheme="simgd", **steps)
    assert mine.jacobian == ref.jacobian
    assert mine.locally_convergent == ref.locally_convergent
    assert mine.h_max == ref.h_max
    assert mine.scheme == "my-simgd"


@pytest.mark.parametrize("rule, name, options", [
    (EXTRA, "extragradient", {}), (OGDA, "ogda", {}), (HEAVY, "simgd", {"momentum": "-0.5"})])
@pytest.mark.parametrize("mid", ["gan", "r1"])
def test_user_rules_with_memory_jacobian_is_exactly_the_builtin(rule, name, options, mid):
    """Extragradient, OGDA (memory initialized at v(x0)) and heavy ball (memory at zero): the
    same exact Jacobian, augmented state and h_max as the built-in scheme."""
    m = stabgan.method(mid, gamma=1) if mid == "r1" else stabgan.method(mid)
    mine = stabgan.analyze(m, scheme=rule)
    ref = stabgan.analyze(m, scheme=name, **options)
    assert mine.jacobian == ref.jacobian
    assert mine.discrete["state"] == ref.discrete["state"]
    assert mine.h_max == ref.h_max


def test_lazy_every_applies_to_a_user_rule():
    """lazy_every=k on a user's SimGD is the built-in lazy SimGD (exact Jacobian over the
    period, and the simulator bit for bit: both run the penalty weights 0 and k gamma)."""
    m = stabgan.method("r1", gamma=1)
    mine = stabgan.analyze(m, scheme=SIMGD, lazy_every=3)
    ref = stabgan.analyze(m, scheme="simgd", lazy_every=3)
    assert mine.jacobian == ref.jacobian and mine.h_max == ref.h_max
    kw = dict(h=0.3, steps=100, theta0=np.linspace(-1, 1, 5), psi0=0.4, lazy_every=3,
              record_every=1)
    a, b = stabgan.simulate(m, scheme=SIMGD, **kw), stabgan.simulate(m, scheme="simgd", **kw)
    assert np.array_equal(a.history_theta, b.history_theta)
    assert np.array_equal(a.history_psi, b.history_psi)


def _same_run(a, b):
    for key in ("history_theta", "history_psi", "theta", "psi", "status", "diverged_at"):
        assert np.array_equal(getattr(a, key), getattr(b, key)), key


@pytest.mark.parametrize("rule, name, options", [
    (EXTRA, "extragradient", {}), (OGDA, "ogda", {}), (HEAVY, "simgd", {"momentum": -0.5})])
def test_user_rules_simulate_bit_for_bit_like_the_builtin(rule, name, options):
    """Same arithmetic in the same order through the same chunk loop: bitwise equal
    histories, final states, statuses and diverged_at, on a batch with converging, bounded
    and diverging trajectories (the bound monitor's replay included)."""
    m = stabgan.method("r1", gamma="0.3")
    kw = dict(h=np.array([0.1, 0.3, 1.0, 1.3, 5.0]), steps=300, theta0=0.5, psi0=0.5,
              record_every=1)
    a = stabgan.simulate(m, scheme=rule, **kw)
    b = stabgan.simulate(m, scheme=name, **kw, **options)
    _same_run(a, b)
    assert {"converged", "diverged"} <= set(a.status.tolist())


def test_user_simgd_simulates_like_simgd_to_1e_15():
    """Against SimGD's fused kernels (which hoist 1 - h gamma and so round differently), the
    user's SimGD agrees to 1e-15 (|a - b| <= 1e-15 + 1e-15 |b|, about 4.5 ulps: the roundings
    differ by an ulp or two per step; a diverging trajectory grows to 1e8, hence the
    relative part) and has the same statuses and exit steps."""
    m = stabgan.method("r1", gamma="0.3")
    kw = dict(h=np.array([0.1, 0.5, 1.0, 1.3, 5.0]), steps=300, theta0=0.5, psi0=-0.5,
              record_every=1)
    a, b = stabgan.simulate(m, scheme=SIMGD, **kw), stabgan.simulate(m, scheme="simgd", **kw)
    np.testing.assert_allclose(a.history_theta, b.history_theta, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(a.history_psi, b.history_psi, rtol=1e-15, atol=1e-15)
    assert np.array_equal(a.status, b.status) and np.array_equal(a.diverged_at, b.diverged_at)


def test_clipping_is_applied_after_a_user_step():
    """WGAN's clipping (psi in [-c, c]) is a projection after each step, as for SimGD."""
    m = stabgan.method("wgan", c="0.1")
    kw = dict(h=0.3, steps=50, theta0=2.0, psi0=0.05, record_every=1)
    a, b = stabgan.simulate(m, scheme=SIMGD, **kw), stabgan.simulate(m, scheme="simgd", **kw)
    assert np.abs(a.history_psi).max() <= 0.1
    np.testing.assert_allclose(a.history_psi, b.history_psi, rtol=0, atol=1e-15)


def test_float_constants_are_read_exactly_and_init_callables_work():
    """0.5 in a rule is 1/2 in the linearization (the package reads floats through their
    shortest repr), and a callable init(ops, x) is the memory's start."""
    def heun_float(ops, x, memory):
        k1 = ops.v(x)
        k2 = ops.v(ops.move(x, k1))
        return ops.move(x, (k1[0] + k2[0], k1[1] + k2[1]), 0.5), {}
    m = stabgan.method("r1")
    mine = stabgan.update_rule("heun-float", heun_float)
    assert stabgan.analyze(m, scheme=mine).jacobian == stabgan.analyze(m, scheme=HEUN).jacobian
    assert not stabgan.analyze(m, scheme=mine).jacobian.atoms(sp.Float)
    by_call = stabgan.update_rule("ogda-init", ogda, memory={"g_prev": lambda ops, x: ops.v(x)})
    g = stabgan.method("gan")
    assert stabgan.analyze(g, scheme=by_call).jacobian == \
        stabgan.analyze(g, scheme="ogda").jacobian
    kw = dict(h=0.2, steps=40, theta0=0.5, psi0=0.5, record_every=1)
    _same_run(stabgan.simulate(g, scheme=by_call, **kw), stabgan.simulate(g, scheme="ogda", **kw))


def test_rules_are_objects_not_global_names():
    """Two rules may share a name without overwriting each other; strings keep meaning the
    built-in schemes only."""
    a = stabgan.update_rule("twin", simgd)
    b = stabgan.update_rule("twin", heun)
    m = stabgan.method("r1", gamma=1)
    assert stabgan.analyze(m, scheme=a).jacobian != stabgan.analyze(m, scheme=b).jacobian
    with pytest.raises(InputError, match="'twin'"):
        stabgan.analyze(m, scheme="twin")
    assert "update_rule" in stabgan.__all__ and "RuleSpec" in stabgan.__all__
    assert isinstance(a, stabgan.RuleSpec) and "twin" in repr(a)


# -- refusals: one line that names the culprit ----------------------------------------------------

def _refused(call, *fragments):
    with pytest.raises(InputError) as info:
        call()
    text = str(info.value)
    assert "\n" not in text
    for fragment in fragments:
        assert fragment in text, (fragment, text)


@pytest.mark.parametrize("name", list(SCHEMES) + ["continuous", "ode"])
def test_refuses_a_builtin_name(name):
    _refused(lambda: stabgan.update_rule(name, simgd), "must not be a built-in scheme",
             repr(name))


@pytest.mark.parametrize("name", ["My Rule", "", "1st", 3, None, "x" * 41, "a.b"])
def test_refuses_a_bad_name(name):
    _refused(lambda: stabgan.update_rule(name, simgd), "The 'name' of update_rule", repr(name))


@pytest.mark.parametrize("kwargs, fragments", [
    ({"step": 5}, ["'step' of update rule 'r'", "Got 5"]),
    ({"memory": "u"}, ["'memory' option of update_rule", "'u'"]),
    ({"memory": ("x",)}, ["memory name", "'x'"]),
    ({"memory": ("Velocity",)}, ["memory name", "'Velocity'"]),
    ({"memory": ["u", "u"]}, ["must differ", "'u' twice"]),
    ({"memory": {"u": "ones"}}, ["initial value of memory 'u'", "'ones'"]),
    ({"summary": 3}, ["'summary' of update rule 'r'"]),
    ({"citation": ["x"]}, ["'citation' of update rule 'r'"]),
])
def test_refuses_bad_arguments(kwargs, fragments):
    kwargs = {"step": simgd, **kwargs}
    _refused(lambda: stabgan.update_rule("r", **kwargs), *fragments)


def _three(ops, x, memory):
    return (x[0], x[1], x[0]), {}


def _only_x(ops, x, memory):
    return ops.move(x, ops.v(x))


def _wrong_keys(ops, x, memory):
    return x, {"q": x}


def _memory_list(ops, x, memory):
    return x, [x]


def _missing_op(ops, x, memory):
    return ops.grad(x), {}


def _internal_op(ops, x, memory):
    return ops.move(x, ops.lin.J), {}


def _product(ops, x, memory):
    return (x[0] * x[1], x[1]), {}


def _offset(ops, x, memory):
    return (x[0] + 1, x[1]), {}


def _branches(ops, x, memory):
    return (x if ops.h_g > 1 else ops.move(x, ops.v(x))), {}


def _numpy_only(ops, x, memory):
    return (np.tanh(x[0]), x[1]), {}


def _in_place(ops, x, memory):
    th = x[0]
    th += ops.h_g * ops.v(x)[0]
    return (th, x[1]), {}


def _wrong_shape(ops, x, memory):
    th = x[0][:1] if isinstance(x[0], np.ndarray) else x[0]
    return (th, x[1]), {}


def _v_of_a_scalar(ops, x, memory):
    return ops.v(x[0]), {}


@pytest.mark.parametrize("step, memory, fragments", [
    (_three, (), ["'r' breaks the contract", "x_new must be a pair", "length 3"]),
    (_only_x, (), ["'r' breaks the contract", "(x_new, memory_new)"]),
    (_wrong_keys, ("u",), ["memory_new must be a dict with exactly the keys ['u']", "['q']"]),
    (_memory_list, (), ["memory_new must be a dict", "list"]),
    (_missing_op, (), ["'r' uses ops.grad", "ops.v, ops.h_g, ops.h_d, ops.move, ops.project"]),
    (_internal_op, (), ["'r' uses ops.lin"]),
    (_product, (), ["not linear in the state", "z0*z1"]),
    (_offset, (), ["moves the equilibrium"]),
    (_branches, (), ["'r' failed in the linearization", "TypeError"]),
    (_numpy_only, (), ["'r' failed in the linearization"]),
    (_in_place, (), ["in the simulator (NumPy)", "writes to a state in place"]),
    (_wrong_shape, (), ["in the simulator (NumPy)", "x_new[0] has shape (1,), not (3,)"]),
    (_v_of_a_scalar, (), ["the argument of ops.v must be a pair"]),
    (simgd, {"u": lambda ops, x: x[0]}, ["initial value of memory 'u' must be a pair"]),
])
def test_refuses_a_rule_that_breaks_the_contract(step, memory, fragments):
    """Checked once when the rule is made, on v = Jx (SymPy) and on a NumPy probe."""
    _refused(lambda: stabgan.update_rule("r", step, memory=memory), *fragments)


@pytest.mark.parametrize("options, fragments", [
    ({"momentum": 0.5}, ["'momentum' option belongs to the built-in schemes", "'heun'"]),
    ({"h_e": 0.5}, ["'h_e' option"]),
    ({"lookahead_steps": 2}, ["'lookahead_steps' option"]),
    ({"n_g": 2}, ["'n_g', 'n_d' and 'order' options belong to altgd", "'heun'"]),
    ({"order": "discriminator-first"}, ["belong to altgd"]),
    ({"lazy_every": 0}, ["'lazy_every' option must be an integer in [1, 50]"]),
    ({"h": -1}, ["'h' option"]),
])
def test_analyze_refuses_options_a_rule_does_not_take(options, fragments):
    m = stabgan.method("r1", gamma=1)
    _refused(lambda: stabgan.analyze(m, scheme=HEUN, **options), *fragments)


def test_simulate_and_map_refuse_options_a_rule_does_not_take():
    m = stabgan.method("r1", gamma=1)
    _refused(lambda: stabgan.simulate(m, scheme=HEUN, h=0.1, momentum=0.5), "'momentum'",
             "'heun'")
    _refused(lambda: stabgan.simulate(m, scheme=HEUN, h=0.1, n_d=3), "belong to altgd")
    _refused(lambda: stabgan.stability_map(m, HEUN, h=np.linspace(0.1, 1, 3),
                                           momentum=np.linspace(-0.5, 0.5, 3)), "'momentum'")
    _refused(lambda: stabgan.simulate(stabgan.method("gan"), scheme=HEUN, h=0.1,
                                      lazy_every=2), "lazy_every", "'gan'")


def test_a_user_rule_takes_ema_like_every_scheme():
    """ema= acts on every scheme, a user's included: the average the simulator keeps equals
    the average recomputed from the recorded raw iterates, x_bar_k = beta x_bar_{k-1} +
    (1 - beta) x_k from x_bar_0 = x_0."""
    def heun(ops, x, memory):
        k1 = ops.v(x)
        k2 = ops.v(ops.move(x, k1))
        return ops.move(x, [(a + b) / 2 for a, b in zip(k1, k2)]), memory
    rule = stabgan.update_rule("heun-ema", heun)
    m = stabgan.method("r1", gamma=0.3)
    r = stabgan.simulate(m, scheme=rule, h=0.1, steps=30, theta0=1.0, psi0=-0.5, ema=0.9,
                         record_every=1)
    th, ps = np.ravel(r.history_theta), np.ravel(r.history_psi)
    bar_t, bar_p = th[0], ps[0]
    for k in range(1, 31):
        bar_t, bar_p = 0.9 * bar_t + 0.1 * th[k], 0.9 * bar_p + 0.1 * ps[k]
    assert float(np.ravel(r.theta_ema)[0]) == pytest.approx(bar_t, rel=1e-13)
    assert float(np.ravel(r.psi_ema)[0]) == pytest.approx(bar_p, rel=1e-13)


@pytest.mark.parametrize("name", ["adam", "rmsprop"])
def test_a_user_rule_cannot_take_an_optimizer_name(name):
    with pytest.raises(stabgan.InputError, match="must not be a built-in scheme"):
        stabgan.update_rule(name, lambda ops, x, memory: (x, memory))
