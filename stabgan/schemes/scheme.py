"""Discrete update schemes as data, and their linearization at the equilibrium.

SimGD and AltGD are sequences of sub-steps; each moves one player (or both) along the
field with its own step size, using the newest value of the other player:

* SimGD: one sub-step moving both, x <- x + H v(x), H = diag(h_g, h_d);
* AltGD (generator first): n_g generator steps theta <- theta + h_g v_theta, then
  n_d discriminator steps psi <- psi + h_d v_psi (``order="discriminator-first"``
  swaps the two blocks).

Every sub-step fixes the equilibrium, so by the chain rule the update operator's
Jacobian there is the product of the sub-steps' Jacobians I + P_k H J (P_k the
projection on the players that move), the later sub-step on the left.

The schemes with memory or a period (extragradient, OGDA, heavy-ball momentum,
lookahead, lazy regularization) are the same data plus a few options; their update
rule is written once in ``stabgan.schemes.rules``, and their Jacobian is derived by running that rule
on the linearized field.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import sympy as sp

from .._errors import InputError
from .._options import ADAPTIVE, BASES, OPTIONS, ORDERS, SCHEMES, SIMULATE_SCHEMES, refuse_foreign
from .._symbols import H_SYMBOL, HD_SYMBOL, HG_SYMBOL

__all__ = ["Scheme", "SubStep", "make_scheme", "update_jacobian", "ORDERS", "SCHEMES", "BASES"]



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
    r"""A discrete scheme as data: what one step does, its step sizes and its memory.

    Attributes
    ----------
    name : str
        One of :data:`SCHEMES`.
    substeps : tuple of SubStep
        SimGD/AltGD (and lookahead's base): the players each sub-step moves.
    h_g, h_d : sympy.Expr
        The players' step sizes (numbers or the positive symbols h, h_g, h_d).
    n_g, n_d, order
        AltGD sub-steps per round and who moves first.
    momentum : sympy.Expr
        Heavy-ball coefficient beta in (-1, 1) (0: none): each player's step adds
        beta times its own last move.
    h_e : sympy.Expr or None
        Extragradient's extrapolation step (None: the update's own step sizes).
    base : str
        Lookahead: the scheme of the fast steps (simgd or altgd); else the scheme itself.
    lookahead_steps, lookahead_alpha
        Lookahead: k fast steps from the slow weights s, then s <- s + alpha (x - s), x <- s.
    lazy_every : int
        Lazy regularization: the penalty weight is 0 on k - 1 steps of every k and k times
        its value on the last (1: the method as given).
    rule : UpdateRule or None
        A rule of the user's own (``stabgan.update_rule``), run on both backends; None for
        the built-in rule of the scheme's kind.
    ema : sympy.Expr or None
        The weight average's beta in [0, 1): :math:`\bar x \leftarrow \beta \bar x +
        (1 - \beta) x` after every step, :math:`\bar x_0 = x_0` (None: no average). It reads
        the iterate and never feeds back into it.
    beta1, beta2, eps : sympy.Expr
        Adam's and RMSprop's constants (``stabgan.schemes.rules``); 0 for the other schemes.
    """

    name: str
    substeps: tuple[SubStep, ...]
    h_g: sp.Expr
    h_d: sp.Expr
    n_g: int = 1
    n_d: int = 1
    order: str = "generator-first"
    momentum: sp.Expr = sp.S.Zero
    h_e: sp.Expr | None = None
    base: str = ""
    lookahead_steps: int = 1
    lookahead_alpha: sp.Expr = sp.S.One
    lazy_every: int = 1
    rule: object = None
    ema: sp.Expr | None = None
    beta1: sp.Expr = sp.S.Zero
    beta2: sp.Expr = sp.S.Zero
    eps: sp.Expr = sp.S.Zero

    @property
    def equal_steps(self) -> bool:
        """Whether h_g and h_d are the same (number or symbol h)."""
        return sp.simplify(self.h_g - self.h_d) == 0

    @property
    def step_kind(self) -> str:
        """What one step is: simgd, altgd, extragradient or ogda (lookahead: its base)."""
        return self.base if self.name == "lookahead" else self.name

    @property
    def plain(self) -> bool:
        """SimGD or AltGD with no momentum, lookahead or lazy penalty."""
        return (self.name in BASES and self.momentum == 0 and self.lazy_every == 1)

    @property
    def period(self) -> int:
        """Steps after which the update rule repeats (lookahead and lazy periods)."""
        return math.lcm(self.lookahead_steps, self.lazy_every)

    @property
    def memory(self) -> tuple[str, ...]:
        """State carried from one period to the next besides x, as the update rule of the
        step kind declares it: the velocity u (momentum) or the previous field value g_prev
        (OGDA)."""
        from .rules import rule_of
        return rule_of(self).memory(self)

    def with_step(self, h: sp.Expr) -> "Scheme":
        """The same scheme with h_g = h_d = h (h_e following h where it was left out)."""
        return replace(self, h_g=h, h_d=h)

    def describe(self) -> dict:
        """The scheme's options, for the JSON document."""
        out = {"h_g": sp.sstr(self.h_g), "h_d": sp.sstr(self.h_d)}
        if self.step_kind == "altgd":
            out.update(n_g=self.n_g, n_d=self.n_d, order=self.order)
        if self.name == "extragradient":
            out["h_e"] = "h" if self.h_e is None else sp.sstr(self.h_e)
        if self.name == "lookahead":
            out.update(base=self.base, lookahead_steps=self.lookahead_steps,
                       lookahead_alpha=sp.sstr(self.lookahead_alpha))
        if self.momentum != 0:
            out["momentum"] = sp.sstr(self.momentum)
        if self.lazy_every != 1:
            out["lazy_every"] = self.lazy_every
        if self.ema is not None:
            out["ema"] = sp.sstr(self.ema)
        if self.name in ADAPTIVE:
            out.update({k: sp.sstr(getattr(self, k)) for k in ("beta1", "beta2", "eps")
                        if self.name in OPTIONS[k].schemes})
        return out


def make_scheme(name: str, h=None, h_g=None, h_d=None, n_g=1, n_d=1,
                order: str = "generator-first", momentum=None, h_e=None, base=None,
                lookahead_steps=None, lookahead_alpha=None, lazy_every=None, ema=None,
                beta1=None, beta2=None, eps=None) -> Scheme:
    """Validate the options of a discrete scheme and build it.

    Parameters
    ----------
    name : {"simgd", "altgd", "extragradient", "ogda", "lookahead", "adam", "rmsprop"} or RuleSpec
        The scheme, or a rule of the user's own from :func:`stabgan.update_rule` (which
        takes the step sizes and ``lazy_every`` only); adam and rmsprop are simulated only
        (``analyze`` refuses them).
    h : number, optional
        One step size for both players; left out (with h_g, h_d) it is the symbol h.
    h_g, h_d : number, optional
        The players' own step sizes (instead of h).
    n_g, n_d : int
        AltGD (and lookahead over AltGD): generator and discriminator steps per round (1 to 50).
    order : {"generator-first", "discriminator-first"}
        AltGD: which player moves first.
    momentum : number in (-1, 1), optional
        Heavy-ball coefficient for simgd, altgd and lookahead's fast steps (default 0).
    h_e : number in (0, inf), optional
        Extragradient's extrapolation step (default: the step sizes h_g, h_d).
    base : {"simgd", "altgd"}, optional
        Lookahead's fast steps (default simgd).
    lookahead_steps : int, optional
        Lookahead's k, 1 to 50 (default 5).
    lookahead_alpha : number in (0, 1], optional
        Lookahead's step toward the fast weights (default 1/2).
    lazy_every : int, optional
        Apply the penalty only on every k-th step, with weight k times its value (1 to 50).
    ema : number in [0, 1), optional
        Every scheme: the exponential moving average of the weights (default: none).
    beta1, beta2, eps : number, optional
        Adam (beta1, beta2, eps) and RMSprop (beta2, eps): the decays in [0, 1) and eps in
        (0, inf) (defaults 0.9, 0.999 (rmsprop: 0.99), 1e-8).

    Returns
    -------
    Scheme
        The scheme with exact step sizes (or symbols).
    """
    from .rules import UpdateRule
    # a rule of the user's own (stabgan.update_rule's RuleSpec carries its UpdateRule)
    custom = None if isinstance(name, str) else name
    if custom is not None and not isinstance(getattr(custom, "rule", None), UpdateRule):
        custom = None
    if custom is None and name not in SIMULATE_SCHEMES:
        raise InputError(f"The 'scheme' option must be one of continuous, "
                         f"{', '.join(SIMULATE_SCHEMES)}. Got {name!r} instead.")
    if h is not None and (h_g is not None or h_d is not None):
        raise InputError("Give either the 'h' option or 'h_g' and 'h_d', not both. "
                         f"Got h={h!r}, h_g={h_g!r}, h_d={h_d!r}.")
    hv, hg, hd = (None if v is None else OPTIONS[k].validate(v)
                  for k, v in (("h", h), ("h_g", h_g), ("h_d", h_d)))
    if hv is not None:
        hg = hd = hv
    elif hg is None and hd is None:
        hg = hd = H_SYMBOL
    else:
        hg = HG_SYMBOL if hg is None else hg
        hd = HD_SYMBOL if hd is None else hd
    n_g, n_d = OPTIONS["n_g"].validate(n_g), OPTIONS["n_d"].validate(n_d)
    order = OPTIONS["order"].validate(order)
    if custom is not None:
        return custom.scheme(hg, hd, n_g=n_g, n_d=n_d, order=order, momentum=momentum, h_e=h_e,
                             base=base, lookahead_steps=lookahead_steps,
                             lookahead_alpha=lookahead_alpha, lazy_every=lazy_every, ema=ema,
                             beta1=beta1, beta2=beta2, eps=eps)
    refuse_foreign(name, {"h_e": h_e, "base": base, "lookahead_steps": lookahead_steps,
                          "lookahead_alpha": lookahead_alpha, "momentum": momentum,
                          "ema": ema, "beta1": beta1, "beta2": beta2, "eps": eps})
    kind = name
    if name == "lookahead":
        base = OPTIONS["base"].validate(OPTIONS["base"].default if base is None else base)
        kind = base
    if kind != "altgd" and ((n_g, n_d) != (1, 1) or order != "generator-first"):
        raise InputError(f"The 'n_g', 'n_d' and 'order' options belong to altgd; {name} moves "
                         f"both players at once. Got n_g={n_g}, n_d={n_d}, order={order!r}.")

    def given(option: str, value, otherwise=None):
        """The validated value, the table's default where left out; ``otherwise`` for a
        scheme that does not take the option."""
        row = OPTIONS[option]
        if name not in row.schemes:
            return otherwise
        return row.validate(value) if value is not None else row.default_for(name)

    extras = dict(
        momentum=sp.sympify(given("momentum", momentum, 0)),
        h_e=given("h_e", h_e),
        base=base or "",
        lookahead_steps=given("lookahead_steps", lookahead_steps, 1),
        lookahead_alpha=sp.sympify(given("lookahead_alpha", lookahead_alpha, 1)),
        lazy_every=given("lazy_every", lazy_every),
        ema=None if ema is None else given("ema", ema),
        **{k: sp.sympify(given(k, v, 0)) for k, v in (("beta1", beta1), ("beta2", beta2),
                                                       ("eps", eps))})
    if kind == "altgd":
        gen = (SubStep("generator"),) * n_g
        dis = (SubStep("discriminator"),) * n_d
        steps = gen + dis if order == "generator-first" else dis + gen
        return Scheme(name, steps, hg, hd, n_g, n_d, order, **extras)
    return Scheme(name, (SubStep("both"),), hg, hd, **extras)


def update_jacobian(J, scheme: Scheme) -> sp.Matrix:
    """The update operator's Jacobian at the equilibrium, over one period of the scheme, on
    the augmented state (x, then the scheme's memory).

    Parameters
    ----------
    J : sympy.Matrix or Linearization
        The continuous Jacobian v'(0, 0); for lazy regularization a
        :class:`~stabgan.schemes.rules.Linearization` with the Jacobians without the penalty and
        with k times its weight.

    Returns
    -------
    sympy.Matrix
        SimGD/AltGD: prod_k (I + P_k H J), the later sub-step on the left; every other
        scheme: derived by running its update rule on v(x) = J x (``stabgan.schemes.rules``).
    """
    from .rules import Linearization, period_jacobian
    lin = J if isinstance(J, Linearization) else Linearization(J)
    if scheme.plain and scheme.name in BASES:
        n = lin.J.rows
        H = sp.diag(scheme.h_g, scheme.h_d)
        M = sp.eye(n)
        for step in scheme.substeps:
            P = sp.diag(*step.mask)
            M = (sp.eye(n) + P * H * lin.J) * M
        return M.applyfunc(sp.expand)
    return period_jacobian(lin, scheme)


def backward_error_field(field, scheme: Scheme):
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
    from .._symbols import PSI, THETA
    if not scheme.equal_steps or not scheme.plain:
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
