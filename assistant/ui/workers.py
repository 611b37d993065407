"""The archive, served to the chat app.

One Archive serves every Gradio thread: it may be used from any thread, and Gradio may advance
one streamed answer on several of them. It also notices re-indexing between questions
(assistant.archive), so a running chat answers over articles indexed after it started.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from assistant.answer import Answer
from assistant.archive import Archive, Delta
from assistant.chat import Turn
from assistant.config import Settings
from index.filters import Filters

T = TypeVar("T")
log = logging.getLogger(__name__)


class ArchiveWorkers:
    """The chat app's archive. `workers` is how many calls the app runs at once (its queue
    bounds them); they all share the one Archive."""

    def __init__(self, settings: Settings, *, workers: int) -> None:
        self.settings = settings
        self.workers = workers
        self.archive = Archive.open(settings)  # opens (and so checks) the store: errors here
        self._closed = threading.Event()

    def call(self, fn: Callable[[Archive], T]) -> T:
        """fn(archive), on the calling thread."""
        return fn(self.archive)

    def ask_stream(
        self, question: str, scope: Filters, history: Sequence[Turn] = (),
    ) -> Iterator[Delta | Answer]:
        """Archive.ask_stream over `scope` (its outlet names as typed: checked against the
        archive's, case-insensitively); closing this iterator stops the answer early."""
        archive = self.archive
        yield from archive.ask_stream(question, filters=_resolved(archive, scope),
                                      history=history)

    def ask(self, question: str, scope: Filters, history: Sequence[Turn] = ()) -> Answer:
        return self.archive.ask(question, filters=_resolved(self.archive, scope),
                                history=history)

    def warm(self) -> None:
        """Pay the first-use costs (calibrating refusals) in the background, so that no
        user waits for them."""

        def job() -> None:
            try:
                _warm_up(self.archive)
            except Exception as err:
                if not self._closed.is_set():
                    log.warning("warming the archive up failed: %r", err)

        threading.Thread(target=job, name="akhbar-warm-up", daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        self.archive.close()


def _resolved(archive: Archive, scope: Filters) -> Filters:
    """The archive's filters for `scope` (Archive.filters: outlet names matched)."""
    return archive.filters(since=scope.since, until=scope.until, sources=scope.sources)


def _warm_up(archive: Archive) -> None:
    """The first-use costs of the archive, paid without calling an LLM."""
    for question in ("warm up", "تجربة"):
        if archive.settings.llm_provider is None:
            archive.ask(question)  # the whole extractive path, refusal calibration included
        else:
            archive.search(question)
