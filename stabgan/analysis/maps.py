r"""Stability maps: the spectral radius of the update operator on a grid, vectorized.

For every scheme the update operator's Jacobian at the equilibrium, over one period and on
the augmented state (``stabgan.schemes.rules``), is derived once with the step sizes, the scheme's
continuous options (``momentum``, ``h_e``, ``lookahead_alpha``) and the method's parameters
as symbols. Its characteristic polynomial :math:`z^n + a_1 z^{n-1} + \dots + a_n` has
coefficients that are polynomials in those symbols; on a grid they are evaluated as NumPy
arrays and the spectral radius comes from the closed forms of ``stabgan.analysis.radius`` (n <= 4), not
from one eigenvalue call per point. Integer options (``lookahead_steps``, ``lazy_every``)
change the period, so each value on such an axis gets its own derivation. The radius is
reported per step (the period-th root), as in :func:`analyze`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache
from itertools import product

import numpy as np
import sympy as sp

from .._errors import InputError
from .._executor import check_executor, import_optional, run_tasks, stabgan_version
from ..model.method import Method, require_concrete_f
from .._symbols import HD_SYMBOL, HG_SYMBOL
from .._options import SCHEME_OPTIONS, SCHEMES, check_axis, refuse_adaptive
from ..schemes.scheme import make_scheme

__all__ = ["stability_map", "StabilityMap", "SCHEME_AXES", "MAP_CHUNK"]

#: Grid points per chunk (one task on an executor). Fixed, whatever runs the chunks, so a
#: serial run, a process pool and a cluster compute every point the same way.
MAP_CHUNK = 1 << 16

#: Scheme options that can be an axis (continuous ones become symbols, integer ones are
#: derived value by value).
_STEP_AXES = tuple(o.name for o in SCHEME_OPTIONS if o.kind == "step" and o.name != "h_e")
_CONTINUOUS = {o.name: sp.Symbol(o.name, positive=True) if o.kind == "step" or o.low == 0
               else sp.Symbol(o.name, real=True)
               for o in SCHEME_OPTIONS if o.axis == "continuous" and o.name not in _STEP_AXES}
_INTEGER = tuple(o.name for o in SCHEME_OPTIONS if o.axis == "integer")
SCHEME_AXES = _STEP_AXES + tuple(_CONTINUOUS) + _INTEGER


@dataclass(frozen=True)
class StabilityMap:
    """The result of :func:`stability_map`.

    Attributes
    ----------
    axes : dict
        Axis name -> 1-D array, in the order given.
    spectral_radius : ndarray
        Spectral radius of the update operator per step (``indexing="ij"``: one dimension
        per axis).
    locally_convergent : ndarray of bool
        ``spectral_radius < 1``.
    options : dict
        What was fixed: ``n_g``, ``n_d``, ``order``, ``base`` and the options given as numbers.
    """

    method: Method
    scheme: str
    axes: dict
    spectral_radius: np.ndarray
    locally_convergent: np.ndarray
    options: dict = field(default_factory=dict)

    def to_xarray(self):
        """The map as an ``xarray.Dataset`` (needs the optional extra: ``pip install
        'stabgan[xarray]'``).

        Returns
        -------
        xarray.Dataset
            One dimension per axis, named as the axis (``h``, ``gamma``, ...) with its values
            as the coordinate; variables ``spectral_radius`` and ``locally_convergent``;
            attributes ``method``, ``scheme``, ``parameters`` (JSON: the method's values off
            the axes), ``options`` (JSON: what was fixed) and ``stabgan_version``.
        """
        xr = import_optional("xarray", "xarray", "StabilityMap.to_xarray()")
        import json
        dims = tuple(self.axes)
        params = {k: float(v) for k, v in sorted(self.method.numeric_params.items())
                  if k not in self.axes}
        attrs = {"method": self.method.id, "scheme": self.scheme,
                 "parameters": json.dumps(params),
                 "options": json.dumps({k: v if isinstance(v, (int, str)) or v is None
                                        else float(v) for k, v in sorted(self.options.items())}),
                 "stabgan_version": stabgan_version()}
        return xr.Dataset({"spectral_radius": (dims, self.spectral_radius),
                           "locally_convergent": (dims, self.locally_convergent)},
                          coords={k: (k, np.asarray(v)) for k, v in self.axes.items()},
                          attrs=attrs)


@lru_cache(maxsize=None)
def _coefficients(spec, f: str, generator: str, scheme: str, n_g: int, n_d: int, order: str,
                  options: tuple):
    """The characteristic polynomial's coefficients a_1..a_n as NumPy functions of
    (h_g, h_d, momentum, h_e, lookahead_alpha, *parameters), and the period."""
    from .analyze import analyze
    from ..model.method import method as build
    from ..codegen.kernels import lambdify_numpy
    from ..schemes.rules import lazy_linearization, require_penalty
    from .discrete import charpoly
    from ..schemes.scheme import update_jacobian
    m = build(spec, f=f if spec.takes_f else None, generator=generator)
    J = analyze(m).jacobian
    if J is None:
        raise InputError(f"Method '{spec.id}' has a field that jumps at psi = 0: no update "
                         f"Jacobian, so no stability map.")
    opts = dict(options)
    sch = make_scheme(scheme, n_g=n_g, n_d=n_d, order=order, **opts)
    sch = replace(sch, h_g=HG_SYMBOL, h_d=HD_SYMBOL)
    name = require_penalty(spec, sch.lazy_every)
    w = None if name is None else spec.parameter(name).symbol
    lin = lazy_linearization(J, J, w, w, sch.lazy_every)  # J has every parameter a symbol
    coeffs = charpoly(update_jacobian(lin, sch))[1:]
    args = [HG_SYMBOL, HD_SYMBOL, *_CONTINUOUS.values(), *[p.symbol for p in spec.parameters]]
    return [lambdify_numpy(args, c) for c in coeffs], sch.period


def _axis_array(m: Method, name: str, values) -> np.ndarray:
    if name in SCHEME_AXES:
        return check_axis(name, values)
    a = np.asarray(values, dtype=float)
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
        raise InputError(f"The axis {name!r} must be a non-empty 1-D array of finite numbers.")
    if name in [p.name for p in m.spec.parameters]:
        p = m.spec.parameter(name)
        bad = [v for v in a if not p.contains(Fraction(float(v)))]
        if bad:
            raise InputError(f"The axis {name!r} of method '{m.id}' must lie in "
                             f"{p.interval}. Got {float(bad[0])!r} instead.")
    return a


#: Working memory of one grid point (measured: about 110 bytes for SimGD and AltGD; margin
#: for the schemes whose polynomials have more coefficients).
_BYTES_PER_POINT = 256


def stability_map(m: Method, scheme: str = "simgd", n_g: int = 1, n_d: int = 1,
                  order: str = "generator-first", base: str | None = None, executor=None,
                  **axes) -> StabilityMap:
    r"""The spectral radius of the update operator on a grid of step sizes, scheme options
    and method parameters.

    Parameters
    ----------
    m : Method
        From :func:`method`; parameters not on an axis take their given value (or default).
    scheme : {"simgd", "altgd", "extragradient", "ogda", "lookahead"} or RuleSpec
        The scheme, or an optimizer of your own from :func:`stabgan.update_rule` (``adam``
        and ``rmsprop`` are refused with the reason, as in :func:`analyze`: their step is not
        linear in the state at the equilibrium).
    n_g, n_d : int
        AltGD steps per round (also lookahead over AltGD).
    order : {"generator-first", "discriminator-first"}
        AltGD order.
    base : {"simgd", "altgd"}, optional
        Lookahead's fast steps.
    executor : concurrent.futures.Executor, optional
        Evaluate the grid there (a ``ProcessPoolExecutor``, a Dask client's
        ``client.get_executor()``, ...): the grid is cut into chunks of :data:`MAP_CHUNK`
        points whatever runs them (serial runs use the same chunks), so the map is the same
        bytes. Each worker derives the characteristic polynomial once (cached per process).
        A failing chunk raises :class:`ExecutorError` naming it.
    **axes : 1-D array_like or number
        An array makes an axis, a number fixes the option: ``h`` (both step sizes), ``h_g``,
        ``h_d``, ``momentum``, ``h_e``, ``lookahead_alpha``, ``lookahead_steps``,
        ``lazy_every`` and the method's parameters, e.g. ``h=np.linspace(0.01, 4, 1000),
        momentum=np.linspace(-0.9, 0.9, 1000)``. The step size must be given (``h``, or
        ``h_g`` and ``h_d``).

    Returns
    -------
    StabilityMap
        ``spectral_radius`` (per step) and ``locally_convergent`` with one dimension per
        axis, in the order the axes were given.

    Examples
    --------
    >>> import numpy as np, stabgan
    >>> s = stabgan.stability_map(stabgan.method("r1"), "simgd", h=np.array([1.1, 1.3]),
    ...                           gamma=np.array([0.3]))
    >>> s.locally_convergent[:, 0].tolist()                  # h_max = 6/5 at gamma = 0.3
    [True, False]
    """
    if not isinstance(m, Method):
        raise InputError(f"stability_map takes a method from stabgan.method(...). Got {m!r}.")
    check_executor(executor, None, "stability_map")
    from ..schemes.user import RuleSpec
    custom = isinstance(scheme, RuleSpec)
    if not custom:
        refuse_adaptive(scheme, "stability_map")
    if not custom and scheme not in SCHEMES:
        raise InputError(f"The 'scheme' option of stability_map must be one of "
                         f"{', '.join(SCHEMES)}. Got {scheme!r} instead.")
    require_concrete_f(m)
    names = [p.name for p in m.spec.parameters]
    for name in axes:
        if name not in SCHEME_AXES and name not in names:
            raise InputError(f"Unknown axis {name!r} for method '{m.id}': the axes are "
                             f"{', '.join(SCHEME_AXES + tuple(names))}.")
    if "h" in axes and ("h_g" in axes or "h_d" in axes):
        raise InputError("Give the axis 'h' or the axes 'h_g'/'h_d', not both.")
    arrays, fixed = {}, {}
    for name, values in axes.items():
        if np.ndim(values) == 0 and name not in names:
            fixed[name] = values
        else:
            arrays[name] = _axis_array(m, name, values)
    if not arrays:
        raise InputError("stability_map needs at least one axis, e.g. h=np.linspace(0.01, 2, 100).")
    from .._options import check_memory
    points = int(np.prod([np.size(a) for a in arrays.values()], dtype=float))
    check_memory(points * _BYTES_PER_POINT, "stability_map on a grid of "
                 + " x ".join(f"{np.size(a):,}" for a in arrays.values()) + f" = {points:,} points",
                 "use fewer points per axis, or split the grid")
    if "h" not in axes and not ("h_g" in axes and "h_d" in axes):
        missing = [k for k in ("h_g", "h_d") if k not in axes]
        raise InputError(f"stability_map needs the step size: give 'h' (or both 'h_g' and "
                         f"'h_d'; missing {', '.join(missing)}).")
    # validate the fixed options (and the scheme's structure) once, through make_scheme
    steps = {k: fixed[k] for k in _STEP_AXES if k in fixed}
    structure = {k: v for k, v in fixed.items() if k not in _STEP_AXES}
    if base is not None:
        structure["base"] = base
    symbolic = {k: _CONTINUOUS[k] for k in _CONTINUOUS if k in arrays}
    integer_probe = {k: 1 for k in _INTEGER if k in arrays}
    make_scheme(scheme, n_g=n_g, n_d=n_d, order=order, **steps, **structure, **symbolic,
                **integer_probe)
    grids = np.meshgrid(*arrays.values(), indexing="ij")
    grid = dict(zip(arrays, grids))
    shape = grids[0].shape

    def value(name, default=None):
        if name in grid:
            return grid[name]
        if name in fixed:
            return float(fixed[name])
        return default

    hg = value("h", None)
    hd = hg
    if hg is None:
        hg, hd = value("h_g"), value("h_d")
    cont = [value("momentum", 0.0), value("h_e", 1.0), value("lookahead_alpha", 0.5)]
    params = [grid[name] if name in grid else m.numeric_params[name] for name in names]
    rho = np.empty(shape)
    integer_axes = [k for k in _INTEGER if k in arrays]
    tasks, where = [], []   # one task per chunk of MAP_CHUNK points of one integer combination
    for combo in product(*[np.unique(arrays[k]).astype(int) for k in integer_axes]):
        chosen = dict(zip(integer_axes, (int(c) for c in combo)))
        options = {**{k: v for k, v in structure.items() if k not in _STEP_AXES},
                   **symbolic, **chosen}
        key = (m.spec, m.f, m.generator, scheme, n_g, n_d, order,
               tuple(sorted(options.items(), key=lambda kv: kv[0])))
        _coefficients(*key)   # derive (and validate) here before any chunk is sent
        mask = np.ones(shape, bool)
        for k, c in chosen.items():
            mask &= grid[k] == c
        index = np.flatnonzero(mask)

        def pick(a):
            return np.broadcast_to(a, shape).reshape(-1)[index] if np.ndim(a) else a

        args = [pick(hg), pick(hd), *[pick(c) for c in cont], *[pick(p) for p in params]]
        for lo in range(0, index.size, MAP_CHUNK):
            part = slice(lo, min(lo + MAP_CHUNK, index.size))
            tasks.append((key, part.stop - part.start,
                          [a[part] if np.ndim(a) else a for a in args]))
            where.append(index[part])
    flat_rho = rho.reshape(-1)

    def collect(i, r) -> None:
        flat_rho[where[i]] = r

    run_tasks(executor, _map_chunk, len(tasks), tasks.__getitem__, collect,
              lambda i: f"grid points {where[i][0]} to {where[i][-1]} in C order")
    options = {"n_g": n_g, "n_d": n_d, "order": order, **({"base": base} if base else {}),
               **{k: v for k, v in fixed.items()}}
    return StabilityMap(m, getattr(scheme, "name", scheme), arrays, rho, rho < 1, options)


#: A user's rules as received by this process (an executor's worker unpickles a new RuleSpec
#: per chunk; the polynomial cache needs the same object).
_RULES: dict = {}


def _map_chunk(task) -> np.ndarray:
    """The spectral radius per step on one chunk of grid points (the same code inline and
    on an executor's worker; the polynomial is derived once per process)."""
    key, count, args = task
    from ..schemes.user import RuleSpec
    if isinstance(key[3], RuleSpec):   # compared by identity: one object per rule per process
        rule = key[3]
        rule = _RULES.setdefault((rule.name, rule.step, rule.memory, rule.summary,
                                  rule.citation), rule)
        key = key[:3] + (rule,) + key[4:]
    funcs, period = _coefficients(*key)
    from .radius import spectral_radius_of_polynomials
    with np.errstate(all="ignore"):
        coeffs = [np.broadcast_to(fn(*args), (count,)).astype(float) for fn in funcs]
        r = spectral_radius_of_polynomials(coeffs)
        return r if period == 1 else r ** (1.0 / period)
