"""A method bound to its f, generator loss and parameter values: the vector field.

For a spec with objective L, generator loss L_G and discriminator loss L_D
(minus its penalty), the gradient vector field is

    v(theta, psi) = (-dL_G/dtheta, +dL_D/dpsi),

with the consensus transform v <- v - gamma grad(1/2 |v|^2) where the spec asks
for it, and with an expectation over Gaussian noise where the spec has noise.
Everything is derived once per (method, f, generator) with every parameter a
symbol, then the given values are substituted.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import sympy as sp

from .._errors import InputError
from .fparse import parse_f
from .._symbols import T, Softplus, general_f_derivative
from .._symbols import PSI, THETA, F
from .catalogue import MethodSpec, get_spec

__all__ = ["Method", "method", "compiled_field", "require_concrete_f", "Derived", "derive", "gaussian_expectation", "expectation_integral"]

_F_CHOICES = "logistic, general or an expression in t"


@dataclass(frozen=True)
class Derived:
    """The symbolic field of one (method, f, generator), every parameter a symbol.

    ``integrand`` is the field before the expectation over the noise symbols in
    ``noise`` (equal to the field where there is no noise).
    """

    spec: MethodSpec
    f: str
    generator: str
    integrand: tuple[sp.Expr, sp.Expr]
    noise: tuple[tuple[sp.Symbol, sp.Expr], ...]
    loss_g: sp.Expr
    loss_d: sp.Expr


def _f_impl(f: str):
    """A callable that builds f(arg) for the chosen f, and its canonical name."""
    if f == "logistic":
        return (lambda arg: -Softplus(-arg)), "logistic"
    if f == "general":
        return general_f_derivative(0), "general"
    expr = parse_f(f, canonical=True)  # m.f is the canonical string of an accepted f
    return (lambda arg: expr.subs(T, arg)), str(expr)


def _check_custom_f(f: str) -> None:
    expr = parse_f(f)
    values = []
    for order in range(3):
        value = sp.diff(expr, T, order).subs(T, 0)
        value = sp.simplify(value)
        if not value.is_finite or value.has(sp.zoo, sp.nan) or value.is_real is False:
            what = "f(0)" if order == 0 else "f" + "'" * order + "(0)"
            raise InputError(f"The 'f' option must be smooth at t = 0. Got {f!r} instead: "
                             f"{what} is not a finite real number ({value}).")
        values.append(value)
    if values[1].is_zero or (values[1].is_number and abs(sp.N(values[1], 50)) < sp.Float("1e-40")):
        raise InputError(f"The 'f' option must have f'(0) != 0 (every result of Mescheder et al. "
                         f"2018 needs it: with f'(0) = 0 the field vanishes to first order at the "
                         f"equilibrium). Got {f!r} instead, whose f'(0) = {values[1]}.")


def gaussian_expectation(expr: sp.Expr, noise) -> sp.Expr:
    """E[expr] for independent Gaussian noise, where expr is a polynomial in the noise.

    Uses the moments E[eps^n] = sigma^n (n - 1)!! for even n and 0 for odd n.

    Parameters
    ----------
    expr : sympy.Expr
        Polynomial in the noise symbols (other symbols are coefficients).
    noise : sequence of (Symbol, Expr)
        The noise symbols and their standard deviations.

    Returns
    -------
    sympy.Expr
        The expectation.
    """
    if not noise:
        return expr
    symbols = [eps for eps, _ in noise]
    poly = sp.Poly(sp.expand(expr), *symbols)
    total = sp.S.Zero
    for powers, coeff in poly.terms():
        term = coeff
        for (eps, sd), n in zip(noise, powers):
            term *= 0 if n % 2 else sd ** n * sp.factorial2(n - 1)
        total += term
    return sp.simplify(total)


def expectation_integral(expr: sp.Expr, noise) -> sp.Expr:
    """E[expr] over the noise as an unevaluated SymPy integral against the Gaussian density."""
    for eps, sd in noise:
        density = sp.exp(-eps ** 2 / (2 * sd ** 2)) / (sp.sqrt(2 * sp.pi) * sd)
        expr = sp.Integral(expr * density, (eps, -sp.oo, sp.oo))
    return expr


@lru_cache(maxsize=None)
def derive(spec: MethodSpec, f: str, generator: str) -> Derived:
    """Derive the field of a method spec with every parameter a symbol (cached per spec)."""
    impl, name = _f_impl({"t": "t", "logistic": "logistic", "none": "t"}.get(spec.builtin_f, f)
                         if spec.builtin_f else f)
    def bind(expr: sp.Expr) -> sp.Expr:
        return expr.replace(F, impl)

    objective = bind(spec.objective)
    if generator == "non-saturating":
        loss_g = bind(spec.nonsaturating_loss_g)
    else:
        loss_g = bind(spec.loss_g) if spec.loss_g is not None else objective
    loss_d = bind(spec.loss_d) if spec.loss_d is not None else objective
    loss_g = loss_g + bind(spec.g_penalty)
    if spec.g_grad_penalty is not None:
        loss_g = loss_g + spec.g_grad_penalty * sp.diff(objective, PSI) ** 2
    loss_d = loss_d - bind(spec.d_penalty)
    v = [-sp.diff(loss_g, THETA), sp.diff(loss_d, PSI)]
    if spec.consensus is not None:
        half_norm = (v[0] ** 2 + v[1] ** 2) / 2
        v = [v[0] - spec.consensus * sp.diff(half_norm, THETA),
             v[1] - spec.consensus * sp.diff(half_norm, PSI)]
    for adjust in spec.adjustments:
        v = list(adjust(v, loss_g, loss_d))
    return Derived(spec=spec, f=name, generator=generator, integrand=(v[0], v[1]),
                   noise=spec.noise, loss_g=loss_g, loss_d=loss_d)


class Method:
    r"""A catalogue method with its f, generator loss and parameter values.

    Build it with :func:`method`. ``vector_field`` is the SymPy field
    :math:`v(\theta, \psi) = (-\partial L_G/\partial\theta, \partial L_D/\partial\psi)`
    in which omitted parameters stay symbols; ``field`` evaluates it on NumPy
    arrays, with omitted parameters at their catalogue defaults.
    """

    def __init__(self, spec: MethodSpec, f: str, generator: str, values: dict):
        self.spec = spec
        self.id = spec.id
        self.f = f
        self.generator = generator
        self.values = dict(values)
        self._key = (spec, f, generator, tuple(sorted(self.values.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Method) and other._key == self._key

    def __add__(self, other):
        """``method + stabgan.penalty(...)``: the method with the penalty added (the penalty
        says how, by its ``add_to``)."""
        add_to = getattr(other, "add_to", None)
        return NotImplemented if add_to is None else add_to(self)

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        args = [repr(self.id)] + [f"{k}={v}" for k, v in sorted(self.values.items())]
        if self.spec.takes_f:
            args.append(f"f={self.f!r}")
        if self.generator != "minimax" and self.spec.generator_options:
            args.append(f"generator={self.generator!r}")
        return f"stabgan.method({', '.join(args)})"

    @property
    def derived(self) -> Derived:
        """The field with every parameter a symbol."""
        return derive(self.spec, self.f, self.generator)

    @property
    def symbols(self) -> dict:
        """The parameter symbols, by name."""
        return {p.name: p.symbol for p in self.spec.parameters}

    @property
    def params(self) -> dict:
        """Every parameter: its exact value where given, else its symbol."""
        return {p.name: self.values.get(p.name, p.symbol) for p in self.spec.parameters}

    @property
    def substitution(self) -> dict:
        """Symbol -> value for the given parameters."""
        return {p.symbol: self.values[p.name] for p in self.spec.parameters if p.name in self.values}

    @property
    def numeric_params(self) -> dict:
        """Every parameter as a float: its value where given, else its catalogue default."""
        return {p.name: float(self.values.get(p.name, p.default)) for p in self.spec.parameters}

    def subs(self, expr: sp.Expr) -> sp.Expr:
        """Substitute the given parameter values into ``expr``."""
        return expr.subs(self.substitution) if self.substitution else expr

    @cached_property
    def integrand(self) -> tuple[sp.Expr, sp.Expr]:
        """The field before the expectation over the noise, parameters substituted.

        Where a penalty's |psi| leaves no jump at psi = 0 for the given values
        (dragan with k = 0), |psi| sign(psi) is written as psi.
        """
        from .jumps import smooth_field
        field = tuple(self.subs(e) for e in self.derived.integrand)
        return smooth_field(field) or field

    @property
    def noise(self) -> tuple:
        """The noise symbols and their standard deviations, parameters substituted."""
        return tuple((eps, self.subs(sd)) for eps, sd in self.derived.noise)

    @cached_property
    def vector_field(self) -> tuple[sp.Expr, sp.Expr]:
        r"""The SymPy field :math:`(v_\theta, v_\psi)` in the symbols ``theta``, ``psi``.

        Where the method has instance noise the components are unevaluated
        integrals against the Gaussian density.
        """
        return tuple(expectation_integral(e, self.noise) for e in self.integrand)

    def field(self, theta, psi) -> tuple[np.ndarray, np.ndarray]:
        r"""Evaluate :math:`v(\theta, \psi)` on NumPy arrays (broadcasting).

        Parameters
        ----------
        theta, psi : array_like
            Generator and discriminator parameters; they broadcast together.

        Returns
        -------
        (ndarray, ndarray)
            :math:`v_\theta` and :math:`v_\psi`. Omitted parameters take their
            catalogue defaults. Logistic terms are evaluated through
            ``expit``/``logaddexp``, so large :math:`|\theta\psi|` gives no overflow.
        """
        return compiled_field(self)(theta, psi)


def require_concrete_f(m: Method) -> None:
    """InputError for numeric work on a method whose f is ``general`` (it has no value)."""
    if m.f == "general":
        raise InputError("Numeric work needs a concrete f: f = 'general' has no numeric value. "
                         "Use f = 'logistic' or an expression in t.")


def compiled_field(m: Method, step: float | None = None):
    """A NumPy function ``(theta, psi) -> (v_theta, v_psi)`` for method ``m``.

    Parameters
    ----------
    m : Method
        The method; omitted parameters take their catalogue defaults.
    step : float, optional
        Node spacing of the noise quadrature in z = eps / sigma (instance noise only;
        default :data:`stabgan.codegen.field.NOISE_STEP`).

    Returns
    -------
    callable
        Broadcasting over ``theta`` and ``psi``; evaluated with floating-point
        warnings suppressed (a non-finite value is a result, not a warning).
    """
    from .._symbols import PSI, THETA
    from ..codegen.field import NOISE_STEP, grouped_field
    d = m.derived
    params = tuple(p.symbol for p in m.spec.parameters)
    values = [m.numeric_params[p.name] for p in m.spec.parameters]
    field = grouped_field(d.integrand, d.noise, (THETA, PSI), params, values,
                          NOISE_STEP if step is None else step)
    field.__doc__ = (f"v(theta, psi) of {m!r}: arguments theta, psi (arrays, broadcasting); "
                     f"parameters {m.numeric_params}.")
    return field


def method(method_id: str | MethodSpec, *, f: str | None = None, generator: str = "minimax",
           **params) -> Method:
    r"""Build a catalogue method with exact parameter values.

    Parameters
    ----------
    method_id : str or MethodSpec
        A catalogue id (see :func:`methods`), or a spec of your own (a
        :class:`MethodSpec`, e.g. ``dataclasses.replace`` of a catalogue entry).
    f : str, optional
        ``"logistic"`` (default, :math:`f(t) = -\log(1 + e^{-t})`), ``"general"``
        (results in the symbols ``fp0`` = f'(0), ``fpp0`` = f''(0), ...), or an
        expression in ``t`` such as ``"t - t**3/3"`` (parsed by a whitelist, never
        evaluated as Python). Only for methods whose f is not built in.
    generator : {"minimax", "non-saturating"}
        The generator's loss, for the methods that accept the option.
    **params : int, float, Fraction or str
        Method parameters; each becomes an exact rational (``0.3`` and ``"0.3"``
        mean 3/10). An omitted parameter stays a symbol in symbolic results and
        takes its catalogue default in numeric work.

    Returns
    -------
    Method
        The bound method.

    Raises
    ------
    InputError
        For an unknown id, parameter, value out of range, or an f that is refused.

    Examples
    --------
    >>> m = method("r1", gamma=0.3)
    >>> m.params
    {'gamma': 3/10}
    """
    spec = method_id if isinstance(method_id, MethodSpec) else get_spec(method_id)
    if f is not None and not spec.takes_f:
        what = {"t": "has f(t) = t built in", "logistic": "has the logistic f built in",
                "none": "uses the raw discriminator output and has no f"}[spec.builtin_f]
        raise InputError(f"The 'f' option is not accepted by method '{spec.id}': it {what}. "
                         f"Got {f!r}.")
    if spec.takes_f:
        f = "logistic" if f is None else f
        if not isinstance(f, str):
            raise InputError(f"The 'f' option of method '{spec.id}' must be {_F_CHOICES}. "
                             f"Got {f!r} instead.")
        f = f.strip()
        if f not in ("logistic", "general"):
            _check_custom_f(f)
            f = str(parse_f(f))
    else:
        f = spec.builtin_f
    allowed_generators = spec.generator_options or ("minimax",)
    if generator not in allowed_generators:
        raise InputError(f"The 'generator' option of method '{spec.id}' must be one of "
                         f"{', '.join(allowed_generators)}. Got {generator!r} instead.")
    names = [p.name for p in spec.parameters]
    values = {}
    for name, value in params.items():
        if name not in names:
            accepted = ", ".join(names) if names else "none"
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise InputError(f"Unknown parameter {name!r} for method '{spec.id}': the accepted "
                             f"parameters are {accepted}.{hint}")
        values[name] = spec.parameter(name).validate(value, f"method '{spec.id}'")
    return Method(spec, f, generator, values)
