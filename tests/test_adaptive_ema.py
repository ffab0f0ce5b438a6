"""Adam, RMSprop and the weight average (EMA) of issue 12.

Independent oracles (say which in each test):
* per-trajectory Python loops of Kingma and Ba's Algorithm 1 and of PyTorch's RMSprop update,
  on the Dirac-GAN field written here by hand from the loss L = f(psi theta) + f(0) with
  f'(t) = 1 / (1 + e^t) (float64; tolerance 1e-12 absolute, about 1e4 ulp of the O(1) states:
  the package evaluates f' by a different formula, so the fields differ by ulps, and 400 Adam
  steps carry that on without amplifying it much; measured 7e-14);
* the EMA recomputed from the recorded raw iterates, and the average's measured amplitude on
  a simulated cycle and its measured contraction rate, against what ``analyze`` derives;
* the joint operator's spectrum against numpy's eigenvalues of the block matrix
  [[M, 0], [(1 - beta) P M, beta I]] built here from the raw operator M.
Consistency checks (not independent evidence) are marked as such.
"""
import json
import math
import re

import numpy as np
import pytest
import sympy as sp

import stabgan
from stabgan._cli import main
from stabgan._options import ADAPTIVE, OPTIONS

GAN = stabgan.method("gan")
R1 = stabgan.method("r1", gamma=sp.Rational(1, 2))
BILINEAR = stabgan.method("bilinear")


# -- the hand-written oracles ------------------------------------------------------------------

def _fprime(t: float) -> float:
    """f'(t) for the logistic f(t) = -log(1 + e^{-t})."""
    return 1.0 / (1.0 + math.exp(t)) if t < 700 else 0.0


def _field(name: str, gamma: float = 0.0):
    """v = (-dL/dtheta, dL/dpsi - gamma psi) for L = f(psi theta) + f(0) (gan, r1), or the
    bilinear game L = theta psi, written from the losses (Mescheder et al. 2018, sec. 2)."""
    if name == "bilinear":
        return lambda th, ps: (-ps, th)
    return lambda th, ps: (-ps * _fprime(ps * th), th * _fprime(ps * th) - gamma * ps)


def _adam_loop(field, x, h, steps, b1=0.9, b2=0.999, eps=1e-8):
    """Kingma and Ba (ICLR 2015), Algorithm 1, one trajectory, both players at once; the
    field is the direction each player moves, so it is added."""
    m, v, x = [0.0, 0.0], [0.0, 0.0], list(x)
    out = [tuple(x)]
    for t in range(1, steps + 1):
        g = field(*x)
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            m_hat = m[i] / (1 - b1 ** t)
            v_hat = v[i] / (1 - b2 ** t)
            x[i] = x[i] + h[i] * m_hat / (math.sqrt(v_hat) + eps)
        out.append(tuple(x))
    return np.array(out)


def _rmsprop_loop(field, x, h, steps, alpha=0.99, eps=1e-8):
    """torch.optim.RMSprop(lr, alpha, eps, momentum=0, centered=False), one trajectory:
    square_avg = alpha square_avg + (1 - alpha) g^2; param += lr g / (sqrt(square_avg) + eps)."""
    s, x = [0.0, 0.0], list(x)
    out = [tuple(x)]
    for _ in range(steps):
        g = field(*x)
        for i in range(2):
            s[i] = alpha * s[i] + (1 - alpha) * g[i] * g[i]
            x[i] = x[i] + h[i] * g[i] / (math.sqrt(s[i]) + eps)
        out.append(tuple(x))
    return np.array(out)


def test_the_hand_written_field_is_the_package_s():
    """Consistency check of the oracle's field against Method.field at off-equilibrium points."""
    th, ps = np.array([0.7, -1.3, 2.0]), np.array([-0.3, 0.4, 1.5])
    for m, name, gamma in ((GAN, "gan", 0.0), (R1, "r1", 0.5), (BILINEAR, "bilinear", 0.0)):
        got = m.field(th, ps)
        want = np.array([_field(name, gamma)(a, b) for a, b in zip(th, ps)]).T
        np.testing.assert_allclose(np.array(got), want, rtol=1e-14, atol=1e-15)


# -- Adam and RMSprop against the loops --------------------------------------------------------

ADAM_CASES = [
    ("gan", GAN, 0.0, {}),
    ("r1", R1, 0.5, {}),
    ("bilinear", BILINEAR, 0.0, {"beta1": 0.5, "beta2": 0.9, "eps": 1e-6}),
]


