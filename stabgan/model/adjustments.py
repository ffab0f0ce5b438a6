r"""Transforms of the vector field that act on any method: ``method + adjustment(...)``.

Each is derived from the method's field :math:`v = (-\partial L_G/\partial\theta,
\partial L_D/\partial\psi)` (the direction the players move in) and its losses:

* ``consensus`` (Mescheder, Nowozin, Geiger, NeurIPS 2017):
  :math:`v \leftarrow v - \gamma \nabla \tfrac12 |v|^2`;
* ``sga``, symplectic gradient adjustment (Balduzzi et al., ICML 2018). In their descent
  convention :math:`\xi` is the gradient of each player's loss, here :math:`\xi = -v`; the game
  Hessian is :math:`H = \nabla\xi = -v'` and :math:`A = (H - H^T)/2` its antisymmetric part.
  Their update descends :math:`\xi + \lambda A^T \xi`, so the field becomes
  :math:`v + \lambda A^T v = v + \tfrac{\lambda}{2}(v' - v'^T)\, v`;
* ``unrolled`` (Metz, Poole, Pfau, Sohl-Dickstein, ICLR 2017): the generator descends
  :math:`L_G(\theta, \psi_K(\theta, \psi))`, differentiating through :math:`K` = ``steps``
  discriminator gradient-ascent steps :math:`\psi_{k+1} = \psi_k + h\,\partial L_D/\partial\psi`;
  the discriminator's own move is unchanged.

Adjustments apply in the order they are added, after the method's own field. A parameter
keeps its name unless the method has one of that name (then ``NAME_ADJUSTMENT``, as for
penalties). They act on the field itself, so a method whose field is an expectation over
noise (instance noise) is refused: the expectation of a product is not the product of
expectations.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

import sympy as sp

from .._errors import InputError
from .._options import Parameter
from .._symbols import PSI, THETA
from .method import Method
from .penalties import _free_name, lookup

__all__ = ["Adjustment", "adjustment", "ADJUSTMENTS"]


def _consensus(v, loss_g, loss_d, weights, structure):
    (gamma,) = weights
    half_norm = (v[0] ** 2 + v[1] ** 2) / 2
    return [v[0] - gamma * sp.diff(half_norm, THETA), v[1] - gamma * sp.diff(half_norm, PSI)]


def _sga(v, loss_g, loss_d, weights, structure):
    (lam,) = weights
    J = sp.Matrix(v).jacobian([THETA, PSI])
    w = sp.Matrix(v) + lam / 2 * (J - J.T) * sp.Matrix(v)
    return [w[0], w[1]]


def _unrolled(v, loss_g, loss_d, weights, structure):
    (h,) = weights
    steps = dict(structure)["steps"]
    psi_k = PSI
    grad_d = sp.diff(loss_d, PSI)
    for _ in range(steps):
        psi_k = psi_k + h * grad_d.subs(PSI, psi_k)
    return [-sp.diff(loss_g.subs(PSI, psi_k), THETA), v[1]]


@dataclass(frozen=True)
class Adjustment:
    """A transform of the field as data.

    Attributes
    ----------
    id : str
        Its name in :data:`ADJUSTMENTS`.
    transform : callable
        ``transform(v, loss_g, loss_d, weights, structure) -> [v_theta, v_psi]`` in SymPy.
    parameters : tuple of Parameter
        Its parameters (symbols in closed forms where not given).
    values : tuple
        (name, exact value) given to :func:`adjustment`.
    structure : tuple
        (name, int) options that shape the derivation (unrolled's ``steps``).
    summary : str
        One line on what it does.
    """

    id: str
    transform: Callable
    parameters: tuple
    values: tuple = ()
    structure: tuple = ()
    summary: str = ""

    def add_to(self, m: Method) -> Method:
        """``m + self``: the method with the transform appended to its spec."""
        if m.spec.noise:
            raise InputError(f"The adjustment '{self.id}' cannot act on method '{m.id}': its "
                             f"field is an expectation over noise, and the adjustment is "
                             f"nonlinear in the field.")
        taken = {p.name for p in m.spec.parameters}
        renamed = []
        for p in self.parameters:
            new = _free_name(p.name, self.id, taken)
            taken.add(new)
            renamed.append(replace(p, name=new))
        bound = _Bound(self.id, self.transform, tuple(q.symbol for q in renamed), self.structure)
        label = self.id + "".join(f"({k}={v})" for k, v in self.structure)
        spec = replace(m.spec, id=f"{m.spec.id}+{label}",
                       summary=f"{m.spec.summary}; plus {self.summary}",
                       parameters=m.spec.parameters + tuple(renamed),
                       adjustments=m.spec.adjustments + (bound,))
        values = dict(m.values)
        given = dict(self.values)
        for p, q in zip(self.parameters, renamed):
            if p.name in given:
                values[q.name] = given[p.name]
        return Method(spec, m.f, m.generator, values)


@dataclass(frozen=True)
class _Bound:
    """An adjustment inside a spec: its transform with the method's parameter symbols."""

    id: str
    transform: Callable
    weights: tuple
    structure: tuple

    def __call__(self, v, loss_g, loss_d):
        return self.transform(v, loss_g, loss_d, self.weights, self.structure)


def _p(name, default, meaning, low=0, low_closed=True) -> Parameter:
    return Parameter(name=name, default=Fraction(default), meaning=meaning,
                     low=None if low is None else Fraction(low), low_closed=low_closed)


#: The adjustments: id -> (transform, parameters, structure options with their defaults).
ADJUSTMENTS: dict[str, Adjustment] = {a.id: a for a in (
    Adjustment("consensus", _consensus, (_p("gamma", 1, "consensus weight"),),
               summary="consensus optimization: v - gamma grad(1/2 |v|^2)"),
    Adjustment("sga", _sga, (_p("lam", 1, "SGA weight lambda", low=None),),
               summary="symplectic gradient adjustment: v + lam/2 (v' - v'^T) v"),
    Adjustment("unrolled", _unrolled,
               (_p("h_unroll", Fraction(1, 10), "unrolled discriminator step", low=0,
                   low_closed=False),),
               structure=(("steps", 1),),
               summary="unrolled generator: L_G through K discriminator steps of size h"),
)}
_MAX_UNROLL = 10


def adjustment(adjustment_id: str, **params) -> Adjustment:
    """A transform of the field to add to any method: ``method + adjustment(...)``.

    Parameters
    ----------
    adjustment_id : {"consensus", "sga", "unrolled"}
        The transform (see the module docstring for the formulas and sign conventions).
    **params
        ``consensus``: ``gamma``; ``sga``: ``lam``; ``unrolled``: ``steps`` (an integer, 1 to
        10) and ``h`` (the method's parameter ``h_unroll``, apart from a scheme's step size h).
        A parameter left out stays a symbol in closed forms and takes its default in numeric
        work (gamma = 1, lam = 1, h = 1/10).

    Returns
    -------
    Adjustment

    Examples
    --------
    >>> import stabgan
    >>> m = stabgan.method("gan") + stabgan.adjustment("consensus", gamma=0.5)
    >>> m.vector_field == stabgan.method("consensus", gamma=0.5).vector_field
    True
    """
    base = lookup(ADJUSTMENTS, "adjustment", adjustment_id)
    if adjustment_id == "unrolled" and "h" in params:
        params["h_unroll"] = params.pop("h")
    structure = dict(base.structure)
    names = [p.name for p in base.parameters] + list(structure)
    values = {}
    for name, value in params.items():
        if name not in names:
            raise InputError(f"Unknown parameter {name!r} for adjustment '{adjustment_id}': "
                             f"the accepted parameters are {', '.join(names)}.")
        if name in structure:
            ok = isinstance(value, int) and not isinstance(value, bool)
            if isinstance(value, str) and value.strip().isdigit():
                value, ok = int(value), True
            if not ok or not 1 <= value <= _MAX_UNROLL:
                raise InputError(f"The '{name}' parameter of adjustment '{adjustment_id}' must "
                                 f"be an integer in [1, {_MAX_UNROLL}]. Got {value!r} instead.")
            structure[name] = value
            continue
        p = next(q for q in base.parameters if q.name == name)
        values[name] = p.validate(value, f"adjustment '{adjustment_id}'")
    return replace(base, values=tuple(sorted(values.items())),
                   structure=tuple(sorted(structure.items())))
