"""Behaviour a reviewer found wrong and that is now fixed, each checked against an independent
fact (a hand-derived formula, the definition in DESIGN.md, or the simulator)."""
import json

import numpy as np
import sympy as sp

import stabgan
from stabgan._cli import main


def test_symbolic_h_max_is_not_reported_as_no_step_size(capsys):
    """DESIGN.md: h_max null means no h works. With gamma symbolic, SimGD with R1 converges for
    h < 4 gamma (hand: Jury on I + hJ), so h_max must not be null-as-none."""
    a = stabgan.analyze(stabgan.method("r1"), scheme="simgd")
    d = a.to_dict()
    assert d["h_max"] == {"sympy": None, "latex": None, "value": None, "status": "symbolic"}
    assert d["h_max_status"] == "symbolic"
    gamma = sp.Symbol("gamma", nonnegative=True)
    h = sp.Symbol("h", positive=True)
    # the conditions hold just below h = 4 gamma and fail just above, for gamma = 0.3
    conds = [sp.sympify(c["sympy"], locals={"gamma": gamma, "h": h})
             for c in d["stability_conditions"]]
    at = {gamma: sp.Rational(3, 10)}
    assert all(bool(c.subs({**at, h: sp.Rational(119, 100)})) for c in conds)
    assert not all(bool(c.subs({**at, h: sp.Rational(121, 100)})) for c in conds)
    assert main(["analyze", "r1", "--scheme", "simgd"]) == 0
    assert "no step size converges" not in capsys.readouterr().out


def test_jump_with_symbolic_target_is_conditional():
    """WGAN-GP's penalty gamma/2 (|psi| - g0)^2 has no jump when g0 = 0 (it is R1-like then,
    convergent for gamma > 0): with g0 symbolic the verdict is a condition, not false."""
    a = stabgan.analyze(stabgan.method("wgan-gp"))
    g0, gamma = sp.Symbol("g0", nonnegative=True), sp.Symbol("gamma", nonnegative=True)
    assert a.jacobian is None and a.locally_convergent is None
    assert sp.simplify(sp.Equivalent(a.condition, sp.And(sp.Eq(g0, 0), gamma > 0))) is sp.true
    # with the target given, the jump is certain and the verdict false (the contract)
    assert stabgan.analyze(stabgan.method("wgan-gp", gamma=1, g0=1)).locally_convergent is False


def test_lsgan_line_of_equilibria_is_said(capsys):
    """LSGAN with a = 0: v_psi = -psi theta^2 and v_theta = -psi (psi theta - c) vanish on the
    whole line psi = 0 (by hand)."""
    assert main(["analyze", "lsgan", "-p", "a=0", "-p", "c=1"]) == 0
    out = capsys.readouterr().out
    assert "not isolated" in out and "psi) = (theta, 0)" in out
    m = stabgan.method("lsgan", a=0, c=1)
    vt, vp = m.field(np.linspace(-3, 3, 7), np.zeros(7))
    assert np.all(vt == 0) and np.all(vp == 0)


def test_lsgan_symbolic_labels_marginal_is_unknown():
    """Eigenvalues +-sqrt(a c): imaginary for a c < 0, real of both signs for a c > 0, so
    'marginal' depends on the labels and must be null, and the verdict must not claim a
    positive real part."""
    a = stabgan.analyze(stabgan.method("lsgan"))
    assert a.locally_convergent is False and a.marginal is None
    assert "positive real part" not in a.verdict()
    assert stabgan.analyze(stabgan.method("lsgan", a=0.5, c=-1)).marginal is True


def test_optimal_step_is_exact_at_the_minimum_of_det():
    """R1, gamma = 1/2, SimGD: complex pair, |z|^2 = det(I + hJ) = 1 - h/2 + h^2/4 (by hand),
    least at h = 1 with radius sqrt(3)/2."""
    d = stabgan.analyze(stabgan.method("r1", gamma=0.5), scheme="simgd").discrete
    assert d["h_opt"] == 1.0
    assert abs(d["rate_opt"] - np.sqrt(3) / 2) < 1e-15


def test_progress_is_reported_for_long_runs(monkeypatch):
    """simulate(progress=...) receives (done, total) trajectory-steps."""
    import stabgan.oracles.simulate as sim
    ticks = iter(range(0, 10 ** 6, 2))  # a clock that advances 2 s per reading
    monkeypatch.setattr(sim.Meter, "__init__", _meter_init(lambda: next(ticks)))
    seen = []
    stabgan.simulate(stabgan.method("r1", gamma=1), scheme="simgd", h=0.1, steps=64,
                     theta0=[1.0, 2.0], psi0=1.0, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1] == (128, 128) and all(t == 128 for _, t in seen)


def _meter_init(clock):
    import threading

    def init(self, callback, total):
        self.callback, self.total, self.done = callback, total, 0
        self.clock, self.last = clock, clock()
        self.lock = threading.Lock()
    return init


def test_cli_json_of_symbolic_discrete_analysis_is_one_document(capsys):
    assert main(["analyze", "r1", "--f", "general", "--scheme", "altgd", "--n-d", "3",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["h_max"]["status"] == "symbolic" and doc["stability_conditions"]


def test_no_jacobian_h_max_says_why(capsys):
    """WGAN-GP's field jumps at psi = 0 (sign(psi)): the update has no Jacobian at the
    equilibrium, and the text says that rather than "no step size converges"."""
    from stabgan._cli import main
    a = stabgan.analyze(stabgan.method("wgan-gp"), scheme="simgd", h=0.1)
    assert a.discrete["h_max_status"] == "no Jacobian" and a.discrete["h_max"] is None
    assert main(["analyze", "wgan-gp", "--defaults", "--scheme", "simgd", "--h", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "no step size converges" not in out
    assert "h_max (h_g = h_d = h): none: the field jumps at psi = 0" in out
