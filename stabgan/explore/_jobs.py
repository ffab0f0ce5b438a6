"""Slow work off the server's event loop: worker processes, results cached per
configuration, and the newest request of a view winning over older ones.

Each kind of work (the closed form, the stability map) has its own worker process, so a map
never waits behind an analysis. A :class:`Channel` is one view of one session: it answers at
once from the cache, or sends the work to the worker, shows a busy line and awaits the answer
without the document lock; an answer that arrives after a newer request of the same view is
cached but never shown.
"""
from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from bokeh.document import Document, without_document_lock

#: One worker process per kind of work, shared by the sessions of this server.
_POOLS: dict[str, ProcessPoolExecutor] = {}
#: Results per kind and configuration, shared by the sessions; bounded so that a long
#: session cannot grow it without end.
_CACHES: dict[str, dict] = {}
CACHE_SIZE = 256


def _pool(kind: str) -> ProcessPoolExecutor:
    if kind not in _POOLS:
        _POOLS[kind] = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    return _POOLS[kind]


def shutdown_pools() -> None:
    """Stop the worker processes (when the server stops)."""
    while _POOLS:
        _POOLS.popitem()[1].shutdown(cancel_futures=True)


class Channel:
    """The background results of one view of one session.

    Parameters
    ----------
    doc : bokeh.document.Document
        The session's document (results are applied in its locked callbacks).
    kind : str
        The kind of work: its worker process and its cache.
    busy : callable
        ``busy(True)`` when work starts, ``busy(False)`` when the newest answer is shown.
    """

    def __init__(self, doc: Document, kind: str, busy: Callable[[bool], None]) -> None:
        self.doc, self.kind, self.busy = doc, kind, busy
        self.generation = 0
        self.cache = _CACHES.setdefault(kind, {})
        self._pending: tuple[int, Hashable] | None = None  # (generation, key) in flight

    def request(self, key: Hashable, fn: Callable, args: tuple,
                apply: Callable[[object], None]) -> None:
        """Show ``fn(*args)`` (the cached value of ``key``, or the worker's answer) through
        ``apply``; an exception raised by ``fn`` (an InputError, a broken worker) is passed
        to ``apply`` as the value. A later request makes this one stale: its answer is
        cached, never shown. The same key asked again while it is in flight is not sent
        twice."""
        if self._pending == (self.generation, key):
            return
        self.generation += 1
        if key in self.cache:
            self.busy(False)
            apply(self.cache[key])
            return
        self.busy(True)
        generation = self.generation
        self._pending = (generation, key)

        def finish(result) -> None:  # under the document lock
            if not isinstance(result, BaseException):
                self.cache[key] = result
                while len(self.cache) > CACHE_SIZE:
                    self.cache.pop(next(iter(self.cache)))
            if generation != self.generation:
                return  # a newer setting was chosen meanwhile: never show a stale result
            self._pending = None
            self.busy(False)
            apply(result)

        @without_document_lock
        async def job() -> None:
            # waits for the worker without the document lock, so the page's newer changes
            # are handled meanwhile; the result is applied in a locked callback
            try:
                result = await asyncio.wrap_future(_pool(self.kind).submit(fn, *args))
            except Exception as e:  # noqa: BLE001 - InputError (bad input) or a broken worker
                result = e
            self.doc.add_next_tick_callback(partial(finish, result))

        self.doc.add_next_tick_callback(job)

    def drop(self) -> None:
        """Forget the request in flight (nothing to show for the current setting)."""
        self.generation += 1
        self.busy(False)
