"""The explorer's symbolic work, run in a worker process (no Bokeh here: the worker imports
only stabgan). It returns plain data, so nothing SymPy crosses the process boundary."""
from __future__ import annotations

import sympy

from ..analysis.analyze import analyze
from ..model.method import method


def _number(expr) -> complex | None:
    try:
        return complex(sympy.N(expr))
    except (TypeError, ValueError):
        return None


def summary(mid: str, params: tuple[tuple[str, str], ...], scheme: str, h: str) -> dict:
    """What the page shows of ``analyze``: verdict, h_max (text and value), LaTeX, eigenvalues.

    Raises the package's InputError (pickled back to the server) on bad input.
    """
    m = method(mid, **dict(params))
    a = analyze(m, scheme="continuous") if scheme == "continuous" else \
        analyze(m, scheme=scheme, h=h)
    hm = None if scheme == "continuous" else a.discrete.get("h_max")
    val = None if hm is None else _number(hm)
    vals = [v for v in (_number(e) for e in (a.eigenvalues or [])) if v is not None]
    return {"verdict": a.verdict(), "h_max": None if hm is None else str(hm),
            "h_max_value": None if val is None else val.real, "latex": a.to_latex(),
            "re": [v.real for v in vals], "im": [v.imag for v in vals]}
