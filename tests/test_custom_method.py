"""stabgan.custom_method: a method of the user's own, checked against the losses written here.

The oracle is independent of the package: each loss is written in this file with NumPy in
the paper's convention and differentiated by the complex step (derivative error ~1e-16),
and the field the package derives from the user's strings must match it off the
equilibrium. The closed forms are checked against trace and determinant written by hand.
"""
import numpy as np
import pytest
import sympy as sp

import stabgan

POINTS = [(0.7, -0.3), (-1.2, 0.4), (0.25, 1.5)]


def _f(t):
    """The logistic f(t) = -log(1 + e^{-t}), for complex arguments."""
    return -np.log(1 + np.exp(-t))


def _complex_step(fun, x, i, h=1e-30):
    x = np.array(x, dtype=complex)
    x[i] += 1j * h
    return fun(*x).imag / h


def _check_field(m, loss_d, loss_g):
    for theta, psi in POINTS:
        v = [float(c) for c in m.field(np.array(theta), np.array(psi))]
        expected = [-_complex_step(loss_g, (theta, psi), 0),
                    _complex_step(loss_d, (theta, psi), 1)]
        assert v == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_r1_plus_r2_written_as_strings():
    """R1 + R2 (R3GAN's penalties): the discriminator ascends f(psi theta) + f(0) - gamma/2
    |grad_x D(0)|^2 - gamma/2 |grad_x D(theta)|^2 = ... - gamma psi^2."""
    spec = stabgan.custom_method("r1r2", loss_d="f(D(theta)) + f(-D(0))",
                                 d_penalty="gamma/2 * psi**2 + gamma/2 * psi**2",
                                 parameters={"gamma": (1, 0, None)})
    gamma = 0.3
    m = stabgan.method(spec, gamma=gamma)
    loss_d = lambda t, p: _f(p * t) + _f(0 * p) - gamma * p ** 2  # noqa: E731
    loss_g = lambda t, p: _f(p * t) + _f(0 * p)  # noqa: E731
    _check_field(m, loss_d, loss_g)
    # closed form: J = [[0, -f'(0)], [f'(0), -2 gamma]], f'(0) = 1/2
    a = stabgan.analyze(stabgan.method(spec))  # gamma left a symbol
    g = sp.Symbol("gamma", nonnegative=True)
    assert sp.simplify(sum(a.eigenvalues) + 2 * g) == 0
    assert sp.simplify(a.eigenvalues[0] * a.eigenvalues[1] - sp.Rational(1, 4)) == 0


def test_a_generator_penalty_and_a_loss_of_its_own():
    """A non-saturating generator with a penalty eta theta^2 on the generator."""
    spec = stabgan.custom_method("ns-decay", loss_d="f(D(theta)) + f(-D(0))",
                                 loss_g="-f(-D(theta))", g_penalty="eta * theta**2",
                                 parameters={"eta": 0.5})
    m = stabgan.method(spec)  # numeric work: eta takes its default 0.5
    loss_d = lambda t, p: _f(p * t) + _f(0 * p)  # noqa: E731
    loss_g = lambda t, p: -_f(-p * t) + 0.5 * t ** 2  # noqa: E731
    _check_field(m, loss_d, loss_g)


def test_sympy_expressions_are_taken_by_name():
    theta, psi, w = sp.symbols("theta psi w")
    spec = stabgan.custom_method("sym", loss_d=theta * psi, d_penalty=w / 2 * psi ** 2,
                                 parameters={"w": 2}, f="t")
    m = stabgan.method(spec)
    v = m.field(np.array(0.7), np.array(-0.3))
    # L_D = theta psi - w/2 psi^2 (w = 2): v = (-psi, theta - 2 psi)
    assert [float(c) for c in v] == pytest.approx([0.3, 0.7 + 0.6], rel=1e-15)


def test_a_custom_method_simulates_and_converges_where_the_spectrum_says():
    spec = stabgan.custom_method("r1-again", loss_d="f(D(theta)) + f(-D(0))",
                                 d_penalty="gamma/2 * psi**2", parameters={"gamma": 1})
    m = stabgan.method(spec, gamma=1)
    a = stabgan.analyze(m, scheme="simgd", h=sp.Rational(1, 10))
    r = stabgan.simulate(m, scheme="simgd", h=0.1, steps=2000, theta0=0.5, psi0=0.5)
    assert a.locally_convergent is True and bool(r.converged)


