r"""Basins of attraction on a grid of starts: which attractor each trajectory reaches.

Discrete schemes (SimGD, AltGD, extragradient) run the whole grid through the vectorized
simulator in blocks: ``steps`` updates, then a recorded tail of ``tail`` more. Each tail is
classified (max-norm :math:`|x|_\infty = \max(|\theta|, |\psi|)` throughout):

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
from .._options import check_float_option, check_memory, float_array, int_option
from ..model.method import Method, require_concrete_f
from ..oracles.ode import Attractor, attractor as follow, integrate
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
        Updates run before the tail, and the recorded tail (discrete schemes).
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
    AltGD, extragradient) ``steps`` times, then record ``tail`` more states and classify the
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
        Discrete schemes: updates before the recorded tail.
    tail : int
        Discrete schemes: recorded updates classified (>= 16). Each half of the tail must
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
        Starts whose tails are classified at once (memory: about ``block * 65 * 16`` bytes:
        the tail is recorded 64 steps at a time; default 64527; results do not depend on
        it).
    progress : callable, optional
        ``progress(done, total)``: trajectory-steps done (discrete schemes) or starts
        followed (the flow), at most about once a second.
    executor : concurrent.futures.Executor, optional
        Passed on to :func:`stabgan.simulate` (only when given).
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
    if scheme == "ode":
        if scheme_options:
            raise InputError(f"The option '{sorted(scheme_options)[0]}' belongs to the discrete "
                             f"schemes; scheme='ode' follows the flow.")
        if t_max is not None:
            t_max = check_float_option(t_max, "t_max", 0.0, False)
        return _basins_ode(m, theta, psi, tol, t_max, max_attractors, progress)
    steps = int_option(steps, "steps", 0)
    tail = int_option(tail, "tail", 16)
    if block is None:   # about 4 M recorded states (64 MB for theta and psi) at a time
        block = max(256, 2 ** 22 // (_SEGMENT + 1))
    block = min(int_option(block, "block", 1), n)
    check_memory(n * 8 * 16 + block * (_SEGMENT + 1) * 16 * 3,
                 f"basins on a {theta.size:,} x {psi.size:,} grid with a tail of {tail:,}",
                 "use a smaller grid, a shorter tail or a smaller block")
    kw = dict(scheme_options)
    if executor is not None:
        kw["executor"] = executor
    return _basins_discrete(m, scheme, theta, psi, steps, tail, tol, bound, max_attractors,
                            block, progress, kw)


# -- discrete schemes ---------------------------------------------------------------------------

def _envelope(X, Y):
    """(min theta, max theta, min psi, max psi) per row."""
    return np.stack([np.minimum.reduce(X, axis=1), np.maximum.reduce(X, axis=1),
                     np.minimum.reduce(Y, axis=1), np.maximum.reduce(Y, axis=1)], axis=1)


def _advance(m, scheme, th0, ps0, steps, bound, kw, progress=None):
    """``steps`` updates of every start at once (the simulator's own chunks). A trajectory
    whose update vanished in floating point (the simulator's "stalled") sits on a fixed
    point of the computed map and is classified as a point like any other."""
    with np.errstate(all="ignore"):
        return simulate(m, scheme, steps=steps, theta0=th0, psi0=ps0, bound=bound,
                        progress=progress, **kw)


def _record(m, scheme, th0, ps0, tail, bound, kw):
    """``tail`` recorded updates: (X, Y, diverged), shape (n, tail + 1)."""
    with np.errstate(all="ignore"):
        t = simulate(m, scheme, steps=tail, theta0=th0, psi0=ps0, bound=bound,
                     record_every=1, **kw)
    return t.history_theta, t.history_psi, t.diverged


#: Tail steps recorded per simulator call: the history is written column by column, so short
#: pieces keep it in cache (measured: 64-step pieces cost a quarter of one 2048-step record).
_SEGMENT = 64


def _tail(m, scheme, th0, ps0, tail, bound, kw, tol, h_time):
    """Run ``tail`` updates from (th0, ps0) in pieces and classify each trajectory online.

    The states s_0 ... s_T (T = tail) are split into halves A = s_0 ... s_{H-1} and
    B = s_H ... s_T, H = (T + 1) // 2. Returns the kind code (0 point: every state within
    tol of s_T; 1 recurrent: the envelopes (min, max of theta and psi) of A and B agree to
    tol; 2 undecided; 3 diverged), the envelope of B, the mean theta of the upward
    crossings of psi = 0 (linear interpolation between steps), their mean spacing times
    ``h_time``, and the end state."""
    n, T = th0.size, tail
    H = (T + 1) // 2
    env = [None, None]
    count = np.zeros(n)
    total = np.zeros(n)
    first = np.full(n, np.inf)
    last = np.full(n, -np.inf)
    diverged = np.zeros(n, dtype=bool)
    cuts = sorted(set(range(0, T, _SEGMENT)) | {H, T})
    x, y = np.asarray(th0, float), np.asarray(ps0, float)
    with np.errstate(all="ignore"):
        for a, b in zip(cuts[:-1], cuts[1:]):
            X, Y, dv = _record(m, scheme, x, y, b - a, bound, kw)
            diverged |= dv
            lo_col = 0 if a == 0 else 1        # column 0 repeats the last piece's end
            for half, (c0, c1) in enumerate(((lo_col, max(lo_col, min(b, H - 1) - a + 1)),
                                             (max(lo_col, H - a), b - a + 1))):
                if c1 <= c0:
                    continue
                part = _envelope(X[:, c0:c1], Y[:, c0:c1])
                if env[half] is None:
                    env[half] = part
                else:
                    for j, pick in ((0, np.minimum), (1, np.maximum), (2, np.minimum),
                                    (3, np.maximum)):
                        pick(env[half][:, j], part[:, j], out=env[half][:, j])
            rows, cols = np.nonzero((Y[:, :-1] < 0) & (Y[:, 1:] >= 0))
            if rows.size:
                y0, y1 = Y[rows, cols], Y[rows, cols + 1]
                x0, x1 = X[rows, cols], X[rows, cols + 1]
                count += np.bincount(rows, minlength=n)
                total += np.bincount(rows, x0 + (-y0 / (y1 - y0)) * (x1 - x0), minlength=n)
                # np.nonzero lists each row's crossings in order: its first and last
                starts = np.concatenate(([0], np.flatnonzero(np.diff(rows)) + 1))
                ends = np.concatenate((starts[1:] - 1, [rows.size - 1]))
                r0 = rows[starts]
                first[r0] = np.minimum(first[r0], cols[starts] + a)
                last[r0] = cols[ends] + a       # later pieces come later
            x, y = X[:, -1].copy(), Y[:, -1].copy()
        env_a, env_b = env
        lo = np.minimum(env_a, env_b)[:, [0, 2]]
        hi = np.maximum(env_a, env_b)[:, [1, 3]]
        end = np.stack([x, y], axis=1)
        dev = np.maximum(hi - end, end - lo).max(axis=1)
        stationary = np.abs(env_a - env_b).max(axis=1) <= tol
        kind = np.where(diverged, 3, np.where(dev <= tol, 0, np.where(stationary, 1, 2)))
        theta_c = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        period = np.where(count > 1, (last - first) / np.maximum(count - 1, 1) * h_time,
                          np.nan)
    return kind, env_b, theta_c, period, end


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


def _basins_discrete(m, scheme, theta, psi, steps, tail, tol, bound, limit, block, progress, kw):
    TH, PS = np.meshgrid(theta, psi, indexing="ij")
    th0, ps0 = TH.ravel(), PS.ravel()
    n = th0.size
    kind = np.empty(n, dtype=np.int8)
    env = np.empty((n, 4))
    end = np.empty((n, 2))
    theta_c, period = np.empty(n), np.empty(n)
    h = kw.get("h", kw.get("h_g"))
    h_time = float(h) if h is not None and np.ndim(h) == 0 else 1.0
    last_report = time.monotonic()
    # the steps for the whole grid at once (the simulator chunks it), then the tail in blocks
    total_work = n * (steps + tail)
    ahead = None if progress is None else (lambda done, _: progress(done, total_work))
    first = _advance(m, scheme, th0, ps0, steps, bound, kw, ahead)
    for start in range(0, n, block):
        sl = slice(start, min(start + block, n))
        k, e, c, p, last = _tail(m, scheme, first.theta[sl], first.psi[sl], tail, bound, kw,
                                 tol, h_time)
        k = np.where(first.diverged[sl], 3, k)
        kind[sl], env[sl], theta_c[sl], period[sl], end[sl] = k, e, c, p, last
        if progress is not None and time.monotonic() - last_report >= 1.0:
            last_report = time.monotonic()
            progress(n * steps + sl.stop * tail, total_work)
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
        pushed_run = _advance(m, scheme, starts[:, 0], starts[:, 1], steps, bound, kw)
        _, e, _, _, _ = _tail(m, scheme, pushed_run.theta, pushed_run.psi, tail, bound, kw,
                              tol, h_time)
        diverged = pushed_run.diverged
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
        Xo, Yo, _ = _record(m, scheme, end[members[:1], 0], end[members[:1], 1], tail, bound,
                            kw)
        orbits[index] = (Xo[0], Yo[0])
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
                        tol=tol, options={k: v for k, v in kw.items() if k != "executor"},
                        orbits=orbits)


# -- the flow -----------------------------------------------------------------------------------

def _basins_ode(m, theta, psi, tol, t_max, limit, progress):
    shape = (theta.size, psi.size)
    labels = np.full(shape, UNDECIDED, dtype=np.int64)
    fin = np.full(shape + (2,), np.nan)
    att_dist = np.full(shape, np.nan)
    attractors: list[Attractor] = []
    keys: list[tuple] = []
    notes: list[str] = []
    last_report = time.monotonic()
    done = 0
    for i, th in enumerate(theta):
        for j, ps in enumerate(psi):
            try:
                a = follow(m, theta0=float(th), psi0=float(ps), t_max=t_max)
            except InputError as exc:   # e.g. a start on a switching surface, where the
                done += 1               # explicit solver's cost estimate explodes
                notes.append(f"start ({th:g}, {ps:g}) undecided: {exc}")
                continue
            done += 1
            if progress is not None and time.monotonic() - last_report >= 1.0:
                last_report = time.monotonic()
                progress(done, labels.size)
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
