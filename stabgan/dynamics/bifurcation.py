r"""Bifurcation diagrams: the attractors of :func:`~stabgan.dynamics.basins.basins` continued
over a parameter, the values where their kinds change found by bisection, and checked
against what the closed-form analysis derives.

At each parameter value the attractors reached from a fixed set of starts are found as
:func:`basins` finds them (same tolerance rule). The *signature* of a value is the sorted
list of the kinds found (e.g. ``("limit_cycle",)`` or ``("point", "point")``). Between two
neighbouring values whose signatures differ, the change is located by bisection until the
bracket is at most ``xtol`` wide: that is a bifurcation point, reported as the bracket's
middle with half its width as the tolerance.

What the package derives in closed form is compared with the numbers:

* a discrete scheme over ``h``: :attr:`Analysis.h_max`, past which the Nash equilibrium is
  no longer locally convergent (a finite run decides slightly below it, since the
  contraction :math:`\rho(h)^{\text{steps}}` tends to 1 at h_max);
* the flow over a method parameter, for a field that jumps at psi = 0: the one-sided
  equilibria :math:`(\theta_b, 0^\pm)` of :func:`stabgan.analyze`'s ``nonsmooth`` object
  are stable foci where the discriminant :math:`\operatorname{tr}^2 - 4\det` of their
  Jacobian is negative and stable nodes where it is positive. A focus sitting on the
  switching line sends every nearby trajectory across it, so it cannot hold one; a node's
  slow eigendirection :math:`(1, -\lambda)` points into its own half-plane, so it attracts.
  The non-Nash points therefore appear exactly where the discriminant vanishes;
* the flow over a parameter of a smooth method: ``analyze(...).critical``, where the
  equilibrium's eigenvalues turn from complex to real (a focus becomes a node: the
  attractor's kind does not change, so this prediction is reported, not matched).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field as dc_field

import numpy as np
import sympy as sp

from .._errors import InputError
from .._options import check_float_option, float_array, int_option
from ..analysis.analyze import analyze
from ..model.method import Method, method as make_method
from .basins import BASIN_SCHEMES, basins

__all__ = ["bifurcation", "BifurcationResult"]

_STEP_PARAMETERS = ("h",)


@dataclass(frozen=True)
class BifurcationResult:
    """The result of :func:`bifurcation`.

    Attributes
    ----------
    method : Method
        The method (the parameter varied is left as given there).
    parameter : str
        The parameter varied: a method parameter or ``"h"``.
    values : ndarray
        The grid of parameter values.
    scheme : str
        ``"ode"`` or a discrete scheme.
    attractors : list of list of Attractor
        Per value, the attractors found.
    amplitudes : list of list of float
        Per value and attractor: the largest :math:`\\sqrt{\\theta^2 + \\psi^2}` on a cycle's
        orbit, the distance to (0, 0) of a point.
    counts : list of list of int
        Per value and attractor, how many of the starts reached it.
    signatures : list of tuple
        Per value, the sorted kinds.
    equilibrium : list of dict
        Per value, the Nash equilibrium's local stability from :func:`stabgan.analyze`
        (``locally_convergent``, ``spectral_abscissa`` or ``spectral_radius``).
    points : list of dict
        The bifurcation points found: ``value``, ``tol`` (half the final bracket), ``lo``,
        ``hi``, ``left`` and ``right`` (the signatures either side).
    predicted : list of dict
        What the analysis derives: ``what``, ``sympy``, ``value``, and where a found point
        corresponds, ``found``, ``difference`` and ``agrees`` (within ``tol`` plus the
        stated allowance ``allowance``).
    xtol : float
        The bisection's bracket width.
    """

    method: Method
    parameter: str
    values: np.ndarray
    scheme: str
    attractors: list
    amplitudes: list
    counts: list
    signatures: list
    equilibrium: list
    points: list
    predicted: list
    xtol: float
    options: dict = dc_field(default_factory=dict)

    def to_dict(self) -> dict:
        """A JSON-able document: ``method``, ``params``, ``parameter``, ``scheme``,
        ``options``, ``values``, ``branches`` (per value: the attractors with ``amplitude``
        and ``count``, and ``equilibrium``), ``points``, ``predicted``, ``xtol``."""
        def num(x):
            return None if x is None or not math.isfinite(float(x)) else float(x)
        branches = []
        for v, atts, amps, cnt, eq in zip(self.values, self.attractors, self.amplitudes,
                                          self.counts, self.equilibrium):
            branches.append({"value": float(v), "equilibrium": eq,
                             "attractors": [{**a.to_dict(), "amplitude": num(amp),
                                             "count": int(c), "stable": True}
                                            for a, amp, c in zip(atts, amps, cnt)]})
        return {"method": self.method.id,
                "params": {k: str(v) for k, v in sorted(self.method.values.items())},
                "parameter": self.parameter, "scheme": self.scheme,
                "options": {k: (v if isinstance(v, (int, float, str)) else str(v))
                            for k, v in sorted(self.options.items())},
                "values": [float(v) for v in self.values], "branches": branches,
                "points": [{**p, "left": list(p["left"]), "right": list(p["right"])}
                           for p in self.points],
                "predicted": self.predicted, "xtol": self.xtol}

    def to_xarray(self):
        """The result as an ``xarray.Dataset`` (needs the optional extra: ``pip install
        'stabgan[xarray]'``).

        Returns
        -------
        xarray.Dataset
            Dimension named after the parameter (coordinate: ``values``) and ``attractor``
            (0 ... the most attractors found at one value; padded with NaN, -1 counts and
            ``""`` kinds). Per value: ``signature`` (the sorted kinds joined by ``+``),
            ``attractor_count``, ``locally_convergent`` (the Nash equilibrium's, from the
            closed form; -1 where it was not decided, else 0 or 1) and
            ``spectral_abscissa`` (the flow) or ``spectral_radius`` (a discrete scheme).
            Per value and attractor: ``kind``, ``theta``, ``psi``, ``theta_crossing``,
            ``period``, ``amplitude``, ``count``. Attributes: ``method``, ``scheme``,
            ``parameter``, ``parameters`` (JSON, the method's other parameters),
            ``options`` (JSON), ``points`` and ``predicted`` (JSON, as in ``to_dict()``),
            ``xtol``, ``stabgan_version``.
        """
        from .._executor import import_optional, stabgan_version
        xr = import_optional("xarray", "xarray", "BifurcationResult.to_xarray()")
        import json
        doc = self.to_dict()
        p, n = self.parameter, len(self.values)
        width = max([len(a) for a in self.attractors] + [0])
        kind = np.full((n, width), "", dtype=object)
        fields = {k: np.full((n, width), np.nan) for k in ("theta", "psi", "theta_crossing",
                                                             "period", "amplitude")}
        count = np.full((n, width), -1, dtype=np.int32)
        for i, (atts, amps, cnt) in enumerate(zip(self.attractors, self.amplitudes,
                                                   self.counts)):
            for j, (a, amp, c) in enumerate(zip(atts, amps, cnt)):
                kind[i, j] = a.kind
                count[i, j] = c
                fields["amplitude"][i, j] = np.nan if amp is None else amp
                for k in ("theta", "psi", "theta_crossing", "period"):
                    v = getattr(a, k)
                    fields[k][i, j] = np.nan if v is None else v
        key = "spectral_abscissa" if self.scheme == "ode" else "spectral_radius"
        pair = (p, "attractor")
        data = {"signature": (p, np.array(["+".join(s) for s in self.signatures], dtype=str)),
                "attractor_count": (p, np.array([len(a) for a in self.attractors], np.int32)),
                "locally_convergent": (p, np.array(
                    [-1 if e.get("locally_convergent") is None else int(e["locally_convergent"])
                     for e in self.equilibrium], np.int8)),
                key: (p, np.array([np.nan if e.get(key) is None else float(e[key])
                                   for e in self.equilibrium])),
                "kind": (pair, kind.astype(str) if width else np.empty((n, 0), dtype="<U1")),
                "count": (pair, count),
                **{k: (pair, v) for k, v in fields.items()}}
        others = {}
        for k, v in sorted(self.method.values.items()):
            if k != p:
                try:
                    others[k] = float(v)
                except (TypeError, ValueError):
                    others[k] = str(v)
        attrs = {"method": self.method.id, "scheme": self.scheme, "parameter": p,
                 "parameters": json.dumps(others), "options": json.dumps(doc["options"]),
                 "points": json.dumps(doc["points"]),
                 "predicted": json.dumps(doc["predicted"]), "xtol": self.xtol,
                 "stabgan_version": stabgan_version()}
        return xr.Dataset(data, coords={p: (p, np.asarray(self.values, dtype=float)),
                                        "attractor": ("attractor", np.arange(width))},
                          attrs=attrs)

    def plot(self, ax=None):
        """Draw the diagram (theta of each point, crossing of each cycle, against the
        parameter; found points solid, derived ones dashed); returns the Figure.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure, Agg backend).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ._plotting import bifurcation_diagram
        return bifurcation_diagram(self, ax=ax)


