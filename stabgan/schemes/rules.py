r"""Update rules of the discrete schemes, written once over an abstract field.

A rule maps the state of a scheme (the iterate :math:`x = (\theta, \psi)` and the scheme's
memory) to the next state. It only adds states, scales them by step sizes and calls the
field :math:`v`, so the same code runs on two backends:

* :class:`LinearOps`: :math:`v(x) = J x` on SymPy expressions in symbols of the state.
  Every evaluation point of the rule is the equilibrium when the state is, and v(0) = 0,
  so by the chain rule the Jacobian of the resulting map is the update operator's
  Jacobian at the equilibrium (:func:`period_jacobian`);
* the simulator's NumPy backend (``stabgan.oracles.steppers``): :math:`v` is the compiled field.

One step of each scheme, with :math:`H = \operatorname{diag}(h_g, h_d)`:

* SimGD: :math:`x' = x + H v(x) + \beta u`, :math:`u' = x' - x` (heavy ball, velocity u,
  Polyak; Gidel et al. AISTATS 2019 for negative beta);
* AltGD: each player's sub-step :math:`\theta' = \theta + h_g v_\theta(\theta, \psi)
  + \beta u_\theta` with the other's newest value (momentum on its own coordinate);
* extragradient: :math:`y = x + H_e v(x)`, :math:`x' = x + H v(y)` (Korpelevich 1976;
  :math:`H_e = h_e I`, or H where h_e is left out);
* OGDA: :math:`g = v(x)`, :math:`x' = x + H (2 g - g_{prev})`, :math:`g_{prev}' = g`
  (Daskalakis et al. 2018);
* lookahead: at the start of a period of k steps the slow weights are s = x; after the
  k-th base step :math:`x \leftarrow s + \alpha (x - s)` (Chavdarova et al. 2021);
* Adam and RMSprop (simulated only: their step is not linear at the equilibrium): see
  :func:`_adam` and :func:`_rmsprop`;
* lazy regularization with period k: the penalty weight is 0 except on the last step of
  each period, where it is k times its value (for AltGD only on each player's last
  sub-step of that step).

A box constraint (WGAN's clipping) is a projection of psi after each move of psi; it is
the identity near the equilibrium.

Contract of a rule of the user's own
------------------------------------
:func:`stabgan.update_rule` (``stabgan.schemes.user``) turns a function

``step(ops, x, memory) -> (x_new, memory_new)``

into a scheme that :func:`stabgan.analyze`, :func:`stabgan.simulate` and
:func:`stabgan.stability_map` take as ``scheme=``. One call is one step.

x : pair
    The iterate :math:`(\theta, \psi)`. Its two entries are backend scalars: SymPy
    expressions in the linearization, NumPy arrays (one entry per trajectory, read-only) in
    the simulator. They support ``+``, ``-``, and ``*``, ``/`` by numbers and step sizes.
memory : dict
    The rule's memory items by name, each a pair like ``x`` (empty without memory).
ops : the backend
    Exactly these operations (any other attribute is refused):

    * ``ops.v(x)``: the field :math:`v(x) = (v_\theta, v_\psi)` at a pair ``x``;
    * ``ops.h_g``, ``ops.h_d``: the step sizes, :math:`H = \operatorname{diag}(h_g, h_d)`;
    * ``ops.move(x, d, scale=1)``: :math:`x + \text{scale}\, H d`, i.e.
      ``(x[0] + scale * h_g * d[0], x[1] + scale * h_d * d[1])``;
    * ``ops.project(psi)``: the method's box constraint on psi (WGAN's clipping; the
      identity near the equilibrium). The final psi of a step is projected anyway.

Returns ``(x_new, memory_new)``: ``x_new`` a pair, ``memory_new`` a dict with exactly the
declared memory names, each a pair (``{}`` without memory). Each memory item starts at
zero, at :math:`v(x_0)` (``"field"``), or at what an ``init(ops, x)`` returns.

Because the rule only adds states, scales them and calls v, it is linear in the state
when :math:`v(x) = J x`, and it fixes the equilibrium (v(0) = 0). :func:`stabgan.update_rule`
checks this once, on :math:`v(x) = J x` with J, h_g and h_d symbols, and on a NumPy probe:
a rule that needs anything else (a product of two states, a constant offset, an operation
the backend lacks, a wrong shape) is refused in one line naming the rule. A Python float in
the rule is read exactly through its shortest repr (0.5 is 1/2) in the linearization.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

__all__ = ["Linearization", "LinearOps", "step", "initial_memory", "period_jacobian",
           "require_penalty", "lazy_linearization", "UpdateRule", "RULES", "MEMORY", "rule_of",
           "field_penalty"]


@dataclass(frozen=True)
class Linearization:
    """The continuous Jacobian v'(0, 0); for lazy regularization also the Jacobians with
    the penalty weight 0 (``off``) and k times its value (``on``)."""

    J: sp.Matrix
    off: sp.Matrix | None = None
    on: sp.Matrix | None = None


class LinearOps:
    """The linearized backend: states are SymPy expressions, v(x) = J x."""

    def __init__(self, lin: Linearization, scheme):
        self.lin = lin
        self.h_g, self.h_d = scheme.h_g, scheme.h_d
        he = scheme.h_e
        self.he_g, self.he_d = (scheme.h_g, scheme.h_d) if he is None else (he, he)
        self.beta = scheme.momentum
        self.alpha = scheme.lookahead_alpha

    def v(self, x, penalty=None, component=None):
        """(v_theta, v_psi) of the linearized field, or one component."""
        J = {None: self.lin.J, False: self.lin.off, True: self.lin.on}[penalty]
        out = (J[0, 0] * x[0] + J[0, 1] * x[1], J[1, 0] * x[0] + J[1, 1] * x[1])
        return out if component is None else out[component]

    @staticmethod
    def project(psi):
        """The projection of psi is inactive near the equilibrium."""
        return psi


def require_penalty(spec, lazy_every: int) -> str | None:
    """The name of the penalty weight that lazy regularization scales (None without lazy
    regularization); InputError for a method without a penalty."""
    if lazy_every == 1:
        return None
    from .._errors import InputError
    if spec.lazy_note:
        raise InputError(f"The 'lazy_every' option cannot be applied to method '{spec.id}': "
                         f"{spec.lazy_note}. Got lazy_every={lazy_every}.")
    name = spec.penalty_parameter
    if name is None:
        raise InputError(f"The 'lazy_every' option applies to methods with a penalty (r1, r2, "
                         f"roth, consensus, nk, ...); method '{spec.id}' has none. "
                         f"Got lazy_every={lazy_every}.")
    return name


def lazy_linearization(J: sp.Matrix, Jw: sp.Matrix, w: sp.Symbol, value, every: int):
    """J with, for lazy regularization, Jw (the Jacobian with the weight w a symbol) at
    w = 0 and at w = every * value."""
    if every == 1:
        return Linearization(J)
    return Linearization(J, Jw.subs(w, 0), Jw.subs(w, every * value))


def initial_memory(scheme, ops, x) -> dict:
    """The state at the start: x, then each memory item's initial value (zero velocity for
    momentum; for OGDA g_prev = v(x0)), from the rule registry."""
    state = {"x": x}
    init = rule_of(scheme).init
    if init is not None:   # a rule of the user's own: its memory's initial values
        state.update(init(scheme, ops, x))
        return state
    for item in scheme.memory:
        state[item] = MEMORY[item](scheme, ops, x)
    return state


def _lazy_step(scheme, phase: int) -> bool | None:
    """None without lazy regularization; else whether this step carries the penalty."""
    k = scheme.lazy_every
    return None if k == 1 else phase % k == k - 1


def _penalty(scheme, phase: int, where: str):
    """The penalty flag for one field evaluation: None (the field as given), False (weight
    0) or True (k times the weight). ``where``: "both", or "last" for an AltGD sub-step that
    is its player's last in the step, "inner" for the others."""
    lazy = _lazy_step(scheme, phase)
    if lazy is None:
        return None
    return lazy and where != "inner"


