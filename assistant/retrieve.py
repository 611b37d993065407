"""Hybrid retrieval: dense (Chroma) + Arabic BM25, fused by evidence, near-duplicates grouped.

Dense score of a chunk = mean of (query . chunk vector) and (best query . sentence vector);
BM25 is scaled to [0, 1] by the query's best lexical score and weighted by the share of the
query's tokens that the archive's vocabulary knows and by the share of its words BM25 can
match at all: Arabic script and numbers (~0 for an English question over Arabic
text, so a useless lexical list never drags the dense list down). The names in an English
question ("Erbil") are matched against their Arabic transliterations (أربيل) by a third, BM25
list over consonant skeletons (index.translit), scaled by its ceiling; a name found in an
article counts for every passage of it. An English question is also translated word by word
through a bilingual dictionary (assistant.translate) into a fourth, Arabic BM25 list, scaled
by its ceiling and, like names, counted for every passage of the article it is found in.

Every weight, count and threshold here is a field of `Fusion` (assistant.scoring), passed in.

The fused score is then lowered by a prior on the passage (`Hit.prior`): when its article is a
bare line (thinness 1 in assistant.substance: one or two short sentences with no figure, date
or source, a repeated question, a list of keywords), by how much of the passage only echoes the
question's own words (its share of terms the question does not hold, under one half), and
when every sentence of it addresses the reader or hides text (assistant.planted). Such
passages may still be found; they no longer push the reports out of the top k. The evidence
used for refusals is not lowered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from assistant.language import Language, detect, lexical_part, name_words
from assistant.planted import flag
from assistant.scoring import Fusion
from assistant.substance import thinness as thinness_of
from assistant.translate import Translator
from index.catalog import ChunkRow
from index.chunk import chunk_vector
from index.embed import Embedder
from index.filters import Filters  # re-exported: assistant.retrieve.Filters
from index.lexical import LexicalHits
from index.reader import StoreReader
from index.tokens import tokenize

MARKS_CACHE = 200_000  # chunks whose marks are remembered before the cache starts again




@dataclass(frozen=True)
class Copy:
    """A near-duplicate of a hit's article in another outlet (a wire copy): cited with it."""

    article_id: str
    source: str
    date: str | None


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    article_id: str
    title: str
    source: str
    date: str | None
    url: str
    start: int  # span of the passage in the article's original text
    end: int
    text: str
    score: float  # fused
    dense: float
    lexical: float  # scaled BM25 before the coverage weight
    evidence: float  # dense + BM25 / its ceiling: comparable across queries (for refusals)
    sentences: tuple[tuple[int, int], ...]  # in the article's original text
    sentence_scores: tuple[float, ...]  # query . sentence vector
    also_in: tuple[str, ...] = ()  # article ids of near-duplicates grouped under this hit
    names: float = 0.0  # weighted BM25 of an English question's names in this article (in score)
    prior: float = 0.0  # what was taken off the score for a thin, echoing or planted passage
    thinness: float = 0.0  # of the article (assistant.substance): 0 a report, 1 one bare line
    translated: float = 0.0  # weighted BM25 of the question's dictionary translation (in score)
    copies: tuple[Copy, ...] = ()  # the also_in articles' outlets and dates
    # the question's BM25 terms this passage holds, each with its idf (assistant.stories)
    matched: tuple[tuple[str, float], ...] = ()
    # the stored vector of each sentence (float16), for checking claims without embedding again
    sentence_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)),
                                         compare=False, repr=False)
    # the whole article's text, so that a quote can be the whole sentence (assistant.picking)
    article_text: str = field(default="", compare=False, repr=False)

    def span_text(self, start: int, end: int) -> str:
        """The words of [start, end), offsets in the article's text: within this passage, or
        anywhere in the article when the hit carries its text (a sentence cut by the passage)."""
        if self.article_text:
            return self.article_text[start:end]
        return self.text[start - self.start : end - self.start]


@dataclass(frozen=True)
class _Scored:
    fused: float
    dense: float
    lexical: float
    names: float
    translated: float
    evidence: float
    prior: float
    thinness: float
    row: ChunkRow
    sentence_scores: np.ndarray
    vector: np.ndarray  # the chunk's vector, for grouping near-duplicates