def _with_value(m: Method, name: str, value) -> Method:
    values = {k: v for k, v in m.values.items() if k != name}
    if value is not None:
        values[name] = value
    return make_method(m.spec, f=m.f if m.spec.takes_f else None, generator=m.generator,
                       **values)


def _bound_except(m: Method, name: str) -> Method:
    """The method with every parameter but ``name`` bound (catalogue defaults where
    omitted) and ``name`` left a symbol, for the closed-form predictions."""
    values = {p.name: m.values.get(p.name, p.default) for p in m.spec.parameters
              if p.name != name}
    return make_method(m.spec, f=m.f if m.spec.takes_f else None, generator=m.generator,
                       **values)


def _predictions(m: Method, parameter: str, scheme: str, options: dict, lo: float,
                 hi: float) -> list:
    """Closed-form change points inside [lo, hi] (module docstring)."""
    out = []
    if parameter == "h":
        a = analyze(m, scheme=scheme, **{k: v for k, v in options.items() if k != "h"})
        h_max = a.to_dict().get("h_max")
        if h_max and h_max.get("value") is not None and lo <= h_max["value"] <= hi:
            out.append({"what": "h_max: past it the Nash equilibrium is no longer locally "
                                "convergent", "sympy": h_max["sympy"],
                        "value": float(h_max["value"]), "kind": "equilibrium lost"})
        return out
    symbolic = _bound_except(m, parameter)
    sym = next(p.symbol for p in m.spec.parameters if p.name == parameter)
    a = analyze(symbolic)
    if a.nonsmooth is not None:
        found = set()
        for side in a.nonsmooth["one_sided"].values():
            for eq in side["equilibria"]:
                local = {str(sym): sym}
                J = sp.Matrix([[sp.sympify(e, locals=local) for e in row]
                               for row in eq["jacobian"]["sympy"]])
                disc = sp.factor(J.trace() ** 2 - 4 * J.det())
                for root in sp.solve(sp.Eq(disc, 0), sym):
                    if root.is_real and lo <= float(root) <= hi and root not in found:
                        found.add(root)
                        out.append({"what": "the one-sided equilibria turn from stable foci "
                                            "into stable nodes (discriminant tr^2 - 4 det = "
                                            f"{disc} = 0): non-Nash points attract from here",
                                    "sympy": str(root), "value": float(root),
                                    "kind": "points appear",
                                    "jacobian": (J, sym)})
    elif a.critical and parameter in a.critical:
        c = a.to_dict()["critical"][parameter]
        if c.get("value") is not None and lo <= c["value"] <= hi:
            out.append({"what": "critical value: the equilibrium's eigenvalues turn from "
                                "complex to real (focus to node; the attractor's kind does "
                                "not change)", "sympy": c["sympy"], "value": float(c["value"]),
                        "kind": "type only"})
    return out


