"""A whitelist parser for a user's f(t), over Python's ``ast``.

The text is parsed, never evaluated as Python: no ``eval``, no ``sympify`` and no
``parse_expr`` of the raw string (both run Python). Allowed: numbers (exact:
``0.3`` is 3/10), the variable ``t``, the constants ``pi`` and ``E``, the operators
``+ - * / **`` and unary ``+``/``-``, and calls of one argument to the functions in
:data:`FUNCTIONS`. Anything else is refused with a message that says what was
found and what is allowed.
"""
from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from .._errors import InputError
from .._symbols import T

__all__ = ["parse_f", "parse_expression", "FUNCTIONS", "LOSS_FUNCTIONS"]

#: The named functions an f expression may call.
FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh, "sinh": sp.sinh,
    "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos, "atan": sp.atan, "erf": sp.erf,
}
#: The functions a loss or penalty may call besides :data:`FUNCTIONS` (not f: analysis needs
#: its derivatives at 0), with their number of arguments. They make a field non-smooth (the
#: hinge loss): analysis and the simulator take that; the derivation notes the kinks.
LOSS_FUNCTIONS = {"max": (sp.Max, 2), "min": (sp.Min, 2), "abs": (sp.Abs, 1)}
_CONSTANTS = {"pi": sp.pi, "E": sp.E}
_MAX_LENGTH = 300
_MAX_EXPONENT = 64
_MAX_DEPTH = 40
_ALLOWED = ("numbers, t, pi, E, + - * / **, unary minus and the functions "
            + ", ".join(sorted(FUNCTIONS)))


def _refuse(text: str, why: str) -> InputError:
    return InputError(f"The 'f' option must be logistic, general or an expression in t built from "
                      f"{_ALLOWED}. Got {text!r} instead: {why}.")


def parse_f(text: str, *, canonical: bool = False) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in the real symbol ``t``.

    Parameters
    ----------
    text : str
        An expression such as ``"t - t**3/3"`` or ``"-log(1 + exp(-t))"``.

    Returns
    -------
    sympy.Expr
        The expression f(t).

    Raises
    ------
    InputError
        If the text does not parse, uses anything outside the whitelist, is longer
        than 300 characters (not checked with ``canonical=True``: SymPy's canonical
        string of an accepted expression, e.g. ``1e300*t`` written out in digits) or
        nested deeper than 40 levels, or if a sub-expression overflows a float at
        t = 0 (the equilibrium, where every result evaluates f and its derivatives;
        e.g. ``exp(exp(exp(exp(exp(t)))))`` or a number beyond 1.8e308).
    """
    if not isinstance(text, str):
        raise _refuse(repr(text), f"it is a {type(text).__name__}, not a string")
    if len(text) > _MAX_LENGTH and not canonical:
        raise _refuse(text[:40] + "...", f"it is longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError) as exc:  # ValueError: an int literal beyond 4300 digits
        raise _refuse(text[:40] + "..." if len(text) > 60 else text,
                      f"it does not parse ({getattr(exc, 'msg', exc)})") from None
    expr = _convert(tree.body, text, 0)
    _check_at_zero(expr, text, {})
    return expr


_FLOAT_FUNCTIONS = {
    sp.exp: math.exp, sp.log: math.log, sp.sqrt: math.sqrt, sp.tanh: math.tanh,
    sp.sinh: math.sinh, sp.cosh: math.cosh, sp.sin: math.sin, sp.cos: math.cos,
    sp.atan: math.atan, sp.erf: math.erf, sp.Max: max, sp.Min: min, sp.Abs: abs,
}


def _check_at_zero(expr: sp.Expr, text: str, memo: dict, at: dict | None = None,
                   refuse: Callable[[str, str], InputError] | None = None):
    """The float value of ``expr`` at t = 0 (None where it is undefined there, e.g. log(t));
    refuse a sub-expression that overflows a float although its parts do not.

    Every result evaluates f and its derivatives at t = 0; a tower such as
    exp(exp(exp(exp(exp(t))))) has exp(exp(exp(exp(1)))) ~ 10**(1.6e6) there, which no
    float holds and whose exact simplification runs for minutes."""
    at = {T: 0.0} if at is None else at
    refuse = refuse or _refuse
    if expr in memo:
        return memo[expr]
    value = None
    args = [] if expr in at or expr.is_Number else [_check_at_zero(a, text, memo, at, refuse)
                                                     for a in expr.args]
    try:
        if expr in at:
            value = at[expr]
        elif expr.is_Number or expr in (sp.pi, sp.E):
            value = float(expr)
        elif all(a is not None for a in args):
            if expr.is_Add:
                value = math.fsum(args)
            elif expr.is_Mul:
                value = math.prod(args)
            elif expr.is_Pow:
                value = math.pow(args[0], args[1])
            elif expr.func in _FLOAT_FUNCTIONS:
                value = _FLOAT_FUNCTIONS[expr.func](*args)
    except OverflowError:
        value = math.inf
    except (ValueError, ZeroDivisionError, TypeError):
        value = None
    if value is not None and math.isinf(value):
        shown = str(expr)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        where = ("t = 0 (the equilibrium, where f and its derivatives are evaluated)"
                 if list(at) == [T] else "the equilibrium (0, 0) with the parameters' defaults")
        raise refuse(text[:40] + "..." if len(text) > 60 else text,
                     f"{shown} overflows a float at {where}")
    if value is not None and math.isnan(value):
        value = None
    memo[expr] = value
    return value


@dataclass(frozen=True)
class Vocabulary:
    """What an expression may name: variables (name -> SymPy expression), functions (name ->
    callable on SymPy expressions; of one argument unless ``arity`` says otherwise), and how
    a refusal is worded."""

    names: dict
    calls: dict
    refuse: Callable[[str, str], InputError]
    arity: dict = None

    def pow_has_variable(self, expr: sp.Expr) -> bool:
        """Whether an exponent depends on a variable (then its size is not bounded here)."""
        return bool(expr.free_symbols)


_F_VOCABULARY = Vocabulary({"t": T, **_CONSTANTS}, FUNCTIONS, lambda text, why: _refuse(text, why))


def _convert(node: ast.AST, text: str, depth: int, vocabulary: Vocabulary = _F_VOCABULARY
             ) -> sp.Expr:
    """The SymPy expression of the parsed node, or the vocabulary's refusal."""
    _refuse = vocabulary.refuse  # noqa: N806 - the refusal of this vocabulary
    if depth > _MAX_DEPTH:
        raise _refuse(text, f"it is nested deeper than {_MAX_DEPTH} levels")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _refuse(text, f"the constant {value!r} is not a number")
        if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
            raise _refuse(text, f"the constant {value!r} is not finite")
        return sp.Rational(Fraction(repr(value)) if isinstance(value, float) else value)
    if isinstance(node, ast.Name):
        if node.id in vocabulary.names:
            return vocabulary.names[node.id]
        raise _refuse(text, f"the name {node.id!r} is not allowed")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _convert(node.operand, text, depth + 1, vocabulary)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left = _convert(node.left, text, depth + 1, vocabulary)
        right = _convert(node.right, text, depth + 1, vocabulary)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            if right.is_zero:
                raise _refuse(text, "it divides by zero")
            return left / right
        if isinstance(node.op, ast.Pow):
            if not vocabulary.pow_has_variable(right) and abs(float(right)) > _MAX_EXPONENT:
                raise _refuse(text, f"the exponent {right} is larger than {_MAX_EXPONENT} in size")
            return left ** right
        raise _refuse(text, f"the operator {type(node.op).__name__} is not allowed")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in vocabulary.calls:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise _refuse(text, f"the function {name!r} is not allowed")
        count = (vocabulary.arity or {}).get(node.func.id, 1)
        if len(node.args) != count or node.keywords:
            raise _refuse(text, f"{node.func.id} takes exactly "
                                f"{'one argument' if count == 1 else f'{count} arguments'}")
        return vocabulary.calls[node.func.id](*(_convert(a, text, depth + 1, vocabulary)
                                                for a in node.args))
    raise _refuse(text, f"{type(node).__name__} is not allowed")


