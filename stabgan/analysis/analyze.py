"""``analyze``: the closed-form stability analysis of a method, and its result object."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field as dc_field

import sympy as sp

from .._errors import InputError
from .._options import ADAPTIVE, OPTIONS, SCHEMES as DISCRETE_SCHEMES, refuse_adaptive
from ..schemes.rules import state_names
from ..model.method import Method, gaussian_expectation
from .._symbols import PSI, THETA
from .._printing import complex_value, formula, latex, sympy_str
from .criteria import decide, hurwitz_conditions
from .continuous import (charpoly_coeffs, classify_2x2, critical_values, eigenvalues_2x2,
                         equilibrium_set, jacobian_at, near_equilibrium,
                         norm_rate)
from ..model.jumps import is_nonsmooth, one_sided_fields, smooth_field

__all__ = ["Analysis", "analyze", "SCHEMES", "shared_analyses"]

#: The analyses kept by :func:`shared_analyses` while its block runs (None outside it).
_SHARED: dict | None = None


@contextlib.contextmanager
def shared_analyses():
    """Within the block, :func:`analyze` derives each distinct (method, scheme, options) once
    and returns that same :class:`Analysis` object to every later call with them.

    For a job that asks for the same analysis many times (``stabgan report``: the documents,
    figures and lemma statements analyze r1 under the continuous dynamics 18 times), whose
    callers only read the results. Keys compare the method (its catalogue entry, f, generator
    and parameter values), the scheme and the options by value and by type, so ``gamma=1``
    and ``gamma=1.0`` are different analyses. A scheme or option that cannot be hashed is
    analyzed afresh every time. The cache is per process and dropped at the end of the block.
    """
    global _SHARED
    outer, _SHARED = _SHARED, {} if _SHARED is None else _SHARED
    try:
        yield
    finally:
        _SHARED = outer


def _shared_key(m, scheme, options):
    def typed(items):
        return tuple((k, type(v), v) for k, v in sorted(items))
    key = (m, typed(m.values.items()), type(scheme), scheme, typed(options.items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key

#: The schemes ``analyze`` knows.
SCHEMES = ("continuous",) + DISCRETE_SCHEMES


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
    notes : tuple of str
        Remarks (e.g. that v = 0 was not solved for all solutions).
    discrete : dict or None
        For the discrete schemes: ``spectral_radius`` (per step), ``period``,
        ``period_spectral_radius``, ``state`` (the augmented state's coordinates),
        ``charpoly``, ``h_max``, ``stable_intervals``, ``h_marginal``, ``h_opt``,
        ``rate_opt``, ``stability_conditions``, the scheme's options and the continuous
        Jacobian; ``jacobian`` and ``eigenvalues`` are then those of the update operator
        over one period on the augmented state.
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
    discrete: dict | None = None

    @property
    def spectral_radius(self) -> float | None:
        """Discrete schemes: the largest modulus of the eigenvalues of F'(0, 0), where it is a
        number."""
        return None if self.discrete is None else self.discrete["spectral_radius"]

    @property
    def modified_field(self):
        """Discrete schemes: the first-order modified field of backward error analysis (the
        flow the iterates follow to O(h^2)); None in continuous time, for a field that jumps
        or has instance noise, and where h_g != h_d."""
        return None if self.discrete is None else self.discrete.get("modified_field")

    @property
    def h_max(self):
        """Discrete schemes: sup{h : convergent for every step in (0, h)}.

        None where no h works, and also where it was not computed because symbols other than
        h remain (``discrete["h_max_status"] == "symbolic"``: the exact conditions in h are
        then in ``discrete["stability_conditions"]``).
        """
        return None if self.discrete is None else self.discrete["h_max"]

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
        if self.scheme != "continuous":
            del out["spectral_abscissa"]
            out.update(_discrete_dict(self.discrete))
        return out

    def verdict(self) -> str:
        """The verdict in words."""
        if self.nonsmooth is not None and self.locally_convergent is None:
            return (f"locally convergent if and only if {self.condition} (then the field has no "
                    f"jump at psi = 0); otherwise {self.nonsmooth['behaviour']}")
        if self.nonsmooth is not None:
            return ("not locally convergent: the field jumps at psi = 0, so there is no Jacobian "
                    "at the equilibrium; " + self.nonsmooth["behaviour"])
        discrete = self.scheme != "continuous"
        if self.locally_convergent is True:
            return ("locally convergent: every eigenvalue of the update operator lies inside the "
                    "unit circle" if discrete else
                    "locally convergent: every eigenvalue has negative real part")
        if self.locally_convergent is None:
            return f"locally convergent if and only if {self.condition}"
        if self.marginal and discrete:
            if self.discrete.get("defective"):
                return ("not locally convergent: the eigenvalues lie on the unit circle, and one "
                        "of them is defective (a Jordan block): the linearized iterates grow "
                        "linearly")
            return "not locally convergent: the eigenvalues lie on the unit circle"
        if discrete:
            return ("not locally convergent: an eigenvalue lies outside the unit circle"
                    if self.marginal is False else "not locally convergent: a Schur-Cohn "
                    "condition fails for every value of the free symbols")
        if self.marginal:
            return ("not locally convergent: the eigenvalues lie on the imaginary axis"
                    + (f"; {self.marginal_reason}" if self.marginal_reason else ""))
        if self.marginal is None:
            return ("not locally convergent: a Routh-Hurwitz condition fails for every value of "
                    "the free symbols (the eigenvalues may be real of both signs or imaginary)")
        return "not locally convergent: an eigenvalue has positive real part"

    def to_latex(self, part: str | None = None) -> str:
        r"""Paste-ready LaTeX (amsmath) of the analysis, every formula from the one printer.

        Parameters
        ----------
        part : str or None
            None (default): the whole block, comment lines (``% ...``) naming the method, the
            scheme and the symbol conventions, then one ``align*`` with the field
            :math:`v_\theta, v_\psi`, the Jacobian (:math:`v'(0, 0)` in continuous time; for a
            discrete scheme the update operator's :math:`F'(0, 0)`, :math:`x \leftarrow F(x)`
            over one period), the eigenvalues :math:`\lambda_i`, the verdict as a condition
            (:math:`\max_i \operatorname{Re}\lambda_i < 0`, :math:`\rho(F') < 1`, or the
            condition on the free symbols), critical parameter values, and for discrete schemes
            :math:`h_{\max}`, the spectral radius :math:`\rho` per step and
            :math:`h_{\mathrm{opt}}` where the analysis has them.
            One of ``"field"``, ``"jacobian"``, ``"eigenvalues"``, ``"condition"``,
            ``"critical"``, ``"h_max"``, ``"spectral_radius"``, ``"h_opt"``: that part alone,
            in its own ``align*``.

        Returns
        -------
        str
            The LaTeX text, ending with a newline.

        Raises
        ------
        InputError
            ``part`` is not one of the names above, or names a part this analysis does not
            have (e.g. ``h_max`` in continuous time).

        Notes
        -----
        Symbols: ``fp0``, ``fpp0`` print as :math:`f'(0)`, :math:`f''(0)`; ``h_g``, ``h_d`` as
        :math:`h_g`, :math:`h_d`; the Heaviside step as :math:`H(x)`.

        Examples
        --------
        >>> import stabgan
        >>> a = stabgan.analyze(stabgan.method("r1", gamma="3/10"))
        >>> print(a.to_latex("condition"), end="")
        \begin{align*}
        &\text{locally convergent: } \max_i \operatorname{Re} \lambda_i = -0.15 < 0
        \end{align*}
        """
        from .latex_block import latex_block
        return latex_block(self, part)

    def _repr_latex_(self) -> str:
        """Jupyter: the block's rows (verdict included) as display math, an ``aligned``."""
        from .latex_block import repr_latex
        return repr_latex(self)

    def _repr_html_(self) -> str:
        """Jupyter: a table of the verdict, the spectral abscissa or radius and h_max."""
        from .latex_block import repr_html
        return repr_html(self)

    def __str__(self) -> str:
        from .._text import analysis_text
        return analysis_text(self)


def _bound(value) -> dict | None:
    if value is None:
        return None
    if value is sp.oo:
        return {"sympy": "oo", "latex": r"\infty", "value": None}
    return formula(value, value=True)


def _discrete_dict(d: dict) -> dict:
    return {
        "scheme_options": d["options"],
        "continuous_jacobian": None if d["continuous_jacobian"] is None else {
            "sympy": [[sympy_str(e) for e in d["continuous_jacobian"].row(i)] for i in range(2)],
            "latex": latex(d["continuous_jacobian"])},
        "spectral_radius": d["spectral_radius"],
        "period": d["period"],
        "period_spectral_radius": d["period_spectral_radius"],
        "state": d["state"],
        "charpoly": None if d["charpoly"] is None else formula(d["charpoly"]),
        "h_max": ({"sympy": None, "latex": None, "value": None, "status": d["h_max_status"]}
                  if d["h_max_status"] == "symbolic" else _bound(d["h_max"])),
        "h_max_status": d["h_max_status"],
        "stable_intervals": [[_bound(lo), _bound(hi)] for lo, hi in d["stable_intervals"]],
        "h_marginal": _bound(d["h_marginal"]),
        "defective": d.get("defective"),
        "h_opt": d["h_opt"],
        "rate_opt": d["rate_opt"],
        "stability_conditions": [formula(c) for c in d["stability_conditions"]],
        "modified_field": None if d.get("modified_field") is None else {
            "sympy": [sympy_str(e) for e in d["modified_field"]],
            "latex": [latex(e) for e in d["modified_field"]]},
        **({} if d.get("ema") is None else {"ema": _ema_dict(d["ema"])}),
    }


def _ema_dict(e: dict) -> dict:
    """The JSON form of ``discrete["ema"]``."""
    return {"beta": formula(e["beta"], value=True),
            "added_factor": formula(e["added_factor"]),
            "added_eigenvalues": [{"sympy": sympy_str(x), "latex": latex(x),
                                   "value": complex_value(x)} for x in e["added_eigenvalues"]],
            "joint_locally_convergent": e["joint_locally_convergent"],
            "joint_spectral_radius": e["joint_spectral_radius"],
            "transfer_function": formula(e["transfer_function"]),
            "gain_on_circle": formula(e["gain_on_circle"]),
            "cycle_gains": e["cycle_gains"]}


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
    scheme : {"continuous", "simgd", "altgd", "extragradient", "ogda", "lookahead"} or RuleSpec
        The training dynamics; a :class:`~stabgan.schemes.user.RuleSpec` from
        :func:`stabgan.update_rule` is an optimizer of your own (with ``h`` or ``h_g``,
        ``h_d`` and ``lazy_every``), analyzed by running its rule on :math:`v(x) = J x`.
    **options
        Options of the discrete schemes: step sizes ``h`` (or ``h_g``, ``h_d``); AltGD's
        ``n_g``, ``n_d``, ``order``; ``momentum`` (heavy ball, in (-1, 1), simgd/altgd/
        lookahead); ``h_e`` (extragradient's extrapolation step); ``base``,
        ``lookahead_steps``, ``lookahead_alpha`` (lookahead); ``lazy_every`` (penalty on
        every k-th step with weight k times its value). See ``stabgan.schemes.rules`` for the
        update rules. Schemes with a period (lookahead, lazy) are analyzed over one period;
        ``spectral_radius`` is per step. ``ema`` (every discrete scheme, beta in [0, 1)): the
        exponential moving average of the weights, :math:`\bar x_{k+1} = \beta \bar x_k +
        (1 - \beta) x_{k+1}`; the analysis of the raw iterate is unchanged and
        ``discrete["ema"]`` says what the average adds (see Notes). ``scheme="adam"`` and
        ``"rmsprop"`` are refused (InputError): their step is not linear in the state at the
        equilibrium.

    Returns
    -------
    Analysis
        Jacobian, eigenvalues, verdict, critical values; ``to_dict()`` is the JSON
        document of ``stabgan analyze --json``.

    Notes
    -----
    The average reads the iterate and never feeds back, so the joint update operator on
    (state, :math:`\bar x`) is block lower triangular: its eigenvalues are the raw
    operator's and those of the filter, :math:`\beta` twice (:math:`\beta^p` over a period
    of p steps). ``discrete["ema"]`` gives them as derived from the joint operator (the
    update rule run with the average on v(x) = J x, its characteristic polynomial divided by
    the raw one), the joint verdict and spectral radius per step (the rate of the average of
    a converging run, :math:`\max(\rho, \beta)`), the filter's transfer function
    :math:`G(z)` solved from its recurrence, and, for each eigenvalue :math:`z` of the raw
    operator on the unit circle (a cycle), the ratio :math:`|G(z)|` of the average's
    amplitude to the raw iterate's (period 1 only).

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
    key = None if _SHARED is None else _shared_key(m, scheme, options)
    if key is not None and key in _SHARED:
        return _SHARED[key]
    a = _analyze(m, scheme, options)
    if key is not None:
        _SHARED[key] = a
    return a


def _analyze(m: Method, scheme, options: dict) -> Analysis:
    """:func:`analyze` after its method check, without the shared cache."""
    from ..schemes.user import RuleSpec
    custom = isinstance(scheme, RuleSpec)
    if not custom and scheme not in SCHEMES + ADAPTIVE:
        raise InputError(f"The 'scheme' option must be one of {', '.join(SCHEMES)}. "
                         f"Got {scheme!r} instead.")
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InputError(f"Unknown option {unknown[0]!r} for analyze: the scheme options are "
                         f"{', '.join(OPTIONS)}.")
    if not custom and scheme in ADAPTIVE:
        from ..schemes.scheme import make_scheme
        make_scheme(scheme, **options)   # a bad value is named first, as for every scheme
        refuse_adaptive(scheme, "analyze")
    if custom or scheme != "continuous":
        from ..schemes.scheme import make_scheme
        return _discrete(m, make_scheme(scheme, **options))
    if any(v is not None for v in options.values()):
        raise InputError(f"The continuous analysis takes no step-size options. Got "
                         f"{', '.join(sorted(k for k, v in options.items() if v is not None))}.")
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
    marginal, reason = _marginal(re_parts, verdict, field, noise, J)
    notes: tuple = ()
    abscissa = None
    values = [complex_value(e) for e in eigs]
    if all(v is not None for v in values):
        abscissa = max(v[0] for v in values)
    eq = {"theta": sp.S.Zero, "psi": sp.S.Zero, "isolated": None}
    # SymPy's solve with free parameters answers for generic values only (it would miss
    # lsgan's line psi = 0 at a = 0), so the full set is solved only with numeric parameters.
    has_parameters = any(e.free_symbols - {THETA, PSI} for e in field)
    solved = equilibrium_set(field) if not noise and not has_parameters else None
    if solved is not None:
        eq["isolated"] = solved["isolated"]
        eq["set"] = _describe_set(solved["solutions"])
    elif sp.simplify(J.det()).is_zero is False:
        eq["isolated"] = True  # det J != 0 (v = 0 is not solved for all its solutions here)
    if eq["isolated"] is False:
        note = f"the equilibria are not isolated: {eq['set']}"
        notes = notes + (note,)
        if marginal:
            reason = note + "; trajectories can settle anywhere on that set, not at (0, 0)"
    return Analysis(method=m, scheme="continuous", vector_field=m.vector_field, equilibrium=eq,
                    jacobian=J, eigenvalues=eigs, locally_convergent=verdict, marginal=marginal,
                    condition=None if verdict is not None else condition,
                    spectral_abscissa=abscissa, critical=critical_values(m),
                    marginal_reason=reason, notes=notes)


def _linearization(m: Method, scheme, J: sp.Matrix):
    """J, and for lazy regularization the Jacobians with the penalty weight w replaced by 0
    and by k w (derived from the method with w left a symbol)."""
    from ..schemes.rules import lazy_linearization, require_penalty
    name = require_penalty(m.spec, scheme.lazy_every)
    if name is None:
        return lazy_linearization(J, None, None, None, 1)
    free = Method(m.spec, m.f, m.generator, {k: v for k, v in m.values.items() if k != name})
    Jw = jacobian_at(smooth_field(free.integrand), noise=free.noise)
    return lazy_linearization(J, Jw, m.spec.parameter(name).symbol, m.params[name],
                              scheme.lazy_every)


def _discrete(m: Method, scheme) -> Analysis:
    """A discrete scheme: the update operator's Jacobian M over one period on the augmented
    state, its spectrum, the Schur-Cohn verdict and the step-size bounds."""
    from .discrete import charpoly, largest_root_modulus, polynomial_roots, step_size_bounds
    from ..schemes.scheme import backward_error_field, update_jacobian
    from .criteria import schur_conditions

    cont = _continuous(m)
    options = scheme.describe()
    from ..schemes.rules import require_penalty
    require_penalty(m.spec, scheme.lazy_every)
    if cont.jacobian is None:
        return Analysis(method=m, scheme=scheme.name, vector_field=cont.vector_field,
                        equilibrium=cont.equilibrium, jacobian=None, eigenvalues=[],
                        locally_convergent=False, marginal=False, condition=None,
                        spectral_abscissa=None, critical={}, nonsmooth=cont.nonsmooth,
                        notes=("the field jumps at psi = 0: there is no update Jacobian at the "
                               "equilibrium",),
                        discrete={"options": options, "continuous_jacobian": None,
                                  "spectral_radius": None, "h_max": None, "stable_intervals": [],
                                  "h_marginal": None, "h_opt": None, "rate_opt": None,
                                  "stability_conditions": [], "h_max_status": "no Jacobian",
                                  "period": scheme.period, "state": state_names(scheme),
                                  "charpoly": None, "period_spectral_radius": None,
                                  "defective": None})
    J = cont.jacobian
    lin = _linearization(m, scheme, J)
    M = update_jacobian(lin, scheme)
    field = smooth_field(m.integrand)
    modified = None if m.noise or field is None else backward_error_field(field, scheme)
    coeffs = charpoly(M)
    notes = list(cont.notes)
    if M.rows == 2:
        eigs = eigenvalues_2x2(M)
    else:
        eigs, left = polynomial_roots(coeffs)
        if left:
            notes.append("eigenvalues without a closed form here are the roots of "
                         + "; ".join(sympy_str(f) for f in left))
    conditions = schur_conditions(coeffs)
    verdict, condition = decide(conditions)
    rho = rho_period = None
    if not any(c.free_symbols for c in coeffs):
        rho_period = float(largest_root_modulus(coeffs))
        rho = rho_period ** (1 / scheme.period)
    marginal = None
    if verdict is True:
        marginal = False
    elif verdict is False and rho is not None:
        from .discrete import _is_marginal
        marginal = _is_marginal(coeffs)
    if m.spec.constraints:
        notes.append("the projection (" + ", ".join(f"{c[0]} in [{c[1]}, {c[2]}]"
                     for c in m.spec.constraints) + ") is inactive near the equilibrium and does "
                     "not change the local spectrum")
    if scheme.period > 1:
        notes.append(f"the operator is taken over one period of {scheme.period} steps; "
                     f"spectral_radius is per step (the {scheme.period}-th root of its radius)")
    bounds = {"h_max": None, "stable_intervals": [], "h_marginal": None, "h_opt": None,
              "rate_opt": None, "h_max_status": "symbolic"}
    symbols = set().union(*(e.free_symbols for e in (lin.J, lin.on) if e is not None))
    symbols |= {x for x in (scheme.momentum, scheme.h_e, scheme.lookahead_alpha)
                if isinstance(x, sp.Symbol)}
    if not symbols:
        bounds = step_size_bounds(lin, scheme)
        bounds["h_max_status"] = "computed"
    else:
        notes.append("h_max is not computed while symbols other than h remain ("
                     + ", ".join(sorted(str(x) for x in symbols)) + "): the exact "
                     "conditions in h are in stability_conditions")
    defective = _defective(lin, scheme, M, marginal, bounds)
    if defective:
        notes.append(defective_words(defective, bounds["h_marginal"] if M.free_symbols
                                     else None))
    stability_conditions = []
    if condition not in (sp.true, sp.false) and verdict is None:
        stability_conditions = list(condition.args) if isinstance(condition, sp.And) else [condition]
    from .discrete import _Z
    ema = None
    if scheme.ema is not None:
        ema = _ema_effect(lin, scheme, M, coeffs, eigs)
        notes.append(ema["words"])
    return Analysis(method=m, scheme=scheme.name, vector_field=cont.vector_field,
                    equilibrium=cont.equilibrium, jacobian=M, eigenvalues=eigs,
                    locally_convergent=verdict, marginal=marginal,
                    condition=None if verdict is not None else condition,
                    spectral_abscissa=None, critical=cont.critical,
                    marginal_reason=None, notes=tuple(notes),
                    discrete={"options": options, "continuous_jacobian": J,
                              "spectral_radius": rho, "period_spectral_radius": rho_period,
                              "period": scheme.period, "state": state_names(scheme),
                              "charpoly": sp.expand(sum(c * _Z ** (len(coeffs) - 1 - k)
                                                        for k, c in enumerate(coeffs))),
                              "stability_conditions": stability_conditions,
                              "modified_field": modified, "defective": bool(defective)
                              if defective is not None else None, "ema": ema, **bounds})


def _ema_effect(lin, scheme, M: sp.Matrix, coeffs: list, eigs: list) -> dict:
    """What the weight average adds, derived from the joint operator and the filter (see
    :func:`analyze`, Notes)."""
    from .discrete import _Z, charpoly, largest_root_modulus, polynomial_roots
    from .criteria import schur_conditions
    from ..schemes.ema import BETA, Z, ema_gain_on_circle, ema_jacobian, ema_transfer
    beta, period = scheme.ema, scheme.period
    joint = ema_jacobian(lin, scheme, beta)
    joint_coeffs = charpoly(joint)
    raw_poly = sp.Poly(sum(c * _Z ** (len(coeffs) - 1 - k) for k, c in enumerate(coeffs)), _Z)
    joint_poly = sp.Poly(sum(c * _Z ** (len(joint_coeffs) - 1 - k)
                             for k, c in enumerate(joint_coeffs)), _Z)
    added, rest = sp.div(joint_poly, raw_poly)
    if not rest.is_zero:
        raise AssertionError(f"the joint operator's polynomial is not a multiple of the raw "
                             f"one: remainder {rest}")
    added_roots, _ = polynomial_roots(added.all_coeffs())
    numeric = not any(c.free_symbols for c in joint_coeffs)
    verdict = radius = None
    if numeric:
        verdict, _ = decide(schur_conditions(joint_coeffs))
        radius = float(largest_root_modulus(joint_coeffs)) ** (1 / period)
    transfer = ema_transfer()
    gains = []
    if period == 1:
        for e in eigs:
            value = complex_value(e)
            if value is None or abs(abs(complex(*value)) - 1) > 1e-12:
                continue
            z = complex(*value)
            gain = abs(complex(transfer.subs({BETA: beta, Z: sp.sympify(z)}).evalf(30)))
            gains.append({"eigenvalue": [z.real, z.imag],
                          "omega": abs(complex(sp.arg(sp.sympify(z)).evalf(30))),
                          "gain": gain})
    words = ("ema: the average is a linear filter of the raw iterate (it never feeds back): the "
             "joint operator has the raw eigenvalues and the roots of "
             + sympy_str(added.as_expr()) + " (the filter's); the verdict on the raw iterate "
             "is unchanged")
    if radius is not None and verdict:
        words += (f"; the average converges to the same point, at the joint rate {radius:.6g} "
                  f"per step")
    if gains:
        words += ("; on the unit circle it keeps " + ", ".join(f"{g['gain']:.6g}"
                                                              for g in gains)
                  + " of the raw amplitude (|G(z)|)")
    return {"beta": beta, "joint_jacobian": joint, "added_factor": added.as_expr(),
            "added_eigenvalues": added_roots, "joint_locally_convergent": verdict,
            "joint_spectral_radius": radius, "transfer_function": transfer.subs(BETA, beta),
            "gain_on_circle": ema_gain_on_circle().subs(BETA, beta), "cycle_gains": gains,
            "words": words}


def _defective(lin, scheme, M: sp.Matrix, marginal, bounds: dict) -> list | None:
    """The defective eigenvalues on the unit circle (``defective_unit_eigenvalues``): of M
    where it is numeric and marginal, else of the operator at a rational step inside the
    first run of steps with the spectrum on the unit circle (0, h_marginal); [] where the
    spectrum does not stay on the circle, None where that is not known."""
    from .discrete import _between, defective_unit_eigenvalues
    from ..schemes.scheme import update_jacobian
    if not M.free_symbols:
        return defective_unit_eigenvalues(M) if marginal else ([] if marginal is False else None)
    if bounds["h_marginal"] is not None:
        q = _between(sp.S.Zero, bounds["h_marginal"])
        return defective_unit_eigenvalues(update_jacobian(lin, scheme.with_step(q)))
    return [] if bounds["h_max_status"] == "computed" else None


def defective_words(found: list, h_marginal=None) -> str:
    """The note for defective eigenvalues on the unit circle."""
    where = "" if h_marginal is None else f" for h in (0, {sympy_str(h_marginal)})"
    parts = [f"the roots of {sympy_str(g)} = 0 (algebraic multiplicity {alg}, geometric "
             f"{geo})" for g, alg, geo in found]
    return ("defective eigenvalue on the unit circle" + where + ": " + "; ".join(parts)
            + ". A Jordan block: the iterates of the linearized update grow linearly with the "
              "number of steps, although no eigenvalue lies outside the unit circle")


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


def _marginal(re_parts, verdict, field, noise, J):
    """Decide ``marginal`` and, for purely imaginary spectra, what decides convergence.

    The rate d/dt |x|^2 / 2 = x . v decides only for a rotation (J + J^T = 0, as for the
    unregularized GAN): then its quadratic part vanishes and the next term decides.
    """
    if verdict is True:
        return False, None
    if any(r.is_positive or (r.is_number and sp.N(r, 50) > 0) for r in re_parts):
        return False, None
    if not all(r.is_zero for r in re_parts):
        # some real part is not decided (it depends on free symbols): marginal is unknown
        decided = all(r.is_zero is not None or r.is_number for r in re_parts)
        return (False if decided else None), None
    if noise or (J + J.T).applyfunc(sp.simplify) != sp.zeros(*J.shape):
        return True, None
    rate = norm_rate(field)
    if rate == 0:
        return True, ("theta^2 + psi^2 is conserved by the flow (d/dt |x|^2 = 0): trajectories "
                      "stay on circles and never converge")
    rate = near_equilibrium(rate)
    if rate == 0:
        return True, ("theta^2 + psi^2 is conserved by the flow near the equilibrium (d/dt |x|^2 "
                      "= 0 where no switch of the field changes: the field is a rotation there): "
                      "trajectories near it stay on circles and never converge")
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
        return True, "d/dt |x|^2 vanishes to order 6: higher-order terms decide"
    order, term = leading
    rate_text = f"d/dt (theta^2 + psi^2)/2 = {sympy_str(term)} + higher-order terms"
    if order == 2:
        return True, rate_text
    nonpos = sp.simplify(term).is_nonpositive
    if nonpos:
        return True, (f"{rate_text} <= 0: the norm decays, but the decay is of order {order} "
                      f"(slower than any exponential), so there is no linear rate")
    if sp.simplify(term).is_nonnegative:
        return True, f"{rate_text} >= 0: the norm grows away from the equilibrium"
    return True, f"{rate_text}: its sign decides (e.g. f''(0) < 0 gives a slow decay)"


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
    verdict, condition, marginal = False, None, False
    if jump is None:
        # the jump depends on free parameters: where it vanishes the field is smooth and the
        # ordinary analysis decides (wgan-gp with g0 = 0 is R1-like)
        condition = _smooth_where_no_jump(integrand, plus, minus)
        nonsmooth["condition"] = ("the field jumps at psi = 0 unless "
                                  + sp.sstr(_jump_zero_set(plus, minus)))
        if condition is not None:
            verdict, marginal = None, None
    return Analysis(method=m, scheme="continuous", vector_field=m.vector_field,
                    equilibrium={"theta": sp.S.Zero, "psi": sp.S.Zero, "isolated": None},
                    jacobian=None, eigenvalues=[], locally_convergent=verdict, marginal=marginal,
                    condition=condition, spectral_abscissa=None, critical={}, nonsmooth=nonsmooth,
                    notes=("the field jumps at psi = 0: one-sided eigenvalues do not decide "
                           "convergence",))


def _jump_expressions(plus, minus) -> list:
    return [e for e in (sp.simplify((p - q).subs(PSI, 0)) for p, q in zip(plus, minus)) if e != 0]


def _jump_zero_set(plus, minus):
    """Where the jump vanishes, as a SymPy boolean (e.g. Eq(g0, 0) | Eq(gamma, 0))."""
    options = []
    for jump in _jump_expressions(plus, minus):
        for sym in sorted(jump.free_symbols - {THETA}, key=str):
            options += [sp.Eq(sym, v) for v in sp.solve(jump, sym)]
    return sp.Or(*options)


def _smooth_where_no_jump(integrand, plus, minus):
    """The condition for local convergence over the parameter values where the jump vanishes
    (None if convergence holds for none of them)."""
    from .criteria import decide, hurwitz_conditions
    conditions = []
    for eq in sp.Or.make_args(_jump_zero_set(plus, minus)):
        field = smooth_field(tuple(e.subs(eq.lhs, eq.rhs) for e in integrand))
        if field is None:
            continue
        J = jacobian_at(field)
        verdict, cond = decide(hurwitz_conditions(charpoly_coeffs(J)))
        if verdict is True:
            conditions.append(eq)
        elif verdict is None:
            conditions.append(sp.And(eq, cond))
    return sp.Or(*conditions) if conditions else None


# what each type of classify_2x2 says about trajectories near a one-sided equilibrium
_TYPE_WORDS = {
    "stable node": "stable nodes: trajectories can settle on a non-Nash point",
    "stable degenerate node": "stable degenerate nodes: trajectories can settle on a non-Nash "
                              "point",
    "unstable node": "unstable nodes: they repel, so no trajectory settles on them",
    "unstable degenerate node": "unstable degenerate nodes: they repel, so no trajectory settles "
                                "on them",
    "stable focus": "stable foci: trajectories spiral towards them, cross psi = 0 and may close "
                    "into a limit cycle",
    "unstable focus": "unstable foci: trajectories spiral away from them across psi = 0, so none "
                      "settles on them",
    "saddle": "saddles: trajectories leave them except along one direction",
    "centre": "centres of the one-sided field: its closed orbits around them are cut by psi = 0",
    "degenerate (a zero eigenvalue)": "degenerate (a zero eigenvalue): the linearization decides "
                                      "nothing",
    "degenerate": "degenerate (zero trace, a real double eigenvalue): the linearization decides "
                  "nothing",
}


def _nonsmooth_words(types: list) -> str:
    """The behaviour near the one-sided equilibria, in words taken from their types (an
    unstable node or focus attracts nothing, whatever the suffix of its name)."""
    if not types:
        return "no one-sided equilibrium on psi = 0: the global behaviour is left to the ODE oracle"
    kinds = sorted(set(types))
    if any(k not in _TYPE_WORDS for k in kinds):
        return ("the type of the one-sided equilibria " + "; ".join(kinds) + "; whether "
                "trajectories settle off the Nash point or cycle is decided by the ODE oracle")
    words = "; ".join(_TYPE_WORDS[k] for k in kinds)
    if kinds in (["stable node"], ["stable degenerate node"], ["stable focus"]):
        return "the one-sided equilibria (off the Nash point) are " + words
    return ("the one-sided equilibria (off the Nash point) are " + words + "; where trajectories "
            "go is decided by the ODE oracle")