#: The ODE oracle's resolution at a one-sided equilibrium: it settles on arrival at psi = 0
#: with |v_psi| <= 1e-9 max(1, |theta|), and finds points to its tol = 1e-8.
_ODE_RESOLUTION = 1e-8


def _focus_lag(J: sp.Matrix, sym, at: float, lo: float, hi: float, eps: float) -> float:
    r"""How far from ``at`` (where the one-sided equilibrium turns from focus to node) the
    focus contracts by ``eps`` per half-turn: :math:`\exp(\pi\,\mathrm{Re}\lambda /
    |\mathrm{Im}\lambda|) = \varepsilon`, found by bisection on the focus side."""
    def half_turn(p):
        lam = np.linalg.eigvals(np.array(J.subs(sym, p).evalf(), dtype=complex))
        lam = lam[np.argmax(np.abs(lam.imag))]
        return -math.inf if lam.imag == 0 else math.pi * lam.real / abs(lam.imag)
    target = math.log(eps)
    side = None
    for other in (lo, hi):
        if other != at and half_turn(0.5 * (other + at)) > -math.inf:
            side = other
    if side is None:
        return 0.0
    a, b = side, at    # half_turn(a) > target (or the range ends first), -inf at b
    if half_turn(a) <= target:
        return abs(at - a)
    for _ in range(60):
        mid = 0.5 * (a + b)
        if half_turn(mid) > target:
            a = mid
        else:
            b = mid
    return abs(at - 0.5 * (a + b))


