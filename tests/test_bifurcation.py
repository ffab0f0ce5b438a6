"""Bifurcation diagrams (stabgan.bifurcation): the kind changes found numerically against
points known independently (typed in from the paper's formulas) and against the points the
package derives (h_max, the focus-to-node change of the one-sided equilibria)."""
import json
import math

import numpy as np
import pytest

import stabgan
from stabgan import InputError


def test_simgd_over_h_changes_kind_at_h_max():
    """Independent (Mescheder et al. 2017's step-size lemma, typed in): R1 with gamma = 0.3
    has lambda = -0.15 +- i sqrt(0.91)/2, so SimGD is locally convergent exactly for
    h < -2 Re(lambda) / |lambda|^2 = 0.3 / 0.25 = 1.2; analyze's h_max must say 6/5. The
    equilibrium leaves the signature at a bisected point within [1.2 - 5%, 1.2 + bracket]
    (tolerance stated: a finite run decides below h_max, where rho^steps is still near 1);
    past 1.2 the start near (0, 0) settles on a closed invariant set (the logistic field
    saturates)."""
    m = stabgan.method("r1", gamma=0.3)
    d = stabgan.bifurcation(m, "h", np.linspace(1.0, 1.4, 5), scheme="simgd", steps=3000,
                            tail=512, theta=[0.1], psi=[0.1], xtol=2e-3)
    assert d.signatures[0] == ("equilibrium",) and d.signatures[-1] == ("limit_cycle",)
    [p] = d.predicted
    assert p["sympy"] == "6/5" and p["value"] == pytest.approx(0.3 / 0.25, abs=1e-12)
    lost = [q for q in d.points if "equilibrium" in q["left"] and "equilibrium" not in q["right"]]
    assert len(lost) == 1
    assert 1.2 * 0.95 <= lost[0]["value"] <= 1.2 + lost[0]["tol"]
    assert p["agrees"] and p["found"] == lost[0]["value"]
    # per value, the closed form's verdict (consistency)
    assert [e["locally_convergent"] for e in d.equilibrium] == [True, True, False, False, False]


def test_wgan_gp_over_gamma_points_appear_at_2():
    """Independent (typed in): WGAN-GP's one-sided Jacobian is [[0, -1], [1, -gamma]]
    (f(t) = t), discriminant gamma^2 - 4: foci below gamma = 2, nodes above. The flow from
    (1, 1) reaches a limit cycle below and the point (-gamma g0, 0+) above; the bisected
    change must lie within the stated allowance of 2 (the bracket plus the focus lag: where
    one half-turn contracts by the oracle's 1e-8 the spiral is caught before it crosses,
    here 2 - 0.029)."""
    m = stabgan.method("wgan-gp", g0=1)
    d = stabgan.bifurcation(m, "gamma", [1.8, 2.2], theta=[1.0], psi=[1.0], xtol=2e-3)
    assert d.signatures == [("limit_cycle",), ("point",)]
    [p] = d.predicted
    assert p["value"] == pytest.approx(2.0, abs=1e-12) and p["sympy"] == "2"
    [found] = d.points
    assert found["tol"] <= 1e-3
    assert 2.0 - 0.03 <= found["value"] <= 2.0 + found["tol"]
    assert p["agrees"] and abs(p["difference"]) <= p["allowance"] < 0.03
    assert d.attractors[1][0].theta == pytest.approx(-2.2, abs=1e-6)   # -gamma g0


def test_dragan_over_gamma_simgd():
    """Independent (typed in): DRAGAN with the logistic f and k = 1 has the one-sided
    Jacobian [[0, -1/2], [1/2, -gamma (gamma + 1)]], discriminant (gamma^2 + gamma)^2 - 1:
    nodes from gamma = (sqrt(5) - 1)/2 = 0.618 on. Under SimGD h = 0.05 the non-Nash points
    appear within the stated allowance of it (bracket, focus lag at tol, and h); the
    limit cycle is gone before gamma = 1 (the point -2 only: Mescheder et al. 2018) and
    still there at 0.7 (bistable)."""
    m = stabgan.method("dragan", k=1)
    g = np.linspace(-2, 2, 6)
    d = stabgan.bifurcation(m, "gamma", np.linspace(0.5, 1.0, 6), scheme="simgd", h=0.05,
                            steps=3000, theta=g, psi=g, xtol=1e-2)
    [p] = d.predicted
    assert p["value"] == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-12)
    appear = [q for q in d.points if "point" not in q["left"] and "point" in q["right"]]
    assert len(appear) == 1 and abs(appear[0]["value"] - p["value"]) <= p["allowance"]
    assert p["agrees"]
    sig = dict(zip(np.round(d.values, 3), d.signatures))
    assert "limit_cycle" in sig[0.7] and "point" in sig[0.7]
    assert sig[1.0] == ("point", "point")
    points = sorted(a.theta for a in d.attractors[-1])
    assert np.allclose(points, [-2.0, 2.0], atol=3e-3)      # -+ gamma k / f'(0)


def test_to_dict_and_plot():
    """Consistency: strict JSON; plot returns a Figure."""
    import matplotlib.figure
    import matplotlib.pyplot as plt
    d = stabgan.bifurcation(stabgan.method("r1", gamma=0.3), "h", [0.5, 1.0], scheme="simgd",
                            steps=500, tail=64, theta=[0.1], psi=[0.1])
    doc = json.loads(json.dumps(d.to_dict(), allow_nan=False))
    assert doc["parameter"] == "h" and len(doc["branches"]) == 2
    fig = d.plot()
    assert isinstance(fig, matplotlib.figure.Figure)
    plt.close(fig)


@pytest.mark.parametrize("args, kwargs, match", [
    (("zeta", [0.1, 0.2]), {}, "'parameter'"),
    (("h", [0.1, 0.2]), {}, "'parameter'"),              # h with the flow
    (("gamma", [0.2, 0.1]), {}, "'values'"),
    (("gamma", [0.2, 0.3]), {"scheme": "ogda"}, "'scheme'"),
])
def test_bad_input(args, kwargs, match):
    with pytest.raises(InputError, match=match) as info:
        stabgan.bifurcation(stabgan.method("r1"), *args, **kwargs)
    assert "\n" not in str(info.value)
