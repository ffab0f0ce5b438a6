"""SymPy expressions as NumPy code: lambdified functions and generated in-place kernels.

Fields are compiled with :func:`sympy.lambdify` (``cse=True``) with the argument
order ``(theta, psi, *noise, *parameters)``. Every function application, in all three
routes (lambdified functions, in-place field kernels, fused update kernels), is evaluated
through the one table of :mod:`.functions` (one dispatcher by expression class): e.g. the
logistic terms with ``scipy.special.expit`` (sigmoid) and ``numpy.logaddexp(0, x)``
(softplus), so large :math:`|\\theta\\psi|` neither overflows nor warns, and Heaviside,
Max, Min, Abs, sign and Piecewise (a hinge loss) as NumPy ufuncs. Compiled callables are
cached by the expressions they compile.

The noise quadrature and the grouped field evaluator are in :mod:`.field`.
"""
from __future__ import annotations


import numpy as np
import sympy as sp

from .._errors import InputError
from .._symbols import Sigmoid, Softplus
from .functions import NAMESPACE, TablePrinter, boolean_value, call_name, lookup, prepare

__all__ = ["lambdify_numpy", "inplace_kernel", "update_kernel", "fold_abs_sign"]


def _printer():
    # the settings lambdify gives its own printer, without its user_functions: every function
    # comes from the table (an unknown one is refused, not printed as an unbound name)
    return TablePrinter({"fully_qualified_modules": False, "inline": True,
                         "allow_unknown_functions": False})


def lambdify_numpy(args, expr):
    """Compile SymPy ``expr`` into a NumPy function of ``args`` (cse; every function through
    the table of :mod:`.functions`, e.g. the stable logistic)."""
    expr = sp.sympify(expr)
    if any(a.func.__name__.startswith("fp") or a.func.__name__ == "f"
           for a in expr.atoms(sp.Function) if not isinstance(a, (Sigmoid, Softplus))):
        raise InputError("Numeric work needs a concrete f: f = 'general' has no numeric value. "
                         "Use f = 'logistic' or an expression in t.")
    expr = expr.applyfunc(prepare) if isinstance(expr, sp.MatrixBase) else prepare(expr)
    return sp.lambdify(args, expr, modules=[NAMESPACE, "numpy"], printer=_printer(), cse=True)


# -- in-place kernels for the simulator ---------------------------------------------------------
#
# The simulator evaluates the field millions of times on cache-sized chunks. A lambdified
# function allocates a new array for every intermediate; the kernels below are generated
# Python code that runs the same common-subexpression-eliminated operations as NumPy ufuncs
# with ``out=`` into buffers allocated once per chunk (reused by liveness), so a step
# allocates nothing. Each operation is elementwise, so a result never depends on the chunk.

