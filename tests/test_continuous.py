"""Continuous-time analysis (``stabgan.analyze``) against independent facts.

Kinds of evidence (DESIGN.md section 6, STYLE.md practices 6-8); each test says which:

* [published] a lemma of Mescheder, Geiger, Nowozin (ICML 2018), Nagarajan and Kolter
  (NeurIPS 2017) or Mescheder, Nowozin, Geiger (NeurIPS 2017), typed in here (and only
  here) as the statement being checked; symbolic results are compared with
  ``sympy.simplify(a - b) == 0``, never as strings;
* [conserved] conserved quantities of the flow (theta^2 + psi^2 for the unregularized GAN);
* [numeric] finite differences of the NumPy field ``m.field``, mpmath at 30 digits,
  ``numpy.linalg.eigvals``;
* [identity] relations between methods that hold on the Dirac-GAN (R1 = R2, DRAGAN k = 0
  = R1, RSGAN = NSGAN, RaSGAN = 2 RSGAN) and the symmetric functions of the eigenvalues
  (sum = trace, product = determinant);
* [by hand] a two-line derivation written out in the test's comment, for facts that no
  paper states for the Dirac-GAN (one-sided equilibria of WGAN-GP and DRAGAN, LSGAN's
  equilibrium set);
* [consistency] the symbolic Jacobian of ``m.vector_field`` against finite differences
  of ``m.field``: both come from the same derivation, so this checks the SymPy -> NumPy
  boundary, not the derivation.
"""
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import stabgan
from stabgan._symbols import derivative_symbol
from stabgan._symbols import PSI, THETA

FP0 = derivative_symbol(1)   # f'(0), real and nonzero
FPP0 = derivative_symbol(2)  # f''(0)
CUBIC = "t - t**3/3"         # f'(0) = 1, f''(0) = 0


@lru_cache(maxsize=None)
def _analyze(method_id: str, **kw):
    """stabgan.analyze(stabgan.method(method_id, **kw)), computed once per module run."""
    return stabgan.analyze(stabgan.method(method_id, **kw))


def _zero(expr) -> bool:
    """simplify(expr) == 0, entrywise for a matrix."""
    if isinstance(expr, sp.MatrixBase):
        return all(_zero(x) for x in expr)
    return sp.simplify(sp.sympify(expr)) == 0


def _same_pair(computed, published) -> bool:
    """Two multisets of two numbers are equal iff their sums and products are (Vieta)."""
    assert len(computed) == 2 and len(published) == 2
    return (_zero(sp.expand(computed[0] + computed[1] - published[0] - published[1]))
            and _zero(sp.expand(computed[0] * computed[1] - published[0] * published[1])))


def _logistic_derivatives(dps: int = 30):
    """f'(0) and f''(0) of f(t) = -log(1 + exp(-t)), by mpmath numerical differentiation."""
    with mpmath.workdps(dps):
        f = lambda t: -mpmath.log(1 + mpmath.exp(-t))  # noqa: E731
        return mpmath.diff(f, 0, 1), mpmath.diff(f, 0, 2)


def _mp_close(value, reference, tol: float) -> bool:
    """|value - reference| < tol at 40 digits (value a SymPy number, reference mpmath)."""
    v = sp.N(value, 40)
    with mpmath.workdps(40):
        z = mpmath.mpc(mpmath.mpf(str(sp.re(v))), mpmath.mpf(str(sp.im(v))))
        return bool(abs(z - mpmath.mpmathify(reference)) < mpmath.mpf(tol))


def _fd_jacobian(field, theta: float, psi: float, h: float = 1e-3) -> np.ndarray:
    """Fourth-order central differences of the NumPy field (error ~ h^4 |v^(5)| + eps/h)."""
    def column(dt, dp):
        def at(k):
            vt, vp = field(np.array(theta + k * dt), np.array(psi + k * dp))
            return np.array([float(vt), float(vp)])
        return (-at(2) + 8 * at(1) - 8 * at(-1) + at(-2)) / (12 * h)
    return np.column_stack([column(h, 0.0), column(0.0, h)])


