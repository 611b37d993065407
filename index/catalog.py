"""The SQLite catalog beside the vectors: articles, chunk spans, sentence vectors, lexical terms.

The catalog is the source of truth for what the store holds; Chroma holds the chunk vectors
for nearest-neighbour search. An article is committed to the catalog only after its vectors
are in Chroma, so a crash leaves at worst vectors that the next run reconciles away.

Every transaction that changes articles or chunks also bumps the ``generation`` meta value, so
a reader can tell cheaply whether the store changed, and whether the lexical index (which
records the generation it was built from) is in step with it.

One writer, many readers, from any thread: writes go through one connection, one at a time;
reads borrow a connection of their own from a pool (SQLite in WAL mode lets them run beside a
write, each seeing the last committed state).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(
  id TEXT PRIMARY KEY, hash TEXT NOT NULL, text_hash TEXT NOT NULL,
  title TEXT NOT NULL, date TEXT, source TEXT NOT NULL, url TEXT NOT NULL,
  text TEXT NOT NULL, origin TEXT NOT NULL, extra TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS articles_text_hash ON articles(text_hash);
CREATE TABLE IF NOT EXISTS chunks(
  id TEXT PRIMARY KEY, article_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
  start INTEGER NOT NULL, end INTEGER NOT NULL, terms TEXT NOT NULL,
  sentences TEXT NOT NULL, vectors BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
"""


@dataclass(frozen=True)
class StoredArticle:
    id: str
    title: str
    date: str | None
    source: str
    url: str
    text: str
    origin: str
    extra: dict[str, str]


@dataclass(frozen=True)
class ChunkRow:
    """One chunk as the catalog keeps it, with the vectors of its sentences."""

    id: str
    article_id: str
    ordinal: int
    start: int
    end: int
    terms: str  # space-joined lexical tokens
    sentences: tuple[tuple[int, int], ...]
    vectors: np.ndarray  # (len(sentences), dim) float16