class _KernelWriter:
    """Emit in-place NumPy code for a list of SymPy expressions."""

    def __init__(self, inputs: dict, scalars: dict):
        self.inputs = inputs      # Symbol -> name of an array argument
        self.scalars = scalars    # Symbol -> name of a scalar argument
        self.lines: list[str] = []
        self.free: list[str] = []
        self.count = 0
        self.names: dict = {}     # cse symbol -> buffer name
        self.uses: dict = {}

    def buffer(self) -> str:
        if self.free:
            return self.free.pop()
        self.count += 1
        return f"b{self.count}"

    def release(self, name: str) -> None:
        if name.startswith("b") and name not in self.free:
            self.free.append(name)

    def atom(self, e) -> tuple[str, bool]:
        """(code, is_array) for a leaf."""
        if e in self.inputs:
            return self.inputs[e], True
        if e in self.scalars:
            return self.scalars[e], False
        if e in self.names:
            return self.names[e], True
        if e.is_Number or e.is_NumberSymbol:
            return repr(float(e)), False   # 'nan' and 'inf' are names in the namespace
        if boolean_value(e) is not None:
            return repr(boolean_value(e)), False
        raise NotImplementedError(f"cannot compile {e!r}")

    def emit(self, e, out: str | None = None) -> tuple[str, bool]:
        """Code that leaves the value of ``e`` in a buffer (or a scalar expression)."""
        if e.is_Atom or e in self.names:
            code, is_array = self.atom(e)
            if out is not None:
                self.lines.append(f"{out}[...] = {code}")
                return out, True
            return code, is_array
        if e.is_Add or e.is_Mul:
            op = "np.add" if e.is_Add else "np.multiply"
            args = list(e.args)
            parts = [self.emit(a) for a in args]
            arrays = [p for p in parts if p[1]]
            scalars = [p[0] for p in parts if not p[1]]
            if not arrays:
                code = (" + " if e.is_Add else " * ").join(f"({s})" for s in scalars)
                if out is not None:
                    self.lines.append(f"{out}[...] = {code}")
                    return out, True
                return code, False
            if len(scalars) > 1:
                joiner = " + " if e.is_Add else " * "
                scalars = [joiner.join(f"({c})" for c in scalars)]
            target = out or self.buffer()
            first, rest = arrays[0][0], [a[0] for a in arrays[1:]]
            if rest:
                self.lines.append(f"{op}({first}, {rest[0]}, out={target})")
                rest = rest[1:]
            elif scalars:
                self.lines.append(f"{op}({first}, {scalars.pop(0)}, out={target})")
            else:
                self.lines.append(f"np.copyto({target}, {first})")
            for r in rest:
                self.lines.append(f"{op}({target}, {r}, out={target})")
            for s in scalars:
                self.lines.append(f"{op}({target}, {s}, out={target})")
            for code, _ in arrays:
                if code != target:
                    self._maybe_release(code)
            return target, True
        if e.is_Pow:
            base, is_array = self.emit(e.base)
            ex = e.exp
            if not is_array:
                code = f"({base}) ** ({float(ex)!r})"
                if out is not None:
                    self.lines.append(f"{out}[...] = {code}")
                    return out, True
                return code, False
            target = out or self.buffer()
            if ex == 2:
                self.lines.append(f"np.multiply({base}, {base}, out={target})")
            elif ex == -1:
                self.lines.append(f"np.divide(1.0, {base}, out={target})")
            elif ex == sp.Rational(1, 2):
                self.lines.append(f"np.sqrt({base}, out={target})")
            else:
                self.lines.append(f"np.power({base}, {float(ex)!r}, out={target})")
            if base != target:
                self._maybe_release(base)
            return target, True
        return self._call(e, out)

    def _call(self, e, out) -> tuple[str, bool]:
        """A function application, through the table (one implementation per class)."""
        cls, fn = lookup(e)
        if fn.form is not None:
            return self.emit(fn.form(e), out)
        if fn.kernel_form is not None:
            return self.emit(fn.kernel_form(*e.args), out)
        args = fn.arguments(e)
        name = call_name(cls)
        if len(args) == 1:
            return self._unary(args[0], out, [name + "({arg}, out={t})"])
        parts = [self.emit(a) for a in args]
        target = out or self.buffer()
        if fn.fold:
            self.lines.append(f"{name}({parts[0][0]}, {parts[1][0]}, out={target})")
            for code, _ in parts[2:]:
                self.lines.append(f"{name}({target}, {code}, out={target})")
        else:
            self.lines.append(f"{name}({', '.join(c for c, _ in parts)}, out={target})")
        for code, is_array in parts:
            if is_array and code != target:
                self._maybe_release(code)
        return target, True

    def _unary(self, argument, out, templates) -> tuple[str, bool]:
        """Emit ``templates`` (with {arg} and {t}) applying a function to ``argument``."""
        arg, is_array = self.emit(argument)
        target = out or self.buffer()
        for template in templates:
            self.lines.append(template.format(arg=arg, t=target))
        if is_array and arg != target:
            self._maybe_release(arg)
        return target, True

    def _maybe_release(self, code: str) -> None:
        # temporaries of one expression are released at once; cse buffers by liveness
        if code in self.names.values():
            return
        self.release(code)


