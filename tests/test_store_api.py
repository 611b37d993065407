"""The Store's own methods (index.store) and the one Archive API that indexes into it.

Real parts: the bundled embedder, an embedded Chroma in a tmp folder, the real lexical index.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, SMALL_CHUNKS, WORDS, index_archive, write_jsonl

from assistant.archive import Archive
from assistant.config import load_settings
from assistant.retrieve import Filters as ReExported
from assistant.retrieve import Retriever
from index.articles import Problem
from index.build import IndexSettings
from index.embed import UseEmbedder
from index.filters import Filters
from index.reader import StoreReader
from index.store import Snapshot, Store, StoreConfig, open_store

SOURCES = {a["id"]: a["source"] for a in CORPUS}
DATES = {a["id"]: a["date"] for a in CORPUS}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, use_embedder: UseEmbedder) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("api")
    index_archive([write_jsonl(folder / "archive.jsonl", CORPUS)], folder / "store", use_embedder,
                  chunking=SMALL_CHUNKS)
    with closing(open_store(StoreConfig(folder / "store"), create=False)) as opened:
        yield opened


def _articles_of(store: Store, chunk_ids: list[str]) -> set[str]:
    return {row.article_id for row in store.chunks(chunk_ids).values()}


def test_filters_is_one_type_re_exported_by_retrieve() -> None:
    assert ReExported is Filters
    assert Filters(since="2015-08-01", sources=("عكاظ",)).chroma_where() == {"$and": [
        {"day": {"$gte": 20150801}}, {"source": {"$in": ["عكاظ"]}}]}
    assert Filters().chroma_where() is None and Filters().empty


def test_dense_applies_the_filters(store: Store, use_embedder: UseEmbedder) -> None:
    vector = use_embedder.embed_query("أسعار النفط والميزانية")
    everything = _articles_of(store, store.dense(vector, Filters(), 50))
    assert everything == set(SOURCES)  # 50 is more than the store holds: every article
    only = Filters(sources=("عكاظ",))
    assert _articles_of(store, store.dense(vector, only, 50)) == {"health-1", "culture-1"}
    august = Filters(since="2015-08-03", until="2015-08-08")
    assert _articles_of(store, store.dense(vector, august, 50)) == {"culture-1", "tech-1"}
    assert len(store.dense(vector, Filters(), 2)) == 2


def test_lexical_applies_the_filters(store: Store) -> None:
    word = WORDS["eco-1"]  # برنت: only in eco-1, from الرياض
    assert _articles_of(store, store.lexical(word, Filters(), 10).chunk_ids) == {"eco-1"}
    assert store.lexical(word, Filters(sources=("الجزيرة",)), 10).chunk_ids == []
    assert store.lexical(word, Filters(until="2015-08-01"), 10).chunk_ids == []
    found = store.lexical(word, Filters(since="2015-08-02", sources=("الرياض",)), 10)
    assert _articles_of(store, found.chunk_ids) == {"eco-1"} and found.coverage == 1.0
    both = f"{WORDS['health-1']} {WORDS['culture-1']}"
    assert _articles_of(store, store.lexical(both, Filters(), 10).chunk_ids) == {
        "health-1", "culture-1"}
    assert _articles_of(store, store.lexical(both, Filters(until="2015-07-30"), 10)
                        .chunk_ids) == {"health-1"}


def test_synonyms_score_through_their_best_term_within_the_filters(store: Store) -> None:
    sets = [("غبار", "عاصفة"), ("لا-يوجد",)]
    found = store.synonyms(sets, 2, Filters(), 10)
    assert _articles_of(store, found.chunk_ids) == {"weather-1"}
    assert found.coverage == 0.5  # one of the two words has a term in the archive
    assert store.synonyms(sets, 2, Filters(sources=("عكاظ",)), 10).chunk_ids == []


def test_chunks_and_articles_round_trip(store: Store) -> None:
    ids = sorted(store.chunk_ids())
    rows = store.chunks(ids)
    assert set(rows) == set(ids) and store.counts() == (len(CORPUS), len(ids))
    articles = store.articles({row.article_id for row in rows.values()})
    for original in CORPUS:
        got = articles[original["id"]]
        assert (got.title, got.date, got.source, got.url, got.text) == (
            original["title"], original["date"], original["source"], original["url"],
            original["text"])
        assert store.article(original["id"]) == got
    for row in rows.values():  # every span quotes its own article's text
        text = articles[row.article_id].text
        assert text[row.start:row.end].strip() and row.vectors.shape[0] == len(row.sentences)
    assert store.chunk_ids(["eco-1"]) == {c for c, r in rows.items() if r.article_id == "eco-1"}
    assert store.article("no-such-id") is None and store.chunks(["no-such-chunk"]) == {}
    assert dict(store.sources()) == {"الرياض": 2, "الجزيرة": 2, "عكاظ": 2}


def test_meta_round_trip(store: Store) -> None:
    assert store.meta("test-api-key") is None
    store.set_meta("test-api-key", "قيمة")
    assert store.meta("test-api-key") == "قيمة"
    assert store.meta("dirty") == "0"  # the run that built it finished


def test_store_and_snapshot_conform_to_store_reader(store: Store) -> None:
    """Retrieval reads only what StoreReader lists; the Store and a pinned Snapshot both
    implement every method of it with the same parameters."""
    wanted = {name: inspect.signature(getattr(StoreReader, name))
              for name in dir(StoreReader) if not name.startswith("_")}
    assert {"dense", "lexical", "names", "synonyms", "chunks", "articles", "article"} <= set(wanted)
    snapshot = store.snapshot()
    for impl in (Store, Snapshot):
        for name, signature in wanted.items():
            got = inspect.signature(getattr(impl, name))
            assert list(got.parameters) == list(signature.parameters), (impl, name)
    reader: StoreReader = snapshot  # and mypy checks the same (assistant/archive.py)
    assert reader.lexical(WORDS["sport-1"], Filters(), 5).chunk_ids == \
        store.lexical(WORDS["sport-1"], Filters(), 5).chunk_ids


def test_a_retriever_over_the_store_ranks_as_over_its_snapshot(
    store: Store, use_embedder: UseEmbedder,
) -> None:
    question = "متى تنطلق حملة تطعيم الأطفال ضد الحصبة؟"
    direct = Retriever(store, use_embedder).search(question, 3)
    pinned = Retriever(store.snapshot(), use_embedder).search(question, 3)
    assert [h.chunk_id for h in direct] == [h.chunk_id for h in pinned]
    assert direct[0].article_id == "health-1"
    only = Retriever(store, use_embedder).search(question, 3, Filters(sources=("الجزيرة",)))
    assert only and {h.source for h in only} == {"الجزيرة"}


def test_archive_open_create_then_index(
    tmp_path: Path, use_embedder: UseEmbedder, cli_env: None,
) -> None:
    folder = tmp_path / "new-store"
    settings = load_settings({"store": folder}, environ={})
    from assistant.errors import EmptyStoreError
    from index.errors import NoStoreError

    with pytest.raises(NoStoreError, match="no Akhbar store at") as missing:
        Archive.open(settings)
    assert missing.value.path == folder and not folder.exists()
    bad = write_jsonl(tmp_path / "archive.jsonl", [
        *CORPUS, {"id": "empty-1", "title": "", "text": "   "}])
    archive = Archive.open(settings, create=True, embedder=use_embedder)
    try:
        assert archive.is_empty()
        problems: list[Problem] = []
        seen: list[tuple[int, int]] = []
        report = archive.index([bad], IndexSettings(chunking=SMALL_CHUNKS),
                               on_problem=problems.append,
                               progress=lambda n, chars: seen.append((n, chars)))
        assert (report.added, report.skipped) == (len(CORPUS), 1)
        assert [p.kind for p in problems] == ["empty text"] and problems[0].line == len(CORPUS) + 1
        assert seen and seen[-1][0] == len(CORPUS)
        assert not archive.is_empty()
        hits = archive.search(WORDS["tech-1"], k=1)  # the same archive sees what it indexed
        assert hits[0].article_id == "tech-1" and hits[0].lexical > 0
        again = archive.index([bad], IndexSettings(chunking=SMALL_CHUNKS))
        assert (again.added, again.unchanged) == (0, len(CORPUS))
    finally:
        archive.close()
    with closing(open_store(StoreConfig(folder), create=False)) as reopened:
        assert reopened.counts()[0] == len(CORPUS) and reopened.meta("dirty") == "0"
    empty = tmp_path / "empty-store"
    Archive.open(load_settings({"store": empty}, environ={}), create=True,
                 embedder=use_embedder).close()
    with pytest.raises(EmptyStoreError) as raised:
        Archive.open(load_settings({"store": empty}, environ={}), embedder=use_embedder)
    assert raised.value.path == empty


def test_write_needs_one_vector_per_chunk(store: Store) -> None:
    from index.errors import StoreError

    with pytest.raises(StoreError, match="1 vectors for 0 chunks"):
        store.write([], np.zeros((1, 512), dtype=np.float32))
