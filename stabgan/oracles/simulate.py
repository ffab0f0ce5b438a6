r"""The discrete oracle: a vectorized simulator of the SimGD and AltGD updates.

SimGD: :math:`x \leftarrow x + H v(x)`, :math:`H = \operatorname{diag}(h_g, h_d)`.
AltGD: :math:`n_g` generator steps :math:`\theta \leftarrow \theta + h_g v_\theta(\theta, \psi)`,
then :math:`n_d` discriminator steps :math:`\psi \leftarrow \psi + h_d v_\psi(\theta, \psi)`,
each with the newest value of the other player (the order can be swapped); a box
constraint of the method (WGAN's clipping) is a projection after each discriminator step.

How it runs: trajectories are cut into cache-sized chunks, and every scheme runs through one
chunk loop (``stabgan.oracles.loop``) with a stepper for its update (``stabgan.oracles.steppers``:
the fused in-place kernels generated from the SymPy field for SimGD and AltGD, the update
rules of ``stabgan.schemes.rules`` for the others). The loop checks the bound at every step
(one sum of squares per chunk and step; a trajectory that became non-finite or left it,
max(|theta|, |psi|) > ``bound``, is replayed from the start of its block of
:data:`CHECK_EVERY` steps and frozen at the last state inside the bound, with the step at
which it left; a start outside the bound has left at step 0), records the history and
reports progress. Every operation is elementwise, so a trajectory's result does not depend
on the chunk size, the batch size or its position in the batch (tested bitwise).
Floating-point warnings are suppressed inside the update and reported as statuses instead.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import InputError
from .._executor import check_executor, import_optional, run_tasks, stabgan_version
from .._options import (SIMULATE_SCHEMES, broadcast_named, check_float_option, check_memory,
                        float_array, int_option)
from ..model.method import Method, require_concrete_f
from .loop import CHECK_EVERY, run_chunk
from .monitor import Meter
from .steppers import make_start

__all__ = ["simulate", "SimulationResult", "MESSAGES", "CHECK_EVERY"]

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
    ema : float or None
        The weight average's beta (None: no average was kept).
    theta_ema, psi_ema : ndarray or None
        With ``ema``: the final average (frozen with its trajectory).
    history_theta_ema, history_psi_ema : ndarray or None
        With ``ema`` and ``record_every``: the averages at the recorded steps.
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
    ema: float | None = None
    theta_ema: np.ndarray | None = None
    psi_ema: np.ndarray | None = None
    history_theta_ema: np.ndarray | None = None
    history_psi_ema: np.ndarray | None = None
    theta0: np.ndarray | None = None
    psi0: np.ndarray | None = None
    h_g: np.ndarray | None = None
    h_d: np.ndarray | None = None

    @property
    def distance_ema(self) -> np.ndarray | None:
        """With ``ema``: the average's distance to the equilibrium (0, 0)."""
        if self.theta_ema is None:
            return None
        return np.hypot(np.asarray(self.theta_ema, np.float64),
                        np.asarray(self.psi_ema, np.float64))

    def to_xarray(self):
        """The result as an ``xarray.Dataset`` (needs the optional extra: ``pip install
        'stabgan[xarray]'``).

        Returns
        -------
        xarray.Dataset
            Dimension ``trajectory`` (the batch, flattened in C order, numbered from 0;
            ``attrs["shape"]`` is its shape) with the coordinates ``theta0``, ``psi0``,
            ``h_g``, ``h_d``; with ``record_every`` also ``step`` (coordinate: the recorded
            steps). Variables: ``theta``, ``psi``, ``distance``, ``converged``,
            ``diverged``, ``status``, ``diverged_at`` (and ``theta_ema``, ``psi_ema``),
            ``history_theta``, ``history_psi`` (trajectory x step). Attributes:
            ``method``, ``scheme``, ``steps``, ``parameters`` (JSON), ``stabgan_version``.
            A grid of starts comes back as a grid with
            ``ds.set_index(trajectory=["theta0", "psi0"]).unstack("trajectory")``.
        """
        xr = import_optional("xarray", "xarray", "SimulationResult.to_xarray()")
        import json
        shape = np.shape(self.theta)

        def flat(a):
            return np.broadcast_to(np.asarray(a), shape).reshape(-1)

        data = {k: ("trajectory", flat(getattr(self, k)))
                for k in ("theta", "psi", "distance", "converged", "diverged", "status",
                          "diverged_at", "theta_ema", "psi_ema") if getattr(self, k) is not None}
        for k in ("history_theta", "history_psi", "history_theta_ema", "history_psi_ema"):
            a = getattr(self, k)
            if a is not None:
                data[k] = (("trajectory", "step"), np.asarray(a).reshape(-1, a.shape[-1]))
        coords = {"trajectory": ("trajectory", np.arange(int(np.prod(shape, dtype=int))))}
        coords.update({k: ("trajectory", flat(getattr(self, k)))
                       for k in ("theta0", "psi0", "h_g", "h_d") if getattr(self, k) is not None})
        if self.record_steps is not None:
            coords["step"] = ("step", np.asarray(self.record_steps))
        attrs = {"method": self.method.id, "scheme": self.scheme, "steps": self.steps,
                 "parameters": json.dumps({k: float(v) for k, v in
                                           sorted(self.method.numeric_params.items())}),
                 "shape": list(shape), "stabgan_version": stabgan_version()}
        if self.ema is not None:
            attrs["ema"] = self.ema
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def to_dict(self) -> dict:
        """The JSON document of ``stabgan simulate --json`` (with ``ema``: also ``ema``,
        ``theta_ema``, ``psi_ema`` and ``distance_ema``)."""
        def plain(a):
            a = np.asarray(a)
            return a.item() if a.ndim == 0 else a.tolist()
        extra = {}
        if self.theta_ema is not None:
            extra = {"ema": self.ema, "theta_ema": plain(self.theta_ema),
                     "psi_ema": plain(self.psi_ema), "distance_ema": plain(self.distance_ema)}
        return {**extra, "method": self.method.id, "scheme": self.scheme, "steps": self.steps,
                "theta": plain(self.theta), "psi": plain(self.psi),
                "distance": plain(self.distance), "converged": plain(self.converged),
                "diverged": plain(self.diverged), "status": plain(self.status),
                "diverged_at": plain(self.diverged_at),
                "messages": {k: MESSAGES[k] for k in sorted(set(np.ravel(self.status)))}}


