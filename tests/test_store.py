"""The store: Chroma's answers against a brute-force oracle, the write lock, server mode."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import (
    CHROMA,
    CORPUS,
    SMALL_CHUNKS,
    assert_findable,
    free_port,
    index_archive,
    make_articles,
    run_akhbar,
    snapshot,
    stop_process,
    stored_vectors,
    write_jsonl,
)

from assistant.cli import main
from index.embed import UseEmbedder
from index.errors import ServerAddressError, ServerUnreachableError, StoreError
from index.filters import Filters
from index.store import Store, StoreConfig, open_store

QUERIES = ["أسعار النفط والميزانية", "مباراة كرة القدم في لندن", "حملة تطعيم الأطفال",
           "oil prices and the budget", "افتتاح مستشفى جديد"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, use_embedder: UseEmbedder) -> Iterator[Store]:
    """A store of the inline corpus plus 30 generated articles (about 120 chunks)."""
    folder = tmp_path_factory.mktemp("built")
    archive = write_jsonl(folder / "archive.jsonl", [*CORPUS, *make_articles(30, seed=7)])
    index_archive([archive], folder / "store", use_embedder, chunking=SMALL_CHUNKS)
    store = open_store(StoreConfig(folder / "store"), create=False)
    yield store
    store.close()


def test_chroma_top_k_equals_brute_force(built: Store, use_embedder: UseEmbedder) -> None:
    ids, vectors = stored_vectors(built)
    assert len(ids) > 100
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = np.vstack([use_embedder.embed_query(q) for q in QUERIES] + [vectors[:3] * 0.5])
    k = 10
    for q in queries:
        nearest = built.nearest(q, Filters(), k)
        got_ids, got_dist = [cid for cid, _ in nearest], [d for _, d in nearest]
        distance = 1.0 - unit @ (q / np.linalg.norm(q))
        top = np.argsort(distance, kind="stable")[:k]
        assert got_ids == [ids[i] for i in top]
        np.testing.assert_allclose(got_dist, distance[top], atol=1e-5)


def test_every_chunk_is_found_by_its_own_vector(built: Store) -> None:
    assert_findable(built)


def test_chunk_vectors_are_the_normalised_mean_of_their_sentence_vectors(built: Store) -> None:
    ids, vectors = stored_vectors(built)
    rows = built.chunks(ids)
    for cid, vector in zip(ids, vectors, strict=True):
        mean = rows[cid].vectors.astype(np.float32).mean(axis=0)
        np.testing.assert_allclose(vector, mean / np.linalg.norm(mean), atol=2e-3)
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_a_second_writer_is_refused_while_the_store_is_locked(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    before = snapshot(store_path)
    with closing(open_store(StoreConfig(store_path), create=False)) as store, store.writing():
        done = run_akhbar("index", str(archive), "--store", str(store_path), "--quiet")
    assert done.returncode == 1
    assert "store is locked" in done.stderr
    assert f"being written by akhbar pid {os.getpid()}" in done.stderr
    assert snapshot(store_path) == before
    # The lock is released with the block: the next writer gets in.
    assert index_archive([archive], store_path, use_embedder).report.unchanged == len(CORPUS)


def _wait_for_heartbeat(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chroma run exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"no heartbeat from {url} in {timeout} s")


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [CHROMA, "run", "--host", "127.0.0.1", "--port", str(port),
         "--path", str(tmp_path / "server-data")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_heartbeat(port, server)
        yield f"127.0.0.1:{port}"
    finally:
        stop_process(server, timeout=30)


@pytest.mark.slow
@pytest.mark.usefixtures("cli_env")
def test_index_into_a_chroma_server(
    archive: Path, tmp_path: Path, chroma_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import chromadb

    store = tmp_path / "store"
    flags = ["--store", str(store), "--chroma-server", chroma_server]
    assert main(["index", str(archive), *flags, "--quiet", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["added"] == len(CORPUS)
    assert not (store / "chroma").exists()  # the vectors live in the server only

    host, port = chroma_server.split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    collection = client.get_collection("akhbar")
    got = collection.get(include=["embeddings", "metadatas"])
    assert collection.count() == summary["chunks"] == len(got["ids"])
    assert np.asarray(got["embeddings"]).shape == (summary["chunks"], 512)
    assert {m["article_id"] for m in got["metadatas"]} == {a["id"] for a in CORPUS}
    with closing(open_store(StoreConfig(store, chroma_server), create=False)) as opened:
        assert set(got["ids"]) == opened.chunk_ids()
        assert_findable(opened)

    assert main(["stats", *flags, "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["articles"] == len(CORPUS) and stats["vectors"] == summary["chunks"]

    assert main(["index", str(archive), *flags, "--quiet", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == len(CORPUS)


@pytest.mark.usefixtures("cli_env")
def test_a_dead_chroma_server_is_a_clear_error(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = f"127.0.0.1:{free_port()}"
    store = tmp_path / "store"
    with pytest.raises(StoreError, match=f"cannot reach the Chroma server at {address}") \
            as raised:
        open_store(StoreConfig(store, address), create=True)
    assert isinstance(raised.value, ServerUnreachableError) and raised.value.address == address

    assert main(["index", str(archive), "--store", str(store), "--chroma-server", address,
                 "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"akhbar: error: cannot reach the Chroma server at {address}")
    assert "chroma run --host 127.0.0.1" in err
    assert not store.exists()  # nothing half-made is left behind


def test_a_bad_server_address_says_what_is_expected(tmp_path: Path) -> None:
    with pytest.raises(ServerAddressError, match="bad Chroma server address 'localhost': "
                       "use HOST:PORT") as raised:
        open_store(StoreConfig(tmp_path / "store", "localhost"), create=True)
    assert raised.value.address == "localhost"


# --- generations: the catalog counts its changes, the lexical index records which it is of ---


def test_every_committed_change_bumps_the_generation_the_lexical_index_records(
    archive: Path, write_corpus: Any, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    from index import lexical

    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        first = store.index_state()
    assert first.generation > 0 and first.lexical_generation == first.generation
    assert not first.lexical_stale and not first.dirty and first.lexical_data is not None

    index_archive([archive], store_path, use_embedder)  # nothing changed: nothing moves
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        assert store.index_state() == first

    index_archive([write_corpus(CORPUS[1:], name="less.jsonl")], store_path, use_embedder,
                  prune=True)
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        second = store.index_state()
        stats = store.stats().as_dict()
    assert second.generation > first.generation
    assert second.lexical_generation == second.generation
    assert second.lexical_data != first.lexical_data
    assert first.lexical_data is not None and first.lexical_data.exists()  # kept for readers
    assert (stats["generation"], stats["lexical_generation"]) == (second.generation,) * 2
    assert stats["lexical_stale"] is False and stats["indexing"] is False

    index_archive([archive], store_path, use_embedder)  # a third index: the first one goes
    assert not first.lexical_data.exists()
    current = lexical.built(store_path / "lexical")
    assert current is not None and current.data.exists() and second.lexical_data.exists()


def test_a_lexical_folder_left_half_written_is_never_read_and_is_cleared(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    """A run killed while writing the new BM25 folder: readers keep the complete one."""
    from index.lexical import LexicalIndex

    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    good = LexicalIndex(store_path / "lexical")
    half = store_path / "lexical" / "g999999-deadbeef"
    half.mkdir()
    (half / "indptr.npy").write_bytes(b"torn")
    again = LexicalIndex(store_path / "lexical")
    assert again.folder == good.folder and again.chunk_ids == good.chunk_ids
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        store.set_meta("dirty", "1")  # as the killed run left it
    index_archive([archive], store_path, use_embedder)
    assert not half.exists()
    assert set(LexicalIndex(store_path / "lexical").chunk_ids) == set(good.chunk_ids)


def test_a_lexical_index_from_before_generations_is_read_then_replaced(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    from index.lexical import POINTER, LexicalIndex

    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    folder = store_path / "lexical"
    data = LexicalIndex(folder).folder
    for path in data.iterdir():  # the older layout: the files in lexical/ itself
        path.rename(folder / path.name)
    data.rmdir()
    (folder / POINTER).unlink()
    legacy = LexicalIndex(folder)
    assert legacy.generation is None and legacy.folder == folder
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        assert not store.index_state().lexical_stale  # trusted: no run died after it
    index_archive([archive], store_path, use_embedder)
    assert not (folder / "indptr.npy").exists()  # moved into a generation folder
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        state = store.index_state()
    assert state.lexical_generation == state.generation
    assert set(LexicalIndex(folder).chunk_ids) == set(legacy.chunk_ids)


def test_a_restricted_lexical_index_skips_chunks_no_longer_stored(built: Store) -> None:
    from index.lexical import LexicalIndex

    index = LexicalIndex(built.lexical_dir)
    query = "ارتفعت أسعار خام برنت"
    full = index.search(query, 10)
    assert full.chunk_ids
    dead = full.chunk_ids[0]
    alive = np.asarray([cid != dead for cid in index.chunk_ids])
    restricted = index.restricted(alive)
    got = restricted.search(query, 10, mask=restricted.mask())
    assert dead not in got.chunk_ids and got.chunk_ids == [c for c in full.chunk_ids
                                                            if c != dead][: len(got.chunk_ids)]
    assert index.search(query, 10).chunk_ids == full.chunk_ids  # the original is untouched
    sources = restricted.mask(sources=["الرياض"])
    assert sources is not None and not sources[index.chunk_ids.index(dead)]


def test_the_store_reads_and_writes_from_any_thread(built: Store) -> None:
    """One writer, many readers: a store (its catalog) opened on one thread serves every
    other."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    store = built
    ids = sorted(store.chunk_ids())
    start = threading.Barrier(6, timeout=60)

    def read(n: int) -> tuple[int, int]:
        start.wait()
        rows = store.chunks(ids[n::6])
        return len(rows), store.counts()[1]

    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(read, range(6)))
        pool.submit(store.set_meta, "test-thread", "written").result()
    assert sum(n for n, _ in got) == len(ids)
    assert {total for _, total in got} == {len(ids)}
    assert store.meta("test-thread") == "written"