def inplace_kernel(exprs, arrays, scalars):
    """Compile SymPy ``exprs`` into ``kernel(out_list, *arrays, *scalars, buffers)``.

    Parameters
    ----------
    exprs : list of sympy.Expr
        The expressions.
    arrays : list of sympy.Symbol
        Symbols bound to arrays (state, per-trajectory step sizes).
    scalars : list of sympy.Symbol
        Symbols bound to Python floats (method parameters, noise nodes).

    Returns
    -------
    (callable, int, str)
        The kernel, the number of work buffers it needs, and its source.
    """
    replacements, reduced = sp.cse([prepare(e) for e in exprs], order="none")
    w = _KernelWriter({s: f"a{i}" for i, s in enumerate(arrays)},
                      {s: f"s{i}" for i, s in enumerate(scalars)})
    last_use = {}
    for k, (sym, expr) in enumerate(replacements):
        for other, _ in replacements[:k]:
            if expr.has(other):
                last_use[other] = k
    for other, _ in replacements:
        if any(r.has(other) for r in reduced):
            last_use[other] = len(replacements)
    for k, (sym, expr) in enumerate(replacements):
        code, is_array = w.emit(expr)
        if is_array and code in w.names.values():
            target = w.buffer()
            w.lines.append(f"np.copyto({target}, {code})")
            code = target
        if not is_array:
            target = w.buffer()
            w.lines.append(f"{target}[...] = {code}")
            code = target
        w.names[sym] = code
        for other, _ in replacements[:k + 1]:
            if last_use.get(other, -1) == k and other in w.names:
                w.release(w.names[other])
    for i, expr in enumerate(reduced):
        w.emit(expr, out=f"out[{i}]")
    args = ", ".join([f"a{i}" for i in range(len(arrays))] + [f"s{i}" for i in range(len(scalars))])
    body = "\n".join("    " + line for line in w.lines) or "    pass"
    unpack = "    " + ", ".join(f"b{i}" for i in range(1, w.count + 1)) + \
        (", = buffers" if w.count == 1 else " = buffers") if w.count else ""
    source = f"def kernel(out, {args}, buffers):\n{unpack}\n{body}\n"
    namespace = {"np": np, **NAMESPACE}
    exec(compile(source, "<stabgan kernel>", "exec"), namespace)  # noqa: S102 - our own code
    return namespace["kernel"], w.count, source


# -- update kernels: a factory of step functions with the loop invariants hoisted ----------------
#
# The simulator's fused update x_c + h_c v_c(x) is compiled differently from the field kernels
# above: the expressions are lowered to a list of operations (value-numbered, so the same
# operation on the same operands is done once), the operations that do not involve the state
# (the step sizes and parameters alone, e.g. 1 - h gamma) run once per chunk in ``make``, and
# the rest is the body of ``step``, with ``out`` given positionally, buffers reused by
# liveness and an operation written in place over an operand that dies there. A scalar factor
# of a reciprocal is folded into it (h psi / (1 + e^t) is psi * (h / (1 + e^t)): one
# ``np.divide``), and a term with a negative coefficient is subtracted.


def fold_abs_sign(expr):
    r"""Replace each product :math:`|a|\,\mathrm{sign}(a)` by :math:`a`.

    An identity for every real a, in floating point too (0, the infinities and NaN
    included), that SymPy leaves unevaluated. It saves the update kernels of the gradient
    penalties around g0 (WGAN-GP, DRAGAN: :math:`-\gamma(|\psi| - g_0)\,\mathrm{sign}(\psi)`,
    expanded) an ``abs`` and a multiplication per step.
    """
    if expr.is_Atom:
        return expr
    args = [fold_abs_sign(a) for a in expr.args]
    if not expr.is_Mul:
        return expr.func(*args)
    signs = {a.args[0]: i for i, a in enumerate(args) if isinstance(a, sp.sign)}
    drop, keep = set(), []
    for i, a in enumerate(args):
        if isinstance(a, sp.Abs) and a.args[0] in signs and signs[a.args[0]] not in drop:
            drop |= {i, signs[a.args[0]]}
            keep.append(a.args[0])
    if not drop:
        return sp.Mul(*args)
    return sp.Mul(*[a for i, a in enumerate(args) if i not in drop], *keep)


class _Quot(sp.Function):
    """``coef / base``, unevaluated: a scalar coefficient folded into a reciprocal."""

    nargs = 2