def _attractor_summary(b) -> tuple:
    amps = []
    for i, a in enumerate(b.attractors):
        if a.kind == "limit_cycle" and i in b.orbits:
            x, y = b.orbits[i]
            amps.append(float(np.max(np.hypot(x, y))))
        elif a.theta is not None:
            amps.append(float(np.hypot(a.theta, a.psi)))
        else:
            amps.append(float("nan"))
    return list(b.attractors), amps, list(b.counts), tuple(sorted(a.kind for a in b.attractors))


def bifurcation(m: Method, parameter: str, values, scheme: str = "ode", *, theta=None,
                psi=None, steps: int = 4000, tail: int = 2048, tol: float = 1e-3,
                xtol: float | None = None, max_bisections: int = 30,
                progress=None, executor=None, **scheme_options) -> BifurcationResult:
    r"""The attractors continued over a parameter, the bifurcation points where their kinds
    change (bisection to ``xtol``), and the closed-form points that the analysis derives.

    For every value :math:`p` in ``values`` the starts ``theta x psi`` are followed as by
    :func:`stabgan.basins` (the flow :math:`\dot x = v_p(x)` for ``scheme="ode"``, else the
    discrete update :math:`x_{k+1} = F_p(x_k)`); the kinds found form the value's signature.
    Where two neighbouring signatures differ, the change point :math:`p^*` is bracketed
    until the bracket is at most ``xtol`` wide; a third signature met on the way (DRAGAN:
    cycle, then cycle and points, then points) splits it into two points, each located.

    Parameters
    ----------
    m : Method
        From :func:`stabgan.method`; the varied parameter's own value there is ignored.
    parameter : str
        A parameter of the method (``gamma``, ...) or ``"h"`` (discrete schemes).
    values : array_like
        Increasing parameter values (at least 2).
    scheme : {"ode", "simgd", "altgd", "extragradient"}
        The flow or a discrete scheme.
    theta, psi : array_like, optional
        The starts' axes (default: 4 x 4 starts on [-2.5, 2.5] for the flow, 12 x 12 on
        [-3, 3] for a discrete scheme).
    steps, tail, tol
        As in :func:`stabgan.basins`.
    xtol : float, optional
        Width of the final bracket of each bifurcation point (default: 1e-3 of the range).
    max_bisections : int
        At most this many bisections per point.
    progress : callable, optional
        ``progress(done, total)`` with values done (bisections count as values).
    executor : concurrent.futures.Executor, optional
        Runs the chunks of every value's basins (:func:`stabgan.basins`; the flow too): the
        same bytes as a serial run.
    **scheme_options
        ``h`` (unless it is the parameter), ``n_g``, ``n_d``, ``order``, ``h_e``.

    Returns
    -------
    BifurcationResult
        Attractors per value, the bifurcation points found, the derived ones compared,
        ``plot()`` and ``to_dict()``.

    Examples
    --------
    >>> import numpy as np, stabgan
    >>> d = stabgan.bifurcation(stabgan.method("r1", gamma=0.3), "h", np.linspace(1.0, 1.4, 3),
    ...                         scheme="simgd", steps=3000, theta=[0.1], psi=[0.1], xtol=1e-2)
    >>> [list(s) for s in d.signatures]     # at h = 6/5 itself nothing settles in the run
    [['equilibrium'], [], ['limit_cycle']]
    >>> p = d.predicted[0]
    >>> p["sympy"], round(p["found"], 3), p["agrees"]     # h_max derived, and found
    ('6/5', 1.191, True)
    """
    if not isinstance(m, Method):
        raise InputError(f"bifurcation takes a method from stabgan.method(...). Got {m!r} "
                         f"instead.")
    if scheme not in BASIN_SCHEMES:
        raise InputError(f"The 'scheme' option of bifurcation must be one of "
                         f"{', '.join(BASIN_SCHEMES)}. Got {scheme!r} instead.")
    names = [p.name for p in m.spec.parameters]
    allowed = names + ([] if scheme == "ode" else list(_STEP_PARAMETERS))
    if parameter not in allowed:
        raise InputError(f"The 'parameter' option of bifurcation must be one of "
                         f"{', '.join(allowed) or '(none)'} for method '{m.id}' with scheme "
                         f"'{scheme}'. Got {parameter!r} instead.")
    if parameter in scheme_options:
        raise InputError(f"The option {parameter!r} is both fixed and the parameter varied.")
    values = float_array(values, "values", False)
    if values.ndim != 1 or values.size < 2 or np.any(np.diff(values) <= 0):
        raise InputError(f"The 'values' option of bifurcation must be at least 2 increasing "
                         f"numbers. Got {values.tolist()!r} instead.")
    if parameter == "h" and values[0] <= 0:
        raise InputError(f"The step sizes 'h' must be positive. Got {values[0]!r} instead.")
    if theta is None:
        theta = np.linspace(-2.5, 2.5, 4) if scheme == "ode" else np.linspace(-3, 3, 12)
    if psi is None:
        psi = np.linspace(-2.5, 2.5, 4) if scheme == "ode" else np.linspace(-3, 3, 12)
    span = float(values[-1] - values[0])
    xtol = 1e-3 * span if xtol is None else check_float_option(xtol, "xtol", 0.0, False)
    max_bisections = int_option(max_bisections, "max_bisections", 0, 200)
    if progress is not None and not callable(progress):
        raise InputError(f"The 'progress' option must be a callable progress(done, total) or "
                         f"None. Got {progress!r} instead.")
    if scheme != "ode" and parameter != "h" and "h" not in scheme_options and (
            "h_g" not in scheme_options):
        raise InputError("The step size is missing: give 'h' (or make it the parameter).")
    kw = dict(scheme_options)
    if executor is not None:
        kw["executor"] = executor
    done, last = [0], [time.monotonic()]
    total = values.size

    def at(value):
        if parameter == "h":
            b = basins(m, scheme, theta=theta, psi=psi, steps=steps, tail=tail, tol=tol,
                       h=float(value), **kw)
        else:
            mv = _with_value(m, parameter, float(value))
            if scheme == "ode":
                b = basins(mv, "ode", theta=theta, psi=psi, tol=tol, executor=executor)
            else:
                b = basins(mv, scheme, theta=theta, psi=psi, steps=steps, tail=tail, tol=tol,
                           **kw)
        done[0] += 1
        if progress is not None and time.monotonic() - last[0] >= 1.0:
            last[0] = time.monotonic()
            progress(done[0], total)
        return _attractor_summary(b)

    rows = [at(v) for v in values]
    points = []

    def locate(lo, hi, left, right, budget):
        # bisect [lo, hi] between two signatures; a third signature met in the middle splits
        # the bracket into two changes, each located in turn
        while hi - lo > xtol and budget > 0:
            mid = 0.5 * (lo + hi)
            sig = at(mid)[3]
            budget -= 1
            if sig == left:
                lo = mid
            elif sig == right:
                hi = mid
            else:
                locate(lo, mid, left, sig, budget)
                locate(mid, hi, sig, right, budget)
                return
        points.append({"value": 0.5 * (lo + hi), "tol": 0.5 * (hi - lo), "lo": lo, "hi": hi,
                       "left": left, "right": right})

    for i in range(values.size - 1):
        left, right = rows[i][3], rows[i + 1][3]
        if left == right:
            continue
        lo, hi = float(values[i]), float(values[i + 1])
        total += min(max_bisections, max(0, math.ceil(math.log2((hi - lo) / xtol))))
        locate(lo, hi, left, right, max_bisections)
    options = {k: v for k, v in kw.items() if k != "executor"}
    predicted = _predictions(m, parameter, scheme, options, float(values[0]),
                             float(values[-1]))
    for p in predicted:
        if p["kind"] == "type only" or not points:
            continue
        kind = "equilibrium" if p["kind"] == "equilibrium lost" else "point"
        if kind == "equilibrium":   # where the equilibrium leaves the signature
            match = [q for q in points if kind in q["left"] and kind not in q["right"]]
        else:                       # where points enter it
            match = [q for q in points if kind not in q["left"] and kind in q["right"]]
        if not match:
            continue
        near = min(match, key=lambda q: abs(q["value"] - p["value"]))
        p["found"], p["found_tol"] = near["value"], near["tol"]
        p["difference"] = near["value"] - p["value"]
        # stated allowance: the bracket, plus for h_max the finite run's lag (the contraction
        # rho^steps of the last tail must reach tol: a few percent of h_max at 4000 steps)
        if parameter == "h":
            p["allowance"] = near["tol"] + 0.05 * p["value"]
            p["allowance_reason"] = ("the bracket, plus 5% of h_max: near h_max the "
                                     "contraction rho(h)^steps tends to 1, so a finite run "
                                     "decides below it")
        else:
            J, sym = p["jacobian"]
            eps = _ODE_RESOLUTION if scheme == "ode" else tol
            lag = _focus_lag(J, sym, p["value"], float(values[0]), float(values[-1]), eps)
            h = options.get("h", options.get("h_g"))
            step = 0.0 if scheme == "ode" or h is None else float(np.max(h))
            p["allowance"] = near["tol"] + lag + step
            p["allowance_reason"] = (
                f"the bracket, plus {lag:.3g}: the distance to where one half-turn of the "
                f"one-sided focus contracts by {eps:g} (exp(pi Re lambda / |Im lambda|) = "
                f"{eps:g}); closer to the node than that a spiral reaches the point within "
                f"the oracle's resolution before it can cross psi = 0"
                + (f"; plus h = {step:g} (the scheme approximates the flow to O(h))"
                   if step else ""))
        p["agrees"] = bool(abs(p["difference"]) <= p["allowance"])
    for p in predicted:
        p.pop("jacobian", None)
    equilibrium = [_equilibrium(m, parameter, v, scheme, options) for v in values]
    if progress is not None:
        progress(total, total)
    return BifurcationResult(method=m, parameter=parameter, values=values, scheme=scheme,
                             attractors=[r[0] for r in rows], amplitudes=[r[1] for r in rows],
                             counts=[r[2] for r in rows], signatures=[r[3] for r in rows],
                             equilibrium=equilibrium, points=points, predicted=predicted,
                             xtol=float(xtol), options=options)


def _equilibrium(m, parameter, value, scheme, options) -> dict:
    """The Nash equilibrium's local stability at ``value`` from the closed form."""
    from fractions import Fraction
    exact = str(Fraction(float(value)).limit_denominator(10 ** 9))
    try:
        if parameter == "h":
            a = analyze(m, scheme=scheme, **{k: v for k, v in options.items() if k != "h"},
                        h=exact)
        else:
            mv = _with_value(m, parameter, exact)
            a = (analyze(mv) if scheme == "ode" else analyze(mv, scheme=scheme, **options))
    except InputError as exc:
        return {"locally_convergent": None, "note": str(exc)}
    d = a.to_dict()
    key = "spectral_abscissa" if scheme == "ode" else "spectral_radius"
    return {"locally_convergent": d.get("locally_convergent"), key: d.get(key)}
