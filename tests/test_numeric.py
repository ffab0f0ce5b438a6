"""The SymPy -> NumPy boundary: stable logistic terms, no warnings, and the measured accuracy
of the instance-noise quadrature (independent oracle: mpmath quadrature at 30 digits)."""
import mpmath as mp
import numpy as np
import pytest

import stabgan
from stabgan._errors import InputError
from stabgan.model.method import compiled_field


def _sig(u):
    return 1 / (1 + mp.e ** (-u))


def _instance_noise_reference(theta, psi, sigma):
    """E over eps_f, eps_r ~ N(0, sigma^2) of Mescheder et al.'s field with noisy samples:
    v_theta = -E[psi f'(psi (theta + eps_f))], v_psi = E[(theta + eps_f) f'(psi (theta + eps_f))]
    - E[eps_r f'(-psi eps_r)], with the logistic f'(t) = sigmoid(-t)."""
    theta, psi, sigma = mp.mpf(theta), mp.mpf(psi), mp.mpf(sigma)

    def density(e):
        return mp.e ** (-e ** 2 / (2 * sigma ** 2)) / (mp.sqrt(2 * mp.pi) * sigma)

    cut = [-mp.inf, -theta, 0, mp.inf]
    vt = -mp.quad(lambda e: psi * _sig(-psi * (theta + e)) * density(e), cut)
    vp = (mp.quad(lambda e: (theta + e) * _sig(-psi * (theta + e)) * density(e), cut)
          - mp.quad(lambda e: e * _sig(psi * e) * density(e), [-mp.inf, 0, mp.inf]))
    return float(vt), float(vp)


@pytest.mark.parametrize("sigma", [0.3, 1.0, 1.5])
def test_instance_noise_quadrature_accuracy(sigma):
    """Stated accuracy: 1e-12 absolute for |theta| <= 3 and |psi| sigma <= 4.5."""
    m = stabgan.method("instance-noise", sigma=sigma)
    rng = np.random.default_rng(7)
    points = [(3.0, 3.0), (-3.0, 3.0), (3.0, -3.0), (0.7, -0.3)] + \
        [tuple(p) for p in rng.uniform(-3, 3, size=(4, 2))]
    with mp.workdps(30):
        for theta, psi in points:
            got = m.field(theta, psi)
            ref = _instance_noise_reference(theta, psi, sigma)
            assert abs(got[0] - ref[0]) < 1e-12 and abs(got[1] - ref[1]) < 1e-12, (theta, psi)


def test_logistic_field_is_stable_for_huge_arguments():
    """Saturated discriminator: f'(theta psi) underflows to 0 without overflow warnings
    (pytest turns warnings into errors)."""
    m = stabgan.method("gan")
    vt, vp = m.field(np.array([1e3, -1e3, 50.0]), np.array([1e3, 1e3, -800.0]))
    assert np.all(np.isfinite(vt)) and np.all(np.isfinite(vp))
    # theta psi = 1e6: f'(1e6) = sigmoid(-1e6) = 0 exactly in float64
    assert vt[0] == 0 and vp[0] == 0
    # theta psi = -1e6: f'(-1e6) = 1: v = (-psi, theta)
    assert vt[1] == -1e3 and vp[1] == -1e3


def test_field_broadcasts():
    m = stabgan.method("r1", gamma=0.3)
    vt, vp = m.field(np.linspace(-1, 1, 5)[:, None], np.linspace(-2, 2, 3)[None, :])
    assert vt.shape == vp.shape == (5, 3)


def test_general_f_has_no_numeric_value():
    with pytest.raises(InputError, match="concrete f"):
        stabgan.method("r1", f="general").field(0.1, 0.2)


def test_omitted_parameter_takes_the_catalogue_default_in_numeric_work():
    """gamma left out: symbolic results keep gamma; the field uses the default gamma = 1."""
    assert np.allclose(stabgan.method("r1").field(0.0, 1.0),
                       stabgan.method("r1", gamma=1).field(0.0, 1.0), rtol=0, atol=0)


def test_noise_step_controls_the_error():
    """Coarser trapezoidal rule is measurably worse: the stated step is what buys 1e-12."""
    m = stabgan.method("instance-noise", sigma=1.5)
    with mp.workdps(30):
        ref = _instance_noise_reference(1.0, 3.0, 1.5)
    coarse = compiled_field(m, step=0.3)(1.0, 3.0)
    assert abs(coarse[1] - ref[1]) > 1e-9
