"""Check kinds for the lemma suite: each is data (what to compare with what) and a call
that runs the package's public machinery and says whether the statement holds.

A check returns ``(passed, detail)``: ``detail`` is one line that says what was compared.
Symbolic checks compare what SymPy derives with the published formula stored in the check
(``simplify(a - b) == 0``); numeric checks run one of the two oracles (the simulator, the
ODE integrator) or finite differences of the numerically evaluated field.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np
import sympy as sp

from ..analysis.analyze import analyze
from .._symbols import derivative_symbol
from ..model.method import method
from .._symbols import PSI, THETA
from .._symbols import H_SYMBOL, HD_SYMBOL, HG_SYMBOL

__all__ = ["Ref", "Check", "expr", "EigenvaluesAre", "JacobianIs", "CriticalIs", "VerdictIs",
           "FieldsEqual", "Conserved", "StepBoundIs", "Custom", "NumericJacobianEigenvalues",
           "OdeConserves", "NormGrowsEveryStep", "TrajectoriesAtBound", "AttractorIs",
           "ContractionRate"]

_NAMES = {
    "theta": THETA, "psi": PSI, "fp0": derivative_symbol(1), "fpp0": derivative_symbol(2),
    "fppp0": derivative_symbol(3), "h": H_SYMBOL, "h_g": HG_SYMBOL, "h_d": HD_SYMBOL,
    "gamma": sp.Symbol("gamma", nonnegative=True), "sigma": sp.Symbol("sigma", positive=True),
    "eta": sp.Symbol("eta", nonnegative=True), "k": sp.Symbol("k", nonnegative=True),
    "g0": sp.Symbol("g0", nonnegative=True), "I": sp.I,
}


def expr(text: str | sp.Expr) -> sp.Expr:
    """A published formula as SymPy, in the package's symbols (fp0 is f'(0), real, nonzero)."""
    if isinstance(text, sp.Basic):
        return text
    return sp.sympify(text, locals=dict(_NAMES))


@dataclass(frozen=True)
class Ref:
    """A method with its options: ``Ref("r1", gamma=None, f="general")`` (None: symbolic)."""

    id: str
    params: tuple = ()
    f: str | None = None
    generator: str = "minimax"
    terms: tuple = ()

    @staticmethod
    def of(method_id: str, f: str | None = None, generator: str = "minimax", **params) -> "Ref":
        """Build a reference; parameters given as None are left symbolic."""
        return Ref(method_id, tuple(sorted((k, v) for k, v in params.items() if v is not None)),
                   f, generator)

    def plus(self, kind: str, term_id: str, **params) -> "Ref":
        """This reference with a penalty (``kind="penalty"``) or an adjustment
        (``kind="adjustment"``) added, as ``method + stabgan.penalty(term_id, **params)``;
        parameters given as None are left symbolic."""
        term = (kind, term_id, tuple(sorted((k, v) for k, v in params.items() if v is not None)))
        return replace(self, terms=self.terms + (term,))

    def build(self):
        """The :class:`Method`."""
        from ..model.adjustments import adjustment
        from ..model.penalties import penalty
        m = method(self.id, f=self.f, generator=self.generator, **dict(self.params))
        for kind, term_id, params in self.terms:
            m = m + (penalty if kind == "penalty" else adjustment)(term_id, **dict(params))
        return m

    def __str__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.params]
        if self.f:
            parts.append(f"f={self.f}")
        if self.generator != "minimax":
            parts.append(self.generator)
        added = "".join(f" + {tid}" + (f"({', '.join(f'{k}={v}' for k, v in params)})"
                                        if params else "")
                        for _, tid, params in self.terms)
        return self.id + (f"({', '.join(parts)})" if parts else "") + added


class Check:
    """A check: ``check()`` returns (passed, one-line detail)."""

    def __call__(self) -> tuple[bool, str]:  # pragma: no cover - interface
        raise NotImplementedError


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    diff = sp.simplify(sp.expand(a - b))
    if diff == 0:
        return True
    # radicals: compare squares of both sides' difference in rationalized form
    return sp.simplify(sp.radsimp(sp.nsimplify(diff))) == 0 if diff.is_number else False


def _same_multiset(derived: list, expected: list) -> bool:
    """Equal as multisets: the monic polynomials with these roots agree coefficientwise
    (so {+-i f'(0)} equals {+-i |f'(0)|} whatever the sign of f'(0))."""
    if len(derived) != len(expected):
        return False
    x = sp.Symbol("x")
    pa = sp.Poly(sp.expand(sp.Mul(*[x - d for d in derived])), x).all_coeffs()
    pb = sp.Poly(sp.expand(sp.Mul(*[x - e for e in expected])), x).all_coeffs()
    return all(_same(a, b) for a, b in zip(pa, pb))


def _in_symbols_of(e: sp.Expr, m) -> sp.Expr:
    """``e`` with each free symbol named like a parameter of ``m`` replaced by that parameter's
    symbol (which carries its assumptions: ``lam`` is nonnegative), so a published formula
    in a name the table above does not know (an adjustment's ``lam``) compares equal."""
    own = m.symbols
    return e.xreplace({s: own[s.name] for s in e.free_symbols if s.name in own})


def _analysis(ref: Ref, scheme: str = "continuous", options: tuple = ()):
    return analyze(ref.build(), scheme=scheme, **dict(options))


@dataclass(frozen=True)
class EigenvaluesAre(Check):
    """The eigenvalues of v'(0, 0) (or of the update operator) equal the published ones."""

    ref: Ref
    expected: tuple
    scheme: str = "continuous"
    options: tuple = ()

    def __call__(self):
        a = _analysis(self.ref, self.scheme, self.options)
        want = [_in_symbols_of(expr(e), a.method) for e in self.expected]
        ok = _same_multiset(a.eigenvalues, want)
        return ok, (f"eigenvalues of {self.ref} ({self.scheme}): derived "
                    f"{[sp.sstr(e) for e in a.eigenvalues]} vs published {[sp.sstr(e) for e in want]}")


@dataclass(frozen=True)
class JacobianIs(Check):
    """v'(0, 0) equals the published matrix."""

    ref: Ref
    expected: tuple

    def __call__(self):
        a = _analysis(self.ref)
        want = sp.Matrix([[expr(e) for e in row] for row in self.expected])
        ok = a.jacobian is not None and all(_same(x, y) for x, y in zip(a.jacobian, want))
        return ok, f"Jacobian of {self.ref}: derived {sp.sstr(a.jacobian)} vs published {sp.sstr(want)}"


@dataclass(frozen=True)
class CriticalIs(Check):
    """The critical value of a parameter (eigenvalues turn from complex to real)."""

    ref: Ref
    parameter: str
    expected: str

    def __call__(self):
        a = _analysis(self.ref)
        got = a.critical.get(self.parameter)
        want = expr(self.expected)
        ok = got is not None and _same(got, want)
        return ok, f"critical {self.parameter} of {self.ref}: derived {got} vs published {want}"


@dataclass(frozen=True)
class VerdictIs(Check):
    """The verdict: True, False, "marginal", or a condition on the free symbols."""

    ref: Ref
    expected: Any
    scheme: str = "continuous"
    options: tuple = ()

    def __call__(self):
        a = _analysis(self.ref, self.scheme, self.options)
        if self.expected == "marginal":
            ok = a.locally_convergent is False and a.marginal is True
        elif isinstance(self.expected, bool):
            ok = a.locally_convergent is self.expected
        else:
            want = expr(self.expected)
            ok = a.locally_convergent is None and sp.simplify(
                sp.Equivalent(a.condition, want)) is sp.true
        return ok, (f"verdict of {self.ref} ({self.scheme}): locally_convergent="
                    f"{a.locally_convergent}, marginal={a.marginal}, condition={a.condition}; "
                    f"published {self.expected}")


@dataclass(frozen=True)
class FieldsEqual(Check):
    """Two methods' fields are equal (up to a constant factor) everywhere."""

    a: Ref
    b: Ref
    factor: str = "1"

    def __call__(self):
        va, vb = self.a.build().vector_field, self.b.build().vector_field
        k = expr(self.factor)
        ok = all(_same(x, k * y) for x, y in zip(va, vb))
        return ok, f"v[{self.a}] - {k} v[{self.b}] simplifies to zero: {ok}"


@dataclass(frozen=True)
class Conserved(Check):
    """grad Q . v = 0 for a quantity Q(theta, psi): Q is conserved by the flow."""

    ref: Ref
    quantity: str

    def __call__(self):
        v = self.ref.build().vector_field
        q = expr(self.quantity)
        rate = sp.simplify(sp.diff(q, THETA) * v[0] + sp.diff(q, PSI) * v[1])
        return rate == 0, f"dQ/dt = grad Q . v for Q = {q} under {self.ref}: {rate}"


@dataclass(frozen=True)
class StepBoundIs(Check):
    """A step-size bound of a discrete scheme: ``h_max`` or ``h_marginal`` (None: no h works)."""

    ref: Ref
    scheme: str
    bound: str
    expected: str | None
    options: tuple = ()

    def __call__(self):
        a = _analysis(self.ref, self.scheme, self.options)
        got = a.discrete[self.bound]
        if self.expected is None:
            return got is None, f"{self.bound} of {self.ref} ({self.scheme} {dict(self.options)}): {got}, published none"
        want = expr(self.expected)
        ok = got is not None and got is not sp.oo and abs(float(got) - float(want)) < 1e-12 and \
            (_same(got, want) if not isinstance(got, sp.CRootOf) else True)
        return ok, (f"{self.bound} of {self.ref} ({self.scheme} {dict(self.options)}): derived {got}"
                    f" = {float(got) if got is not None else None} vs published {want}")


@dataclass(frozen=True)
class Custom(Check):
    """A check given as a function (for statements no other kind expresses)."""

    run: Callable[[], tuple[bool, str]]

    def __call__(self):
        return self.run()


# -- numeric checks ----------------------------------------------------------------------------

def _fd_jacobian(m, x=(0.0, 0.0), step=1e-5) -> np.ndarray:
    """Central finite differences (4th order) of the numerically evaluated field."""
    J = np.empty((2, 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = step
        vals = []
        for k in (2, 1, -1, -2):
            p = np.array(x) + k * e
            vals.append(np.array(m.field(p[0], p[1]), dtype=float))
        J[:, j] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * step)
    return J


@dataclass(frozen=True)
class NumericJacobianEigenvalues(Check):
    """Eigenvalues of a finite-difference Jacobian of the numeric field at (0, 0) equal the
    published formula evaluated at the same (numeric) parameters and f."""

    ref: Ref
    expected: tuple
    substitutions: tuple = ()
    tol: float = 1e-7

    def __call__(self):
        m = self.ref.build()
        got = np.sort_complex(np.linalg.eigvals(_fd_jacobian(m)))
        subs = {expr(k): expr(v) for k, v in self.substitutions}
        want = np.sort_complex(np.array([complex(sp.N(expr(e).subs(subs), 20))
                                         for e in self.expected]))
        err = float(np.max(np.abs(got - want)))
        return err < self.tol, (f"finite-difference Jacobian of the numeric field of {self.ref}: "
                                f"eigenvalues {np.round(got, 10).tolist()} vs published "
                                f"{np.round(want, 10).tolist()} (max error {err:.1e}, tol {self.tol:g})")


@dataclass(frozen=True)
class OdeConserves(Check):
    """The ODE oracle keeps theta^2 + psi^2 within tol over [0, T] from several starts."""

    ref: Ref
    T: float = 100.0
    tol: float = 1e-8

    def __call__(self):
        from ..oracles.ode import integrate
        th0 = np.array([1.0, 0.3, -2.0])
        ps0 = np.array([0.0, 0.5, 1.0])
        o = integrate(self.ref.build(), t_span=(0.0, self.T), theta0=th0, psi0=ps0)
        r2 = o.theta ** 2 + o.psi ** 2
        drift = float(np.max(np.abs(r2 - r2[..., :1])))
        return drift < self.tol, (f"ODE of {self.ref} over t in [0, {self.T:g}] from 3 starts: "
                                  f"max drift of theta^2 + psi^2 {drift:.1e} (tol {self.tol:g})")


@dataclass(frozen=True)
class NormGrowsEveryStep(Check):
    """The simulator: |x_{k+1}| > |x_k| at every step, over a grid of h and starts."""

    ref: Ref
    scheme: str = "simgd"
    steps: int = 200

    def __call__(self):
        from ..oracles.simulate import simulate
        h = np.array([0.01, 0.1, 0.5, 1.0, 2.0])[:, None]
        th0 = np.array([1e-3, 0.5, -1.0, 2.0])[None, :]
        ps0 = np.array([0.0, 0.5, 1.0, -0.3])[None, :]
        r = simulate(self.ref.build(), scheme=self.scheme, h=h, steps=self.steps, theta0=th0,
                     psi0=ps0, record_every=1)
        norm = np.hypot(r.history_theta, r.history_psi)
        # |x_{k+1}|^2 - |x_k|^2 = |x_{k+1} - x_k|^2 when x . v(x) = 0: the growth is visible in
        # float64 where the step is not below rounding (|dx|^2 > 16 eps |x|^2); frozen (after
        # leaving the bound) and saturated steps are below it
        step2 = np.diff(r.history_theta, axis=-1) ** 2 + np.diff(r.history_psi, axis=-1) ** 2
        moved = step2 > 16 * np.finfo(float).eps * norm[..., :-1] ** 2
        grows = np.diff(norm, axis=-1) > 0
        ok = bool(np.all(grows[moved])) and int(moved.sum()) > grows.size // 2
        return ok, (f"{self.scheme} on {self.ref}, h in {h.ravel().tolist()}, 4 starts, "
                    f"{self.steps} steps: the norm grew at {int((grows & moved).sum())} of the "
                    f"{int(moved.sum())} steps above rounding ({grows.size} in all; the others "
                    f"were frozen after leaving the bound or saturated)")


@dataclass(frozen=True)
class TrajectoriesAtBound(Check):
    """Trajectories from near the equilibrium converge at 0.97 h_max and leave at 1.03 h_max."""

    ref: Ref
    scheme: str
    options: tuple = ()
    steps: int = 4000

    def __call__(self):
        from ..oracles.simulate import simulate
        a = _analysis(self.ref, self.scheme, self.options)
        h_max = a.h_max
        if h_max is None or h_max is sp.oo:
            return False, f"h_max of {self.ref} is {h_max}"
        hm = float(h_max)
        opts = {k: v for k, v in self.options if k not in ("h", "h_g", "h_d")}
        r = simulate(self.ref.build(), scheme=self.scheme, h=np.array([0.97 * hm, 1.03 * hm]),
                     steps=self.steps, theta0=1e-4, psi0=1e-4, **opts)
        start = np.hypot(1e-4, 1e-4)
        inside = bool(r.distance[0] < 1e-3 * start)
        outside = bool(r.distance[1] > 10 * start or r.diverged[1])
        return inside and outside, (
            f"{self.scheme} {dict(self.options)} on {self.ref}, h_max = {hm:.10g}: distance after "
            f"{self.steps} steps from |x0| = {start:.1e}: {r.distance[0]:.1e} at 0.97 h_max, "
            f"{r.distance[1]:.1e} at 1.03 h_max")


@dataclass(frozen=True)
class AttractorIs(Check):
    """The ODE oracle: the flow from each start ends where the statement says."""

    ref: Ref
    starts: tuple
    kinds: tuple
    thetas: tuple = ()
    t_max: float = 300.0

    def __call__(self):
        from ..oracles.ode import attractor
        m = self.ref.build()
        found = []
        ok = True
        for k, ((th, ps), kind) in enumerate(zip(self.starts, self.kinds)):
            a = attractor(m, theta0=th, psi0=ps, t_max=self.t_max)
            found.append(a.kind if a.kind != "point" else f"point theta={a.theta:.6g}")
            ok &= a.kind == kind
            if self.thetas and self.thetas[k] is not None and a.kind == "point":
                ok &= abs(a.theta - self.thetas[k]) < 1e-6
        return ok, f"flow of {self.ref} from {list(self.starts)}: {found}, published {list(self.kinds)}"


@dataclass(frozen=True)
class ContractionRate(Check):
    """The rate fitted to a simulated trajectory equals the spectral radius."""

    ref: Ref
    scheme: str
    h: float
    options: tuple = ()
    steps: int = 400
    tol: float = 1e-3

    def __call__(self):
        from ..oracles.simulate import simulate
        a = _analysis(self.ref, self.scheme, (("h", self.h),) + tuple(self.options))
        rho = a.spectral_radius
        r = simulate(self.ref.build(), scheme=self.scheme, h=self.h, steps=self.steps,
                     theta0=1e-6, psi0=1e-6, record_every=1, **dict(self.options))
        d = np.hypot(r.history_theta, r.history_psi)
        k = np.arange(d.size)
        window = slice(d.size // 2, d.size)
        slope = np.polyfit(k[window], np.log(d[window]), 1)[0]
        measured = float(np.exp(slope))
        ok = abs(measured - rho) < self.tol * rho
        return ok, (f"{self.scheme} h={self.h} on {self.ref}: fitted contraction {measured:.8f} "
                    f"vs spectral radius {rho:.8f}")
