"""Chunks: spans into the original text, and sentences that always fit the embedder."""

from __future__ import annotations

import random

from helpers import CORPUS, SMALL_CHUNKS
from hypothesis import given, settings
from hypothesis import strategies as st

from index.articles import Article
from index.chunk import Chunk, ChunkSettings, chunk_article
from index.embed import SentenceTransformerEmbedder
from index.sentences import sentence_spans

_WORDS = ("الحكومة", "أعلنت", "عن", "مشروع", "جديد", "لتطوير", "البنية", "التحتية", "في",
          "المنطقة", "الشرقية", "بتكلفة", "مليار", "ريال", "خلال", "ثلاث", "سنوات")


def _article(text: str, article_id: str = "a") -> Article:
    return Article(article_id, "", None, "", "", text, "test")


def _unpunctuated(n_words: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(n_words))


def _check_spans(article: Article, chunks: list[Chunk]) -> None:
    text = article.text
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert chunk.sentences and chunk.sentences[0][0] == chunk.start
        assert chunk.sentences[-1][1] == chunk.end
        for start, end in chunk.sentences:
            assert chunk.start <= start < end <= chunk.end
    # A chunk holds every sentence inside its span, none left out.
    every = sorted({s for c in chunks for s in c.sentences})
    for chunk in chunks:
        within = tuple(s for s in every if chunk.start <= s[0] and s[1] <= chunk.end)
        assert chunk.sentences == within
    # Every character that is not white space is in some sentence of some chunk.
    covered = [False] * len(text)
    for chunk in chunks:
        for start, end in chunk.sentences:
            covered[start:end] = [True] * (end - start)
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))


def test_chunks_quote_the_article_exactly() -> None:
    for record in CORPUS:
        article = _article(str(record["text"]), str(record["id"]))
        for chunking in (SMALL_CHUNKS, ChunkSettings()):
            chunks = chunk_article(article, "hash", chunking)
            _check_spans(article, chunks)
            assert all(len(c.text) <= chunking.max_chars for c in chunks)


def test_chunk_ids_follow_the_article_version() -> None:
    article = _article(str(CORPUS[0]["text"]))
    first = chunk_article(article, "v1", SMALL_CHUNKS)
    assert [c.id for c in chunk_article(article, "v1", SMALL_CHUNKS)] == [c.id for c in first]
    assert not {c.id for c in chunk_article(article, "v2", SMALL_CHUNKS)} & {c.id for c in first}


_TEXT = st.text(alphabet=st.sampled_from("بتثجحخدرسعلمنهوي .؟،\n"), max_size=400)


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.integers(1, 6))
def test_sentences_fit_any_token_limit(text: str, max_tokens: int) -> None:
    """Whatever the text, every sentence is within the limit (or is a single character)."""
    article = _article(text)
    chunks = chunk_article(article, "h", ChunkSettings(max_chars=60, overlap_chars=20,
                                                       sentence_chars=40),
                           max_tokens=max_tokens, count_tokens=lambda t: len(t.split()))
    _check_spans(article, chunks)
    for chunk in chunks:
        for start, end in chunk.sentences:
            assert len(text[start:end].split()) <= max_tokens or end - start == 1


def test_long_unpunctuated_arabic_fits_the_transformer(
    minilm_embedder: SentenceTransformerEmbedder,
) -> None:
    limit = minilm_embedder.max_tokens
    assert limit == 256
    text = (_unpunctuated(900) + "\n" + "ب" * 1500 + " " + _unpunctuated(300, seed=1)
            + ". " + str(CORPUS[0]["text"]))
    article = _article(text)
    assert minilm_embedder.count_tokens(text) > 5 * limit
    # Cut at 400 characters only, the pieces are still too long: Arabic letters are word pieces.
    pieces = sentence_spans(text, max_chars=ChunkSettings().sentence_chars)
    assert max(minilm_embedder.count_tokens(text[s:e]) for s, e in pieces) > limit
    # Sentences of up to 400 characters: Arabic words are several word pieces each.
    chunks = chunk_article(article, "h", ChunkSettings(), max_tokens=limit,
                           count_tokens=minilm_embedder.count_tokens)
    _check_spans(article, chunks)
    sentences = sorted({s for c in chunks for s in c.sentences})
    counts = [minilm_embedder.count_tokens(text[s:e]) for s, e in sentences]
    assert max(counts) <= limit
    assert max(counts) > limit // 2  # split, not shredded
    vectors = minilm_embedder.embed_documents([text[s:e] for s, e in sentences])
    assert vectors.shape == (len(sentences), 384)
