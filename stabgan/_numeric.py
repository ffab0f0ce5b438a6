"""The one place where SymPy becomes NumPy.

Fields are compiled with :func:`sympy.lambdify` (``cse=True``) with the argument
order ``(theta, psi, *noise, *parameters)``; the logistic terms are evaluated with
``scipy.special.expit`` (sigmoid) and ``numpy.logaddexp(0, x)`` (softplus), so
large :math:`|\\theta\\psi|` neither overflows nor warns. Compiled callables are
cached per (method id, f, generator).

Instance noise is an expectation over independent N(0, sigma^2) variables. Each
term of the field depends on one of them only (the real or the fake sample's
noise), so each is a one-dimensional integral, computed deterministically (no
sampling) by the trapezoidal rule in the standardized variable z = eps / sigma:

    E[g(eps)] = sum_{j=-J}^{J} H phi(z_j) g(sigma z_j),   z_j = j H,
    H = :data:`NOISE_STEP` = 0.1, J H = :data:`NOISE_RANGE` = 9  (181 nodes).

For a Gaussian-weighted integrand that is analytic in a strip |Im z| < d the
error of this rule is about exp(-2 pi d / H); the sigmoid terms have poles at
distance d = pi / (|psi| sigma), so the error is about exp(-2 pi^2 / (H |psi| sigma))
and the truncation at |z| = 9 adds about 1e-18. Measured against mpmath
quadrature at 30 digits (tests/test_numeric.py): below 1e-12 absolute for
|theta| <= 3 and |psi| sigma <= 4.5 (e.g. |psi| <= 3, sigma <= 1.5); the bound
above says it stays below 1e-12 up to |psi| sigma of about 7 and degrades beyond.
Gauss-Hermite quadrature was measured first and rejected: the same poles make it
converge slowly (160 nodes: 3e-8, 240 nodes: 5e-10), and NumPy's nodes overflow
past about 360.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from ._errors import InputError
from ._functions import Sigmoid, Softplus

__all__ = ["compiled_field", "lambdify_numpy", "NOISE_STEP", "NOISE_RANGE", "noise_nodes"]

#: Node spacing and half-width of the trapezoidal rule in z = eps / sigma.
NOISE_STEP = 0.1
NOISE_RANGE = 9.0


def _expit(x):
    from scipy.special import expit
    return expit(x)


def _softplus(x):
    return np.logaddexp(0.0, x)


_MODULES = [{"Sigmoid": _expit, "Softplus": _softplus, "sign": np.sign, "Abs": np.abs}, "numpy"]


def lambdify_numpy(args, expr):
    """Compile SymPy ``expr`` into a NumPy function of ``args`` (cse, stable logistic)."""
    if any(a.func.__name__.startswith("fp") or a.func.__name__ == "f"
           for a in sp.sympify(expr).atoms(sp.Function) if not isinstance(a, (Sigmoid, Softplus))):
        raise InputError("Numeric work needs a concrete f: f = 'general' has no numeric value. "
                         "Use f = 'logistic' or an expression in t.")
    return sp.lambdify(args, expr, modules=_MODULES, cse=True)


@lru_cache(maxsize=None)
def noise_nodes(step: float = NOISE_STEP, half_width: float = NOISE_RANGE):
    """Nodes z_j and weights H phi(z_j) of the trapezoidal rule for E over N(0, 1)."""
    count = int(round(half_width / step))
    z = np.arange(-count, count + 1) * step
    return z, step * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)


@lru_cache(maxsize=None)
def _compiled(spec, f: str, generator: str, step: float):
    """Compile each field component as a sum of groups of terms, one group per set of noise
    variables it depends on, so that each group is integrated over its own variables only."""
    from ._game import derive
    from ._methods import PSI, THETA
    derived = derive(spec, f, generator)
    params = [p.symbol for p in spec.parameters]
    sds = {eps: sp.lambdify(params, sd, modules="numpy") for eps, sd in derived.noise}
    z, w = noise_nodes(step)
    components = []
    for expr in derived.integrand:
        groups: dict[tuple, sp.Expr] = {}
        for term in sp.Add.make_args(sp.expand(expr) if derived.noise else expr):
            key = tuple(eps for eps, _ in derived.noise if term.has(eps))
            groups[key] = groups.get(key, sp.S.Zero) + term
        components.append([(key, lambdify_numpy([THETA, PSI, *key, *params], e))
                           for key, e in sorted(groups.items(), key=lambda kv: len(kv[0]))])
    return components, sds, z, w


def _integrate(fn, key, theta, psi, values, sds, z, w):
    """E over the noise variable in ``key`` of fn(theta, psi, eps, *values): sum_j w_j fn(sigma z_j)."""
    if not key:
        return np.broadcast_to(fn(theta, psi, *values), theta.shape).astype(float)
    if len(key) > 1:
        raise NotImplementedError("terms that couple two noise variables")
    sigma = float(sds[key[0]](*values))
    acc = np.zeros(theta.shape)
    for zj, wj in zip(z, w):
        acc += wj * fn(theta, psi, sigma * zj, *values)
    return acc


def compiled_field(m, step: float = NOISE_STEP):
    """A NumPy function ``(theta, psi) -> (v_theta, v_psi)`` for method ``m``.

    Parameters
    ----------
    m : Method
        The method; omitted parameters take their catalogue defaults.
    step : float
        Node spacing of the noise quadrature in z = eps / sigma (instance noise only).

    Returns
    -------
    callable
        Broadcasting over ``theta`` and ``psi``; evaluated with floating-point
        warnings suppressed (a non-finite value is a result, not a warning).
    """
    components, sds, z, w = _compiled(m.spec, m.f, m.generator, step)
    values = [m.numeric_params[p.name] for p in m.spec.parameters]

    def field(theta, psi):
        theta, psi = np.broadcast_arrays(np.asarray(theta, dtype=float),
                                         np.asarray(psi, dtype=float))
        with np.errstate(all="ignore"):
            return tuple(sum(_integrate(fn, key, theta, psi, values, sds, z, w)
                             for key, fn in groups) if groups else np.zeros(theta.shape)
                         for groups in components)

    field.__doc__ = (f"v(theta, psi) of {m!r}: arguments theta, psi (arrays, broadcasting); "
                     f"parameters {m.numeric_params}.")
    return field


# -- in-place kernels for the simulator ---------------------------------------------------------
#
# The simulator evaluates the field millions of times on cache-sized chunks. A lambdified
# function allocates a new array for every intermediate; the kernels below are generated
# Python code that runs the same common-subexpression-eliminated operations as NumPy ufuncs
# with ``out=`` into buffers allocated once per chunk (reused by liveness), so a step
# allocates nothing. Each operation is elementwise, so a result never depends on the chunk.

_UFUNCS = {
    "exp": "np.exp", "log": "np.log", "sqrt": "np.sqrt", "tanh": "np.tanh", "sinh": "np.sinh",
    "cosh": "np.cosh", "sin": "np.sin", "cos": "np.cos", "atan": "np.arctan",
    "sign": "np.sign", "Abs": "np.absolute", "Sigmoid": "_expit", "erf": "_erf",
}


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
            return repr(float(e)), False
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
        if isinstance(e, Sigmoid):
            # sigmoid(x) = 1 / (1 + exp(-x)): NumPy's exp is vectorized (about 5x faster than
            # scipy's expit here) and the formula keeps a relative error of a few ulp for every
            # x (exp overflows to inf for x < -709, giving the correct 0).
            return self._unary(-e.args[0], out, ["np.exp({arg}, out={t})", "np.add({t}, 1.0, out={t})",
                                                 "np.divide(1.0, {t}, out={t})"])
        if isinstance(e, Softplus):
            return self._unary(e.args[0], out, ["np.logaddexp(0.0, {arg}, out={t})"])
        name = type(e).__name__
        if name in _UFUNCS and len(e.args) == 1:
            return self._unary(e.args[0], out, [_UFUNCS[name] + "({arg}, out={t})"])
        raise NotImplementedError(f"cannot compile {type(e).__name__}: {e}")

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
    replacements, reduced = sp.cse(list(exprs), order="none")
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
    from scipy.special import erf, expit
    namespace = {"np": np, "_expit": expit, "_erf": erf}
    exec(compile(source, "<stabgan kernel>", "exec"), namespace)  # noqa: S102 - our own code
    return namespace["kernel"], w.count, source