def _fold_reciprocals(expr, state: frozenset):
    """Rewrite each product ``c * X * Sigmoid(u)`` (or ``c * X / b``) with a state-free
    coefficient c as ``sign(c) * X * _Quot(|c|, 1 + exp(-u))`` (``_Quot(|c|, b)``)."""
    if expr.is_Atom:
        return expr
    args = [_fold_reciprocals(a, state) for a in expr.args]
    if not expr.is_Mul:
        return expr.func(*args)
    has_state = [bool(a.free_symbols & state) for a in args]
    pick = None
    for i, a in enumerate(args):
        if not has_state[i]:
            continue
        if isinstance(a, Sigmoid):
            pick, base = i, 1 + sp.exp(-a.args[0])
            break
        if a.is_Pow and a.exp == -1:
            pick, base = i, a.base
            break
    if pick is None:
        return sp.Mul(*args)
    number = sp.Mul(*[a for a in args if a.is_Number])
    coef = sp.Mul(abs(number), *[a for i, a in enumerate(args) if not has_state[i]
                                  and not a.is_Number])
    rest = [a for i, a in enumerate(args) if has_state[i] and i != pick]
    sign = -1 if number.is_negative else 1
    return sign * sp.Mul(*rest, _Quot(coef, base))


# the arithmetic of the lowering; function applications are table entries (call_name)
_BODY_FUNCS = {"mul": "np.multiply", "add": "np.add", "sub": "np.subtract", "div": "np.divide",
               "neg": "np.negative", "sqrt": "np.sqrt", "pow": "np.power"}


