r"""The flow of a piecewise-smooth field across and along its switching surfaces (Filippov).

Let the field be smooth on the regions cut out by switching functions :math:`s_i(x)`
(:mod:`stabgan.model.switching` reads them from the field's Heaviside, sign, Abs, Max and
Min terms). Each region's smooth field :math:`v_\epsilon` (smooth, and defined beyond the
region too) is integrated by stepping one of SciPy's solvers (the class behind
:func:`scipy.integrate.solve_ivp`'s ``method``) and watching, in every accepted step, the
functions :math:`f_i = \epsilon_i s_i`, positive on the current side: the step's dense
output locates the first time some :math:`f_i` reaches 0, both where :math:`f_i` is negative
at the step's end and where it dips below 0 and comes back inside one step (a minimum of
:math:`f_i`, a zero of :math:`f_i' = \epsilon_i \nabla s_i \cdot v_\epsilon`, which
``solve_ivp``'s sign-change events would miss); :math:`\epsilon_i = \pm 1` is the current
side of surface i. There, with :math:`g = \nabla s_i` and the one-sided fields :math:`v_-`
(side :math:`s_i < 0`) and :math:`v_+` (side :math:`s_i > 0`), let

.. math:: \sigma_- = g \cdot v_-, \qquad \sigma_+ = g \cdot v_+ .

* :math:`\sigma_-, \sigma_+` of one sign: the flow **crosses** to the side it moves into.
* :math:`\sigma_- > 0 > \sigma_+`: both fields push into the surface and the flow **slides**
  along it (Filippov's convex method) with

  .. math:: v_s = (1 - a)\, v_- + a\, v_+, \qquad a = \frac{\sigma_-}{\sigma_- - \sigma_+}
            \in (0, 1),

  the convex combination tangent to the surface (:math:`g \cdot v_s = 0`). It slides until
  :math:`\sigma_-` falls to 0 (it then leaves to the side :math:`s_i < 0`) or
  :math:`\sigma_+` rises to 0 (side :math:`s_i > 0`), both watched in every step of the
  sliding segment. A term :math:`-s_i\, g / |g|^2`, zero on the surface, pulls the
  numerical solution back onto it (no drift over long slides).
* Otherwise (a field tangent to the surface, a grazing contact) the flow stays on, or
  leaves to, the side its field points into.

A discontinuous right-hand side given to an adaptive solver as it is makes the step size
collapse where the flow slides (chattering: millions of rejected steps); here every step
is cut at the first switch and continued with the field of the side (or the sliding
field) the switch leads to, so a flow that would chatter slides instead. A flow that switches
more than ``max_switches`` times, or keeps switching without time advancing (a Zeno
point), is stopped with status ``"failed"`` and says so.

Not treated: sliding on the intersection of two surfaces (codimension two). Where a
sliding flow meets a second surface it crosses it and slides on if the first surface is
still attracting there, else leaves; a Piecewise term is not read (the caller integrates
such a field as if smooth).

References
----------
A. F. Filippov, *Differential Equations with Discontinuous Righthand Sides*, Kluwer, 1988,
section 2.4 (the convex method). M. di Bernardo et al., *Piecewise-smooth Dynamical
Systems*, Springer, 2008, section 2.4 (sliding, crossing and exit conditions).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from .._symbols import PSI, THETA

__all__ = ["SwitchedField", "switched_field", "solve_switched"]

#: Consecutive switches that advance time by less than this (relative) are a Zeno point.
_ZENO_DT, _ZENO_COUNT = 1e-12, 50


class SwitchedField:
    r"""The compiled pieces of a piecewise-smooth field: each switching function
    :math:`s_i` with its gradient, and the smooth field of each region (compiled on first
    use).

    Parameters
    ----------
    field : tuple of sympy.Expr
        (v_theta, v_psi), every parameter numeric.
    surfaces : tuple of sympy.Expr
        The switching functions (:func:`stabgan.model.switching.switching_functions`).
    """

    def __init__(self, field, surfaces):
        from ..codegen.field import component_functions
        self.field = tuple(field)
        self.surfaces = tuple(surfaces)
        self.names = tuple(str(s) for s in surfaces)
        self._s = []
        for s in self.surfaces:
            fns = component_functions((s, sp.diff(s, THETA), sp.diff(s, PSI)), (THETA, PSI), ())
            self._s.append(fns)

    def s(self, i: int, y) -> float:
        """:math:`s_i(y)`."""
        return float(self._s[i][0](y[0], y[1]))

    def grad(self, i: int, y) -> np.ndarray:
        r""":math:`\nabla s_i(y)`."""
        return np.array([float(self._s[i][1](y[0], y[1])), float(self._s[i][2](y[0], y[1]))])

    def signs_at(self, y) -> tuple:
        """The region of y: sign of each s_i (0 on a surface)."""
        return tuple(int(np.sign(self.s(i, y))) for i in range(len(self.surfaces)))

    def region(self, signs: tuple):
        """The right-hand side ``rhs(t, y)`` of the smooth field on the region ``signs``."""
        return _region_rhs(self, tuple(signs))

    def project(self, i: int, y) -> np.ndarray:
        r"""y moved onto :math:`s_i = 0` by Newton steps along :math:`\nabla s_i`."""
        y = np.array(y, dtype=float)
        for _ in range(4):
            s = self.s(i, y)
            g = self.grad(i, y)
            gg = float(g @ g)
            if s == 0.0 or gg == 0.0 or not np.isfinite(s):
                break
            y = y - s * g / gg
        return y


@lru_cache(maxsize=None)
def _region_rhs(system: SwitchedField, signs: tuple):
    """The compiled smooth field of one region (see :meth:`SwitchedField.region`)."""
    from ..codegen.field import component_functions
    from ..model.switching import region_field
    piece = region_field(system.field, system.surfaces, signs)
    f0, f1 = component_functions(tuple(sp.sympify(e) for e in piece), (THETA, PSI), ())

    def rhs(t, y):
        return np.array([float(f0(y[0], y[1])), float(f1(y[0], y[1]))])
    return rhs


@lru_cache(maxsize=None)
def switched_field(field: tuple, surfaces: tuple) -> SwitchedField:
    """The cached :class:`SwitchedField` of a field and its switching functions."""
    return SwitchedField(field, surfaces)


def _with(signs: tuple, i: int, value: int) -> tuple:
    """``signs`` with entry i set to ``value``."""
    return signs[:i] + (value,) + signs[i + 1:]


def _normal_speeds(system, i, signs, y):
    r"""(g, v_-, v_+, sigma_-, sigma_+) on surface i at y, the other signs as given."""
    g = system.grad(i, y)
    vm = system.region(_with(signs, i, -1))(0.0, y)
    vp = system.region(_with(signs, i, 1))(0.0, y)
    return g, vm, vp, float(g @ vm), float(g @ vp)


def _slide_or_leave(system, i, signs, y, came_from: int) -> int:
    r"""0 to slide on surface i at y, else the side (+-1) the flow leaves to.

    Slide when :math:`\sigma_- > 0 > \sigma_+`; leave to the side whose field points away
    from the surface while the other one's points into it (or is tangent); where both
    point away or both are tangent, stay on the side ``came_from``."""
    _, _, _, sm, spl = _normal_speeds(system, i, signs, y)
    if sm > 0 > spl:
        return 0
    if sm <= 0 and spl < 0:
        return -1
    if sm > 0 and spl >= 0:
        return 1
    return came_from


def _slide_rhs(system, i, signs):
    """The sliding field on surface i (the other regions' signs fixed)."""
    minus, plus = system.region(_with(signs, i, -1)), system.region(_with(signs, i, 1))

    def rhs(t, y):
        g = system.grad(i, y)
        vm, vp = minus(t, y), plus(t, y)
        sm, spl = float(g @ vm), float(g @ vp)
        a = 0.5 if sm == spl else sm / (sm - spl)
        gg = float(g @ g)
        pull = system.s(i, y) / gg if gg > 0 else 0.0
        return (1 - a) * vm + a * vp - pull * g
    return rhs


def _root(f, a: float, b: float, fa: float, fb: float) -> float:
    """The root of f in [a, b] where fa > 0 > fb (Brent's method); a when fa <= 0 (the
    step starts on the surface or, by rounding, just past it)."""
    from scipy.optimize import brentq
    if not fa > 0:
        return a
    return float(brentq(f, a, b, xtol=4 * np.finfo(float).eps, rtol=4 * np.finfo(float).eps))


def _step_events(system, signs, sliding, rhs, dense, t_old, t_new, y_new, memo):
    r"""The earliest switch inside the step [t_old, t_new], or None, as (what, which, t).

    With :math:`f_i = \epsilon_i s_i` (positive on the current side): a hit where
    :math:`f_i` turns negative at the step's end; a hit stepped over (the flow went to the
    other side and back inside one step) where :math:`f_i' = \epsilon_i \nabla s_i \cdot v`
    turns from negative to positive inside the step and :math:`f_i` is negative at that
    minimum;
    while sliding on j, an exit where :math:`\sigma_-` falls to 0 (to the side -1) or
    :math:`\sigma_+` rises to 0 (to the side +1). ``memo`` holds the values at t_old and
    receives those at t_new."""
    found = []
    for i in range(len(signs)):
        if i == sliding:
            continue

        def f(tt, i=i):
            return signs[i] * system.s(i, dense(tt))

        def rate(tt, i=i):
            yy = dense(tt)
            return signs[i] * float(system.grad(i, yy) @ rhs(tt, yy))
        f_old, r_old = memo.get(("f", i)), memo.get(("r", i))
        f_new, r_new = signs[i] * system.s(i, y_new), rate(t_new)
        memo[("f", i)], memo[("r", i)] = f_new, r_new
        if f_old is None:
            f_old, r_old = f(t_old), rate(t_old)
        if f_new < 0:
            found.append(("hit", i, _root(f, t_old, t_new, f_old, f_new)))
        elif r_old < 0 < r_new:                 # f has a minimum inside the step
            t_min = _root(lambda tt: -rate(tt), t_old, t_new, -r_old, -r_new)
            f_min = f(t_min)
            if f_min < 0:
                found.append(("hit", i, _root(f, t_old, t_min, f_old, f_min)))
    if sliding is not None:
        for side, k in ((-1, 3), (1, 4)):
            def g(tt, k=k, side=side):
                return -side * _normal_speeds(system, sliding, signs, dense(tt))[k]
            g_old = memo.get(("g", side))
            g_new = -side * _normal_speeds(system, sliding, signs, y_new)[k]
            memo[("g", side)] = g_new
            if g_old is None:
                g_old = g(t_old)
            if g_new <= 0:
                found.append(("exit", side, t_new if g_new == 0
                              else _root(g, t_old, t_new, g_old, g_new)))
    return min(found, key=lambda e: e[2]) if found else None


def solve_switched(system: SwitchedField, t_span, y0, t_eval, rtol, atol, method,
                   max_switches, section: bool = False):
    r"""Integrate one trajectory of a piecewise-smooth field (Filippov's convex method).

    Parameters
    ----------
    system : SwitchedField
        The field's pieces.
    t_span : (float, float)
        Start and end time.
    y0 : (float, float)
        The start (theta0, psi0).
    t_eval : ndarray
        Output times, increasing, inside ``t_span``.
    rtol, atol : float
        Tolerances of the solver on each smooth segment.
    method : str
        A ``solve_ivp`` method name (``scipy.integrate.DOP853``, ``RK45``, ... are stepped).
    max_switches : int
        Give up (status ``"failed"``) after this many switches.
    section : bool
        Also record the upward crossings of psi = 0 (a Poincare section).

    Returns
    -------
    out : ndarray, shape (2, len(t_eval))
        theta and psi at ``t_eval`` (NaN after a failure).
    status, message : str
        ``"success"`` or ``"failed"``, and why.
    switches : list of (t, theta, psi, surface, kind)
        Every switch: kind ``"cross"`` (to the other side), ``"slide"`` (starts sliding),
        ``"leave"`` (stops sliding, or leaves a surface it only touched); ``surface`` is
        the switching function as a string.
    nfev : int
        Evaluations of the right-hand side over all segments.
    ups : list of (t, theta)
        With ``section``: the upward crossings of psi = 0.
    """
    import scipy.integrate
    t0, t1 = float(t_span[0]), float(t_span[1])
    y = np.array(y0, dtype=float)
    out = np.full((2, len(t_eval)), np.nan)
    switches, ups = [], []
    nfev = 0
    n = len(system.surfaces)
    signs = system.signs_at(y)
    sliding = None              # the surface the flow slides on
    for i in range(n):
        if signs[i] == 0:       # starting on a surface: the side the flow goes to, or slide
            side = _slide_or_leave(system, i, _with(signs, i, 1), y, 1)
            if side == 0 and sliding is None:
                sliding, signs = i, _with(signs, i, 1)
            else:
                signs = _with(signs, i, side or 1)
    t = t0
    out[:, t_eval == t0] = y[:, None]
    status, message = "success", "reached the end of the time span"
    stuck = 0
    solver_class = getattr(scipy.integrate, method)
    while t < t1:
        rhs = system.region(signs) if sliding is None else _slide_rhs(system, sliding, signs)
        with np.errstate(all="ignore"):
            solver = solver_class(rhs, t, y, t1, rtol=rtol, atol=atol)
        memo: dict = {}
        stop = None
        while stop is None and solver.status == "running":
            with np.errstate(all="ignore"):
                step_message = solver.step()
                if solver.status == "failed" or not np.all(np.isfinite(solver.y)):
                    nfev += int(solver.nfev)
                    return (out, "failed", step_message or f"the state is not finite at "
                            f"t = {solver.t:.6g}", switches, nfev, ups)
                t_old, t_new = float(solver.t_old), float(solver.t)
                dense = solver.dense_output()
                stop = _step_events(system, signs, sliding, rhs, dense, t_old, t_new,
                                    np.array(solver.y, dtype=float), memo)
                t_end = t_new if stop is None else stop[2]
                inside = (t_eval > t_old) & (t_eval <= t_end)
                if inside.any():
                    out[:, inside] = dense(t_eval[inside])
                if section:
                    p_old, p_end = float(dense(t_old)[1]), float(dense(t_end)[1])
                    if p_old < 0 <= p_end:      # an upward crossing of psi = 0
                        tu = t_end if p_end == 0 else _root(
                            lambda tt: -float(dense(tt)[1]), t_old, t_end, -p_old, -p_end)
                        ups.append((tu, float(dense(tu)[0])))
        nfev += int(solver.nfev)
        if stop is None:
            message = "reached the end of the time span"
            break
        what, which, t_new = stop
        y = np.array(dense(t_new), dtype=float)
        stuck = stuck + 1 if t_new - t <= _ZENO_DT * max(1.0, abs(t)) else 0
        t = t_new
        if stuck > _ZENO_COUNT:
            status = "failed"
            message = (f"{stuck} switches without time advancing at t = {t:.12g}, "
                       f"({y[0]:.12g}, {y[1]:.12g}): a Zeno point")
            break
        if len(switches) >= max_switches:
            status, message = "failed", f"more than {max_switches} switches"
            break
        if what == "exit":                       # sliding ends: leave to side `which`
            y = system.project(sliding, y)
            surface = sliding
            signs, sliding = _with(signs, surface, which), None
            switches.append((t, float(y[0]), float(y[1]), system.names[surface], "leave"))
            continue
        i, side = which, signs[which]
        if sliding is not None:                  # a second surface met while sliding: cross it
            signs = _with(signs, i, -side)
            switches.append((t, float(y[0]), float(y[1]), system.names[i], "cross"))
            j = sliding
            y = system.project(j, y)
            leave = _slide_or_leave(system, j, signs, y, 1)
            if leave:
                signs, sliding = _with(signs, j, leave), None
                switches.append((t, float(y[0]), float(y[1]), system.names[j], "leave"))
            continue
        y = system.project(i, y)
        _, _, _, sm, spl = _normal_speeds(system, i, signs, y)
        s_other = spl if side < 0 else sm        # the other side's normal speed
        if side * s_other < 0:                   # the other side's field carries the flow on
            signs = _with(signs, i, -side)
            switches.append((t, float(y[0]), float(y[1]), system.names[i], "cross"))
            continue
        leave = _slide_or_leave(system, i, signs, y, side)
        if leave == 0:
            sliding = i
            switches.append((t, float(y[0]), float(y[1]), system.names[i], "slide"))
        else:
            signs = _with(signs, i, leave)
            switches.append((t, float(y[0]), float(y[1]), system.names[i],
                             "cross" if leave != side else "leave"))
    return out, status, message, switches, nfev, ups
