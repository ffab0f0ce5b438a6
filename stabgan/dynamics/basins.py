r"""Basins of attraction on a grid of starts: which attractor each trajectory reaches.

Discrete schemes (SimGD, AltGD, extragradient) run the grid through the simulator's chunk
loop in fixed chunks of starts (:data:`BASINS_CHUNK`, inline or on an executor): ``steps``
updates, then a tail of ``tail`` more, classified as it runs (max-norm
:math:`|x|_\infty = \max(|\theta|, |\psi|)` throughout):

* **diverged** (label -1): the trajectory left the simulator's bound (or became non-finite);
* **point**: every state of the tail lies within ``tol`` of the tail's last state;
* **recurrent**: not a point, and the tail's envelope (min and max of theta and psi) over
  its first half agrees with that over its second half to ``tol``: the trajectory has
  settled on a closed invariant set (a cycle of the map, or the closed curve a discretized
  limit cycle becomes);
* otherwise **undecided** (label -2): still moving at the horizon (a slow spiral, a growing
  orbit), never guessed.

Points are grouped greedily (members within ``2 tol`` of the first one), and each group's
position is the median of its members; a member is labelled with the group only if its end
state lies within ``2 tol`` of that position (so its whole tail lies within ``3 tol``);
within ``2 tol`` of (0, 0) the point is the Nash ``equilibrium``. Recurrent sets are grouped
the same way by their envelope, then checked for attraction: two starts on the set pushed
outwards and inwards by 5%: at least one of them must come back, in ``steps`` more updates,
to an envelope at most half as far from the set's as the push (or within ``2 tol``; one
side suffices, since a push can cross into another basin: DRAGAN's cycle at gamma = 0.7
passes within 3% of a non-Nash point); a set that does not attract its neighbours (a
centre: the unregularized GAN's AltGD orbits) is labelled -3, *no attractor*. A trajectory whose group is not found
among the first ``max_attractors`` groups is undecided.

For the flow (``scheme="ode"``) each start is followed by :func:`stabgan.attractor` (the
Poincare section and neighbour test of the ODE oracle; its ``"none"``, a centre, is -3,
its ``"undecided"`` -2); the answers are grouped by position or by cycle crossing
(relative ``tol``).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field as dc_field

import numpy as np

from .._errors import InputError
from .._executor import check_executor, run_tasks
from .._options import check_float_option, check_memory, float_array, int_option
from ..model.method import Method, require_concrete_f
from ..oracles.ode import Attractor, attractor as follow, integrate
from ..oracles.loop import run_chunk
from ..oracles.simulate import simulate

__all__ = ["basins", "BasinsResult", "DIVERGED", "UNDECIDED", "NO_ATTRACTOR", "LABELS",
           "BASIN_SCHEMES"]

#: Labels that are not an index into ``attractors``.
DIVERGED, UNDECIDED, NO_ATTRACTOR = -1, -2, -3
#: What each negative label means (the API, the JSON and the CLI say the same thing).
LABELS = {
    DIVERGED: "diverged: left the bound (or became non-finite)",
    UNDECIDED: "undecided: neither settled within tol on a point nor on a closed invariant set "
               "by the horizon",
    NO_ATTRACTOR: "no attractor: a closed orbit whose neighbours stay on their own orbits (a "
                  "centre), nothing attracts",
}
#: The schemes basins runs: the memoryless discrete updates (the tail restarts the
#: simulator, which is exact only without memory) and the flow.
BASIN_SCHEMES = ("simgd", "altgd", "extragradient", "ode")
_MEMORY_KEYS = ("momentum", "lookahead_steps", "lookahead_alpha", "lazy_every", "ema", "beta1",
                "beta2", "eps", "base")
_PERTURB = 0.05


@dataclass(frozen=True)
class BasinsResult:
    """The result of :func:`basins`.

    Attributes
    ----------
    method : Method
        The method.
    scheme : str
        ``"simgd"``, ``"altgd"``, ``"extragradient"`` or ``"ode"``.
    theta, psi : ndarray
        The grid axes (starts are ``(theta[i], psi[j])``).
    labels : ndarray of int, shape (len(theta), len(psi))
        Index into ``attractors``; -1 diverged, -2 undecided, -3 no attractor (a centre);
        see :data:`LABELS`.
    attractors : list of Attractor
        Each attractor found, once: ``"equilibrium"``, ``"point"`` (``theta``, ``psi``) or
        ``"limit_cycle"`` (``theta_crossing``, the mean of the upward crossings of psi = 0,
        and ``period`` in time units: steps times h for a discrete scheme).
    counts : list of int
        Starts labelled with each attractor.
    final_theta, final_psi : ndarray
        The state at the end (discrete schemes; for the flow the attractor's position, or
        the crossing for a cycle, NaN where none was found).
    distance : ndarray
        The end state's Euclidean distance to the Nash equilibrium (0, 0).
    attractor_distance : ndarray
        Max-norm distance of the end state to the labelled attractor's position (points),
        or of the end envelope to the attractor's envelope (cycles); NaN where unlabelled.
    steps, tail : int
        Updates run before the tail, and the classified tail (discrete schemes).
    tol : float
        The tolerance of the classification.
    options : dict
        The scheme options (h, ...).
    orbits : dict
        For each limit-cycle index, a representative orbit (theta, psi) for plotting.
    notes : list of str
        What was refused along the way (the flow: a start the ODE oracle would not follow,
        labelled undecided, with its reason).
    """

    method: Method
    scheme: str
    theta: np.ndarray
    psi: np.ndarray
    labels: np.ndarray
    attractors: list
    counts: list
    final_theta: np.ndarray
    final_psi: np.ndarray
    distance: np.ndarray
    attractor_distance: np.ndarray
    steps: int
    tail: int
    tol: float
    options: dict = dc_field(default_factory=dict)
    orbits: dict = dc_field(default_factory=dict)
    notes: list = dc_field(default_factory=list)

    def fraction(self, label: int) -> float:
        """The fraction of starts with ``label`` (an attractor index or a negative label)."""
        return float(np.mean(self.labels == label))

    def to_dict(self) -> dict:
        """A JSON-able document: keys ``method``, ``params``, ``scheme``, ``options``,
        ``steps``, ``tail``, ``tol``, ``theta``, ``psi``, ``labels``, ``label_meaning``,
        ``attractors`` (each with ``index`` and ``count``), ``distance`` and
        ``attractor_distance`` (null where not finite)."""
        def plain(a):
            a = np.asarray(a, dtype=float)
            return [[v if math.isfinite(v) else None for v in row] for row in a.tolist()]
        return {
            "method": self.method.id,
            "params": {k: str(v) for k, v in sorted(self.method.values.items())},
            "scheme": self.scheme, "options": {k: _jsonable(v) for k, v in
                                               sorted(self.options.items())},
            "steps": self.steps, "tail": self.tail, "tol": self.tol,
            "theta": self.theta.tolist(), "psi": self.psi.tolist(),
            "labels": self.labels.tolist(),
            "label_meaning": {str(k): v for k, v in sorted(LABELS.items())},
            "attractors": [{"index": i, "count": int(c), **a.to_dict()}
                           for i, (a, c) in enumerate(zip(self.attractors, self.counts))],
            "distance": plain(self.distance),
            "attractor_distance": plain(self.attractor_distance),
            "notes": list(self.notes),
        }

    def to_xarray(self):
        """The result as an ``xarray.Dataset`` (needs the optional extra: ``pip install
        'stabgan[xarray]'``).

        Returns
        -------
        xarray.Dataset
            Dimensions ``theta0`` and ``psi0`` (coordinates: the grid axes). Variables:
            ``labels`` (int; -1, -2, -3 as in :data:`LABELS`), ``final_theta``,
            ``final_psi``, ``distance``, ``attractor_distance``. Attributes: ``method``,
            ``scheme``, ``parameters`` (JSON), ``options`` (JSON), ``steps``, ``tail``,
            ``tol``, ``attractors`` (JSON: the list of ``to_dict()["attractors"]``, each with
            its ``index`` and ``count``), ``label_meaning`` (JSON), ``notes`` (JSON),
            ``stabgan_version``. ``ds.labels.sel(theta0=..., psi0=..., method="nearest")``
            reads one start.
        """
        from .._executor import import_optional, stabgan_version
        xr = import_optional("xarray", "xarray", "BasinsResult.to_xarray()")
        import json
        dims = ("theta0", "psi0")
        data = {"labels": (dims, np.asarray(self.labels))}
        for k in ("final_theta", "final_psi", "distance", "attractor_distance"):
            data[k] = (dims, np.asarray(getattr(self, k), dtype=float))
        doc = self.to_dict()
        attrs = {"method": self.method.id, "scheme": self.scheme,
                 "parameters": json.dumps({k: float(v) for k, v in
                                           sorted(self.method.numeric_params.items())}),
                 "options": json.dumps(doc["options"]), "steps": self.steps,
                 "tail": self.tail, "tol": self.tol,
                 "attractors": json.dumps(doc["attractors"]),
                 "label_meaning": json.dumps(doc["label_meaning"]),
                 "notes": json.dumps(doc["notes"]), "stabgan_version": stabgan_version()}
        return xr.Dataset(data, coords={"theta0": ("theta0", np.asarray(self.theta)),
                                        "psi0": ("psi0", np.asarray(self.psi))}, attrs=attrs)

    def plot(self, ax=None, field: bool = True):
        """Draw the basin map over the vector field; returns the matplotlib Figure.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure, Agg backend).
        field : bool
            Draw the streamlines of the vector field on top.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ._plotting import basin_map
        return basin_map(self, ax=ax, field=field)


