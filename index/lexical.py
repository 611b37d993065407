"""BM25 over normalised, lightly stemmed Arabic tokens, persisted beside the store.

Rebuilt from the catalog's stored terms whenever an indexing run changed something.
Term-major sparse weights, memory-mapped at query time.

Layout: ``lexical/current.json`` names the data folder in use (``lexical/g<generation>-<id>/``)
and the catalog generation it was built from. A rebuild writes a new data folder beside the
old one and then replaces ``current.json`` atomically, so a reader, or a run killed at any
point, sees either the whole old index or the whole new one; a reader compares its generation
with the catalog's to know whether it is in step. The previous folder is kept for readers
still on it; older ones are removed.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index.errors import LexicalIndexError
from index.filters import day_number
from index.params import Lexical
from index.tokens import tokenize
from index.translit import arabic_skeleton, latin_skeleton, neighbours

POINTER = "current.json"
FILES = ("indptr.npy", "docs.npy", "weights.npy", "days.npy", "sources.npy", "vocab.json",
         "skeletons.json", "chunks.json", "source_names.json")


@dataclass(frozen=True)
class Built:
    """The lexical index a store folder holds: where its files are, and the catalog
    generation it was built from (None: an index written before generations were recorded)."""

    data: Path
    generation: int | None


def built(folder: Path) -> Built | None:
    """The lexical index in `folder` now (one small file read), or None when there is none."""
    pointer = folder / POINTER
    try:
        meta = json.loads(pointer.read_text("utf-8"))
        generation = meta.get("generation")
        return Built(folder / str(meta["folder"]),
                     None if generation is None else int(generation))
    except FileNotFoundError:
        pass
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise LexicalIndexError(pointer, f"damaged ({err})") from err
    return Built(folder, None) if (folder / "indptr.npy").exists() else None


@dataclass(frozen=True)
class LexicalHits:
    chunk_ids: list[str]
    scores: np.ndarray  # raw BM25, descending
    coverage: float  # share of the query's tokens the archive's vocabulary knows
    ceiling: float  # BM25 of a perfect match of every query token (unknown ones at max idf)


def build(
    rows: Iterable[tuple[str, str, str, str | None, str]], folder: Path, *,
    generation: int | None = None, params: Lexical = Lexical(),
) -> int:
    """Write the index for (chunk id, terms, article id, date, source) rows, built from the
    catalog at `generation` with BM25's `params.k1` and `params.b`, and make it the one
    `folder` holds; returns #chunks."""
    vocab: dict[str, int] = {}
    term_ids: list[int] = []
    doc_ids: list[int] = []
    tfs: list[int] = []
    lengths: list[int] = []
    chunk_ids: list[str] = []
    days: list[int] = []
    source_of: dict[str, int] = {}
    sources: list[int] = []
    for doc, (chunk_id, terms, _article, date, source) in enumerate(rows):
        tokens = terms.split()
        lengths.append(len(tokens))
        for term, tf in Counter(tokens).items():
            term_ids.append(vocab.setdefault(term, len(vocab)))
            doc_ids.append(doc)
            tfs.append(tf)
        chunk_ids.append(chunk_id)
        days.append(day_number(date))
        sources.append(source_of.setdefault(source, len(source_of)))
    n_docs = len(chunk_ids)
    terms_a = np.asarray(term_ids, dtype=np.int64)
    docs_a = np.asarray(doc_ids, dtype=np.int32)
    tf_a = np.asarray(tfs, dtype=np.float32)
    length_a = np.asarray(lengths, dtype=np.float32)
    avg = float(length_a.mean()) if n_docs else 1.0
    df = np.bincount(terms_a, minlength=len(vocab)).astype(np.float64)
    idf = idf_of(df, n_docs).astype(np.float32)
    k1, b = params.k1, params.b
    norm = k1 * (1 - b + b * length_a[docs_a] / max(avg, 1e-9))
    weights = idf[terms_a] * tf_a * (k1 + 1) / (tf_a + norm)
    order = np.argsort(terms_a, kind="stable")
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(df.astype(np.int64), out=indptr[1:])

    data = _new_data_folder(folder, generation)
    np.save(data / "indptr.npy", indptr)
    np.save(data / "docs.npy", docs_a[order])
    np.save(data / "weights.npy", weights[order].astype(np.float32))
    np.save(data / "days.npy", np.asarray(days, dtype=np.int32))
    np.save(data / "sources.npy", np.asarray(sources, dtype=np.int32))
    (data / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (data / "skeletons.json").write_text(json.dumps(skeletons(vocab, params)),
                                        encoding="utf-8")
    (data / "chunks.json").write_text(json.dumps(chunk_ids), encoding="utf-8")
    (data / "source_names.json").write_text(
        json.dumps(list(source_of), ensure_ascii=False), encoding="utf-8"
    )
    _publish(folder, data, generation, n_docs)
    return n_docs


def _new_data_folder(folder: Path, generation: int | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / f"g{generation or 0:06d}-{uuid.uuid4().hex[:8]}"
    data.mkdir()
    return data


def _publish(folder: Path, data: Path, generation: int | None, n_docs: int) -> None:
    """Make `data` the index in use: its files on disk first, then the pointer, atomically."""
    for name in FILES:
        _fsync(data / name)
    _fsync(data)
    previous = built(folder)
    tmp = folder / f"{POINTER}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"folder": data.name, "generation": generation,
                               "chunks": n_docs}), encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, folder / POINTER)
    _fsync(folder)
    keep = {data.name, previous.data.name if previous and previous.data != folder else ""}
    for entry in folder.iterdir():  # older data folders, half-written ones, a legacy index
        if entry.is_dir() and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_file() and (entry.name in FILES or entry.name.endswith(".tmp")):
            entry.unlink(missing_ok=True)
    shutil.rmtree(folder.with_name(folder.name + ".tmp"), ignore_errors=True)  # older layout


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LexicalIndex:
    """The lexical index a store folder holds (or a data folder itself), loaded once.

    Read-only and safe to share between threads. `generation` is the catalog generation it
    was built from (None when unknown); `empty()` (`missing`) stands in when a store has none.
    `params` are the BM25 and name-matching numbers it was built with and searches with.
    """

    def __init__(self, folder: Path, params: Lexical = Lexical()) -> None:
        self.params = params
        found = built(folder)
        while True:
            if found is None:
                raise LexicalIndexError(folder, "missing")
            try:
                self._load(found.data)
                break
            except FileNotFoundError as err:
                again = built(folder)  # a writer swapped twice and removed the folder read?
                if again == found:
                    raise LexicalIndexError(
                        folder, f"damaged ({err.filename} is missing)") from err
                found = again
        self.generation = found.generation
        self.missing = False
        self._alive: np.ndarray | None = None

    def _load(self, folder: Path) -> None:
        self.folder = folder
        self.indptr = np.load(folder / "indptr.npy", mmap_mode="r")
        self.docs = np.load(folder / "docs.npy", mmap_mode="r")
        self.weights = np.load(folder / "weights.npy", mmap_mode="r")
        self.days = np.load(folder / "days.npy")
        self.sources = np.load(folder / "sources.npy")
        self.vocab: dict[str, int] = json.loads((folder / "vocab.json").read_text("utf-8"))
        self.chunk_ids: list[str] = json.loads((folder / "chunks.json").read_text("utf-8"))
        names = json.loads((folder / "source_names.json").read_text("utf-8"))
        self.source_ids = {name: i for i, name in enumerate(names)}

    @classmethod
    def empty(cls, folder: Path, params: Lexical = Lexical()) -> LexicalIndex:
        """An index of nothing (every search finds nothing), for a store that has none."""
        index = cls.__new__(cls)
        index.params = params
        index.folder = folder
        index.indptr = np.zeros(1, dtype=np.int64)
        index.docs = np.zeros(0, dtype=np.int32)
        index.weights = np.zeros(0, dtype=np.float32)
        index.days = np.zeros(0, dtype=np.int32)
        index.sources = np.zeros(0, dtype=np.int32)
        index.vocab, index.chunk_ids, index.source_ids = {}, [], {}
        index.generation = None
        index.missing = True
        index._alive = None
        index.__dict__["_skeletons"] = {}
        return index

    def restricted(self, alive: np.ndarray) -> LexicalIndex:
        """This index, searching only the chunks where `alive` (one bool per chunk) is true:
        an index older than the catalog keeps finding the chunks that are still there."""
        if len(alive) != len(self.chunk_ids):
            raise ValueError(f"{len(alive)} flags for {len(self.chunk_ids)} chunks")
        index = copy.copy(self)
        index._alive = None if alive.all() else alive
        return index

    def mask(
        self, *, since: str | None = None, until: str | None = None,
        sources: Iterable[str] | None = None,
    ) -> np.ndarray | None:
        if not since and not until and sources is None:
            return self._alive  # no filter: every chunk (still in the catalog)
        keep = np.ones(len(self.chunk_ids), dtype=bool) if self._alive is None else \
            self._alive.copy()
        if since:
            keep &= self.days >= day_number(since)
        if until:
            keep &= (self.days <= day_number(until)) & (self.days > 0)
        if sources is not None:
            wanted = [self.source_ids[s] for s in sources if s in self.source_ids]
            keep &= np.isin(self.sources, wanted)
        return None if keep.all() else keep

    def search(self, query: str, k: int, *, mask: np.ndarray | None = None) -> LexicalHits:
        tokens = list(dict.fromkeys(tokenize(query)))
        known = [self.vocab[t] for t in tokens if t in self.vocab]
        coverage = len(known) / len(tokens) if tokens else 0.0
        idf_known = float(self._idf(known).sum())
        ceiling = (idf_known + idf_ceiling(len(self.chunk_ids)) * (len(tokens) - len(known)))
        scores = np.zeros(len(self.chunk_ids), dtype=np.float32)
        for term in known:
            lo, hi = int(self.indptr[term]), int(self.indptr[term + 1])
            scores[self.docs[lo:hi]] += self.weights[lo:hi]
        return self._top(scores, k, mask, coverage, ceiling * (self.params.k1 + 1))

    def search_names(
        self, names: Sequence[str], k: int, *, mask: np.ndarray | None = None,
    ) -> LexicalHits:
        """BM25 for names written in Latin letters: each name scores through the best of the
        terms that spell it, in Latin letters or transliterated into Arabic (index.translit).

        The ceiling sums the best idf of each name that matched; coverage is the share of names
        that matched anything.
        """
        if not names:  # an Arabic question, or an English one without names
            return LexicalHits([], np.zeros(0, dtype=np.float32), 0.0, 0.0)
        names = list(dict.fromkeys(names))  # a name asked twice is one name
        scores = np.zeros(len(self.chunk_ids), dtype=np.float32)
        ceiling = 0.0
        matched = 0
        for name in names:
            spellings = self.spellings(name)
            if not spellings:
                continue
            matched += 1
            best = np.zeros_like(scores)
            for term, weight in spellings.items():
                lo, hi = int(self.indptr[term]), int(self.indptr[term + 1])
                np.maximum.at(best, self.docs[lo:hi], weight * self.weights[lo:hi])
            scores += best
            ceiling += float(self._idf(list(spellings)).max())
        coverage = matched / len(names)
        return self._top(scores, k, mask, coverage, ceiling * (self.params.k1 + 1))

    def search_synonyms(
        self, sets: Sequence[Sequence[str]], words: int, k: int, *,
        mask: np.ndarray | None = None,
    ) -> LexicalHits:
        """BM25 of synonym sets (a translated question's words): each set scores a chunk
        through its best term.

        The ceiling sums, over the sets with a term in the archive, the best idf in the set;
        coverage is the share of the `words` the sets came from that have a term here.
        """
        n = len(self.chunk_ids)
        scores = np.zeros(n, dtype=np.float32)
        ceiling = 0.0
        matched = 0
        for synonyms in sets:
            known = [self.vocab[t] for t in synonyms if t in self.vocab]
            if not known:
                continue
            matched += 1
            best = np.zeros_like(scores)
            for term in known:
                lo, hi = int(self.indptr[term]), int(self.indptr[term + 1])
                docs = self.docs[lo:hi]
                best[docs] = np.maximum(best[docs], self.weights[lo:hi])
            scores += best
            ceiling += float(self._idf(known).max())
        coverage = matched / words if words else 0.0
        return self._top(scores, k, mask, coverage, ceiling * (self.params.k1 + 1))

    def spellings(self, name: str) -> dict[int, float]:
        """Term ids that may spell `name` in this archive, with their weight (1 exact)."""
        out: dict[int, float] = {}
        latin = tokenize(name)
        if len(latin) == 1 and latin[0] in self.vocab:
            out[self.vocab[latin[0]]] = 1.0
        for skeleton, distance in neighbours(latin_skeleton(name), self.params).items():
            for term in self._skeletons.get(skeleton, ()):
                weight = 1.0 if distance == 0 else self.params.near_name
                out[term] = max(out.get(term, 0.0), weight)
        return out

    @cached_property
    def _skeletons(self) -> dict[str, list[int]]:
        """Arabic terms by consonant skeleton, read when the first name is asked about."""
        path = self.folder / "skeletons.json"
        try:
            loaded: dict[str, list[int]] = json.loads(path.read_text("utf-8"))
            return loaded
        except FileNotFoundError:  # indexed before names were matched, or since replaced
            return skeletons(self.vocab, self.params)

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        """BM25's idf of each of `terms` that the index knows."""
        known = [t for t in dict.fromkeys(terms) if t in self.vocab]
        return dict(zip(known, (float(x) for x in self._idf([self.vocab[t] for t in known])),
                        strict=True))

    def _idf(self, terms: Sequence[int]) -> np.ndarray:
        df = np.asarray([self.indptr[t + 1] - self.indptr[t] for t in terms], dtype=np.float64)
        return idf_of(df, len(self.chunk_ids))

    def _top(
        self, scores: np.ndarray, k: int, mask: np.ndarray | None, coverage: float,
        ceiling: float,
    ) -> LexicalHits:
        if mask is not None:
            scores[~mask] = 0.0
        k = min(k, int(np.count_nonzero(scores)))
        if k <= 0:
            return LexicalHits([], np.zeros(0, dtype=np.float32), coverage, ceiling)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return LexicalHits([self.chunk_ids[i] for i in top], scores[top], coverage, ceiling)


def skeletons(vocab: dict[str, int], params: Lexical = Lexical()) -> dict[str, list[int]]:
    """Arabic term ids by consonant skeleton (index.translit), for matching names."""
    out: dict[str, list[int]] = {}
    for term, term_id in vocab.items():
        skeleton = arabic_skeleton(term)
        if len(skeleton) >= params.min_skeleton:
            out.setdefault(skeleton, []).append(term_id)
    return out


def idf_of(df: np.ndarray, n_docs: int) -> np.ndarray:
    """BM25's idf of terms that `df` chunks of `n_docs` contain."""
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


def idf_ceiling(n_docs: int) -> float:
    """The idf of a term no chunk contains (the most informative a query token can be)."""
    return float(idf_of(np.zeros(1), n_docs)[0]) if n_docs else 1.0
