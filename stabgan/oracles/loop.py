r"""The simulator's one chunk loop: every scheme runs through :func:`run_chunk`.

The shape is SciPy's elementwise iterative method (``scipy/_lib/_elementwise_iterative_method.py``):
one loop over the steps with a status per element, the finished elements taken out of the
work arrays. A *stepper* does the arithmetic of one scheme; the loop owns everything else:

* chunking into blocks of :data:`CHECK_EVERY` steps;
* the bound monitor: after every step one sum of squares of the whole iterate (BLAS dots over
  pieces of :data:`~stabgan.oracles.monitor.DOT_PIECE`, no temporaries). It reaches
  :func:`~stabgan.oracles.monitor.square_threshold` (or is NaN) whenever a trajectory is
  beyond the bound or non-finite, so a step that passes needs nothing else. From the first
  step that does not pass to the end of the block, max(|theta|, |psi|) is tracked element by
  element; the trajectories that exceeded the bound are then replayed from the block's start
  by this same loop with blocks of one step, where the tracked maximum is the exact test;
* freezing: a trajectory is frozen at the last state inside the bound, with the step at which
  it left (0 for a start outside), and taken out of the stepper (a new stepper is started on
  the others from their current state and memory);
* the history (``record_every``) and progress (the :class:`~stabgan.oracles.monitor.Meter`:
  every trajectory-step counts, those a frozen trajectory no longer runs included).

Every operation is elementwise, so a trajectory's bits do not depend on the chunk, the batch,
its position, or when the others were taken out (tested bitwise).

Contract of a stepper
---------------------
A *start* function makes steppers: ``start(x, h, memory)`` for n trajectories, with

* ``x``: an array (2, n) of the state's dtype, the iterate (theta, psi) to start from, or
  (4, n) with the weight average (theta_ema, psi_ema) below it; the stepper copies what it
  keeps;
* ``h``: ``(h_g, h_d)``, each a NumPy scalar of the dtype or an array of length n;
* ``memory``: None (the scheme's initial memory at ``x``) or what :meth:`save` returned,
  cut to these n trajectories.

The stepper provides

* ``x``: the current iterate, a (2, n) array or a pair of arrays of length n ((4, n) with
  the average: the loop tests the bound on the first two rows and carries the others);
* ``step(i)``: advance every trajectory by step ``i`` (counted from 0 over the whole run: a
  scheme with a period reads its phase from it) and return the new ``x``. The loop reads the
  returned iterate before the next call and never writes to it;
* ``save()``: the memory besides x (None for a scheme without memory): None, or a dict whose
  leaves are arrays with the trajectories on the last axis (or scalars). It must not change
  when the stepper steps on (copy what :meth:`step` overwrites in place).
"""
from __future__ import annotations

import numpy as np

from .monitor import DOT_PIECE, outside, square_threshold

__all__ = ["run_chunk", "CHECK_EVERY"]

#: Steps per block: the block a trajectory that left the bound is replayed from.
CHECK_EVERY = 16


