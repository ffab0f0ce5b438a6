r"""Update rules of the user's own: :func:`update_rule` and :class:`RuleSpec`.

A user writes one function ``step(ops, x, memory) -> (x_new, memory_new)`` against the
backend contract of :mod:`stabgan.schemes.rules` (add states, scale them by the step sizes,
call the field) and passes the :class:`RuleSpec` that :func:`update_rule` returns as
``scheme=`` to :func:`stabgan.analyze` (the rule run on :math:`v(x) = J x` gives the update
operator's Jacobian, its spectrum and the step-size bounds), :func:`stabgan.simulate` (the
rule run on the compiled field, through the simulator's one chunk loop) and
:func:`stabgan.stability_map`.

The rule is an object, not an entry of a global registry: two notebooks (or two threads, or
two tests) cannot overwrite each other's rule of the same name, nothing has to be
unregistered, and the object says where the rule came from. The built-in scheme names stay
the only strings ``scheme=`` accepts, so a string always means the same thing.

Adapting the user's function to the two backends happens here: :class:`RuleOps` is the only
view of the backend a rule gets (any other attribute is refused by name), NumPy states are
passed read-only, and every result is checked for its shape before it enters the scheme's
state.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .._errors import InputError
from .._options import OPTIONS, SIMULATE_SCHEMES
from .rules import Linearization, LinearOps, UpdateRule, field_penalty, initial_memory, step
from .scheme import Scheme, SubStep

__all__ = ["RuleSpec", "RuleOps", "update_rule", "OPERATIONS"]

#: What ``ops`` offers a rule (the contract of ``stabgan.schemes.rules``).
OPERATIONS = ("v", "h_g", "h_d", "move", "project")
#: Names ``scheme=`` already gives a meaning (besides the discrete schemes of the table).
_TAKEN = ("continuous", "ode")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_MEMORY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
#: Keys of the scheme's state dict that a memory item must not shadow.
_RESERVED = ("x", "slow")
_INITIAL = ("zero", "field")


class _MissingOperation(AttributeError):
    """A rule asked ``ops`` for something the contract does not offer."""


class _ContractError(Exception):
    """A rule returned (or passed to ops) something of the wrong shape."""


def _pair(value, what: str) -> tuple:
    """``value`` as a pair (theta, psi), or a contract error naming ``what``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        kind = (f"a {type(value).__name__} of length {len(value)}"
                if isinstance(value, (tuple, list)) else f"an object of type {type(value).__name__}")
        raise _ContractError(f"{what} must be a pair (theta, psi); got {kind}")
    return value[0], value[1]


