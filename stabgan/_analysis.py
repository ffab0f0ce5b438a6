"""``analyze``: the closed-form stability analysis of a method, and its result object."""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field

import sympy as sp

from ._errors import InputError
from ._game import Method, gaussian_expectation
from ._methods import PSI, THETA
from ._printing import complex_value, formula, latex, number, sympy_str
from ._stability import decide, hurwitz_conditions
from ._symbolic import (charpoly_coeffs, classify_2x2, critical_values, eigenvalues_2x2,
                        equilibrium_set, is_nonsmooth, jacobian_at, norm_rate, one_sided_fields,
                        smooth_field)

__all__ = ["Analysis", "analyze", "SCHEMES"]

#: The schemes ``analyze`` knows.
SCHEMES = ("continuous", "simgd", "altgd")


@dataclass(frozen=True)
class Analysis:
    r"""The result of :func:`analyze`.

    Attributes
    ----------
    method : Method
        What was analyzed.
    scheme : str
        ``"continuous"`` (the flow :math:`\dot x = v(x)`).
    vector_field : tuple of sympy.Expr
        :math:`v = (-\partial L_G/\partial\theta, \partial L_D/\partial\psi)`.
    equilibrium : dict
        ``theta``, ``psi`` of the analyzed equilibrium (0, 0), ``isolated`` and,
        where SymPy solved v = 0 exactly, ``set`` (all solutions).
    jacobian : sympy.Matrix or None
        :math:`v'(0, 0)`; None where the field jumps at :math:`\psi = 0`.
    eigenvalues : list of sympy.Expr
        The eigenvalues of ``jacobian`` in closed form.
    locally_convergent : bool or None
        Every eigenvalue has negative real part (Routh-Hurwitz, exact); None where
        it depends on free symbols, then ``condition`` says on what.
    marginal : bool or None
        The spectrum lies on the imaginary axis (no eigenvalue to the right).
    condition : sympy.Basic or None
        The condition on the free symbols for local convergence.
    spectral_abscissa : float or None
        :math:`\max_i \operatorname{Re}\lambda_i` where it is a number.
    critical : dict
        Parameter name -> value where the eigenvalues turn from complex to real.
    nonsmooth : dict or None
        For a field that jumps at :math:`\psi = 0`: one-sided limits, equilibria,
        Jacobians, their types and what that implies.
    marginal_reason : str or None
        What decides convergence where the linearization does not.
    """

    method: Method
    scheme: str
    vector_field: tuple
    equilibrium: dict
    jacobian: sp.Matrix | None
    eigenvalues: list
    locally_convergent: bool | None
    marginal: bool | None
    condition: sp.Basic | None
    spectral_abscissa: float | None
    critical: dict
    nonsmooth: dict | None = None
    marginal_reason: str | None = None
    notes: tuple = dc_field(default_factory=tuple)

    # -- output ---------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The JSON document of DESIGN.md section 4 (what ``stabgan analyze --json`` prints)."""
        m = self.method
        eq = {"theta": formula(self.equilibrium["theta"]), "psi": formula(self.equilibrium["psi"]),
              "isolated": self.equilibrium["isolated"]}
        if "set" in self.equilibrium:
            eq["set"] = self.equilibrium["set"]
        out = {
            "method": m.id,
            "params": {name: sympy_str(value) for name, value in m.params.items()},
            "f": m.f,
            "generator": m.generator,
            "scheme": self.scheme,
            "vector_field": {"sympy": [sympy_str(e) for e in self.vector_field],
                             "latex": [latex(e) for e in self.vector_field]},
            "equilibrium": eq,
            "jacobian": None if self.jacobian is None else {
                "sympy": [[sympy_str(e) for e in self.jacobian.row(i)]
                          for i in range(self.jacobian.rows)],
                "latex": latex(self.jacobian)},
            "eigenvalues": [{"sympy": sympy_str(e), "latex": latex(e), "value": complex_value(e)}
                            for e in self.eigenvalues],
            "locally_convergent": self.locally_convergent,
            "marginal": self.marginal,
            "marginal_reason": self.marginal_reason,
            "condition": None if self.condition is None else formula(self.condition),
            "spectral_abscissa": self.spectral_abscissa,
            "critical": {name: formula(value, value=True) for name, value in self.critical.items()},
            "notes": list(self.notes),
        }
        if self.nonsmooth is not None:
            out["nonsmooth"] = self.nonsmooth
        return out

    def verdict(self) -> str:
        """The verdict in words."""
        if self.nonsmooth is not None:
            return ("not locally convergent: the field jumps at psi = 0, so there is no Jacobian "
                    "at the equilibrium; " + self.nonsmooth["behaviour"])
        if self.locally_convergent is True:
            return "locally convergent: every eigenvalue has negative real part"
        if self.locally_convergent is None:
            return f"locally convergent if and only if {self.condition}"
        if self.marginal:
            return ("not locally convergent: the eigenvalues lie on the imaginary axis"
                    + (f"; {self.marginal_reason}" if self.marginal_reason else ""))
        return "not locally convergent: an eigenvalue has positive real part"

    def to_latex(self) -> str:
        """A LaTeX fragment (amsmath): field, Jacobian, eigenvalues, verdict, critical values."""
        m = self.method
        lines = [r"\begin{align*}",
                 r"v_\theta &= " + latex(self.vector_field[0]) + r" \\",
                 r"v_\psi &= " + latex(self.vector_field[1])]
        if self.jacobian is not None:
            lines[-1] += r" \\"
            lines.append(r"v'(0, 0) &= " + latex(self.jacobian) + r" \\")
            lines.append(r"\lambda_{1,2} &= " + ",\\quad ".join(latex(e) for e in self.eigenvalues))
        lines.append(r"\end{align*}")
        text = "\n".join(lines)
        text += "\n" + r"\textbf{Verdict (" + m.id.replace("_", r"\_") + "):} " + \
            _latex_text(self.verdict()) + "\n"
        for name, value in self.critical.items():
            text += r"\par Critical $" + latex(sp.Symbol(name)) + "$: $" + latex(value) + "$\n"
        return text

    def _repr_latex_(self) -> str:
        return "$$" + r"\begin{gathered}" + r"v_\theta = " + latex(self.vector_field[0]) + \
            r"\\ v_\psi = " + latex(self.vector_field[1]) + \
            ("" if self.jacobian is None else r"\\ v'(0,0) = " + latex(self.jacobian)
             + r"\\ \lambda = " + ",\\ ".join(latex(e) for e in self.eigenvalues)) + \
            r"\end{gathered}" + "$$"

    def __str__(self) -> str:
        from ._text import analysis_text
        return analysis_text(self)


