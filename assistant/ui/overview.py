"""What the chat app says about the open archive: its header line and its example questions.

The header speaks of articles, outlets and dates (a reader's terms), in English and, right to
left, in Arabic. The examples fit the archive that is open: the bundled sample's questions for
each of its articles the store holds; otherwise (or to make up the number) questions built
from the store's newest headlines, each kept only when it is answered from the store at
start-up. Both are built again when the store's generation changes (re-indexing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from assistant.answer import Answer
from assistant.errors import AkhbarError
from index.catalog import StoredArticle
from index.store import StoreStats

# The bundled sample archive's questions (seeds/), each with the article that answers it.
SEED_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("من يقف وراء الهجمات على أربيل؟", "rudaw-000_a3fb30111c368980"),
    ("ماذا بحث الكاظمي مع بايدن؟", "rudaw-000_a3fb30111c368980"),
    ("أين ستبنى محطة الطاقة الشمسية؟", "sample-solar-wire"),
    ("Who was blamed for the Erbil attack?", "rudaw-000_a3fb30111c368980"),
    ("Who won the Saudi Super Cup?", "sample-super-cup"),
    ("Why did oil prices rise?", "sample-brent-prices"),
)
WANTED = 6  # example questions shown
NEWEST = 60  # newest headlines read, the newest of each outlet first
TRIES = 12  # of which at most this many are asked at start-up
TITLE_CHARS = 70  # a longer headline is not made into an example
SAMPLE_TITLE = re.compile(r"^\s*عينة\s*:")  # seeds' own headlines: their questions are above


class ArchiveView(Protocol):
    """What the overview reads from an opened archive (assistant.archive.Archive)."""

    def stats(self) -> StoreStats: ...
    def article(self, article_id: str) -> StoredArticle: ...
    def newest(self, n: int) -> list[StoredArticle]: ...
    def ask(self, question: str) -> Answer: ...


@dataclass(frozen=True)
class Overview:
    generation: int | None  # the store's, when this was built
    stats: StoreStats
    examples: tuple[str, ...]

    @property
    def outlets(self) -> tuple[str, ...]:
        """The outlets' names, those with most articles first."""
        return tuple(name for name, _ in self.stats.sources if name)


def overview(archive: ArchiveView) -> Overview:
    stats = archive.stats()
    return Overview(stats.state.generation if stats.state else None, stats,
                    examples_for(archive))


def examples_for(archive: ArchiveView) -> tuple[str, ...]:
    held = _held(archive, {a for _, a in SEED_EXAMPLES})
    examples = [q for q, article in SEED_EXAMPLES if article in held]
    if len(examples) >= WANTED // 2:
        return tuple(examples)
    tries = 0
    for article in _outlets_first(archive.newest(NEWEST)):
        question = headline_question(article)
        if len(examples) >= WANTED or tries >= TRIES:
            break
        if question is None or question in examples:
            continue
        tries += 1
        if _answered(archive, question, article.id):
            examples.append(question)
    return tuple(examples)


def headline_question(article: StoredArticle) -> str | None:
    """A question on the article's story, from its headline ("What happened in «…»?")."""
    title = " ".join(article.title.split()).strip(" .:،؛")
    if not title or len(title) > TITLE_CHARS or SAMPLE_TITLE.match(title):
        return None
    return f"ماذا جاء في خبر «{title}»؟"


def _outlets_first(articles: list[StoredArticle]) -> list[StoredArticle]:
    """The newest article of each outlet first, then the others (each group newest first)."""
    first: list[StoredArticle] = []
    rest: list[StoredArticle] = []
    for article in articles:
        (rest if any(a.source == article.source for a in first) else first).append(article)
    return first + rest


def _held(archive: ArchiveView, ids: Iterable[str]) -> set[str]:
    held = set()
    for article_id in ids:
        try:
            archive.article(article_id)
        except AkhbarError:
            continue
        held.add(article_id)
    return held


def _answered(archive: ArchiveView, question: str, article_id: str) -> bool:
    """The question is answered (not refused), citing the article it was made from."""
    try:
        answer = archive.ask(question)
    except AkhbarError:
        return False
    return not answer.refused and any(c.article_id == article_id for c in answer.citations)