class _Lowering:
    """SymPy expressions -> a value-numbered list of elementwise operations.

    An operand is ('a', name) (the state), ('i', name, kind) (a step size: kind 'np', a NumPy
    scalar or array; a parameter: kind 'py', a Python float), ('c', value) or ('v', index)."""

    def __init__(self, state: dict, inputs: dict, alias: dict):
        self.state, self.inputs, self.alias = state, inputs, alias
        self.ops: list = []
        self.kinds: list = []
        self.numbering: dict = {}
        self.memo: dict = {}

    def kind(self, operand) -> str:
        tag = operand[0]
        if tag == "a":
            return "state"
        if tag == "i":
            return operand[2]
        if tag == "c":
            return "py"
        return self.kinds[operand[1]]

    def op(self, func: str, *operands):
        if func in ("mul", "add"):
            operands = tuple(sorted(operands, key=repr))  # exactly commutative in IEEE
        key = (func, operands)
        if key not in self.numbering:
            kinds = {self.kind(o) for o in operands}
            self.kinds.append("state" if "state" in kinds else "np" if "np" in kinds else "py")
            self.ops.append(key)
            self.numbering[key] = ("v", len(self.ops) - 1)
        return self.numbering[key]

    def lower(self, e):
        if e in self.memo:
            return self.memo[e]
        out = self._lower(e)
        self.memo[e] = out
        return out

    def _lower(self, e):
        if e in self.state:
            return ("a", self.state[e])
        if e in self.alias:
            return self.lower(self.alias[e])
        if e in self.inputs:
            return ("i",) + self.inputs[e]
        if e.is_Number or e.is_NumberSymbol:
            return ("c", float(e))
        if boolean_value(e) is not None:
            return ("c", boolean_value(e))
        if e.is_Add:
            return self._add(e)
        if e.is_Mul:
            return self._mul(e)
        if e.is_Pow:
            base, ex = self.lower(e.base), e.exp
            if ex == 2:
                return self.op("mul", base, base)
            if ex == -1:
                return self.op("div", ("c", 1.0), base)
            if ex == sp.Rational(1, 2):
                return self.op("sqrt", base)
            return self.op("pow", base, ("c", float(ex)))
        if isinstance(e, _Quot):
            return self.op("div", self.lower(e.args[0]), self.lower(e.args[1]))
        return self._call(e)

    def _call(self, e):
        """A function application, through the table (one implementation per class)."""
        cls, fn = lookup(e)
        if fn.form is not None:
            return self.lower(fn.form(e))
        if fn.kernel_form is not None:
            return self.lower(fn.kernel_form(*e.args))
        operands = [self.lower(a) for a in fn.arguments(e)]
        name = call_name(cls)
        if not fn.fold:
            return self.op(name, *operands)
        acc = self.op(name, operands[0], operands[1])
        for o in operands[2:]:
            acc = self.op(name, acc, o)
        return acc

    def _product(self, operands):
        """Multiply operands: Python floats first, then NumPy values, then the state."""
        order = {"py": 0, "np": 1, "state": 2}
        operands = sorted(operands, key=lambda o: order[self.kind(o)])  # stable
        acc = operands[0]
        for o in operands[1:]:
            acc = self.op("mul", acc, o)
        return acc

    def _mul(self, e, signed: bool = False):
        """Lower a product; with ``signed``, return (operand of |e|, e is negative)."""
        number = sp.Mul(*[a for a in e.args if a.is_Number])
        negative = signed and number.is_negative
        if negative:
            number = -number
        factors = [a for a in e.args if not a.is_Number]
        operands = [self.lower(a) for a in factors]
        state = [o for o in operands if self.kind(o) == "state"]
        coef = [o for o in operands if self.kind(o) != "state"]
        if number != 1:
            coef.insert(0, ("c", float(number)))
        if not state:
            out = self._product(coef) if coef else ("c", 1.0)
        else:
            out = state[0]
            for o in state[1:]:
                out = self.op("mul", out, o)
            if coef:
                out = self.op("mul", out, self._product(coef))
        return (out, negative) if signed else out

    def _add(self, e):
        terms = []
        for t in e.args:
            if t.is_Mul:
                terms.append(self._mul(t, signed=True))
            else:
                terms.append((self.lower(t), False))
        state = [(o, neg) for o, neg in terms if self.kind(o) == "state"]
        fixed = [(o, neg) for o, neg in terms if self.kind(o) != "state"]
        inv = None
        for o, neg in fixed:
            if inv is None:
                inv = self.op("neg", o) if neg else o
            else:
                inv = self.op("sub" if neg else "add", inv, o)
        if not state:
            return inv
        positive = [i for i, (_, neg) in enumerate(state) if not neg]
        if positive:
            first = positive[0]
            acc = state[first][0]
        elif inv is not None:
            first, acc, inv = 0, self.op("sub", inv, state[0][0]), None
        else:
            first, acc = 0, self.op("neg", state[0][0])
        for i, (o, neg) in enumerate(state):
            if i != first:
                acc = self.op("sub" if neg else "add", acc, o)
        if inv is not None:
            acc = self.op("add", acc, inv)
        return acc