def _jsonable(v):
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    return str(v)


def _axis(values, name: str) -> np.ndarray:
    a = float_array(values, name, False)
    if a.ndim != 1 or a.size < 1:
        raise InputError(f"The '{name}' option of basins must be a 1-D array of starting "
                         f"values. Got shape {a.shape} instead.")
    return a


def basins(m: Method, scheme: str = "simgd", theta=None, psi=None, steps: int = 2000, *,
           tail: int = 2048, tol: float = 1e-3, bound: float = 1e8, t_max: float | None = None,
           max_attractors: int = 32, block: int | None = None, progress=None, executor=None,
           **scheme_options) -> BasinsResult:
    r"""Basins of attraction: for every start on the grid ``theta x psi``, which attractor
    the training dynamics reaches.

    Discrete schemes iterate :math:`x_{k+1} = F(x_k)` (SimGD :math:`F(x) = x + h v(x)`,
    AltGD, extragradient) ``steps`` times, then run ``tail`` more states and classify the
    tail (module docstring): a point within ``tol``, a closed invariant set whose envelope is
    stationary to ``tol`` and attracts its 5% neighbours, divergence, or undecided. The flow
    :math:`\dot x = v(x)` (``scheme="ode"``) is followed start by start with
    :func:`stabgan.attractor`.

    Parameters
    ----------
    m : Method
        From :func:`stabgan.method`.
    scheme : {"simgd", "altgd", "extragradient", "ode"}
        The update, or the flow.
    theta, psi : array_like
        The grid axes (1-D); the labels have shape ``(len(theta), len(psi))``.
    steps : int
        Discrete schemes: updates before the classified tail.
    tail : int
        Discrete schemes: updates classified (>= 16). Each half of the tail must
        cover at least one revolution of a cycle (about :math:`2\pi/(h\,\omega)` steps for
        angular speed :math:`\omega`), or the cycle's starts come out undecided.
    tol : float
        Classification tolerance in the max-norm (relative to the crossing for ODE cycles).
    bound : float
        Divergence bound of the simulator.
    t_max : float, optional
        The flow: the horizon of :func:`stabgan.attractor` (default from the spectrum).
    max_attractors : int
        At most this many distinct attractors are reported.
    block : int, optional
        Starts per chunk (default :data:`BASINS_CHUNK`, 16,384): each chunk runs its steps
        and its tail (classified online: about ``block * 100`` bytes of work arrays) as
        one task. Every operation is elementwise, so results do not depend on it.
    progress : callable, optional
        ``progress(done, total)``: trajectory-steps done (discrete schemes) or starts
        followed (the flow), at most about once a second (as chunks complete).
    executor : concurrent.futures.Executor, optional
        Runs the chunks (a ``ProcessPoolExecutor``, a Dask client's ``get_executor()``):
        discrete schemes send ``block`` starts per task (steps, tail and its classification,
        then the 5% attraction probes the same way); the flow sends :data:`ODE_CHUNK` starts
        per task, each followed by :func:`stabgan.attractor`. The chunks do not depend on
        the executor, and the grouping into attractors runs here in grid order, so the
        result is the same bytes as a serial run.
    **scheme_options
        ``h`` (or ``h_g``, ``h_d``), ``n_g``, ``n_d``, ``order``, ``h_e``: as in
        :func:`stabgan.simulate`.

    Returns
    -------
    BasinsResult
        ``labels``, ``attractors``, final states and distances, ``plot()``, ``to_dict()``.

    Notes
    -----
    A start exactly at (0, 0) stays there under every update (v(0, 0) = 0, and sign(0) = 0
    for the fields that jump at psi = 0), so a grid through the origin reports the Nash
    equilibrium with one start; an even number of grid points avoids it.

    A trajectory is labelled with an attractor only when its tail is within a stated
    tolerance of it: a point when its tail lies within :math:`3\,tol` of the point; a
    cycle when its tail's envelope is within :math:`2\,tol` of the cycle's. Labels -1,
    -2, -3 are :data:`LABELS`.

    Examples
    --------
    >>> import numpy as np, stabgan
    >>> b = stabgan.basins(stabgan.method("r1", gamma=0.3), "simgd", h=0.2, steps=400,
    ...                    theta=np.linspace(-1, 1, 5), psi=np.linspace(-1, 1, 5))
    >>> [a.kind for a in b.attractors], bool((b.labels == 0).all())
    (['equilibrium'], True)
    """
    if not isinstance(m, Method):
        raise InputError(f"basins takes a method from stabgan.method(...). Got {m!r} instead.")
    if scheme not in BASIN_SCHEMES:
        raise InputError(f"The 'scheme' option of basins must be one of "
                         f"{', '.join(BASIN_SCHEMES)} (the tail restarts the simulator, exact "
                         f"only for schemes without memory). Got {scheme!r} instead.")
    require_concrete_f(m)
    if theta is None or psi is None:
        raise InputError("basins needs the grid: give 'theta' and 'psi' (1-D arrays).")
    theta, psi = _axis(theta, "theta"), _axis(psi, "psi")
    tol = check_float_option(tol, "tol", 0.0, False)
    max_attractors = int_option(max_attractors, "max_attractors", 1, 1000)
    if progress is not None and not callable(progress):
        raise InputError(f"The 'progress' option must be a callable progress(done, total) or "
                         f"None. Got {progress!r} instead.")
    extra = sorted(k for k in scheme_options if k in _MEMORY_KEYS)
    if extra:
        raise InputError(f"The option '{extra[0]}' belongs to a scheme with memory; basins runs "
                         f"{', '.join(BASIN_SCHEMES)}.")
    n = theta.size * psi.size
    check_executor(executor, None, "basins")
    if scheme == "ode":
        if scheme_options:
            raise InputError(f"The option '{sorted(scheme_options)[0]}' belongs to the discrete "
                             f"schemes; scheme='ode' follows the flow.")
        if t_max is not None:
            t_max = check_float_option(t_max, "t_max", 0.0, False)
        return _basins_ode(m, theta, psi, tol, t_max, max_attractors, progress, executor)
    steps = int_option(steps, "steps", 0)
    tail = int_option(tail, "tail", 16)
    unknown = sorted(k for k in scheme_options if k not in ("h", "h_g", "h_d", "dtype")
                     + _SCHEME_KEYS)
    if unknown:
        raise InputError(f"basins takes the scheme options h (or h_g and h_d), "
                         f"{', '.join(_SCHEME_KEYS)} and dtype. Got {unknown[0]!r} instead.")
    # the simulator validates the options (step sizes, n_g, ...) on one start, no step
    simulate(m, scheme, steps=0, theta0=0.0, psi0=0.0, **scheme_options)
    for k in ("h", "h_g", "h_d"):
        if k in scheme_options and np.ndim(scheme_options[k]) != 0:
            raise InputError(f"basins takes one step size '{k}' for the whole grid (a number). "
                             f"Got an array of shape {np.shape(scheme_options[k])} instead.")
    block = BASINS_CHUNK if block is None else int_option(block, "block", 1)
    block = min(block, max(n, 1))
    check_memory(n * 8 * 16 + block * (_SEGMENT + 1) * 16 * 3,
                 f"basins on a {theta.size:,} x {psi.size:,} grid with a tail of {tail:,}",
                 "use a smaller grid, a shorter tail or a smaller block")
    return _basins_discrete(m, scheme, theta, psi, steps, tail, tol, bound, max_attractors,
                            progress, dict(scheme_options), executor, block)