def _latex_text(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("^", r"\^{}"), ("&", r"\&"),
                 ("%", r"\%"), ("#", r"\#")):
        text = text.replace(a, b)
    return text


def analyze(m: Method, scheme: str = "continuous", **options) -> Analysis:
    r"""Derive the local stability of a method's training dynamics in closed form.

    For ``scheme="continuous"`` the dynamics are :math:`\dot x = v(x)`; the
    equilibrium (0, 0) is locally convergent iff every eigenvalue of
    :math:`J = v'(0, 0)` has negative real part (Routh-Hurwitz on
    :math:`\det(\lambda I - J)`, decided in exact arithmetic).

    Parameters
    ----------
    m : Method
        From :func:`method`.
    scheme : {"continuous", "simgd", "altgd"}
        The training dynamics.
    **options
        Scheme options (step sizes ``h``, ``h_g``, ``h_d``, ``n_g``, ``n_d``, ``order``)
        for the discrete schemes.

    Returns
    -------
    Analysis
        Jacobian, eigenvalues, verdict, critical values; ``to_dict()`` is the JSON
        document of ``stabgan analyze --json``.

    References
    ----------
    Mescheder, Geiger, Nowozin (2018), Lemmas 2.2, 3.2, 3.3.

    Examples
    --------
    >>> import stabgan
    >>> a = stabgan.analyze(stabgan.method("r1", gamma=0.5))
    >>> a.eigenvalues
    [-1/4 - sqrt(3)*I/4, -1/4 + sqrt(3)*I/4]
    >>> a.locally_convergent
    True
    """
    if not isinstance(m, Method):
        raise InputError(f"analyze takes a method from stabgan.method(...). Got {m!r} instead.")
    if scheme not in SCHEMES:
        raise InputError(f"The 'scheme' option must be one of {', '.join(SCHEMES)}. "
                         f"Got {scheme!r} instead.")
    if scheme != "continuous":
        raise NotImplementedError(f"scheme {scheme!r} is not built yet (the discrete-schemes issue)")
    if options:
        raise InputError(f"The continuous analysis takes no step-size options. Got "
                         f"{', '.join(sorted(options))}.")
    return _continuous(m)