def _as_float_matrix(matrix: sp.Matrix) -> np.ndarray:
    return np.array([[float(sp.N(x, 30)) for x in matrix.row(i)] for i in range(matrix.rows)])


# -- Lemma 2.2: the unregularized GAN ------------------------------------------------------

def test_lemma_2_2_unregularized_gan_jacobian_and_eigenvalues():
    # [published] Mescheder et al. 2018 Lemma 2.2: v'(0, 0) = [[0, -f'(0)], [f'(0), 0]],
    # eigenvalues +- f'(0) i: on the imaginary axis, so not locally convergent.
    a = _analyze("gan", f="general")
    assert _zero(a.jacobian - sp.Matrix([[0, -FP0], [FP0, 0]]))
    assert _same_pair(a.eigenvalues, [sp.I * FP0, -sp.I * FP0])
    assert all(_zero(sp.re(e)) for e in a.eigenvalues)
    assert a.locally_convergent is False
    assert a.marginal is True


def test_logistic_f_derivatives_match_mpmath():
    # [numeric] f'(0) = 1/2 and f''(0) = -1/4 for the logistic f, from mpmath differentiation
    # of -log(1 + e^{-t}). f'(0) is read off the GAN Jacobian (Lemma 2.2), f''(0) off the
    # instance-noise Jacobian at sigma = 1 (Lemma 3.2: entry psi-psi = 2 f''(0) sigma^2).
    fp, fpp = _logistic_derivatives()
    J = _analyze("gan").jacobian
    assert _mp_close(J[1, 0], fp, 1e-25) and _mp_close(-J[0, 1], fp, 1e-25)
    assert _mp_close(J[0, 0], 0, 1e-25) and _mp_close(J[1, 1], 0, 1e-25)
    assert sp.simplify(J[1, 0] - sp.Rational(1, 2)) == 0
    Jn = _analyze("instance-noise", sigma=1).jacobian
    assert _mp_close(Jn[1, 1], 2 * fpp, 1e-25)
    assert sp.simplify(Jn[1, 1] / 2 - sp.Rational(-1, 4)) == 0


# -- Lemma 2.3: conservation of theta^2 + psi^2 --------------------------------------------

@pytest.mark.parametrize("kw", [dict(f="general"), dict(), dict(f=CUBIC)])
def test_lemma_2_3_norm_is_conserved_symbolically(kw):
    # [conserved] Mescheder et al. 2018 Lemma 2.3: d/dt (theta^2 + psi^2) = 0 for the
    # unregularized GAN and any f.
    v_theta, v_psi = stabgan.method("gan", **kw).vector_field
    assert _zero(THETA * v_theta + PSI * v_psi)


def test_lemma_2_3_norm_is_conserved_numerically():
    # [conserved] the same on the NumPy field at random points; theta v_theta + psi v_psi
    # is a sum of two products of O(1) numbers that cancel exactly in exact arithmetic:
    # tolerance a few ulps of |theta v_theta|.
    rng = np.random.default_rng(np.random.SeedSequence(22))
    theta, psi = rng.uniform(-5, 5, size=(2, 1000))
    vt, vp = stabgan.method("gan").field(theta, psi)
    scale = np.abs(theta * vt) + np.abs(psi * vp)
    assert np.all(np.abs(theta * vt + psi * vp) <= 8 * np.finfo(float).eps * scale + 1e-300)


def test_unregularized_gan_reason_is_conservation():
    # [conserved] the verdict for the minimax GAN names the conserved norm.
    assert "conserved" in _analyze("gan").marginal_reason


# -- Lemma 3.2: instance noise --------------------------------------------------------------