# -- discrete schemes ---------------------------------------------------------------------------

#: Starts per task: the fixed chunk of the grid that one call of :func:`_basins_chunk` runs
#: (its steps, then its tail, classified online), whatever the executor or its workers, so
#: every way of running gives the same bytes. 16,384 starts keep a step's arrays in cache.
BASINS_CHUNK = 16384

#: Tail steps per call of the chunk loop (the tail restarts it every piece; a trajectory that
#: left the bound stays frozen to the end of its piece). Part of what the results are.
_SEGMENT = 64

#: The options of the discrete schemes that basins passes on (besides the step sizes).
_SCHEME_KEYS = ("n_g", "n_d", "order", "h_e")


def _chunk_setup(m, scheme, options, n):
    """The stepper factory and step sizes of a chunk of ``n`` starts (what simulate builds)."""
    from ..oracles.steppers import make_start
    from ..schemes.scheme import make_scheme
    dtype = np.dtype(options.get("dtype", np.float64))
    rule = make_scheme(scheme, **{k: v for k, v in options.items() if k in _SCHEME_KEYS})
    hg = options["h"] if "h" in options else options["h_g"]
    hd = options["h"] if "h" in options else options["h_d"]
    h = (dtype.type(float(hg)), dtype.type(float(hd)))
    return make_start(m, rule, dtype, max(n, 1)), h, dtype