class RuleOps:
    r"""The backend as a rule sees it: ``v``, ``h_g``, ``h_d``, ``move``, ``project``.

    Attributes
    ----------
    h_g, h_d : backend scalar
        The step sizes (SymPy numbers or symbols in the linearization; NumPy scalars or one
        per trajectory in the simulator).
    """

    __slots__ = ("_field", "_project", "_prepare", "h_g", "h_d")

    def __init__(self, field, h_g, h_d, project, prepare):
        self._field, self._project, self._prepare = field, project, prepare
        self.h_g, self.h_d = h_g, h_d

    def v(self, x):
        r"""The field :math:`v(x) = (v_\theta, v_\psi)` at the pair ``x``."""
        a, b = _pair(x, "the argument of ops.v")
        return tuple(self._field((self._prepare(a), self._prepare(b))))

    def move(self, x, d, scale=1):
        r""":math:`x + \text{scale}\, H d`, :math:`H = \operatorname{diag}(h_g, h_d)`."""
        a, b = _pair(x, "the first argument of ops.move")
        da, db = _pair(d, "the second argument of ops.move")
        if isinstance(scale, int) and not isinstance(scale, bool) and scale == 1:
            return (a + self.h_g * da, b + self.h_d * db)
        return (a + scale * self.h_g * da, b + scale * self.h_d * db)

    def project(self, psi):
        """The method's box constraint on psi (the identity near the equilibrium)."""
        return self._project(psi)

    def __getattr__(self, name):
        raise _MissingOperation(name)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _exact(c):
    """A SymPy scalar of a linearized state, with Python floats read exactly through their
    shortest repr (0.1 is 1/10), as every number the package takes."""
    if isinstance(c, (list, tuple, dict, set, str, np.ndarray)):
        raise _ContractError(f"every entry of a state must be a scalar expression; got a "
                             f"{type(c).__name__}")
    try:
        c = sp.sympify(c, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise _ContractError(f"every entry of a state must be a scalar expression; got "
                             f"{type(c).__name__} ({_one_line(exc)})") from None
    if not isinstance(c, sp.Expr):
        raise _ContractError(f"every entry of a state must be a scalar expression; got a "
                             f"{type(c).__name__}")
    floats = c.atoms(sp.Float)
    return c.xreplace({f: sp.Rational(repr(float(f))) for f in floats}) if floats else c


#: Stand-ins for J's entries and the step sizes while a rule runs on the linearization.
_S = sp.symbols("_J00 _J01 _J10 _J11", cls=sp.Dummy)
_HG, _HD = sp.Dummy("h_g", positive=True), sp.Dummy("h_d", positive=True)


class _View:
    """One backend (the linearization or a simulator chunk) as the rule sees it.

    In the linearization the rule runs on v(x) = S x with S and H symbols, and their values
    are put in only after its Python floats have been read exactly: 0.5 * (1/3) would
    otherwise already be the inexact Float 0.1666... before any result is seen."""

    def __init__(self, scheme, ops, x, phase: int):
        penalty = field_penalty(scheme, phase)
        self.symbolic = isinstance(ops, LinearOps)
        if self.symbolic:
            self.where = "in the linearization v(x) = J x (SymPy)"
            J = {None: ops.lin.J, False: ops.lin.off, True: ops.lin.on}[penalty]
            self.values = {**dict(zip(_S, J)), _HG: ops.h_g, _HD: ops.h_d}

            def field(y):
                return (_S[0] * y[0] + _S[1] * y[1], _S[2] * y[0] + _S[3] * y[1])
            self.ops = RuleOps(field, _HG, _HD, ops.project, _exact)
            return
        self.where = "in the simulator (NumPy)"
        dtype, shape = x[0].dtype, np.shape(x[0])
        self.dtype, self.shape = dtype, shape

        def prepare(c):
            return np.broadcast_to(np.asarray(c, dtype), shape)
        self.ops = RuleOps(lambda y: ops.v(y, penalty), ops.h_g, ops.h_d, ops.project,
                           prepare)

    def give(self, pair):
        """A state as the rule receives it (NumPy arrays read-only)."""
        if self.symbolic:
            return tuple(pair)
        out = []
        for c in pair:
            view = np.asarray(c).view()
            view.flags.writeable = False
            out.append(view)
        return tuple(out)

    def take(self, value, what: str) -> tuple:
        """A pair the rule returned, checked and in the backend's form."""
        a, b = _pair(value, what)
        if self.symbolic:
            return (_exact(a).xreplace(self.values), _exact(b).xreplace(self.values))
        out = []
        for i, c in enumerate((a, b)):
            try:
                arr = np.asarray(c, self.dtype)
            except (TypeError, ValueError) as exc:
                raise _ContractError(f"{what}[{i}] is not a number or array ({_one_line(exc)})") \
                    from None
            if arr.shape != self.shape:
                if arr.ndim:
                    raise _ContractError(f"{what}[{i}] has shape {arr.shape}, not "
                                         f"{self.shape} (one entry per trajectory)")
                arr = np.full(self.shape, arr, self.dtype)
            out.append(arr)
        return tuple(out)


def _run(spec: "RuleSpec", what: str, where: str, fn, *args):
    """Call the user's code; anything it raises becomes one InputError line naming the rule."""
    try:
        return fn(*args)
    except InputError:
        raise
    except _MissingOperation as exc:
        raise InputError(f"The update rule '{spec.name}' uses ops.{exc.args[0]}, which the "
                         f"backend does not have: a rule may use only "
                         f"{', '.join('ops.' + o for o in OPERATIONS)}.") from exc
    except _ContractError as exc:
        raise InputError(f"The update rule '{spec.name}' breaks the contract {where}: "
                         f"{exc}.") from exc
    except ValueError as exc:
        if "read-only" not in str(exc):
            raise InputError(f"The update rule '{spec.name}' failed {where} ({what}): "
                             f"ValueError: {_one_line(exc)}.") from exc
        raise InputError(f"The update rule '{spec.name}' breaks the contract {where}: it writes "
                         f"to a state in place (states are read-only: write th = th + ... "
                         f"instead of th += ...).") from exc
    except Exception as exc:  # the user's code: report it as the rule's failure, in one line
        raise InputError(f"The update rule '{spec.name}' failed {where} ({what}): "
                         f"{type(exc).__name__}: {_one_line(exc)}.") from exc


def _adapter(spec: "RuleSpec") -> UpdateRule:
    """The user's function as a rule of ``stabgan.schemes.rules`` (both backends)."""
    names = spec.memory_names

    def rule_step(scheme, ops, state: dict, phase: int) -> None:
        view = _View(scheme, ops, state["x"], phase)
        x = view.give(state["x"])
        memory = {k: view.give(state[k]) for k in names}

        def call():
            out = spec.step(view.ops, x, memory)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise _ContractError(f"step must return (x_new, memory_new); got a "
                                     f"{type(out).__name__}"
                                     + (f" of length {len(out)}"
                                        if isinstance(out, (tuple, list)) else ""))
            new_x, new_memory = out
            if not isinstance(new_x, (tuple, list)):
                raise _ContractError(f"step must return (x_new, memory_new) with x_new a pair "
                                     f"(theta, psi) and memory_new a dict ({{}} without memory); "
                                     f"its first item is an object of type "
                                     f"{type(new_x).__name__}")
            new_x = view.take(new_x, "x_new")
            if not isinstance(new_memory, Mapping) or set(new_memory) != set(names):
                got = (sorted(new_memory) if isinstance(new_memory, Mapping)
                       else f"a {type(new_memory).__name__}")
                raise _ContractError(f"memory_new must be a dict with exactly the keys "
                                     f"{list(names)} ({{}} without memory); got {got}")
            return new_x, {k: view.take(new_memory[k], f"memory_new[{k!r}]") for k in names}

        new_x, new_memory = _run(spec, "a step", view.where, call)
        state["x"] = (new_x[0], ops.project(new_x[1]))
        state.update(new_memory)

    def rule_init(scheme, ops, x) -> dict:
        view = _View(scheme, ops, x, 0)
        given = view.give(x)
        out = {}
        for name, how in spec.memory:
            if how == "zero":
                out[name] = (x[0] * 0, x[1] * 0)
                continue

            def call(how=how, name=name):
                value = view.ops.v(given) if how == "field" else how(view.ops, given)
                return view.take(value, f"the initial value of memory {name!r}")
            out[name] = _run(spec, f"the initial value of memory {name!r}", view.where, call)
        return out

    return UpdateRule(spec.name, rule_step, lambda scheme: names, rule_init)


@dataclass(frozen=True, eq=False)
class RuleSpec:
    r"""An update rule of the user's own, from :func:`update_rule`; pass it as ``scheme=``.

    Attributes
    ----------
    name : str
        How results name the scheme (``Analysis.scheme``, ``SimulationResult.scheme``).
    step : callable
        ``step(ops, x, memory) -> (x_new, memory_new)`` (contract: ``stabgan.schemes.rules``).
    memory : tuple of (str, initial value)
        The memory items, each starting at ``"zero"``, ``"field"`` (:math:`v(x_0)`) or what
        a callable ``init(ops, x)`` returns.
    summary, citation : str
        What the rule is and where it comes from.
    """

    name: str
    step: Callable
    memory: tuple = ()
    summary: str = ""
    citation: str = ""
    rule: UpdateRule = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "rule", _adapter(self))

    @property
    def memory_names(self) -> tuple[str, ...]:
        """The names of the memory items, in the order of the augmented state."""
        return tuple(name for name, _ in self.memory)

    def scheme(self, h_g, h_d, n_g=1, n_d=1, order="generator-first", lazy_every=None,
               ema=None, **others) -> Scheme:
        """The :class:`~stabgan.schemes.scheme.Scheme` that steps with this rule, with the
        (validated) step sizes; the built-in schemes' options are refused by name."""
        for key, value in others.items():
            if value is not None:
                raise InputError(f"The '{key}' option belongs to the built-in schemes; the update "
                                 f"rule '{self.name}' takes only h, h_g, h_d, lazy_every and "
                                 f"ema (write momentum or extrapolation into the rule "
                                 f"itself). Got {key}={value!r}.")
        if (n_g, n_d, order) != (1, 1, "generator-first"):
            raise InputError(f"The 'n_g', 'n_d' and 'order' options belong to altgd; the update "
                             f"rule '{self.name}' says itself how the players move. Got "
                             f"n_g={n_g}, n_d={n_d}, order={order!r}.")
        lazy = 1 if lazy_every is None else OPTIONS["lazy_every"].validate(lazy_every)
        average = None if ema is None else OPTIONS["ema"].validate(ema)
        return Scheme(self.name, (SubStep("both"),), h_g, h_d, lazy_every=lazy, rule=self.rule,
                      ema=average)

    def __reduce__(self):
        # the adapter holds closures: send what the user gave and rebuild it (on an executor's
        # worker; ``step`` and callable initial values pickle by reference when module-level)
        return (RuleSpec, (self.name, self.step, self.memory, self.summary, self.citation))

    def __repr__(self) -> str:
        return (f"RuleSpec(name={self.name!r}, memory={list(self.memory_names)!r}, "
                f"summary={self.summary!r})")