def test_lemma_3_2_instance_noise_eigenvalues():
    # [published] Lemma 3.2: eigenvalues f''(0) sigma^2 +- sqrt(f''(0)^2 sigma^4 - f'(0)^2).
    a = _analyze("instance-noise", f="general")
    sigma = stabgan.method("instance-noise").params["sigma"]
    assert isinstance(sigma, sp.Symbol)
    published = [FPP0 * sigma ** 2 + sp.sqrt(FPP0 ** 2 * sigma ** 4 - FP0 ** 2),
                 FPP0 * sigma ** 2 - sp.sqrt(FPP0 ** 2 * sigma ** 4 - FP0 ** 2)]
    assert _same_pair(a.eigenvalues, published)


def test_lemma_3_2_instance_noise_critical_sigma():
    # [published] the eigenvalues turn real at sigma = sqrt(|f'(0) / f''(0)|); for the
    # logistic f (f'(0), f''(0) from mpmath) that is sqrt(2).
    fp, fpp = _logistic_derivatives()
    critical = _analyze("instance-noise").critical["sigma"]
    assert sp.simplify(critical - sp.sqrt(2)) == 0
    with mpmath.workdps(30):
        reference = mpmath.sqrt(abs(fp / fpp))
    assert _mp_close(critical, reference, 1e-25)
    general = _analyze("instance-noise", f="general").critical["sigma"]
    for a_, b_ in [(sp.Rational(1, 2), sp.Rational(-1, 4)), (-3, 2), (2, 5), (-1, -7)]:
        value = general.subs({FP0: a_, FPP0: b_})
        assert sp.simplify(value - sp.sqrt(abs(sp.Rational(a_) / b_))) == 0, (a_, b_, value)


# -- Lemma 3.3: R1 and R2 -------------------------------------------------------------------

@pytest.mark.parametrize("method_id", ["r1", "r2"])
def test_lemma_3_3_gradient_penalty_eigenvalues(method_id):
    # [published] Lemma 3.3: eigenvalues -gamma/2 +- sqrt(gamma^2/4 - f'(0)^2), locally
    # convergent for every gamma > 0.
    a = _analyze(method_id, f="general")
    gamma = stabgan.method(method_id).params["gamma"]
    published = [-gamma / 2 + sp.sqrt(gamma ** 2 / 4 - FP0 ** 2),
                 -gamma / 2 - sp.sqrt(gamma ** 2 / 4 - FP0 ** 2)]
    assert _same_pair(a.eigenvalues, published)
    assert a.locally_convergent is None
    for value in [0, sp.Rational(1, 1000), 1, 5]:
        assert bool(a.condition.subs(gamma, value)) is bool(value > 0), value


@pytest.mark.parametrize("method_id", ["r1", "r2"])
@pytest.mark.parametrize("kw, expected", [
    (dict(f="general"), 2 * sp.Abs(FP0)),
    (dict(), sp.Integer(1)),             # logistic: 2 * 1/2
    (dict(f=CUBIC), sp.Integer(2)),      # f'(0) = 1
])
def test_lemma_3_3_critical_gamma_is_twice_abs_fprime(method_id, kw, expected):
    # [published] the eigenvalues of Lemma 3.3 turn real at gamma = 2 |f'(0)|.
    critical = _analyze(method_id, **kw).critical["gamma"]
    assert sp.simplify(critical - expected) == 0


# -- identities between methods on the Dirac-GAN ---------------------------------------------

def _fields_equal(m1, m2, factor=1) -> bool:
    return all(_zero(a - factor * b) for a, b in zip(m1.vector_field, m2.vector_field))


