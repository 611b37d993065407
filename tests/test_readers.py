"""Readers of a store: one Archive used from many threads; re-indexing seen without a reopen."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers import CORPUS, catalog_meta, index_archive, write_jsonl
from killkit import run_akhbar

from assistant.answer import Answer
from assistant.archive import Archive
from assistant.config import load_settings
from assistant.langchain_retriever import AkhbarRetriever
from index.chunk import ChunkSettings
from index.embed import UseEmbedder
from index.errors import StoreError

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["who was blamed for the Erbil attack?", "من يقف وراء الهجمات على أربيل؟",
             "أين ستبنى محطة الطاقة الشمسية؟", "Why did oil prices rise?",
             "Who won the Saudi Super Cup?", "كيف تغير الحرباء لونها؟"]


@pytest.fixture
def archive(seeds_store: Path, use_embedder: UseEmbedder) -> Iterator[Archive]:
    opened = _open(seeds_store, use_embedder)
    yield opened
    opened.close()


def _open(store: Path, embedder: UseEmbedder) -> Archive:
    return Archive.open(load_settings({"store": store}, environ={}), embedder=embedder)


def _key(result: Answer | list[Any]) -> Any:
    """What must be the same however the call was made: the answer and what it cites."""
    if isinstance(result, Answer):
        return result.text, result.refused, [(c.article_id, c.start, c.end) for c in
                                             result.citations]
    return [(h.chunk_id, h.score) for h in result]


def test_one_archive_answers_from_many_threads_at_once(archive: Archive) -> None:
    calls = [(kind, q) for q in QUESTIONS for kind in ("ask", "search")] * 3
    expected = {(kind, q): _key(getattr(archive, kind)(q)) for kind, q in set(calls)}
    start = threading.Barrier(8, timeout=60)

    threads: set[int] = set()

    def run(n: int) -> Any:
        threads.add(threading.get_ident())
        if n < 8:
            start.wait()  # the first eight calls begin together, one per thread
        kind, question = calls[n]
        return _key(getattr(archive, kind)(question))

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(run, range(len(calls))))
    assert got == [expected[call] for call in calls]
    assert len(threads) == 8


def test_an_archive_opened_in_one_thread_answers_in_another(
    seeds_store: Path, use_embedder: UseEmbedder
) -> None:
    with ThreadPoolExecutor(1) as pool:
        opened = pool.submit(_open, seeds_store, use_embedder).result()
    try:
        answer = opened.ask(QUESTIONS[0])  # on this thread, not the one that opened it
        assert not answer.refused and answer.citations
        assert opened.article(answer.citations[0].article_id).text
        # LangChain runs a sync retriever's ainvoke in an executor thread.
        docs = asyncio.run(AkhbarRetriever(archive=opened, k=3).ainvoke(QUESTIONS[0]))
        assert [d.id for d in docs] == [h.chunk_id for h in opened.search(QUESTIONS[0], k=3)]
    finally:
        opened.close()


def test_closing_an_archive_while_other_threads_ask_is_safe(
    seeds_store: Path, use_embedder: UseEmbedder
) -> None:
    """A server shutting down mid-answer (or mid warm-up): no crash, a clear error."""
    opened = _open(seeds_store, use_embedder)
    answered = threading.Semaphore(0)
    errors: list[Exception] = []

    def ask_until_closed() -> None:
        while True:
            try:
                opened.ask(QUESTIONS[0])
                opened.search(QUESTIONS[2])
                answered.release()
            except Exception as err:
                errors.append(err)
                return

    threads = [threading.Thread(target=ask_until_closed) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(4):
        assert answered.acquire(timeout=60)  # they are asking when it closes
    opened.close()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert len(errors) == 4
    assert all(isinstance(e, StoreError) and "closed" in str(e) for e in errors), errors
    opened.close()  # a second close is harmless


def test_ui_workers_serve_every_thread_from_one_archive(seeds_store: Path) -> None:
    """The chat app's calls, and the steps of one streamed answer, on whatever thread."""
    from assistant.ui.workers import ArchiveWorkers
    from index.filters import Filters

    workers = ArchiveWorkers(load_settings({"store": seeds_store}, environ={}), workers=3)
    try:
        meet = threading.Barrier(3, timeout=60)

        def seen(a: Archive) -> tuple[int, int]:
            meet.wait()  # three calls at once, on three threads
            return id(a), threading.get_ident()

        with ThreadPoolExecutor(3) as pool:
            got = list(pool.map(lambda _: workers.call(seen), range(3)))
            assert len({a for a, _ in got}) == 1 and len({t for _, t in got}) == 3
            stream = workers.ask_stream(QUESTIONS[1], Filters())
            events = [pool.submit(next, stream).result() for _ in range(2)]  # two threads
        expected = workers.ask(QUESTIONS[1], Filters())
        assert isinstance(events[-1], Answer) and _key(events[-1]) == _key(expected)
        workers.warm()
    finally:
        workers.close()


MUSEUM = {
    "id": "new-museum", "title": "متحف للمخطوطات", "date": "2015-08-10",
    "source": "صحيفة الطائف", "url": "https://example.org/new-museum",
    "text": "افتتحت بلدية الطائف متحفاً للمخطوطات النادرة يضم ثلاثة آلاف مخطوطة قديمة. "
    "ويعرض المتحف مخطوطات في الفلك والطب كتبت قبل ستة قرون. "
    "وقال مدير المتحف إن الزوار يستطيعون تصفح نسخ رقمية من المخطوطات.",
}


@pytest.mark.slow
def test_an_open_archive_sees_articles_indexed_by_another_process(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    """A running chat (one open Archive) answers over an article that `akhbar index`, in
    another process, added after it opened: no restart, no reopen."""
    before = write_jsonl(tmp_path / "before.jsonl", CORPUS)
    after = write_jsonl(tmp_path / "after.jsonl", [*CORPUS, MUSEUM])
    store = tmp_path / "store"
    index_archive([before], store, use_embedder, chunking=ChunkSettings())
    reader = _open(store, use_embedder)
    try:
        question = "متحف المخطوطات النادرة في الطائف"
        assert all(h.article_id != "new-museum" for h in reader.search(question))
        reader.ask(question)  # calibrates the refusal thresholds for this state
        generation = int(catalog_meta(store, "generation") or 0)

        done = run_akhbar("index", str(after), "--store", str(store), "--quiet", "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["added"] == 1

        hits = reader.search(question, k=3)
        assert hits[0].article_id == "new-museum"
        assert hits[0].lexical > 0  # found by keyword too: the new BM25 index was picked up
        answer = reader.ask(question)
        assert not answer.refused and answer.citations[0].article_id == "new-museum"
        assert int(catalog_meta(store, "generation") or 0) > generation
        assert reader.warning is None
        assert "صحيفة الطائف" in reader.sources()
        only = reader.filters(sources=["صحيفة الطائف"])
        assert {h.article_id for h in reader.search(question, filters=only)} == {"new-museum"}
        assert reader.stats().articles == len(CORPUS) + 1
    finally:
        reader.close()
