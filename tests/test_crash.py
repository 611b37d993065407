"""Crash safety: a run killed at any point, then run again, leaves the store it would have built."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import (
    SMALL_CHUNKS,
    Snapshot,
    assert_findable,
    catalog_count,
    catalog_meta,
    index_archive,
    make_articles,
    snapshot,
    stored_vectors,
    write_jsonl,
)

from index.embed import UseEmbedder
from index.store import StoreConfig, open_store

# A child that indexes in small batches, slowed a little per embedding call and after each
# batch's vectors are written, so that a kill after a random delay lands while it writes
# (often between a batch's vectors and its catalog commit), whatever the machine's speed.
CHILD = """
import sys, time
from pathlib import Path
from index.build import IndexSettings, build
from index.chunk import ChunkSettings
from index.embed import UseEmbedder
from index.store import Store, StoreConfig, open_store

class Slow(UseEmbedder):
    def embed_documents(self, texts):
        time.sleep(0.02)
        return super().embed_documents(texts)

add_vectors = Store._add_vectors
def add_then_wait(self, *args):
    add_vectors(self, *args)
    time.sleep(0.05)  # widen the window between a batch's vectors and its catalog commit
Store._add_vectors = add_then_wait

archive, store_path, prune, *chunking = sys.argv[1:]
settings = IndexSettings(chunking=ChunkSettings(*map(int, chunking)), prune=prune == "prune",
                         batch_articles=4)
embedder = Slow()
embedder.embed_documents(["تحميل"])  # load the weights before the run starts writing
store = open_store(StoreConfig(Path(store_path)), create=True)
build([Path(archive)], store, embedder, settings, on_problem=lambda p: None)
store.close()
"""
BATCH = 4


def _spawn(archive: Path, store: Path, *, prune: bool) -> subprocess.Popen[bytes]:
    chunking = (SMALL_CHUNKS.max_chars, SMALL_CHUNKS.overlap_chars, SMALL_CHUNKS.sentence_chars)
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(archive), str(store), "prune" if prune else "-",
         *map(str, chunking)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _wait_until_writing(child: subprocess.Popen[bytes], store: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while catalog_meta(store, "dirty") != "1":
        if child.poll() is not None or time.monotonic() > deadline:
            err = child.stderr.read().decode() if child.stderr else ""
            raise AssertionError(f"the child never started writing (exit {child.poll()}): {err}")
        time.sleep(0.01)


def _assert_same_store(store: Path, reference: Path, expected: Snapshot) -> None:
    assert snapshot(store) == expected
    with closing(open_store(StoreConfig(store), create=False)) as got, \
            closing(open_store(StoreConfig(reference), create=False)) as ref:
        ids, vectors = stored_vectors(got)
        ref_ids, ref_vectors = stored_vectors(ref)
        assert ids == ref_ids
        np.testing.assert_allclose(vectors, ref_vectors, atol=1e-4)
        assert_findable(got)


def _edited(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Five articles gone, five changed, five new."""
    changed = [
        {**a, "text": a["text"] + " وأكد المسؤول أن المشروع يحظى بدعم كبير."} if 10 <= i < 15
        else a
        for i, a in enumerate(articles)
    ]
    return changed[5:] + make_articles(45, seed=3)[40:]


