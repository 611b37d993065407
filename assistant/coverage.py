"""What a small archive covers, said when it refuses: its outlets and the dates of its articles.

In an archive of a handful of articles a reader does not know what may be asked; a refusal that
names what is there ("6 articles from Rudaw and Akhbar Sample Wire, 2015-08-02 to 2021-03-02")
tells them. A large archive's refusal stays short: dozens of outlets say nothing useful.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.language import Language

SMALL_ARCHIVE = 100  # articles up to which a refusal says what the archive covers
MAX_OUTLETS = 5  # named; the rest are counted


@dataclass(frozen=True)
class Coverage:
    articles: int
    outlets: tuple[str, ...]  # most articles first
    first_date: str | None
    last_date: str | None


def coverage_of(articles: int, sources: Sequence[tuple[str, int]],
                dates: tuple[str | None, str | None]) -> Coverage:
    """From the catalog's counts, `sources()` and `date_range()`."""
    return Coverage(articles, tuple(name for name, _ in sources if name), dates[0], dates[1])


def covers(coverage: Coverage, language: Language) -> str:
    """One sentence on what the archive holds, or "" for an archive over SMALL_ARCHIVE."""
    if coverage.articles > SMALL_ARCHIVE or coverage.articles <= 0:
        return ""
    named = list(coverage.outlets[:MAX_OUTLETS])
    more = len(coverage.outlets) - len(named)
    first, last = coverage.first_date, coverage.last_date
    if language == "ar":
        if more:
            named.append(f"{more} مصادر أخرى")
        outlets = " و".join(named)
        text = f"يضم الأرشيف {coverage.articles} مقالاً"
        text += f" من {outlets}" if outlets else ""
        if first and last:
            text += f"، منشورة بين {first} و{last}" if first != last else f"، بتاريخ {first}"
        return text + "."
    if more:
        named.append(f"{more} other outlet{'s' if more > 1 else ''}")
    outlets = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1] \
        if named else ""
    noun = "article" if coverage.articles == 1 else "articles"
    text = f"It holds {coverage.articles} {noun}" + (f" from {outlets}" if outlets else "")
    if first and last:
        text += f", dated {first} to {last}" if first != last else f", dated {first}"
    return text + "."
