"""All input validation: parameters and scheme options as data, and the one message template.

Two tables: a method's :class:`Parameter` rows (in each catalogue entry), and
:data:`SCHEME_OPTIONS`, one row per scheme option (name, kind, range, default, the schemes
that take it, CLI help, whether it can be a stability-map axis). ``make_scheme``,
``simulate``, ``analyze``, ``stability_map`` and the command line all read that table, so
adding an option to a scheme is one row here plus its update rule in
:mod:`stabgan.schemes.rules`.

Every value a user gives becomes an exact SymPy rational: an ``int``, a
``fractions.Fraction``, a decimal string (``"0.3"``, ``"3/10"``, ``"1e-3"``) or a
``float`` (through its shortest repr, so ``0.3`` is 3/10). Bad values raise
:class:`~stabgan._errors.InputError` with one message template::

    The 'gamma' parameter of method 'r1' must be a number in [0, inf). Got -0.3 instead.
"""
from __future__ import annotations

import decimal
import math
import numbers
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from ._errors import InputError

__all__ = ["Parameter", "exact_number", "check_finite_number", "SchemeOption", "SCHEME_OPTIONS",
           "OPTIONS", "SCHEMES", "BASES", "ORDERS", "MEMORY_OPTIONS", "scheme_option",
           "ADAPTIVE", "SIMULATE_SCHEMES", "OPTIMIZER_OPTIONS", "refuse_adaptive",
           "refuse_foreign", "check_axis", "float_array", "int_option", "check_memory",
           "broadcast_named", "check_float_option", "MAX_BYTES"]


#: A decimal string has at most this many characters: a double's exact decimal expansion
#: needs at most 767 significant digits, and Python's int conversion stops at 4300.
MAX_NUMBER_LENGTH = 800
#: A decimal exponent lies in [-MAX_DECIMAL_EXPONENT, MAX_DECIMAL_EXPONENT]: doubles span
#: about 1e-324 to 1e308, so larger exponents only make huge exact integers (1e99999999
#: would build a number of 10**8 digits before any check could refuse it).
MAX_DECIMAL_EXPONENT = 400
#: The numerator and denominator of an exact value have at most this many bits (about 800
#: decimal digits plus the exponent's 400): bigger ones only make huge exact integers.
_MAX_BITS = 4200

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE]([+-]?\d+)$")