@dataclass(frozen=True)
class ArticleRecord:
    """Everything the catalog writes for one article."""

    article: StoredArticle
    hash: str
    text_hash: str
    chunks: tuple[ChunkRow, ...]


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        # The one writing connection; any thread may write, one at a time (_write_lock).
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._write_lock = threading.RLock()
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []  # reading connections not lent out
        self._closed = False

    def close(self) -> None:
        """Close the connections; one lent to a read under way closes when it comes back."""
        with self._pool_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()
        with self._write_lock:
            self.db.close()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection of the calling thread's own for the block (from the pool, or new)."""
        with self._pool_lock:
            if self._closed:
                raise StoreError(f"the catalog {self.path} is closed")
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                 check_same_thread=False)  # one thread at a time: borrowed
            db.execute("PRAGMA query_only=1")
        try:
            yield db
        finally:
            with self._pool_lock:
                if self._closed:
                    db.close()
                else:
                    self._idle.append(db)

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        with self._reading() as db:
            return db.execute(sql, args).fetchall()

    # --- meta ---
    def get_meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key=?", (key,))
        return None if not rows else str(rows[0][0])

    def set_meta(self, key: str, value: str) -> None:
        with self._write_lock:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def get_metas(self, *keys: str) -> dict[str, str]:
        """Several meta values in one read (those that are set)."""
        marks = ",".join("?" * len(keys))
        return {str(k): str(v) for k, v in
                self._rows(f"SELECT key, value FROM meta WHERE key IN ({marks})", keys)}

    def generation(self) -> int:
        """Bumped by every committed change of articles or chunks (0: never changed)."""
        return _generation(self.get_meta("generation"))

    # --- reads ---
    def counts(self) -> tuple[int, int]:
        articles = self._rows("SELECT count(*) FROM articles")[0][0]
        chunks = self._rows("SELECT count(*) FROM chunks")[0][0]
        return int(articles), int(chunks)

    def hashes(self, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in _batches(ids, 500):
            marks = ",".join("?" * len(part))
            rows = self._rows(f"SELECT id, hash FROM articles WHERE id IN ({marks})", part)
            out.update((str(i), str(h)) for i, h in rows)
        return out

    def id_for_text(self, text_hash: str) -> str | None:
        rows = self._rows("SELECT id FROM articles WHERE text_hash=? LIMIT 1", (text_hash,))
        return None if not rows else str(rows[0][0])

    def chunk_ids_of(self, article_ids: Sequence[str]) -> list[str]:
        out: list[str] = []
        for part in _batches(article_ids, 500):
            marks = ",".join("?" * len(part))
            rows = self._rows(f"SELECT id FROM chunks WHERE article_id IN ({marks})", part)
            out.extend(str(r[0]) for r in rows)
        return out

    def all_article_ids(self) -> set[str]:
        return {str(r[0]) for r in self._rows("SELECT id FROM articles")}

    def all_chunk_ids(self) -> set[str]:
        return {str(r[0]) for r in self._rows("SELECT id FROM chunks")}

    def article(self, article_id: str) -> StoredArticle | None:
        return self.articles([article_id]).get(article_id)

    def articles(self, ids: Iterable[str]) -> dict[str, StoredArticle]:
        out: dict[str, StoredArticle] = {}
        for part in _batches(list(ids), 500):
            marks = ",".join("?" * len(part))
            rows = self._rows(
                "SELECT id, title, date, source, url, text, origin, extra FROM articles "
                f"WHERE id IN ({marks})",
                part,
            )
            out.update((str(r[0]), _article(r)) for r in rows)
        return out

    def chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        out: dict[str, ChunkRow] = {}
        for part in _batches(ids, 500):
            marks = ",".join("?" * len(part))
            rows = self._rows(
                "SELECT id, article_id, ordinal, start, end, terms, sentences, vectors "
                f"FROM chunks WHERE id IN ({marks})",
                part,
            )
            out.update((str(r[0]), _chunk(r)) for r in rows)
        return out

    def iter_terms(self) -> Iterator[tuple[str, str, str, str | None, str]]:
        """(chunk id, terms, article id, date, source) for every chunk, in a stable order."""
        with self._reading() as db:
            cursor = db.execute(
                "SELECT c.id, c.terms, a.id, a.date, a.source FROM chunks c "
                "JOIN articles a ON a.id = c.article_id ORDER BY c.article_id, c.ordinal"
            )
            try:
                yield from cursor
            finally:
                cursor.close()  # ends the read before the connection goes back to the pool

    def sources(self) -> list[tuple[str, int]]:
        rows = self._rows(
            "SELECT source, count(*) FROM articles GROUP BY source ORDER BY count(*) DESC"
        )
        return [(str(s), int(n)) for s, n in rows]

    def newest(self, n: int) -> list[StoredArticle]:
        """The n most recent dated articles, newest first."""
        rows = self._rows(
            "SELECT id, title, date, source, url, text, origin, extra FROM articles "
            "WHERE date IS NOT NULL ORDER BY date DESC, id LIMIT ?", (n,),
        )
        return [_article(r) for r in rows]

    def date_range(self) -> tuple[str | None, str | None]:
        row = self._rows("SELECT min(date), max(date) FROM articles")[0]
        return row[0], row[1]

    def years(self) -> frozenset[int]:
        """The years the articles are dated in (undated ones aside)."""
        rows = self._rows("SELECT DISTINCT substr(date, 1, 4) FROM articles WHERE date != ''")
        return frozenset(int(y) for (y,) in rows if y and str(y).isdigit())

    # --- writes (each call is one transaction, which bumps the generation) ---
    def put(self, records: Sequence[ArticleRecord]) -> None:
        with self._write_lock, _transaction(self.db):
            for rec in records:
                a = rec.article
                self.db.execute("DELETE FROM chunks WHERE article_id=?", (a.id,))
                self.db.execute(
                    "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (a.id, rec.hash, rec.text_hash, a.title, a.date, a.source, a.url, a.text,
                     a.origin, json.dumps(a.extra, ensure_ascii=False)),
                )
                self.db.executemany(
                    "INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?)",
                    [
                        (c.id, c.article_id, c.ordinal, c.start, c.end, c.terms,
                         json.dumps(c.sentences), c.vectors.astype(np.float16).tobytes())
                        for c in rec.chunks
                    ],
                )
            if records:
                _bump_generation(self.db)

    def delete_articles(self, ids: Sequence[str]) -> None:
        with self._write_lock, _transaction(self.db):
            before = self.db.total_changes
            for part in _batches(ids, 500):
                marks = ",".join("?" * len(part))
                self.db.execute(f"DELETE FROM chunks WHERE article_id IN ({marks})", part)
                self.db.execute(f"DELETE FROM articles WHERE id IN ({marks})", part)
            if self.db.total_changes > before:
                _bump_generation(self.db)


def _generation(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _bump_generation(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE "
        "SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
    )


class _transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _article(row: tuple) -> StoredArticle:
    i, title, date, source, url, text, origin, extra = row
    return StoredArticle(i, title, date, source, url, text, origin, json.loads(extra))


def _chunk(row: tuple) -> ChunkRow:
    i, article_id, ordinal, start, end, terms, sentences, blob = row
    spans = tuple((int(s), int(e)) for s, e in json.loads(sentences))
    vectors = np.frombuffer(blob, dtype=np.float16).reshape(len(spans), -1)
    return ChunkRow(i, article_id, ordinal, start, end, terms, spans, vectors)
