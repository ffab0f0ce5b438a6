r"""The discrete oracle: a vectorized simulator of the SimGD and AltGD updates.

SimGD: :math:`x \leftarrow x + H v(x)`, :math:`H = \operatorname{diag}(h_g, h_d)`.
AltGD: :math:`n_g` generator steps :math:`\theta \leftarrow \theta + h_g v_\theta(\theta, \psi)`,
then :math:`n_d` discriminator steps :math:`\psi \leftarrow \psi + h_d v_\psi(\theta, \psi)`,
each with the newest value of the other player (the order can be swapped); a box
constraint of the method (WGAN's clipping) is a projection after each discriminator step.

How it runs: trajectories are cut into cache-sized chunks; each chunk runs all its steps
with preallocated buffers and in-place ufuncs generated from the SymPy field (``stabgan.codegen.kernels``;
the loop invariants such as 1 - h gamma are computed once per chunk). Every operation is
elementwise, so a trajectory's result does not depend on the chunk size, the batch size or
its position in the batch (tested bitwise). The bound is checked at every step: a trajectory
that became non-finite or left it (max(|theta|, |psi|) > ``bound``) at some step of a block
of :data:`CHECK_EVERY` steps is replayed from the start of the block, step by step, and
frozen at the last state inside the bound, with the step at which it left recorded (a start
outside the bound has left at step 0). SimGD without recording checks one sum of squares per
chunk and step, and tracks max(|theta|, |psi|) trajectory by trajectory only from a step
whose sum reaches bound^2 (see ``_Runner._run_simgd``); the other paths track it at every
step. Floating-point warnings are suppressed inside the update and reported as statuses
instead.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import InputError
from .._options import SCHEMES, float_array, int_option
from ..model.method import Method
from .fields import ChunkField, update_kernel_factory
from .monitor import DOT_PIECE, Meter, outside, square_threshold

__all__ = ["simulate", "SimulationResult", "MESSAGES", "CHECK_EVERY"]

#: Steps between divergence checks.
CHECK_EVERY = 16
#: What each status means (the CLI and the API say the same thing).
MESSAGES = {
    "converged": "within tol of the equilibrium (0, 0) at the last step",
    "diverged": "left the bound (or became non-finite); frozen at the last state inside it",
    "stalled": "the update vanished far from the equilibrium (a saturated discriminator: "
               "the field underflows)",
    "bounded": "neither converged nor escaping within the steps run (e.g. a cycle)",
}


@dataclass(frozen=True)
class SimulationResult:
    """The result of :func:`simulate`; arrays have the broadcast shape of the inputs.

    Attributes
    ----------
    theta, psi : ndarray
        Final state (frozen where the trajectory diverged).
    distance : ndarray
        Euclidean distance of the final state to the equilibrium (0, 0).
    converged, diverged : ndarray of bool
        Status flags.
    status : ndarray of str
        ``converged``, ``diverged``, ``stalled`` or ``bounded`` (see :data:`MESSAGES`).
    diverged_at : ndarray of int
        The step at which a diverged trajectory left the bound (-1 otherwise).
    history_theta, history_psi : ndarray or None
        With ``record_every=k``: the states at steps 0, k, 2k, ... (step is the last axis).
    record_steps : ndarray or None
        The steps of the recorded states.
    """

    method: Method
    scheme: str
    steps: int
    theta: np.ndarray
    psi: np.ndarray
    distance: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    status: np.ndarray
    diverged_at: np.ndarray
    history_theta: np.ndarray | None = None
    history_psi: np.ndarray | None = None
    record_steps: np.ndarray | None = None

    def to_dict(self) -> dict:
        """The JSON document of ``stabgan simulate --json``."""
        def plain(a):
            a = np.asarray(a)
            return a.item() if a.ndim == 0 else a.tolist()
        return {"method": self.method.id, "scheme": self.scheme, "steps": self.steps,
                "theta": plain(self.theta), "psi": plain(self.psi),
                "distance": plain(self.distance), "converged": plain(self.converged),
                "diverged": plain(self.diverged), "status": plain(self.status),
                "diverged_at": plain(self.diverged_at),
                "messages": {k: MESSAGES[k] for k in sorted(set(np.ravel(self.status)))}}


def simulate(m: Method, scheme: str = "simgd", h=None, steps: int = 1000, theta0=1.0, psi0=1.0,
             n_g: int = 1, n_d: int = 1, h_g=None, h_d=None, order: str = "generator-first",
             dtype=np.float64, record_every: int | None = None, tol: float = 1e-6,
             bound: float = 1e8, chunk_size: int = 16384,
             workers: int | None = None, progress=None, momentum=None, h_e=None, base=None,
             lookahead_steps=None, lookahead_alpha=None,
             lazy_every=None) -> SimulationResult:
    r"""Run a discrete scheme on the Dirac-GAN, many trajectories at once.

    SimGD: :math:`x_{k+1} = x_k + H v(x_k)`; AltGD: :math:`n_g` generator steps then
    :math:`n_d` discriminator steps, each with the other player's newest value; the
    schemes with memory or a period follow the update rules of ``stabgan.schemes.rules``
    (extragradient :math:`x' = x + H v(x + h_e v(x))`, OGDA
    :math:`x' = x + H (2 v(x_k) - v(x_{k-1}))`, heavy ball
    :math:`x' = x + H v(x) + \beta (x_k - x_{k-1})`, lookahead, lazy regularization), the
    same rules whose linearization :func:`analyze` derives.

    Parameters
    ----------
    m : Method
        From :func:`method`; omitted parameters take their catalogue defaults.
    scheme : {"simgd", "altgd", "extragradient", "ogda", "lookahead"}
        The update.
    h : float or array_like, optional
        Step size of both players (or give ``h_g`` and ``h_d``).
    steps : int
        Number of updates (rounds for AltGD), >= 0.
    theta0, psi0 : float or array_like
        Starting points; ``theta0``, ``psi0``, ``h`` (``h_g``, ``h_d``) broadcast together.
    n_g, n_d : int
        AltGD: generator and discriminator steps per round (1 to 50).
    h_g, h_d : float or array_like, optional
        The players' own step sizes.
    order : {"generator-first", "discriminator-first"}
        AltGD: who moves first.
    dtype : {numpy.float64, numpy.float32}
        Arithmetic precision.
    record_every : int, optional
        Keep the states every ``record_every`` steps (step is the last axis).
    tol : float
        ``converged`` means a final distance to (0, 0) of at most ``tol``.
    bound : float
        ``diverged`` means non-finite or :math:`\max(|\theta|, |\psi|) > \text{bound}` at some step.
    chunk_size : int
        Trajectories per chunk (results do not depend on it). The default was measured
        fastest among 4096 ... 32768 on the reference machine (r1 SimGD, float64; 1 MB of
        L2 cache per core).
    workers : int, optional
        Threads that run chunks in parallel (default 1: on the 2-core reference machine
        two threads gained between -40% and +25% in benchmarks/simulate.py). NumPy's ufuncs
        release the GIL; every chunk is computed the same way whichever thread runs it, so
        results do not depend on the thread count.
    progress : callable, optional
        Called as ``progress(done, total)`` with trajectory-steps done so far, at most about
        once a second (the command line prints it on stderr for long runs).
    momentum, h_e, base, lookahead_steps, lookahead_alpha, lazy_every
        The options of the schemes with memory or a period, as in :func:`analyze`
        (``steps`` counts single steps: a lookahead or lazy period of k steps takes k).

    Returns
    -------
    SimulationResult
        Final states, distance, status per trajectory, and the history if asked.

    Examples
    --------
    >>> import stabgan
    >>> r = stabgan.simulate(stabgan.method("r1", gamma=1), scheme="simgd", h=0.1, steps=500,
    ...                      theta0=[1.0, 0.5], psi0=[1.0, -1.0])
    >>> r.status.tolist()
    ['converged', 'converged']
    """
    if not isinstance(m, Method):
        raise InputError(f"simulate takes a method from stabgan.method(...). Got {m!r} instead.")
    from ..schemes.scheme import make_scheme
    if scheme not in SCHEMES:
        raise InputError(f"The 'scheme' option of simulate must be one of {', '.join(SCHEMES)}. "
                         f"Got {scheme!r} instead.")
    if m.f == "general":
        raise InputError("Numeric work needs a concrete f: f = 'general' has no numeric value. "
                         "Use f = 'logistic' or an expression in t.")
    steps = int_option(steps, "steps", 0)
    n_g = int_option(n_g, "n_g", 1, 50)
    n_d = int_option(n_d, "n_d", 1, 50)
    rule = make_scheme(scheme, n_g=n_g, n_d=n_d, order=order, momentum=momentum, h_e=h_e,
                       base=base, lookahead_steps=lookahead_steps,
                       lookahead_alpha=lookahead_alpha, lazy_every=lazy_every)
    from ..schemes.rules import require_penalty
    require_penalty(m.spec, rule.lazy_every)
    if record_every is not None:
        record_every = int_option(record_every, "record_every", 1)
    chunk_size = int_option(chunk_size, "chunk_size", 1)
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise InputError(f"The 'dtype' option must be float32 or float64. Got {dtype} instead.")
    if h is not None and (h_g is not None or h_d is not None):
        raise InputError("Give either the 'h' option or 'h_g' and 'h_d', not both.")
    if h is None and (h_g is None or h_d is None):
        raise InputError("The step size is missing: give 'h', or both 'h_g' and 'h_d'.")
    hg = float_array(h if h is not None else h_g, "h" if h is not None else "h_g", True)
    hd = float_array(h if h is not None else h_d, "h" if h is not None else "h_d", True)
    th0 = float_array(theta0, "theta0", False)
    ps0 = float_array(psi0, "psi0", False)
    th0, ps0, hg, hd = np.broadcast_arrays(th0, ps0, hg, hd)
    shape = th0.shape
    flat = [np.ascontiguousarray(a.ravel()) for a in (th0, ps0, hg, hd)]
    total = flat[0].size
    n_rec = steps // record_every + 1 if record_every else 0
    result = {
        "theta": np.empty(total, dtype), "psi": np.empty(total, dtype),
        "prev_theta": np.empty(total, dtype), "prev_psi": np.empty(total, dtype),
        "diverged_at": np.full(total, -1, dtype=np.int64),
        "hist_theta": np.empty((total, n_rec), dtype) if n_rec else None,
        "hist_psi": np.empty((total, n_rec), dtype) if n_rec else None,
    }
    chunks = [slice(start, min(start + chunk_size, total)) for start in range(0, total, chunk_size)]
    if workers is None:
        workers = 1
    workers = max(1, min(int_option(workers, "workers", 1, 256), len(chunks) or 1))
    meter = Meter(progress, total * steps)
    if not rule.plain:
        from .rule_chunks import lazy_methods, run_rule_chunk
        methods = lazy_methods(m, rule.lazy_every)
        clip = _Runner.clip_bounds(m)

        def work(my_chunks) -> None:
            with np.errstate(all="ignore"):
                for sl in my_chunks:
                    run_rule_chunk(rule, methods, clip, sl, flat, steps, record_every, result,
                                   dtype, bound, meter, rule.h_e)
    else:
        def work(my_chunks) -> None:
            _run_plain(m, scheme, n_g, n_d, order, chunk_size, total, dtype, bound, flat,
                       steps, record_every, result, meter, my_chunks)
    if workers == 1:
        work(chunks)
    else:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, [chunks[i::workers] for i in range(workers)]))
    return _finish(m, scheme, steps, result, tol, dtype, shape, record_every, n_rec)


def _run_plain(m, scheme, n_g, n_d, order, chunk_size, total, dtype, bound, flat, steps,
               record_every, result, meter, my_chunks) -> None:
    """SimGD/AltGD without memory: fused in-place kernels (the fast path)."""
    uniform = None
    if total and np.all(flat[2] == flat[2][0]) and np.all(flat[3] == flat[3][0]):
        uniform = (dtype.type(flat[2][0]), dtype.type(flat[3][0]))
    runner = _Runner(m, scheme, n_g, n_d, order, min(chunk_size, max(total, 1)), dtype, bound)
    runner.uniform_h = uniform
    runner.meter = meter
    with np.errstate(all="ignore"):  # errstate is per thread (a context variable)
        for sl in my_chunks:
            runner.run_chunk(sl, flat, steps, record_every, result)


def _finish(m, scheme, steps, result, tol, dtype, shape, record_every, n_rec):
    """Distances and statuses from the final states."""
    with np.errstate(all="ignore"):
        theta, psi = result["theta"], result["psi"]
        distance = np.hypot(theta.astype(np.float64), psi.astype(np.float64))
        diverged = result["diverged_at"] >= 0
        converged = ~diverged & (distance <= tol)
        move = np.hypot((theta - result["prev_theta"]).astype(np.float64),
                        (psi - result["prev_psi"]).astype(np.float64))
        eps = np.finfo(dtype).eps
        stalled = (~diverged & ~converged & (steps > 0) & (move <= 4 * eps * distance))
    status = np.where(diverged, "diverged", np.where(converged, "converged",
                      np.where(stalled, "stalled", "bounded"))).astype("<U9")

    def shaped(a):
        return a.reshape(shape)

    hist = (None, None, None)
    if n_rec:
        hist = (result["hist_theta"].reshape(shape + (n_rec,)),
                result["hist_psi"].reshape(shape + (n_rec,)),
                np.arange(n_rec) * record_every)
    return SimulationResult(method=m, scheme=scheme, steps=steps, theta=shaped(theta),
                            psi=shaped(psi), distance=shaped(distance),
                            converged=shaped(converged), diverged=shaped(diverged),
                            status=shaped(status), diverged_at=shaped(result["diverged_at"]),
                            history_theta=hist[0], history_psi=hist[1], record_steps=hist[2])


class _Runner:
    """Runs the steps of one chunk in place."""

    def __init__(self, m, scheme, n_g, n_d, order, size, dtype, bound):
        self.scheme, self.n_g, self.n_d, self.order = scheme, n_g, n_d, order
        self.dtype, self.bound = dtype, bound
        self.threshold = square_threshold(bound, dtype)
        self.method, self.size = m, size
        self.uniform_h = None
        self.meter = None
        self.fused = not m.derived.noise
        self.values = [m.numeric_params[p.name] for p in m.spec.parameters]
        self._cache: dict = {}
        if not self.fused:
            if scheme == "simgd":
                self.both = ChunkField(m, (0, 1), size, dtype)
            else:
                self.gen = ChunkField(m, (0,), size, dtype)
                self.dis = ChunkField(m, (1,), size, dtype)
        self.clip = self.clip_bounds(m)

    @staticmethod
    def clip_bounds(m) -> list:
        """The method's box constraints as (coordinate, low, high) floats."""
        values = m.numeric_params
        subs = {p.symbol: values[p.name] for p in m.spec.parameters}
        return [(coord, float(lo.subs(subs)), float(hi.subs(subs)))
                for coord, lo, hi in m.spec.constraints]

    def _project(self, psi) -> None:
        for coord, lo, hi in self.clip:
            if coord == "psi":
                np.clip(psi, lo, hi, out=psi)

    def _arrays(self, key, count: int, n: int, rows: int = 0) -> list:
        """``count`` work arrays of length n, cut from arrays of the chunk size allocated once
        per key; with ``rows``, contiguous arrays of shape (rows, n) (once per key and n)."""
        if rows:
            key = (key, n)
            if key not in self._cache:
                self._cache[key] = [np.empty((rows, n), self.dtype) for _ in range(count)]
            return self._cache[key]
        if key not in self._cache:
            self._cache[key] = [np.empty(self.size, self.dtype) for _ in range(count)]
        return [a[:n] for a in self._cache[key]]

    def stepper(self, hg, hd, n: int):
        """The fused update of n trajectories with step sizes hg, hd (scalars of the dtype or
        arrays of length n), its loop invariants computed once: for SimGD one function
        ``step(theta, psi, theta_out, psi_out)``, for AltGD one per player (``step(theta,
        psi, out)``). None for a field with noise (evaluated by quadrature)."""
        if not self.fused:
            return None
        m = self.method
        if self.scheme == "simgd":
            if np.ndim(hg) == 0 and np.ndim(hd) == 0:
                shared = bool(hg == hd)
            else:
                shared = hg is hd or bool(np.ndim(hg) and np.ndim(hd) and np.array_equal(hg, hd))
            make, nbuf = update_kernel_factory(m.spec, m.f, m.generator, (0, 1), shared)
            return make(hg, hd, *self.values, self._arrays(("work", shared), nbuf, n), self.dtype)
        makers = []
        for comp, hc in (((0,), hg), ((1,), hd)):
            make, nbuf = update_kernel_factory(m.spec, m.f, m.generator, comp, False)
            makers.append(make(hc, *self.values, self._arrays(("work", comp), nbuf, n),
                               self.dtype))
        return tuple(makers)

    @staticmethod
    def track(peak, tmp, th, ps) -> None:
        """peak <- max(peak, |theta|, |psi|) (NaN propagates): the bound is checked at every
        step, so an excursion beyond it that comes back is not missed."""
        np.abs(th, out=tmp)
        np.maximum(peak, tmp, out=peak)
        np.abs(ps, out=tmp)
        np.maximum(peak, tmp, out=peak)

    def step(self, th, ps, hg, hd, stepper) -> None:
        """One update of the state (th, ps) in place (``stepper`` from :meth:`stepper`)."""
        n = th.shape[0]
        if self.fused:
            if self.scheme == "simgd":
                out_t, out_p = self._arrays("out", 2, n)
                stepper(th, ps, out_t, out_p)
                np.copyto(th, out_t)
                np.copyto(ps, out_p)
                self._project(ps)
                return
            (out,) = self._arrays("out1", 1, n)
            blocks = [(th, self.n_g, stepper[0], False), (ps, self.n_d, stepper[1], True)]
            if self.order == "discriminator-first":
                blocks.reverse()
            for target, count, kernel, project in blocks:
                for _ in range(count):
                    kernel(th, ps, out)
                    np.copyto(target, out)
                    if project:
                        self._project(ps)
            return
        if self.scheme == "simgd":
            vt, vp = self.both(th, ps)
            np.multiply(vt, hg, out=vt)
            np.multiply(vp, hd, out=vp)
            np.add(th, vt, out=th)
            np.add(ps, vp, out=ps)
            self._project(ps)
            return
        blocks = [("g", self.n_g), ("d", self.n_d)]
        if self.order == "discriminator-first":
            blocks.reverse()
        for who, count in blocks:
            for _ in range(count):
                if who == "g":
                    (vt,) = self.gen(th, ps)
                    np.multiply(vt, hg, out=vt)
                    np.add(th, vt, out=th)
                else:
                    (vp,) = self.dis(th, ps)
                    np.multiply(vp, hd, out=vp)
                    np.add(ps, vp, out=ps)
                    self._project(ps)

    def _outside(self, th, ps) -> np.ndarray:
        return outside(th, ps, self.bound)

    def _inputs(self, sl, flat):
        th = flat[0][sl].astype(self.dtype)
        ps = flat[1][sl].astype(self.dtype)
        if self.uniform_h is not None:
            # one step size for the whole batch: a scalar, the same in every chunk
            hg, hd = self.uniform_h
        else:
            hg = flat[2][sl].astype(self.dtype)
            hd = flat[3][sl].astype(self.dtype)
        return th, ps, hg, hd

    def run_chunk(self, sl, flat, steps, record_every, result) -> None:
        th, ps, hg, hd = self._inputs(sl, flat)
        if self.fused and self.scheme == "simgd" and not record_every:
            self._run_simgd(sl, th, ps, hg, hd, steps, result)
            return
        n = th.shape[0]
        stepper = self.stepper(hg, hd, n)
        frozen = np.zeros(n, bool)
        frozen_th = th.copy()
        frozen_ps = ps.copy()
        div_at = np.full(n, -1, np.int64)
        prev_th, prev_ps = th.copy(), ps.copy()
        peak = np.empty(n, self.dtype)
        tmp = np.empty(n, self.dtype)
        # a start outside the bound has diverged at step 0 (frozen at the start)
        start_out = self._outside(th, ps)
        if start_out.any():
            frozen[start_out] = True
            div_at[start_out] = 0
        rec = 0
        if record_every:
            result["hist_theta"][sl, 0] = th
            result["hist_psi"][sl, 0] = ps
            rec = 1
        done = 0
        while done < steps:
            block = min(CHECK_EVERY, steps - done)
            save_th, save_ps = th.copy(), ps.copy()
            peak.fill(0)
            for k in range(block):
                if done + k == steps - 1:
                    np.copyto(prev_th, th)
                    np.copyto(prev_ps, ps)
                self.step(th, ps, hg, hd, stepper)
                self.track(peak, tmp, th, ps)
                if record_every and (done + k + 1) % record_every == 0:
                    # states of trajectories that have already left are fixed up below
                    result["hist_theta"][sl, rec] = th
                    result["hist_psi"][sl, rec] = ps
                    rec += 1
            bad = ~(peak <= self.bound) & ~frozen
            if bad.any():
                idx = np.flatnonzero(bad)
                self._replay(idx, save_th, save_ps, hg, hd, done, block, frozen_th, frozen_ps,
                             div_at)
                frozen[idx] = True
            if frozen.any():
                np.copyto(th, frozen_th, where=frozen)
                np.copyto(ps, frozen_ps, where=frozen)
                np.copyto(prev_th, frozen_th, where=frozen)
                np.copyto(prev_ps, frozen_ps, where=frozen)
                if record_every:
                    self._fix_history(result, sl, frozen, frozen_th, frozen_ps, div_at,
                                      record_every, rec)
            done += block
            if self.meter is not None:
                self.meter.add(n * block)
        result["theta"][sl] = th
        result["psi"][sl] = ps
        result["prev_theta"][sl] = prev_th
        result["prev_psi"][sl] = prev_ps
        result["diverged_at"][sl] = div_at

    def _run_simgd(self, sl, th, ps, hg, hd, steps, result) -> None:
        """Fused SimGD without recording: theta and psi are the rows of one (2, n) array, and
        the steps ping-pong between two of them (no copies inside the loop).

        Bound monitor: after every step, one sum of squares of the whole chunk (BLAS dots, no
        temporary arrays). It is >= :func:`square_threshold` (or NaN) whenever a trajectory
        is beyond the bound or non-finite at that step, so a step it passes needs nothing
        else; from the first step it does not pass until the end of the block,
        max(|theta|, |psi|) of every trajectory is tracked element by element (the previous
        monitor), the trajectories that left are replayed from the block's start, frozen, and
        their running state is set to (0, 0) so that they do not trip the monitor again."""
        n = th.shape[0]
        a, b, save, prev, peak, tmp = self._arrays("simgd", 6, n, rows=2)
        a[0], a[1] = th, ps
        step = self.stepper(hg, hd, n)
        frozen = np.zeros(n, bool)
        frozen_th, frozen_ps = th.copy(), ps.copy()
        div_at = np.full(n, -1, np.int64)
        start_out = self._outside(th, ps)
        if start_out.any():
            frozen |= start_out
            div_at[start_out] = 0
            a[:, start_out] = 0
        np.copyto(prev, a)

        def views(x):
            pieces = [row[i:i + DOT_PIECE] for row in x for i in range(0, n, DOT_PIECE)]
            return x, x[0], x[1], pieces

        cur, nxt = views(a), views(b)
        # SciPy's BLAS dot (ddot, sdot): about half the call overhead of np.dot
        from scipy.linalg.blas import get_blas_funcs
        dot = get_blas_funcs("dot", dtype=self.dtype)
        threshold, project = self.threshold, self.clip
        done = 0
        while done < steps:
            block = min(CHECK_EVERY, steps - done)
            np.copyto(save, cur[0])
            alarm = False
            for k in range(block):
                if done + k == steps - 1:
                    np.copyto(prev, cur[0])
                step(cur[1], cur[2], nxt[1], nxt[2])
                if project:
                    self._project(nxt[2])
                if alarm:
                    np.abs(nxt[0], out=tmp)
                    np.maximum(peak, tmp, out=peak)
                else:
                    pieces = nxt[3]
                    total = dot(pieces[0], pieces[0])
                    for piece in pieces[1:]:
                        total = total + dot(piece, piece)
                    if not total < threshold:
                        alarm = True
                        np.abs(nxt[0], out=peak)
                cur, nxt = nxt, cur
            if alarm:
                bad = ~((peak[0] <= self.bound) & (peak[1] <= self.bound)) & ~frozen
                if bad.any():
                    idx = np.flatnonzero(bad)
                    self._replay(idx, save[0], save[1], hg, hd, done, block, frozen_th,
                                 frozen_ps, div_at)
                    frozen[idx] = True
                    cur[0][:, idx] = 0
            done += block
            if self.meter is not None:
                self.meter.add(n * block)
        final = cur[0]
        if frozen.any():
            np.copyto(final[0], frozen_th, where=frozen)
            np.copyto(final[1], frozen_ps, where=frozen)
            np.copyto(prev[0], frozen_th, where=frozen)
            np.copyto(prev[1], frozen_ps, where=frozen)
        result["theta"][sl] = final[0]
        result["psi"][sl] = final[1]
        result["prev_theta"][sl] = prev[0]
        result["prev_psi"][sl] = prev[1]
        result["diverged_at"][sl] = div_at

    def _replay(self, idx, save_th, save_ps, hg, hd, done, block, frozen_th, frozen_ps, div_at):
        """Re-run the block step by step for the escaping trajectories; freeze each at the last
        state inside the bound and record the step at which it left."""
        th = save_th[idx].copy()
        ps = save_ps[idx].copy()
        h_g = hg[idx] if np.ndim(hg) else hg
        h_d = hd[idx] if np.ndim(hd) else hd
        stepper = self.stepper(h_g, h_d, idx.size)
        alive = np.ones(idx.size, bool)
        last_th, last_ps = th.copy(), ps.copy()
        for k in range(block):
            np.copyto(last_th, th)
            np.copyto(last_ps, ps)
            self.step(th, ps, h_g, h_d, stepper)
            left = self._outside(th, ps) & alive
            where = np.flatnonzero(left)
            frozen_th[idx[where]] = last_th[where]
            frozen_ps[idx[where]] = last_ps[where]
            div_at[idx[where]] = done + k + 1
            alive &= ~left
            if not alive.any():
                break

    @staticmethod
    def _fix_history(result, sl, frozen, frozen_th, frozen_ps, div_at, record_every, rec):
        start = sl.start
        for i in np.flatnonzero(frozen):
            first = int(np.ceil(div_at[i] / record_every))
            if first < rec:
                result["hist_theta"][start + i, first:rec] = frozen_th[i]
                result["hist_psi"][start + i, first:rec] = frozen_ps[i]