def update_kernel(exprs, state, steps, params, alias=None):
    """Compile the new-state expressions ``exprs`` into a factory of in-place step functions.

    Parameters
    ----------
    exprs : list of sympy.Expr
        One expression per output (e.g. theta + h_g v_theta and psi + h_d v_psi).
    state : (Symbol, Symbol)
        theta and psi, bound to the arrays ``a0``, ``a1`` of the step function.
    steps : list of Symbol
        Step sizes, bound to NumPy scalars or arrays (of the state's dtype).
    params : list of Symbol
        Parameters, bound to Python floats.
    alias : dict, optional
        Step-size symbols to compute as another one (e.g. h_d as h_g when they are equal):
        an operation whose operands then coincide is done once; every value is computed by
        the same operations either way, so the results are bitwise the same.

    Returns
    -------
    (callable, int, str)
        ``make(*steps, *params, buffers, dtype)`` (dtype: the state's) returning
        ``step(a0, a1, *outs)``; the number of work buffers; the source.
    """
    state_set = frozenset(state)
    exprs = [_fold_reciprocals(prepare(e), state_set) for e in exprs]
    replacements, reduced = sp.cse(exprs, order="none")
    inputs = {s: (f"i{k}", "np") for k, s in enumerate(steps)}
    inputs.update({s: (f"i{len(steps) + k}", "py") for k, s in enumerate(params)})
    low = _Lowering({state[0]: "a0", state[1]: "a1"}, inputs, dict(alias or {}))
    for sym, expr in replacements:
        low.memo[sym] = low.lower(expr)
    results = [low.lower(e) for e in reduced]

    def is_state(o):
        return low.kind(o) == "state"

    # liveness of the state-dependent values
    body = [k for k, kind in enumerate(low.kinds) if kind == "state"]
    last: dict = {}
    for k in body:
        for o in low.ops[k][1]:
            if o[0] == "v":
                last[o[1]] = k
    end = len(low.ops)
    for o in results:
        if o[0] == "v":
            last[o[1]] = end
    names: dict = {}
    outputs: dict = {}
    for i, o in enumerate(results):
        if o[0] == "v" and is_state(o) and o[1] not in outputs:
            outputs[o[1]] = f"o{i}"

    def render(o):
        tag = o[0]
        if tag == "c":
            return repr(o[1])
        if tag in ("a", "i"):
            return o[1]
        return names[o[1]]

    # In the body, a number or invariant operand is a 0-d array of the state's dtype: a
    # Python float or NumPy scalar operand costs a conversion in every call, and a Python
    # float is rounded to the array's dtype anyway (NEP 50), so the values are the same.
    zero_d: dict = {}
    zero_d_lines: list = []

    def render_body(o):
        if low.kind(o) == "state":
            return render(o)
        if o not in zero_d:
            zero_d[o] = f"z{len(zero_d)}"
            dtype = ", dtype" if low.kind(o) == "py" else ""
            zero_d_lines.append(f"{zero_d[o]} = np.asarray({render(o)}{dtype})")
        return zero_d[o]

    def call(func, operands, target=None):
        args = [render(o) if target is None else render_body(o) for o in operands]
        fn = _BODY_FUNCS.get(func, func)      # an arithmetic op, or a table entry's call_name
        if target is not None:
            fn = fn.replace("np.", "_np_")     # a global name: no attribute lookup per call
            # the output by keyword for table entries (np.maximum refuses it positionally)
            args.append(target if func in _BODY_FUNCS else f"out={target}")
        return f"{fn}({', '.join(args)})"

    prologue = []
    for k, ((func, operands), kind) in enumerate(zip(low.ops, low.kinds)):
        if kind == "py":
            names[k] = f"c{k}"
            prologue.append(f"c{k} = float({call(func, operands)})")
        elif kind == "np":
            names[k] = f"c{k}"
            prologue.append(f"c{k} = {call(func, operands)}")

    free: list = []
    count = 0
    lines = []
    for k in body:
        func, operands = low.ops[k]
        dying = [o[1] for o in operands if o[0] == "v" and is_state(o) and last.get(o[1]) == k
                 and not names[o[1]].startswith("o")]
        if k in outputs:
            target = outputs[k]
        elif dying:
            target = names[dying[0]]
        elif free:
            target = free.pop()
        else:
            count += 1
            target = f"b{count}"
        lines.append(call(func, operands, target))
        names[k] = target
        for d in dying:
            if names[d] != target and names[d] not in free:
                free.append(names[d])
    for i, o in enumerate(results):
        if not (o[0] == "v" and outputs.get(o[1]) == f"o{i}"):
            lines.append(f"np.copyto(o{i}, {render(o)})")

    inv_args = [f"i{k}" for k in range(len(steps) + len(params))]
    outs = [f"o{i}" for i in range(len(results))]
    unpack = (f"    {', '.join(f'b{i}' for i in range(1, count + 1))}, = buffers\n"
              if count else "")
    source = (f"def make({', '.join(inv_args + ['buffers', 'dtype'])}):\n{unpack}"
              + "".join(f"    {line}\n" for line in prologue + zero_d_lines)
              + f"    def step({', '.join(['a0', 'a1'] + outs)}):\n"
              + "".join(f"        {line}\n" for line in lines or ["pass"])
              + "    return step\n")
    namespace = {"np": np, **NAMESPACE}
    namespace.update({"_np_" + name[3:]: getattr(np, name[3:]) for name in _BODY_FUNCS.values()})
    exec(compile(source, "<stabgan update kernel>", "exec"), namespace)  # noqa: S102 - our own code
    return namespace["make"], count, source
