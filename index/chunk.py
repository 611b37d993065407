"""Sentence-aware chunks with character spans into the original article text.

The embedded unit is the sentence (each one fits the embedder's input limit, so nothing is
truncated); a chunk is a run of whole sentences, overlapping its neighbour by a sentence, and
its vector is the normalised mean of its sentences' vectors. Spans left out of the index
(`skip`: page furniture, see `index.boilerplate`) are in no sentence and no chunk: chunks are
packed from the text between them, never across one.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.articles import Article
from index.sentences import pack_spans, sentence_spans, strip_span

Span = tuple[int, int]


@dataclass(frozen=True)
class ChunkSettings:
    max_chars: int = 900  # a chunk: what a citation quotes and shows
    overlap_chars: int = 200  # trailing sentences repeated at the start of the next chunk
    sentence_chars: int = 400  # longer unpunctuated runs are split at whitespace

    def describe(self) -> str:
        return f"chunks<={self.max_chars} overlap<={self.overlap_chars} sent<={self.sentence_chars}"


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    ordinal: int
    start: int  # span in the article's original text
    end: int
    text: str
    sentences: tuple[Span, ...]  # spans in the article's original text


def fit_sentences(
    text: str, spans: list[Span], *, max_tokens: int | None, count_tokens: Callable[[str], int]
) -> list[Span]:
    """Split any sentence the embedder could not read whole (halving at whitespace)."""
    if max_tokens is None:
        return spans
    out: list[Span] = []
    todo = list(reversed(spans))
    while todo:
        start, end = todo.pop()
        if end - start <= 1 or count_tokens(text[start:end]) <= max_tokens:
            out.append((start, end))
            continue
        mid = (start + end) // 2
        cut = text.rfind(" ", start + 1, mid + 1)
        cut = cut if cut > start else mid
        left, right = (start, cut), (cut, end)
        todo.extend(s for s in (strip_span(text, *right), strip_span(text, *left)) if s[1] > s[0])
    return out


def chunk_id(article_hash: str, start: int, end: int) -> str:
    return hashlib.sha1(f"{article_hash}:{start}:{end}".encode()).hexdigest()[:24]


def chunk_article(
    article: Article,
    article_hash: str,
    settings: ChunkSettings,
    *,
    max_tokens: int | None = None,
    count_tokens: Callable[[str], int] = len,
    skip: Sequence[Span] = (),
) -> list[Chunk]:
    """The chunks of `article`, none holding any of the sorted, disjoint spans in `skip`
    (when `skip` would leave nothing, it is ignored)."""
    text = article.text
    groups = [group for start, end in _between(len(text), skip)
              if (group := _sentences(text, start, end, settings, max_tokens, count_tokens))]
    if not groups and skip:
        groups = [_sentences(text, 0, len(text), settings, max_tokens, count_tokens)]
    chunks: list[Chunk] = []
    for sents in groups:
        starts, ends = [s for s, _ in sents], [e for _, e in sents]  # both ascending
        for start, end in pack_spans(sents, max_chars=settings.max_chars,
                                     overlap_chars=settings.overlap_chars):
            inside = tuple(sents[bisect_left(starts, start) : bisect_right(ends, end)])
            chunks.append(
                Chunk(
                    id=chunk_id(article_hash, start, end),
                    article_id=article.id,
                    ordinal=len(chunks),
                    start=start,
                    end=end,
                    text=text[start:end],
                    sentences=inside,
                )
            )
    return chunks


def _between(size: int, skip: Sequence[Span]) -> list[Span]:
    """The parts of [0, size) outside the spans of `skip`."""
    parts, at = [], 0
    for start, end in skip:
        if start > at:
            parts.append((at, start))
        at = max(at, end)
    if at < size:
        parts.append((at, size))
    return parts


def _sentences(
    text: str, start: int, end: int, settings: ChunkSettings, max_tokens: int | None,
    count_tokens: Callable[[str], int],
) -> list[Span]:
    """The sentence spans of text[start:end], in the whole text's offsets."""
    spans = [(s + start, e + start)
             for s, e in sentence_spans(text[start:end], max_chars=settings.sentence_chars)]
    return fit_sentences(text, spans, max_tokens=max_tokens, count_tokens=count_tokens)


def chunk_vector(sentence_vectors: np.ndarray) -> np.ndarray:
    """A chunk's vector: the normalised mean of its sentences' vectors (float32)."""
    mean = sentence_vectors.astype(np.float32).mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)
