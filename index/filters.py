"""What a search is restricted to: a date range and outlets. The store turns it into Chroma's
``where`` and the lexical index's mask (index.store), so nothing above the store knows either."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Filters:
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None
    sources: tuple[str, ...] = ()  # exact outlet names as stored

    @property
    def empty(self) -> bool:
        return not self.since and not self.until and not self.sources

    def chroma_where(self) -> dict[str, Any] | None:
        """The filter as Chroma's ``where`` over index.store.chroma_metadata (None: none)."""
        clauses: list[dict[str, Any]] = []
        if self.since:
            clauses.append({"day": {"$gte": day_number(self.since)}})
        if self.until:
            clauses.append({"day": {"$lte": day_number(self.until)}})
            clauses.append({"day": {"$gt": 0}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def day_number(date: str | None) -> int:
    """YYYY-MM-DD as the number YYYYMMDD (0 when undated), which Chroma and BM25 filter on."""
    return int(date.replace("-", "")) if date else 0
