"""The store: a folder with the catalog, the lexical index, a lock, and Chroma's vectors.

Chroma runs embedded (``PersistentClient`` in ``<store>/chroma``) or as a server (``chroma run``);
either way the catalog and the lexical index stay in the store folder.

The catalog's generation counts its committed changes; the lexical index records the
generation it was built from. :meth:`Store.index_state` compares the two (cheaply: one SQL
read and one small file), which is how readers notice that the store changed, or that a run
died before the lexical index caught up.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index import lexical as bm25
from index.catalog import ArticleRecord, Catalog, ChunkRow, StoredArticle
from index.embed import ModelInfo
from index.errors import (
    ChunkingMismatchError,
    ModelMismatchError,
    NoStoreError,
    ServerAddressError,
    ServerUnreachableError,
    StoreError,
    StoreLockedError,
)
from index.filters import Filters, day_number
from index.lexical import LexicalHits, LexicalIndex

__all__ = ["COLLECTION", "IndexState", "Snapshot", "Store", "StoreConfig", "StoreStats",
           "chroma_metadata", "day_number", "open_store"]

COLLECTION = "akhbar"
SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class StoreConfig:
    path: Path
    server: str | None = None  # "host:port" of a `chroma run` server; None: embedded
    collection: str = COLLECTION


@dataclass(frozen=True)
class IndexState:
    """Where the catalog and the lexical index stand, as a reader sees them now."""

    generation: int  # the catalog's: bumped by every committed change
    lexical_generation: int | None  # what the lexical index was built from; None: not recorded
    lexical_missing: bool  # no lexical index at all (a first run killed before building it)
    dirty: bool  # a run is writing, or one died half-way
    writer_pid: int | None = None  # the live process holding the write lock, if any
    lexical_data: Path | None = None  # the lexical index's files in use

    @property
    def lexical_stale(self) -> bool:
        """The lexical index is not the one built from the catalog as it is now."""
        if self.lexical_missing:
            return True
        if self.lexical_generation is None:  # an index from before generations: trust it
            return self.dirty  # unless a run died after it was built
        return self.lexical_generation != self.generation

    @property
    def indexing(self) -> bool:
        return self.writer_pid is not None


@dataclass(frozen=True)
class StoreStats:
    articles: int
    chunks: int
    vectors: int
    model: str
    dim: int
    chunking: str
    sources: list[tuple[str, int]]
    first_date: str | None
    last_date: str | None
    state: IndexState | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "articles": self.articles, "chunks": self.chunks, "vectors": self.vectors,
            "model": self.model, "dim": self.dim, "chunking": self.chunking,
            "sources": dict(self.sources), "first_date": self.first_date,
            "last_date": self.last_date,
        }
        if self.state is not None:
            out.update({
                "generation": self.state.generation,
                "lexical_generation": self.state.lexical_generation,
                "lexical_stale": self.state.lexical_stale,
                "lexical_missing": self.state.lexical_missing,
                "indexing": self.state.indexing,
            })
        return out


def chroma_client(config: StoreConfig) -> Any:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if config.server:
        host, _, port = config.server.rpartition(":")
        if not host or not port.isdigit():
            raise ServerAddressError(config.server)
        try:
            return chromadb.HttpClient(host=host, port=int(port), settings=settings)
        except Exception as err:  # chromadb raises bare ValueError/ConnectionError here
            raise ServerUnreachableError(host, int(port), str(err).rstrip(".")) from err
    return chromadb.PersistentClient(path=str(config.path / "chroma"), settings=settings)


class Snapshot:
    """The store as one search reads it: the lexical index loaded for `state` (restricted to
    the chunks still stored when it is out of step), beside the store's catalog and vectors.

    A :class:`index.reader.StoreReader`; safe to share between threads. Filters become the
    lexical index's mask here (remembered per Filters) and Chroma's ``where`` in the store.
    """

    MASKS = 64  # filters whose mask is remembered

    def __init__(self, store: Store, state: IndexState, loaded: LexicalIndex,
                 searched: LexicalIndex) -> None:
        self.store = store
        self.state = state
        self.loaded = loaded  # as read from disk (what a later snapshot may reuse)
        self._lexical = searched
        self._masks: dict[Filters, np.ndarray | None] = {}

    @property
    def lexical_generation(self) -> int | None:
        return self.loaded.generation

    def _mask(self, filters: Filters) -> np.ndarray | None:
        try:
            return self._masks[filters]
        except KeyError:
            pass
        mask = self._lexical.mask(since=filters.since, until=filters.until,
                                  sources=filters.sources or None)
        if len(self._masks) >= self.MASKS:
            self._masks.clear()
        self._masks[filters] = mask
        return mask

    def dense(self, vector: np.ndarray, filters: Filters, n: int) -> list[str]:
        return self.store.dense(vector, filters, n)

    def lexical(self, query: str, filters: Filters, n: int) -> LexicalHits:
        return self._lexical.search(query, n, mask=self._mask(filters))

    def names(self, names: Sequence[str], filters: Filters, n: int) -> LexicalHits:
        return self._lexical.search_names(names, n, mask=self._mask(filters))

    def synonyms(
        self, sets: Sequence[Sequence[str]], words: int, filters: Filters, n: int,
    ) -> LexicalHits:
        return self._lexical.search_synonyms(sets, words, n, mask=self._mask(filters))

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        return self._lexical.idf(terms)

    def df(self, term: str) -> int:
        """How many of the searched passages hold `term` (index.tokens); 0 when none."""
        found = self._lexical.vocab.get(term)
        if found is None:
            return 0
        return int(self._lexical.indptr[found + 1] - self._lexical.indptr[found])

    @property
    def passages(self) -> int:
        """How many passages the lexical index searches."""
        return len(self._lexical.chunk_ids)

    def chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        return self.store.chunks(ids)

    def articles(self, ids: Iterable[str]) -> dict[str, StoredArticle]:
        return self.store.articles(ids)

    def article(self, article_id: str) -> StoredArticle | None:
        return self.store.article(article_id)


class Store:
    """The catalog, Chroma's vectors and the lexical index behind one set of methods.

    Open with :func:`open_store`. Reads are safe from any thread; the lexical reads use the
    store as it is now (:meth:`snapshot` pins one state for a whole search). Write only inside
    :meth:`writing`: :meth:`begin_run`, then :meth:`write` / :meth:`delete_articles`, then
    :meth:`finish_run`, which keep the crash-safety rules (vectors before the catalog; the
    lexical index rebuilt from the catalog and swapped in whole; the ``dirty`` mark).
    """

    def __init__(
        self, config: StoreConfig, catalog: Catalog, collection: Any, client: Any = None,
    ) -> None:
        self.config = config
        self._catalog = catalog
        self._collection = collection
        self._client = client  # closed with the store (None: someone else's)
        self._latest: tuple[IndexState, Snapshot] | None = None
        self._latest_lock = threading.Lock()
        self._was_dirty = False  # the run begun found the store dirty (a run died)

    @property
    def lexical_dir(self) -> Path:
        return self.config.path / "lexical"

    @property
    def lock_path(self) -> Path:
        return self.config.path / "write.lock"

    # --- state ---
    def index_state(self) -> IndexState:
        """The catalog's generation against the lexical index's (cheap: for every question)."""
        meta = self._catalog.get_metas("generation", "dirty")
        lexical = bm25.built(self.lexical_dir)
        dirty = meta.get("dirty") == "1"
        generation = meta.get("generation", "0")
        return IndexState(
            generation=int(generation) if generation.isdigit() else 0,
            lexical_generation=lexical.generation if lexical else None,
            lexical_missing=lexical is None, dirty=dirty,
            writer_pid=self.writer_pid() if dirty else None,
            lexical_data=lexical.data if lexical else None,
        )

    def writer_pid(self) -> int | None:
        """The pid of the live process that holds the write lock, if any (a killed writer
        leaves its pid in the lock file, but no live process behind it)."""
        try:
            text = self.lock_path.read_text().strip()
        except OSError:
            return None
        pid = text.rpartition(" ")[2]
        if not text.startswith("akhbar pid ") or not pid.isdigit():
            return None
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return None
        except PermissionError:  # alive, someone else's
            pass
        return int(pid)

    def snapshot(self, state: IndexState | None = None,
                 previous: Snapshot | None = None) -> Snapshot:
        """The store at `state` (default: now) for one search or many: the lexical index
        `previous` loaded is reused when it is still the one in use.

        When the lexical index is out of step (a run is writing, or one died before rebuilding
        it) the last complete one is searched among the chunks still stored; when it is
        missing or damaged, an empty one stands in (the dense list still answers).
        """
        state = state or self.index_state()
        before = previous.loaded if previous is not None else None
        if before is not None and not before.missing and before.folder == state.lexical_data:
            loaded = before
        elif state.lexical_missing:
            loaded = LexicalIndex.empty(self.lexical_dir)
        else:
            try:
                loaded = LexicalIndex(self.lexical_dir)
            except StoreError:  # removed or damaged since: answer from the dense list
                loaded = LexicalIndex.empty(self.lexical_dir)
                state = replace(state, lexical_missing=True, lexical_data=None)
        if not state.lexical_missing:  # what was loaded, should the pointer have moved since
            state = replace(state, lexical_generation=loaded.generation,
                            lexical_data=loaded.folder)
        searched = loaded
        if state.lexical_stale and loaded.chunk_ids:  # deleted chunks' entries: not searched
            stored = self._catalog.all_chunk_ids()
            searched = loaded.restricted(
                np.fromiter((c in stored for c in loaded.chunk_ids), dtype=bool,
                            count=len(loaded.chunk_ids)))
        return Snapshot(self, state, loaded, searched)

    def _now(self) -> Snapshot:
        """The snapshot of the store as it is now (reloaded when it changed)."""
        state = self.index_state()
        with self._latest_lock:
            latest = self._latest
            if latest is None or latest[0] != state:
                latest = (state, self.snapshot(state, latest[1] if latest else None))
                self._latest = latest
            return latest[1]

    # --- reads (index.reader.StoreReader) ---
    def dense(self, vector: np.ndarray, filters: Filters, n: int) -> list[str]:
        """Ids of the `n` chunks nearest `vector` (cosine), best first, within `filters`."""
        return [cid for cid, _ in self.nearest(vector, filters, n)]

    def nearest(self, vector: np.ndarray, filters: Filters, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine distance) of the `n` nearest chunks, best first."""
        n = min(n, int(self._collection.count()))
        if n <= 0:
            return []
        found = self._collection.query(
            query_embeddings=[vector.tolist()], n_results=n,
            where=filters.chroma_where(), include=["distances"],
        )
        return list(zip(found["ids"][0], (float(d) for d in found["distances"][0]),
                        strict=True))

    def lexical(self, query: str, filters: Filters, n: int) -> LexicalHits:
        return self._now().lexical(query, filters, n)

    def names(self, names: Sequence[str], filters: Filters, n: int) -> LexicalHits:
        return self._now().names(names, filters, n)

    def synonyms(
        self, sets: Sequence[Sequence[str]], words: int, filters: Filters, n: int,
    ) -> LexicalHits:
        return self._now().synonyms(sets, words, filters, n)

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        return self._now().idf(terms)

    def chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        return self._catalog.chunks(ids)

    def articles(self, ids: Iterable[str]) -> dict[str, StoredArticle]:
        return self._catalog.articles(ids)

    def article(self, article_id: str) -> StoredArticle | None:
        return self._catalog.article(article_id)

    def newest(self, n: int) -> list[StoredArticle]:
        """The n most recent dated articles, newest first."""
        return self._catalog.newest(n)

    def years(self) -> frozenset[int]:
        """The years the articles are dated in (undated ones aside)."""
        return self._catalog.years()

    def date_range(self) -> tuple[str | None, str | None]:
        """The first and last dates of the dated articles."""
        return self._catalog.date_range()

    # --- other reads ---
    def sources(self) -> list[tuple[str, int]]:
        """(outlet, articles) by count, most first."""
        return self._catalog.sources()

    def counts(self) -> tuple[int, int]:
        """(articles, chunks) in the catalog."""
        return self._catalog.counts()

    def meta(self, key: str) -> str | None:
        return self._catalog.get_meta(key)

    def set_meta(self, key: str, value: str) -> None:
        self._catalog.set_meta(key, value)

    def generation(self) -> int:
        return self._catalog.generation()

    def article_ids(self) -> set[str]:
        return self._catalog.all_article_ids()

    def chunk_ids(self, article_ids: Sequence[str] | None = None) -> set[str]:
        """Every stored chunk id, or those of `article_ids`."""
        if article_ids is None:
            return self._catalog.all_chunk_ids()
        return set(self._catalog.chunk_ids_of(article_ids))

    def hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """The stored hash (build.article_hash) of each of `ids` that is stored."""
        return self._catalog.hashes(ids)

    def id_for_text(self, text_hash: str) -> str | None:
        """The id of a stored article with this normalised-text hash, if any."""
        return self._catalog.id_for_text(text_hash)

    def vectors(self) -> tuple[list[str], np.ndarray]:
        """Every (chunk id, vector) in Chroma, sorted by id."""
        got = self._collection.get(include=["embeddings"])
        order = np.argsort(got["ids"])
        ids = [got["ids"][i] for i in order]
        return ids, np.asarray(got["embeddings"], dtype=np.float32).reshape(len(ids), -1)[order]

    def vector_count(self) -> int:
        return int(self._collection.count())

    def model(self) -> ModelInfo | None:
        name, dim = self.meta("model"), self.meta("dim")
        return None if name is None or dim is None else ModelInfo(name, int(dim))

    def check_model(self, model: ModelInfo, chunking: str | None = None) -> None:
        """Record the model on first use; refuse another one afterwards (and other chunk
        settings, unless `chunking` is None: a reader, which does not chunk)."""
        built = self.model()
        if built is None:
            if chunking is None:
                return
            self.set_meta("model", model.name)
            self.set_meta("dim", str(model.dim))
            self.set_meta("chunking", chunking)
            self.set_meta("schema", SCHEMA_VERSION)
            return
        if built != model:
            raise ModelMismatchError(self.config.path, built.describe(), model.describe(),
                                     built_flag=built.flag)
        chunked = self.meta("chunking")
        if chunking is not None and chunked != chunking:
            raise ChunkingMismatchError(self.config.path, chunked or "", chunking)

    def stats(self) -> StoreStats:
        articles, chunks = self.counts()
        model = self.model()
        first, last = self._catalog.date_range()
        return StoreStats(
            articles=articles, chunks=chunks, vectors=self.vector_count(),
            model=model.name if model else "", dim=model.dim if model else 0,
            chunking=self.meta("chunking") or "",
            sources=self.sources(), first_date=first, last_date=last,
            state=self.index_state(),
        )

    # --- writes ---
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock (one writer at a time; readers are not blocked)."""
        handle = open(self.lock_path, "a+")  # noqa: SIM115 - held for the whole block
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            handle.close()
            raise StoreLockedError(self.config.path, owner) from err
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"akhbar pid {os.getpid()}")
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def begin_run(self, model: ModelInfo, chunking: str) -> tuple[int, int]:
        """Start an indexing run (inside :meth:`writing`): check the model, repair what a
        run that died left behind, and mark the store dirty until :meth:`finish_run`.

        Returns (orphan vectors dropped, half-written articles dropped) by the repair.
        """
        self.check_model(model, chunking)
        self._was_dirty = self.meta("dirty") == "1"
        recovered = self.reconcile() if self._was_dirty else (0, 0)
        self.set_meta("dirty", "1")
        return recovered

    def write(self, records: Sequence[ArticleRecord], vectors: np.ndarray) -> None:
        """Store articles with their chunks; `vectors` holds one row per chunk, in the order
        of `records` and their chunks. The vectors go in first, then the catalog (in one
        transaction), then the vectors of the articles' chunks that are gone: a crash at any
        point leaves at worst vectors the catalog does not know, which the next run drops."""
        ids = [chunk.id for rec in records for chunk in rec.chunks]
        if len(ids) != len(vectors):
            raise StoreError(f"{len(vectors)} vectors for {len(ids)} chunks")
        if ids:
            metadatas = [chroma_metadata(rec.article) for rec in records for _ in rec.chunks]
            self._add_vectors(ids, np.asarray(vectors), metadatas)
        new = set(ids)
        stale = [c for c in self._catalog.chunk_ids_of([rec.article.id for rec in records])
                 if c not in new]
        self._catalog.put(records)
        self._delete_vectors(stale)

    def delete_articles(self, ids: Sequence[str]) -> None:
        chunk_ids = self._catalog.chunk_ids_of(ids)
        self._catalog.delete_articles(ids)
        self._delete_vectors(chunk_ids)

    def finish_run(self) -> None:
        """Bring the lexical index in step with the catalog, then mark the store clean.

        Every committed change bumped the catalog's generation; the lexical index records the
        one it was built from. It is rebuilt when they differ (this run changed something, or
        one before it died first), when there is none (a first run killed before building
        it), or after a run that died. The new index replaces the old one atomically
        (index.lexical), so readers keep the last complete one until then.
        """
        generation = self._catalog.generation()
        current = bm25.built(self.lexical_dir)
        if self._was_dirty or current is None or current.generation != generation \
                or not (current.data / "indptr.npy").exists():
            bm25.build(self._catalog.iter_terms(), self.lexical_dir, generation=generation)
        self.set_meta("dirty", "0")
        self._was_dirty = False

    def reconcile(self) -> tuple[int, int]:
        """After a crash: drop vectors the catalog does not know, and articles missing vectors.

        Returns (vectors dropped, articles dropped); dropped articles are re-added by the run.
        """
        known = self._catalog.all_chunk_ids()
        stored = self._all_vector_ids()
        orphans = sorted(stored - known)
        self._delete_vectors(orphans)
        missing = known - stored
        broken: list[str] = []
        if missing:
            rows = self._catalog.chunks(sorted(missing))
            broken = sorted({row.article_id for row in rows.values()})
            self.delete_articles(broken)  # their other chunks' vectors too
        return len(orphans), len(broken)

    def _add_vectors(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]],
    ) -> None:
        for i in range(0, len(ids), 1000):
            self._collection.upsert(
                ids=list(ids[i : i + 1000]), embeddings=vectors[i : i + 1000],
                metadatas=list(metadatas[i : i + 1000]),
            )

    def _delete_vectors(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), 1000):
            self._collection.delete(ids=list(ids[i : i + 1000]))

    def _all_vector_ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            page = self._collection.get(include=[], limit=5000, offset=offset)["ids"]
            out.update(page)
            if len(page) < 5000:
                return out
            offset += len(page)

    # --- lifetime ---
    def reopen_vectors(self) -> None:
        """Open Chroma again, to see vectors another process wrote since it was opened.

        Embedded Chroma loads its HNSW index once per process and never reads it again, so a
        long-running reader would not find new articles by meaning. Closing the client lets
        Chroma drop that copy (once no other client in this process has the store open); the
        next query loads the index from disk. A Chroma server needs none of this.
        """
        if self.config.server:
            return
        if self._client is not None:
            self._client.close()
        self._client = chroma_client(self.config)
        self._collection = _collection(self._client, self.config)

    def close(self) -> None:
        self._catalog.close()
        if self._client is not None:
            self._client.close()  # lets Chroma release the store's files and memory


def open_store(config: StoreConfig, *, create: bool) -> Store:
    """Open (or, with create, make) the store folder and its Chroma collection."""
    path = config.path
    catalog_path = path / "catalog.sqlite3"
    if not catalog_path.exists():
        if not create:
            raise NoStoreError(path)
        if path.exists() and not path.is_dir():
            raise NoStoreError(path, not_a_folder=True)
    client = chroma_client(config)  # an unreachable server fails here, before anything is made
    path.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(catalog_path)
    return Store(config, catalog, _collection(client, config), client)


def _collection(client: Any, config: StoreConfig) -> Any:
    return client.get_or_create_collection(
        config.collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )


def chroma_metadata(article: Any) -> dict[str, Any]:
    """What Chroma filters on (``day`` is YYYYMMDD, 0 when undated). Text, titles and spans
    stay in the catalog: Chroma indexing its own copy of every chunk's text took ~40% of
    its write time."""
    return {"article_id": article.id, "source": article.source, "day": day_number(article.date)}
