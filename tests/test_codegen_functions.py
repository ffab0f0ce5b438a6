"""The one function table of stabgan.codegen: each entry, through each of the three routes
(lambdify_numpy, inplace_kernel, update_kernel), equals SymPy's own evaluation
(expr.subs(...).evalf()) at seeded random points, ties and switching points included."""
import numpy as np
import pytest
import sympy as sp

from stabgan._errors import InputError
from stabgan._symbols import PSI, THETA, Sigmoid, Softplus
from stabgan.codegen.functions import FUNCTIONS
from stabgan.codegen.kernels import inplace_kernel, lambdify_numpy, update_kernel

G = sp.Symbol("gamma", positive=True)   # a parameter: a Python float in the kernels
x, y = THETA, PSI

EXPRESSIONS = [
    sp.Heaviside(x), sp.Heaviside(x - y, 0), sp.Heaviside(x * y - 1, 1), y * sp.Heaviside(1 - x * y),
    sp.Max(x, y), sp.Max(x, y, 0), sp.Max(x, G), sp.Min(x, 1 - y), sp.Min(x, y, -x * y),
    sp.Min(0, -1 + x * y) - sp.Max(0, 1 + x),
    sp.Abs(x - y), sp.sign(x * y), sp.sign(x) * sp.Abs(y) + G,
    sp.Piecewise((x, x > 0), (y, sp.And(x < -1, y > 0)), (x * y, sp.Or(y < -1, x >= y)),
                 (G, True)),
    sp.Piecewise((x ** 2, sp.Eq(x, 0) | (y <= 0)), (-y, sp.Ne(x, y) & ~(x < -0.5))),
    sp.exp(x) + sp.log(1 + y ** 2), sp.tanh(x * y), sp.sin(x) * sp.cos(y), sp.atan(x - y),
    sp.sqrt(1 + x ** 2), Sigmoid(x * y), Softplus(-x * y), sp.erf(x),
]


def _points(n=41):
    rng = np.random.default_rng(20240611)
    th = rng.uniform(-2, 2, n)
    ps = rng.uniform(-2, 2, n)
    # switching points and ties: H(0), Max ties, sign(0), Piecewise boundaries
    th[:6] = [0.0, 1.0, 2.0, -1.0, 0.5, 0.0]
    ps[:6] = [0.0, 1.0, 0.5, 0.5, 0.5, -0.7]
    return th, ps


def _sympy_values(e, th, ps, g):
    out = []
    for a, b in zip(th, ps):
        v = e.subs({x: sp.Float(a), y: sp.Float(b), G: sp.Float(g)}).evalf(30)
        out.append(float("nan") if v is sp.nan else float(v))
    return np.array(out)


def _routes(e, th, ps, g):
    lam = np.broadcast_to(lambdify_numpy([x, y, G], e)(th, ps, g), th.shape).astype(float)
    kernel, nbuf, _ = inplace_kernel([e], [x, y], [G])
    out = [np.empty_like(th)]
    with np.errstate(all="ignore"):
        kernel(out, th, ps, g, [np.empty_like(th) for _ in range(nbuf)])
    make, nbuf, _ = update_kernel([e], (x, y), [], [G])
    upd = np.empty_like(th)
    with np.errstate(all="ignore"):
        make(g, [np.empty_like(th) for _ in range(nbuf)], th.dtype)(th, ps, upd)
    return {"lambdify_numpy": lam, "inplace_kernel": out[0], "update_kernel": upd}


@pytest.mark.parametrize("e", EXPRESSIONS, ids=[str(e)[:40] for e in EXPRESSIONS])
def test_each_route_equals_sympy(e):
    th, ps = _points()
    g = 0.3
    expected = _sympy_values(e, th, ps, g)
    for route, got in _routes(e, th, ps, g).items():
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15, equal_nan=True,
                                   err_msg=f"{route}: {e}")


def test_heaviside_at_zero_is_the_expressions_H0():
    th = np.array([0.0, -0.0, 1.0, -1.0, np.nan])
    for h0, e in ((0.5, sp.Heaviside(x)), (0.0, sp.Heaviside(x, 0)), (1.0, sp.Heaviside(x, 1))):
        assert float(e.subs(x, 0)) == h0
        for route, got in _routes(e, th, np.zeros_like(th), 0.3).items():
            assert got[:4].tolist() == [h0, h0, 1.0, 0.0], route
            assert np.isnan(got[4]), route


def test_piecewise_without_a_true_branch_is_nan_where_no_condition_holds():
    e = sp.Piecewise((x, x > 0))
    th = np.array([1.5, -1.0])
    assert _sympy_values(e, th, th, 0.3)[1] != _sympy_values(e, th, th, 0.3)[1]   # nan
    for route, got in _routes(e, th, th, 0.3).items():
        assert got[0] == 1.5 and np.isnan(got[1]), route


def test_the_table_covers_the_functions_the_issue_names():
    names = {cls.__name__ for cls in FUNCTIONS}
    assert {"exp", "log", "tanh", "Sigmoid", "Softplus", "erf", "Heaviside", "Max", "Min",
            "Abs", "sign", "Piecewise", "And", "Or", "StrictGreaterThan"} <= names


def test_a_function_outside_the_table_is_a_clean_input_error():
    e = sp.DiracDelta(x) + y
    with pytest.raises(InputError, match="DiracDelta"):
        lambdify_numpy([x, y], e)
    with pytest.raises(InputError, match="DiracDelta"):
        inplace_kernel([e], [x, y], [])
    with pytest.raises(InputError, match="DiracDelta"):
        update_kernel([e], (x, y), [], [])


def test_abs_sign_folds_to_its_argument_exactly():
    """|a| sign(a) = a for every real a, in floats too (0, infinities, NaN)."""
    import numpy as np
    import sympy as sp

    from stabgan.codegen.kernels import fold_abs_sign
    a, b, g = sp.symbols("a b g", real=True)
    e = -g * sp.Abs(a) * sp.sign(a) + b * sp.Abs(b) + sp.sign(b) * sp.Abs(a)
    folded = fold_abs_sign(e)
    assert folded == -g * a + b * sp.Abs(b) + sp.sign(b) * sp.Abs(a)
    x = np.array([-np.inf, -3.5, -0.0, 0.0, 1e-300, 2.0, np.inf, np.nan])
    np.testing.assert_array_equal(np.abs(x) * np.sign(x), x)


def test_wgan_gp_step_matches_the_unfolded_update():
    """The simulator's WGAN-GP step (abs and sign folded) against the update written from
    the paper's field v_psi = theta - gamma (|psi| - g0) sign(psi), to rounding."""
    import numpy as np

    import stabgan
    rng = np.random.default_rng(7)
    th, ps = rng.normal(size=64) * 3, rng.normal(size=64) * 3
    ps[:4] = 0.0
    h, gamma, g0 = 0.05, 0.7, 1.0
    r = stabgan.simulate(stabgan.method("wgan-gp", gamma=gamma, g0=g0), "simgd", h=h,
                         steps=1, theta0=th, psi0=ps)
    np.testing.assert_allclose(r.theta, th - h * ps, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(r.psi, ps + h * (th - gamma * (np.abs(ps) - g0) * np.sign(ps)),
                               rtol=1e-14, atol=1e-15)