def _memory(memory) -> tuple:
    """The ``memory`` argument as ((name, initial value), ...), or InputError."""
    if isinstance(memory, Mapping):
        items = list(memory.items())
    elif isinstance(memory, Sequence) and not isinstance(memory, str):
        items = [(name, "zero") for name in memory]
    else:
        raise InputError(f"The 'memory' option of update_rule must be a sequence of names "
                         f"(each starting at zero) or a dict name -> 'zero' | 'field' | "
                         f"init(ops, x). Got {memory!r} instead.")
    seen = set()
    for name, how in items:
        if not isinstance(name, str) or not _MEMORY_NAME.match(name) or name in _RESERVED:
            raise InputError(f"A memory name of update_rule must be a lower-case letter followed "
                             f"by up to 19 lower-case letters, digits or underscores, and not "
                             f"{' or '.join(_RESERVED)}. Got {name!r} instead.")
        if name in seen:
            raise InputError(f"The memory names of update_rule must differ. Got {name!r} twice.")
        seen.add(name)
        if not (callable(how) or (isinstance(how, str) and how in _INITIAL)):
            raise InputError(f"The initial value of memory {name!r} must be 'zero', 'field' (the "
                             f"field at the start) or a callable init(ops, x). Got {how!r} "
                             f"instead.")
    return tuple(items)


