"""The index side, top to bottom: load -> de-duplicate -> chunk -> embed -> store -> BM25."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index import boilerplate, clean
from index.articles import DEFAULT_FIELDS, Article, FieldMap, Problem, iter_articles
from index.catalog import ArticleRecord, ChunkRow, StoredArticle
from index.chunk import Chunk, ChunkSettings, chunk_article, chunk_vector
from index.embed import Embedder, info
from index.normalize import normalize
from index.store import Store
from index.tokens import tokenize


@dataclass(frozen=True)
class IndexSettings:
    chunking: ChunkSettings = ChunkSettings()
    fields: FieldMap = DEFAULT_FIELDS
    max_chars: int = 1_000_000  # a record over this many characters is skipped
    encoding: str | None = None  # None: detect per file
    prune: bool = False  # remove stored articles absent from this run's archive (see build)
    batch_articles: int = 32  # articles embedded and committed together


@dataclass(frozen=True)
class IndexReport:
    added: int
    updated: int
    unchanged: int
    skipped: int
    pruned: int
    chunks_written: int
    characters: int  # of the articles embedded in this run
    seconds: float
    skip_reasons: dict[str, int] = field(default_factory=dict)  # Problem.kind -> count
    recovered: tuple[int, int] = (0, 0)  # (orphan vectors dropped, half-written articles redone)
    # With prune: each file not read completely that held stored articles this run did not
    # see -> how many; they were kept, as nothing is pruned from such a file.
    not_pruned: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": self.skipped, "pruned": self.pruned, "chunks": self.chunks_written,
            "characters": self.characters, "seconds": round(self.seconds, 2),
            "skip_reasons": self.skip_reasons, "not_pruned": self.not_pruned,
        }


Progress = Callable[[int, int], None]  # (articles seen, characters embedded) so far


def build(
    paths: Sequence[Path], store: Store, embedder: Embedder, settings: IndexSettings,
    *, on_problem: Callable[[Problem], None], progress: Progress | None = None,
) -> IndexReport:
    """Index `paths` into `store`.

    With `settings.prune`, stored articles this run did not see are deleted, except those
    stored from a file that was not read completely (a `Problem` with `unread`): such a file
    counts as present but unread, so nothing is pruned from it, and a "not pruned" warning
    says so (`IndexReport.not_pruned` has the counts).
    """
    started = time.perf_counter()
    tally: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    unread: set[str] = set()  # files not read completely

    def problem(p: Problem) -> None:
        if p.unread:
            unread.add(p.path)
        if p.skipped:
            tally["skipped"] += 1
            reasons[p.kind or "other"] += 1
        on_problem(p)

    articles = iter_articles(  # checks the paths and encoding before the store is touched
        paths, fields=settings.fields, max_chars=settings.max_chars,
        encoding=settings.encoding, on_problem=problem,
    )
    with store.writing():  # one writer; a run that died half-way is repaired first
        recovered = store.begin_run(info(embedder), settings.chunking.describe())
        learned = _learn_boilerplate(paths, settings, store)
        seen: set[str] = set()  # ids whose text this archive holds: never pruned
        for batch in _batches(_unique(articles, store, seen, problem), settings.batch_articles):
            _write_batch(batch, store, embedder, settings.chunking, tally, learned)
            if progress:
                progress(tally["seen"], tally["characters"])
        not_pruned: dict[str, int] = {}
        if settings.prune:
            gone, not_pruned = _prunable(store, seen, unread)
            for path, kept in not_pruned.items():
                problem(Problem(path, None, _not_pruned(kept), skipped=False, kind="not pruned"))
            store.delete_articles(gone)
            tally["pruned"] = len(gone)
        store.finish_run()  # the lexical index in step with the catalog; the store clean
    return IndexReport(
        added=tally["added"], updated=tally["updated"], unchanged=tally["unchanged"],
        skipped=tally["skipped"], pruned=tally["pruned"], chunks_written=tally["chunks"],
        characters=tally["characters"], seconds=time.perf_counter() - started,
        skip_reasons=dict(reasons), recovered=recovered, not_pruned=not_pruned,
    )


def article_hash(article: Article, skip: Sequence[tuple[int, int]] = ()) -> str:
    """Changes whenever anything stored about the article changes, the spans kept out of its
    index (`skip`) change, or the cleaning rules do (`clean.VERSION`, `boilerplate.VERSION`)."""
    fields = [article.id, article.title, article.date, article.source, article.url,
              article.text, list(article.extra),
              [clean.VERSION, boilerplate.VERSION, [list(span) for span in skip]]]
    return hashlib.sha1(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def text_hash(text: str) -> str:
    """Equal for texts that differ only in normalisation and whitespace (duplicates)."""
    return hashlib.sha1(" ".join(normalize(text).split()).encode()).hexdigest()


def _learn_boilerplate(
    paths: Sequence[Path], settings: IndexSettings, store: Store
) -> boilerplate.Learned:
    """Repeated lines per outlet, over this run's articles (a first, quiet pass over the
    archive) and the stored articles of the same outlets that the run does not hold again
    (none with `prune`: they are about to go)."""
    counts = boilerplate.LineCounts()
    ids = counts.add_all((a.id, a.source, a.text) for a in iter_articles(
        paths, fields=settings.fields, max_chars=settings.max_chars,
        encoding=settings.encoding, on_problem=lambda _: None))
    outlets = counts.outlets()
    others = [] if settings.prune else sorted(store.article_ids() - ids)
    for start in range(0, len(others), 500):
        for stored in store.articles(others[start : start + 500]).values():
            if stored.source in outlets:
                counts.add(stored.source, stored.text)
    return counts.learned()


def _unique(
    articles: Iterable[Article], store: Store, seen: set[str],
    problem: Callable[[Problem], None],
) -> Iterable[tuple[Article, str]]:
    """Drop the second copy of an article: same id, or same normalised text under another id.

    Adds to `seen` every id whose text is in the archive, the stored twin of a skipped copy too.
    """
    texts: dict[str, str] = {}
    ids: set[str] = set()  # ids met in this run, kept or not (`seen` also holds stored twins)
    for article in articles:
        path, _, line = article.origin.rpartition(":")
        where = (path, int(line)) if line.isdigit() else (article.origin, None)
        if article.id in ids:
            problem(Problem(where[0], where[1],
                            f"duplicate id: '{article.id}' again (first copy kept)", skipped=True,
                            kind="duplicate id"))
            continue
        ids.add(article.id)
        th = text_hash(article.text)
        twin = texts.get(th) or store.id_for_text(th)
        if twin is not None and twin != article.id:
            seen.add(twin)  # its text is still in the archive: never prune it
            problem(Problem(where[0], where[1],
                            f"duplicate text: same article as '{twin}' (stored once)",
                            skipped=True, kind="duplicate text"))
            continue
        seen.add(article.id)
        texts[th] = article.id
        yield article, th


def _write_batch(
    batch: list[tuple[Article, str]], store: Store, embedder: Embedder,
    chunking: ChunkSettings, tally: Counter[str], learned: boilerplate.Learned,
) -> None:
    tally["seen"] += len(batch)
    stored = store.hashes([a.id for a, _ in batch])
    skips = {a.id: boilerplate.excluded(a.text, learned.of(a.source)) for a, _ in batch}
    todo = [(a, th, ah) for a, th in batch
            if stored.get(a.id) != (ah := article_hash(a, skips[a.id]))]
    tally["unchanged"] += len(batch) - len(todo)
    if not todo:
        return
    chunked = [
        chunk_article(article, ah, chunking, max_tokens=embedder.max_tokens,
                      count_tokens=embedder.count_tokens, skip=skips[article.id])
        for article, _, ah in todo
    ]
    # Each article's distinct sentences, embedded in one call for the whole batch.
    spans = [sorted({s for c in chunks for s in c.sentences}) for chunks in chunked]
    sent_vecs = embedder.embed_documents(
        [a.text[s:e] for (a, _, _), own in zip(todo, spans, strict=True) for s, e in own]
    )
    records: list[ArticleRecord] = []
    vectors: list[np.ndarray] = []
    offset = 0
    for (article, th, ah), chunks, own in zip(todo, chunked, spans, strict=True):
        rows, chunk_vectors = _chunk_rows(article, chunks, own,
                                          sent_vecs[offset : offset + len(own)])
        offset += len(own)
        records.append(ArticleRecord(_stored(article), ah, th, tuple(rows)))
        vectors.extend(chunk_vectors)
        tally["updated" if article.id in stored else "added"] += 1
        tally["characters"] += len(article.text)
        tally["chunks"] += len(chunks)
    store.write(records, np.vstack(vectors) if vectors else np.zeros((0, embedder.dim)))


def _chunk_rows(
    article: Article, chunks: list[Chunk], spans: list[tuple[int, int]], sent_vecs: np.ndarray
) -> tuple[list[ChunkRow], list[np.ndarray]]:
    """A chunk's vector is the normalised mean of its sentences' (`spans`, `sent_vecs`)."""
    index = {s: i for i, s in enumerate(spans)}
    rows, chunk_vecs = [], []
    for c in chunks:
        vecs = sent_vecs[[index[s] for s in c.sentences]]
        chunk_vecs.append(chunk_vector(vecs))
        rows.append(ChunkRow(c.id, article.id, c.ordinal, c.start, c.end,
                             " ".join(tokenize(c.text)), c.sentences, vecs.astype(np.float16)))
    return rows, chunk_vecs


def _stored(article: Article) -> StoredArticle:
    return StoredArticle(article.id, article.title, article.date, article.source, article.url,
                         article.text, article.origin, dict(article.extra))


def _prunable(
    store: Store, seen: set[str], unread: set[str]
) -> tuple[list[str], dict[str, int]]:
    """Stored ids to prune, and the files in `unread` that keep some from pruning (how many).

    An article's file is the path of its stored origin ("path:line" or "path"); paths are
    compared resolved, so "a/x.jsonl" and "./a/x.jsonl" are one file.
    """
    absent = sorted(store.article_ids() - seen)
    if not unread:
        return absent, {}
    files = {_file_key(path): path for path in sorted(unread)}
    gone: list[str] = []
    kept: Counter[str] = Counter()
    for start in range(0, len(absent), 500):
        part = absent[start : start + 500]
        stored = store.articles(part)
        for article_id in part:
            file = files.get(_file_key(_origin_file(stored[article_id].origin)))
            if file is None:
                gone.append(article_id)
            else:
                kept[file] += 1
    return gone, dict(sorted(kept.items()))


def _origin_file(origin: str) -> str:
    path, _, line = origin.rpartition(":")
    return path if path and line.isdigit() else origin


def _file_key(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _not_pruned(kept: int) -> str:
    articles = "1 stored article" if kept == 1 else f"{kept} stored articles"
    return (f"not read completely: nothing pruned from it ({articles} from it kept, though "
            "this run did not see them)")


def _batches(
    items: Iterable[tuple[Article, str]], size: int
) -> Iterable[list[tuple[Article, str]]]:
    batch: list[tuple[Article, str]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
