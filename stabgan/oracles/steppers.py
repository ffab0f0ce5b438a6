r"""The steppers of the chunk loop (``stabgan.oracles.loop``): one step of a scheme on the
trajectories of a chunk, as the loop's contract asks.

* SimGD and AltGD without memory, for a field without noise: the fused in-place update
  kernels generated from the SymPy field (``stabgan.codegen.kernels``, loop invariants such
  as 1 - h gamma computed once per stepper). SimGD keeps theta and psi as the rows of one
  (2, n) array and ping-pongs between two of them (no copies); AltGD moves one player at a
  time with the other's newest value. A box constraint of the method (WGAN's clipping) is a
  projection of psi after each move of psi.
* Every other scheme (extragradient, OGDA, momentum, lookahead, lazy regularization) and every
  field with noise: the update rules of ``stabgan.schemes.rules`` over :class:`NumpyOps`,
  whose :math:`v` is the compiled field (``ChunkField``: in-place kernels, noise by
  quadrature), with the penalty weight replaced by 0 and by k times its value on the lazy
  steps. These are the rules whose linearization ``analyze`` derives.

Every operation is elementwise, so a trajectory's bits do not depend on the others.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..model.method import Method
from ..schemes.ema import ema_update
from ..schemes.rules import initial_memory, require_penalty, step
from .fields import ChunkField, update_kernel_factory

__all__ = ["make_start", "lazy_methods", "clip_bounds", "NumpyOps"]


def make_start(m: Method, rule, dtype, size: int):
    """The ``start(x, h, memory)`` of the scheme ``rule`` for chunks of at most ``size``
    trajectories (one per thread: the steppers it makes share work buffers). With
    ``rule.ema`` the iterate has four rows, (theta, psi, theta_ema, psi_ema)."""
    if rule.plain and not m.derived.noise:
        start = _FusedStart(m, rule, dtype, size)
    else:
        start = _RuleStart(m, rule, dtype, size)
    return start if rule.ema is None else _EmaStart(start, rule.ema, dtype)


class _EmaStart:
    """Steppers that carry the weight average along with any scheme's stepper: the iterate
    the loop sees is (theta, psi, theta_ema, psi_ema), so the bound monitor, freezing, the
    history and the memory handed between steppers treat the average like the state (the
    exact bound test reads the first two rows: the average is a convex combination of
    iterates inside the bound)."""

    def __init__(self, inner, beta, dtype):
        self.inner = inner
        self.beta = dtype.type(float(beta))
        self.one_minus = dtype.type(float(1 - beta))   # 1 - beta rounded once, exactly

    def __call__(self, x, h, memory=None):
        return _EmaStepper(self.inner(x[:2], h, memory), self.beta, self.one_minus, x[2:])


class _EmaStepper:
    """x_ema <- beta x_ema + (1 - beta) x after every step of the inner stepper
    (``stabgan.schemes.ema.ema_update``), in one (4, n) array the loop reads."""

    def __init__(self, inner, beta, one_minus, average):
        self.inner, self.beta, self.one_minus = inner, beta, one_minus
        n = average.shape[1]
        self.x = np.empty((4, n), average.dtype)
        self.x[:2] = np.asarray(inner.x)
        self.x[2:] = average

    def step(self, i: int):
        new = self.inner.step(i)
        x = self.x
        x[0], x[1] = new[0], new[1]
        x[2], x[3] = ema_update(self.beta, self.one_minus, (x[2], x[3]), (x[0], x[1]))
        return x

    def save(self):
        return self.inner.save()


def clip_bounds(m: Method) -> list:
    """The method's box constraints on psi as (low, high) floats."""
    values = m.numeric_params
    subs = {p.symbol: values[p.name] for p in m.spec.parameters}
    return [(float(lo.subs(subs)), float(hi.subs(subs)))
            for coord, lo, hi in m.spec.constraints if coord == "psi"]


