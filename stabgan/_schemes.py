"""Discrete update schemes as data, and their linearization at the equilibrium.

A scheme is a sequence of sub-steps; each moves one player (or both) along the
field with its own step size, using the newest value of the other player:

* SimGD: one sub-step moving both, x <- x + H v(x), H = diag(h_g, h_d);
* AltGD (generator first): n_g generator steps theta <- theta + h_g v_theta, then
  n_d discriminator steps psi <- psi + h_d v_psi (``order="discriminator-first"``
  swaps the two blocks).

Every sub-step fixes the equilibrium, so by the chain rule the update operator's
Jacobian there is the product of the sub-steps' Jacobians I + P_k H J (P_k the
projection on the players that move), the later sub-step on the left.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._errors import InputError
from ._params import check_finite_number

__all__ = ["Scheme", "SubStep", "make_scheme", "update_jacobian", "H_SYMBOL", "HG_SYMBOL",
           "HD_SYMBOL", "ORDERS"]

#: The step sizes when left out: positive symbols.
H_SYMBOL = sp.Symbol("h", positive=True)
HG_SYMBOL = sp.Symbol("h_g", positive=True)
HD_SYMBOL = sp.Symbol("h_d", positive=True)
ORDERS = ("generator-first", "discriminator-first")
_MAX_STEPS = 50


@dataclass(frozen=True)
class SubStep:
    """One sub-step: which players move (``"both"``, ``"generator"``, ``"discriminator"``)."""

    players: str

    @property
    def mask(self) -> tuple[int, int]:
        """(1 if theta moves, 1 if psi moves)."""
        return {"both": (1, 1), "generator": (1, 0), "discriminator": (0, 1)}[self.players]


@dataclass(frozen=True)
class Scheme:
    """A discrete scheme: its name, sub-steps and step sizes (numbers or symbols)."""

    name: str
    substeps: tuple[SubStep, ...]
    h_g: sp.Expr
    h_d: sp.Expr
    n_g: int = 1
    n_d: int = 1
    order: str = "generator-first"

    @property
    def equal_steps(self) -> bool:
        """Whether h_g and h_d are the same (number or symbol h)."""
        return sp.simplify(self.h_g - self.h_d) == 0

    def describe(self) -> dict:
        """The scheme's options, for the JSON document."""
        out = {"h_g": sp.sstr(self.h_g), "h_d": sp.sstr(self.h_d)}
        if self.name == "altgd":
            out.update(n_g=self.n_g, n_d=self.n_d, order=self.order)
        return out


def _step(value, name: str):
    if value is None:
        return None
    exact = check_finite_number(value, f"The '{name}' option", "a number in (0, inf)")
    if exact <= 0:
        raise InputError(f"The '{name}' option must be a number in (0, inf). Got {value!r} instead.")
    return sp.Rational(exact.numerator, exact.denominator)


def _count(value, name: str) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, str) and value.strip().isdigit():
        value, ok = int(value.strip()), True
    if not ok or not 1 <= value <= _MAX_STEPS:
        raise InputError(f"The '{name}' option must be an integer in [1, {_MAX_STEPS}]. "
                         f"Got {value!r} instead.")
    return value