def _basins_chunk(task):
    """One chunk of starts on an executor's worker (or here): ``steps`` updates, then the
    tail (:func:`_tail`); returns whether each start left the bound in the steps, then what
    :func:`_tail` returns."""
    m, scheme, options, th0, ps0, steps, tail, bound, h_time = task
    start, h, dtype = _chunk_setup(m, scheme, options, th0.size)
    x0 = np.array([th0.astype(dtype), ps0.astype(dtype)])
    with np.errstate(all="ignore"):
        x, _, left_at = run_chunk(start, x0, h, steps, bound)
    return (left_at >= 0, *_tail(start, h, dtype, x[0], x[1], tail, bound, h_time))


def _record(start, h, dtype, th0, ps0, steps, bound):
    """``steps`` recorded updates: (X, Y, diverged) with X, Y of shape (steps + 1, n), one
    row per state (the chunk loop writes a row per step)."""
    n = th0.size
    X, Y = np.empty((steps + 1, n), dtype), np.empty((steps + 1, n), dtype)
    x0 = np.array([np.asarray(th0, dtype), np.asarray(ps0, dtype)])
    with np.errstate(all="ignore"):
        _, _, left_at = run_chunk(start, x0, h, steps, bound, history=(X.T, Y.T),
                                  record_every=1)
    return X, Y, left_at >= 0


