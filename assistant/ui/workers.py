"""The archive, served to the chat app from worker threads of its own.

Gradio runs handlers on a pool of threads and may advance one streaming handler on several of
them, but the store's SQLite catalog may only be used on the thread that opened it. So each
worker here opens its own Archive (all sharing one embedder and BM25 index), and every call, a whole
streamed answer included, runs start to finish on one worker.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from assistant.answer import Answer
from assistant.archive import Archive, Delta
from assistant.chat import Turn
from assistant.config import Settings
from assistant.retrieve import Filters
from index.embed import Embedder
from index.lexical import LexicalIndex

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scope:
    """What a question is asked over: a date range and outlets (empty: everything)."""

    since: str | None = None
    until: str | None = None
    outlets: tuple[str, ...] = ()

    def filters(self, archive: Archive) -> Filters:
        """The archive's filters for this scope (outlet names checked against the archive)."""
        return archive.filters(since=self.since, until=self.until, sources=self.outlets)


class ArchiveWorkers:
    def __init__(self, settings: Settings, *, workers: int) -> None:
        self.settings = settings
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="akhbar-archive")
        self._local = threading.local()
        self._opening = threading.Lock()
        self._embedder: Embedder | None = None
        self._lexical: LexicalIndex | None = None
        self._everyone = threading.Barrier(workers)  # see warm()
        self.call(_warm_up)  # open (and so check) the store on a worker: errors surface here

    def call(self, fn: Callable[[Archive], T]) -> T:
        """Run fn(archive) on a worker and return what it returns (or raise what it raised)."""
        return self._pool.submit(lambda: fn(self._archive())).result()

    def ask_stream(
        self, question: str, scope: Scope, history: Sequence[Turn] = (),
    ) -> Iterator[Delta | Answer]:
        """Archive.ask_stream on a worker; closing this iterator stops the answer early."""
        events: queue.Queue[object] = queue.Queue()
        stop = threading.Event()

        def work() -> None:
            try:
                archive = self._archive()
                filters = scope.filters(archive)
                stream = archive.ask_stream(question, filters=filters, history=history)
                try:
                    for event in stream:
                        events.put(event)
                        if stop.is_set():
                            break
                finally:
                    if isinstance(stream, Generator):  # stops an LLM answer mid-stream
                        stream.close()
            except BaseException as err:  # handed to the caller's thread, raised there
                events.put(_Failed(err))
            finally:
                events.put(_DONE)

        self._pool.submit(work)
        try:
            while (item := events.get()) is not _DONE:
                if isinstance(item, _Failed):
                    raise item.error
                assert isinstance(item, Delta | Answer)
                yield item
        finally:
            stop.set()

    def ask(self, question: str, scope: Scope, history: Sequence[Turn] = ()) -> Answer:
        return self.call(lambda archive: archive.ask(
            question, filters=scope.filters(archive), history=history))

    def warm(self) -> None:
        """Open an archive on every other worker too, in the background, so that no user
        waits for a first-use cost (loading the lexical index, calibrating refusals)."""

        def job() -> None:
            try:
                _warm_up(self._archive())
            except BaseException:
                self._everyone.abort()  # release the workers already waiting
                raise
            self._everyone.wait(timeout=600)  # hold this worker: the next job lands on another

        for _ in range(self.workers):
            self._pool.submit(job).add_done_callback(_log_failure)

    def close(self) -> None:
        self._everyone.abort()  # a warm-up still waiting must not keep the process alive
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _archive(self) -> Archive:
        """This worker's own archive, opened on first use."""
        archive: Archive | None = getattr(self._local, "archive", None)
        if archive is None:
            with self._opening:  # the first worker loads the embedder and BM25, others share them
                archive = Archive.open(self.settings, embedder=self._embedder,
                                       lexical=self._lexical)
                self._embedder, self._lexical = archive.embedder, archive.retriever.lexical
            self._local.archive = archive
        return archive


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_DONE = object()


def _warm_up(archive: Archive) -> None:
    """The first-use costs of one archive, paid without calling an LLM."""
    for question in ("warm up", "تجربة"):
        if archive.settings.llm_provider is None:
            archive.ask(question)  # the whole extractive path, refusal calibration included
        else:
            archive.search(question)


def _log_failure(job: Future[None]) -> None:
    if job.exception() is not None:
        log.warning("warming an archive worker up failed: %r", job.exception())