def _check_contract(spec: RuleSpec) -> None:
    """Run the rule once on each backend and refuse it (InputError) unless it keeps the
    contract: pairs in and out, only the ops offered, linear in the state when
    :math:`v(x) = J x` (J, h_g, h_d symbols) and fixing the equilibrium."""
    a, b, c, d = sp.symbols("a b c d", real=True)
    hg, hd = sp.symbols("h_g h_d", positive=True)
    scheme = spec.scheme(hg, hd)
    names = ("x",) + spec.memory_names
    z = sp.symbols(f"z0:{2 * len(names)}")
    ops = LinearOps(Linearization(sp.Matrix([[a, b], [c, d]])), scheme)
    where = "in the linearization v(x) = J x (SymPy)"
    start = initial_memory(scheme, ops, (z[0], z[1]))
    state = {name: (z[2 * i], z[2 * i + 1]) for i, name in enumerate(names)}
    after = step(scheme, ops, state, 0)
    zero = {s: 0 for s in z}
    for label, values in ([(f"the initial value of memory {k!r}", start[k])
                           for k in spec.memory_names]
                          + [("x_new" if k == "x" else f"memory_new[{k!r}]", after[k])
                             for k in names]):
        for i, e in enumerate(values):
            e = sp.expand(e)
            if not all(s not in sp.diff(e, t).free_symbols for t in z for s in z):
                raise InputError(f"The update rule '{spec.name}' breaks the contract {where}: "
                                 f"{label}[{i}] = {sp.sstr(e)} is not linear in the state (a "
                                 f"rule adds states, scales them by numbers and step sizes and "
                                 f"calls ops.v; it never multiplies two states).")
            at_zero = e.subs(zero)
            if at_zero != 0:
                raise InputError(f"The update rule '{spec.name}' breaks the contract {where}: "
                                 f"it moves the equilibrium ({label}[{i}] is {sp.sstr(at_zero)} "
                                 f"at x = 0 with zero memory).")
    # the NumPy probe: v(x) = J x on arrays of three trajectories, one step size each
    J = np.array([[0.1, -0.5], [0.5, -0.3]])

    class _Probe:
        h_g = np.array([0.1, 0.2, 0.3])
        h_d = np.array([0.3, 0.2, 0.1])

        @staticmethod
        def v(y, penalty=None, component=None):
            return (J[0, 0] * y[0] + J[0, 1] * y[1], J[1, 0] * y[0] + J[1, 1] * y[1])

        @staticmethod
        def project(psi):
            return psi

    x0 = (np.array([1.0, -0.5, 0.25]), np.array([0.5, 1.0, -2.0]))
    probe = initial_memory(scheme, _Probe, x0)
    step(scheme, _Probe, probe, 0)