def step(scheme, ops, state: dict, phase: int) -> dict:
    """One step of the scheme at position ``phase`` of its period; returns the new state.

    The step of the scheme's kind comes from :data:`RULES`; lookahead wraps any kind (the
    slow weights are saved at the start of its period and pulled toward at its end)."""
    state = dict(state)
    k = scheme.lookahead_steps
    if scheme.name == "lookahead" and phase % k == 0:
        state["slow"] = state["x"]
    rule_of(scheme).step(scheme, ops, state, phase)
    if scheme.name == "lookahead" and phase % k == k - 1:
        s, x = state.pop("slow"), state["x"]
        state["x"] = (s[0] + ops.alpha * (x[0] - s[0]), s[1] + ops.alpha * (x[1] - s[1]))
    return state


def _finish(ops, state: dict, old, new) -> None:
    """Project psi, update the velocity (momentum) and store the new iterate."""
    new = (new[0], ops.project(new[1]))
    if "u" in state:
        state["u"] = (new[0] - old[0], new[1] - old[1])
    state["x"] = new


def _simgd(scheme, ops, state: dict, phase: int) -> None:
    """x' = x + H v(x) + beta u."""
    x = state["x"]
    vt, vp = ops.v(x, _penalty(scheme, phase, "both"))
    new = (x[0] + ops.h_g * vt, x[1] + ops.h_d * vp)
    if "u" in state:
        u = state["u"]
        new = (new[0] + ops.beta * u[0], new[1] + ops.beta * u[1])
    _finish(ops, state, x, new)


