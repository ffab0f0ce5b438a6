r"""The closed forms the static page evaluates, derived by the package with every method
parameter a symbol (the page's sliders give their values).

For a method with field :math:`v(\theta, \psi; p)` (parameters :math:`p`) this collects:

* the field itself, grouped by noise variable where the method has instance noise
  (:func:`stabgan.codegen.field.group_by_noise`; the page takes the expectation with the
  simulator's trapezoidal rule, :func:`stabgan.codegen.field.noise_nodes`), and the box
  constraint on :math:`\psi` (WGAN's clipping);
* the Jacobian :math:`J(p) = v'(0, 0)` (:func:`stabgan.analysis.continuous.jacobian_at`) and
  the Routh-Hurwitz conditions on :math:`\det(\lambda I - J)`; for a field with
  :math:`|\psi|` or :math:`\operatorname{sign}\psi` the condition on :math:`p` under which
  it does not jump at :math:`\psi = 0` (there :math:`J` is the one-sided field's) and the
  one-sided equilibria :math:`(\theta^*(p), 0^\pm)` with their Jacobians;
* for each discrete scheme of the page, the update operator's Jacobian :math:`M(h, p) =
  F'(0, 0)` with :math:`h_g = h_d = h` (:func:`stabgan.schemes.scheme.update_jacobian`),
  the Schur-Cohn conditions on :math:`\det(zI - M)` and, for :math:`h_{\max}`, the boundary
  polynomials in :math:`h` that ``step_size_bounds`` cuts :math:`(0, \infty)` with (the
  conditions, :math:`p(1)`, :math:`p(-1)`, the discriminant), each factored over the
  parameters into polynomials in :math:`h` whose coefficients are expressions in :math:`p`;
* the LaTeX of :func:`stabgan.analyze` (``Analysis.to_latex()``) with the parameters and h
  as symbols, so that it holds at every position of the sliders.

Nothing here is a result typed in: each object is the package's own derivation.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from .._errors import InputError
from .._options import Parameter
from .._symbols import H_SYMBOL, PSI, THETA
from ..analysis.analyze import _jump_zero_set, analyze
from ..analysis.continuous import charpoly_coeffs, jacobian_at
from ..analysis.criteria import hurwitz_conditions, schur_conditions
from ..analysis.discrete import charpoly
from ..codegen.field import group_by_noise
from ..model.jumps import is_nonsmooth, one_sided_fields
from ..model.method import Method, method
from ..schemes.scheme import make_scheme, update_jacobian
from ._target import PAGE_SCHEMES

__all__ = ["PAGE_SCHEMES", "Boundary", "DiscreteForms", "Side", "PageForms", "page_forms"]



@dataclass(frozen=True)
class Boundary:
    """One boundary expression of ``step_size_bounds`` as polynomials in h.

    Attributes
    ----------
    schur : bool
        Whether it is a Schur-Cohn condition (a root then ends a stable run).
    factors : tuple of tuple of sympy.Expr
        The factors of its numerator that contain h, each as its coefficients in h
        (highest degree first), expressions in the parameters.
    """

    schur: bool
    factors: tuple


@dataclass(frozen=True)
class DiscreteForms:
    """A discrete scheme's closed forms: ``M`` (2 x 2, in h and the parameters), the
    Schur-Cohn conditions (all > 0 iff convergent), the boundaries, the LaTeX."""

    name: str
    M: sp.Matrix
    schur: tuple
    boundaries: tuple
    latex: str


@dataclass(frozen=True)
class Side:
    """A one-sided field's equilibria on psi = 0: (theta*, residual of v_theta there, J)."""

    name: str
    equilibria: tuple


@dataclass(frozen=True)
class PageForms:
    """Everything the page evaluates (see the module docstring)."""

    method: Method
    parameters: tuple
    values: dict
    field_groups: tuple
    noise_sd: tuple
    clip: tuple
    smooth_where: sp.Basic
    J: sp.Matrix
    hurwitz: tuple
    sides: tuple
    latex: str
    schemes: dict
    altgd: dict


def _refuse(m: Method, why: str) -> InputError:
    return InputError(f"Method '{m.id}' cannot be put on a static page: {why}.")


def _noise_groups(m: Method) -> tuple[tuple, tuple]:
    """Each component as ((noise index or None, terms), ...), and the noise's deviations."""
    d = m.derived
    variables = tuple(eps for eps, _ in d.noise)
    try:
        groups = tuple(tuple((variables.index(key[0]) if key else None, expr)
                             for key, expr in group_by_noise(e, variables))
                       for e in d.integrand)
    except NotImplementedError as exc:
        raise _refuse(m, f"its field has {exc}, which the page's quadrature (one noise "
                         f"variable per term) cannot take") from None
    return groups, tuple(sd for _, sd in d.noise)


