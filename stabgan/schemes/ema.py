r"""The exponential moving average of the weights (EMA), written once for both backends.

After every step of any scheme the average is updated from the new iterate,

.. math:: \bar x_{k+1} = \beta \bar x_k + (1 - \beta) x_{k+1}, \qquad \bar x_0 = x_0,
          \qquad \beta \in [0, 1),

and never fed back: the raw iterate is unchanged. So the average is a linear filter of the
raw iterate, and what it does is derived here from that filter, not typed in:

* :func:`ema_jacobian` runs the scheme's update rule on :math:`v(x) = J x` with the average
  carried along (the same rule :func:`~stabgan.schemes.rules.period_jacobian` runs), which
  gives the joint update operator on (state, :math:`\bar x`) over one period;
* :func:`ema_transfer` solves the filter's recurrence for its steady response
  :math:`\bar x_k = G(z) z^k` to a mode :math:`x_k = z^k` of the raw iterate (its transfer
  function), and :func:`ema_gain_on_circle` its modulus at :math:`z = e^{i\omega}`: the
  ratio of the average's amplitude to the raw iterate's on a cycle.

References
----------
Polyak and Juditsky (1992) for iterate averaging; Yazici et al., "The unusual effectiveness
of averaging in GAN training", ICLR 2019, for the EMA of GAN weights.
"""
from __future__ import annotations

import sympy as sp

from .rules import COORDINATES, LinearOps, carried, step

__all__ = ["ema_update", "ema_jacobian", "ema_transfer", "ema_gain_on_circle", "Z", "OMEGA",
           "BETA"]

#: The symbols of the transfer function: a mode z, its angle omega on the unit circle, beta.
Z = sp.Symbol("z")
OMEGA = sp.Symbol("omega", real=True)
BETA = sp.Symbol("beta", nonnegative=True)


def ema_update(beta, one_minus_beta, average, x) -> tuple:
    r"""One update of the average, :math:`\bar x' = \beta \bar x + (1 - \beta) x'`, on SymPy
    expressions or NumPy arrays (``one_minus_beta`` is given so that a float backend rounds
    :math:`1 - \beta` once, from the exact value)."""
    return tuple(beta * a + one_minus_beta * c for a, c in zip(average, x))


def ema_jacobian(lin, scheme, beta) -> sp.Matrix:
    r"""The Jacobian at the equilibrium of one period of ``scheme`` with the average carried
    along, on the state (the scheme's augmented state, then :math:`\bar\theta, \bar\psi`).

    Derived by running the update rule on :math:`v(x) = J x` and :func:`ema_update` after
    every step; its characteristic polynomial is the raw operator's times that of the
    filter's own part.

    Parameters
    ----------
    lin : Linearization
        The continuous Jacobian (``stabgan.schemes.rules.Linearization``).
    scheme : Scheme
        A linearizable scheme (not adam or rmsprop).
    beta : sympy.Expr
        The average's beta (a number or a symbol).

    Returns
    -------
    sympy.Matrix
        The joint operator's Jacobian.
    """
    names = carried(scheme)
    size = sum(len(COORDINATES[n]) for n in names)
    z = sp.symbols(f"z0:{size + 2}")
    state, i = {}, 0
    for name in names:
        k = len(COORDINATES[name])
        state[name] = tuple(z[i:i + k])
        i += k
    average = (z[size], z[size + 1])
    ops = LinearOps(lin, scheme)
    for phase in range(scheme.period):
        state = step(scheme, ops, state, phase)
        state = {name: tuple(sp.expand(c) for c in value) for name, value in state.items()}
        average = tuple(sp.expand(c) for c in ema_update(beta, 1 - beta, average, state["x"]))
    out = sp.Matrix([c for name in names for c in state[name]] + list(average))
    return out.jacobian(sp.Matrix(z)).applyfunc(sp.expand)


def ema_transfer() -> sp.Expr:
    r"""The transfer function G(z) of the average: the solution G of
    :math:`G z^{k+1} = \beta G z^k + (1 - \beta) z^{k+1}` (the response
    :math:`\bar x_k = G z^k` of the filter to the mode :math:`x_k = z^k`), in the symbols
    :data:`Z` and :data:`BETA`."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    G = sp.Symbol("G")
    response = G * Z ** k
    recurrence = sp.Eq(response.subs(k, k + 1),
                       BETA * response + (1 - BETA) * Z ** (k + 1))
    (solution,) = sp.solve(recurrence, G)
    return sp.factor(sp.simplify(sp.powsimp(sp.expand_power_exp(solution))))


def ema_gain_on_circle() -> sp.Expr:
    r""":math:`|G(e^{i\omega})|`: on a cycle of the raw iterate with angle :math:`\omega`
    per step, the average's amplitude relative to the raw iterate's (from
    :math:`|G|^2 = G(e^{i\omega}) G(e^{-i\omega})`, beta real)."""
    G = ema_transfer()
    square = sp.together(G.subs(Z, sp.exp(sp.I * OMEGA)) * G.subs(Z, sp.exp(-sp.I * OMEGA)))
    num, den = (sp.powsimp(sp.expand(e * sp.exp(-sp.I * OMEGA))) for e in sp.fraction(square))
    return sp.sqrt(sp.factor(num)) / sp.sqrt(sp.simplify(den.rewrite(sp.cos)))
