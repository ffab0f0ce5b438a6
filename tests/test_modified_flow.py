"""Backward error analysis (Rosca et al. 2021): the discrete iterates follow the modified flow
to O(h^2) over a fixed time, and the original flow only to O(h). Oracles: the simulator and
SciPy's DOP853 on the lambdified fields (tolerance 1e-12, far below the errors measured)."""
import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

import stabgan
from stabgan._symbols import PSI, THETA
from stabgan.codegen.kernels import lambdify_numpy
from stabgan._symbols import H_SYMBOL


def _flow(field, h, x0, T):
    f = lambdify_numpy([THETA, PSI], sp.Matrix([e.subs(H_SYMBOL, h) for e in field]))
    sol = solve_ivp(lambda t, y: np.ravel(f(*y)), (0, T), x0, method="DOP853", rtol=1e-12, atol=1e-14)
    return sol.y[:, -1]


@pytest.mark.parametrize("method_id, params, scheme", [
    ("r1", {"gamma": 0.3}, "simgd"), ("r1", {"gamma": 0.3}, "altgd"),
    ("gan", {}, "altgd"), ("nk", {"eta": 0.5}, "simgd")])
def test_iterates_follow_the_modified_flow_to_second_order(method_id, params, scheme):
    m = stabgan.method(method_id, **params)
    a = stabgan.analyze(m, scheme=scheme)                  # h symbolic
    original = tuple(sp.sympify(e) for e in stabgan.analyze(m).vector_field)
    modified = a.modified_field
    x0, T = np.array([0.8, 0.5]), 2.0
    errors = {"original": [], "modified": []}
    for h in (0.04, 0.02, 0.01):
        r = stabgan.simulate(m, scheme=scheme, h=h, steps=round(T / h), theta0=x0[0], psi0=x0[1])
        end = np.array([float(r.theta), float(r.psi)])
        errors["original"].append(np.linalg.norm(end - _flow(original, h, x0, T)))
        errors["modified"].append(np.linalg.norm(end - _flow(modified, h, x0, T)))
    orig, mod = np.array(errors["original"]), np.array(errors["modified"])
    # halving h halves the error against the original flow and quarters it against the
    # modified one (first- and second-order agreement)
    assert np.allclose(orig[:-1] / orig[1:], 2.0, rtol=0.1), orig
    assert np.allclose(mod[:-1] / mod[1:], 4.0, rtol=0.15), mod
    assert np.all(mod < orig / 5)


def test_modified_field_of_simgd_is_v_minus_half_h_jv():
    """SimGD: the classical modified equation of the explicit Euler method, v - h/2 v'v."""
    m = stabgan.method("r1", f="general")
    v = sp.Matrix(list(m.vector_field))
    J = v.jacobian([THETA, PSI])
    expected = v - H_SYMBOL / 2 * J * v
    got = stabgan.analyze(m, scheme="simgd").modified_field
    assert all(sp.simplify(g - e) == 0 for g, e in zip(got, expected))


def test_modified_field_absent_where_it_is_not_defined():
    assert stabgan.analyze(stabgan.method("r1")).modified_field is None
    assert stabgan.analyze(stabgan.method("wgan-gp"), scheme="simgd").modified_field is None
    assert stabgan.analyze(stabgan.method("r1"), scheme="simgd", h_g=0.1,
                           h_d=0.2).modified_field is None