def make_scheme(name: str, h=None, h_g=None, h_d=None, n_g=1, n_d=1,
                order: str = "generator-first") -> Scheme:
    """Validate the options of a discrete scheme and build it.

    Parameters
    ----------
    name : {"simgd", "altgd"}
        The scheme.
    h : number, optional
        One step size for both players; left out (with h_g, h_d) it is the symbol h.
    h_g, h_d : number, optional
        The players' own step sizes (instead of h).
    n_g, n_d : int
        AltGD: generator and discriminator steps per round (1 to 50).
    order : {"generator-first", "discriminator-first"}
        AltGD: which player moves first.

    Returns
    -------
    Scheme
        The scheme with exact step sizes (or symbols).
    """
    if h is not None and (h_g is not None or h_d is not None):
        raise InputError("Give either the 'h' option or 'h_g' and 'h_d', not both. "
                         f"Got h={h!r}, h_g={h_g!r}, h_d={h_d!r}.")
    hv, hg, hd = _step(h, "h"), _step(h_g, "h_g"), _step(h_d, "h_d")
    if hv is not None:
        hg = hd = hv
    elif hg is None and hd is None:
        hg = hd = H_SYMBOL
    else:
        hg = HG_SYMBOL if hg is None else hg
        hd = HD_SYMBOL if hd is None else hd
    n_g, n_d = _count(n_g, "n_g"), _count(n_d, "n_d")
    if order not in ORDERS:
        raise InputError(f"The 'order' option must be one of {', '.join(ORDERS)}. "
                         f"Got {order!r} instead.")
    if name == "simgd":
        if (n_g, n_d) != (1, 1) or order != "generator-first":
            raise InputError("The 'n_g', 'n_d' and 'order' options belong to altgd; simgd moves "
                             f"both players at once. Got n_g={n_g}, n_d={n_d}, order={order!r}.")
        return Scheme("simgd", (SubStep("both"),), hg, hd)
    if name == "altgd":
        gen = (SubStep("generator"),) * n_g
        dis = (SubStep("discriminator"),) * n_d
        steps = gen + dis if order == "generator-first" else dis + gen
        return Scheme("altgd", steps, hg, hd, n_g, n_d, order)
    raise InputError(f"The 'scheme' option must be one of continuous, simgd, altgd. Got {name!r}.")


def update_jacobian(J: sp.Matrix, scheme: Scheme) -> sp.Matrix:
    """The update operator's Jacobian at the equilibrium: prod_k (I + P_k H J), last step left."""
    n = J.rows
    H = sp.diag(scheme.h_g, scheme.h_d)
    M = sp.eye(n)
    for step in scheme.substeps:
        P = sp.diag(*step.mask)
        M = (sp.eye(n) + P * H * J) * M
    return M.applyfunc(sp.expand)


def modified_field(field, scheme: Scheme):
    r"""The first-order modified vector field of backward error analysis (Rosca, Wu, Dherin,
    Barrett, ICML 2021, "Discretization drift in two-player games").

    One round of the scheme is the composition of its sub-steps x <- x + S_k v(x),
    S_k = P_k diag(h_g, h_d). Expanding in the step sizes,

        Phi(x) = x + F_1(x) + F_2(x) + O(h^3),   F_1 = sum_k S_k v,
        F_2 = sum_{i < j} S_j v'(x) S_i v   (later sub-steps see the earlier ones' move),

    and the flow of x' = (F_1 + F_2 - 1/2 F_1' F_1) / h over a time h matches Phi to O(h^3),
    so the iterates follow it to O(h^2) over a fixed time (h = h_g = h_d: one round takes a
    time h). SimGD: v - h/2 v' v; AltGD (generator first): the same plus h (0, dv_psi/dtheta v_theta).

    Returns
    -------
    tuple of sympy.Expr or None
        The modified field (v_theta, v_psi) in theta, psi and h; None where h_g != h_d.
    """
    from ._methods import PSI, THETA
    if not scheme.equal_steps:
        return None
    h = scheme.h_g
    x = sp.Matrix([THETA, PSI])
    v = sp.Matrix(list(field))
    J = v.jacobian(x)
    S = [sp.diag(*step.mask) * sp.diag(scheme.h_g, scheme.h_d) for step in scheme.substeps]
    F1 = sp.zeros(2, 1)
    F2 = sp.zeros(2, 1)
    for j, Sj in enumerate(S):
        for Si in S[:j]:
            F2 += Sj * J * Si * v
        F1 += Sj * v
    modified = (F1 + F2 - F1.jacobian(x) * F1 / 2) / h
    return tuple(sp.expand(e) for e in modified)