def _tail(start, h, dtype, th0, ps0, tail, bound, h_time):
    """Run ``tail`` updates from (th0, ps0) and classify each trajectory online.

    The states s_0 ... s_T (T = tail) are split into halves A = s_0 ... s_{H-1} and
    B = s_H ... s_T, H = (T + 1) // 2. Returns whether each trajectory left the bound, the
    envelopes (min theta, max theta, min psi, max psi) of A and B, the mean theta of the
    upward crossings of psi = 0 (linear interpolation between steps), their mean spacing
    times ``h_time``, and the end state; :func:`_kinds` classifies from these.

    Nothing is recorded: the chunk loop hands every new state to :func:`_Observer`, which
    keeps running minima and maxima and the crossings while the state is in cache. The tail
    runs in pieces of :data:`_SEGMENT` steps (cut at H too), each restarting the loop from
    the last piece's end (exact for these schemes without memory); a trajectory that left
    the bound is frozen to the end of its piece and restarted from there, and the crossings
    of a piece are summed before they are added to the total, as the results have always
    been computed (the same bits as recording the tail and reducing it)."""
    n, T = th0.size, tail
    H = (T + 1) // 2
    obs = _Observer(n, H, h_time)
    diverged = np.zeros(n, dtype=bool)
    cuts = sorted(set(range(0, T, _SEGMENT)) | {H, T})
    x = np.array([np.asarray(th0, dtype), np.asarray(ps0, dtype)])
    obs.begin(0, x)
    np.minimum(obs.lo[0], x, out=obs.lo[0])   # s_0 is in A
    np.maximum(obs.hi[0], x, out=obs.hi[0])
    with np.errstate(all="ignore"):
        for a, b in zip(cuts[:-1], cuts[1:]):
            if a:
                obs.begin(a, x)
            x, _, left_at = run_chunk(start, x, h, b - a, bound,
                                      observe=obs.observer())
            diverged |= left_at >= 0
            obs.end()
    return (diverged, *obs.result(), np.ascontiguousarray(x.T))


class _Observer:
    """The running envelopes of the tail's halves and its upward crossings of psi = 0,
    updated after every step of the chunk loop (``observe`` of :func:`run_chunk`)."""

    def __init__(self, n, H, h_time):
        self.n, self.H, self.h_time = n, H, h_time
        # lo[half] = (min theta, min psi), hi[half] = (max theta, max psi)
        self.lo = np.full((2, 2, n), np.inf)
        self.hi = np.full((2, 2, n), -np.inf)
        self.count = np.zeros(n)
        self.total = np.zeros(n)
        self.first = np.full(n, np.inf)
        self.last = np.full(n, -np.inf)
        self.prev = np.empty((2, n))
        self.neg = np.empty(n, dtype=bool)
        self.neg_now = np.empty(n, dtype=bool)
        self.cross = np.empty(n, dtype=bool)

    def begin(self, a, x):
        """A piece starts at state s_a = ``x`` (2, n)."""
        self.a = a
        np.copyto(self.prev, x)
        np.less(x[1], 0, out=self.neg)
        self.events = []

    def observer(self):
        """The ``observe(i, x, live)`` of the current piece (a closure over the work arrays:
        it runs after every step, so it looks nothing up)."""
        a, H, events, prev = self.a, self.H, self.events, self.prev
        lo_a, hi_a, lo_b, hi_b = self.lo[0], self.hi[0], self.lo[1], self.hi[1]
        flags = [self.neg, self.neg_now]
        cross = self.cross
        minimum, maximum, less, greater, copyto = (np.minimum, np.maximum, np.less,
                                                   np.greater, np.copyto)
        ndarray, flatnonzero = np.ndarray, np.flatnonzero

        def observe(i, x, live):
            if live is not None:   # some trajectories were frozen: work on all n columns
                full = np.array(prev)
                full[0, live], full[1, live] = x[0], x[1]
                x = full
            elif not isinstance(x, ndarray):   # a stepper that keeps a pair of arrays
                x = np.array(x)
            if a + i + 1 < H:
                minimum(lo_a, x, out=lo_a)
                maximum(hi_a, x, out=hi_a)
            else:
                minimum(lo_b, x, out=lo_b)
                maximum(hi_b, x, out=hi_b)
            neg, neg_now = flags
            less(x[1], 0, out=neg_now)
            greater(neg, neg_now, out=cross)     # psi < 0 before, not (< 0) now
            if cross.any():
                cols = flatnonzero(cross)
                events.append((i, cols, prev[0, cols], prev[1, cols], x[0, cols],
                               x[1, cols]))
            flags[0], flags[1] = neg_now, neg
            copyto(prev, x)

        return observe

    def end(self):
        """The piece ended: its crossings, in order of steps, are summed per trajectory
        (np.bincount adds in the order given) and added to the total."""
        if not self.events:
            return
        steps = np.concatenate([np.full(e[1].size, float(e[0] + self.a))
                                for e in self.events])   # float: ufunc.at's fast path
        cols, x0, y0, x1, y1 = (np.concatenate([e[k] for e in self.events])
                                for k in range(1, 6))
        up = y1 >= 0                                  # (not NaN)
        steps, cols, x0, y0, x1, y1 = (v[up] for v in (steps, cols, x0, y0, x1, y1))
        if not cols.size:
            return
        n = self.n
        self.total += np.bincount(cols, x0 + (-y0 / (y1 - y0)) * (x1 - x0), minlength=n)
        self.count += np.bincount(cols, minlength=n)
        np.minimum.at(self.first, cols, steps)
        np.maximum.at(self.last, cols, steps)

    def result(self):
        env = [np.stack([self.lo[k][0], self.hi[k][0], self.lo[k][1], self.hi[k][1]], axis=1)
               for k in (0, 1)]
        with np.errstate(all="ignore"):
            count = self.count
            theta_c = np.where(count > 0, self.total / np.maximum(count, 1), np.nan)
            period = np.where(count > 1, (self.last - self.first) / np.maximum(count - 1, 1)
                              * self.h_time, np.nan)
        return env[0], env[1], theta_c, period


