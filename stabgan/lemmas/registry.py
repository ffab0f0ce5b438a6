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


def verify(ids=None) -> list[VerificationResult]:
    """Check statements of the registry, each symbolically and numerically.

    Parameters
    ----------
    ids : str or list of str, optional
        The statements to check: one id or a list of them (default: all).

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
    out = []
    for s in chosen:
        t0 = time.perf_counter()
        sym = _run(s.symbolic)
        num = _run(s.numeric)
        out.append(VerificationResult(s.id, s.statement, s.source, sym, num,
                                      sym["passed"] and num["passed"], time.perf_counter() - t0))
    return out


_LOADED = False


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
            register(s)