@pytest.mark.parametrize("kwargs, message", [
    (dict(loss_d="f(D(theta)) * beta"), "the name 'beta' is not allowed"),
    (dict(loss_d="__import__('os')"), "the function '__import__' is not allowed"),
    (dict(loss_d="theta.real"), "Attribute is not allowed"),
    (dict(loss_d="exp(exp(exp(exp(exp(psi + 1)))))"), "overflows a float"),
    (dict(loss_d="f(D(theta))", parameters={"gamma": (5, 0, 1)}), "must lie in"),
    (dict(loss_d="f(D(theta))", parameters={"psi": 1}), "taken by the vocabulary"),
    (dict(loss_d=sp.Symbol("theta") * sp.Symbol("zeta")), "'zeta', which is neither"),
    (dict(loss_d="f(D(theta))", f="softplus"), "'f' option of custom_method"),
])
def test_bad_input_is_one_line_naming_the_culprit(kwargs, message):
    with pytest.raises(stabgan.InputError, match=message.replace("(", r"\(")):
        stabgan.custom_method("mine", **kwargs)


@pytest.mark.parametrize("bad_id", ["r1", "", "My Method", "x" * 41, 7])
def test_the_id_is_checked(bad_id):
    with pytest.raises(stabgan.InputError, match="'id' option of custom_method"):
        stabgan.custom_method(bad_id, loss_d="f(D(theta)) + f(-D(0))")


# -- stabgan.penalty and Method + penalty -------------------------------------------------------

def test_penalties_add_to_a_method_as_their_losses_say():
    """gan + r1(gamma1) + r2(gamma2): L_D = f(psi theta) + f(0) - gamma1/2 psi^2 - gamma2/2
    psi^2, L_G = f(psi theta) + f(0); R2's gamma is renamed gamma_r2 (the clash rule)."""
    g1, g2 = 0.3, 0.7
    m = stabgan.method("gan") + stabgan.penalty("r1", gamma=g1) + stabgan.penalty("r2", gamma=g2)
    assert m.id == "gan+r1+r2"
    assert {k: float(v) for k, v in m.params.items()} == {"gamma": g1, "gamma_r2": g2}
    loss_d = lambda t, p: _f(p * t) + _f(0 * p) - (g1 + g2) / 2 * p ** 2  # noqa: E731
    loss_g = lambda t, p: _f(p * t) + _f(0 * p)  # noqa: E731
    _check_field(m, loss_d, loss_g)
    third = m + stabgan.penalty("r2")
    assert list(third.params) == ["gamma", "gamma_r2", "gamma_r2_2"]
    assert stabgan.analyze(third).to_dict()["params"].keys() >= {"gamma_r2_2"}


def test_nagarajan_kolter_penalty_differentiates_the_objective():
    """gan + nk(eta): the generator descends L + eta (dL/dpsi)^2, dL/dpsi = theta f'(psi theta),
    f'(t) = 1 / (1 + e^t) for the logistic f."""
    eta = 0.4
    m = stabgan.method("gan") + stabgan.penalty("nk", eta=eta)
    fp = lambda t: 1 / (1 + np.exp(t))  # noqa: E731
    loss_d = lambda t, p: _f(p * t) + _f(0 * p)  # noqa: E731
    loss_g = lambda t, p: _f(p * t) + _f(0 * p) + eta * (t * fp(p * t)) ** 2  # noqa: E731
    _check_field(m, loss_d, loss_g)
    with pytest.raises(stabgan.InputError, match="cannot be added twice"):
        m + stabgan.penalty("nk")


def test_on_the_dirac_gan_weight_decay_r1_and_r2_are_one_term():
    """grad_x D_psi = psi wherever it is taken: three penalties, one field (what the Dirac-GAN
    cannot tell apart)."""
    fields = {pid: (stabgan.method("gan") + stabgan.penalty(pid, gamma=0.5)).vector_field
              for pid in ("r1", "r2", "weight-decay")}
    assert fields["r1"] == fields["r2"] == fields["weight-decay"]


def test_a_penalty_left_symbolic_stays_a_symbol_and_takes_its_default_numerically():
    m = stabgan.method("gan") + stabgan.penalty("r1")
    a = stabgan.analyze(m)
    g = sp.Symbol("gamma", nonnegative=True)
    assert sp.simplify(sum(a.eigenvalues) + g) == 0
    v = m.field(np.array(0.7), np.array(-0.3))
    assert float(v[1]) == pytest.approx(float(stabgan.method("r1", gamma=1).field(0.7, -0.3)[1]),
                                        rel=1e-15)