class Retriever:
    """Ranks a store's passages for a query; reads only through `store` (a StoreReader)."""

    def __init__(
        self, store: StoreReader, embedder: Embedder,
        weights: Fusion = Fusion(), translator: Translator | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.weights = weights
        self._marks: dict[str, _Marks] = {}  # by chunk id (ids change with the article's text)
        # Translator().available / .missing: whether the dictionary is there (for stats, notes)
        self.translator = translator or Translator()

    def search(
        self, query: str, k: int = 5, filters: Filters = Filters(), *,
        language: Language | None = None,
    ) -> list[Hit]:
        """The k best stories for `query`, in `language` (detected when not given)."""
        language = language or detect(query)
        qvec = self.embedder.embed_query(query)
        dense_ids = (self.store.dense(qvec, filters, self.weights.candidates)  # Chroma kNN
                     if self.weights.dense else [])
        lexical_query, share = lexical_part(query, language)  # BM25 reads Arabic and numbers
        lex = self.store.lexical(lexical_query, filters, self.weights.candidates)
        top_bm25 = float(lex.scores[0]) if len(lex.scores) else 1.0
        raw = dict(zip(lex.chunk_ids, (float(s) for s in lex.scores), strict=True))
        trust = lex.coverage * share  # an English question's BM25 list counts for ~nothing
        named = self._names(query, language, filters)  # "Erbil" finds أربيل
        translated = self._translated(query, language, filters)  # "dowry" finds المهر
        ids = list(dict.fromkeys(dense_ids + lex.chunk_ids + named.chunk_ids
                                 + translated.chunk_ids))
        rows = self.store.chunks(ids)
        # A name is often written once in an article that then goes on about it: its best
        # match counts for every passage of that article.
        by_article: dict[str, float] = {}
        for cid, found in zip(named.chunk_ids, named.scores, strict=True):
            if cid in rows:
                article = rows[cid].article_id
                by_article[article] = max(by_article.get(article, 0.0), float(found))
        translated_in = _best_by_article(translated, rows)  # the same for the translated words
        scored: list[_Scored] = []
        for cid in ids:  # fuse: dense evidence + lexical evidence weighted by coverage
            row = rows.get(cid)
            if row is None:
                continue
            sentence_vectors = row.vectors.astype(np.float32)
            vec = chunk_vector(sentence_vectors)
            sent_scores = sentence_vectors @ qvec
            dense = (float(vec @ qvec) + float(sent_scores.max())) / 2
            lexical = raw.get(cid, 0.0) / top_bm25
            names = (self.weights.names * by_article.get(row.article_id, 0.0)
                     / max(named.ceiling, 1e-9))
            trans = (self.weights.translated * translated_in.get(row.article_id, 0.0)
                     / max(translated.ceiling, 1e-9))
            scored.append(_Scored(
                fused=(self.weights.dense * dense + self.weights.lexical * trust * lexical + names
                       + trans),
                dense=dense, lexical=lexical, names=names, translated=trans, prior=0.0,
                thinness=0.0,
                evidence=(dense + trust * raw.get(cid, 0.0) / max(lex.ceiling, 1e-9) + names
                          + trans),
                row=row, sentence_scores=sent_scores, vector=vec,
            ))
        scored.sort(key=lambda s: -s.fused)
        ranked = self._lower(scored, frozenset(tokenize(query)), k)
        idf = self.store.idf(tokenize(lexical_query))
        return self._hits(_group(ranked, self.weights.duplicate_cosine), k, idf)

    def _lower(self, scored: list[_Scored], qterms: frozenset[str], k: int) -> list[_Scored]:
        """`scored` (best first) with each passage's prior taken off, re-sorted. A prior only
        lowers, so it is worked out down the list only until k stories are settled: scored,
        after their prior, at or above the best score not yet lowered."""
        done = 0
        lowered: list[_Scored] = []
        while done < len(scored):
            batch = scored[done : done + 2 * k + 8]
            marks = self._chunk_marks({s.row.id: s.row for s in batch})
            for s in batch:
                mark = marks.get(s.row.id, _Marks(0.0, False))
                prior = (self.weights.thin * (mark.thinness >= 1)  # a bare line: see substance
                         + self.weights.echo * _echo(qterms, s.row.terms,
                                                     self.weights.echo_novelty)
                         + (self.weights.planted if mark.planted else 0.0))
                lowered.append(replace(s, fused=s.fused - prior, prior=prior,
                                       thinness=mark.thinness))
            done += len(batch)
            if done < len(scored):
                settled = sorted((s for s in lowered if s.fused >= scored[done].fused),
                                 key=lambda s: -s.fused)
                if len(_group(settled, self.weights.duplicate_cosine)) >= k:
                    break
        lowered.sort(key=lambda s: -s.fused)
        return lowered + scored[done:]

    def _chunk_marks(self, rows: dict[str, ChunkRow]) -> dict[str, _Marks]:
        """Each passage's article thinness, and whether every sentence of it addresses the
        reader or hides text. Remembered by chunk id."""
        missing = [row for cid, row in rows.items() if cid not in self._marks]
        if missing:
            if len(self._marks) > MARKS_CACHE:
                self._marks.clear()
            articles = self.store.articles({row.article_id for row in missing})
            thinness = {a.id: thinness_of(a.text) for a in articles.values()}
            for row in missing:
                article = articles.get(row.article_id)
                if article is not None:
                    planted = all(flag(article.text[start:end]) is not None
                                  for start, end in row.sentences)
                    self._marks[row.id] = _Marks(thinness[article.id], planted)
        return {cid: self._marks[cid] for cid in rows if cid in self._marks}

    def _names(self, query: str, language: Language, filters: Filters) -> LexicalHits:
        names = (name_words(query, language, min_length=self.weights.lowercase_name)
                 if self.weights.names else [])
        return self.store.names(names, filters, self.weights.candidates)

    def _translated(self, query: str, language: Language, filters: Filters) -> LexicalHits:
        if not self.weights.translated or language != "en":
            return LexicalHits([], np.zeros(0, dtype=np.float32), 0.0, 0.0)
        translation = self.translator.translate(query)
        return self.store.synonyms(translation.sets, len(translation.words), filters,
                                   self.weights.candidates)

    def _hits(self, groups: list[tuple[_Scored, list[str]]], k: int,
              idf: dict[str, float]) -> list[Hit]:
        chosen = groups[:k]
        articles = self.store.articles({s.row.article_id for s, _ in chosen}
                                       | {t for _, twins in chosen for t in twins})
        hits = []
        for s, twins in chosen:
            a, row = articles[s.row.article_id], s.row
            hits.append(Hit(
                chunk_id=row.id, article_id=a.id, title=a.title, source=a.source, date=a.date,
                url=a.url, start=row.start, end=row.end, text=a.text[row.start:row.end],
                score=round(s.fused, 4), dense=round(s.dense, 4), lexical=round(s.lexical, 4),
                evidence=round(s.evidence, 4), sentences=row.sentences,
                sentence_scores=tuple(float(x) for x in s.sentence_scores), also_in=tuple(twins),
                names=round(s.names, 4), translated=round(s.translated, 4),
                prior=round(s.prior, 4), thinness=s.thinness, sentence_vectors=row.vectors,
                copies=tuple(Copy(t, articles[t].source, articles[t].date) for t in twins
                             if t in articles),
                matched=tuple((t, idf[t]) for t in dict.fromkeys(row.terms.split()) if t in idf),
                article_text=a.text,
            ))
        return hits


@dataclass(frozen=True)
class _Marks:
    thinness: float  # of the article, assistant.substance
    planted: bool  # every sentence addresses the reader or hides text


def _echo(qterms: frozenset[str], terms: str, novel: float) -> float:
    """How much a passage only echoes the question: 1 when all its terms are the question's,
    falling to 0 at a share `novel` of new terms (Fusion.echo_novelty); 0 when they share none
    (an English question over Arabic text cannot be compared word for word)."""
    own = set(terms.split())
    if not own or not qterms or not own & qterms:
        return 0.0
    novelty = len(own - qterms) / len(own)
    return max(0.0, 1 - novelty / novel)


def _best_by_article(hits: LexicalHits, rows: dict[str, ChunkRow]) -> dict[str, float]:
    best: dict[str, float] = {}
    for cid, found in zip(hits.chunk_ids, hits.scores, strict=True):
        if cid in rows:
            article = rows[cid].article_id
            best[article] = max(best.get(article, 0.0), float(found))
    return best


def _group(scored: list[_Scored], threshold: float) -> list[tuple[_Scored, list[str]]]:
    """Keep the best chunk of each story; near-duplicates (other outlets) go into its twins."""
    kept: list[tuple[_Scored, list[str]]] = []
    for item in scored:
        article_id = item.row.article_id
        for best, twins in kept:
            if best.row.article_id != article_id and float(best.vector @ item.vector) >= threshold:
                if article_id not in twins:
                    twins.append(article_id)
                break
        else:
            kept.append((item, []))
    return kept
