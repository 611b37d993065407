"""Which sentence answers: whole sentences, scored for what the question asks.

The embedder's length limit cuts long sentences into pieces (index.sentences, index.chunk);
a quote is the whole sentence again, or, when the sentence is longer than `Picking.longest`,
the pieces around the best one, marked as cut on the side that goes on. A sentence that holds
a span of the kind the question wants (assistant.question, assistant.spans: a name for «من…» /
"who", a date for «متى…», a place, a figure) that the question does not already hold scores
`Picking.typed` higher; the question's content words found in it count `Picking.overlap` (an
English question's words through their dictionary translations, assistant.translate). A
question is never an answer, and neither is boilerplate («اقرأ أيضا», "Read more", a credit
line). The weights were set on ARCD's train split (README "Measured").
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass

from assistant.question import Question
from assistant.retrieve import Hit
from assistant.scoring import Picking
from assistant.spans import find_spans
from assistant.substance import is_question
from index.boilerplate import is_furniture
from index.normalize import normalize
from index.sentences import sentence_spans
from index.tokens import tokenize

__all__ = ["Sentence", "answer_span", "asks", "fit", "is_boilerplate", "quotable",
           "rarity", "sentences_of"]




@dataclass(frozen=True)
class Sentence:
    start: int  # offsets in the article's text
    end: int
    dense: float  # the best query . piece score of its pieces in the passage
    cut_before: bool  # the sentence goes on before `start`
    cut_after: bool  # and after `end`


_BOILERPLATE = re.compile(
    r"^\W*(?:(?:اقرا ايضا|اقرا المزيد|للمزيد|شاهد ايضا|تابعونا|تابعوا|جميع الحقوق محفوظه"
    r"|حقوق النشر|(?:read|see) (?:more|also)|advertisement|all rights reserved|copyright"
    r"|share this|follow us|click here)\b|(?:المصدر|مصدر الصوره|الصوره|صوره ارشيفيه|photo"
    r"|source|related)\s*(?:[:-]|$))",
    re.IGNORECASE,
)
# a line of an outlet's tags: «سمات الجوازات وافدون وثيقة سفر» (Ain Alyoum), words without
# punctuation after a label (85 such lines in SaudiNewsNet, all Ain Alyoum's)
_TAGS = re.compile(
    r"^\W*(?:سمات|الوسوم|وسوم|كلمات دلاليه|الكلمات الدلاليه|tags)(?:\s*:)?\s+[^.,،:;؛!?؟]+$",
    re.IGNORECASE)
# a short sentence opening with a word that only asks: «أين يوسف عنبر..» is a question even
# without its question mark («من», «ما», «كم» also negate, relate or exclaim: not here)
_ASKING = frozenset("اين متي كيف لماذا ماذا هل وين ليش ليه امتي شلون".split())
ASKING_WORDS = 12  # words at most, for a sentence opening with one of them to be a question
_TERMINATED = re.compile(r"[.!?\u061f\u061b\u2026]+[\u201d\"\u00bb\u2019)\]]*$")


def is_boilerplate(sentence: str) -> bool:
    """A line of the page rather than of the report: «اقرأ أيضا…», "Read more", a credit line,
    or a line with fewer than three words."""
    norm = " ".join(normalize(sentence).split())
    return (bool(_BOILERPLATE.match(norm) or _TAGS.match(norm)) or is_furniture(sentence)
            or len(re.findall(r"[^\W_]+", norm)) < 3)


def asks(sentence: str) -> bool:
    """A question, with or without its mark: ends in «؟» / "?", or is short and opens with a
    word that only asks («أين…», «هل…», «وين…»; also after «و» or «ف»)."""
    if is_question(sentence):
        return True
    words = re.findall(r"[^\W_]+", normalize(sentence))
    if not words or len(words) > ASKING_WORDS:
        return False
    first = words[0]
    return first in _ASKING or (first[:1] in ("و", "ف") and first[1:] in _ASKING)


def sentences_of(hit: Hit, picking: Picking) -> list[Sentence]:
    """The passage's sentences, whole: its pieces joined back into the sentences of the
    article they were cut from (index.sentences cuts runs over 400 characters, index.chunk
    those over the embedder's token limit)."""
    text = hit.article_text or hit.text
    base = 0 if hit.article_text else hit.start
    whole = sentence_spans(text, max_chars=max(len(text), 1))
    starts = [s for s, _ in whole]
    grouped: dict[int, list[tuple[int, int, float]]] = {}
    for (start, end), dense in zip(hit.sentences, hit.sentence_scores, strict=True):
        i = max(bisect_right(starts, start - base) - 1, 0)
        grouped.setdefault(i, []).append((start, end, dense))
    out = []
    for i, pieces in grouped.items():
        s, e = whole[i][0] + base, whole[i][1] + base
        if not hit.article_text:  # only the passage is known: keep to it
            s, e = max(s, hit.start), min(e, hit.end)
            cut_before = False
            cut_after = e == hit.end and not _TERMINATED.search(hit.text[: e - hit.start])
        else:
            cut_before = cut_after = False
        best = max(pieces, key=lambda p: p[2])
        if e - s > picking.longest:  # too long to quote whole: the best piece, marked
            cut_before, cut_after = best[0] > s, best[1] < e
            s, e = best[0], best[1]
        out.append(Sentence(s, e, best[2], cut_before, cut_after))
    return out


# Words news uses for one relation, in BM25 terms (index.tokens): a question asking who is
# «المسؤول» about an attack is answered by «تتهم… بالوقوف وراء الهجمات».
_RELATIONS = (
    "مسوول مسووليه راء وقوف اتهم تتهم يتهم اتهام تبن تبنت نفذ نفذت تنفيذ منفذ",
    "هجوم هجم اعتداء استهداف استهدف قصف ضرب غار",
    "قتل مقتل قتيل قتيلا مصرع حتف ضحايا",
    "جرح اصاب اصيب جريح جريحا",
)
_RELATED = {t: i for i, group in enumerate(_RELATIONS) for t in group.split()}


def _related(term: str, terms: set[str]) -> bool:
    group = _RELATED.get(term)
    return group is not None and any(_RELATED.get(t) == group for t in terms)


def _root(term: str) -> str:
    """A term without the long vowels after its first letter: هجوم and هجمات (هجم) meet, as do
    a singular and its broken plural often enough (مسوول, مسوولون)."""
    if len(term) < 3 or not "\u0600" <= term[0] <= "\u06ff":
        return term
    return term[0] + re.sub("[اوي]", "", term[1:])


def rarity(sentences: list[str]) -> dict[str, float]:
    """Each term's idf among `sentences`: the words that tell one sentence from the others."""
    df: dict[str, int] = {}
    for sentence in sentences:
        for term in set(tokenize(sentence)):
            df[term] = df.get(term, 0) + 1
    n = len(sentences)
    return {t: math.log(1 + n / d) for t, d in df.items()}


def fit(question: Question, sentence: str, translated: tuple[tuple[str, ...], ...],
        picking: Picking, idf: dict[str, float] | None = None) -> float:
    """What the sentence adds to its score for answering this question."""
    idf = idf or {}
    unseen = max(idf.values(), default=1.0)
    order = tokenize(sentence)
    terms = set(order)
    roots = {_root(t) for t in terms}
    if question.language == "en":
        wanted = [frozenset(s) for s in translated]
        weights = [max((idf.get(t, 0.0) for t in s), default=0.0) or unseen for s in wanted]
        found = [w * (1.0 if s & terms else picking.root if {_root(t) for t in s} & roots
                      else 0.0) for s, w in zip(wanted, weights, strict=True)]
    else:
        wanted_terms = sorted(question.terms)
        weights = [idf.get(t, unseen) for t in wanted_terms]
        found = [w * (1.0 if t in terms or _related(t, terms)
                      else picking.root if _root(t) in roots else 0.0)
                 for t, w in zip(wanted_terms, weights, strict=True)]
    share = sum(found) / sum(weights) if weights and sum(weights) else 0.0
    score = picking.overlap * share
    if picking.phrase and question.language == "ar":
        asked = [t for t in tokenize(question.text) if t in question.terms]
        pairs = set(zip(asked, asked[1:], strict=False))
        if pairs:
            score += picking.phrase * len(pairs & set(zip(order, order[1:], strict=False))) \
                / len(pairs)
    typed = answer_span(question, sentence, translated) is not None
    return score + (picking.typed if typed else 0.0)


def answer_span(question: Question, quote: str, translated: tuple[tuple[str, ...], ...] = ()
                ) -> tuple[int, int] | None:
    """The span of `quote` that answers: of the kind the question wants, not made only of the
    question's own words, the nearest to them; None when the question wants no kind or the
    quote holds none."""
    if question.wants is None:
        return None
    known = set(question.terms) | {t for s in translated for t in s}
    spans = [(s, e) for s, e in find_spans(quote, question.wants)
             if set(tokenize(quote[s:e])) - known]
    if not spans:
        return None
    anchors = [m.start() for m in re.finditer(r"[^\W_]+", quote)
               if any(t in known or _related(t, known) or _root(t) in {_root(k) for k in known}
                      for t in tokenize(m.group()))]
    if not anchors:
        return spans[0]
    # the span amid the question's words: the least distance to all of them
    return min(spans, key=lambda sp: sum(max(sp[0] - a, a - sp[1], 0) for a in anchors))


def quotable(sentence: str) -> bool:
    """Whether the sentence may be quoted as an answer at all."""
    return not asks(sentence) and not is_boilerplate(sentence)