@pytest.mark.slow
def test_killed_runs_resume_to_the_reference_store(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    articles = make_articles(40, seed=3)
    v1 = write_jsonl(tmp_path / "v1.jsonl", articles)
    v2 = write_jsonl(tmp_path / "v2.jsonl", _edited(articles))
    ref1, ref2 = tmp_path / "ref1", tmp_path / "ref2"
    index_archive([v1], ref1, use_embedder, batch_articles=BATCH)
    index_archive([v2], ref2, use_embedder, batch_articles=BATCH, prune=True)
    expected1, expected2 = snapshot(ref1), snapshot(ref2)
    assert expected1.dirty == expected2.dirty == "0"
    assert expected1.article_ids != expected2.article_ids

    rng = random.Random(20150721)
    mid_run = recovered = 0
    for round_ in range(4):
        store = tmp_path / f"run{round_}"
        archive, prune, reference, expected = v1, False, ref1, expected1
        if round_ == 3:  # a kill during a re-index after the archive changed
            index_archive([v1], store, use_embedder, batch_articles=BATCH)
            archive, prune, reference, expected = v2, True, ref2, expected2
        child = _spawn(archive, store, prune=prune)
        try:
            _wait_until_writing(child, store)
            time.sleep(0.0 if round_ == 0 else rng.uniform(0.1, 0.8))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            if child.stderr:
                child.stderr.close()
        if child.returncode == -signal.SIGKILL and catalog_meta(store, "dirty") == "1":
            # Killed while writing: part of v1 committed, or anywhere in the re-index.
            mid_run += round_ == 3 or 0 < catalog_count(store) < len(articles)

        report = index_archive([archive], store, use_embedder, batch_articles=BATCH,
                               prune=prune).report
        recovered += sum(report.recovered)
        assert report.skipped == 0
        _assert_same_store(store, reference, expected)
    assert mid_run >= 1, "no kill landed while the run was writing"
    print(f"{mid_run} kills landed mid-run; {recovered} vectors or articles recovered")


def test_orphan_vectors_are_dropped_after_a_crash(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    """Died after writing vectors, before the catalog: the vectors go."""
    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    expected = snapshot(store_path)
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        ids, vectors = stored_vectors(store)
        store._add_vectors(["orphan-1", "orphan-2"], vectors[:2],
                          [{"article_id": "x"}, {"article_id": "y"}])
        store.set_meta("dirty", "1")
    report = index_archive([archive], store_path, use_embedder).report
    assert report.recovered == (2, 0)
    assert snapshot(store_path) == expected


def test_articles_missing_vectors_are_redone_after_a_crash(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    """A catalog chunk without its vector: the article is dropped and embedded again."""
    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    expected = snapshot(store_path)
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        chunk_ids = sorted(store.chunk_ids(["eco-1"]))
        assert len(chunk_ids) > 1
        store._delete_vectors(chunk_ids[:1])
        store.set_meta("dirty", "1")
    report = index_archive([archive], store_path, use_embedder).report
    assert report.recovered == (0, 1)
    assert (report.added, report.unchanged) == (1, 5)
    assert snapshot(store_path) == expected


def test_lexical_index_is_rebuilt_after_a_run_that_died_at_the_end(
    archive: Path, write_corpus: Any, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    """Died after the last catalog write, before the BM25 rebuild: the next run rebuilds it."""
    from helpers import CORPUS

    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    old_lexical = tmp_path / "old-lexical"
    shutil.copytree(store_path / "lexical", old_lexical)
    smaller = write_corpus(CORPUS[:-1], name="smaller.jsonl")
    index_archive([smaller], store_path, use_embedder, prune=True)
    # Put back the lexical index from before that run, as if it had died before rebuilding it.
    shutil.rmtree(store_path / "lexical")
    shutil.copytree(old_lexical, store_path / "lexical")
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        store.set_meta("dirty", "1")
    assert snapshot(store_path).lexical_ids != snapshot(store_path).chunk_ids

    report = index_archive([smaller], store_path, use_embedder, prune=True).report
    assert (report.added, report.updated, report.pruned) == (0, 0, 0)
    after = snapshot(store_path)
    assert after.lexical_ids == after.chunk_ids and after.dirty == "0"


def test_a_half_stored_article_leaves_no_vectors_behind(
    archive: Path, write_corpus: Any, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    """A broken article that the next run's archive no longer holds is gone, vectors and all."""
    from helpers import CORPUS

    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        chunk_ids = sorted(store.chunk_ids(["eco-1"]))
        store._delete_vectors(chunk_ids[:1])
        store.set_meta("dirty", "1")
    without = write_corpus(CORPUS[1:], name="without.jsonl")
    report = index_archive([without], store_path, use_embedder, prune=True).report
    assert report.recovered == (0, 1)
    after = snapshot(store_path)
    assert "eco-1" not in after.article_ids
    assert set(after.vector_ids) == after.chunk_ids == after.lexical_ids


# --- a real `akhbar index`, SIGKILLed at the BM25 rebuild (tests/killkit.py) ---

NEW_ARTICLE = {
    "id": "new-museum", "title": "متحف للمخطوطات", "date": "2015-08-10", "source": "عكاظ",
    "url": "https://example.org/new-museum",
    "text": "افتتحت بلدية الطائف متحفاً للمخطوطات النادرة يضم ثلاثة آلاف مخطوطة قديمة. "
    "ويعرض المتحف مخطوطات في الفلك والطب كتبت قبل ستة قرون. "
    "وقال مدير المتحف إن الزوار يستطيعون تصفح نسخ رقمية من المخطوطات.",
}
MUSEUM_AR = "متحف المخطوطات النادرة في الطائف"


def _versions(tmp_path: Path) -> tuple[Path, Path]:
    """v1; v2 without eco-1 and five generated articles, with one new article."""
    from helpers import CORPUS

    generated = make_articles(20, seed=11)
    v1 = write_jsonl(tmp_path / "v1.jsonl", [*CORPUS, *generated])
    v2 = write_jsonl(tmp_path / "v2.jsonl", [*CORPUS[1:], *generated[5:], NEW_ARTICLE])
    return v1, v2


def _archive(store: Path, embedder: UseEmbedder) -> Any:
    from assistant.archive import Archive
    from assistant.config import load_settings

    return Archive.open(load_settings({"store": store}, environ={}), embedder=embedder)


def _kill_at(stage: str, archives: list[Path], store: Path, tmp_path: Path, *,
             prune: bool = False) -> None:
    from killkit import sigkill, spawn_index, wait_for_signal

    signal_file = tmp_path / "reached"
    child = spawn_index(archives, store, prune=prune, hook=stage, signal_file=signal_file)
    try:
        wait_for_signal(child, signal_file)
    finally:
        status = sigkill(child)
    assert status == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["lexical:1:before", "publish:1:before"])
def test_a_kill_at_the_lexical_rebuild_is_seen_by_readers_and_repaired(
    stage: str, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    """Killed after the catalog and vectors of a re-index, before its BM25 index was in
    place: readers keep the last complete one and say it is out of date; `stats` shows it;
    answers still come; the next run repairs the store to what an uninterrupted run builds."""
    from killkit import differences, digest, lexical_out_of_step, run_akhbar, stats_json

    from index.chunk import ChunkSettings
    from index.lexical import LexicalIndex

    v1, v2 = _versions(tmp_path)
    store, reference = tmp_path / "store", tmp_path / "reference"
    for path in (store, reference):
        index_archive([v1], path, use_embedder, chunking=ChunkSettings())
    old_lexical = set(LexicalIndex(store / "lexical").chunk_ids)
    index_archive([v2], reference, use_embedder, chunking=ChunkSettings(), prune=True)
    early = _archive(store, use_embedder)  # a reader open before the run (a chat server)
    try:
        _kill_at(stage, [v2], store, tmp_path, prune=True)
        assert lexical_out_of_step(store)  # the files say so, whatever the marks say
        # The last complete index is still there, whole (the new one was never swapped in).
        assert set(LexicalIndex(store / "lexical").chunk_ids) == old_lexical

        stats = stats_json(store)
        assert stats["lexical_stale"] is True and stats["lexical_missing"] is False
        assert stats["indexing"] is False  # the writer is dead, not running
        assert isinstance(stats["generation"], int)
        assert isinstance(stats["lexical_generation"], int)
        assert stats["generation"] > stats["lexical_generation"]

        for reader in (early, _archive(store, use_embedder)):  # open before, and after
            warning = reader.warning
            assert warning is not None and not warning.missing and warning.indexing_pid is None
            assert "out of date" in warning.message and "akhbar index" in warning.message
            # Answers still come: the new article by meaning, a kept one by keyword too.
            museum = reader.search(MUSEUM_AR, k=3)
            assert museum[0].article_id == "new-museum" and museum[0].lexical == 0
            measles = reader.search("الحصبة", k=3)
            assert measles[0].article_id == "health-1" and measles[0].lexical > 0
            answer = reader.ask(MUSEUM_AR)
            assert not answer.refused
            assert any(c.article_id == "new-museum" for c in answer.citations)
            assert "eco-1" not in {h.article_id for h in reader.search("برنت", k=5)}
        done = run_akhbar("ask", MUSEUM_AR, "--store", str(store), "--json")
        assert done.returncode == 0, done.stderr
        assert "new-museum" in {c["article_id"] for c in json.loads(done.stdout)["citations"]}
        assert "akhbar: warning: " in done.stderr and "out of date" in done.stderr
        shown = run_akhbar("stats", "--store", str(store))
        assert "warning: the keyword index is out of date" in shown.stdout
        assert "run `akhbar index` on the archive again" in shown.stdout

        repaired = index_archive([v2], store, use_embedder, chunking=ChunkSettings(),
                                 prune=True).report
        assert (repaired.added, repaired.updated, repaired.pruned) == (0, 0, 0)
        assert differences(digest(store), digest(reference)) == []
        after = stats_json(store)
        assert after["lexical_stale"] is False
        assert after["generation"] == after["lexical_generation"]
        assert early.warning is None  # the open reader picks the repaired index up
        assert early.search(MUSEUM_AR, k=1)[0].lexical > 0
    finally:
        early.close()


@pytest.mark.slow
def test_a_first_run_killed_before_its_lexical_index_still_answers(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    """The first run ever, killed after its articles were committed but before BM25 existed:
    answers come from the dense list, with a warning that the keyword index is missing."""
    from killkit import differences, digest, lexical_out_of_step, run_akhbar, stats_json

    from index.chunk import ChunkSettings

    _, v2 = _versions(tmp_path)
    store, reference = tmp_path / "store", tmp_path / "reference"
    index_archive([v2], reference, use_embedder, chunking=ChunkSettings())
    _kill_at("lexical:1:before", [v2], store, tmp_path)
    assert catalog_count(store) == catalog_count(reference) > 0
    assert lexical_out_of_step(store)

    done = run_akhbar("ask", MUSEUM_AR, "--store", str(store), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["citations"][0]["article_id"] == "new-museum"
    reader = _archive(store, use_embedder)
    try:
        answer = reader.ask(MUSEUM_AR)
        assert not answer.refused
        assert answer.citations[0].article_id == "new-museum"
        assert all(h.lexical == 0 for h in reader.search("الحصبة", k=5))  # no keyword list
        warning = reader.warning
        assert warning is not None and warning.missing
        assert "missing" in warning.message and "akhbar index" in warning.message
        stats = stats_json(store)
        assert stats["lexical_missing"] is True and stats["lexical_stale"] is True

        index_archive([v2], store, use_embedder, chunking=ChunkSettings())
        assert differences(digest(store), digest(reference)) == []
        assert reader.warning is None
        assert reader.search("الحصبة", k=1)[0].lexical > 0
    finally:
        reader.close()
