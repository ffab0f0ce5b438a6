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
from fractions import Fraction

import sympy as sp

from .._errors import InputError
from .._symbols import T

__all__ = ["parse_f", "FUNCTIONS"]

#: The named functions an f expression may call.
FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh, "sinh": sp.sinh,
    "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos, "atan": sp.atan, "erf": sp.erf,
}
_CONSTANTS = {"pi": sp.pi, "E": sp.E}
_MAX_LENGTH = 300
_MAX_EXPONENT = 64
_MAX_DEPTH = 40
_ALLOWED = ("numbers, t, pi, E, + - * / **, unary minus and the functions "
            + ", ".join(sorted(FUNCTIONS)))


def _refuse(text: str, why: str) -> InputError:
    return InputError(f"The 'f' option must be logistic, general or an expression in t built from "
                      f"{_ALLOWED}. Got {text!r} instead: {why}.")


def parse_f(text: str) -> sp.Expr:
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
        If the text does not parse, uses anything outside the whitelist, or is
        longer than 300 characters or nested deeper than 40 levels.
    """
    if not isinstance(text, str):
        raise _refuse(repr(text), f"it is a {type(text).__name__}, not a string")
    if len(text) > _MAX_LENGTH:
        raise _refuse(text[:40] + "...", f"it is longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise _refuse(text, f"it does not parse ({exc.msg})") from None
    return _convert(tree.body, text, 0)


def _convert(node: ast.AST, text: str, depth: int) -> sp.Expr:
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
        if node.id == "t":
            return T
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise _refuse(text, f"the name {node.id!r} is not allowed")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _convert(node.operand, text, depth + 1)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left = _convert(node.left, text, depth + 1)
        right = _convert(node.right, text, depth + 1)
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
            if not right.has(T) and abs(float(right)) > _MAX_EXPONENT:
                raise _refuse(text, f"the exponent {right} is larger than {_MAX_EXPONENT} in size")
            return left ** right
        raise _refuse(text, f"the operator {type(node.op).__name__} is not allowed")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise _refuse(text, f"the function {name!r} is not allowed")
        if len(node.args) != 1 or node.keywords:
            raise _refuse(text, f"{node.func.id} takes exactly one argument")
        return FUNCTIONS[node.func.id](_convert(node.args[0], text, depth + 1))
    raise _refuse(text, f"{type(node).__name__} is not allowed")
