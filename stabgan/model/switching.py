r"""The switching surfaces of a piecewise-smooth field, read from its Heaviside, sign, Abs,
Max and Min terms, and the smooth field of each region between them.

A field such as the hinge loss's on the Dirac-GAN,

.. math:: v(\theta, \psi) = \bigl(-\psi,\ \theta\, H(1 - \theta\psi)\bigr),

is smooth except where the argument of a step-like function changes sign. Each such
argument is a switching function :math:`s_i(\theta, \psi)`; the surfaces
:math:`s_i = 0` cut the plane into regions, and on each region (a sign pattern
:math:`\sigma_i = \operatorname{sign} s_i`) the field is the smooth expression obtained by
replacing

* :math:`H(\pm s_i)` by 1 or 0, :math:`\operatorname{sign}(\pm s_i)` by :math:`\pm\sigma_i`,
  :math:`|\pm s_i|` by :math:`\sigma_i s_i`;
* :math:`\max(a_1, \dots, a_n)` by the :math:`a_k` with :math:`a_k - a_j \ge 0` for all j
  (its switching functions are the differences :math:`a_k - a_j`), and :math:`\min` alike.

This module only reads the expression (the model layer); integrating across and along the
surfaces (Filippov's convex method) is :mod:`stabgan.oracles.filippov`'s job. The jump at
:math:`\psi = 0` of WGAN-GP and DRAGAN, whose only non-smooth terms are :math:`|\psi|` and
:math:`\operatorname{sign}\psi`, is :mod:`stabgan.model.jumps`'s, and
:func:`general_switching` says None for such fields, so their integration is unchanged.
"""
from __future__ import annotations

from itertools import combinations

import sympy as sp

from .._symbols import PSI

__all__ = ["switching_functions", "region_field", "general_switching"]

#: The step-like functions whose argument is a switching function.
_STEPS = (sp.Heaviside, sp.sign, sp.Abs)


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether a - b is identically zero (expand first, simplify only if needed)."""
    d = sp.expand(a - b)
    if d == 0:
        return True
    return sp.simplify(d) == 0


def _orient(g: sp.Expr, surfaces: list) -> tuple[int, int] | None:
    """(index, +-1) with g = +-surfaces[index], or None."""
    for i, s in enumerate(surfaces):
        if _same(g, s):
            return i, 1
        if _same(g, -s):
            return i, -1
    return None


def _arguments(field) -> list:
    """The switching functions in the order met: step arguments, Max/Min differences."""
    out = []
    for e in field:
        e = sp.sympify(e)
        for atom in sorted(e.atoms(*_STEPS), key=sp.default_sort_key):
            out.append(atom.args[0])
        for atom in sorted(e.atoms(sp.Max, sp.Min), key=sp.default_sort_key):
            out.extend(a - b for a, b in combinations(atom.args, 2))
    return out


def switching_functions(field) -> tuple:
    r"""The distinct switching functions :math:`s_i` of a field (one of each pair
    :math:`\pm s`), in a canonical order.

    Parameters
    ----------
    field : tuple of sympy.Expr
        The components (theta, psi), numeric parameters substituted.

    Returns
    -------
    tuple of sympy.Expr
        The functions whose zero sets are the surfaces where the field may jump or kink;
        constants (which never change sign) are left out.
    """
    surfaces: list = []
    for g in _arguments(field):
        g = sp.expand(g)
        if not g.free_symbols:
            continue
        if _orient(g, surfaces) is None:
            # the orientation with a positive leading coefficient, so that the order and
            # sign do not depend on how the expression was written
            lead = sp.Poly(g, *sorted(g.free_symbols, key=sp.default_sort_key)).LC() \
                if g.is_polynomial() else 1
            surfaces.append(-g if (lead.is_number and lead < 0) else g)
    return tuple(sorted(surfaces, key=sp.default_sort_key))


def _piece(atom, surfaces, signs):
    """The value of one step-like atom on the region ``signs``."""
    def at_least(a, b):
        d = sp.expand(a - b)
        if d.is_number:
            return bool(d >= 0)
        i, c = _orient(d, surfaces)
        return c * signs[i] > 0

    if isinstance(atom, (sp.Max, sp.Min)):
        big = isinstance(atom, sp.Max)
        for a in atom.args:
            if all(at_least(a, b) if big else at_least(b, a) for b in atom.args if b is not a):
                return a
        raise ValueError(f"no argument of {atom} is the extreme one on the region {signs}")
    i, c = _orient(sp.expand(atom.args[0]), surfaces)
    sigma = c * signs[i]
    if isinstance(atom, sp.Heaviside):
        return sp.S.One if sigma > 0 else sp.S.Zero
    if isinstance(atom, sp.sign):
        return sp.Integer(sigma)
    return sigma * atom.args[0]        # Abs


def region_field(field, surfaces, signs) -> tuple:
    r"""The smooth field on the region where :math:`\operatorname{sign} s_i = \sigma_i`.

    Parameters
    ----------
    field : tuple of sympy.Expr
        The components, numeric parameters substituted.
    surfaces : tuple of sympy.Expr
        From :func:`switching_functions`.
    signs : tuple of int
        :math:`\sigma_i \in \{-1, +1\}`, one per surface.

    Returns
    -------
    tuple of sympy.Expr
        The components with every step-like term replaced by its value on the region
        (inner terms first); smooth, and defined beyond the region too.
    """
    out = []
    for e in field:
        e = sp.sympify(e)
        for _ in range(32):   # nested terms: replace innermost first until none is left
            atoms = [a for a in e.atoms(*_STEPS, sp.Max, sp.Min)
                     if not a.args[0].atoms(*_STEPS, sp.Max, sp.Min)
                     and not any(b.atoms(*_STEPS, sp.Max, sp.Min) for b in a.args)]
            if not atoms:
                break
            e = e.xreplace({a: _piece(a, surfaces, signs) for a in atoms})
        out.append(e)
    return tuple(out)


def _only_psi(field) -> bool:
    """Whether every step-like term is sign(psi) or |psi| (the jump at psi = 0)."""
    for e in field:
        e = sp.sympify(e)
        if e.atoms(sp.Max, sp.Min, sp.Heaviside, sp.Piecewise):
            return False
        for a in e.atoms(sp.sign, sp.Abs):
            if a.args[0] != PSI:
                return False
    return True


def general_switching(field) -> tuple | None:
    r"""The switching functions of a field that needs the general treatment, else None.

    None when the field is smooth or its only non-smooth terms are :math:`|\psi|` and
    :math:`\operatorname{sign}\psi` (the catalogue's WGAN-GP and DRAGAN, handled by
    :mod:`stabgan.model.jumps`), when a term is a Piecewise (not read here), and when a
    switching function is not a function of (theta, psi) alone.

    Parameters
    ----------
    field : tuple of sympy.Expr
        The components, numeric parameters substituted.

    Returns
    -------
    tuple of sympy.Expr or None
        From :func:`switching_functions`.
    """
    if _only_psi(field):
        return None
    if any(sp.sympify(e).atoms(sp.Piecewise) for e in field):
        return None
    surfaces = switching_functions(field)
    from .._symbols import THETA
    if not surfaces or any(s.free_symbols - {THETA, PSI} for s in surfaces):
        return None
    return surfaces