def simulate(m: Method, scheme: str = "simgd", h=None, steps: int = 1000, theta0=1.0, psi0=1.0,
             n_g: int = 1, n_d: int = 1, h_g=None, h_d=None, order: str = "generator-first",
             dtype=np.float64, record_every: int | None = None, tol: float = 1e-6,
             bound: float = 1e8, chunk_size: int = 16384,
             workers: int | None = None, progress=None, executor=None, momentum=None,
             h_e=None, base=None,
             lookahead_steps=None, lookahead_alpha=None,
             lazy_every=None, ema=None, beta1=None, beta2=None, eps=None) -> SimulationResult:
    r"""Run a discrete scheme on the Dirac-GAN, many trajectories at once.

    SimGD: :math:`x_{k+1} = x_k + H v(x_k)`; AltGD: :math:`n_g` generator steps then
    :math:`n_d` discriminator steps, each with the other player's newest value; the
    schemes with memory or a period follow the update rules of ``stabgan.schemes.rules``
    (extragradient :math:`x' = x + H v(x + h_e v(x))`, OGDA
    :math:`x' = x + H (2 v(x_k) - v(x_{k-1}))`, heavy ball
    :math:`x' = x + H v(x) + \beta (x_k - x_{k-1})`, lookahead, lazy regularization), the
    same rules whose linearization :func:`analyze` derives. The adaptive schemes (simulated
    only) move both players at once on :math:`g = v(x_k)`, elementwise:

    * ``adam``, Kingma and Ba (2015), Algorithm 1 with its bias correction:
      :math:`m_{k+1} = \beta_1 m_k + (1 - \beta_1) g`,
      :math:`s_{k+1} = \beta_2 s_k + (1 - \beta_2) g^2`,
      :math:`x_{k+1} = x_k + H \hat m / (\sqrt{\hat s} + \epsilon)` with
      :math:`\hat m = m_{k+1} / (1 - \beta_1^{k+1})`, :math:`\hat s = s_{k+1} / (1 -
      \beta_2^{k+1})`, :math:`m_0 = s_0 = 0` (eps added to the root of the corrected
      average, as in the paper; PyTorch's Adam adds it before the correction of the root);
    * ``rmsprop``, Tieleman and Hinton (2012) as PyTorch's ``RMSprop`` without momentum, not
      centered (``beta2`` is its ``alpha``): :math:`s_{k+1} = \beta_2 s_k + (1 - \beta_2)
      g^2`, :math:`x_{k+1} = x_k + H g / (\sqrt{s_{k+1}} + \epsilon)`, no bias correction.

    The field already points the way each player moves (the generator descends, the
    discriminator ascends), so the step is added. With ``ema`` an exponential moving average
    of both players' weights is kept beside any scheme, :math:`\bar x_{k+1} = \beta \bar
    x_k + (1 - \beta) x_{k+1}`, :math:`\bar x_0 = x_0`; it never feeds back.

    Parameters
    ----------
    m : Method
        From :func:`method`; omitted parameters take their catalogue defaults.
    scheme : {"simgd", "altgd", "extragradient", "ogda", "lookahead", "adam", "rmsprop"} or RuleSpec
        The update; a :class:`~stabgan.schemes.user.RuleSpec` from
        :func:`stabgan.update_rule` is an optimizer of your own (run through the same chunk
        loop, bound monitor and statuses; it takes ``h`` or ``h_g``, ``h_d`` and
        ``lazy_every``).
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
        once a second (the command line prints it on stderr for long runs; on an executor
        as chunks complete).
    executor : concurrent.futures.Executor, optional
        Run the chunks there instead: a ``ProcessPoolExecutor``, a Dask client's
        ``client.get_executor()``, ``mpi4py.futures.MPIPoolExecutor``. Each chunk of
        ``chunk_size`` trajectories is one task (the chunking does not depend on the
        executor), computed by the same code as here, so the result is the same bytes as a
        serial run. The method and the scheme are pickled (a user's update rule must be a
        module-level function). A chunk that raises or whose worker dies raises
        :class:`ExecutorError` naming the chunk; nothing is returned.
        Not together with ``workers``.
    momentum, h_e, base, lookahead_steps, lookahead_alpha, lazy_every
        The options of the schemes with memory or a period, as in :func:`analyze`
        (``steps`` counts single steps: a lookahead or lazy period of k steps takes k).
    ema : number in [0, 1), optional
        Keep the weight average with this beta (every scheme): ``theta_ema``, ``psi_ema``
        (and their history) in the result.
    beta1, beta2, eps : number, optional
        ``adam``: beta1, beta2 in [0, 1) and eps in (0, inf) (defaults 0.9, 0.999, 1e-8);
        ``rmsprop``: beta2 (PyTorch's alpha, default 0.99) and eps (default 1e-8). The step
        size is ``h`` (or ``h_g``, ``h_d``: Adam's alpha per player).

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
    from ..schemes.user import RuleSpec
    if not isinstance(scheme, RuleSpec) and scheme not in SIMULATE_SCHEMES:
        raise InputError(f"The 'scheme' option of simulate must be one of "
                         f"{', '.join(SIMULATE_SCHEMES)}. Got {scheme!r} instead.")
    require_concrete_f(m)
    steps = int_option(steps, "steps", 0)
    if progress is not None and not callable(progress):
        raise InputError(f"The 'progress' option must be a callable progress(done, total) or "
                         f"None. Got {progress!r} instead.")
    n_g = int_option(n_g, "n_g", 1, 50)
    n_d = int_option(n_d, "n_d", 1, 50)
    scheme_options = dict(n_g=n_g, n_d=n_d, order=order, momentum=momentum, h_e=h_e,
                          base=base, lookahead_steps=lookahead_steps,
                          lookahead_alpha=lookahead_alpha, lazy_every=lazy_every, ema=ema,
                          beta1=beta1, beta2=beta2, eps=eps)
    rule = make_scheme(scheme, **scheme_options)
    from ..schemes.rules import require_penalty
    require_penalty(m.spec, rule.lazy_every)
    if record_every is not None:
        record_every = int_option(record_every, "record_every", 1)
    chunk_size = int_option(chunk_size, "chunk_size", 1)
    check_executor(executor, workers, "simulate")
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
    tol = check_float_option(tol, "tol", 0.0, True)
    bound = check_float_option(bound, "bound", 0.0, False)
    steps_name = "h" if h is not None else "h_g"
    if h is None:
        th0, ps0, hg, hd = broadcast_named(theta0=th0, psi0=ps0, h_g=hg, h_d=hd)
    else:
        th0, ps0, hg = broadcast_named(theta0=th0, psi0=ps0, **{steps_name: hg})
        hd = hg
    shape = th0.shape
    rows = 2 if rule.ema is None else 4   # the iterate, and the average below it
    n_rec_est = steps // record_every + 1 if record_every else 0
    check_memory(th0.size * (dtype.itemsize * (2 * rows + rows * n_rec_est) + 40),
                 f"simulate with {th0.size:,} trajector{'y' if th0.size == 1 else 'ies'}"
                 + (f" recording {n_rec_est:,} states each (steps={steps:,}, "
                    f"record_every={record_every:,})" if record_every else ""),
                 "record less often (a larger record_every), or run fewer steps or trajectories")
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
    keys = ("theta", "psi", "theta_ema", "psi_ema")[:rows]
    for k in keys[2:]:
        result[k] = np.empty(total, dtype)
        result["hist_" + k] = np.empty((total, n_rec), dtype) if n_rec else None
    chunks = [slice(start, min(start + chunk_size, total)) for start in range(0, total, chunk_size)]
    if workers is None:
        workers = 1
    workers = max(1, min(int_option(workers, "workers", 1, 256), len(chunks) or 1))
    meter = Meter(progress, total * steps)
    uniform = None
    if total and np.all(flat[2] == flat[2][0]) and np.all(flat[3] == flat[3][0]):
        # one step size for the whole batch: a scalar, the same in every chunk
        uniform = (dtype.type(flat[2][0]), dtype.type(flat[3][0]))

    def work(my_chunks) -> None:
        start = make_start(m, rule, dtype, min(chunk_size, max(total, 1)))
        with np.errstate(all="ignore"):  # errstate is per thread (a context variable)
            for sl in my_chunks:
                x0, h = _chunk_input(flat, sl, dtype, rows, uniform)
                history = tuple(result["hist_" + k][sl] for k in keys) if n_rec else None
                x, prev, left_at = run_chunk(start, x0, h, steps, bound, history=history,
                                             record_every=record_every, meter=meter)
                _store(result, keys, sl, x, prev, left_at)

    if executor is not None:
        def collect(i, out) -> None:
            sl = chunks[i]
            x, prev, left_at, history = out
            _store(result, keys, sl, x, prev, left_at)
            if n_rec:
                for k, rec in zip(keys, history):
                    result["hist_" + k][sl] = rec
            meter.add((sl.stop - sl.start) * steps)

        # the scheme travels as what make_scheme was given (a user's rule holds closures)
        def task(i):
            return (m, (scheme, scheme_options), dtype.str, steps, bound, record_every, n_rec,
                    *_chunk_input(flat, chunks[i], dtype, rows, uniform))

        run_tasks(executor, _simulate_chunk, len(chunks), task, collect,
                  lambda i: f"trajectories {chunks[i].start} to {chunks[i].stop - 1}")
    elif workers == 1:
        work(chunks)
    else:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, [chunks[i::workers] for i in range(workers)]))
    inputs = {"theta0": th0, "psi0": ps0, "h_g": hg, "h_d": hd}
    return _finish(m, rule.name, steps, result, tol, dtype, shape, record_every, n_rec,
                   None if rule.ema is None else float(rule.ema), inputs)


def _chunk_input(flat, sl, dtype, rows, uniform):
    """The starting iterates (2 or 4 rows) and step sizes of the chunk ``sl``."""
    x0 = np.array([flat[0][sl].astype(dtype), flat[1][sl].astype(dtype)])
    if rows == 4:   # the average starts at the start
        x0 = np.concatenate([x0, x0])
    h = uniform if uniform is not None else (flat[2][sl].astype(dtype), flat[3][sl].astype(dtype))
    return x0, h


def _store(result, keys, sl, x, prev, left_at) -> None:
    for k, row in zip(keys, x):
        result[k][sl] = row
    result["prev_theta"][sl], result["prev_psi"][sl] = prev[0], prev[1]
    result["diverged_at"][sl] = left_at


def _simulate_chunk(task):
    """One chunk on an executor's worker: the same :func:`run_chunk` as a serial run, on
    the chunk's own history arrays (returned with the final and previous iterates)."""
    m, (scheme, options), dtype, steps, bound, record_every, n_rec, x0, h = task
    from ..schemes.scheme import make_scheme
    rule = make_scheme(scheme, **options)
    dtype = np.dtype(dtype)
    n = x0.shape[1]
    start = make_start(m, rule, dtype, max(n, 1))
    history = tuple(np.empty((n, n_rec), dtype) for _ in range(x0.shape[0])) if n_rec else None
    with np.errstate(all="ignore"):
        x, prev, left_at = run_chunk(start, x0, h, steps, bound, history=history,
                                     record_every=record_every)
    return x, prev, left_at, history


def _finish(m, scheme, steps, result, tol, dtype, shape, record_every, n_rec, ema=None,
            inputs=None):
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
    average = {}
    if ema is not None:
        average = {"ema": ema, "theta_ema": shaped(result["theta_ema"]),
                   "psi_ema": shaped(result["psi_ema"])}
        if n_rec:
            average.update(history_theta_ema=result["hist_theta_ema"].reshape(shape + (n_rec,)),
                           history_psi_ema=result["hist_psi_ema"].reshape(shape + (n_rec,)))
    return SimulationResult(method=m, scheme=scheme, steps=steps, theta=shaped(theta),
                            psi=shaped(psi), distance=shaped(distance),
                            converged=shaped(converged), diverged=shaped(diverged),
                            status=shaped(status), diverged_at=shaped(result["diverged_at"]),
                            history_theta=hist[0], history_psi=hist[1], record_steps=hist[2],
                            **average, **(inputs or {}))
