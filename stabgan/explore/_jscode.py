r"""SymPy to JavaScript: the static page's printer, with one JavaScript entry per class of the
package's function table (:data:`stabgan.codegen.functions.FUNCTIONS`).

The static page (``stabgan explore --static``) evaluates the derived closed forms in the
browser. Every expression reaches JavaScript through :func:`js_expr`, and it follows the same
conventions as the NumPy route, so the page and the simulator compute the same numbers:

* ``x**2`` is ``x*x``, ``x**-1`` is ``1/x``, ``x**(1/2)`` is ``Math.sqrt(x)``, any other power
  ``Math.pow(x, p)`` (as :mod:`stabgan.codegen.kernels` lowers them);
* ``Sigmoid(x)`` is ``1/(1 + exp(-x))`` (the kernels' form), ``Softplus(x)`` is
  ``logaddexp(0, x) = max(x, 0) + log1p(exp(-|x|))``;
* ``Heaviside(x, H0)`` is 0 below 0, 1 above and ``H0`` at 0 (SymPy's default 1/2), NaN for
  NaN; ``sign(0) = 0``; ``Max``/``Min`` propagate NaN;
* ``Piecewise`` is the first value whose condition holds, else NaN; a condition used in
  arithmetic is 0 or 1 (JavaScript's ``true * 1``).

A function class outside the table, or in the table without a JavaScript evaluation
(``erf``: the browser's ``Math`` has none), is refused with an :class:`InputError`, and so is
a symbol the caller did not name.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import sympy as sp
from sympy.printing.jscode import JavascriptCodePrinter

from .._errors import InputError
from .._symbols import Sigmoid, Softplus
from ..codegen.functions import Where, lookup

__all__ = ["JsFunction", "JS_FUNCTIONS", "RUNTIME_HELPERS", "js_expr", "js_name"]


@dataclass(frozen=True)
class JsFunction:
    """How one class of the function table is evaluated in JavaScript.

    Attributes
    ----------
    call : str or None
        The JavaScript callee (``Math.exp``, ``SG.sigmoid``), applied to the printed
        arguments; None where the browser cannot evaluate the class.
    arguments : callable
        The callee's arguments from the expression (default: ``expr.args``).
    why : str
        Why a class without ``call`` is refused.
    """

    call: str | None
    arguments: object = None
    why: str = ""


def _heaviside_arguments(e) -> tuple:
    return (e.args[0], e.args[1] if len(e.args) > 1 else sp.S.Half)


#: Class of the function table -> its JavaScript evaluation (relations, Piecewise and the
#: logical connectives are printed as operators, see :class:`_Printer`).
JS_FUNCTIONS: dict = {
    sp.exp: JsFunction("Math.exp"), sp.log: JsFunction("Math.log"),
    sp.tanh: JsFunction("Math.tanh"), sp.sinh: JsFunction("Math.sinh"),
    sp.cosh: JsFunction("Math.cosh"), sp.sin: JsFunction("Math.sin"),
    sp.cos: JsFunction("Math.cos"), sp.tan: JsFunction("Math.tan"),
    sp.atan: JsFunction("Math.atan"),
    sp.erf: JsFunction(None, why="the browser's Math has no erf"),
    Sigmoid: JsFunction("SG.sigmoid"), Softplus: JsFunction("SG.softplus"),
    sp.Abs: JsFunction("Math.abs"), sp.sign: JsFunction("SG.sign"),
    sp.Heaviside: JsFunction("SG.heaviside", arguments=_heaviside_arguments),
    sp.Max: JsFunction("Math.max"), sp.Min: JsFunction("Math.min"),
}

#: The helpers the printed code calls as ``SG.<name>`` (JavaScript source of one object).
RUNTIME_HELPERS = r"""
const SG = {
  // 1 / (1 + e^-x): the simulator's kernel form (exp overflows to inf for x < -709: 0)
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  // log(1 + e^x) = logaddexp(0, x), without overflow
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  // sign with sign(0) = 0 and NaN for NaN
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  // the step with its value h0 at 0 (SymPy's default 1/2), NaN for NaN
  heaviside: (x, h0) => (x > 0 ? 1 : x < 0 ? 0 : x === 0 ? h0 : NaN),
};
"""

_RELATIONS = {"==": "===", "!=": "!==", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def js_name(text: str) -> str:
    """``text`` as a JavaScript string literal (JSON's quoting is JavaScript's)."""
    return json.dumps(text)


class _Printer(JavascriptCodePrinter):
    """The page's printer: names for the symbols given, the function table for calls."""

    def __init__(self, names: dict):
        super().__init__({"strict": True})
        self.names = names

    def _print_Symbol(self, e) -> str:
        if e not in self.names:
            raise InputError(f"the closed form has the symbol {e} with no value on the page "
                             f"(its values: {', '.join(sorted(map(str, self.names)))})")
        return self.names[e]

    def _print_Float(self, e) -> str:
        value = float(e)
        return repr(value) if math.isfinite(value) else ("NaN" if value != value else
                                                         ("Infinity" if value > 0 else
                                                          "-Infinity"))

    def _print_Integer(self, e) -> str:
        return f"({int(e)})" if e < 0 else str(int(e))

    def _print_Rational(self, e) -> str:
        return f"({int(e.p)}/{int(e.q)})"

    def _print_NaN(self, e) -> str:
        return "NaN"

    def _print_Infinity(self, e) -> str:
        return "Infinity"

    def _print_NegativeInfinity(self, e) -> str:
        return "(-Infinity)"

    def _print_ComplexInfinity(self, e) -> str:
        return "NaN"

    def _print_BooleanTrue(self, e) -> str:
        return "true"

    def _print_BooleanFalse(self, e) -> str:
        return "false"

    def _print_Pow(self, e) -> str:
        base = f"({self._print(e.base)})"
        if e.exp == 2:
            return f"({base}*{base})"
        if e.exp == -1:
            return f"(1/{base})"
        if e.exp == sp.Rational(1, 2):
            return f"Math.sqrt{base}"
        return f"Math.pow({base}, {self._print(sp.Float(float(e.exp)))})"

    def _print_Relational(self, e) -> str:
        return (f"(({self._print(e.lhs)}) {_RELATIONS[e.rel_op]} "
                f"({self._print(e.rhs)}))")

    def _print_And(self, e) -> str:
        return "(" + " && ".join(f"({self._print(a)})" for a in e.args) + ")"

    def _print_Or(self, e) -> str:
        return "(" + " || ".join(f"({self._print(a)})" for a in e.args) + ")"

    def _print_Not(self, e) -> str:
        return f"(!({self._print(e.args[0])}))"

    def _print_Xor(self, e) -> str:
        out = f"(!!({self._print(e.args[0])}))"
        for a in e.args[1:]:
            out = f"({out} !== (!!({self._print(a)})))"
        return out

    def _print_Piecewise(self, e) -> str:
        out = "NaN"
        for value, condition in reversed(e.args):
            if condition == sp.true:
                out = f"({self._print(value)})"
            elif condition != sp.false:
                out = f"(({self._print(condition)}) ? ({self._print(value)}) : {out})"
        return out

    def _print_Where(self, e) -> str:
        c, a, b = e.args
        return f"(({self._print(c)}) ? ({self._print(a)}) : ({self._print(b)}))"

    def _print_Function(self, e) -> str:
        cls, _ = lookup(e)          # outside the package's table: InputError
        if cls is Where:
            return self._print_Where(e)
        if cls is sp.Piecewise:
            return self._print_Piecewise(e)
        js = JS_FUNCTIONS.get(cls)
        if js is None or js.call is None:
            why = js.why if js is not None else "it has no JavaScript evaluation"
            raise InputError(f"the closed form uses {cls.__name__} ({e}), which the page "
                             f"cannot evaluate: {why}")
        args = (js.arguments or (lambda x: x.args))(e)
        return f"{js.call}(" + ", ".join(self._print(a) for a in args) + ")"


# every class of the JavaScript table prints through the table (SymPy's own printer has
# methods for some of them, e.g. Heaviside as a Piecewise, which would bypass it)
for _cls in JS_FUNCTIONS:
    setattr(_Printer, f"_print_{_cls.__name__}", _Printer._print_Function)
del _cls


def js_expr(expr, names: dict) -> str:
    """The JavaScript expression of ``expr``, its symbols named by ``names``.

    Parameters
    ----------
    expr : sympy.Basic
        An expression (or a relation, or a boolean) built from the package's function table.
    names : dict
        Each symbol of ``expr`` -> the JavaScript expression that holds its value, e.g.
        ``{theta: "th", gamma: 'P["gamma"]'}``.

    Returns
    -------
    str
        One JavaScript expression (no statement), parenthesized where it matters.

    Raises
    ------
    InputError
        For a symbol missing from ``names`` or a function the page cannot evaluate.
    """
    return _Printer(names).doprint(sp.sympify(expr))