def _describe(value: object) -> str:
    """The value as a message shows it; a long one is shortened and its length said."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        digits = int(int(value).bit_length() * 0.30103) + 1
        if digits > 60:
            return f"an integer of about {digits} digits"
    if isinstance(value, Fraction):
        bits = max(value.numerator.bit_length(), value.denominator.bit_length())
        if bits > 200:
            return f"a fraction with about {int(bits * 0.30103) + 1} digits"
    if isinstance(value, decimal.Decimal) and len(value.as_tuple().digits) > 60:
        return f"a Decimal of {len(value.as_tuple().digits)} digits"
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) > 80:
        length = len(value) if isinstance(value, str) else len(text)
        return f"{text[:40]}... ({length} characters)"
    return text


def check_finite_number(value: object, what: str, allowed: str) -> Fraction:
    """Convert ``value`` to an exact ``Fraction`` or raise an :class:`InputError`.

    Parameters
    ----------
    value : int, float, Fraction, decimal.Decimal, str or SymPy number
        The value a user gave (a ``Decimal`` exactly; a string of at most 800 characters
        whose decimal exponent lies in [-400, 400]).
    what : str
        How the message names the value, e.g. ``"The 'gamma' parameter of method 'r1'"``.
    allowed : str
        What is allowed, e.g. ``"a number in [0, inf)"``.

    Returns
    -------
    Fraction
        The exact value; a float is read through its shortest repr.
    """
    def fail(why: str = "") -> InputError:
        tail = f" ({why})" if why else ""
        return InputError(f"{what} must be {allowed}. Got {_describe(value)} instead{tail}.")

    if isinstance(value, bool):
        raise fail("a bool is not a number")
    if isinstance(value, sp.Basic):
        if not (value.is_Rational or value.is_Float):
            raise fail("not an exact number")
        if value.is_Float and not math.isfinite(float(value)):
            raise fail("it overflows a float")
        exact = Fraction(str(sp.nsimplify(value))) if value.is_Float else Fraction(int(value.p),
                                                                                  int(value.q))
    elif isinstance(value, Fraction):
        exact = value
    elif isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise fail("not finite")
        if abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise fail(f"its decimal exponent is outside [-{MAX_DECIMAL_EXPONENT}, "
                       f"{MAX_DECIMAL_EXPONENT}]")
        exact = Fraction(value)  # exact: a Decimal is a finite decimal fraction
    elif isinstance(value, numbers.Integral):
        exact = Fraction(int(value))
        if abs(exact) > 2 ** 1100:  # no float holds it; refuse before any int -> str
            raise fail("it overflows a float")
    elif isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise fail("not finite")
        exact = Fraction(repr(number))
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_LENGTH:
            raise fail(f"longer than {MAX_NUMBER_LENGTH} characters")
        match = _DECIMAL.match(text.replace("_", ""))
        if match and abs(int(match.group(2))) > MAX_DECIMAL_EXPONENT:
            raise fail(f"its decimal exponent {int(match.group(2))} is outside "
                       f"[-{MAX_DECIMAL_EXPONENT}, {MAX_DECIMAL_EXPONENT}]")
        try:
            exact = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise fail("not a number") from None
    else:
        raise fail(f"a {type(value).__name__} is not a number")
    if max(exact.numerator.bit_length(), exact.denominator.bit_length()) > _MAX_BITS:
        raise fail(f"more than {MAX_NUMBER_LENGTH} significant digits")
    try:
        as_float = float(exact)
    except OverflowError:
        raise fail("it overflows a float") from None
    if not math.isfinite(as_float):
        raise fail("it overflows a float")
    return exact


def exact_number(value: object, what: str, allowed: str) -> sp.Rational:
    """Like :func:`check_finite_number`, but return a SymPy ``Rational``."""
    exact = check_finite_number(value, what, allowed)
    return sp.Rational(exact.numerator, exact.denominator)


@dataclass(frozen=True)
class Parameter:
    """A method parameter: its name, default, allowed range and meaning.

    The range is the interval from ``low`` to ``high`` (``None``: unbounded), closed
    at an end where ``low_closed``/``high_closed`` is true. A parameter that is left
    out stays a SymPy symbol with the assumptions of its range (nonnegative where 0
    is allowed, positive where it is not, real otherwise).
    """

    name: str
    default: Fraction
    meaning: str
    low: Fraction | None = None
    high: Fraction | None = None
    low_closed: bool = True
    high_closed: bool = True
    latex: str | None = None

    @property
    def interval(self) -> str:
        """The allowed range, as ``[0, inf)``."""
        left = "(-inf" if self.low is None else ("[" if self.low_closed else "(") + _fmt(self.low)
        right = "inf)" if self.high is None else _fmt(self.high) + ("]" if self.high_closed else ")")
        return f"{left}, {right}"

    @property
    def symbol(self) -> sp.Symbol:
        """The SymPy symbol that stands for the parameter when it is left out."""
        if self.low is not None and self.low == 0 and self.high is None:
            return sp.Symbol(self.name, positive=True) if not self.low_closed else \
                sp.Symbol(self.name, nonnegative=True)
        if self.low is not None and self.low > 0:
            return sp.Symbol(self.name, positive=True)
        return sp.Symbol(self.name, real=True)

    def contains(self, value: Fraction) -> bool:
        """Whether ``value`` lies in the allowed range."""
        if self.low is not None and (value < self.low or (value == self.low and not self.low_closed)):
            return False
        if self.high is not None and (value > self.high or (value == self.high and not self.high_closed)):
            return False
        return True

    def validate(self, value: object, owner: str) -> sp.Rational:
        """Return ``value`` as an exact rational, or raise :class:`InputError`.

        Parameters
        ----------
        value : int, float, Fraction or str
            The value given by the user.
        owner : str
            Who the parameter belongs to, e.g. ``"method 'r1'"``.

        Returns
        -------
        sympy.Rational
            The exact value.
        """
        what = f"The '{self.name}' parameter of {owner}"
        allowed = f"a number in {self.interval}"
        exact = check_finite_number(value, what, allowed)
        if not self.contains(exact):
            raise InputError(f"{what} must be {allowed}. Got {_describe(value)} instead.")
        return sp.Rational(exact.numerator, exact.denominator)

    def to_dict(self) -> dict:
        """The JSON form: name, default, range and meaning."""
        return {"name": self.name, "default": _fmt(self.default), "range": self.interval,
                "meaning": self.meaning}


def _fmt(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


#: The largest working memory a batch call may ask for before it starts (8 GiB).
MAX_BYTES = 8 * 2 ** 30


def _size(n: float) -> str:
    for unit, scale in (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,.0f} bytes"


def check_memory(nbytes: float, what: str, advice: str) -> None:
    """Refuse up front (InputError naming the size and the limit) a request larger than
    :data:`MAX_BYTES`, instead of a MemoryError half-way."""
    if nbytes > MAX_BYTES:
        raise InputError(f"{what} needs about {_size(nbytes)} of memory, more than the limit of "
                         f"{_size(MAX_BYTES)}: {advice}.")


def broadcast_named(**arrays):
    """``np.broadcast_arrays`` of the named arrays, or an InputError naming the parameters
    and shapes that do not broadcast together."""
    import numpy as np
    try:
        return np.broadcast_arrays(*arrays.values())
    except ValueError:
        names = list(arrays)
        shapes = {k: np.shape(v) for k, v in arrays.items()}
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                try:
                    np.broadcast_shapes(shapes[a], shapes[b])
                except ValueError:
                    raise InputError(f"The options '{a}' (shape {shapes[a]}) and '{b}' (shape "
                                     f"{shapes[b]}) must broadcast together (NumPy rules: "
                                     f"equal lengths or 1 in each dimension).") from None
        listed = ", ".join(f"'{k}' (shape {s})" for k, s in shapes.items())
        raise InputError(f"The options {listed} must broadcast together.") from None


def check_float_option(value, name: str, low: float, low_closed: bool) -> float:
    """A finite float option above ``low`` (e.g. tol in [0, inf), bound in (0, inf))."""
    ok = isinstance(value, (int, float, Fraction, decimal.Decimal)) and not isinstance(value, bool)
    if not ok:
        try:
            import numpy as np
            ok = isinstance(value, np.floating | np.integer)
        except ImportError:
            pass
    number = float(value) if ok else math.nan
    if not (math.isfinite(number) and (number >= low if low_closed else number > low)):
        rng = ("[" if low_closed else "(") + f"{low:g}, inf)"
        raise InputError(f"The '{name}' option must be a number in {rng}. Got {value!r} instead.")
    return number


# -- the scheme options: one table -------------------------------------------------------------

#: Every discrete scheme that ``analyze`` linearizes, and the schemes that lookahead can wrap.
SCHEMES = ("simgd", "altgd", "extragradient", "ogda", "lookahead")
#: The adaptive schemes (Adam, RMSprop): simulated, never linearized (see
#: :func:`refuse_adaptive`).
ADAPTIVE = ("adam", "rmsprop")
#: Every scheme the simulator runs.
SIMULATE_SCHEMES = SCHEMES + ADAPTIVE
BASES = ("simgd", "altgd")
ORDERS = ("generator-first", "discriminator-first")
#: The largest AltGD step count and the longest period (lookahead, lazy): the symbolic update
#: operator is a product of that many factors.
MAX_COUNT = 50


@dataclass(frozen=True)
class SchemeOption:
    """A scheme option as data: what it is, its range, who takes it, how the CLI and a
    stability map show it.

    Attributes
    ----------
    name : str
        The keyword of :func:`stabgan.analyze`, :func:`stabgan.simulate` and
        :func:`stabgan.stability_map`; the CLI flag is ``--`` + name with dashes.
    kind : {"step", "real", "count", "choice"}
        A step size in (0, inf); a number in [low, high] (ends open where said); an integer
        in [1, high]; one of ``choices``.
    schemes : tuple of str
        The schemes that take it.
    help : str
        The CLI help.
    default : object
        The value when left out (None: the scheme decides, e.g. a step size stays a symbol).
    low, high, low_open, high_open
        The range of a ``real`` option (``high`` also bounds a ``count``).
    choices : tuple of str
        The values of a ``choice`` option.
    axis : {"continuous", "integer", None}
        How it can be an axis of a stability map: a symbol in the update operator, or
        derived value by value; None: not an axis.
    where : str
        How a refusal names the schemes that take it.
    defaults : tuple of (str, object)
        Per-scheme defaults that differ from ``default``.
    """

    name: str
    kind: str
    schemes: tuple
    help: str
    default: object = None
    low: object = None
    high: object = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple = ()
    axis: str | None = None
    where: str = ""
    defaults: tuple = ()

    def default_for(self, scheme: str):
        """The default for ``scheme``: its entry of ``defaults`` (pairs (scheme, value)),
        else ``default`` (e.g. beta2 is 0.999 for adam and 0.99 for rmsprop)."""
        return dict(self.defaults).get(scheme, self.default)

    @property
    def flag(self) -> str:
        """The command-line flag, e.g. ``--lookahead-alpha``."""
        return "--" + self.name.replace("_", "-")

    @property
    def interval(self) -> str:
        """The allowed range as text, e.g. ``(-1, 1)``."""
        if self.kind == "step":
            return "(0, inf)"
        if self.kind == "count":
            return f"[1, {self.high}]"
        high = ("inf)" if self.high is None else
                f"{self.high}{')' if self.high_open else ']'}")
        return f"{'(' if self.low_open else '['}{self.low}, {high}"

    @property
    def allowed(self) -> str:
        """What is allowed, in the words of the message template."""
        if self.kind == "choice":
            return f"one of {', '.join(self.choices)}"
        if self.kind == "count":
            return f"an integer in {self.interval}"
        return f"a number in {self.interval}"

    def _fail(self, value) -> InputError:
        return InputError(f"The '{self.name}' option must be {self.allowed}. "
                          f"Got {value!r} instead.")

    def validate(self, value):
        """``value`` checked against the option's kind and range.

        Returns
        -------
        sympy.Rational, int or str
            An exact rational (step, real), an int (count) or the choice; ``value`` itself
            when it is a SymPy symbol (an axis of a stability map).
        """
        if isinstance(value, sp.Symbol):
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise self._fail(value)
            return value
        if self.kind == "count":
            ok = isinstance(value, int) and not isinstance(value, bool)
            if isinstance(value, str) and value.strip().isdigit():
                value, ok = int(value.strip()), True
            if not ok or not 1 <= value <= self.high:
                raise self._fail(value)
            return value
        exact = check_finite_number(value, f"The '{self.name}' option", self.allowed)
        if not self.contains(exact):
            raise self._fail(value)
        return sp.Rational(exact.numerator, exact.denominator)

    def contains(self, value) -> bool:
        """Whether the number ``value`` lies in the option's range."""
        if self.kind == "step":
            return value > 0
        if self.kind == "count":
            return value == int(value) and 1 <= value <= self.high
        below = value <= self.low if self.low_open else value < self.low
        above = (self.high is not None and
                 (value >= self.high if self.high_open else value > self.high))
        return not (below or above)