def _continuous(m: Method) -> Analysis:
    integrand = m.integrand
    field = smooth_field(integrand)
    if field is None:
        return _nonsmooth(m, integrand)
    noise = m.noise
    at_zero = [sp.simplify(gaussian_expectation(e.subs({THETA: 0, PSI: 0}), noise)) for e in field]
    if not all(v == 0 for v in at_zero):
        raise AssertionError(f"(0, 0) is not an equilibrium of {m!r}: v(0, 0) = {at_zero}")
    J = jacobian_at(field, noise=noise)
    eigs = eigenvalues_2x2(J)
    coeffs = charpoly_coeffs(J)
    verdict, condition = decide(hurwitz_conditions(coeffs))
    re_parts = [sp.simplify(sp.re(e)) for e in eigs]
    marginal, reason, notes = _marginal(re_parts, verdict, field, noise)
    abscissa = None
    values = [complex_value(e) for e in eigs]
    if all(v is not None for v in values):
        abscissa = max(v[0] for v in values)
    eq = {"theta": sp.S.Zero, "psi": sp.S.Zero, "isolated": None}
    solved = equilibrium_set(field) if not noise else None
    if solved is not None:
        eq["isolated"] = solved["isolated"]
        eq["set"] = _describe_set(solved["solutions"])
    elif J.det().is_zero is False or sp.simplify(J.det()).is_zero is False:
        eq["isolated"] = True
        notes = notes + ("the equilibrium is isolated (det J != 0); v = 0 was not solved for all "
                         "solutions in closed form",)
    return Analysis(method=m, scheme="continuous", vector_field=m.vector_field, equilibrium=eq,
                    jacobian=J, eigenvalues=eigs, locally_convergent=verdict, marginal=marginal,
                    condition=None if verdict is not None else condition,
                    spectral_abscissa=abscissa, critical=critical_values(m),
                    marginal_reason=reason, notes=notes)


def _describe_set(solutions: list) -> str:
    parts = []
    for s in solutions:
        theta = s.get(THETA, THETA)
        psi = s.get(PSI, PSI)
        free = [name for name, sym in (("theta", THETA), ("psi", PSI)) if sym not in s]
        text = f"(theta, psi) = ({sympy_str(theta)}, {sympy_str(psi)})"
        if free:
            text += f" for every {' and '.join(free)}"
        parts.append(text)
    return "; ".join(parts)


