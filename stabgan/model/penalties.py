"""The catalogue's penalties on their own, and ``Method + penalty``.

A penalty is data: a term subtracted from the discriminator's objective (``d``) or added to
the generator's loss (``g``), its parameters and the values given for them. Adding it to a
method gives a new :class:`~stabgan.model.method.Method` whose spec has the penalty's term
and parameters appended, so everything the package does with a method it does with the sum:
``stabgan.method("gan") + stabgan.penalty("r1", gamma=0.3)`` has R1's field.

Parameter names: a penalty's parameter keeps its name unless the method already has a
parameter of that name; then it is renamed ``NAME_PENALTY`` (``gamma_r2`` for R2's gamma on a
method that has a gamma), with ``-`` in the penalty id written ``_``, and a number appended
if that name is taken too (``gamma_r2_2``). The names are those of ``Method.params`` and of
``Analysis.to_dict()["params"]``.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from fractions import Fraction

import sympy as sp

from .._errors import InputError
from .._options import Parameter
from .._symbols import PSI
from .catalogue import grad_D
from .method import Method

__all__ = ["Penalty", "penalty", "PENALTIES", "add_penalty"]


@dataclass(frozen=True)
class Penalty:
    r"""A penalty as data.

    Attributes
    ----------
    id : str
        Its name in :data:`PENALTIES`.
    side : {"d", "g"}
        ``"d"``: subtracted from the discriminator's objective; ``"g"``: added to the
        generator's loss.
    term : sympy.Expr
        The penalty in theta, psi and its parameters (``"g"`` side of ``nk``: the weight of
        :math:`|\partial L/\partial\psi|^2`, see ``gradient_of_objective``).
    parameters : tuple of Parameter
        Its parameters; the first is the weight that lazy regularization scales.
    values : dict
        The values given to :func:`penalty` (exact rationals); the others stay symbols.
    gradient_of_objective : bool
        Nagarajan and Kolter's penalty: ``term`` times :math:`|\partial L/\partial\psi|^2`
        of the method's objective, on the generator.
    summary : str
        One line on what it is.
    """

    id: str
    side: str
    term: sp.Expr
    parameters: tuple
    values: tuple = ()
    gradient_of_objective: bool = False
    summary: str = ""

    def add_to(self, m):
        """``m + self``: see :func:`add_penalty`."""
        return add_penalty(m, self)


def _p(name, default, meaning, low=0, low_closed=True) -> Parameter:
    return Parameter(name=name, default=Fraction(default), meaning=meaning,
                     low=None if low is None else Fraction(low), low_closed=low_closed)


_G = _p("gamma", 1, "penalty weight")
_g = _G.symbol

#: The penalties of the catalogue, each on its own. On the Dirac-GAN D_psi(x) = psi x has
#: grad_x D = psi wherever it is taken, so r1, r2 and weight decay are the same term; gp and
#: dragan differ only in the name of their target norm.
PENALTIES: dict[str, Penalty] = {p.id: p for p in (
    Penalty("r1", "d", _g / 2 * grad_D(0) ** 2, (_G,),
            summary="R1: gamma/2 |grad_x D|^2 at the real data (Mescheder et al. 2018)"),
    Penalty("r2", "d", _g / 2 * grad_D(sp.Symbol("theta", real=True)) ** 2, (_G,),
            summary="R2: gamma/2 |grad_x D|^2 at the generated data (Mescheder et al. 2018)"),
    Penalty("gp", "d", _g / 2 * (sp.Abs(PSI) - _p("g0", 1, "target gradient norm").symbol) ** 2,
            (_G, _p("g0", 1, "target gradient norm")),
            summary="WGAN-GP: gamma/2 (|grad_x D| - g0)^2 at interpolates (Gulrajani et al. 2017)"),
    Penalty("dragan", "d", _g / 2 * (sp.Abs(PSI) - _p("k", 1, "target gradient norm").symbol) ** 2,
            (_G, _p("k", 1, "target gradient norm")),
            summary="DRAGAN: gamma/2 (|grad_x D| - k)^2 at perturbed real data (Kodali et al. "
                    "2017)"),
    Penalty("nk", "g", _p("eta", 1, "weight of the gradient-norm penalty").symbol,
            (_p("eta", 1, "weight of the gradient-norm penalty"),), gradient_of_objective=True,
            summary="Nagarajan and Kolter 2017: eta |dL/dpsi|^2 on the generator"),
    Penalty("weight-decay", "d", _g / 2 * PSI ** 2, (_G,),
            summary="L2 weight decay gamma/2 psi^2 on the discriminator's weight"),
)}


def penalty(penalty_id: str, **params) -> Penalty:
    """A penalty of the catalogue on its own, to add to a method: ``method + penalty(...)``.

    Parameters
    ----------
    penalty_id : str
        One of ``r1``, ``r2``, ``gp``, ``dragan``, ``nk``, ``weight-decay``.
    **params : number or str
        Its parameters (exact rationals); one left out stays a symbol in closed forms and takes
        its default in numeric work.

    Returns
    -------
    Penalty

    Examples
    --------
    >>> import stabgan
    >>> m = stabgan.method("gan") + stabgan.penalty("r1", gamma=0.3)
    >>> m.vector_field == stabgan.method("r1", gamma=0.3).vector_field
    True
    """
    base = lookup(PENALTIES, "penalty", penalty_id)
    names = [p.name for p in base.parameters]
    values = {}
    for name, value in params.items():
        if name not in names:
            raise InputError(f"Unknown parameter {name!r} for penalty '{penalty_id}': the "
                             f"accepted parameters are {', '.join(names)}.")
        values[name] = next(p for p in base.parameters if p.name == name).validate(
            value, f"penalty '{penalty_id}'")
    return replace(base, values=tuple(sorted(values.items())))


def lookup(table: dict, kind: str, key):
    """``table[key]``, or InputError naming the ids of ``kind`` (with the closest one)."""
    if not isinstance(key, str) or key not in table:
        close = difflib.get_close_matches(str(key), list(table), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise InputError(f"The {kind} id must be one of {', '.join(table)}. "
                         f"Got {key!r} instead.{hint}")
    return table[key]


def _free_name(name: str, penalty_id: str, taken: set) -> str:
    if name not in taken:
        return name
    stem = f"{name}_{penalty_id.replace('-', '_')}"
    candidate, k = stem, 1
    while candidate in taken:
        k += 1
        candidate = f"{stem}_{k}"
    return candidate


def add_penalty(m, pen: Penalty):
    """``m + pen``: the method with the penalty's term and parameters appended (see the
    module docstring for the naming rule). Used by ``Method.__add__``."""
    spec = m.spec
    taken = {p.name for p in spec.parameters}
    renamed, rename = [], {}
    for p in pen.parameters:
        new = _free_name(p.name, pen.id, taken)
        taken.add(new)
        q = replace(p, name=new)
        renamed.append(q)
        rename[p.symbol] = q.symbol
    term = pen.term.xreplace(rename)
    weight = renamed[0].symbol
    changes = {"id": f"{spec.id}+{pen.id}",
               "summary": f"{spec.summary}; plus {pen.summary}",
               "parameters": spec.parameters + tuple(renamed)}
    if pen.gradient_of_objective:
        if spec.g_grad_penalty is not None:
            raise InputError(f"Method '{spec.id}' already has a generator gradient-norm penalty; "
                             f"penalty 'nk' cannot be added twice.")
        changes["g_grad_penalty"] = weight
    elif pen.side == "d":
        changes["d_penalty"] = spec.d_penalty + term
    else:
        changes["g_penalty"] = spec.g_penalty + term
    if spec.penalty_parameter is None and not spec.lazy_note:
        if pen.side == "d" and not pen.gradient_of_objective:
            changes["penalty_weight"] = weight
        elif pen.gradient_of_objective:
            pass  # g_grad_penalty is the weight lazy regularization scales
        else:
            changes["lazy_note"] = (f"lazy_every scales a discriminator penalty's weight; the "
                                    f"generator penalty '{pen.id}' has none it can scale")
    else:
        weights = [w for w in (spec.penalty_parameter, renamed[0].name) if w]
        changes["penalty_weight"] = None
        changes["lazy_note"] = spec.lazy_note or (
            f"lazy_every scales one penalty weight; method '{changes['id']}' has several "
            f"({', '.join(weights)}): not supported yet")
    new_spec = replace(spec, **changes)
    values = dict(m.values)
    for p, q in zip(pen.parameters, renamed):
        if p.name in dict(pen.values):
            values[q.name] = dict(pen.values)[p.name]
    return Method(new_spec, m.f, m.generator, values)