def _kinds(diverged, env_a, env_b, end, tol):
    """The kind codes of :func:`_tail` from its envelopes and end states."""
    with np.errstate(all="ignore"):
        lo = np.minimum(env_a, env_b)[:, [0, 2]]
        hi = np.maximum(env_a, env_b)[:, [1, 3]]
        dev = np.maximum(hi - end, end - lo).max(axis=1)
        stationary = np.abs(env_a - env_b).max(axis=1) <= tol
    return np.where(diverged, 3, np.where(dev <= tol, 0, np.where(stationary, 1, 2)))


def _greedy(desc, radius, limit):
    """Group rows of ``desc`` (max-norm within ``radius`` of the first ungrouped row), at
    most ``limit`` groups; returns group ids (-1 ungrouped) and the groups' medians."""
    gid = np.full(len(desc), -1)
    centres = []
    remaining = np.arange(len(desc))
    while remaining.size and len(centres) < limit:
        near = np.abs(desc[remaining] - desc[remaining[0]]).max(axis=1) <= radius
        members = remaining[near]
        centre = np.median(desc[members], axis=0)
        ok = np.abs(desc[members] - centre).max(axis=1) <= radius
        gid[members[ok]] = len(centres)
        centres.append(centre)
        remaining = remaining[~near]
    return gid, centres


def _run_starts(m, scheme, kw, th0, ps0, steps, tail, bound, h_time, executor, block,
                on_chunk=None):
    """Every start's steps and classified tail, in chunks of ``block`` starts (inline or on
    ``executor``): (diverged, env_a, env_b, theta_c, period, end) for all starts."""
    n = th0.size
    diverged = np.empty(n, dtype=bool)
    env_a, env_b, end = np.empty((n, 4)), np.empty((n, 4)), np.empty((n, 2))
    theta_c, period = np.empty(n), np.empty(n)
    chunks = [slice(i, min(i + block, n)) for i in range(0, n, block)]

    def task(i):
        sl = chunks[i]
        return (m, scheme, kw, th0[sl], ps0[sl], steps, tail, bound, h_time)

    def collect(i, out):
        sl = chunks[i]
        dv_steps, dv_tail, ea, eb, c, p, e = out
        diverged[sl] = dv_steps | dv_tail
        env_a[sl], env_b[sl], theta_c[sl], period[sl], end[sl] = ea, eb, c, p, e
        if on_chunk is not None:
            on_chunk(sl.stop - sl.start)

    run_tasks(executor, _basins_chunk, len(chunks), task, collect,
              lambda i: f"starts {chunks[i].start} to {chunks[i].stop - 1} (C order)")
    return diverged, env_a, env_b, theta_c, period, end


