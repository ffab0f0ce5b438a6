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
