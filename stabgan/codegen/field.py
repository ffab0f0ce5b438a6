"""The field evaluated on arrays: terms grouped by noise variable, noise by quadrature.

A field component is a sum of terms; under instance noise each term depends on at most one
of the independent N(0, sigma^2) noise variables (the real or the fake sample's noise), so
the component is compiled as one group of terms per noise variable and each group is
integrated over its own variable only.

Instance noise is an expectation over independent N(0, sigma^2) variables. Each
term of the field depends on one of them only (the real or the fake sample's
noise), so each is a one-dimensional integral, computed deterministically (no
sampling) by the trapezoidal rule in the standardized variable z = eps / sigma:

    E[g(eps)] = sum_{j=-J}^{J} H phi(z_j) g(sigma z_j),   z_j = j H,
    H = :data:`NOISE_STEP` = 0.1, J H = :data:`NOISE_RANGE` = 9  (181 nodes).

For a Gaussian-weighted integrand that is analytic in a strip |Im z| < d the
error of this rule is about exp(-2 pi d / H); the sigmoid terms have poles at
distance d = pi / (|psi| sigma), so the error is about exp(-2 pi^2 / (H |psi| sigma))
and the truncation at |z| = 9 adds about 1e-18. Measured against mpmath
quadrature at 30 digits (tests/test_numeric.py): below 1e-12 absolute for
|theta| <= 3 and |psi| sigma <= 4.5 (e.g. |psi| <= 3, sigma <= 1.5); the bound
above says it stays below 1e-12 up to |psi| sigma of about 7 and degrades beyond.
Gauss-Hermite quadrature was measured first and rejected: the same poles make it
converge slowly (160 nodes: 3e-8, 240 nodes: 5e-10), and NumPy's nodes overflow
past about 360.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from .kernels import lambdify_numpy

__all__ = ["NOISE_STEP", "NOISE_RANGE", "noise_nodes", "group_by_noise", "grouped_field",
           "expectation_sum", "component_functions"]

#: Node spacing and half-width of the trapezoidal rule in z = eps / sigma.
NOISE_STEP = 0.1
NOISE_RANGE = 9.0


@lru_cache(maxsize=None)
def noise_nodes(step: float = NOISE_STEP, half_width: float = NOISE_RANGE):
    """Nodes z_j and weights H phi(z_j) of the trapezoidal rule for E over N(0, 1)."""
    count = int(round(half_width / step))
    z = np.arange(-count, count + 1) * step
    return z, step * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)


def group_by_noise(expr: sp.Expr, noise: tuple) -> list[tuple[tuple, sp.Expr]]:
    """``expr`` as [(noise variables, sum of the terms that depend on exactly those)], the
    group without noise first. Raises NotImplementedError for a term coupling two variables.

    Parameters
    ----------
    expr : sympy.Expr
        One component of the integrand.
    noise : tuple of sympy.Symbol
        The noise variables.
    """
    groups: dict[tuple, sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(expr) if noise else expr):
        key = tuple(eps for eps in noise if term.has(eps))
        groups[key] = groups.get(key, sp.S.Zero) + term
    out = sorted(groups.items(), key=lambda kv: len(kv[0]))
    if any(len(key) > 1 for key, _ in out):
        raise NotImplementedError("terms that couple two noise variables")
    return out


@lru_cache(maxsize=None)
def _compiled(integrand: tuple, noise: tuple, state: tuple, params: tuple, step: float):
    """Each component as [(noise key, compiled group)], the noise standard deviations as
    functions of the parameters, and the quadrature nodes."""
    sds = {eps: lambdify_numpy(params, sd) for eps, sd in noise}
    variables = tuple(eps for eps, _ in noise)
    components = [[(key, lambdify_numpy([*state, *key, *params], e))
                   for key, e in group_by_noise(expr, variables)] for expr in integrand]
    z, w = noise_nodes(step)
    return components, sds, z, w


def expectation_sum(groups, nodes, evaluate, out, scratch):
    r"""Write into ``out`` the sum over the groups of each group's expectation over its noise.

    .. math:: \text{out} = \sum_{(k, g)} \mathbb{E}_{\epsilon_k}\, g(\epsilon_k)
              = \sum_{(k, g)} \sum_j w_j\, g(\sigma_k z_j)

    A group without a noise variable is evaluated once (weight 1). This is the one place the
    quadrature is summed: :func:`grouped_field` (``Method.field``, the ODE) and the
    simulator's chunk evaluator (:class:`stabgan.oracles.fields.ChunkField`) both call it, so
    they add the same terms in the same order.

    Parameters
    ----------
    groups : sequence of (tuple, object)
        Each noise key (empty, or the one noise variable) with what ``evaluate`` evaluates.
    nodes : mapping
        Each noise variable to its quadrature points, a sequence of (eps value, weight).
    evaluate : callable
        ``evaluate(g, eps, dest)`` writes g at the noise value ``eps`` (None without noise)
        into ``dest``.
    out, scratch : numpy.ndarray
        The result and a work array of the same shape.

    Returns
    -------
    numpy.ndarray
        ``out`` (zeros when there is no group).
    """
    first = True
    for key, g in groups:
        for eps, weight in (nodes[key[0]] if key else ((None, None),)):
            dest = out if first else scratch
            evaluate(g, eps, dest)
            if weight is not None:
                np.multiply(dest, weight, out=dest)
            if not first:
                np.add(out, scratch, out=out)
            first = False
    if first:
        out.fill(0)
    return out


def grouped_field(integrand: tuple, noise: tuple, state: tuple, params: tuple, values: list,
                  step: float = NOISE_STEP):
    r"""A NumPy function ``(theta, psi) -> components`` for a field given as expressions.

    .. math:: v_c(\theta, \psi) = \mathbb{E}_{\epsilon}\, g_c(\theta, \psi, \epsilon)

    Parameters
    ----------
    integrand : tuple of sympy.Expr
        The components g_c, in the state, the noise variables and the parameters.
    noise : tuple of (sympy.Symbol, sympy.Expr)
        Each noise variable with its standard deviation (an expression in the parameters).
    state : tuple of sympy.Symbol
        The two state symbols (theta, psi), in argument order.
    params : tuple of sympy.Symbol
        The parameters, in the order of ``values``.
    values : list of float
        The parameters' numeric values.
    step : float
        Node spacing of the noise quadrature in z = eps / sigma.

    Returns
    -------
    callable
        Broadcasting over ``theta`` and ``psi``; evaluated with floating-point warnings
        suppressed (a non-finite value is a result, not a warning).
    """
    components, sds, z, w = _compiled(tuple(integrand), tuple(noise), tuple(state),
                                      tuple(params), step)

    def field(theta, psi):
        theta, psi = np.broadcast_arrays(np.asarray(theta, dtype=float),
                                         np.asarray(psi, dtype=float))
        with np.errstate(all="ignore"):
            nodes = {eps: [(float(sigma * zj), float(wj)) for zj, wj in zip(z, w)]
                     for eps, sigma in ((eps, float(sd(*values))) for eps, sd in sds.items())}

            def evaluate(fn, eps, dest):
                dest[...] = fn(theta, psi, *(() if eps is None else (eps,)), *values)

            return tuple(expectation_sum(groups, nodes, evaluate, np.empty(theta.shape),
                                         np.empty(theta.shape)) for groups in components)

    return field


def component_functions(field: tuple, state: tuple, params: tuple) -> list:
    """The compiled functions ``fn(theta, psi, *params)`` of a field without noise, one per
    component: the ones :func:`grouped_field` evaluates (the same cache), for a caller that
    evaluates at scalar states many times (an ODE right-hand side) and handles broadcasting
    and floating-point warnings itself.

    Parameters
    ----------
    field : tuple of sympy.Expr
        The components, in the state and the parameters.
    state : tuple of sympy.Symbol
        The two state symbols (theta, psi), in argument order.
    params : tuple of sympy.Symbol
        The parameters, in argument order after the state.
    """
    components, _, _, _ = _compiled(tuple(field), (), tuple(state), tuple(params), NOISE_STEP)
    # without noise each component is one group, the one without a noise variable
    return [groups[0][1] for groups in components]
