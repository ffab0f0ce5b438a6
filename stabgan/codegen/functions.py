r"""The one function table: each SymPy function class the generated NumPy code can evaluate,
with its elementwise NumPy/SciPy implementation.

Every route from SymPy to NumPy reads this table and nothing else for function applications:
the lambdified functions (:func:`.kernels.lambdify_numpy`, through :class:`TablePrinter`, the
printer that dispatches by expression class over the table), the in-place field kernels
(:func:`.kernels.inplace_kernel`) and the fused update kernels (:func:`.kernels.update_kernel`).
Arithmetic (``Add``, ``Mul``, ``Pow``, so also ``sqrt(x) = x**(1/2)``) is structure, not a table
entry.

Conventions, so that the numeric value equals SymPy's own evaluation of the expression:

* ``Heaviside(x, H0)`` is ``numpy.heaviside(x, H0)`` with the expression's own value at 0:
  SymPy's default ``Heaviside(x)`` carries ``H0 = 1/2`` (``Heaviside(0) = 1/2``), so the
  value at 0 is 1/2 unless the expression says otherwise; NaN gives NaN.
* ``sign(0) = 0`` (``numpy.sign``), ``Abs`` is ``numpy.absolute``.
* ``Max``/``Min`` take any number of arguments, applied pairwise left to right with
  ``numpy.maximum``/``numpy.minimum`` (NaN propagates).
* ``Piecewise((v1, c1), (v2, c2), ..., (vn, True))`` is the first ``vi`` whose ``ci`` holds
  (``numpy.where`` nested from the last pair, NaN where no condition holds, as SymPy leaves
  such a Piecewise undefined); conditions are relationals (``<``, ``<=``, ``>``, ``>=``,
  ``Eq``, ``Ne``) combined with ``And``/``Or``/``Not``/``Xor``. A condition's value is 0 or
  1 (stored in the state's dtype in the kernels' buffers).
* ``Sigmoid`` is ``scipy.special.expit`` when lambdified; the in-place kernels compute
  ``1 / (1 + exp(-x))`` instead (NumPy's vectorized exp is about 5x faster than expit
  there; the relative error stays a few ulp for every x, and exp overflows to inf for
  x < -709, giving the correct 0). ``Softplus`` is ``numpy.logaddexp(0, x)``, so large
  arguments neither overflow nor warn.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp
from scipy.special import erf as _scipy_erf, expit as _scipy_expit

from .._errors import InputError
from .._symbols import Sigmoid, Softplus

__all__ = ["NumpyFunction", "FUNCTIONS", "Where", "NAMESPACE", "lookup", "call_name",
           "prepare", "TablePrinter", "boolean_value"]


class Where(sp.Function):
    """``Where(c, a, b)``: a where the condition c holds, else b (the lowered Piecewise)."""

    nargs = 3


def _where(condition, a, b, out=None):
    """numpy.where with an optional output (positional, as a ufunc's): safe when ``out``
    is one of the operands, since the result is formed before it is written."""
    result = np.where(condition, a, b)
    if out is None:
        return result
    out[...] = result
    return out


def _piecewise_as_where(e: sp.Piecewise) -> sp.Expr:
    """Piecewise((v1, c1), ..., (vn, cn)) as Where(c1, v1, Where(c2, v2, ... NaN))."""
    pairs = []
    default = sp.nan
    for value, condition in e.args:
        if condition == sp.true:
            default = value
            break
        if condition == sp.false:
            continue
        pairs.append((value, condition))
    out = default
    for value, condition in reversed(pairs):
        out = Where(condition, value, out)
    return out


def _heaviside_arguments(e) -> tuple:
    # SymPy >= 1.9 keeps H0 as the second argument (1/2 by default); older ones drop it
    return (e.args[0], e.args[1] if len(e.args) > 1 else sp.S.Half)


@dataclass(frozen=True)
class NumpyFunction:
    """How one SymPy function class is evaluated on arrays.

    Attributes
    ----------
    impl : callable
        Elementwise NumPy/SciPy implementation, ``impl(*arguments)`` or, with the output
        array last (positionally, as a ufunc takes it), ``impl(*arguments, out)``.
    meaning : str
        What it computes (for the documentation and the tests).
    arguments : callable
        The implementation's arguments from the expression (default: ``expr.args``).
    fold : bool
        n-ary: applied pairwise from the left (Max, Min, And, Or, Xor).
    form : callable, optional
        Every route computes this expression instead (Piecewise -> nested Where).
    kernel_form : callable, optional
        The in-place and update kernels compute this expression of ``expr.args`` instead.
    """

    impl: Callable
    meaning: str
    arguments: Callable = lambda e: e.args
    fold: bool = False
    form: Callable | None = None
    kernel_form: Callable | None = None


#: SymPy function class -> its NumPy evaluation. The one table of the package.
FUNCTIONS: dict = {
    sp.exp: NumpyFunction(np.exp, "e^x"),
    sp.log: NumpyFunction(np.log, "natural logarithm"),
    sp.tanh: NumpyFunction(np.tanh, "hyperbolic tangent"),
    sp.sinh: NumpyFunction(np.sinh, "hyperbolic sine"),
    sp.cosh: NumpyFunction(np.cosh, "hyperbolic cosine"),
    sp.sin: NumpyFunction(np.sin, "sine"),
    sp.cos: NumpyFunction(np.cos, "cosine"),
    sp.tan: NumpyFunction(np.tan, "tangent"),
    sp.atan: NumpyFunction(np.arctan, "inverse tangent"),
    sp.erf: NumpyFunction(_scipy_erf, "error function (scipy.special.erf)"),
    Sigmoid: NumpyFunction(_scipy_expit, "1 / (1 + e^-x) (scipy.special.expit)",
                           kernel_form=lambda x: 1 / (1 + sp.exp(-x))),
    Softplus: NumpyFunction(np.logaddexp, "log(1 + e^x) = logaddexp(0, x)",
                            arguments=lambda e: (sp.S.Zero, e.args[0])),
    sp.Abs: NumpyFunction(np.absolute, "|x|"),
    sp.sign: NumpyFunction(np.sign, "sign, with sign(0) = 0"),
    sp.Heaviside: NumpyFunction(np.heaviside, "step, H(0) = the expression's H0 (SymPy: 1/2)",
                                arguments=_heaviside_arguments),
    sp.Max: NumpyFunction(np.maximum, "maximum of n arguments", fold=True),
    sp.Min: NumpyFunction(np.minimum, "minimum of n arguments", fold=True),
    sp.Piecewise: NumpyFunction(_where, "first value whose condition holds, else NaN",
                                form=_piecewise_as_where),
    Where: NumpyFunction(_where, "a where c holds, else b"),
    sp.StrictGreaterThan: NumpyFunction(np.greater, "a > b"),
    sp.GreaterThan: NumpyFunction(np.greater_equal, "a >= b"),
    sp.StrictLessThan: NumpyFunction(np.less, "a < b"),
    sp.LessThan: NumpyFunction(np.less_equal, "a <= b"),
    sp.Equality: NumpyFunction(np.equal, "a == b"),
    sp.Unequality: NumpyFunction(np.not_equal, "a != b"),
    sp.And: NumpyFunction(np.logical_and, "all conditions hold", fold=True),
    sp.Or: NumpyFunction(np.logical_or, "some condition holds", fold=True),
    sp.Xor: NumpyFunction(np.logical_xor, "an odd number of conditions hold", fold=True),
    sp.Not: NumpyFunction(np.logical_not, "the condition does not hold"),
}


def call_name(cls) -> str:
    """The name of a table entry's implementation in generated code."""
    return f"_fn_{cls.__name__}"


#: Names the generated code refers to: every table entry's implementation, and NaN / inf.
NAMESPACE: dict = {call_name(cls): fn.impl for cls, fn in FUNCTIONS.items()}
NAMESPACE.update({"nan": np.nan, "inf": np.inf})


def _supported() -> str:
    return ", ".join(cls.__name__ for cls in FUNCTIONS)


def lookup(e) -> tuple:
    """(class, :class:`NumpyFunction`) of the application ``e``, by expression class (its
    most derived class in the table). Raises InputError for a function outside the table."""
    for cls in type(e).__mro__:
        if cls in FUNCTIONS:
            return cls, FUNCTIONS[cls]
    raise InputError(f"Numeric work cannot evaluate {type(e).__name__} (in {e}): the functions "
                     f"with a NumPy evaluation are {_supported()}.")


def boolean_value(e) -> float | None:
    """1.0 / 0.0 for SymPy's true / false, None for anything else."""
    if e is sp.true or e is sp.false:
        return float(bool(e))
    return None


def prepare(expr):
    """``expr`` with each table ``form`` applied (Piecewise -> nested Where); the same object
    when there is none, so that expressions without them are compiled exactly as given."""
    expr = sp.sympify(expr)
    forms = tuple(cls for cls, fn in FUNCTIONS.items() if fn.form is not None)
    if not expr.has(*forms):
        return expr
    return expr.replace(lambda e: isinstance(e, forms), lambda e: lookup(e)[1].form(e))


# -- the lambdify route: a printer that dispatches by expression class over the table --------

from sympy.printing.numpy import NumPyPrinter  # noqa: E402


class TablePrinter(NumPyPrinter):
    """NumPy printer for :func:`sympy.lambdify` in which every table class is printed as a
    call of its implementation (``_fn_<Class>(args)``, bound through :data:`NAMESPACE`) and
    any other function is refused (InputError) instead of printed as an unknown name."""

    def _print_table_entry(self, e) -> str:
        cls, fn = lookup(e)
        if fn.form is not None:
            return self._print(fn.form(e))
        args = [self._print(a) for a in fn.arguments(e)]
        name = call_name(cls)
        if fn.fold and len(args) > 2:
            code = f"{name}({args[0]}, {args[1]})"
            for a in args[2:]:
                code = f"{name}({code}, {a})"
            return code
        return f"{name}({', '.join(args)})"

    def _print_Function(self, e) -> str:
        lookup(e)                       # raises: the class is not in the table
        return self._print_table_entry(e)

    def _print_BooleanTrue(self, e) -> str:
        return "True"

    def _print_BooleanFalse(self, e) -> str:
        return "False"


for _cls in FUNCTIONS:
    setattr(TablePrinter, f"_print_{_cls.__name__}", TablePrinter._print_table_entry)
del _cls
