"""The explorer's slow work, run in worker processes (no Bokeh here: a worker imports only
stabgan). Each function returns plain data (str, float, lists, a NumPy array), so nothing
SymPy crosses the process boundary, and raises the package's InputError (pickled back to the
server) on bad input, with the message the command line prints."""
from __future__ import annotations

import numpy as np
import sympy

from .._errors import InputError
from .._options import OPTIONS
from ..analysis.analyze import analyze
from ..analysis.latex_block import PARTS
from ..analysis.maps import stability_map
from ..model.catalogue import MethodSpec
from ..model.method import method

#: Scheme options that fix the structure of a stability map (not numbers on an axis).
_STRUCTURE = ("n_g", "n_d", "order", "base")


def _number(expr) -> complex | None:
    try:
        return complex(sympy.N(expr))
    except (TypeError, ValueError):
        return None


def summary(ref: str | MethodSpec, params: tuple[tuple[str, str], ...], scheme: str,
            options: tuple[tuple[str, str], ...]) -> dict:
    """What the page shows of :func:`stabgan.analyze`.

    Parameters
    ----------
    ref : str or MethodSpec
        A catalogue id, or the spec of the user's own method (``--method-file``).
    params : tuple of (str, str)
        The method's parameters (and ``f``) as the page's text, e.g. ``(("gamma", "0.3"),)``.
    scheme : str
        ``"continuous"`` or a scheme of :data:`stabgan._options.SIMULATE_SCHEMES`.
    options : tuple of (str, str)
        The scheme options the page gives (``h`` or ``h_g``/``h_d``, ``n_d``, ...), as text.

    Returns
    -------
    dict
        ``verdict``; ``h_max`` (text, None in continuous time or when no step size is
        stable), ``h_max_value`` and ``h_max_status`` (analyze's: "computed", "symbolic" or
        "no Jacobian"); ``latex`` (the whole ``to_latex()`` block); ``parts``,
        a list of (part, ``to_latex(part)``) for the parts this analysis has; ``re``/``im``
        of the eigenvalues that are numbers.
    """
    m = method(ref, **dict(params))
    a = analyze(m, scheme=scheme, **dict(options))
    hm = None if a.discrete is None else a.discrete.get("h_max")
    val = None if hm is None else _number(hm)
    vals = [v for v in (_number(e) for e in (a.eigenvalues or [])) if v is not None]
    parts = []
    for part in PARTS:
        try:
            parts.append((part, a.to_latex(part)))
        except InputError:  # this analysis does not have the part (e.g. h_max in continuous time)
            pass
    return {"verdict": a.verdict(), "h_max": None if hm is None else str(hm),
            "h_max_status": None if a.discrete is None else a.discrete.get("h_max_status"),
            "h_max_value": None if val is None else val.real, "latex": a.to_latex(),
            "parts": parts, "re": [v.real for v in vals], "im": [v.imag for v in vals]}


def map_grid(ref: str | MethodSpec, params: tuple[tuple[str, str], ...], scheme: str,
             options: tuple[tuple[str, str], ...], x: tuple[str, tuple[float, ...]],
             y: tuple[str, tuple[float, ...]]) -> np.ndarray:
    """The spectral radius per step on the grid ``x`` by ``y``, from
    :func:`stabgan.stability_map`.

    Parameters
    ----------
    ref, params, scheme, options
        As for :func:`summary`; ``params`` and ``options`` leave out the two axes.
    x, y : (str, tuple of float)
        Each axis: its name (a method parameter, ``h``, ``h_g``, ``h_d`` or a continuous
        scheme option) and its values.

    Returns
    -------
    numpy.ndarray
        ``spectral_radius`` of shape (len(x values), len(y values)).
    """
    m = method(ref, **dict(params))
    given = dict(options)
    structure = {k: OPTIONS[k].validate(given.pop(k)) for k in _STRUCTURE if k in given}
    s = stability_map(m, scheme, **structure, **given,
                      **{x[0]: np.asarray(x[1], float), y[0]: np.asarray(y[1], float)})
    return s.spectral_radius
