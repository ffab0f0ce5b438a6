"""The methods the explorer offers: the catalogue, and the user's own from ``--method-file``.

The file is read by the loader of ``stabgan analyze --method-file``
(:func:`stabgan.model.custom.load_method_file`), its ``penalties`` added as there, when the
server starts: a bad file stops ``stabgan explore`` with the command line's one-line message
before anything is served. No Bokeh here.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model.catalogue import MethodSpec, methods
from ..model.custom import load_method_file, parse_term
from ..model.method import method


@dataclass(frozen=True)
class Offered:
    """A method of the page's method select.

    Attributes
    ----------
    ref : str or MethodSpec
        What :func:`stabgan.method` takes: the catalogue id, or the user's spec (sent to the
        worker process as it is).
    spec : MethodSpec
        Its spec (parameters, whether it takes f).
    values : tuple of (str, str)
        The initial text of each parameter: the values the file's penalties give, else the
        defaults.
    own : bool
        Whether it comes from ``--method-file``.
    """

    ref: str | MethodSpec
    spec: MethodSpec
    values: tuple[tuple[str, str], ...]
    own: bool = False


def _text(value) -> str:
    """An exact value (Fraction, SymPy Rational) as the page types it: ``1``, ``3/10``."""
    return str(value)


def load_own(method_file: str) -> Offered:
    """The method of ``method_file`` (TOML, the keys of ``analyze --method-file``), with
    the penalties it lists added; raises the package's InputError for a bad file."""
    spec, terms = load_method_file(method_file)
    m = method(spec)
    for term in terms:
        m = m + parse_term(term)
    values = {p.name: _text(m.values.get(p.name, p.default)) for p in m.spec.parameters}
    return Offered(ref=m.spec, spec=m.spec, values=tuple(values.items()), own=True)


def offered(own: Offered | None = None) -> dict[str, Offered]:
    """The catalogue by id, then the user's own method (if any) under its id."""
    out = {s.id: Offered(ref=s.id, spec=s, values=tuple((p.name, _text(p.default))
                                                        for p in s.parameters))
           for s in sorted(methods(), key=lambda s: s.id)}
    if own is not None:
        out[own.spec.id] = own
    return out
