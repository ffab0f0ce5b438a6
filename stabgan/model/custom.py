"""A method of the user's own: losses and penalties as expressions, made a :class:`MethodSpec`.

The spec is the same data as a catalogue entry, so :func:`stabgan.method` binds it and every
function of the package takes the :class:`~stabgan.model.method.Method` it gives: the field is

    v(theta, psi) = (-d(L_G + P_G)/dtheta, d(L_D - P_D)/dpsi),

the discriminator ascending ``loss_d - d_penalty`` and the generator descending ``loss_g +
g_penalty`` (``loss_g`` defaults to ``loss_d``: the zero-sum game of Mescheder et al.).
"""
from __future__ import annotations

import re

import sympy as sp

from .._errors import InputError
from .._options import Parameter, check_finite_number
from .._symbols import F, PSI, THETA
from .catalogue import Citation, MethodSpec, is_catalogue_id
from .fparse import parse_expression

__all__ = ["custom_method", "load_method_file", "parse_term", "FILE_KEYS"]

_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_CONVENTION = ("A method of the user's own, in Mescheder et al.'s convention: the discriminator "
               "ascends loss_d - d_penalty, the generator descends loss_g + g_penalty, and "
               "sigmoid(D_psi(x)) is the probability that x is fake for the logistic f.")