def _basins_discrete(m, scheme, theta, psi, steps, tail, tol, bound, limit, progress, kw,
                     executor, block):
    TH, PS = np.meshgrid(theta, psi, indexing="ij")
    th0, ps0 = TH.ravel(), PS.ravel()
    n = th0.size
    h = kw.get("h", kw.get("h_g"))
    h_time = float(h) if h is not None and np.ndim(h) == 0 else 1.0
    total_work = n * (steps + tail)
    done, last_report = [0], [time.monotonic()]

    def on_chunk(count):
        done[0] += count
        if progress is not None and time.monotonic() - last_report[0] >= 1.0:
            last_report[0] = time.monotonic()
            progress(done[0] * (steps + tail), total_work)

    diverged, env_a, env, theta_c, period, end = _run_starts(
        m, scheme, kw, th0, ps0, steps, tail, bound, h_time, executor, block, on_chunk)
    kind = _kinds(diverged, env_a, env, end, tol)
    labels = np.full(n, UNDECIDED, dtype=np.int64)
    labels[kind == 3] = DIVERGED
    att_dist = np.full(n, np.nan)
    attractors: list[Attractor] = []
    orbits = {}
    # points
    pts = np.flatnonzero(kind == 0)
    gid, centres = _greedy(end[pts], 2 * tol, limit)
    for g, centre in enumerate(centres):
        members = pts[gid == g]
        if not members.size:
            continue
        index = len(attractors)
        labels[members] = index
        att_dist[members] = np.abs(end[members] - centre).max(axis=1)
        if np.abs(centre).max() <= 2 * tol:
            attractors.append(Attractor("equilibrium", theta=float(centre[0]),
                                        psi=float(centre[1]),
                                        detail=f"{scheme}: tails within {tol:g} of the Nash "
                                               f"equilibrium (0, 0)"))
        else:
            attractors.append(Attractor("point", theta=float(centre[0]), psi=float(centre[1]),
                                        detail=f"{scheme}: a fixed point of the update off the "
                                               f"Nash equilibrium; tails within {tol:g} of it"))
    # recurrent sets
    rec = np.flatnonzero(kind == 1)
    gid, centres = _greedy(env[rec], 2 * tol, max(limit - len(attractors), 0))
    reps = []
    for g, centre in enumerate(centres):
        members = rec[gid == g]
        reps.append((g, members, centre))
    # attraction test: each group's first member pushed out and in by 5%, and every
    # ungrouped recurrent trajectory too (they are labelled -3 or -2)
    loose = rec[gid < 0]
    probe = np.array([members[0] for _, members, _ in reps if members.size] + list(loose),
                     dtype=int)
    attracted = np.zeros(probe.size, dtype=bool)
    if probe.size:
        starts = np.concatenate([end[probe] * (1 + _PERTURB), end[probe] * (1 - _PERTURB)])
        diverged, _, e, _, _, _ = _run_starts(m, scheme, kw, starts[:, 0], starts[:, 1],
                                              steps, tail, bound, h_time, executor, block)
        ref = np.concatenate([env[probe], env[probe]])
        pushed = _PERTURB * np.abs(ref).max(axis=1)
        with np.errstate(invalid="ignore"):
            back = (~diverged) & (np.abs(e - ref).max(axis=1) <= np.maximum(pushed / 2,
                                                                            2 * tol))
        attracted = back[:probe.size] | back[probe.size:]
    j = 0
    for g, members, centre in reps:
        if not members.size:
            continue
        ok = attracted[j]
        j += 1
        if not ok:
            labels[members] = NO_ATTRACTOR
            continue
        index = len(attractors)
        labels[members] = index
        att_dist[members] = np.abs(env[members] - centre).max(axis=1)
        tc = float(np.nanmedian(theta_c[members])) if np.isfinite(theta_c[members]).any() else None
        per = float(np.nanmedian(period[members])) if np.isfinite(period[members]).any() else None
        unit = "time (steps x h)" if h_time != 1.0 else "steps"
        attractors.append(Attractor(
            "limit_cycle", theta_crossing=tc, period=per,
            detail=f"{scheme}: a closed invariant set of the update, envelope theta in "
                   f"[{centre[0]:.6g}, {centre[1]:.6g}], psi in [{centre[2]:.6g}, "
                   f"{centre[3]:.6g}] stationary to {tol:g}; a neighbour 5% out or in "
                   f"comes back towards it; period in {unit}"))
        start, hh, dtype = _chunk_setup(m, scheme, kw, 1)
        Xo, Yo, _ = _record(start, hh, dtype, end[members[:1], 0], end[members[:1], 1], tail,
                            bound)
        orbits[index] = (np.ascontiguousarray(Xo[:, 0]), np.ascontiguousarray(Yo[:, 0]))
    labels[loose[~attracted[j:j + loose.size]]] = NO_ATTRACTOR
    counts = [int(np.sum(labels == i)) for i in range(len(attractors))]
    shape = (theta.size, psi.size)
    with np.errstate(all="ignore"):
        distance = np.hypot(end[:, 0], end[:, 1])
    if progress is not None:
        progress(total_work, total_work)
    return BasinsResult(method=m, scheme=scheme, theta=theta, psi=psi,
                        labels=labels.reshape(shape), attractors=attractors, counts=counts,
                        final_theta=end[:, 0].reshape(shape), final_psi=end[:, 1].reshape(shape),
                        distance=distance.reshape(shape),
                        attractor_distance=att_dist.reshape(shape), steps=steps, tail=tail,
                        tol=tol, options=dict(kw), orbits=orbits)