def _empty(shape, dtype):
    """An uninitialized array whose data start on a 64-byte boundary (a cache line): the
    kernels' SIMD loads then never straddle two lines (malloc gives 16 bytes; measured
    a few percent on the reference workload)."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    raw = np.empty(nbytes + 64, np.uint8)
    skip = -raw.ctypes.data % 64
    return raw[skip:skip + nbytes].view(dtype).reshape(shape)


def _project(psi, clip) -> None:
    """psi clipped to the box, in place."""
    for lo, hi in clip:
        np.clip(psi, lo, hi, out=psi)


class _FusedStart:
    """Steppers of SimGD/AltGD over the fused update kernels."""

    def __init__(self, m: Method, rule, dtype, size: int):
        self.method, self.rule, self.dtype, self.size = m, rule, dtype, size
        self.values = [m.numeric_params[p.name] for p in m.spec.parameters]
        self.clip = clip_bounds(m)
        self._work: dict = {}

    def work(self, key, count: int, n: int) -> list:
        """``count`` work arrays of length n, cut from arrays of the chunk size allocated once
        per key (the kernels' temporaries: the steppers use them one at a time)."""
        if key not in self._work:
            self._work[key] = [_empty(self.size, self.dtype) for _ in range(count)]
        return [a[:n] for a in self._work[key]]

    def __call__(self, x, h, memory=None):
        m, rule, n = self.method, self.rule, x.shape[1]
        hg, hd = h
        if rule.name == "simgd":
            if np.ndim(hg) == 0 and np.ndim(hd) == 0:
                shared = bool(hg == hd)
            else:
                shared = hg is hd or bool(np.ndim(hg) and np.ndim(hd) and np.array_equal(hg, hd))
            make, nbuf = update_kernel_factory(m.spec, m.f, m.generator, (0, 1), shared)
            kernel = make(hg, hd, *self.values, self.work(("work", shared), nbuf, n), self.dtype)
            return _FusedSimGD(kernel, x, self.clip)
        kernels = []
        for comp, hc in (((0,), hg), ((1,), hd)):
            make, nbuf = update_kernel_factory(m.spec, m.f, m.generator, comp, False)
            kernels.append(make(hc, *self.values, self.work(("work", comp), nbuf, n),
                                self.dtype))
        return _FusedAltGD(kernels, rule, x, self.clip)


class _FusedSimGD:
    """x <- x + H v(x) by one kernel call, ping-ponging between two (2, n) arrays."""

    def __init__(self, kernel, x, clip):
        a = _empty(x.shape, x.dtype)
        b = _empty(x.shape, x.dtype)
        np.copyto(a, x)
        self.x = a
        # the hot path: a closure with its own locals (no attribute lookups per step)
        cur, nxt = (a, a[0], a[1]), (b, b[0], b[1])

        def step(i: int):
            nonlocal cur, nxt
            kernel(cur[1], cur[2], nxt[1], nxt[2])
            if clip:
                _project(nxt[2], clip)
            cur, nxt = nxt, cur
            self.x = cur[0]
            return cur[0]
        self.step = step

    def save(self):
        return None


class _FusedAltGD:
    """n_g generator then n_d discriminator moves (or the other order), each by one kernel
    call with the other player's newest value."""

    def __init__(self, kernels, rule, x, clip):
        self.x = np.array(x)
        th, ps = self.x[0], self.x[1]
        self.out = np.empty_like(th)
        self.clip = clip
        blocks = [(th, rule.n_g, kernels[0], False), (ps, rule.n_d, kernels[1], bool(clip))]
        if rule.order == "discriminator-first":
            blocks.reverse()
        self.blocks = blocks

    def step(self, i: int):
        th, ps = self.x[0], self.x[1]
        out = self.out
        for target, count, kernel, project in self.blocks:
            for _ in range(count):
                kernel(th, ps, out)
                np.copyto(target, out)
                if project:
                    _project(ps, self.clip)
        return self.x

    def save(self):
        return None


def lazy_methods(m: Method, every: int) -> dict:
    """The method with its penalty weight w as given (None), 0 (False) and every * w (True)."""
    out = {None: m}
    name = require_penalty(m.spec, every)
    if name is not None:
        value = sp.Rational(m.values.get(name, m.spec.parameter(name).default))
        for flag, weight in ((False, 0), (True, every * value)):
            out[flag] = Method(m.spec, m.f, m.generator, {**m.values, name: weight})
    return out


class _RuleStart:
    """Steppers of the update rules over :class:`NumpyOps`."""

    def __init__(self, m: Method, rule, dtype, size: int):
        self.rule, self.dtype, self.size = rule, dtype, size
        self.methods = lazy_methods(m, rule.lazy_every)
        self.clip = clip_bounds(m)
        self.he = None if rule.h_e is None else dtype.type(rule.h_e)
        self.fields: dict = {}   # shared by the steppers (one at a time)

    def __call__(self, x, h, memory=None):
        ops = NumpyOps(self.rule, self.methods, self.size, self.dtype, self.clip, h[0], h[1],
                       self.he, self.fields)
        return _RuleStepper(self.rule, ops, x, memory)


class _RuleStepper:
    """The scheme's state (x and its memory) advanced by ``stabgan.schemes.rules.step``; the
    rules never write to an array in place, so the memory is saved without copies."""

    def __init__(self, rule, ops, x, memory):
        self.rule, self.ops, self.period = rule, ops, rule.period
        x = (np.array(x[0]), np.array(x[1]))
        self.state = initial_memory(rule, ops, x) if memory is None else {"x": x, **memory}

    @property
    def x(self):
        return self.state["x"]

    def step(self, i: int):
        self.state = step(self.rule, self.ops, self.state, i % self.period)
        return self.state["x"]

    def save(self):
        return {k: v for k, v in self.state.items() if k != "x"}


class NumpyOps:
    """The NumPy backend of the update rules, for one chunk."""

    def __init__(self, scheme, methods: dict, size: int, dtype, clip, hg, hd, he,
                 fields: dict | None = None):
        self.dtype, self.size, self.methods = dtype, size, methods
        # (penalty flag, components) -> ChunkField, built when first used
        self.fields: dict = {} if fields is None else fields
        self.h_g, self.h_d = hg, hd
        self.he_g, self.he_d = (hg, hd) if he is None else (he, he)
        self.beta = dtype.type(float(scheme.momentum))
        self.alpha = dtype.type(float(scheme.lookahead_alpha))
        # adam and rmsprop: the decays, 1 minus each (rounded once from the exact value), eps
        self.beta1, self.beta2, self.eps = (dtype.type(float(getattr(scheme, k)))
                                            for k in ("beta1", "beta2", "eps"))
        self.beta1c, self.beta2c = (dtype.type(float(1 - getattr(scheme, k)))
                                    for k in ("beta1", "beta2"))
        self.sqrt = np.sqrt
        self.clip = clip

    def v(self, x, penalty=None, component=None):
        """The field at x (copies: the kernels' buffers are reused by the next call)."""
        comp = (0, 1) if component is None else (component,)
        if (penalty, comp) not in self.fields:
            self.fields[(penalty, comp)] = ChunkField(self.methods[penalty], comp, self.size,
                                                      self.dtype)
        out = [o.copy() for o in self.fields[(penalty, comp)](x[0], x[1])]
        return tuple(out) if component is None else out[0]

    def project(self, psi):
        """WGAN's clipping of psi (a projection after each move of psi)."""
        for lo, hi in self.clip:
            psi = np.clip(psi, lo, hi)
        return psi