def parse_expression(text: str, what: str, parameters: dict, f, state: dict, at: dict) -> sp.Expr:
    """Parse a loss or a penalty written by a user into a SymPy expression.

    The same whitelist as for f(t) (numbers, + - * / **, the functions of
    :data:`FUNCTIONS`, pi, E), with the names ``theta`` and ``psi`` (``state``), the
    declared parameters, ``f(...)`` (the method's loss function f) and ``D(x)`` (the
    discriminator, psi * x). Parsed, never evaluated as Python.

    Parameters
    ----------
    text : str
        E.g. ``"f(D(theta)) + f(-D(0))"`` or ``"gamma/2 * psi**2"``.
    what : str
        How a refusal names the text, e.g. ``"loss_d"``.
    parameters : dict
        Parameter name -> SymPy symbol.
    f : sympy.FunctionClass
        What ``f(...)`` becomes (the placeholder bound to the method's f later).
    state : dict
        ``{"theta": THETA, "psi": PSI}``.
    at : dict
        Symbol -> float: where every sub-expression must be a finite float (the equilibrium
        with the parameters' defaults), so a tower of exponentials is refused at once.

    Returns
    -------
    sympy.Expr
    """
    allowed = ("numbers, theta, psi, " + ", ".join(parameters) + (", " if parameters else "")
               + "f(...), D(...), pi, E, + - * / ** and the functions "
               + ", ".join(sorted([*FUNCTIONS, *LOSS_FUNCTIONS])))

    def refuse(shown: str, why: str) -> InputError:
        return InputError(f"The '{what}' option must be an expression built from {allowed}. "
                          f"Got {shown!r} instead: {why}.")

    if not isinstance(text, str):
        raise refuse(repr(text), f"it is a {type(text).__name__}, not a string")
    if len(text) > 4 * _MAX_LENGTH:
        raise refuse(text[:40] + "...", f"it is longer than {4 * _MAX_LENGTH} characters")
    clash = sorted(set(parameters) & ({"f", "D", "t"} | set(state) | set(_CONSTANTS)
                                      | set(FUNCTIONS) | set(LOSS_FUNCTIONS)))
    if clash:
        raise refuse(text, f"the parameter name {clash[0]!r} is taken by the vocabulary")
    vocabulary = Vocabulary({**state, **parameters, **_CONSTANTS},
                            {**FUNCTIONS, **{k: fn for k, (fn, _) in LOSS_FUNCTIONS.items()},
                             "f": f, "D": lambda x: state["psi"] * x}, refuse,
                            {k: n for k, (_, n) in LOSS_FUNCTIONS.items()})
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise refuse(text[:40] + "..." if len(text) > 60 else text,
                     f"it does not parse ({getattr(exc, 'msg', exc)})") from None
    expr = _convert(tree.body, text, 0, vocabulary)
    _check_at_zero(expr, text, {}, at, refuse)
    return expr