def _extragradient(scheme, ops, state: dict, phase: int) -> None:
    """y = x + H_e v(x), x' = x + H v(y)."""
    x = state["x"]
    pen = _penalty(scheme, phase, "both")
    vt, vp = ops.v(x, pen)
    y = (x[0] + ops.he_g * vt, ops.project(x[1] + ops.he_d * vp))
    vt, vp = ops.v(y, pen)
    _finish(ops, state, x, (x[0] + ops.h_g * vt, x[1] + ops.h_d * vp))


def _ogda(scheme, ops, state: dict, phase: int) -> None:
    """g = v(x), x' = x + H (2 g - g_prev), g_prev' = g."""
    x = state["x"]
    g = ops.v(x, _penalty(scheme, phase, "both"))
    gp = state["g_prev"]
    state["g_prev"] = g
    _finish(ops, state, x, (x[0] + ops.h_g * (2 * g[0] - gp[0]),
                            x[1] + ops.h_d * (2 * g[1] - gp[1])))


def _altgd(scheme, ops, state: dict, phase: int) -> None:
    """n_g generator and n_d discriminator sub-steps, each with momentum on its own coordinate."""
    th, ps = state["x"]
    u = state.get("u")
    blocks = [(0, scheme.n_g), (1, scheme.n_d)]
    if scheme.order == "discriminator-first":
        blocks.reverse()
    for player, count in blocks:
        h = ops.h_g if player == 0 else ops.h_d
        for i in range(count):
            pen = _penalty(scheme, phase, "last" if i == count - 1 else "inner")
            old = th if player == 0 else ps
            new = old + h * ops.v((th, ps), pen, component=player)
            if u is not None:
                new = new + ops.beta * u[player]
            if player == 1:
                new = ops.project(new)
            if u is not None:
                u = (new - old, u[1]) if player == 0 else (u[0], new - old)
            if player == 0:
                th = new
            else:
                ps = new
    state["x"] = (th, ps)
    if u is not None:
        state["u"] = u


def _adam(scheme, ops, state: dict, phase: int) -> None:
    r"""Adam (Kingma and Ba, ICLR 2015, Algorithm 1) for both players at once on g = v(x):

    .. math:: t' = t + 1, \quad m' = \beta_1 m + (1 - \beta_1) g, \quad
              s' = \beta_2 s + (1 - \beta_2) g^2, \quad
              x' = x + H \frac{m' / (1 - \beta_1^{t'})}{\sqrt{s' / (1 - \beta_2^{t'})} + \epsilon}

    elementwise (s is their v, the average of the squared gradient). The field already points
    the way each player moves (the generator's descent, the discriminator's ascent), so the
    step is added. Needs ``ops.sqrt`` and the constants on ``ops``: it runs on the NumPy
    backend only (the step is not linear in the state at the equilibrium)."""
    x = state["x"]
    g = ops.v(x, _penalty(scheme, phase, "both"))
    t = state["t"] + 1
    m = tuple(ops.beta1 * a + ops.beta1c * b for a, b in zip(state["m"], g))
    sq = tuple(ops.beta2 * a + ops.beta2c * (b * b) for a, b in zip(state["s"], g))
    c1, c2 = 1 - ops.beta1 ** t, 1 - ops.beta2 ** t
    d = tuple((a / c1) / (ops.sqrt(b / c2) + ops.eps) for a, b in zip(m, sq))
    state["t"], state["m"], state["s"] = t, m, sq
    _finish(ops, state, x, (x[0] + ops.h_g * d[0], x[1] + ops.h_d * d[1]))


def _rmsprop(scheme, ops, state: dict, phase: int) -> None:
    r"""RMSprop (Tieleman and Hinton 2012, lecture 6.5) as PyTorch's ``torch.optim.RMSprop``
    without momentum, not centered, with alpha = beta_2 and no bias correction:

    .. math:: s' = \beta_2 s + (1 - \beta_2) g^2, \quad x' = x + H \frac{g}{\sqrt{s'} + \epsilon}

    elementwise, g = v(x), s_0 = 0 (NumPy backend only, as :func:`_adam`)."""
    x = state["x"]
    g = ops.v(x, _penalty(scheme, phase, "both"))
    sq = tuple(ops.beta2 * a + ops.beta2c * (b * b) for a, b in zip(state["s"], g))
    d = tuple(b / (ops.sqrt(a) + ops.eps) for a, b in zip(sq, g))
    state["s"] = sq
    _finish(ops, state, x, (x[0] + ops.h_g * d[0], x[1] + ops.h_d * d[1]))