def take(obj, idx):
    """The trajectories ``idx`` (positions) of an iterate, step sizes or a memory: arrays are
    cut on their last axis; scalars and None pass through; tuples and dicts item by item."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return {k: take(v, idx) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return tuple(take(v, idx) for v in obj)
    if np.ndim(obj) == 0:
        return obj
    return obj[..., idx]


class _SumOfSquares:
    """sum(theta^2) + sum(psi^2) of an iterate with SciPy's BLAS dot (about half the call
    overhead of np.dot), over pieces cut once per iterate array."""

    def __init__(self, dtype):
        from scipy.linalg.blas import get_blas_funcs
        self.dot = get_blas_funcs("dot", dtype=dtype)
        self.known: dict = {}

    def pieces(self, x) -> list:
        """The pieces of ``x`` (the steppers return the same one or two arrays every step)."""
        got = self.known.get(id(x))
        if got is None or got[0] is not x:
            if len(self.known) >= 2:
                self.known.clear()
            got = (x, [row[i:i + DOT_PIECE] for row in x for i in range(0, len(row), DOT_PIECE)])
            self.known[id(x)] = got   # the reference keeps id(x) from being reused
        return got[1]


def run_chunk(start, x0, h, steps: int, bound: float, *, memory=None, first: int = 0,
              check_every: int = CHECK_EVERY, history=None, record_every=None, meter=None,
              observe=None):
    """Run steps ``first`` ... ``first + steps - 1`` on the trajectories of one chunk.

    Parameters
    ----------
    start : callable
        Makes the scheme's steppers (see the module docstring).
    x0 : ndarray, shape (2, n) or (4, n)
        The starting iterates (theta, psi) in the working dtype (and the averages below).
    h, memory
        The step sizes and the memory at ``x0``, as ``start`` takes them.
    history : tuple of ndarray, optional
        Arrays (n, steps // record_every + 1), one per row of the iterate, that receive theta
        and psi (and the averages) at the steps 0, record_every, ...; a frozen trajectory's
        entries from the step it left on are its frozen state.
    meter : Meter, optional
        Receives n x (steps of the block) after every block.
    observe : callable, optional
        ``observe(i, x, live)`` after every step ``i`` with the new iterate ``x`` (read it,
        never write it): ``live`` is None while every trajectory runs (``x`` has n
        columns), else the positions of the trajectories still running (``x`` has their
        columns). A trajectory that leaves the bound is seen beyond it during the block in
        which it left (it is then frozen at its last state inside the bound).

    Returns
    -------
    (ndarray, ndarray, ndarray)
        The final iterates (2, n) (frozen ones at their last state inside the bound), the
        iterates before the last step (frozen ones likewise; ``x0`` for no step), and the step
        at which each trajectory left the bound (-1: it did not).
    """
    n = x0.shape[1]
    final = np.array(x0)
    left_at = np.full(n, -1, np.int64)
    rows = x0.shape[0]
    if history is not None:
        for k in range(rows):
            history[k][:, 0] = x0[k]
    out = outside(x0[0], x0[1], bound)
    live = np.flatnonzero(~out)
    if live.size < n:
        bad = np.flatnonzero(out)
        _freeze(final, left_at, history, record_every, bad, x0[:, bad], first)
        x0, h, memory = x0[:, live], take(h, live), take(memory, live)
    whole = live.size == n   # no trajectory taken out: the history is written by slices
    stepper = start(x0, h, memory) if live.size else None
    x = stepper.x if live.size else None
    threshold = square_threshold(bound, x0.dtype)
    monitor = _SumOfSquares(x0.dtype)
    dot, pieces_of = monitor.dot, monitor.pieces
    end = first + steps
    before = None      # the live iterates before the last step
    saved = None
    i = first
    while i < end and live.size:
        block = min(check_every, end - i)
        if saved is None or saved.shape[1] != live.size:
            saved = np.empty((rows, live.size), x0.dtype)
        np.copyto(saved, x)
        saved_memory = stepper.save()
        step = stepper.step
        alarm, peak, tmp = False, None, None
        for i in range(i, i + block):
            if i == end - 1:
                before = np.array(x)
            x = step(i)
            if observe is not None:
                observe(i, x, None if whole else live)
            if history is not None and (i + 1) % record_every == 0:
                where = slice(None) if whole else live
                for k in range(rows):
                    history[k][where, (i + 1) // record_every] = x[k]
            if alarm:
                np.abs(x, out=tmp)
                np.maximum(peak, tmp, out=peak)
            else:
                pieces = pieces_of(x)
                total = dot(pieces[0], pieces[0])
                for piece in pieces[1:]:
                    total = total + dot(piece, piece)
                if not total < threshold:
                    alarm = True
                    peak = np.abs(x)
                    tmp = np.empty_like(peak)
        i += 1
        if alarm:
            inside = (peak[0] <= bound) & (peak[1] <= bound)
            bad = np.flatnonzero(~inside)
            if bad.size:
                if block == 1:   # the tracked maximum is the exact test
                    frozen, at = saved[:, bad], i
                else:
                    frozen, _, at = run_chunk(start, saved[:, bad], take(h, bad), block, bound,
                                              memory=take(saved_memory, bad), first=i - block,
                                              check_every=1)
                _freeze(final, left_at, history, record_every, live[bad], frozen, at)
                keep = np.flatnonzero(inside)
                live, h, whole = live[keep], take(h, keep), False
                before = None if before is None else before[:, keep]
                if live.size:
                    stepper = start(np.asarray(x)[:, keep], h, take(stepper.save(), keep))
                    x = stepper.x
        if meter is not None:
            meter.add(n * block)
    if meter is not None and i < end:
        meter.add(n * (end - i))   # every trajectory was frozen early
    if live.size:
        final[:, live] = x
    prev = np.array(final)
    if before is not None:
        prev[:, live] = before
    return final, prev, left_at


def _freeze(final, left_at, history, record_every, rows, frozen, at) -> None:
    """Freeze the trajectories ``rows`` at the iterates ``frozen`` (2, m): they left the bound
    at step(s) ``at``; their history from that step on is the frozen state."""
    final[:, rows] = frozen
    left_at[rows] = at
    if history is None:
        return
    count = history[0].shape[1]
    first = (np.broadcast_to(at, rows.shape) + record_every - 1) // record_every
    later = np.arange(count)[None, :] >= first[:, None]
    for k in range(len(history)):
        block = history[k][rows]
        np.copyto(block, frozen[k][:, None], where=later)
        history[k][rows] = block