# -- the flow -----------------------------------------------------------------------------------

#: Starts per task of the flow (each is a whole ODE run, so a few make a task worth sending).
ODE_CHUNK = 8


def _ode_chunk(task):
    """The flow from each start of a chunk: an Attractor, or the InputError's message."""
    m, starts, t_max = task
    out = []
    for th, ps in starts:
        try:
            out.append(follow(m, theta0=float(th), psi0=float(ps), t_max=t_max))
        except InputError as exc:   # e.g. a start on a switching surface, where the
            out.append(str(exc))    # explicit solver's cost estimate explodes
    return out


def _basins_ode(m, theta, psi, tol, t_max, limit, progress, executor=None):
    shape = (theta.size, psi.size)
    labels = np.full(shape, UNDECIDED, dtype=np.int64)
    fin = np.full(shape + (2,), np.nan)
    att_dist = np.full(shape, np.nan)
    attractors: list[Attractor] = []
    keys: list[tuple] = []
    notes: list[str] = []
    last_report = [time.monotonic()]
    starts = [(i, j) for i in range(theta.size) for j in range(psi.size)]
    chunks = [starts[k:k + ODE_CHUNK] for k in range(0, len(starts), ODE_CHUNK)]
    answers: list = [None] * len(starts)
    done = [0]

    def collect(c, out):
        answers[c * ODE_CHUNK:c * ODE_CHUNK + len(out)] = out
        done[0] += len(out)
        if progress is not None and time.monotonic() - last_report[0] >= 1.0:
            last_report[0] = time.monotonic()
            progress(done[0], labels.size)

    run_tasks(executor, _ode_chunk, len(chunks),
              lambda c: (m, [(theta[i], psi[j]) for i, j in chunks[c]], t_max), collect,
              lambda c: f"starts {c * ODE_CHUNK} to {c * ODE_CHUNK + len(chunks[c]) - 1} "
                        f"(C order)")
    for (i, j), a in zip(starts, answers):
        th, ps = theta[i], psi[j]
        if isinstance(a, str):
            notes.append(f"start ({th:g}, {ps:g}) undecided: {a}")
            continue
        if a.kind == "none":
            labels[i, j] = NO_ATTRACTOR
            continue
        if a.kind == "undecided":
            fin[i, j] = (a.theta, a.psi)
            continue
        if a.kind == "limit_cycle":
            key = ("limit_cycle", a.theta_crossing, a.period)
            fin[i, j] = (a.theta_crossing, 0.0)
        else:
            key = (a.kind, a.theta, a.psi)
            fin[i, j] = (a.theta, a.psi)
        for index, known in enumerate(keys):
            if known[0] != key[0]:
                continue
            scale = max(1.0, abs(known[1]), abs(known[2] or 0.0))
            gap = max(abs(known[1] - key[1]), abs((known[2] or 0.0) - (key[2] or 0.0)))
            if gap <= tol * scale:
                labels[i, j] = index
                att_dist[i, j] = gap
                break
        else:
            if len(attractors) < limit:
                labels[i, j] = len(attractors)
                att_dist[i, j] = 0.0
                keys.append(key)
                attractors.append(a)
    orbits = {}
    for index, a in enumerate(attractors):
        if a.kind == "limit_cycle":
            o = integrate(m, t_span=(0.0, a.period), theta0=a.theta_crossing, psi0=0.0,
                          t_eval=np.linspace(0.0, a.period, 400))
            orbits[index] = (np.ravel(o.theta), np.ravel(o.psi))
    counts = [int(np.sum(labels == i)) for i in range(len(attractors))]
    if progress is not None:
        progress(labels.size, labels.size)
    with np.errstate(all="ignore"):
        distance = np.hypot(fin[..., 0], fin[..., 1])
    return BasinsResult(method=m, scheme="ode", theta=theta, psi=psi, labels=labels,
                        attractors=attractors, counts=counts, final_theta=fin[..., 0],
                        final_psi=fin[..., 1], distance=distance, attractor_distance=att_dist,
                        steps=0, tail=0, tol=tol,
                        options={} if t_max is None else {"t_max": float(t_max)},
                        orbits=orbits, notes=notes)
