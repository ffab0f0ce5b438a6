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
``Analysis.to_dict()["params"]``. To give two terms ONE parameter instead, name it in
``share``: ``penalty("r2", share="gamma")`` uses the method's own ``gamma`` (R3GAN's single
weight on R1 and R2); a shared name the method does not have, or a value given for a shared
parameter (its value is the method's), is refused.

LeCam (Tseng et al. CVPR 2021) penalizes the discriminator's outputs for straying from
exponential moving averages of its outputs on the other kind of data:
lam (|D~(x_r) - alpha_f|^2 + |D~(x_f) - alpha_r|^2), D~ = -D_psi the paper's logit for real,
the anchors constants in the gradient. On the Dirac-GAN D~(x_r) = -psi 0 = 0 for every psi,
so alpha_r, the average of D~(x_r) started at 0 as in the authors' code, is 0 at every step,
and the first term has no psi in it whatever alpha_f is: the published anchors are exactly the
parameters ``alpha_r = 0`` (any ``alpha_f``). Other values of ``alpha_r`` show what an anchor
that has not settled does.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from fractions import Fraction

import sympy as sp

from .._errors import InputError
from .._options import Parameter
from .._symbols import PSI
from .catalogue import D, grad_D
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
    share : tuple of str
        Parameters that are the method's parameters of the same name (not renamed).
    """

    id: str
    side: str
    term: sp.Expr
    parameters: tuple
    values: tuple = ()
    gradient_of_objective: bool = False
    summary: str = ""
    share: tuple = ()

    def add_to(self, m):
        """``m + self``: see :func:`add_penalty`."""
        return add_penalty(m, self)


def _p(name, default, meaning, low=0, low_closed=True) -> Parameter:
    return Parameter(name=name, default=Fraction(default), meaning=meaning,
                     low=None if low is None else Fraction(low), low_closed=low_closed)


_G = _p("gamma", 1, "penalty weight")
_LAM = _p("lam", 1, "LeCam weight lambda")
_ALPHA_R = _p("alpha_r", 0, "LeCam anchor: average of D~ on real data (0 on the Dirac-GAN)",
              low=None)
_ALPHA_F = _p("alpha_f", 0, "LeCam anchor: average of D~ on generated data", low=None)
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
    Penalty("lecam", "d",
            _LAM.symbol * ((-D(0) - _ALPHA_F.symbol) ** 2
                           + (-D(sp.Symbol("theta", real=True)) - _ALPHA_R.symbol) ** 2),
            (_LAM, _ALPHA_R, _ALPHA_F),
            summary="LeCam: lam (|D~(0) - alpha_f|^2 + |D~(theta) - alpha_r|^2), D~ = -D_psi, "
                    "anchors alpha as EMAs (Tseng et al. 2021)"),
)}


def penalty(penalty_id: str, *, share: str | tuple = (), **params) -> Penalty:
    """A penalty of the catalogue on its own, to add to a method: ``method + penalty(...)``.

    Parameters
    ----------
    penalty_id : str
        One of ``r1``, ``r2``, ``gp``, ``dragan``, ``nk``, ``weight-decay``, ``lecam``.
    share : str or tuple of str, optional
        Parameters of the penalty that are the method's parameters of the same name (one
        weight on two terms, as R3GAN's gamma on R1 and R2); see the module docstring.
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
    shared = (share,) if isinstance(share, str) else share
    if not isinstance(shared, tuple) or not all(isinstance(n, str) for n in shared):
        raise InputError(f"The 'share' option of penalty '{penalty_id}' must be a parameter name "
                         f"or a tuple of names. Got {share!r} instead.")
    for name in shared:
        if name not in names:
            raise InputError(f"The 'share' option of penalty '{penalty_id}' names {name!r}, which "
                             f"is not one of its parameters ({', '.join(names)}).")
        if name in values:
            raise InputError(f"Parameter {name!r} of penalty '{penalty_id}' is shared with the "
                             f"method, so its value is the method's: give it to the method, "
                             f"not to the penalty.")
    return replace(base, values=tuple(sorted(values.items())), share=tuple(shared))


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
    missing = [name for name in pen.share if name not in taken]
    if missing:
        raise InputError(f"Penalty '{pen.id}' shares parameter {missing[0]!r} with method "
                         f"'{spec.id}', which has no parameter of that name (it has "
                         f"{', '.join(sorted(taken)) or 'none'}).")
    shared = {p.name: p for p in spec.parameters if p.name in pen.share}
    for p in pen.parameters:
        if p.name in shared:
            q = shared[p.name]
            renamed.append(q)
            rename[p.symbol] = q.symbol
            continue
        new = _free_name(p.name, pen.id, taken)
        taken.add(new)
        q = replace(p, name=new)
        renamed.append(q)
        rename[p.symbol] = q.symbol
    term = pen.term.xreplace(rename)
    weight = renamed[0].symbol
    changes = {"id": f"{spec.id}+{pen.id}",
               "summary": f"{spec.summary}; plus {pen.summary}",
               "parameters": spec.parameters + tuple(q for q in renamed
                                                     if q.name not in shared)}
    if pen.gradient_of_objective:
        if spec.g_grad_penalty is not None:
            raise InputError(f"Method '{spec.id}' already has a generator gradient-norm penalty; "
                             f"penalty 'nk' cannot be added twice.")
        changes["g_grad_penalty"] = weight
    elif pen.side == "d":
        changes["d_penalty"] = spec.d_penalty + term
    else:
        changes["g_penalty"] = spec.g_penalty + term
    if pen.side == "d" and renamed[0].name == spec.penalty_parameter:
        pass  # one weight shared by both terms: lazy regularization scales both
    elif spec.penalty_parameter is None and not spec.lazy_note:
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
        if p.name in dict(pen.values) and p.name not in shared:
            values[q.name] = dict(pen.values)[p.name]
    return Method(new_spec, m.f, m.generator, values)