def _row(name, kind, schemes, help, **kw) -> SchemeOption:
    return SchemeOption(name, kind, tuple(schemes), help, **kw)


#: The scheme options, in the order the CLI lists them.
SCHEME_OPTIONS: tuple[SchemeOption, ...] = (
    _row("h", "step", SIMULATE_SCHEMES, "step size of both players (exact decimal)",
         axis="continuous"),
    _row("h_g", "step", SIMULATE_SCHEMES, "the generator's step size", axis="continuous"),
    _row("h_d", "step", SIMULATE_SCHEMES, "the discriminator's step size", axis="continuous"),
    _row("n_g", "count", ("altgd", "lookahead"), "altgd: generator steps per round",
         default=1, high=MAX_COUNT, where="altgd"),
    _row("n_d", "count", ("altgd", "lookahead"), "altgd: discriminator steps per round",
         default=1, high=MAX_COUNT, where="altgd"),
    _row("order", "choice", ("altgd", "lookahead"),
         "altgd: generator-first or discriminator-first", default="generator-first",
         choices=ORDERS, where="altgd"),
    _row("momentum", "real", ("simgd", "altgd", "lookahead"),
         "heavy-ball beta in (-1, 1) for simgd, altgd, lookahead", default=0, low=-1, high=1,
         low_open=True, high_open=True, axis="continuous", where="simgd, altgd and lookahead"),
    _row("h_e", "step", ("extragradient",),
         "extragradient: extrapolation step (default: the step size)", axis="continuous",
         where="extragradient"),
    _row("base", "choice", ("lookahead",), "lookahead: simgd (default) or altgd",
         default="simgd", choices=BASES, where="lookahead"),
    _row("lookahead_steps", "count", ("lookahead",),
         "lookahead: fast steps k per period (default 5)", default=5, high=MAX_COUNT,
         axis="integer", where="lookahead"),
    _row("lookahead_alpha", "real", ("lookahead",),
         "lookahead: step toward the fast weights, in (0, 1] (default 0.5)",
         default=sp.Rational(1, 2), low=0, high=1, low_open=True, axis="continuous",
         where="lookahead"),
    _row("lazy_every", "count", SIMULATE_SCHEMES,
         "apply the penalty every k-th step with weight k*gamma", default=1, high=MAX_COUNT,
         axis="integer"),
    _row("ema", "real", SIMULATE_SCHEMES,
         "exponential moving average of both players' weights, beta in [0, 1): "
         "xbar <- beta xbar + (1 - beta) x after every step", low=0, high=1, high_open=True,
         where="every discrete scheme"),
    _row("beta1", "real", ("adam",), "adam: decay of the gradient average, in [0, 1) "
         "(default 0.9)", default=sp.Rational(9, 10), low=0, high=1, high_open=True,
         where="adam"),
    _row("beta2", "real", ADAPTIVE, "adam, rmsprop: decay of the squared-gradient average, "
         "in [0, 1) (default 0.999 for adam, 0.99 for rmsprop)",
         default=sp.Rational(999, 1000), low=0, high=1, high_open=True,
         defaults=(("rmsprop", sp.Rational(99, 100)),), where="adam and rmsprop"),
    _row("eps", "real", ADAPTIVE, "adam, rmsprop: added to the root of the squared-gradient "
         "average, in (0, inf) (default 1e-8)", default=sp.Rational(1, 10 ** 8), low=0,
         low_open=True, where="adam and rmsprop"),
)
OPTIONS = {o.name: o for o in SCHEME_OPTIONS}
#: The options of the schemes with memory or a period (not step sizes or AltGD's rounds).
MEMORY_OPTIONS = ("momentum", "h_e", "base", "lookahead_steps", "lookahead_alpha", "lazy_every")
#: The options of analyze and simulate that are no map axis: the weight average and the
#: adaptive schemes' constants.
OPTIMIZER_OPTIONS = ("ema", "beta1", "beta2", "eps")