def update_rule(name: str, step: Callable, *, memory=(), summary: str = "",
                citation: str = "") -> RuleSpec:
    r"""An optimizer of your own, written once, for ``analyze``, ``simulate`` and maps.

    One step maps the iterate :math:`x = (\theta, \psi)` and the rule's memory to the next:
    ``step(ops, x, memory) -> (x_new, memory_new)``, using only the backend's operations
    ``ops.v(x)`` (the field), ``ops.h_g``, ``ops.h_d`` (the step sizes,
    :math:`H = \operatorname{diag}(h_g, h_d)`), ``ops.move(x, d, scale=1)``
    (:math:`x + \text{scale}\, H d`) and ``ops.project(psi)``, and sums and products by
    numbers and step sizes (the contract: module docstring of ``stabgan.schemes.rules``).
    Run on :math:`v(x) = J x` the rule is the update operator :math:`M` on the augmented
    state :math:`(x, \text{memory})`, whose spectral radius :func:`stabgan.analyze` derives
    (locally convergent iff :math:`\rho(M) < 1`); run on the compiled field it is the
    simulator.

    Parameters
    ----------
    name : str
        How results name the scheme: a lower-case letter followed by up to 39 lower-case
        letters, digits, ``-`` or ``_``; not a built-in scheme (continuous, simgd, altgd,
        ...), so a name never means two things.
    step : callable
        ``step(ops, x, memory) -> (x_new, memory_new)``: ``x`` a pair of backend scalars,
        ``memory`` a dict of pairs by name, ``x_new`` a pair and ``memory_new`` a dict with
        exactly the declared names (``{}`` without memory). It must not write to its
        arguments in place.
    memory : sequence of str or dict, optional
        The memory items carried from step to step: names (each starting at zero), or a
        dict name -> ``"zero"``, ``"field"`` (:math:`v(x_0)`) or a callable
        ``init(ops, x)`` returning a pair.
    summary : str, optional
        What the rule is (one line).
    citation : str, optional
        Where it comes from.

    Returns
    -------
    RuleSpec
        Pass it as ``scheme=`` to :func:`stabgan.analyze`, :func:`stabgan.simulate` or
        :func:`stabgan.stability_map` (with ``h`` or ``h_g``, ``h_d``, and ``lazy_every``).

    Raises
    ------
    InputError
        A bad or taken name, a bad memory declaration, or a rule that breaks the contract
        when run once on :math:`v(x) = J x` (J, h_g, h_d symbols) and on a NumPy probe:
        a wrong shape, an operation the backend lacks, a result not linear in the state or
        one that moves the equilibrium.

    Notes
    -----
    The rule is an object rather than a name in a global registry: nothing can overwrite
    it, and ``scheme="..."`` strings keep meaning the built-in schemes only.

    References
    ----------
    Qin, Liu, Wang, Zhang, Rajagopal, Dong, Ding, Liu (2020), "Training Generative
    Adversarial Networks by Solving Ordinary Differential Equations", NeurIPS (Heun's
    method, the example below).

    Examples
    --------
    Heun's method (second-order Runge-Kutta), :math:`x' = x + \tfrac12 H (v(x) + v(x + H v(x)))`:

    >>> import stabgan
    >>> def heun(ops, x, memory):
    ...     k1 = ops.v(x)
    ...     k2 = ops.v(ops.move(x, k1))
    ...     return ops.move(x, (k1[0] + k2[0], k1[1] + k2[1]), 1 / 2), {}
    >>> rule = stabgan.update_rule("heun", heun, summary="Heun's method (RK2)")
    >>> stabgan.analyze(stabgan.method("r1", gamma=1), scheme=rule).h_max
    4
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError(f"The 'name' of update_rule must be a lower-case letter followed by up "
                         f"to 39 lower-case letters, digits, '-' or '_'. Got {name!r} instead.")
    if name in SIMULATE_SCHEMES or name in _TAKEN:
        raise InputError(f"The 'name' of update_rule must not be a built-in scheme "
                         f"({', '.join(_TAKEN[:1] + SIMULATE_SCHEMES + _TAKEN[1:])}): "
                         f"it would mean two "
                         f"things. Got {name!r} instead.")
    if not callable(step):
        raise InputError(f"The 'step' of update rule '{name}' must be a callable "
                         f"step(ops, x, memory) -> (x_new, memory_new). Got {step!r} instead.")
    for key, value in (("summary", summary), ("citation", citation)):
        if not isinstance(value, str):
            raise InputError(f"The '{key}' of update rule '{name}' must be a str. Got "
                             f"{value!r} instead.")
    spec = RuleSpec(name, step, _memory(memory), summary, citation)
    _check_contract(spec)
    return spec