@pytest.mark.parametrize("call, message", [
    (lambda: stabgan.penalty("r3"), "The penalty id must be one of"),
    (lambda: stabgan.penalty("r1", beta=1), "Unknown parameter 'beta' for penalty 'r1'"),
    (lambda: stabgan.penalty("r1", gamma=-1), "The 'gamma' parameter of penalty 'r1' must be"),
    (lambda: stabgan.simulate(stabgan.method("gan") + stabgan.penalty("r1")
                              + stabgan.penalty("r2"), h=0.1, steps=3, lazy_every=2),
     "has several \\(gamma, gamma_r2\\): not supported yet"),
])
def test_bad_penalties_are_refused_in_one_line(call, message):
    with pytest.raises(stabgan.InputError, match=message):
        call()


# -- --method-file F.toml -----------------------------------------------------------------------

FILE = '''
id = "my-r1"
loss_d = "f(D(theta)) + f(-D(0))"
d_penalty = "gamma/2 * psi**2"
summary = "R1 written out"
penalties = ["r2:gamma=0.5"]
[parameters]
gamma = {default = 1, low = 0}
'''


def test_a_method_file_is_the_same_method_as_the_api_builds(tmp_path, capsys):
    import json

    from stabgan._cli import main
    path = tmp_path / "m.toml"
    path.write_text(FILE)
    assert main(["analyze", "--method-file", str(path), "-p", "gamma=0.3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    spec = stabgan.custom_method("my-r1", loss_d="f(D(theta)) + f(-D(0))",
                                 d_penalty="gamma/2 * psi**2", summary="R1 written out",
                                 parameters={"gamma": (1, 0, None)})
    m = stabgan.method(spec, gamma=0.3) + stabgan.penalty("r2", gamma=0.5)
    assert doc == stabgan.analyze(m).to_dict()
    # R1 + R2 with gammas 0.3 and 0.5: trace -(0.3 + 0.5), determinant f'(0)^2 = 1/4
    eig = [complex(*e["value"]) for e in doc["eigenvalues"]]
    assert sum(eig) == pytest.approx(-0.8) and eig[0] * eig[1] == pytest.approx(0.25)


@pytest.mark.parametrize("text, message", [
    ("id = 3", "is not a method: it has no 'loss_d'"),
    ("x = [", "is not TOML"),
    ('id = "a"\nloss_d = "theta"\nlosses = 1', "unknown key 'losses'"),
    ('id = "a"\nloss_d = "theta*beta"', "the name 'beta' is not allowed"),
    ('id = "a"\nloss_d = "theta"\n[parameters]\ngamma = {low = 0}', "must be a number or a table"),
    ('id = "a"\nloss_d = "theta"\npenalties = "r1"', "must be a list of strings"),
])
def test_a_bad_method_file_is_one_line_with_status_2(tmp_path, capsys, text, message):
    from stabgan._cli import main
    path = tmp_path / "m.toml"
    path.write_text(text)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["analyze", "--method-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# -- stabgan.adjustment ---------------------------------------------------------------------

def _fp(t):
    return 1 / (1 + np.exp(t))  # f'(t) of the logistic f


def test_consensus_as_an_adjustment_is_the_catalogue_method():
    m = stabgan.method("gan") + stabgan.adjustment("consensus", gamma=0.5)
    c = stabgan.method("consensus", gamma=0.5)
    assert m.vector_field == c.vector_field
    assert stabgan.analyze(m).eigenvalues == stabgan.analyze(c).eigenvalues
    # on r1, whose gamma is taken, the consensus weight is renamed
    assert list((stabgan.method("r1") + stabgan.adjustment("consensus")).params) == [
        "gamma", "gamma_consensus"]


@pytest.mark.parametrize("lam", [0.5, -0.5])
def test_sga_is_balduzzi_et_al_in_their_descent_convention(lam):
    """Balduzzi et al. 2018: players descend their losses l1 = L_G (theta), l2 = -L_D (psi);
    xi = (dl1/dtheta, dl2/dpsi), H = grad xi, A = (H - H^T)/2, and the update descends
    xi + lam A^T xi. Here xi and H come from complex-step derivatives of the GAN's losses
    written in this file, and the package's field must be -(xi + lam A^T xi)."""
    m = stabgan.method("gan") + stabgan.adjustment("sga", lam=lam)
    L = lambda t, p: _f(p * t) + _f(0 * p)  # noqa: E731 - L_G = L_D = L (zero-sum)
    xi = lambda t, p: np.array([_complex_step(L, (t, p), 0),  # noqa: E731
                                -_complex_step(L, (t, p), 1)])
    for theta, psi in POINTS:
        h = 1e-6  # central differences of xi (itself a complex-step derivative): error ~1e-12
        H = np.column_stack([(xi(theta + h, psi) - xi(theta - h, psi)) / (2 * h),
                             (xi(theta, psi + h) - xi(theta, psi - h)) / (2 * h)])
        A = (H - H.T) / 2
        expected = -(xi(theta, psi) + lam * A.T @ xi(theta, psi))
        v = [float(c) for c in m.field(np.array(theta), np.array(psi))]
        assert v == pytest.approx(expected, rel=1e-8, abs=1e-10)


def test_sga_makes_the_bilinear_game_converge_and_the_flipped_sign_diverge():
    good = stabgan.analyze(stabgan.method("bilinear") + stabgan.adjustment("sga", lam=1))
    bad = stabgan.analyze(stabgan.method("bilinear") + stabgan.adjustment("sga", lam=-1))
    assert good.locally_convergent is True and bad.locally_convergent is False
    o = stabgan.integrate(stabgan.method("bilinear") + stabgan.adjustment("sga", lam=1),
                          t_span=(0, 30), theta0=1.0, psi0=0.0)
    assert np.hypot(o.theta[-1], o.psi[-1]) < 1e-10  # rate |Re lambda| = lam: e^{-30}


@pytest.mark.parametrize("steps", [1, 3])
def test_unrolled_generator_differentiates_through_the_discriminator_steps(steps):
    """Metz et al. 2017: psi_{k+1} = psi_k + h dL_D/dpsi(theta, psi_k), and the generator
    descends L_G(theta, psi_K(theta, psi)). Computed here in complex arithmetic (the complex
    step goes through the unrolled steps); the variant that does not differentiate through
    them (psi_K held fixed) gives another field, which the check tells apart."""
    h = 0.3
    m = stabgan.method("gan") + stabgan.adjustment("unrolled", steps=steps, h=h)
    L = lambda t, p: _f(p * t) + _f(0 * p)  # noqa: E731

    def unrolled_psi(t, p):
        for _ in range(steps):
            p = p + h * t * _fp(p * t)  # dL/dpsi = theta f'(psi theta)
        return p

    loss_g = lambda t, p: L(t, unrolled_psi(t, p))  # noqa: E731
    for theta, psi in POINTS:
        v = [float(c) for c in m.field(np.array(theta), np.array(psi))]
        through = -_complex_step(loss_g, (theta, psi), 0)
        held = -_complex_step(L, (theta, unrolled_psi(theta, psi)), 0)
        assert v[0] == pytest.approx(through, rel=1e-12)
        assert v[1] == pytest.approx(_complex_step(L, (theta, psi), 1), rel=1e-12)
        assert abs(through - held) > 1e-4 * abs(through)


@pytest.mark.parametrize("call, message", [
    (lambda: stabgan.adjustment("extragradient"), "The adjustment id must be one of"),
    (lambda: stabgan.adjustment("unrolled", steps=0), "must be an integer in \\[1, 10\\]"),
    (lambda: stabgan.adjustment("sga", gamma=1), "Unknown parameter 'gamma' for adjustment"),
    (lambda: stabgan.method("instance-noise") + stabgan.adjustment("sga"),
     "expectation over noise"),
])
def test_bad_adjustments_are_refused_in_one_line(call, message):
    with pytest.raises(stabgan.InputError, match=message):
        call()


def test_the_report_takes_a_method_file(tmp_path):
    """stabgan report --method-file F --only: the custom method's Markdown (its derived
    Jacobian) and figures, nothing of the catalogue."""
    from stabgan._cli import main
    path = tmp_path / "m.toml"
    path.write_text(FILE)
    out = tmp_path / "out"
    assert main(["report", "--method-file", str(path), "--only", "r1", "--out", str(out)]) == 0
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "distance_my-r1+r2.png", "distance_r1.png", "phase_my-r1+r2.png", "phase_r1.png"]
    text = (out / "derivations" / "my-r1+r2.md").read_text()
    assert r"f'(0) & - \gamma - \gamma_{r2}" in text
    assert "![phase_my-r1+r2.png](../figures/phase_my-r1+r2.png)" in text