@pytest.mark.parametrize("name, m, gamma, options", ADAM_CASES, ids=[c[0] for c in ADAM_CASES])
def test_adam_follows_kingma_and_ba_algorithm_1(name, m, gamma, options):
    """Every recorded state of three trajectories with their own step sizes per player equals
    the hand loop's to 1e-12 (float64)."""
    h_g, h_d = [0.05, 0.03, 0.1], [0.05, 0.07, 0.02]
    theta0, psi0 = [1.0, -0.7, 0.3], [1.0, 0.4, -2.0]
    steps = 400
    r = stabgan.simulate(m, scheme="adam", h_g=h_g, h_d=h_d, steps=steps, theta0=theta0,
                         psi0=psi0, record_every=1, **options)
    loop_options = {{"beta1": "b1", "beta2": "b2", "eps": "eps"}[k]: v for k, v in options.items()}
    for j in range(3):
        ref = _adam_loop(_field(name, gamma), (theta0[j], psi0[j]), (h_g[j], h_d[j]), steps,
                         **loop_options)
        np.testing.assert_allclose(r.history_theta[j], ref[:, 0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(r.history_psi[j], ref[:, 1], rtol=0, atol=1e-12)
        assert not np.array_equal(ref[-1], ref[0])   # it moved


@pytest.mark.parametrize("name, m, gamma", [("gan", GAN, 0.0), ("r1", R1, 0.5),
                                            ("bilinear", BILINEAR, 0.0)])
@pytest.mark.parametrize("alpha", [None, 0.9])
def test_rmsprop_follows_pytorch_s_update(name, m, gamma, alpha):
    """RMSprop without momentum (beta2 = PyTorch's alpha, default 0.99) against the hand loop,
    every recorded state to 1e-12. 60 steps: R1 with alpha = 0.9 reaches 1e-11 of the
    equilibrium by step 85, where the normalized step g / (sqrt(s) + eps) flips sign every
    step and amplifies the ulp differences (1 - 0.9 in the loop is not 1/10 rounded) by 1e10."""
    theta0, psi0, h = [1.0, -0.5], [0.5, 1.5], [0.02, 0.05]
    options = {} if alpha is None else {"beta2": alpha}
    r = stabgan.simulate(m, scheme="rmsprop", h=h, steps=60, theta0=theta0, psi0=psi0,
                         record_every=1, **options)
    for j in range(2):
        ref = _rmsprop_loop(_field(name, gamma), (theta0[j], psi0[j]), (h[j], h[j]), 60,
                            **({} if alpha is None else {"alpha": alpha}))
        np.testing.assert_allclose(r.history_theta[j], ref[:, 0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(r.history_psi[j], ref[:, 1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("scheme", ADAPTIVE)
def test_adaptive_batches_are_bitwise_the_same_whatever_the_batch_chunks_and_threads(scheme):
    """A trajectory's bits do not depend on the batch, the chunking or the thread count
    (with the weight average, and one trajectory that leaves a small bound)."""
    rng = np.random.default_rng(12)
    theta0, psi0 = rng.uniform(-2, 2, 7), rng.uniform(-2, 2, 7)
    theta0[3], psi0[3] = 18.0, -19.0                       # leaves the bound mid-run
    theta0[5] = 30.0                                       # starts outside it
    common = dict(scheme=scheme, h=0.3, steps=200, ema=0.9, bound=20.0)
    whole = stabgan.simulate(GAN, theta0=theta0, psi0=psi0, **common)
    assert whole.diverged_at[3] > 0 and whole.diverged_at[5] == 0
    assert whole.status.tolist().count("diverged") == 2
    for kw in ({"chunk_size": 3}, {"chunk_size": 2, "workers": 2}):
        part = stabgan.simulate(GAN, theta0=theta0, psi0=psi0, **common, **kw)
        for key in ("theta", "psi", "theta_ema", "psi_ema", "diverged_at"):
            assert np.array_equal(getattr(whole, key), getattr(part, key)), (kw, key)
    for j in range(7):
        one = stabgan.simulate(GAN, theta0=theta0[j], psi0=psi0[j], **common)
        for key in ("theta", "psi", "theta_ema", "psi_ema"):
            assert np.array_equal(getattr(one, key), getattr(whole, key)[j]), (j, key)


def test_adam_float32_agrees_with_float64():
    """float32 within float32 tolerances (1e-4 relative after 100 steps)."""
    kw = dict(scheme="adam", h=0.05, steps=100, theta0=[1.0, -0.5], psi0=[0.5, 1.0])
    a = stabgan.simulate(R1, dtype=np.float64, **kw)
    b = stabgan.simulate(R1, dtype=np.float32, **kw)
    assert b.theta.dtype == np.float32
    np.testing.assert_allclose(b.theta, a.theta, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b.psi, a.psi, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("scheme", ADAPTIVE)
def test_adaptive_statuses_and_an_overflowing_square_without_warnings(scheme):
    """pytest turns warnings into errors: g^2 overflowing to inf (bilinear from 1e200) makes
    the step g / inf = 0, reported as 'stalled'; a start beyond the bound is 'diverged' at 0;
    a cycling run is 'bounded'."""
    r = stabgan.simulate(BILINEAR, scheme=scheme, h=0.1, steps=50, theta0=[1e200, 1e300, 1.0],
                         psi0=[1e200, 0.0, 1.0], bound=1e250, ema=0.5)
    assert r.status.tolist() == ["stalled", "diverged", "bounded"]
    assert r.diverged_at.tolist() == [-1, 0, -1]
    assert r.theta[0] == 1e200


def test_adam_with_lazy_regularization_and_clipping_runs_through_the_rules():
    """lazy_every and WGAN's clip reach adam through the same rule machinery (consistency:
    every_k=1 equals the method as given; the clip holds psi in [-c, c])."""
    r = stabgan.simulate(stabgan.method("wgan", c=sp.Rational(1, 2)), scheme="adam", h=0.2,
                         steps=200, theta0=2.0, psi0=0.4, record_every=1)
    assert np.all(np.abs(r.history_psi) <= 0.5)
    a = stabgan.simulate(R1, scheme="adam", h=0.05, steps=50, theta0=1.0, psi0=1.0,
                         lazy_every=1)
    b = stabgan.simulate(R1, scheme="adam", h=0.05, steps=50, theta0=1.0, psi0=1.0)
    assert a.theta == b.theta and a.psi == b.psi
    c = stabgan.simulate(R1, scheme="adam", h=0.05, steps=50, theta0=1.0, psi0=1.0,
                         lazy_every=4)
    assert c.theta != b.theta


# -- the weight average in the simulator ------------------------------------------------------

@pytest.mark.parametrize("scheme, options", [("simgd", {}), ("altgd", {"n_d": 2}),
                                             ("ogda", {}), ("lookahead", {}), ("adam", {}),
                                             ("simgd", {"momentum": 0.3})])
def test_the_average_is_the_ema_of_the_recorded_iterates(scheme, options):
    """x_ema recomputed here from the raw history (beta x_ema + (1 - beta) x, x_ema_0 = x_0)
    equals the simulator's, at every step, to 1e-14; the raw iterate does not change."""
    beta = 0.9
    kw = dict(scheme=scheme, h=0.1, steps=300, theta0=[1.0, -0.3], psi0=[0.5, 0.8],
              record_every=1, **options)
    r = stabgan.simulate(R1, ema=beta, **kw)
    plain = stabgan.simulate(R1, **kw)
    assert np.array_equal(r.history_theta, plain.history_theta)
    assert plain.theta_ema is None and "theta_ema" not in plain.to_dict()
    e = np.stack([r.history_theta[:, 0], r.history_psi[:, 0]])
    for k in range(1, 301):
        x = np.stack([r.history_theta[:, k], r.history_psi[:, k]])
        e = beta * e + (1 - beta) * x
        np.testing.assert_allclose(np.stack([r.history_theta_ema[:, k],
                                             r.history_psi_ema[:, k]]), e, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(r.theta_ema, r.history_theta_ema[:, -1])
    assert r.to_dict()["theta_ema"] == r.theta_ema.tolist()


def test_a_diverging_trajectory_freezes_its_average_with_it():
    """SimGD on the bilinear game spirals out (|z| = sqrt(1 + h^2)): frozen at the last state
    inside the bound, the average frozen at that same step (the EMA recomputed here from the
    raw history up to it)."""
    beta = 0.8
    r = stabgan.simulate(BILINEAR, scheme="simgd", h=0.5, steps=400, theta0=1.0, psi0=1.0,
                         bound=5.0, ema=beta, record_every=1)
    assert r.status == "diverged"
    k = int(r.diverged_at) - 1
    assert r.history_theta[k + 1] == r.history_theta[k]   # the history holds the frozen state
    assert r.theta == r.history_theta[k] and r.theta_ema == r.history_theta_ema[k]
    assert r.psi_ema == r.history_psi_ema[-1] and r.theta_ema == r.history_theta_ema[-1]
    e = np.array([1.0, 1.0])
    th, ps = 1.0, 1.0
    for _ in range(k):
        th, ps = th - 0.5 * ps, ps + 0.5 * th
        e = beta * e + (1 - beta) * np.array([th, ps])
    assert (r.theta, r.psi) == pytest.approx((th, ps), abs=1e-13)
    np.testing.assert_allclose([r.theta_ema, r.psi_ema], e, rtol=0, atol=1e-13)


def test_ema_zero_is_the_raw_iterate():
    r = stabgan.simulate(R1, scheme="altgd", h=0.2, steps=100, theta0=1.0, psi0=-1.0, ema=0)
    assert r.theta_ema == r.theta and r.psi_ema == r.psi


# -- what analyze says about the average -------------------------------------------------------

def _joint_by_hand(M: np.ndarray, beta: float) -> np.ndarray:
    """[[M, 0], [(1 - beta) P M, beta I]]: the average reads the new iterate, the first two
    coordinates of the state (the test's own construction, for period 1)."""
    n = M.shape[0]
    out = np.zeros((n + 2, n + 2))
    out[:n, :n] = M
    out[n:, :n] = (1 - beta) * M[:2]
    out[n:, n:] = beta * np.eye(2)
    return out


@pytest.mark.parametrize("scheme, options", [("simgd", {}), ("altgd", {"n_d": 3}),
                                             ("ogda", {}), ("extragradient", {}),
                                             ("simgd", {"momentum": "-0.4"})])
def test_the_average_adds_beta_twice_and_keeps_the_verdict(scheme, options):
    beta = sp.Rational(7, 10)
    raw = stabgan.analyze(R1, scheme=scheme, h=sp.Rational(1, 5), **options)
    a = stabgan.analyze(R1, scheme=scheme, h=sp.Rational(1, 5), ema=beta, **options)
    e = a.discrete["ema"]
    assert e["added_eigenvalues"] == [beta, beta]
    assert a.locally_convergent == raw.locally_convergent == e["joint_locally_convergent"]
    assert a.jacobian == raw.jacobian and a.spectral_radius == raw.spectral_radius
    assert e["joint_spectral_radius"] == pytest.approx(max(raw.spectral_radius, 0.7), rel=1e-12)
    M = np.array(raw.jacobian, dtype=float)
    want = np.sort_complex(np.linalg.eigvals(_joint_by_hand(M, 0.7)))
    got = np.sort_complex(np.linalg.eigvals(np.array(e["joint_jacobian"], dtype=float)))
    np.testing.assert_allclose(got, want, atol=1e-10)
    np.testing.assert_allclose(np.array(e["joint_jacobian"], dtype=float), _joint_by_hand(M, 0.7),
                               atol=1e-15)


def test_over_a_period_the_average_adds_beta_to_the_period():
    a = stabgan.analyze(R1, scheme="lookahead", h=sp.Rational(1, 5), lookahead_steps=3,
                        ema=sp.Rational(1, 2))
    assert a.discrete["ema"]["added_eigenvalues"] == [sp.Rational(1, 8)] * 2
    assert a.discrete["ema"]["cycle_gains"] == []   # per step only for period 1


def test_the_transfer_function_is_the_filter_s():
    """G(z) = (1 - beta) z / (z - beta) (the z-transform of the recurrence, typed here as the
    statement checked) and |G(e^{i w})|^2 = (1 - beta)^2 / (1 - 2 beta cos w + beta^2)."""
    a = stabgan.analyze(BILINEAR, scheme="altgd", h=sp.Rational(1, 2), ema=sp.Rational(9, 10))
    z, w = sp.Symbol("z"), sp.Symbol("omega", real=True)
    G = a.discrete["ema"]["transfer_function"]
    assert sp.simplify(G - sp.Rational(1, 10) * z / (z - sp.Rational(9, 10))) == 0
    gain = a.discrete["ema"]["gain_on_circle"]
    want = sp.Rational(1, 100) / (1 - sp.Rational(9, 5) * sp.cos(w) + sp.Rational(81, 100))
    assert sp.simplify(gain ** 2 - want) == 0


CYCLES = [("bilinear", BILINEAR, 0.5, 1.0, 1e-3), ("wgan", stabgan.method("wgan"), 0.5, 1e-3, 1e-3),
          ("gan", GAN, 0.5, 1e-3, 2e-3)]


@pytest.mark.parametrize("name, m, h, x0, rtol", CYCLES, ids=[c[0] for c in CYCLES])
def test_the_amplitude_on_a_cycle_is_measured_as_derived(name, m, h, x0, rtol):
    """AltGD with h < 2 keeps the spectrum on the unit circle (a cycle). Over 30000 steps the
    RMS of the average's theta over the raw theta's equals |G(z)| from analyze (tolerance: the
    RMS of a sampled sinusoid is exact to about 1/(N omega) ~ 1e-4; the GAN and WGAN start at
    1e-3, where the nonlinear terms are of relative size 1e-6; the GAN's, whose rotation is
    not exact, measured 1e-4 off)."""
    beta = 0.9
    a = stabgan.analyze(m, scheme="altgd", h=h, ema=beta)
    gains = a.discrete["ema"]["cycle_gains"]
    assert a.marginal and len(gains) == 2
    assert gains[0]["gain"] == pytest.approx(gains[1]["gain"], rel=1e-14)
    r = stabgan.simulate(m, scheme="altgd", h=h, steps=40000, theta0=x0, psi0=x0, ema=beta,
                         record_every=1)
    assert r.status == "bounded"
    for raw, avg in ((r.history_theta, r.history_theta_ema), (r.history_psi, r.history_psi_ema)):
        ratio = np.sqrt(np.mean(avg[10000:] ** 2) / np.mean(raw[10000:] ** 2))
        assert ratio == pytest.approx(gains[0]["gain"], rel=rtol)
    # the published filter's gain at the eigenvalues of the test's own AltGD matrix (bilinear)
    if name == "bilinear":
        z = np.linalg.eigvals(np.array([[1, -h], [h, 1 - h * h]]))
        assert abs((1 - beta) * z[0] / (z[0] - beta)) == pytest.approx(gains[0]["gain"],
                                                                       rel=1e-12)


@pytest.mark.parametrize("beta", [0.99, 0.5])
def test_the_average_of_a_converging_run_converges_at_max_rho_beta(beta):
    """R1 (gamma = 1), SimGD h = 0.1: rho = 0.95. The average's distance to (0, 0), fitted
    by least squares on log over steps 200..1500, contracts at the joint spectral radius
    (0.99 where beta wins, 0.95 where rho does) to 0.5% (the raw spiral makes log|x| wobble
    around the line); the raw and the average end at the same point (0, 0)."""
    m = stabgan.method("r1", gamma=1)
    a = stabgan.analyze(m, scheme="simgd", h="0.1", ema=beta)
    rate = a.discrete["ema"]["joint_spectral_radius"]
    assert rate == pytest.approx(max(a.spectral_radius, beta), rel=1e-12)
    r = stabgan.simulate(m, scheme="simgd", h=0.1, steps=1500, theta0=1.0, psi0=1.0, ema=beta,
                         record_every=1)
    k = np.arange(200, 1501)
    d = np.hypot(r.history_theta_ema[k], r.history_psi_ema[k])
    slope = np.polyfit(k, np.log(d), 1)[0]
    assert math.exp(slope) == pytest.approx(rate, rel=5e-3)
    assert r.status == "converged" and r.distance_ema < 1e-5


def test_ema_json_and_the_cli_agree():
    """Consistency: analyze --json carries discrete's ema as to_dict() does; simulate --json
    has the average."""
    a = stabgan.analyze(BILINEAR, scheme="altgd", h="0.5", ema="0.9")
    doc = json.loads(json.dumps(a.to_dict()))
    assert doc["ema"]["added_eigenvalues"][0]["value"] == [0.9, 0.0]
    assert [g["gain"] for g in doc["ema"]["cycle_gains"]] == \
        [g["gain"] for g in a.discrete["ema"]["cycle_gains"]]
    assert "ema" not in stabgan.analyze(BILINEAR, scheme="altgd", h="0.5").to_dict()


def test_cli_simulate_adam_with_ema(capsys):
    status = main(["simulate", "gan", "--scheme", "adam", "--h", "0.05", "--steps", "300",
                   "--theta0", "1", "--psi0", "1", "--ema", "0.9", "--beta1", "0.8", "--json"])
    assert status == 0
    doc = json.loads(capsys.readouterr().out)
    r = stabgan.simulate(GAN, scheme="adam", h=0.05, steps=300, theta0=1.0, psi0=1.0, ema=0.9,
                         beta1=0.8)
    assert doc["theta"] == float(r.theta) and doc["theta_ema"] == float(r.theta_ema)
    assert doc["ema"] == 0.9 and doc["scheme"] == "adam"
    ref = _adam_loop(_field("gan"), (1.0, 1.0), (0.05, 0.05), 300, b1=0.8)
    assert doc["theta"] == pytest.approx(ref[-1, 0], abs=1e-12)


# -- refusals ----------------------------------------------------------------------------------

_WHY = "is not linear in the state at the equilibrium"


@pytest.mark.parametrize("scheme", ADAPTIVE)
def test_analyze_and_stability_map_refuse_adaptive_schemes_in_one_line(scheme):
    with pytest.raises(stabgan.InputError, match=f"The 'scheme' option of analyze cannot be '{scheme}': analyze cannot linearize") \
            as info:
        stabgan.analyze(R1, scheme=scheme, h=0.1)
    assert _WHY in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(stabgan.InputError, match=re.escape(_WHY)):
        stabgan.stability_map(R1, scheme, h=np.array([0.1, 0.2]))


@pytest.mark.parametrize("scheme", ADAPTIVE)
def test_the_cli_refuses_adaptive_schemes_in_analyze_and_map(scheme, capsys, tmp_path):
    status = main(["analyze", "r1", "--scheme", scheme, "--h", "0.1"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and _WHY in err
    target = tmp_path / "map.png"
    status = main(["map", "r1", "--scheme", scheme, "--x", "h=0.1:1:5", "--y", "gamma=0.1:1:5",
                   "--out", str(target)])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and _WHY in err and err.count("\n") == 1
    assert not target.exists()


@pytest.mark.parametrize("option, value, allowed", [
    ("ema", 1, "a number in [0, 1)"), ("ema", -0.1, "a number in [0, 1)"),
    ("beta1", 1.0, "a number in [0, 1)"), ("beta2", -1, "a number in [0, 1)"),
    ("eps", 0, "a number in (0, inf)")])
def test_bad_values_name_the_option_the_value_and_the_range(option, value, allowed, capsys):
    scheme = "adam"
    with pytest.raises(stabgan.InputError, match=re.escape(
            f"The '{option}' option must be {allowed}. Got {value!r} instead.")):
        stabgan.simulate(R1, scheme=scheme, h=0.1, steps=3, **{option: value})
    status = main(["simulate", "r1", "--scheme", scheme, "--h", "0.1", "--steps", "3",
                   "--theta0", "1", "--psi0", "1", OPTIONS[option].flag, str(value)])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and f"The '{option}' option must be {allowed}." in err


def test_options_a_scheme_does_not_take_are_refused():
    with pytest.raises(stabgan.InputError, match=re.escape(
            "The 'beta1' option belongs to adam; scheme 'rmsprop' does not take it.")):
        stabgan.simulate(R1, scheme="rmsprop", h=0.1, steps=3, beta1=0.9)
    with pytest.raises(stabgan.InputError, match=re.escape(
            "The 'momentum' option belongs to simgd, altgd and lookahead; scheme 'adam'")):
        stabgan.simulate(R1, scheme="adam", h=0.1, steps=3, momentum=0.5)
    with pytest.raises(stabgan.InputError, match=re.escape(
            "The 'eps' option belongs to adam and rmsprop; scheme 'simgd'")):
        stabgan.simulate(R1, scheme="simgd", h=0.1, steps=3, eps=1e-8)
    with pytest.raises(stabgan.InputError, match="continuous analysis takes no step-size"):
        stabgan.analyze(R1, ema=0.5)


def test_rmsprop_and_adam_defaults_come_from_the_table():
    from stabgan.schemes.scheme import make_scheme
    a, r = make_scheme("adam"), make_scheme("rmsprop")
    assert (a.beta1, a.beta2, a.eps) == (sp.Rational(9, 10), sp.Rational(999, 1000),
                                         sp.Rational(1, 10 ** 8))
    assert (r.beta2, r.eps) == (sp.Rational(99, 100), sp.Rational(1, 10 ** 8))