def refuse_adaptive(scheme: str, caller: str) -> None:
    """Raise the one-line InputError that says why ``caller`` (analyze, stability_map) does
    not take an adaptive scheme; nothing for the others."""
    if scheme in ADAPTIVE:
        raise InputError(
            f"The 'scheme' option of {caller} cannot be '{scheme}': {caller} cannot linearize "
            f"it: its step divides the (averaged) "
            f"gradient by sqrt(v) + eps, v the average of the squared gradient, so the update "
            f"is not linear in the state at the equilibrium (both vanish there: the step is "
            f"0/0, and eps, not the field, sets its size); simulate it instead "
            f"(stabgan.simulate or stabgan simulate --scheme {scheme}).")


def scheme_option(name: str) -> SchemeOption:
    """The row of :data:`SCHEME_OPTIONS` called ``name``."""
    return OPTIONS[name]


def refuse_foreign(scheme: str, given: dict) -> None:
    """Raise InputError for an option given (not None) to a scheme that does not take it."""
    for name, value in given.items():
        option = OPTIONS[name]
        if value is not None and scheme not in option.schemes:
            raise InputError(f"The '{name}' option belongs to {option.where}; scheme "
                             f"'{scheme}' does not take it. Got {name}={value!r}.")


def check_axis(name: str, values) -> np.ndarray:
    """A stability-map axis of a scheme option as a 1-D float array in the option's range."""
    a = np.asarray(values, dtype=float)
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
        raise InputError(f"The axis {name!r} must be a non-empty 1-D array of finite numbers.")
    option = OPTIONS[name]
    if option.kind == "step" and np.any(a <= 0):
        raise InputError(f"The axis {name!r} must hold step sizes in (0, inf). Got "
                         f"{float(a[a <= 0][0])!r} instead.")
    if option.kind == "real":
        bad = [v for v in a if not option.contains(Fraction(float(v)))]
        if bad:
            raise InputError(f"The axis {name!r} must lie in {option.interval}. "
                             f"Got {float(bad[0])!r} instead.")
    if option.kind == "count" and (np.any(a != np.round(a)) or np.any(a < 1)
                                   or np.any(a > option.high)):
        bad = a[(a != np.round(a)) | (a < 1) | (a > option.high)]
        raise InputError(f"The axis {name!r} must hold integers in {option.interval}. "
                         f"Got {float(bad[0])!r} instead.")
    return a


