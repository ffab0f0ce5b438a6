"""The catalogue entries written with the extension API (hinge, lecam, r3gan), the pieces of
the API they needed (``max``/``min``/``abs`` in loss strings, ``f="none"``, ``penalty("lecam")``,
``share=``), and what the analysis says of each.

Kinds of evidence: *conserved quantities and averaged dynamics* (LeCam's |x|^2 decays as
2 / (lam t), derived by averaging -4 lam theta^2 psi^2 over the rotation, measured on the ODE);
*measured contraction* (R3GAN's spectral radius against simulated SimGD); *finite differences
of the numeric field* for Jacobians; *refusals* named in one line. The papers' losses
themselves are checked in tests/test_paper_losses.py.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import stabgan
from stabgan._printing import latex


def _fd_jacobian(m, h=1e-6):
    """The Jacobian of m.field at (0, 0) by central differences of the float field."""
    cols = []
    for d in ((h, 0.0), (0.0, h)):
        plus = np.array(m.field(d[0], d[1]), dtype=float)
        minus = np.array(m.field(-d[0], -d[1]), dtype=float)
        cols.append((plus - minus) / (2 * h))
    return np.array(cols).T


def test_catalogue_lists_the_api_entries_after_the_hand_written_ones():
    ids = [s.id for s in stabgan.methods()]
    assert ids[-3:] == ["hinge", "lecam", "r3gan"]
    assert len(ids) == len(set(ids))


# -- the API pieces -------------------------------------------------------------------------

def test_loss_strings_take_max_min_abs():
    spec = stabgan.custom_method("kinks", loss_d="-max(0, 1 - D(theta)) + min(0, psi) - abs(psi)",
                                 loss_g="D(theta)", f="none")
    m = stabgan.method(spec)
    # away from the kinks: psi theta = 0.3 < 1, psi = 0.5 > 0
    vt, vp = m.field(0.6, 0.5)
    assert vt == pytest.approx(-0.5)
    assert vp == pytest.approx(0.6 + 0.0 - 1.0)


@pytest.mark.parametrize("loss, culprit", [
    ("max(psi)", "max takes exactly 2 arguments"),
    ("abs(psi, theta)", "abs takes exactly one argument"),
    ("maximum(psi, 0)", "the function 'maximum' is not allowed"),
])
def test_loss_string_arity_is_checked(loss, culprit):
    with pytest.raises(stabgan.InputError, match=culprit):
        stabgan.custom_method("bad", loss_d=loss, f="none")


def test_f_none_refuses_a_loss_that_calls_f():
    with pytest.raises(stabgan.InputError, match="'loss_d' option .* calls f"):
        stabgan.custom_method("bad", loss_d="f(D(theta))", f="none")


def test_share_gives_two_penalties_one_parameter():
    m = stabgan.method("rsgan") + stabgan.penalty("r1") + stabgan.penalty("r2", share="gamma")
    assert list(m.params) == ["gamma"]
    unshared = stabgan.method("rsgan") + stabgan.penalty("r1") + stabgan.penalty("r2")
    assert list(unshared.params) == ["gamma", "gamma_r2"]
    assert set(stabgan.analyze(unshared).to_dict()["params"]) == {"gamma", "gamma_r2"}
    assert set(stabgan.analyze(m).to_dict()["params"]) == {"gamma"}
    # lazy regularization scales the one shared weight (both terms)
    assert m.spec.penalty_parameter == "gamma"


@pytest.mark.parametrize("call, culprit", [
    (lambda: stabgan.penalty("r2", share="g"), "names 'g', which is not one of its parameters"),
    (lambda: stabgan.penalty("r2", share="gamma", gamma=1), "shared with the method"),
    (lambda: stabgan.penalty("r2", share=3), "must be a parameter name"),
    (lambda: stabgan.method("gan") + stabgan.penalty("r2", share="gamma"),
     "method 'gan', which has no parameter of that name"),
])
def test_share_refusals(call, culprit):
    with pytest.raises(stabgan.InputError, match=culprit):
        call()


# -- hinge ------------------------------------------------------------------------------------

def test_hinge_is_a_centre_near_the_equilibrium():
    """Near (0, 0) the hinge's switch H(1 - theta psi) is 1, the field is the rotation
    (-psi, theta), and |x|^2 is conserved: the analysis says so (not 'higher-order terms
    decide'), and the Jacobian is the rotation's."""
    a = stabgan.analyze(stabgan.method("hinge"))
    assert a.jacobian == sp.Matrix([[0, -1], [1, 0]])
    assert "conserved by the flow near the equilibrium" in a.verdict()
    np.testing.assert_allclose(_fd_jacobian(stabgan.method("hinge")), [[0, -1], [1, 0]],
                               atol=1e-9)


def test_heaviside_is_printed_as_h_not_theta():
    """SymPy prints Heaviside(x) as theta(x), which reads as the generator's parameter."""
    tex = latex(stabgan.method("hinge").vector_field[1])
    assert r"H\left(" in tex and r"\theta\left(" not in tex


# -- lecam ------------------------------------------------------------------------------------

def test_lecam_leaves_the_jacobian_of_the_gan_unchanged():
    """With the published anchors (alpha_r = 0 on the Dirac-GAN) the penalty is
    lam (psi theta)^2 + const: quartic, so v'(0, 0) is the unregularized GAN's, for every lam."""
    gan = stabgan.analyze(stabgan.method("gan")).jacobian
    for lam in ("0.3", 1, 5):
        m = stabgan.method("lecam", lam=lam, alpha_r=0)
        assert stabgan.analyze(m).jacobian == gan
        np.testing.assert_allclose(_fd_jacobian(m), np.array(gan, dtype=float), atol=1e-9)


def test_lecam_anchor_off_zero_moves_one_jacobian_entry():
    """An anchor that has not settled (alpha_r != 0) adds -2 lam alpha_r to dv_psi/dtheta:
    measured by finite differences of the numeric field."""
    m = stabgan.method("lecam", lam="0.3", alpha_r="0.2")
    J = _fd_jacobian(m)
    np.testing.assert_allclose(J, [[0, -0.5], [0.5 - 2 * 0.3 * 0.2, 0]], atol=1e-9)
    assert stabgan.analyze(m).jacobian == sp.Matrix([[0, -sp.Rational(1, 2)],
                                                     [sp.Rational(19, 50), 0]])


def test_lecam_flow_decays_like_two_over_lam_t():
    """Averaged dynamics: d|x|^2/dt = -4 lam theta^2 psi^2, and over the rotation near (0, 0)
    theta^2 psi^2 averages to |x|^4 / 8, so 1/|x|^2 grows like lam t / 2: convergence, but
    slower than any exponential. Measured on the ODE: |x|^2 never increases, and |x(T)|^2
    matches 1 / (1/|x0|^2 + lam T / 2) within 3%."""
    for lam in (1.0, 0.5):
        m = stabgan.method("lecam", lam=lam)
        T = 4000.0
        o = stabgan.integrate(m, t_span=(0.0, T), theta0=0.5, psi0=0.5,
                              t_eval=np.linspace(0.0, T, 2001))
        r2 = o.theta ** 2 + o.psi ** 2
        assert np.all(np.diff(r2) <= 1e-15)
        predicted = 1 / (1 / 0.5 + lam * T / 2)
        assert r2[-1] == pytest.approx(predicted, rel=0.03)
    assert "slower than any exponential" in stabgan.analyze(stabgan.method("lecam", lam=1,
                                                                            alpha_r=0,
                                                                            alpha_f=0)).verdict()


# -- r3gan ------------------------------------------------------------------------------------

def test_r3gan_cannot_be_told_from_r1_at_twice_gamma_on_the_dirac_gan():
    """grad_x D = psi at every x, so R1 + R2 at gamma is R1 at 2 gamma; and the relativistic
    pairing loss has the non-saturating GAN's field. Both identities as fields, everywhere."""
    g = sp.Rational(3, 10)
    r3 = stabgan.method("r3gan", gamma=g).vector_field
    r1 = stabgan.method("r1", gamma=2 * g, generator="non-saturating").vector_field
    assert all(sp.simplify(a - b) == 0 for a, b in zip(r3, r1))


def test_r3gan_rate_matches_simulated_contraction():
    """Measured contraction: SimGD at h = 0.1 near the equilibrium contracts per step by the
    spectral radius analyze gives. The eigenvalues are a complex pair (a focus, period about
    157 steps), so |x_k| wobbles within each turn; the fit runs over about ten turns."""
    m = stabgan.method("r3gan", gamma="0.3")
    rho = stabgan.analyze(m, scheme="simgd", h="0.1").spectral_radius
    r = stabgan.simulate(m, scheme="simgd", h=0.1, steps=1600, theta0=1e-3, psi0=1e-3,
                         record_every=1)
    d = np.hypot(np.ravel(r.history_theta), np.ravel(r.history_psi))
    k = np.arange(100, 1601)
    slope = np.polyfit(k, np.log(d[100:1601]), 1)[0]
    assert np.exp(slope) == pytest.approx(float(rho), abs=1e-4)


# -- the command line -------------------------------------------------------------------------

def test_report_adds_penalties_to_the_methods_of_only(tmp_path, capsys):
    """report --only gan --penalty lecam:lam=0.5 writes the composed method's page under its
    composed id; its Jacobian is the GAN's (LeCam is quartic at the equilibrium)."""
    from stabgan._cli import main
    assert main(["report", "--only", "gan", "--penalty", "lecam:lam=0.5,alpha_r=0",
                 "--out", str(tmp_path)]) == 0
    page = (tmp_path / "derivations" / "gan+lecam.md").read_text()
    assert r"\left[\begin{matrix}0 & - \frac{1}{2}\\\frac{1}{2} & 0\end{matrix}\right]" in page
    assert (tmp_path / "figures" / "phase_gan+lecam.png").stat().st_size > 0


def test_report_refuses_penalties_without_methods(tmp_path, capsys):
    from stabgan._cli import main
    out = tmp_path / "never"
    assert main(["report", "--penalty", "r1", "--out", str(out)]) == 2
    assert "act on the methods of --only or --method-file" in capsys.readouterr().err
    assert not out.exists()


def test_cli_share_composes_r3gan(capsys):
    """--penalty r2:share=gamma on the command line is penalty('r2', share='gamma'): rsgan +
    r1 + r2 with one gamma has the catalogue r3gan's field."""
    import json
    from stabgan._cli import main
    assert main(["analyze", "rsgan", "--penalty", "r1", "--penalty", "r2:share=gamma",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["params"]) == ["gamma"]
    want = stabgan.analyze(stabgan.method("r3gan")).to_dict()
    assert doc["jacobian"] == want["jacobian"]


def test_report_only_with_a_method_file_draws_just_that_method(tmp_path):
    """report --only (no ids) --method-file F writes only the file's method: its page, its
    phase portrait and its distance plot (how a user draws a method of their own)."""
    from stabgan._cli import main
    f = tmp_path / "m.toml"
    f.write_text('id = "r1-tilted"\nloss_d = "f(D(theta)) + f(-D(0))"\n'
                 'd_penalty = "gamma/2 * psi**2 + beta * psi**4"\n'
                 '[parameters]\ngamma = 0.3\nbeta = 5\n')
    out = tmp_path / "mine"
    assert main(["report", "--only", "--method-file", str(f), "--out", str(out)]) == 0
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "distance_r1-tilted.png", "phase_r1-tilted.png"]
    assert [p.name for p in (out / "derivations").iterdir()] == ["r1-tilted.md"]
    assert main(["report", "--only", "--out", str(tmp_path / "none")]) == 2
    assert not (tmp_path / "none").exists()