@dataclass(frozen=True)
class UpdateRule:
    """One kind of step, as data: ``step(scheme, ops, state, phase)`` moves ``state["x"]``
    (and the memory it keeps) in place, using only ``ops.v`` (the field), ``ops.project``,
    the step sizes on ``ops`` and sums and products, so that it runs on both backends;
    ``memory(scheme)`` names the memory items it carries from step to step (each with an
    initial value in :data:`MEMORY` and coordinates in :data:`COORDINATES`)."""

    name: str
    step: Callable
    memory: Callable
    #: A rule of the user's own: ``init(scheme, ops, x)`` -> its memory's initial values
    #: (None: the built-in :data:`MEMORY`).
    init: Callable | None = None


def rule_of(scheme) -> UpdateRule:
    """The rule a scheme steps with: its own (``scheme.rule``, a rule of the user's own) or
    the built-in one of its step kind."""
    own = getattr(scheme, "rule", None)
    return own if own is not None else RULES[scheme.step_kind]


def field_penalty(scheme, phase: int):
    """The penalty flag of a step that evaluates the field on both players at once (see
    lazy regularization): None, False or True."""
    return _penalty(scheme, phase, "both")


def _momentum(scheme) -> tuple[str, ...]:
    return ("u",) if scheme.momentum != 0 else ()


#: The update rules by step kind (lookahead and lazy regularization wrap any of them).
RULES: dict[str, UpdateRule] = {r.name: r for r in (
    UpdateRule("simgd", _simgd, _momentum),
    UpdateRule("altgd", _altgd, _momentum),
    UpdateRule("extragradient", _extragradient, lambda scheme: ()),
    UpdateRule("ogda", _ogda, lambda scheme: ("g_prev",)),
    UpdateRule("adam", _adam, lambda scheme: ("t", "m", "s")),
    UpdateRule("rmsprop", _rmsprop, lambda scheme: ("s",)),
)}

#: The initial value of each memory item: zero velocity, the field at the start.
MEMORY = {"u": lambda scheme, ops, x: (x[0] * 0, x[1] * 0),
          "g_prev": lambda scheme, ops, x: ops.v(x, _penalty(scheme, 0, "both"))}
#: Adam's and RMSprop's memory: the step count t, the averages m of g and s of g^2, from 0.
MEMORY.update(t=lambda scheme, ops, x: 0, m=lambda scheme, ops, x: (x[0] * 0, x[1] * 0),
              s=lambda scheme, ops, x: (x[0] * 0, x[1] * 0))


def carried(scheme) -> tuple[str, ...]:
    """The state that one period hands to the next: x, then the memory."""
    return ("x",) + scheme.memory


#: The coordinates of each item of the carried state.
COORDINATES = {"x": ("theta", "psi"), "u": ("u_theta", "u_psi"),
               "g_prev": ("g_prev_theta", "g_prev_psi")}
COORDINATES.update(t=("t",), m=("m_theta", "m_psi"), s=("s_theta", "s_psi"))


def state_names(scheme) -> list[str]:
    """The coordinates of the augmented state, in the order of the update Jacobian's rows."""
    return [c for item in carried(scheme)
            for c in COORDINATES.get(item, (f"{item}_theta", f"{item}_psi"))]


def period_jacobian(lin: Linearization, scheme) -> sp.Matrix:
    """The Jacobian at the equilibrium of one period of the scheme on the augmented state
    (theta, psi, then two entries per memory item), derived by running the rule on v = J x."""
    names = carried(scheme)
    z = sp.symbols(f"z0:{2 * len(names)}")
    state = {name: (z[2 * i], z[2 * i + 1]) for i, name in enumerate(names)}
    ops = LinearOps(lin, scheme)
    for phase in range(scheme.period):
        state = step(scheme, ops, state, phase)
        # keep every component an expanded linear form in z: composing unexpanded steps
        # makes the expressions swell exponentially with the period
        state = {name: tuple(sp.expand(c) for c in value) for name, value in state.items()}
    out = sp.Matrix([state[name][i] for name in names for i in range(2)])
    return out.jacobian(sp.Matrix(z)).applyfunc(sp.expand)