# -- numeric options of the batch functions ----------------------------------------------------

def float_array(value, name: str, positive: bool) -> np.ndarray:
    """``value`` as a float array whose entries are finite (and positive), or InputError.

    Parameters
    ----------
    value : array_like
        What the user gave.
    name : str
        The option's name, for the message.
    positive : bool
        Whether the entries must be in (0, inf) (step sizes) or only finite.
    """
    kind = "positive" if positive else "finite"
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"The '{name}' option must be a {kind} number or array of them. "
                         f"Got {value!r} instead.") from None
    ok = np.isfinite(a) & (a > 0) if positive else np.isfinite(a)
    if not np.all(ok):
        bad = (a[~ok].ravel()[0] if a.ndim else a).item()
        allowed = "a number in (0, inf)" if positive else "finite"
        raise InputError(f"Every entry of the '{name}' option must be {allowed}. "
                         f"Got {bad!r} instead.")
    return a


def int_option(value, name: str, low: int, high: int | None = None) -> int:
    """``value`` as an int in [low, high] (high None: unbounded), or InputError."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value, ok = int(value), True
    if not ok or value < low or (high is not None and value > high):
        rng = f"[{low}, {high}]" if high is not None else f"[{low}, inf)"
        raise InputError(f"The '{name}' option must be an integer in {rng}. Got {value!r} instead.")
    return int(value)