def _parameter(name: str, given) -> Parameter:
    """A Parameter from a default or (default, low, high); None for an unbounded end."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,19}", name):
        raise InputError(f"A parameter name of custom_method must be a letter followed by up to "
                         f"19 letters, digits or underscores. Got {name!r} instead.")
    default, low, high = (given if isinstance(given, tuple) and len(given) == 3
                          else (given, None, None))

    def exact(value, part):
        if value is None:
            return None
        return check_finite_number(value, f"The {part} of parameter '{name}' of custom_method",
                                   "a finite number")

    d, lo, hi = exact(default, "default"), exact(low, "lower end"), exact(high, "upper end")
    if lo is not None and hi is not None and not lo < hi:
        raise InputError(f"The range of parameter '{name}' of custom_method must have low < high. "
                         f"Got ({low}, {high}) instead.")
    p = Parameter(name=name, default=d, meaning="a parameter of the user's method", low=lo,
                  high=hi)
    if not p.contains(d):
        raise InputError(f"The default of parameter '{name}' of custom_method must lie in "
                         f"{p.interval}. Got {default!r} instead.")
    return p


def custom_method(id: str, *, loss_d, loss_g=None, d_penalty=0, g_penalty=0,  # noqa: A002
                  parameters: dict | None = None, f: str = "logistic", summary: str = "",
                  citation: str = "") -> MethodSpec:
    r"""A training method of your own on the Dirac-GAN, as a :class:`MethodSpec`.

    The discriminator ascends :math:`L_D - P_D`, the generator descends :math:`L_G + P_G`:

    .. math:: v(\theta, \psi) = \Big(-\frac{\partial (L_G + P_G)}{\partial\theta},
              \frac{\partial (L_D - P_D)}{\partial\psi}\Big).

    Parameters
    ----------
    id : str
        A short name (lower-case letters, digits and dashes, not a catalogue id).
    loss_d : str or sympy.Expr
        The discriminator's objective L_D, in ``theta``, ``psi``, ``f(...)`` (the method's
        f), ``D(x)`` (= psi x) and the parameter names. A string is parsed by the same
        whitelist parser as ``--f`` (never evaluated as Python).
    loss_g : str or sympy.Expr, optional
        The generator's loss L_G (default: ``loss_d``, the zero-sum game).
    d_penalty, g_penalty : str or sympy.Expr
        P_D, subtracted from the discriminator's objective, and P_G, added to the generator's.
    parameters : dict, optional
        Name -> default, or name -> (default, low, high) (None for an unbounded end).
    f : str
        ``"logistic"`` (default; :func:`stabgan.method` may choose another f), ``"t"``
        for the raw output (the WGAN family), or ``"none"`` for losses that call no f
        (the hinge loss, least squares).
    summary, citation : str
        One line on what the method is, and where it comes from.

    Returns
    -------
    MethodSpec
        Bind it with ``stabgan.method(spec, **params)``: a parameter left out stays a symbol
        in closed forms and takes its default in numeric work.

    Examples
    --------
    R1 written out by hand gives the catalogue's field:

    >>> import stabgan
    >>> spec = stabgan.custom_method("my-r1", loss_d="f(D(theta)) + f(-D(0))",
    ...                              d_penalty="gamma/2 * psi**2", parameters={"gamma": 1})
    >>> stabgan.method(spec, gamma=0.3).vector_field == stabgan.method("r1", gamma=0.3).vector_field
    True
    """
    if not isinstance(id, str) or not _ID.match(id):
        raise InputError(f"The 'id' option of custom_method must be 1 to 40 lower-case letters, "
                         f"digits or dashes, starting with a letter. Got {id!r} instead.")
    if is_catalogue_id(id):
        raise InputError(f"The 'id' option of custom_method must not be a catalogue id. "
                         f"Got {id!r} instead.")
    if f not in ("logistic", "t", "none"):
        raise InputError(f"The 'f' option of custom_method must be logistic, t or none (the "
                         f"method may be bound to any f by stabgan.method). Got {f!r} instead.")
    if not isinstance(parameters, (dict, type(None))):
        raise InputError(f"The 'parameters' option of custom_method must be a dict of name -> "
                         f"default or (default, low, high). Got {parameters!r} instead.")
    params = tuple(_parameter(name, given) for name, given in (parameters or {}).items())
    symbols = {p.name: p.symbol for p in params}
    at = {THETA: 0.0, PSI: 0.0, **{p.symbol: float(p.default) for p in params}}

    def expression(value, what: str) -> sp.Expr:
        if isinstance(value, str):
            return parse_expression(value, what, symbols, F, {"theta": THETA, "psi": PSI}, at)
        try:
            expr = sp.sympify(value, strict=True)
        except (sp.SympifyError, TypeError):
            raise InputError(f"The '{what}' option of custom_method must be a string or a SymPy "
                             f"expression. Got {value!r} instead.") from None
        # a SymPy expression of the user: match its symbols by name to ours
        known = {"theta": THETA, "psi": PSI, **symbols}
        unknown = sorted(s.name for s in expr.free_symbols if s.name not in known)
        if unknown:
            raise InputError(f"The '{what}' option of custom_method uses {unknown[0]!r}, which is "
                             f"neither theta, psi nor a declared parameter.")
        return expr.xreplace({s: known[s.name] for s in expr.free_symbols})

    objective = expression(loss_d, "loss_d")
    generator = None if loss_g is None else expression(loss_g, "loss_g")
    p_d = expression(d_penalty, "d_penalty")
    p_g = expression(g_penalty, "g_penalty")
    if f == "none":
        used = next((w for w, e in (("loss_d", objective), ("loss_g", generator),
                                    ("d_penalty", p_d), ("g_penalty", p_g))
                     if e is not None and e.has(F)), None)
        if used:
            raise InputError(f"The '{used}' option of custom_method calls f(...), but f='none' "
                             f"says the losses use no f: write f='logistic' or f='t'.")
    cite = Citation(authors="", year=None, title=str(citation) or "a method of the user's own",
                    venue="", arxiv="")
    return MethodSpec(id=id, summary=str(summary) or f"custom method {id}", citation=cite,
                      parameters=params, objective=objective, loss_g=generator,
                      d_penalty=p_d, g_penalty=p_g, builtin_f=None if f == "logistic" else f,
                      convention=_CONVENTION)


#: The keys a method file may have (custom_method's arguments, and penalties to compose).
FILE_KEYS = ("id", "loss_d", "loss_g", "d_penalty", "g_penalty", "parameters", "f", "summary",
             "citation", "penalties")


def load_method_file(path) -> tuple[MethodSpec, list[str]]:
    """A custom method from a TOML file: :func:`custom_method`'s arguments as keys.

    A parameter is ``name = default`` or ``name = {default = ..., low = ..., high = ...}``
    (an end left out is unbounded); ``penalties`` is a list of ``"ID:NAME=VALUE,..."`` to add,
    as ``--penalty`` takes them. Example::

        id = "my-r1"
        loss_d = "f(D(theta)) + f(-D(0))"
        d_penalty = "gamma/2 * psi**2"
        summary = "R1 written out"
        [parameters]
        gamma = {default = 1, low = 0}

    Returns
    -------
    (MethodSpec, list of str)
        The spec, and the penalties to add to it (as strings).
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    shown = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise InputError(f"The method file {shown!r} cannot be read: "
                         f"{exc.strerror or exc}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"The method file {shown!r} is not TOML: {exc}.") from None
    unknown = sorted(set(data) - set(FILE_KEYS))
    if unknown:
        raise InputError(f"The method file {shown!r} is not a method: unknown key "
                         f"{unknown[0]!r} (the keys are {', '.join(FILE_KEYS)}).")
    for key in ("id", "loss_d"):
        if key not in data:
            raise InputError(f"The method file {shown!r} is not a method: it has no {key!r}.")
    parameters = {}
    for name, given in (data.get("parameters") or {}).items():
        if isinstance(given, dict):
            extra = sorted(set(given) - {"default", "low", "high"})
            if extra or "default" not in given:
                raise InputError(f"The parameter {name!r} in the method file {shown!r} must be "
                                 f"a number or a table with default (and low, high). "
                                 f"Got {given!r} instead.")
            parameters[name] = (given["default"], given.get("low"), given.get("high"))
        else:
            parameters[name] = given
    penalties = data.get("penalties", [])
    if not isinstance(penalties, list) or not all(isinstance(p, str) for p in penalties):
        raise InputError(f"The 'penalties' of the method file {shown!r} must be a list of "
                         f"strings ID:NAME=VALUE. Got {penalties!r} instead.")
    kwargs = {k: data[k] for k in ("loss_g", "d_penalty", "g_penalty", "f", "summary",
                                   "citation") if k in data}
    spec = custom_method(data["id"], loss_d=data["loss_d"], parameters=parameters, **kwargs)
    return spec, penalties


def parse_term(text: str, kind: str = "penalty"):
    """``ID`` or ``ID:NAME=VALUE[,NAME=VALUE...]`` as a Penalty (or an Adjustment).

    The form of ``--penalty``/``--adjustment`` on the command line and of a method file's
    ``penalties``; one parser for all of them (the command line and ``stabgan explore``).

    Parameters
    ----------
    text : str
        The term, e.g. ``"r1:gamma=0.3"``.
    kind : {"penalty", "adjustment"}
        What the term is; the message names the matching option.

    Returns
    -------
    Penalty or Adjustment
        From :func:`stabgan.penalty` or :func:`stabgan.adjustment`.
    """
    from .adjustments import adjustment
    from .penalties import penalty
    pid, sep, rest = text.partition(":")
    params = {}
    if sep:
        for item in rest.split(","):
            name, eq, value = item.partition("=")
            if not eq or not name.strip() or not value.strip():
                example = "r1:gamma=0.3" if kind == "penalty" else "sga:lam=1"
                raise InputError(f"The '--{kind}' option takes ID or ID:NAME=VALUE[,NAME=VALUE"
                                 f"...] (e.g. {example}). Got {text!r} instead.")
            params[name.strip()] = value.strip()
    return (penalty if kind == "penalty" else adjustment)(pid.strip(), **params)
