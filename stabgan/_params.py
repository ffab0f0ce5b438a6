"""Parameters as data: range, default, meaning, and the one validation message.

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

import sympy as sp

from ._errors import InputError

__all__ = ["Parameter", "exact_number", "check_finite_number"]


#: A decimal string has at most this many characters: a double's exact decimal expansion
#: needs at most 767 significant digits, and Python's int conversion stops at 4300.
MAX_NUMBER_LENGTH = 800
#: A decimal exponent lies in [-MAX_DECIMAL_EXPONENT, MAX_DECIMAL_EXPONENT]: doubles span
#: about 1e-324 to 1e308, so larger exponents only make huge exact integers (1e99999999
#: would build a number of 10**8 digits before any check could refuse it).
MAX_DECIMAL_EXPONENT = 400

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE]([+-]?\d+)$")


def _describe(value: object) -> str:
    """The value as a message shows it; a long one is shortened and its length said."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        digits = int(int(value).bit_length() * 0.30103) + 1
        if digits > 60:
            return f"an integer of about {digits} digits"
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
        value = Fraction(str(sp.nsimplify(value))) if value.is_Float else Fraction(int(value.p),
                                                                                  int(value.q))
        return value
    if isinstance(value, Fraction):
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
