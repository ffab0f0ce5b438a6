"""The jump of a field across psi = 0: fields with |psi| or sign(psi) in a penalty.

A penalty such as DRAGAN's (|grad_x D| - k)^2 contains |psi|; the field is then smooth on
each side of psi = 0 but may jump across it. Here: the one-sided fields (|psi| -> +-psi,
sign(psi) -> +-1), whether the field really jumps, and the field without |psi| where it
does not.
"""
from __future__ import annotations

import sympy as sp

from .._symbols import PSI

__all__ = ["one_sided_fields", "is_nonsmooth", "smooth_field"]


def one_sided_fields(field) -> tuple[tuple, tuple]:
    """The smooth fields on the sides psi > 0 and psi < 0 (|psi| -> +-psi, sign(psi) -> +-1)."""
    plus = tuple(sp.simplify(e.subs({sp.sign(PSI): 1}).subs(sp.Abs(PSI), PSI)) for e in field)
    minus = tuple(sp.simplify(e.subs({sp.sign(PSI): -1}).subs(sp.Abs(PSI), -PSI)) for e in field)
    return plus, minus


def is_nonsmooth(field) -> bool | None:
    """Whether the field jumps across psi = 0 (None if it depends on free parameters)."""
    if not any(e.has(sp.sign(PSI)) or e.has(sp.Abs(PSI)) for e in field):
        return False
    plus, minus = one_sided_fields(field)
    jumps = [sp.simplify((p - m).subs(PSI, 0)) for p, m in zip(plus, minus)]
    if all(j.is_zero for j in jumps):
        return False
    if any(j.is_zero is False for j in jumps):
        return True
    return None


def smooth_field(field) -> tuple | None:
    """The field without |psi| and sign(psi) where it has no jump at psi = 0, else None."""
    if not any(e.has(sp.sign(PSI)) or e.has(sp.Abs(PSI)) for e in field):
        return tuple(field)
    if is_nonsmooth(field) is False:
        return one_sided_fields(field)[0]
    return None