def _marginal(re_parts, verdict, field, noise):
    """Decide ``marginal`` and, for purely imaginary spectra, what decides convergence."""
    if verdict is True:
        return False, None, ()
    if any(r.is_positive or (r.is_number and sp.N(r, 50) > 0) for r in re_parts):
        return False, None, ()
    if not all(r.is_zero for r in re_parts):
        return (None if verdict is None else False), None, ()
    if noise:
        return True, None, ()
    rate = norm_rate(field)
    if rate == 0:
        return True, ("theta^2 + psi^2 is conserved by the flow (d/dt |x|^2 = 0): trajectories "
                      "stay on circles and never converge"), ()
    s = sp.Symbol("s", positive=True)
    series = sp.series(rate.subs({THETA: s * THETA, PSI: s * PSI}, simultaneous=True), s, 0, 6)
    series = series.removeO()
    leading = None
    for order in range(2, 6):
        term = sp.simplify(series.coeff(s, order))
        if term != 0:
            leading = (order, term)
            break
    if leading is None:
        return True, "d/dt |x|^2 vanishes to order 6: higher-order terms decide", ()
    order, term = leading
    rate_text = f"d/dt (theta^2 + psi^2)/2 = {sympy_str(term)} + higher-order terms"
    if order == 2:
        return True, rate_text, ()
    nonpos = sp.simplify(term).is_nonpositive
    if nonpos:
        return True, (f"{rate_text} <= 0: the norm decays, but the decay is of order {order} "
                      f"(slower than any exponential), so there is no linear rate"), ()
    if sp.simplify(term).is_nonnegative:
        return True, f"{rate_text} >= 0: the norm grows away from the equilibrium", ()
    return True, f"{rate_text}: its sign decides (e.g. f''(0) < 0 gives a slow decay)", ()


def _nonsmooth(m: Method, integrand) -> Analysis:
    plus, minus = one_sided_fields(integrand)
    sides = {}
    for name, piece, sign in (("psi->0+", plus, 1), ("psi->0-", minus, -1)):
        limit = [sp.simplify(e.subs({THETA: 0, PSI: 0})) for e in piece]
        on_axis = [sp.simplify(e.subs(PSI, 0)) for e in piece]
        roots = sp.solve(on_axis[1], THETA)
        roots = [r for r in roots if sp.simplify(on_axis[0].subs(THETA, r)) == 0]
        equilibria = []
        for r in roots:
            J = jacobian_at(piece, point=(r, 0))
            kind = classify_2x2(J)
            equilibria.append({
                "theta": formula(sp.simplify(r), value=True), "psi": "0+" if sign > 0 else "0-",
                "jacobian": {"sympy": [[sympy_str(e) for e in J.row(i)] for i in range(2)],
                             "latex": latex(J)},
                "eigenvalues": [{"sympy": sympy_str(e), "latex": latex(e),
                                 "value": complex_value(e)} for e in eigenvalues_2x2(J)],
                "type": kind,
            })
        sides[name] = {"limit_at_origin": {"v_theta": formula(limit[0], value=True),
                                           "v_psi": formula(limit[1], value=True)},
                       "equilibria": equilibria}
    types = [e["type"] for side in sides.values() for e in side["equilibria"]]
    behaviour = _nonsmooth_words(types)
    jump = is_nonsmooth(integrand)
    nonsmooth = {
        "jump_at": "psi = 0",
        "jump_certain": jump is True,
        "one_sided": sides,
        "behaviour": behaviour,
    }
    if jump is None:
        nonsmooth["condition"] = "the field jumps at psi = 0 unless the target gradient norm is 0"
    return Analysis(method=m, scheme="continuous", vector_field=m.vector_field,
                    equilibrium={"theta": sp.S.Zero, "psi": sp.S.Zero, "isolated": None},
                    jacobian=None, eigenvalues=[], locally_convergent=False, marginal=False,
                    condition=None, spectral_abscissa=None, critical={}, nonsmooth=nonsmooth,
                    notes=("the field jumps at psi = 0: one-sided eigenvalues do not decide "
                           "convergence",))


def _nonsmooth_words(types: list) -> str:
    if not types:
        return "no one-sided equilibrium on psi = 0: the global behaviour is left to the ODE oracle"
    if all(t.endswith("node") for t in types):
        return ("the one-sided equilibria (off the Nash point) are stable nodes: trajectories can "
                "settle on a non-Nash point")
    if all(t.endswith("focus") for t in types):
        return ("the one-sided equilibria are foci: trajectories cross psi = 0 and may close into a "
                "limit cycle")
    return ("one-sided equilibria of type " + ", ".join(sorted(set(types)))
            + "; whether trajectories settle off the Nash point or cycle is decided by the ODE "
              "oracle")
