"""The lemma suite: a registry of published statements, each checked symbolically and numerically.

A statement is data: an id, the statement in LaTeX, its source, and two checks (see
``stabgan.lemmas.checks``): a symbolic one that compares what SymPy derives with the formula stored in
the statement, and a numeric one that runs an oracle (the simulator, the ODE integrator,
finite differences of the numeric field). Register your own with :func:`register`:

>>> from stabgan.lemmas import Statement, Ref, EigenvaluesAre, NumericJacobianEigenvalues, register
>>> s = register(Statement(
...     id="my-r1-logistic", statement=r"R1, logistic f: \\lambda = -\\gamma/2 \\pm \\sqrt{\\gamma^2 - 1}/2",
...     source="derived",
...     symbolic=EigenvaluesAre(Ref.of("r1"), ("-gamma/2 - sqrt(gamma**2 - 1)/2",
...                                           "-gamma/2 + sqrt(gamma**2 - 1)/2")),
...     numeric=NumericJacobianEigenvalues(Ref.of("r1", gamma=0.3),
...                                        ("-3/20 - sqrt(91)*I/20", "-3/20 + sqrt(91)*I/20"))))
>>> [r.passed for r in verify(["my-r1-logistic"])]
[True]
>>> unregister("my-r1-logistic")
"""
from __future__ import annotations

import time
from .checks import Check
from .._errors import InputError
from .._executor import check_executor, run_tasks
from .statement import Statement, VerificationResult

__all__ = ["Statement", "VerificationResult", "register", "unregister", "statements", "verify",
           "REGISTRY"]


REGISTRY: dict[str, Statement] = {}


def register(statement: Statement) -> Statement:
    """Add a statement to the registry (its id must be new); return it."""
    if not isinstance(statement, Statement):
        raise InputError(f"register takes a Statement. Got {statement!r} instead.")
    if statement.id in REGISTRY:
        raise InputError(f"A statement with id {statement.id!r} is already registered.")
    REGISTRY[statement.id] = statement
    return statement


def unregister(statement_id: str) -> None:
    """Remove a statement from the registry."""
    REGISTRY.pop(statement_id, None)


def statements() -> list[Statement]:
    """Every registered statement, in registration order."""
    _load_catalogue()
    return list(REGISTRY.values())


def _run(check: Check) -> dict:
    try:
        passed, detail = check()
    except Exception as exc:  # a crashing check is a failed check, with the reason
        passed, detail = False, f"raised {type(exc).__name__}: {exc}"
    return {"passed": bool(passed), "detail": detail}


def verify(ids=None, executor=None) -> list[VerificationResult]:
    """Check statements of the registry, each symbolically and numerically.

    Parameters
    ----------
    ids : str or list of str, optional
        The statements to check: one id or a list of them (default: all).
    executor : concurrent.futures.Executor, optional
        Check the statements there, one statement per task (a ``ProcessPoolExecutor``, a Dask
        client's ``client.get_executor()``, ...); the results come back in the same order
        with the same verdicts and details. A statement of the catalogue is sent by its id
        (each worker builds the catalogue once); one you registered is sent pickled (its
        checks must pickle: module-level functions). A task that raises or whose worker dies
        raises :class:`ExecutorError` naming the statement.

    Returns
    -------
    list of VerificationResult
        ``id``, ``statement``, ``source``, ``symbolic`` and ``numeric`` ({passed, detail}),
        ``passed`` (both passed) and ``seconds``.

    Examples
    --------
    >>> [r.passed for r in verify(["mgn18-lemma-2.3"])]
    [True]
    """
    check_executor(executor, None, "verify")
    _load_catalogue()
    if isinstance(ids, str):  # one id, not its characters
        ids = [ids]
    if ids is None:
        chosen = list(REGISTRY.values())
    else:
        try:
            ids = list(ids)
        except TypeError:
            raise InputError(f"verify takes a statement id or a list of them. Got {ids!r} "
                             f"instead.") from None
        bad = [i for i in ids if not isinstance(i, str)]
        if bad:
            raise InputError(f"verify takes statement ids as strings. Got {bad[0]!r} instead.")
        unknown = [i for i in ids if i not in REGISTRY]
        if unknown:
            import difflib
            close = difflib.get_close_matches(unknown[0], list(REGISTRY), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise InputError(f"Unknown statement id {unknown[0]!r}: see stabgan verify --list.{hint}")
        chosen = [REGISTRY[i] for i in ids]
    out: list = [None] * len(chosen)

    def collect(i, result) -> None:
        out[i] = result

    # a catalogue statement travels as its id (its checks hold lambdas and closures)
    tasks = [s.id if executor is not None and _CATALOGUE.get(s.id) is s else s
             for s in chosen]
    run_tasks(executor, _check_one, len(tasks), tasks.__getitem__, collect,
              lambda i: f"statement {chosen[i].id!r}")
    return out


def _check_one(s) -> VerificationResult:
    """Check one statement (given, or by its id in the catalogue): the same code inline and on
    an executor's worker."""
    if isinstance(s, str):
        _load_catalogue()
        s = _CATALOGUE[s]
    t0 = time.perf_counter()
    sym = _run(s.symbolic)
    num = _run(s.numeric)
    return VerificationResult(s.id, s.statement, s.source, sym, num,
                              sym["passed"] and num["passed"], time.perf_counter() - t0)


_LOADED = False
#: The catalogue's statements by id (as built in this process).
_CATALOGUE: dict[str, Statement] = {}


def _load_catalogue() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from .extensions import STATEMENTS as EXTENSIONS
        from .global_dynamics import STATEMENTS as GLOBAL_DYNAMICS
        from .optimizers import STATEMENTS as OPTIMIZERS
        from .published import STATEMENTS as PUBLISHED
        # the published statements, the optimizers', then those of the extension API's entries
        for s in (*PUBLISHED, *OPTIMIZERS, *EXTENSIONS, *GLOBAL_DYNAMICS):
            _CATALOGUE[s.id] = s
            register(s)
