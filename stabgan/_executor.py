"""Run a batch's chunks on any ``concurrent.futures.Executor``, and import optional extras.

The batch APIs (``simulate``, ``stability_map``, ``verify``) cut their work into chunks of a
FIXED size that does not depend on the executor or its number of workers (trajectories per
chunk for ``simulate``, grid points for ``stability_map``, one statement for ``verify``).
Each chunk is computed elementwise by the same module-level function whether it runs inline,
on a thread, in a ``ProcessPoolExecutor``, on a Dask cluster (``client.get_executor()``) or
under ``mpi4py.futures``, so every way of running gives the same bytes.

:func:`run_tasks` submits the chunks (at most :data:`IN_FLIGHT` at a time, so the pickled
inputs and outputs waiting in memory stay bounded), hands each result to the caller as it
completes (the caller copies it into arrays of its own and reports progress), and on the
first chunk that raises (or whose worker died) cancels what is still queued and raises
:class:`ExecutorError` naming that chunk. The caller's output is only returned (or written
to disk) after every chunk succeeded, so a failed run leaves nothing half-written.

This module is layer 1 (beside ``_options``): ``analysis`` and ``oracles`` both use it and
must not import each other.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

from ._errors import InputError

__all__ = ["ExecutorError", "check_executor", "run_tasks", "IN_FLIGHT", "import_optional",
           "stabgan_version"]

#: Most chunks submitted and not yet collected at any time.
IN_FLIGHT = 128


class ExecutorError(RuntimeError):
    """A chunk of a batch failed on the executor given as ``executor=`` (it raised, or its
    worker died): the message names the chunk (its number and the trajectories, grid points
    or statement it covers) and the cause, which is also chained as ``__cause__``. The batch
    returns nothing (and the command line writes nothing)."""


def check_executor(executor, workers=None, where: str = "this function"):
    """Validate the ``executor`` option (None passes); refuse it together with ``workers``."""
    if executor is None:
        return None
    if workers is not None:
        raise InputError(f"Give either the 'executor' option or the 'workers' option of {where}, "
                         f"not both: 'workers' is the number of threads in this process, an "
                         f"executor runs the chunks on its own workers.")
    from concurrent.futures import Executor
    if not (isinstance(executor, Executor) or callable(getattr(executor, "submit", None))):
        raise InputError(f"The 'executor' option of {where} must be a concurrent.futures."
                         f"Executor (e.g. ProcessPoolExecutor, or a Dask client's "
                         f"get_executor()). Got {executor!r} instead.")
    return executor


def run_tasks(executor, fn: Callable, count: int, make_task: Callable[[int], Any],
              on_result: Callable[[int, Any], None],
              describe: Callable[[int], str] = lambda i: "") -> None:
    """Run ``fn(make_task(i))`` for i = 0 ... count - 1, inline (``executor`` None) or on
    ``executor``; a task is made only when it is submitted.

    Parameters
    ----------
    executor : concurrent.futures.Executor or None
        Where the chunks run; None runs them here, in order.
    fn : callable
        A module-level function (it is pickled by reference for a process or a cluster).
    count : int
        The number of chunks.
    make_task : callable
        ``make_task(i)``: the picklable argument of chunk i.
    on_result : callable
        ``on_result(index, result)``, called in this process as each chunk completes (in
        order of completion on an executor).
    describe : callable
        ``describe(index)``: what the chunk covers, for the error message (e.g.
        ``"trajectories 0 to 16383"``).

    Raises
    ------
    ExecutorError
        A chunk raised on the executor or its worker died: names the chunk, its extent and the
        cause; the chunks still queued are cancelled.
    """
    if executor is None:
        for i in range(count):
            on_result(i, fn(make_task(i)))
        return
    from concurrent.futures import FIRST_COMPLETED, wait
    total = count
    pending: dict = {}
    nxt = 0
    try:
        while nxt < total or pending:
            while nxt < total and len(pending) < IN_FLIGHT:
                pending[executor.submit(fn, make_task(nxt))] = nxt
                nxt += 1
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.get):
                i = pending.pop(future)
                try:
                    result = future.result()
                except BaseException as exc:  # noqa: BLE001 - reported with the chunk it hit
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    extent = describe(i)
                    raise ExecutorError(
                        f"chunk {i + 1} of {total}{f' ({extent})' if extent else ''} failed on "
                        f"the executor: {type(exc).__name__}: {exc}; nothing was returned or "
                        f"written") from exc
                on_result(i, result)
    finally:
        for future in pending:
            future.cancel()


def import_optional(module: str, extra: str, what: str):
    """Import an optional dependency, or raise ImportError saying which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{what} needs the optional package {module!r}: pip install "
                          f"'stabgan[{extra}]'") from exc


def stabgan_version() -> str:
    """The installed package's version (for the attributes of labelled results)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("stabgan")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"
