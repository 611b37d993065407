"""What retrieval and answers read from a store: the one interface a second backend would
implement (``index.store.Store`` and its pinned ``Snapshot`` do). Every method is safe to call
from any thread."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from index.catalog import ChunkRow, StoredArticle
from index.filters import Filters
from index.lexical import LexicalHits


class StoreReader(Protocol):
    def dense(self, vector: np.ndarray, filters: Filters, n: int) -> list[str]:
        """Ids of the (at most) `n` chunks nearest `vector` by cosine, best first."""
        ...

    def lexical(self, query: str, filters: Filters, n: int) -> LexicalHits:
        """BM25 of `query`'s tokens (index.tokens), top `n`."""
        ...

    def names(self, names: Sequence[str], filters: Filters, n: int) -> LexicalHits:
        """BM25 of names written in Latin letters, matched across scripts (index.translit)."""
        ...

    def synonyms(
        self, sets: Sequence[Sequence[str]], words: int, filters: Filters, n: int,
    ) -> LexicalHits:
        """BM25 of synonym sets, each scoring through its best term (`words`: how many words
        the sets came from, for coverage)."""
        ...

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        """BM25's idf of each of `terms` (index.tokens) that the lexical index knows."""
        ...

    def chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        ...

    def articles(self, ids: Iterable[str]) -> dict[str, StoredArticle]:
        ...

    def article(self, article_id: str) -> StoredArticle | None:
        ...
