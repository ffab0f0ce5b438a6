r"""The simulator for schemes with memory or a period (extragradient, OGDA, momentum,
lookahead, lazy regularization): the update rules of ``stabgan.schemes.rules`` on NumPy arrays.

The rule is the one the closed-form analysis linearizes; here :math:`v` is the compiled
field of the method (``_simulate.ChunkField``: in-place kernels, noise by quadrature), with the
penalty weight replaced by 0 and by k times its value on the lazy steps. Every operation is
elementwise, so a trajectory's result does not depend on the chunk, the batch or its
position (tested bitwise). The bound is checked on the iterate x after every step; a
trajectory that leaves it is frozen at its last state inside, with the step recorded.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..model.method import Method
from ..schemes.rules import initial_memory, step
from .monitor import outside

__all__ = ["run_rule_chunk", "lazy_methods"]


def lazy_methods(m: Method, every: int) -> dict:
    """The method with its penalty weight w as given (None), 0 (False) and every * w (True)."""
    from ..schemes.rules import require_penalty
    out = {None: m}
    name = require_penalty(m.spec, every)
    if name is not None:
        value = sp.Rational(m.values.get(name, m.spec.parameter(name).default))
        for flag, weight in ((False, 0), (True, every * value)):
            out[flag] = Method(m.spec, m.f, m.generator, {**m.values, name: weight})
    return out


class NumpyOps:
    """The NumPy backend of the update rules, for one chunk."""

    def __init__(self, scheme, methods: dict, size: int, dtype, clip, hg, hd, he):
        self.dtype, self.size, self.methods = dtype, size, methods
        self.fields: dict = {}  # (penalty flag, components) -> ChunkField, built when first used
        self.h_g, self.h_d = hg, hd
        self.he_g, self.he_d = (hg, hd) if he is None else (he, he)
        self.beta = dtype.type(float(scheme.momentum))
        self.alpha = dtype.type(float(scheme.lookahead_alpha))
        self.clip = clip

    def v(self, x, penalty=None, component=None):
        """The field at x (copies: the kernels' buffers are reused by the next call)."""
        comp = (0, 1) if component is None else (component,)
        if (penalty, comp) not in self.fields:
            from .fields import ChunkField
            self.fields[(penalty, comp)] = ChunkField(self.methods[penalty], comp, self.size,
                                                  self.dtype)
        out = [o.copy() for o in self.fields[(penalty, comp)](x[0], x[1])]
        return tuple(out) if component is None else out[0]

    def project(self, psi):
        """WGAN's clipping of psi (a projection after each move of psi)."""
        for coord, lo, hi in self.clip:
            if coord == "psi":
                psi = np.clip(psi, lo, hi)
        return psi


def run_rule_chunk(scheme, methods: dict, clip, sl, flat, steps: int, record_every, result,
                   dtype, bound: float, meter, he) -> None:
    """Run ``steps`` steps of the scheme's rule on one chunk of trajectories; write the
    final state, the state before the last step, the history and diverged_at into
    ``result``."""
    th = flat[0][sl].astype(dtype)
    ps = flat[1][sl].astype(dtype)
    hg = flat[2][sl].astype(dtype)
    hd = flat[3][sl].astype(dtype)
    n = th.shape[0]
    he_value = None if he is None else dtype.type(he)
    ops = NumpyOps(scheme, methods, n, dtype, clip, hg, hd, he_value)
    frozen = outside(th, ps, bound)
    div_at = np.where(frozen, 0, -1).astype(np.int64)
    frozen_th, frozen_ps = th.copy(), ps.copy()
    prev_th, prev_ps = th, ps
    state = initial_memory(scheme, ops, (th, ps))
    rec = 0
    if record_every:
        result["hist_theta"][sl, 0] = th
        result["hist_psi"][sl, 0] = ps
        rec = 1
    period = scheme.period
    for i in range(steps):
        old_th, old_ps = state["x"]
        state = step(scheme, ops, state, i % period)
        new_th, new_ps = state["x"]
        left = outside(new_th, new_ps, bound) & ~frozen
        if left.any():
            np.copyto(frozen_th, old_th, where=left)
            np.copyto(frozen_ps, old_ps, where=left)
            div_at[left] = i + 1
            frozen |= left
        if i == steps - 1:
            prev_th, prev_ps = old_th, old_ps
        if record_every and (i + 1) % record_every == 0:
            result["hist_theta"][sl, rec] = np.where(frozen, frozen_th, new_th)
            result["hist_psi"][sl, rec] = np.where(frozen, frozen_ps, new_ps)
            rec += 1
        if meter is not None and (i + 1) % 16 == 0:
            meter.add(n * 16)
    th, ps = state["x"]
    result["theta"][sl] = np.where(frozen, frozen_th, th)
    result["psi"][sl] = np.where(frozen, frozen_ps, ps)
    result["prev_theta"][sl] = np.where(frozen, frozen_th, prev_th)
    result["prev_psi"][sl] = np.where(frozen, frozen_ps, prev_ps)
    result["diverged_at"][sl] = div_at
