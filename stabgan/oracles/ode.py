r"""The continuous oracle: the flow :math:`\dot x = v(x)` integrated with SciPy.

Smooth methods are integrated with :func:`scipy.integrate.solve_ivp` (DOP853, tight
default tolerances rtol = 1e-10, atol = 1e-12). For a field that jumps at
:math:`\psi = 0` (WGAN-GP, DRAGAN with k > 0) each smooth piece is integrated on its own
side and stopped at :math:`\psi = 0` by an event; at the switching line the flow crosses
when the other side's field carries it on, and slides (a Filippov sliding mode) when both
sides push towards the line; the step-size control never grinds through the jump.

A field with other switching surfaces (a Heaviside, sign, Abs, Max or Min of a function of
theta and psi other than psi itself: the hinge loss's :math:`H(1 - \theta\psi)`) is
integrated by :mod:`stabgan.oracles.filippov`: across a surface where the flow crosses, and
along it with Filippov's sliding field :math:`(1 - a) v_- + a v_+` (the convex combination
tangent to the surface) where both sides push into it, until the exit condition fails.
Fields that are smooth or jump only at psi = 0 keep the path above, unchanged.

:func:`attractor` follows the flow from a start and says where it ends: the Nash
equilibrium, another point, a limit cycle (found by a Poincare section at the upward
crossings of :math:`\psi = 0`), none (a centre: periodic orbits all around), or undecided
when it has done none of these by the horizon. The default horizon follows from the
spectrum: enough e-foldings of the slowest decaying eigenvalue at the Nash point or at the
one-sided equilibria (DRAGAN with gamma = 3 has one of about -0.02), with a cap.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from functools import lru_cache

import numpy as np
import sympy as sp

from .._errors import InputError
from ..model.method import Method, require_concrete_f
from .._symbols import PSI, THETA

__all__ = ["integrate", "IntegrationResult", "attractor", "Attractor"]


@dataclass(frozen=True)
class IntegrationResult:
    """The result of :func:`integrate` (time is the last axis of ``theta`` and ``psi``).

    Attributes
    ----------
    t : ndarray
        The output times.
    theta, psi : ndarray
        States at ``t``, shape ``broadcast(theta0, psi0).shape + (len(t),)``.
    status : ndarray of str
        Per trajectory: ``"success"``; ``"settled"`` (reached psi = 0 at an equilibrium of the
        side it came from, and stays there); ``"sliding"`` (stopped on the switching line
        psi = 0, where both sides push towards it); or ``"failed"``.
    message : ndarray of str
        The solver's message per trajectory.
    crossings : list
        Per trajectory (non-smooth methods), its arrivals at psi = 0 as
        (t, theta, "up" | "down"): "up" from psi < 0, "down" from psi > 0.
    switches : list
        Per trajectory, for a field with switching surfaces other than psi = 0 (Heaviside,
        Max, Min, sign or Abs of a function of theta and psi: :mod:`stabgan.oracles.filippov`),
        every switch as (t, theta, psi, surface, kind), kind ``"cross"``, ``"slide"`` (the
        flow starts sliding along the surface) or ``"leave"`` (it stops sliding); empty
        lists otherwise.
    nfev : ndarray of int
        Per trajectory, the evaluations of the right-hand side (all segments).
    """

    t: np.ndarray
    theta: np.ndarray
    psi: np.ndarray
    status: np.ndarray
    message: np.ndarray
    crossings: list = dc_field(default_factory=list)
    switches: list = dc_field(default_factory=list)
    nfev: np.ndarray | None = None


@lru_cache(maxsize=None)
def _pieces(method_key):
    """The right-hand sides ``rhs(t, y)`` of the smooth pieces (psi > 0 side, psi < 0 side) of
    the field: the compiled components of the grouped field evaluator of
    :mod:`stabgan.codegen` (the one behind ``Method.field``), the parameters at their numeric
    values; None with instance noise."""
    from ..codegen.field import component_functions
    from ..model.jumps import one_sided_fields, smooth_field
    m = _METHODS[method_key]
    if m.noise:
        return None
    params = tuple(p.symbol for p in m.spec.parameters)
    values = [m.numeric_params[p.name] for p in m.spec.parameters]

    def rhs_of(side):
        f0, f1 = component_functions(tuple(sp.sympify(e) for e in side), (THETA, PSI), params)

        def rhs(t, y):
            return [float(f0(y[0], y[1], *values)), float(f1(y[0], y[1], *values))]
        return rhs
    field = smooth_field(m.integrand)
    if field is not None:
        rhs = rhs_of(field)
        return rhs, rhs
    plus, minus = one_sided_fields(m.integrand)
    return rhs_of(plus), rhs_of(minus)


_METHODS: dict = {}


def _field_functions(m: Method):
    """(rhs on psi > 0, rhs on psi < 0, whether the field jumps) for scalar states."""
    key = m._key
    _METHODS[key] = m
    pieces = _pieces(key)
    if pieces is None:  # instance noise: the quadrature field, smooth
        def rhs(t, y):
            v = m.field(y[0], y[1])
            return [float(v[0]), float(v[1])]
        return rhs, rhs, False
    plus, minus = pieces
    return plus, minus, plus is not minus


@lru_cache(maxsize=None)
def _switched_of(method_key):
    """The compiled pieces (:class:`stabgan.oracles.filippov.SwitchedField`) of a field with
    switching surfaces other than psi = 0, its parameters at their (exact) values; None for
    every other field, which keeps its integration as it was."""
    from ..model.switching import general_switching
    from .filippov import switched_field
    m = _METHODS[method_key]
    if m.noise:
        return None
    values = {p.symbol: sp.sympify(m.values.get(p.name, p.default)) for p in m.spec.parameters}
    field = tuple(sp.sympify(e).subs(values) for e in m.integrand)
    surfaces = general_switching(field)
    return None if surfaces is None else switched_field(field, surfaces)


def _switched(m: Method):
    """:func:`_switched_of` for a method."""
    _METHODS[m._key] = m
    return _switched_of(m._key)


def _solve_one(m, t_span, y0, t_eval, rtol, atol, method, max_crossings, nfev=None):
    from scipy.integrate import solve_ivp
    plus, minus, jumps = _field_functions(m)
    t0, t1 = t_span
    y = np.array(y0, dtype=float)
    out = np.full((2, len(t_eval)), np.nan)
    crossings = []
    status, message = "success", "reached the end of the time span"
    if not jumps:
        with np.errstate(all="ignore"):
            sol = solve_ivp(plus, (t0, t1), y, method=method, rtol=rtol, atol=atol,
                            t_eval=t_eval)
        if nfev is not None:
            nfev.append(sol.nfev)
        if sol.status < 0:
            return out, "failed", sol.message, crossings
        out[:, :sol.y.shape[1]] = sol.y
        return out, status, sol.message, crossings
    side = 1 if y[1] > 0 else -1 if y[1] < 0 else _side_at_axis(plus, minus, y[0])
    t = t0
    while t < t1:
        if side == 0:
            status, message = "sliding", (f"both sides push towards psi = 0 at theta = {y[0]:.12g}"
                                          f" (t = {t:.6g}): the flow slides; stopped there")
            mask = t_eval >= t
            out[0, mask], out[1, mask] = y[0], 0.0
            break
        rhs = plus if side > 0 else minus

        def hit_axis(tt, yy):
            return yy[1]
        hit_axis.terminal = True
        hit_axis.direction = -side
        mask = (t_eval >= t) & (t_eval <= t1)
        with np.errstate(all="ignore"):
            sol = solve_ivp(rhs, (t, t1), y, method=method, rtol=rtol, atol=atol,
                            t_eval=t_eval[mask], events=hit_axis)
        if nfev is not None:
            nfev.append(sol.nfev)
        if sol.status < 0:
            return out, "failed", sol.message, crossings
        if mask.any() and np.size(sol.y):
            idx = np.flatnonzero(mask)[:sol.y.shape[1]]
            out[:, idx] = sol.y
        if sol.status != 1:
            message = sol.message
            break
        t = float(sol.t_events[0][0])
        y = np.array([sol.y_events[0][0][0], 0.0])
        arriving = rhs(t, y)[1]
        if abs(arriving) <= 1e-9 * max(1.0, abs(y[0])):
            # the flow reached psi = 0 at an equilibrium of the side it came from (a one-sided
            # equilibrium on the switching line): it stays there; rounding must not carry it
            # across
            status, message = "settled", (f"settled at the one-sided equilibrium "
                                          f"({y[0]:.12g}, 0{'+' if side > 0 else '-'}) at t = {t:.6g}")
            later = t_eval > t
            out[0, later], out[1, later] = y[0], 0.0
            break
        crossings.append((t, float(y[0]), "up" if side < 0 else "down"))
        if len(crossings) > max_crossings:
            status, message = "failed", f"more than {max_crossings} crossings of psi = 0"
            break
        other = minus if side > 0 else plus
        v_other = other(t, y)[1]
        if side * v_other < 0:       # the other side's field carries the flow on: cross
            side = -side
        else:                         # both sides push towards the line: sliding mode
            side = 0
    return out, status, message, crossings


def _side_at_axis(plus, minus, theta) -> int:
    up = plus(0.0, [theta, 0.0])[1]
    down = minus(0.0, [theta, 0.0])[1]
    if up > 0:
        return 1
    if down < 0:
        return -1
    return 0


#: The most steps an explicit solver may need (about a minute of integration): above it the
#: flow is stiff over the span and an implicit method is the tool.
MAX_EXPLICIT_STEPS = 10**7


def _largest_rate(m: Method, points) -> float:
    """max |eigenvalue| of v'(x) over ``points``, by central differences of the piece of the
    field on each point's side of psi = 0 (both sides on psi = 0); points where the field is
    not finite are left out."""
    plus, minus, jumps = _field_functions(m)
    rho = 0.0
    for th, ps in points:
        sides = [plus] if not jumps or ps > 0 else [minus] if ps < 0 else [plus, minus]
        for rhs in sides:
            eps = 1e-6 * max(1.0, abs(th), abs(ps))
            with np.errstate(all="ignore"):
                cols = [(np.subtract(rhs(0, (th + eps, ps)), rhs(0, (th - eps, ps))) / (2 * eps)),
                        (np.subtract(rhs(0, (th, ps + eps)), rhs(0, (th, ps - eps))) / (2 * eps))]
                J = np.column_stack(cols)
            if not np.all(np.isfinite(J)):
                continue  # the field overflows here: the integrator reports it, not this check
            rho = max(rho, float(np.max(np.abs(np.linalg.eigvals(J)))))
    return rho


def _check_explicit_cost(m: Method, span: float, points, method: str) -> None:
    """Refuse, in one line, a span over which an explicit solver would need more than
    :data:`MAX_EXPLICIT_STEPS` steps: its stable step is about 3/|lambda| (DOP853, RK45)."""
    if method in ("Radau", "BDF", "LSODA") or m.noise:
        return
    rho = _largest_rate(m, points)
    steps = span * rho / 3.0
    if steps > MAX_EXPLICIT_STEPS:
        raise InputError(f"An explicit solver ({method}) would need about {steps:.2g} steps "
                         f"over a time span of {span:g} where |lambda| reaches {rho:.3g} (the "
                         f"limit is {MAX_EXPLICIT_STEPS:.0e} steps, about a minute): give a "
                         f"shorter time span, or, if the flow is stiff, method='Radau' or "
                         f"'LSODA' (implicit).")


#: The methods of scipy.integrate.solve_ivp.
_SOLVERS = ("DOP853", "RK45", "RK23", "Radau", "BDF", "LSODA")


def integrate(m: Method, t_span=(0.0, 50.0), theta0=1.0, psi0=1.0, t_eval=None,
              rtol: float = 1e-10, atol: float = 1e-12, method: str = "DOP853",
              max_crossings: int = 100000) -> IntegrationResult:
    r"""Integrate the continuous dynamics :math:`\dot x = v(x)` from many starts.

    Parameters
    ----------
    m : Method
        From :func:`method`; omitted parameters take their catalogue defaults.
    t_span : (float, float)
        Start and end time.
    theta0, psi0 : float or array_like
        Starting points (broadcast together).
    t_eval : array_like, optional
        Output times (default: 1001 equally spaced points over ``t_span``).
    rtol, atol : float
        Tolerances of :func:`scipy.integrate.solve_ivp`.
    method : str
        A ``solve_ivp`` method (default DOP853, 8th order).
    max_crossings : int
        Non-smooth methods: give up after this many crossings of psi = 0 (with other
        switching surfaces: after this many switches of any kind).

    Returns
    -------
    IntegrationResult
        ``t``, ``theta``, ``psi`` (time last), ``status`` and ``message`` per trajectory;
        ``switches`` (fields with switching surfaces other than psi = 0) and ``nfev``.

    Notes
    -----
    A field with a switching surface :math:`s(\theta, \psi) = 0` read from its Heaviside,
    sign, Abs, Max or Min terms (other than the jump at psi = 0) is integrated piece by
    piece (:mod:`stabgan.oracles.filippov`). With :math:`v_\pm` the smooth fields on the
    sides :math:`s \gtrless 0` and :math:`\sigma_\pm = \nabla s \cdot v_\pm`, the flow
    crosses where :math:`\sigma_-` and :math:`\sigma_+` have one sign, and where
    :math:`\sigma_- > 0 > \sigma_+` it slides along the surface with Filippov's field

    .. math:: v_s = (1 - a) v_- + a v_+, \qquad a = \frac{\sigma_-}{\sigma_- - \sigma_+},

    until :math:`\sigma_-` or :math:`\sigma_+` reaches 0, where it leaves to that side.
    For the hinge loss, :math:`v = (-\psi, \theta H(1 - \theta\psi))`, the flow slides
    along :math:`\theta\psi = 1` where :math:`|\theta| > 1` with
    :math:`v_s = (-\psi, \psi^2/\theta)` and leaves at :math:`\theta = \psi = \pm 1` on
    the circle :math:`\theta^2 + \psi^2 = 2`.

    References
    ----------
    A. F. Filippov, *Differential Equations with Discontinuous Righthand Sides*, Kluwer,
    1988, section 2.4.

    Examples
    --------
    >>> import stabgan
    >>> o = stabgan.integrate(stabgan.method("gan"), t_span=(0, 10), theta0=1.0, psi0=0.0)
    >>> round(float(o.theta[-1] ** 2 + o.psi[-1] ** 2), 9)   # Lemma 2.3: conserved
    1.0
    """
    if not isinstance(m, Method):
        raise InputError(f"integrate takes a method from stabgan.method(...). Got {m!r} instead.")
    require_concrete_f(m)
    try:
        t0, t1 = (float(v) for v in t_span)
    except (TypeError, ValueError):
        raise InputError(f"The 't_span' option must be two numbers (t0, t1). Got {t_span!r}.") \
            from None
    if not (np.isfinite(t0) and np.isfinite(t1) and t1 > t0):
        raise InputError(f"The 't_span' option must be finite with t1 > t0. Got {t_span!r}.")
    th0 = np.asarray(theta0, dtype=float)
    ps0 = np.asarray(psi0, dtype=float)
    if not (np.all(np.isfinite(th0)) and np.all(np.isfinite(ps0))):
        raise InputError("All components of the 'theta0' and 'psi0' options must be finite. "
                         f"Got theta0={theta0!r}, psi0={psi0!r}.")
    from .._options import broadcast_named, check_float_option
    rtol = check_float_option(rtol, "rtol", 0.0, False)
    atol = check_float_option(atol, "atol", 0.0, False)
    if method not in _SOLVERS:
        raise InputError(f"The 'method' option of integrate must be one of {', '.join(_SOLVERS)} "
                         f"(scipy.integrate.solve_ivp's). Got {method!r} instead.")
    from .._options import int_option
    max_crossings = int_option(max_crossings, "max_crossings", 1)
    th0, ps0 = broadcast_named(theta0=th0, psi0=ps0)
    try:
        t = np.linspace(t0, t1, 1001) if t_eval is None else np.asarray(t_eval, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"The 't_eval' option must be increasing times inside t_span. "
                         f"Got {t_eval!r} instead.") from None
    if not np.all(np.isfinite(t)):
        raise InputError(f"The 't_eval' option must be finite times. Got {t_eval!r} instead.")
    if t.ndim != 1 or t.size == 0 or np.any(np.diff(t) <= 0) or t[0] < t0 or t[-1] > t1:
        raise InputError("The 't_eval' option must be increasing times inside t_span.")
    starts = list(zip(np.ravel(th0)[:64].tolist(), np.ravel(ps0)[:64].tolist()))
    _check_explicit_cost(m, t1 - t0, starts + [(0.0, 0.0)], method)
    shape = th0.shape
    theta = np.empty(shape + (t.size,))
    psi = np.empty(shape + (t.size,))
    status = np.empty(shape, dtype="<U8")
    message = np.empty(shape, dtype=object)
    crossings, switches = [], []
    nfev = np.zeros(shape, dtype=int)
    system = _switched(m)
    for idx in np.ndindex(shape):
        if system is not None:
            from .filippov import solve_switched
            out, st, msg, sw, nfev[idx], _ = solve_switched(
                system, (t0, t1), (th0[idx], ps0[idx]), t, rtol, atol, method, max_crossings)
            cr = []
        else:
            counts: list = []
            out, st, msg, cr = _solve_one(m, (t0, t1), (th0[idx], ps0[idx]), t, rtol, atol,
                                          method, max_crossings, counts)
            sw, nfev[idx] = [], sum(counts)
        theta[idx], psi[idx] = out
        status[idx], message[idx] = st, msg
        crossings.append(cr)
        switches.append(sw)
    return IntegrationResult(t=t, theta=theta, psi=psi, status=status,
                             message=message.astype(str), crossings=crossings,
                             switches=switches, nfev=nfev)


@dataclass(frozen=True)
class Attractor:
    """Where the flow from a start ends (:func:`attractor`).

    Attributes
    ----------
    kind : str
        ``"equilibrium"`` (the Nash point (0, 0)), ``"point"`` (another point: ``theta``,
        ``psi``), ``"limit_cycle"`` (``theta_crossing`` where it crosses psi = 0 upwards, and
        ``period``), ``"none"`` (periodic orbits whose neighbours are periodic too: a centre,
        nothing attracts) or ``"undecided"`` (none of these by ``t_max``: follow it longer).
    detail : str
        What was measured.
    """

    kind: str
    theta: float | None = None
    psi: float | None = None
    theta_crossing: float | None = None
    period: float | None = None
    detail: str = ""

    def to_dict(self) -> dict:
        """The JSON form."""
        return {"kind": self.kind, "theta": self.theta, "psi": self.psi,
                "theta_crossing": self.theta_crossing, "period": self.period,
                "detail": self.detail}


def _upward_crossings(m, y0, t_max, rtol=1e-12, atol=1e-13):
    """Follow the flow; return (final state, [(t, theta) at upward crossings of psi = 0],
    speed at the end)."""
    from scipy.integrate import solve_ivp
    plus, minus, jumps = _field_functions(m)
    system = _switched(m)
    if system is not None:
        from .filippov import solve_switched
        out, status, _, switches, _, ups = solve_switched(
            system, (0.0, t_max), y0, np.array([t_max]), rtol, atol, "DOP853", 10 ** 6,
            section=True)
        end = out[:, -1]
        sliding = bool(switches) and switches[-1][4] == "slide"
        with np.errstate(all="ignore"):
            if sliding:   # the sliding field's speed: a point where it vanishes is an end point
                from .filippov import _slide_rhs
                i = system.names.index(switches[-1][3])
                signs = tuple(1 if k == i else int(np.sign(system.s(k, end)))
                              for k in range(len(system.surfaces)))
                speed = float(np.hypot(*_slide_rhs(system, i, signs)(0, end)))
            else:
                speed = float(np.hypot(*m.field(end[0], end[1])))
        return end, ups, speed
    if not jumps:
        def up(t, y):
            return y[1]
        up.direction = 1
        with np.errstate(all="ignore"):
            sol = solve_ivp(plus, (0, t_max), np.array(y0, float), method="DOP853", rtol=rtol,
                            atol=atol, events=up)
        ups = [(float(t), float(y[0])) for t, y in zip(sol.t_events[0], sol.y_events[0])]
        end = sol.y[:, -1]
        with np.errstate(all="ignore"):  # an overflowing field is a result, not a warning
            return end, ups, float(np.hypot(*plus(0, end)))
    out, status, _, crossings = _solve_one(m, (0.0, t_max), y0, np.array([t_max]), rtol, atol,
                                           "DOP853", 10 ** 6)
    end = out[:, -1]
    ups = [(t, theta) for t, theta, direction in crossings if direction == "up"]
    if status in ("sliding", "settled"):
        return end, ups, 0.0
    rhs = plus if end[1] > 0 else minus
    with np.errstate(all="ignore"):
        return end, ups, float(np.hypot(*rhs(0, end)))


# the default horizon: at least _T_MIN, _E_FOLDS e-foldings of the slowest decaying eigenvalue
# (the speed falls from O(1) to far below tol = 1e-8), at most _T_CAP
_T_MIN, _E_FOLDS, _T_CAP = 500.0, 40.0, 1e5


def _linearizations(m: Method) -> list:
    """The Jacobians of the flow at the catalogue values, exactly then as complex arrays: at
    the Nash point, or for a field that jumps at psi = 0 at the one-sided equilibria (theta_b,
    0+-) of each side (v_psi(theta_b, 0+-) = 0 = v_theta there). Derived here from the field,
    not from the analysis, which this oracle checks."""
    from ..model.jumps import one_sided_fields, smooth_field
    from ..model.method import gaussian_expectation
    values = {p.symbol: sp.sympify(m.values.get(p.name, p.default)) for p in m.spec.parameters}
    integrand = tuple(sp.sympify(e).subs(values) for e in m.integrand)
    noise = tuple((eps, sp.sympify(sd).subs(values)) for eps, sd in m.noise)

    def jacobian(piece, point):
        J = sp.Matrix(list(piece)).jacobian([THETA, PSI]).subs({THETA: point[0], PSI: point[1]})
        return np.array(J.applyfunc(lambda e: gaussian_expectation(e, noise)).evalf(),
                        dtype=complex)
    field = smooth_field(integrand)
    if field is not None:
        return [jacobian(field, (0, 0))]
    out = []
    for piece in one_sided_fields(integrand):
        on_axis = [e.subs(PSI, 0) for e in piece]
        for r in sp.solve(on_axis[1], THETA):
            if r.is_real is not False and sp.simplify(on_axis[0].subs(THETA, r)) == 0:
                out.append(jacobian(piece, (r, 0)))
    return out


def _spectral_horizon(m: Method) -> tuple[float, float | None]:
    """(horizon, slowest decay rate) from the linearizations (:func:`_linearizations`).
    Eigenvalues with non-negative real part set no time scale."""
    rates = [-z.real for J in _linearizations(m) for z in np.linalg.eigvals(J) if z.real < 0]
    if not rates:
        return _T_MIN, None
    slow = float(min(rates))
    return float(min(_T_CAP, max(_T_MIN, _E_FOLDS / slow))), slow


def attractor(m: Method, theta0: float = 1.0, psi0: float = 1.0, t_max: float | None = None,
              tol: float = 1e-8) -> Attractor:
    r"""Follow the flow :math:`\dot x = v(x)` from (theta0, psi0) and say where it ends.

    A limit cycle is found by a Poincare section at the upward crossings of psi = 0 (from
    psi < 0 to psi > 0): successive crossings agreeing to ``tol`` give ``theta_crossing``
    and ``period``. A periodic orbit whose neighbours are periodic too (a centre, such as
    the minimax GAN's circles, where theta^2 + psi^2 is conserved) is not attracting:
    the answer is then ``"none"``. A flow that has neither settled nor closed into a cycle
    by ``t_max`` is ``"undecided"``, never ``"none"``.

    Parameters
    ----------
    m : Method
        From :func:`method`.
    theta0, psi0 : float
        The start.
    t_max : float, optional
        How long to follow the flow. Default: from the spectrum, 40 e-foldings of the
        slowest decaying eigenvalue of the linearizations (Nash point, one-sided
        equilibria), at least 500 and at most 1e5.
    tol : float
        Agreement asked of successive section crossings, and of the end state.

    Returns
    -------
    Attractor
        ``kind`` in equilibrium, point, limit_cycle, none, undecided, with the numbers that
        go with it.

    Examples
    --------
    >>> import stabgan
    >>> stabgan.attractor(stabgan.method("wgan-gp", gamma=3, g0=1), theta0=0.5, psi0=1.0).kind
    'point'
    """
    if not isinstance(m, Method):
        raise InputError(f"attractor takes a method from stabgan.method(...). Got {m!r} instead.")
    require_concrete_f(m)
    from .._options import check_float_option
    tol = check_float_option(tol, "tol", 0.0, False)
    for name, value in (("theta0", theta0), ("psi0", psi0)):
        if np.ndim(value) != 0:
            raise InputError(f"The '{name}' option of attractor must be one number (attractor "
                             f"follows one start; integrate takes arrays). Got {value!r} instead.")
    slow = None
    if t_max is None:
        t_max, slow = _spectral_horizon(m)
    for name, value in (("theta0", theta0), ("psi0", psi0), ("t_max", t_max)):
        if not np.isfinite(float(value)):
            raise InputError(f"The '{name}' option must be finite. Got {value!r} instead.")
    if float(t_max) <= 0:
        raise InputError(f"The 't_max' option must be positive. Got {t_max!r} instead.")
    _check_explicit_cost(m, float(t_max), [(float(theta0), float(psi0)), (0.0, 0.0)], "DOP853")
    end, ups, speed = _upward_crossings(m, (float(theta0), float(psi0)), float(t_max))
    dist = float(np.hypot(*end))
    if dist < 1e-6:
        return Attractor("equilibrium", theta=float(end[0]), psi=float(end[1]),
                         detail=f"distance to (0, 0) at t = {t_max:g}: {dist:.2e}")
    if speed < tol:
        return Attractor("point", theta=float(end[0]), psi=float(end[1]),
                         detail=f"the flow stops at ({end[0]:.10g}, {end[1]:.10g}), |v| = "
                                f"{speed:.1e}, not the Nash equilibrium")
    if len(ups) >= 3 and abs(ups[-1][1] - ups[-2][1]) < tol * max(1.0, abs(ups[-1][1])):
        theta_c, period = ups[-1][1], ups[-1][0] - ups[-2][0]
        # isolated (attracting) or one of a family (a centre)? start a neighbour outside
        end2, ups2, _ = _upward_crossings(m, (theta_c * 1.1 + 0.1 * np.sign(theta_c or 1), -1e-9),
                                          float(t_max))
        if ups2 and abs(ups2[-1][1] - theta_c) < 1e3 * tol * max(1.0, abs(theta_c)):
            return Attractor("limit_cycle", theta_crossing=float(theta_c), period=float(period),
                             detail=f"{len(ups)} upward crossings of psi = 0; the last two agree "
                                    f"to {abs(ups[-1][1] - ups[-2][1]):.1e}; a neighbouring "
                                    f"orbit converges to the same cycle")
        return Attractor("none", detail="periodic orbits whose neighbours are periodic too (a "
                                        "centre): no attractor; the norm is conserved or "
                                        "neutrally stable")
    horizon = ("" if slow is None else
               f"; horizon from the slowest decaying eigenvalue, rate {slow:.3g}")
    return Attractor("undecided", theta=float(end[0]), psi=float(end[1]),
                     detail=f"undecided at t_max = {t_max:g}: neither settled nor periodic "
                            f"(distance {dist:.3g}, speed {speed:.2e}){horizon}")