def _boundaries(coeffs: list, conditions: list) -> tuple:
    """The boundary expressions of ``step_size_bounds`` (same list, same order), factored."""
    h = H_SYMBOL
    n = len(coeffs) - 1
    exprs = list(conditions) + [sum(coeffs),
                                sum(c * (-1) ** (n - k) for k, c in enumerate(coeffs))]
    if n == 2:
        exprs.append(coeffs[1] ** 2 - 4 * coeffs[2])
    out = []
    for k, expr in enumerate(exprs):
        num, _ = sp.fraction(sp.together(sp.expand(expr)))
        try:
            factors = [f for f, _ in sp.factor_list(num)[1]]
        except (sp.PolynomialError, NotImplementedError):
            factors = [num]
        polys = tuple(tuple(sp.Poly(f, h).all_coeffs()) for f in factors if f.has(h))
        out.append(Boundary(schur=k < len(conditions), factors=polys))
    return tuple(out)


def _sides(integrand) -> tuple:
    """The one-sided equilibria on psi = 0 with their Jacobians, the parameters symbols
    (what ``analyze`` derives for given values, derived once for all of them)."""
    out = []
    for name, piece in zip(("psi->0+", "psi->0-"), one_sided_fields(integrand)):
        on_axis = [sp.simplify(e.subs(PSI, 0)) for e in piece]
        try:
            roots = sp.solve(on_axis[1], THETA)
        except NotImplementedError:
            roots = []
        eqs = tuple((sp.simplify(r), sp.simplify(on_axis[0].subs(THETA, r)),
                     jacobian_at(piece, point=(r, 0))) for r in roots)
        out.append(Side(name=name, equilibria=eqs))
    return tuple(out)


def _values(m: Method) -> dict:
    """The sliders' first values: as given, else the catalogue default (floats)."""
    return {p.name: float(m.values.get(p.name, p.default)) for p in m.spec.parameters}


def page_forms(m: Method, n_g: int = 1, n_d: int = 1,
               order: str = "generator-first") -> PageForms:
    r"""Derive the closed forms of the static page for method ``m``.

    Parameters
    ----------
    m : Method
        The method; its given parameter values are the sliders' first values (else the
        catalogue defaults). Everything else is derived with every parameter a symbol.
    n_g, n_d : int
        AltGD's generator and discriminator steps per round.
    order : {"generator-first", "discriminator-first"}
        AltGD's order.

    Returns
    -------
    PageForms
        Field, Jacobians, conditions, boundaries and LaTeX, in the parameter symbols
        :math:`p` and the step :math:`h` (:math:`h_g = h_d = h`).

    Raises
    ------
    InputError
        For f = "general" (no numeric value), a field the quadrature cannot take, or bad
        AltGD options.
    """
    if m.f == "general":
        raise _refuse(m, "with f = 'general' the field has no numeric value; use f = "
                         "'logistic' or an expression in t")
    altgd = {"n_g": n_g, "n_d": n_d, "order": order}
    make_scheme("altgd", **altgd)   # a bad option is named before any work
    d = m.derived
    general = method(m.spec, f=m.f if m.spec.takes_f else None, generator=m.generator)
    groups, sds = _noise_groups(m)
    integrand = d.integrand
    jumps = is_nonsmooth(integrand)
    if jumps is False:
        smooth_where, piece = sp.true, integrand
        if any(e.has(sp.Abs(PSI)) or e.has(sp.sign(PSI)) for e in integrand):
            piece = one_sided_fields(integrand)[0]
        sides = ()
    else:
        plus, minus = one_sided_fields(integrand)
        smooth_where = sp.false if jumps else _jump_zero_set(plus, minus)
        if smooth_where.free_symbols & {THETA, PSI}:
            smooth_where = sp.false    # the jump vanishes only on a curve: no Jacobian
        piece, sides = plus, _sides(integrand)
    J = jacobian_at(piece, noise=d.noise)
    hurwitz = tuple(hurwitz_conditions(charpoly_coeffs(J)))
    schemes = {}
    for name in PAGE_SCHEMES[1:]:
        scheme = make_scheme(name, **(altgd if name == "altgd" else {}))
        M = update_jacobian(J, scheme.with_step(H_SYMBOL)).applyfunc(sp.expand)
        coeffs = charpoly(M)
        conditions = schur_conditions(coeffs)
        latex = analyze(general, scheme=name,
                        **(altgd if name == "altgd" else {})).to_latex()
        schemes[name] = DiscreteForms(name=name, M=M, schur=tuple(conditions),
                                      boundaries=_boundaries(coeffs, conditions), latex=latex)
    clip = tuple((lo, hi) for coord, lo, hi in m.spec.constraints if coord == "psi")
    return PageForms(method=m, parameters=tuple(m.spec.parameters), values=_values(m),
                     field_groups=groups, noise_sd=sds, clip=clip, smooth_where=smooth_where,
                     J=J, hurwitz=hurwitz, sides=sides, latex=analyze(general).to_latex(),
                     schemes=schemes, altgd=altgd)


def slider_range(p: Parameter, value: float) -> tuple[float, float, float]:
    """(start, end, step) of a parameter's slider: its allowed range, cut to
    [-span, span] with span = max(5, 2 |default|, 2 |value|), in 500 steps; an open end
    moves in by one step."""
    span = float(max(5, 2 * abs(Fraction(p.default)), 2 * abs(Fraction(value).limit_denominator())))
    span = float(int(span) + (span > int(span)))
    step = span / 500
    start = -span if p.low is None else float(p.low) + (0 if p.low_closed else step)
    end = span if p.high is None else float(p.high) - (0 if p.high_closed else step)
    return min(start, value), max(end, value), step
