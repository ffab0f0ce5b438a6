r"""Stability maps: the spectral radius of the update operator on a grid, vectorized.

For SimGD and AltGD the update operator's Jacobian at the equilibrium is a 2 x 2 matrix M
whose trace and determinant are polynomials in the step sizes and the method's parameters
(derived once, symbolically). Its eigenvalues are the roots of z^2 - tr z + det, so on a
grid the spectral radius is evaluated in closed form, without one eigenvalue call per point:

    rho = sqrt(det)                      if tr^2 - 4 det < 0 (a complex pair, |z|^2 = det),
    rho = (|tr| + sqrt(tr^2 - 4 det)) / 2 otherwise (the larger root, no cancellation).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from ._errors import InputError
from ._game import Method
from ._schemes import HD_SYMBOL, HG_SYMBOL, make_scheme, update_jacobian

__all__ = ["stability_map", "StabilityMap"]

_STEP_AXES = ("h", "h_g", "h_d")


@dataclass(frozen=True)
class StabilityMap:
    """The result of :func:`stability_map`.

    Attributes
    ----------
    axes : dict
        Axis name -> 1-D array, in the order given.
    spectral_radius : ndarray
        Spectral radius of F'(0, 0) on the grid (``indexing="ij"``: one dimension per axis).
    locally_convergent : ndarray of bool
        ``spectral_radius < 1``.
    """

    method: Method
    scheme: str
    axes: dict
    spectral_radius: np.ndarray
    locally_convergent: np.ndarray


@lru_cache(maxsize=None)
def _trace_det(spec, f: str, generator: str, scheme: str, n_g: int, n_d: int, order: str):
    """tr(M) and det(M) as NumPy functions of (h_g, h_d, *parameters)."""
    from ._analysis import analyze
    from ._game import method as build
    from ._numeric import lambdify_numpy
    m = build(spec, f=f if spec.takes_f else None, generator=generator)
    J = analyze(m).jacobian
    if J is None:
        raise InputError(f"Method '{spec.id}' has a field that jumps at psi = 0: no update "
                         f"Jacobian, so no stability map.")
    sch = make_scheme(scheme, h_g=None, h_d=None, n_g=n_g, n_d=n_d, order=order)
    sch = type(sch)(sch.name, sch.substeps, HG_SYMBOL, HD_SYMBOL, n_g, n_d, order)
    M = update_jacobian(J, sch)
    params = [p.symbol for p in spec.parameters]
    args = [HG_SYMBOL, HD_SYMBOL, *params]
    tr = lambdify_numpy(args, sp.expand(M.trace()))
    det = lambdify_numpy(args, sp.expand(M.det()))
    return tr, det


def stability_map(m: Method, scheme: str = "simgd", n_g: int = 1, n_d: int = 1,
                  order: str = "generator-first", **axes) -> StabilityMap:
    r"""The spectral radius of the update operator on a grid of step sizes and parameters.

    Parameters
    ----------
    m : Method
        From :func:`method`; parameters not on an axis take their given value (or default).
    scheme : {"simgd", "altgd"}
        The scheme.
    n_g, n_d : int
        AltGD steps per round.
    order : {"generator-first", "discriminator-first"}
        AltGD order.
    **axes : 1-D array_like
        Axes over ``h`` (both step sizes), ``h_g``, ``h_d`` and the method's parameters,
        e.g. ``h=np.linspace(0.01, 4, 1000), gamma=np.linspace(0, 3, 1000)``.

    Returns
    -------
    StabilityMap
        ``spectral_radius`` and ``locally_convergent`` with one dimension per axis, in the
        order the axes were given.

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
    if scheme not in ("simgd", "altgd"):
        raise InputError(f"The 'scheme' option of stability_map must be simgd or altgd. "
                         f"Got {scheme!r} instead.")
    if not axes:
        raise InputError("stability_map needs at least one axis, e.g. h=np.linspace(0.01, 2, 100).")
    names = [p.name for p in m.spec.parameters]
    for name in axes:
        if name not in _STEP_AXES and name not in names:
            raise InputError(f"Unknown axis {name!r} for method '{m.id}': the axes are "
                             f"{', '.join(_STEP_AXES + tuple(names))}.")
    if "h" in axes and ("h_g" in axes or "h_d" in axes):
        raise InputError("Give the axis 'h' or the axes 'h_g'/'h_d', not both.")
    arrays = {}
    for name, values in axes.items():
        a = np.asarray(values, dtype=float)
        if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
            raise InputError(f"The axis {name!r} must be a non-empty 1-D array of finite numbers.")
        if name in _STEP_AXES and np.any(a <= 0):
            raise InputError(f"The axis {name!r} must hold step sizes in (0, inf).")
        if name in names:
            p = m.spec.parameter(name)
            from fractions import Fraction
            bad = [v for v in a if not p.contains(Fraction(float(v)))]
            if bad:
                raise InputError(f"The axis {name!r} of method '{m.id}' must lie in "
                                 f"{p.interval}. Got {float(bad[0])!r}.")
        arrays[name] = a
    if "h" not in arrays and not ("h_g" in arrays and "h_d" in arrays):
        missing = [k for k in ("h_g", "h_d") if k not in arrays]
        raise InputError(f"stability_map needs the step size on an axis: give 'h' (or both "
                         f"'h_g' and 'h_d'; missing {', '.join(missing)}).")
    grids = np.meshgrid(*arrays.values(), indexing="ij")
    grid = dict(zip(arrays, grids))
    hg = grid.get("h", grid.get("h_g"))
    hd = grid.get("h", grid.get("h_d"))
    values = [grid[name] if name in grid else m.numeric_params[name] for name in names]
    tr_f, det_f = _trace_det(m.spec, m.f, m.generator, scheme, n_g, n_d, order)
    with np.errstate(all="ignore"):
        tr = np.broadcast_to(tr_f(hg, hd, *values), hg.shape).astype(float)
        det = np.broadcast_to(det_f(hg, hd, *values), hg.shape).astype(float)
        disc = tr * tr - 4 * det
        rho = np.where(disc < 0, np.sqrt(np.abs(det)),
                       (np.abs(tr) + np.sqrt(np.maximum(disc, 0))) / 2)
    return StabilityMap(m, scheme, arrays, rho, rho < 1)