def _numeric_fields_equal(m1, m2, factor=1.0) -> None:
    rng = np.random.default_rng(np.random.SeedSequence(33))
    theta, psi = rng.uniform(-3, 3, size=(2, 500))
    for a, b in zip(m1.field(theta, psi), m2.field(theta, psi)):
        np.testing.assert_allclose(a, factor * b, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("kw", [dict(f="general"), dict(), dict(gamma="3/7"),
                                dict(f=CUBIC, gamma=2)])
def test_r1_and_r2_coincide_on_the_dirac_gan(kw):
    # [identity] grad_x D_psi = psi everywhere, so E_pD and E_ptheta of |grad_x D|^2 agree.
    m1, m2 = stabgan.method("r1", **kw), stabgan.method("r2", **kw)
    assert _fields_equal(m1, m2)
    if kw.get("f") != "general":
        _numeric_fields_equal(m1, m2)


@pytest.mark.parametrize("kw", [dict(f="general"), dict(), dict(f=CUBIC)])
def test_dragan_with_zero_target_is_r1(kw):
    # [identity] DRAGAN's penalty (|grad_x D| - k)^2 with k = 0 is R1's |grad_x D|^2.
    for gamma in ["1", "7/10"]:
        m1 = stabgan.method("dragan", k=0, gamma=gamma, **kw)
        m2 = stabgan.method("r1", gamma=gamma, **kw)
        assert _fields_equal(m1, m2)
        if kw.get("f") != "general":
            _numeric_fields_equal(m1, m2)


@pytest.mark.parametrize("kw", [dict(f="general"), dict()])
def test_rsgan_field_equals_nsgan_field(kw):
    # [identity] with one real point at 0, RSGAN's losses f(D(x_f) - D(x_r)) reduce to the
    # standard discriminator loss and the non-saturating generator loss.
    m1, m2 = stabgan.method("rsgan", **kw), stabgan.method("nsgan", **kw)
    assert _fields_equal(m1, m2)
    if kw.get("f") != "general":
        _numeric_fields_equal(m1, m2)


@pytest.mark.parametrize("kw", [dict(f="general"), dict()])
def test_rasgan_field_is_twice_rsgan_field(kw):
    # [identity] with one real and one fake point the averages are the points, so RaSGAN's
    # two summed terms are both RSGAN's term.
    m1, m2 = stabgan.method("rasgan", **kw), stabgan.method("rsgan", **kw)
    assert _fields_equal(m1, m2, factor=2)
    if kw.get("f") != "general":
        _numeric_fields_equal(m1, m2, factor=2.0)


# -- Nagarajan and Kolter ---------------------------------------------------------------------

def test_nagarajan_kolter_jacobian_and_condition():
    # [published] Nagarajan and Kolter 2017 (generator descends L + eta |dL/dpsi|^2):
    # J = [[-2 eta f'(0)^2, -f'(0)], [f'(0), 0]]; trace < 0 and det = f'(0)^2 > 0, so it is
    # locally convergent for every eta > 0.
    m = stabgan.method("nk", f="general")
    eta = m.params["eta"]
    a = _analyze("nk", f="general")
    assert _zero(a.jacobian - sp.Matrix([[-2 * eta * FP0 ** 2, -FP0], [FP0, 0]]))
    assert a.locally_convergent is None
    assert a.condition.free_symbols == {eta}
    for value in [0, sp.Rational(1, 10 ** 20), sp.Rational(1, 3), 1, 40]:
        assert bool(a.condition.subs(eta, value)) is bool(value > 0), value
    assert sp.simplify(sp.Equivalent(a.condition, eta > 0)) is sp.true


@pytest.mark.parametrize("eta", [Fraction(1, 10 ** 20), Fraction(7, 10), 2, 9])
def test_nagarajan_kolter_converges_for_every_positive_eta(eta):
    # [published] the verdict is True for each numeric eta > 0 (logistic and WGAN f = t).
    assert _analyze("nk", eta=eta).locally_convergent is True
    assert _analyze("nk", f="t", eta=eta).locally_convergent is True


@pytest.mark.parametrize("kw, expected", [
    (dict(f="general"), 1 / sp.Abs(FP0)),
    (dict(), sp.Integer(2)),      # logistic: 1 / (1/2)
    (dict(f="t"), sp.Integer(1)),  # their regularized WGAN
])
def test_nagarajan_kolter_critical_eta(kw, expected):
    # [published] discriminant 4 eta^2 f'(0)^4 - 4 f'(0)^2 vanishes at eta = 1/|f'(0)|.
    assert sp.simplify(_analyze("nk", **kw).critical["eta"] - expected) == 0


# -- consensus optimization ---------------------------------------------------------------------

def test_consensus_jacobian_and_eigenvalues():
    # [published] Mescheder, Nowozin, Geiger 2017: v - gamma grad(1/2 |v|^2) has Jacobian
    # J0 - gamma J0^T J0 at an equilibrium ([identity]: J0 from the "gan" analysis), with
    # eigenvalues -gamma f'(0)^2 +- i f'(0) on the Dirac-GAN.
    J0 = _analyze("gan", f="general").jacobian
    gamma = stabgan.method("consensus").params["gamma"]
    a = _analyze("consensus", f="general")
    assert _zero(a.jacobian - (J0 - gamma * J0.T * J0))
    published = [-gamma * FP0 ** 2 + sp.I * FP0, -gamma * FP0 ** 2 - sp.I * FP0]
    assert _same_pair(a.eigenvalues, published)


# -- Jacobian against finite differences of the NumPy field ----------------------------------

FD_CASES = [
    ("r1", dict(gamma="3/10")),
    ("r1", dict(gamma="5/2", f=CUBIC)),
    ("r2", dict(gamma="3/2")),
    ("nk", dict(eta="7/10")),
    ("nk", dict(eta="3/2", f="t")),
    ("consensus", dict(gamma="1/2")),
    ("roth", dict(gamma=3)),
    ("instance-noise", dict(sigma="4/5")),
    ("lsgan", dict(a=0, b=1, c=1)),
    ("lsgan", dict(a=-1, b=1, c=2)),
    ("nsgan", dict()),
    ("gan", dict()),
    ("rsgan", dict()),
    ("rasgan", dict()),
    ("dragan", dict(gamma=1, k=0)),
    ("bilinear", dict()),
]


@pytest.mark.parametrize("method_id, kw", FD_CASES)
def test_jacobian_at_equilibrium_matches_finite_differences(method_id, kw):
    # [numeric] 4th-order central differences of m.field at (0, 0), h = 1e-3: truncation
    # ~ h^4 = 1e-12 times the fifth derivative, rounding ~ eps/h ~ 1e-13; instance noise
    # adds the derivative of its quadrature error (< 1e-12 absolute, smooth in theta, psi).
    m = stabgan.method(method_id, **kw)
    J = _as_float_matrix(_analyze(method_id, **kw).jacobian)
    J_fd = _fd_jacobian(m.field, 0.0, 0.0)
    tol = 1e-7 if method_id == "instance-noise" else 1e-9
    np.testing.assert_allclose(J, J_fd, rtol=0, atol=tol)


@pytest.mark.parametrize("method_id, kw", [c for c in FD_CASES if c[0] != "instance-noise"])
def test_symbolic_jacobian_off_equilibrium_matches_finite_differences(method_id, kw):
    # [consistency] the SymPy Jacobian of m.vector_field at random points (seeded) against
    # finite differences of the compiled NumPy field. Instance noise is left out: its
    # SymPy components are unevaluated Integrals.
    m = stabgan.method(method_id, **kw)
    Jsym = sp.Matrix(list(m.vector_field)).jacobian([THETA, PSI])
    rng = np.random.default_rng(np.random.SeedSequence([44, len(method_id)]))
    for theta, psi in rng.uniform(-1.5, 1.5, size=(5, 2)):
        J = _as_float_matrix(Jsym.subs({THETA: sp.Float(theta, 30), PSI: sp.Float(psi, 30)}))
        J_fd = _fd_jacobian(m.field, float(theta), float(psi))
        # |J| is O(10) at most here; the 5th derivatives are O(100): 1e-8 absolute.
        np.testing.assert_allclose(J, J_fd, rtol=0, atol=1e-8, err_msg=f"{theta}, {psi}")


# -- eigenvalues against mpmath ----------------------------------------------------------------

@pytest.mark.parametrize("method_id, kw", [
    ("r1", dict(gamma="3/10")),
    ("instance-noise", dict(sigma="4/5")),
    ("nk", dict(eta="7/10")),
    ("roth", dict(gamma=3)),
    ("consensus", dict(gamma="1/2")),
])
def test_eigenvalues_match_mpmath_eig_at_30_digits(method_id, kw):
    # [numeric] mpmath.eig of the Jacobian's entries at 30 digits (an independent eigen
    # solver, QR in multiprecision) against the closed-form eigenvalues: 1e-25.
    a = _analyze(method_id, **kw)
    with mpmath.workdps(30):
        M = mpmath.matrix([[mpmath.mpmathify(str(sp.N(x, 40))) for x in a.jacobian.row(i)]
                           for i in range(2)])
        reference = list(mpmath.eig(M, left=False, right=False))
        values = [mpmath.mpc(*(mpmath.mpf(str(part(sp.N(e, 30)))) for part in (sp.re, sp.im)))
                  for e in a.eigenvalues]
        assert len(values) == len(reference) == 2
        # matched both ways, so a double eigenvalue cannot hide a missing one
        for v in values:
            assert min(abs(v - r) for r in reference) < mpmath.mpf("1e-25"), (values, reference)
        for r in reference:
            assert min(abs(v - r) for v in values) < mpmath.mpf("1e-25"), (values, reference)


# -- trace and determinant ---------------------------------------------------------------------

@pytest.mark.parametrize("method_id", ["r1", "instance-noise", "nk", "consensus"])
def test_eigenvalues_sum_to_trace_and_multiply_to_determinant(method_id):
    # [identity] lambda1 + lambda2 = tr J, lambda1 lambda2 = det J, parameters and f symbolic.
    a = _analyze(method_id, f="general")
    l1, l2 = a.eigenvalues
    assert _zero(sp.expand(l1 + l2) - a.jacobian.trace())
    assert _zero(sp.expand(l1 * l2) - a.jacobian.det())


@pytest.mark.parametrize("method_id, kw", [
    ("r1", dict(gamma="3/10")),
    ("r1", dict(gamma="7/20")),
    ("instance-noise", dict(sigma="4/5")),
    ("nk", dict(eta="7/10")),
    ("nk", dict(eta=3)),
    ("roth", dict(gamma=3)),
    ("consensus", dict(gamma="1/2")),
])
def test_numeric_eigenvalues_are_exact_roots(method_id, kw):
    # [identity] with rational parameters the closed-form eigenvalues must be the exact roots
    # of det(lambda I - J): sum = trace and product = determinant in exact arithmetic (an
    # eigenvalue that is only numerically close, e.g. a float-fitted radical, fails this).
    a = _analyze(method_id, **kw)
    l1, l2 = a.eigenvalues
    assert _zero(sp.expand(l1 + l2) - a.jacobian.trace()), a.eigenvalues
    assert _zero(sp.expand(l1 * l2) - a.jacobian.det()), a.eigenvalues


# -- fields with a jump at psi = 0 ----------------------------------------------------------------

def _one_sided(a, side):
    return a.to_dict()["nonsmooth"]["one_sided"][side]["equilibria"]


@pytest.mark.parametrize("gamma, kind", [(3, "stable node"), ("7/10", "stable focus")])
def test_wgan_gp_one_sided_equilibria(gamma, kind):
    # [by hand] WGAN-GP on the Dirac-GAN, psi > 0: v = (-psi, theta - gamma (psi - g0)),
    # zero on psi = 0 at theta = -gamma g0, Jacobian [[0, -1], [1, -gamma]]: trace -gamma,
    # det 1, discriminant gamma^2 - 4 (node for gamma = 3, focus for gamma = 0.7); psi < 0
    # mirrors it at theta = +gamma g0.
    a = _analyze("wgan-gp", gamma=gamma, g0=1)
    g = sp.Rational(Fraction(str(gamma)))
    assert a.jacobian is None
    assert a.locally_convergent is False
    assert a.nonsmooth is not None
    for side, theta_b in (("psi->0+", -g), ("psi->0-", g)):
        eqs = _one_sided(a, side)
        assert len(eqs) == 1, eqs
        assert sp.simplify(sp.sympify(eqs[0]["theta"]["sympy"]) - theta_b) == 0
        assert eqs[0]["type"] == kind
        J = sp.Matrix([[sp.sympify(x) for x in row] for row in eqs[0]["jacobian"]["sympy"]])
        assert _zero(J - sp.Matrix([[0, -1], [1, -g]]))


def test_dragan_one_sided_equilibrium():
    # [by hand] DRAGAN gamma = k = 1, logistic, psi > 0:
    # v_psi = theta f'(psi theta) - gamma (psi - k) vanishes on psi = 0 at
    # theta_b = -gamma k / f'(0) = -2, and d v_psi / d psi there is theta_b^2 f''(0) - gamma
    # = 4 (-1/4) - 1 = -2 (f'(0), f''(0) from mpmath).
    fp, fpp = _logistic_derivatives()
    a = _analyze("dragan", gamma=1, k=1)
    assert a.jacobian is None and a.locally_convergent is False
    with mpmath.workdps(30):
        theta_b = -1 * 1 / fp           # -gamma k / f'(0)
        d_psi_psi = theta_b ** 2 * fpp - 1  # theta_b^2 f''(0) - gamma
    eqs = _one_sided(a, "psi->0+")
    assert len(eqs) == 1, eqs
    assert _mp_close(sp.sympify(eqs[0]["theta"]["sympy"]), theta_b, 1e-25)
    J = sp.Matrix([[sp.sympify(x) for x in row] for row in eqs[0]["jacobian"]["sympy"]])
    assert _mp_close(J[1, 1], d_psi_psi, 1e-25)
    assert sp.simplify(J[1, 1] + 2) == 0
    assert _mp_close(J[1, 0], fp, 1e-25) and _mp_close(J[0, 1], -fp, 1e-25)
    assert _mp_close(J[0, 0], 0, 1e-25)
    mirror = _one_sided(a, "psi->0-")
    assert len(mirror) == 1 and _mp_close(sp.sympify(mirror[0]["theta"]["sympy"]), -theta_b, 1e-25)


# -- marginal cases ------------------------------------------------------------------------------

def test_nsgan_logistic_decays_slower_than_exponential():
    # [published] Mescheder et al. 2018 (Section 2.2): the non-saturating GAN with the
    # logistic f has eigenvalues +- i/2 and converges only sublinearly.
    a = _analyze("nsgan")
    assert a.locally_convergent is False
    assert a.marginal is True
    assert "slower than" in a.marginal_reason and "exponential" in a.marginal_reason


def test_nsgan_with_even_fprime_conserves_the_norm():
    # [conserved] f = t - t^3/3 has an even f', so the non-saturating field
    # (-psi f'(-psi theta), theta f'(psi theta)) conserves theta^2 + psi^2.
    m = stabgan.method("nsgan", f=CUBIC)
    assert _zero(THETA * m.vector_field[0] + PSI * m.vector_field[1])
    a = _analyze("nsgan", f=CUBIC)
    assert a.locally_convergent is False and a.marginal is True
    assert "conserved" in a.marginal_reason


def test_lsgan_default_labels_equilibria_form_the_line_psi_zero():
    # [by hand] LSGAN with a = 0: v = (-psi (psi theta - c), -psi theta^2), which
    # vanishes on the whole line psi = 0.
    a = _analyze("lsgan", a=0, b=1, c=1)
    eq = a.to_dict()["equilibrium"]
    assert eq["isolated"] is False
    text = eq["set"].replace(" ", "")
    assert "psi=0" in text or "(theta,0)" in text, eq["set"]
    m = stabgan.method("lsgan", a=0, b=1, c=1)
    theta = np.linspace(-5, 5, 11)
    for comp in m.field(theta, np.zeros_like(theta)):
        assert np.all(comp == 0)


def test_lsgan_with_labels_left_symbolic_does_not_claim_isolated_equilibria():
    # [by hand] with a, c left symbolic the equilibria are not isolated for the
    # catalogue default a = 0 (the line psi = 0) nor for a = c (the hyperbola psi theta = c),
    # so the analysis must not state that they are isolated.
    eq = _analyze("lsgan").to_dict()["equilibrium"]
    assert eq["isolated"] is not True, eq


# -- verdicts in exact arithmetic ---------------------------------------------------------------

def test_r1_tiny_gamma_is_decided_exactly():
    # [published] Lemma 3.3: any gamma > 0 converges, even 1e-30 (real part -5e-31, far below
    # float resolution next to the imaginary part 1/2); gamma = 0 is the marginal GAN.
    a = _analyze("r1", gamma=Fraction(1, 10 ** 30))
    assert a.locally_convergent is True
    b = _analyze("r1", gamma=0)
    assert b.locally_convergent is False
    assert b.marginal is True


# -- properties (Hypothesis) ---------------------------------------------------------------------

@settings(max_examples=40, deadline=None, database=None)
@given(gamma=st.fractions(min_value=0, max_value=5, max_denominator=1000))
def test_r1_verdict_and_spectral_abscissa_property(gamma):
    # [published + numeric] Lemma 3.3: locally convergent iff gamma > 0; the spectral
    # abscissa equals max Re of numpy.linalg.eigvals of the float Jacobian. Tolerance 1e-12,
    # except within 1e-4 of the double eigenvalue at gamma = 1, where LAPACK's eigenvalues
    # of the (nearly) defective matrix are only accurate to ~sqrt(eps) ~ 1e-8.
    a = stabgan.analyze(stabgan.method("r1", gamma=gamma))
    assert a.locally_convergent is (gamma > 0)
    l1, l2 = a.eigenvalues  # exact roots of lambda^2 + gamma lambda + 1/4
    assert _zero(sp.expand(l1 + l2) - a.jacobian.trace())
    assert _zero(sp.expand(l1 * l2) - a.jacobian.det())
    J = np.array([[0.0, -0.5], [0.5, -float(gamma)]])
    expected = float(np.max(np.linalg.eigvals(J).real))
    tol = 1e-7 if abs(gamma - 1) < Fraction(1, 10 ** 4) else 1e-12
    assert a.spectral_abscissa is not None
    assert abs(a.spectral_abscissa - expected) < tol, (a.spectral_abscissa, expected)


_ODD = {mid: stabgan.method(mid, **kw) for mid, kw in
        [("gan", {}), ("r1", dict(gamma="3/10")), ("wgan", {}), ("nsgan", {}),
         ("consensus", dict(gamma="1/2")), ("roth", dict(gamma=3))]}
_FLOATS = st.floats(min_value=-30, max_value=30, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None, database=None)
@given(theta=_FLOATS, psi=_FLOATS, method_id=st.sampled_from(sorted(_ODD)))
def test_fields_are_odd(theta, psi, method_id):
    # [identity] L depends on (theta, psi) through psi theta and the penalties are even in
    # psi, so v(-theta, -psi) = -v(theta, psi); evaluated in floats both sides use the same
    # products, so a few ulps suffice.
    field = _ODD[method_id].field
    plus = field(np.array(theta), np.array(psi))
    minus = field(np.array(-theta), np.array(-psi))
    for p, m in zip(plus, minus):
        np.testing.assert_allclose(m, -p, rtol=8 * np.finfo(float).eps, atol=1e-300)


@pytest.mark.parametrize("spec", [s for s in stabgan.methods() if s.d_penalty != 0],
                         ids=lambda s: s.id)
def test_declared_penalty_weight_is_what_the_penalty_is_proportional_to(spec):
    """The catalogue declares the penalty's weight; check the declaration against the
    expression: the penalty is linear in the weight (zero at 0, doubles when it doubles)
    and is a parameter of the method."""
    w = spec.penalty_weight
    assert w in [p.symbol for p in spec.parameters]
    assert sp.simplify(spec.d_penalty.subs(w, 0)) == 0
    assert sp.simplify(spec.d_penalty.subs(w, 2 * w) - 2 * spec.d_penalty) == 0


def test_a_spec_with_a_penalty_declares_its_weight():
    assert all(s.penalty_weight is not None for s in stabgan.methods() if s.d_penalty != 0)
