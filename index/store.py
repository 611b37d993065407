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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.catalog import ArticleRecord, Catalog
from index.embed import ModelInfo
from index.errors import ModelMismatchError, StoreError, StoreLockedError

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
            raise StoreError(f"bad Chroma server address {config.server!r}: use HOST:PORT")
        try:
            return chromadb.HttpClient(host=host, port=int(port), settings=settings)
        except Exception as err:  # chromadb raises bare ValueError/ConnectionError here
            raise StoreError(
                f"cannot reach the Chroma server at {config.server}: {str(err).rstrip('.')}. "
                f"Start one (chroma run --host {host} --port {port} --path DIR) or fix "
                "--chroma-server."
            ) from err
    return chromadb.PersistentClient(path=str(config.path / "chroma"), settings=settings)


class Store:
    """Open with :func:`open_store`; write only inside :meth:`writing`."""

    def __init__(
        self, config: StoreConfig, catalog: Catalog, collection: Any, client: Any = None,
    ) -> None:
        self.config = config
        self.catalog = catalog
        self.collection = collection
        self.client = client  # closed with the store (None: someone else's)

    @property
    def lexical_dir(self) -> Path:
        return self.config.path / "lexical"

    @property
    def lock_path(self) -> Path:
        return self.config.path / "write.lock"

    def index_state(self) -> IndexState:
        """The catalog's generation against the lexical index's (cheap: for every question)."""
        from index.lexical import built  # index.lexical imports this module

        meta = self.catalog.get_metas("generation", "dirty")
        lexical = built(self.lexical_dir)
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

    def model(self) -> ModelInfo | None:
        name, dim = self.catalog.get_meta("model"), self.catalog.get_meta("dim")
        return None if name is None or dim is None else ModelInfo(name, int(dim))

    def check_model(self, model: ModelInfo, chunking: str) -> None:
        """Record the model on first use; refuse another one afterwards."""
        built = self.model()
        if built is None:
            self.catalog.set_meta("model", model.name)
            self.catalog.set_meta("dim", str(model.dim))
            self.catalog.set_meta("chunking", chunking)
            self.catalog.set_meta("schema", SCHEMA_VERSION)
            return
        if built != model:
            raise ModelMismatchError(
                f"the store at {self.config.path} was built with {built.describe()}, "
                f"not {model.describe()}. Use --model {built.flag}, or index into a new --store."
            )
        chunked = self.catalog.get_meta("chunking")
        if chunked != chunking:
            raise ModelMismatchError(
                f"the store at {self.config.path} was chunked as '{chunked}', not '{chunking}'. "
                "Use the same chunk settings, or index into a new --store."
            )

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
            raise StoreLockedError(
                f"store is locked: {self.config.path} is being written by {owner}. "
                "Wait for that run to finish, or use another --store."
            ) from err
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

    # --- vectors ---
    def add_vectors(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]],
    ) -> None:
        for i in range(0, len(ids), 1000):
            self.collection.upsert(
                ids=list(ids[i : i + 1000]), embeddings=vectors[i : i + 1000],
                metadatas=list(metadatas[i : i + 1000]),
            )

    def delete_vectors(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=list(ids[i : i + 1000]))

    def all_vector_ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            page = self.collection.get(include=[], limit=5000, offset=offset)["ids"]
            out.update(page)
            if len(page) < 5000:
                return out
            offset += len(page)

    # --- articles (vectors first, then the catalog) ---
    def put(self, records: Sequence[ArticleRecord], stale_chunk_ids: Sequence[str]) -> None:
        self.catalog.put(records)
        self.delete_vectors(stale_chunk_ids)

    def delete_articles(self, ids: Sequence[str]) -> None:
        chunk_ids = self.catalog.chunk_ids_of(ids)
        self.catalog.delete_articles(ids)
        self.delete_vectors(chunk_ids)

    def reconcile(self) -> tuple[int, int]:
        """After a crash: drop vectors the catalog does not know, and articles missing vectors.

        Returns (vectors dropped, articles dropped); dropped articles are re-added by the run.
        """
        known = self.catalog.all_chunk_ids()
        stored = self.all_vector_ids()
        orphans = sorted(stored - known)
        self.delete_vectors(orphans)
        missing = known - stored
        broken: list[str] = []
        if missing:
            rows = self.catalog.chunks(sorted(missing))
            broken = sorted({row.article_id for row in rows.values()})
            self.delete_articles(broken)  # their other chunks' vectors too
        return len(orphans), len(broken)

    def stats(self) -> StoreStats:
        articles, chunks = self.catalog.counts()
        model = self.model()
        first, last = self.catalog.date_range()
        return StoreStats(
            articles=articles, chunks=chunks, vectors=int(self.collection.count()),
            model=model.name if model else "", dim=model.dim if model else 0,
            chunking=self.catalog.get_meta("chunking") or "",
            sources=self.catalog.sources(), first_date=first, last_date=last,
            state=self.index_state(),
        )

    def reopen_vectors(self) -> None:
        """Open Chroma again, to see vectors another process wrote since it was opened.

        Embedded Chroma loads its HNSW index once per process and never reads it again, so a
        long-running reader would not find new articles by meaning. Closing the client lets
        Chroma drop that copy (once no other client in this process has the store open); the
        next query loads the index from disk. A Chroma server needs none of this.
        """
        if self.config.server:
            return
        if self.client is not None:
            self.client.close()
        self.client = chroma_client(self.config)
        self.collection = _collection(self.client, self.config)

    def close(self) -> None:
        self.catalog.close()
        if self.client is not None:
            self.client.close()  # lets Chroma release the store's files and memory


def open_store(config: StoreConfig, *, create: bool) -> Store:
    """Open (or, with create, make) the store folder and its Chroma collection."""
    path = config.path
    catalog_path = path / "catalog.sqlite3"
    if not catalog_path.exists():
        if not create:
            raise StoreError(
                f"no Akhbar store at {path}. Build one first: akhbar index ARCHIVE --store {path}"
            )
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} is not a folder")
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


def day_number(date: str | None) -> int:
    return int(date.replace("-", "")) if date else 0
