"""Every weight, threshold and candidate count that decides which passage comes first, which
of its sentences are quoted, which claims of an LLM answer are kept and when the archive
refuses: the one place to read to answer "why is this hit first?".

One `Scoring` is built at the edge (`Settings.scoring`, default `Scoring()`) and passed down:
Archive → Retriever (`fusion`), extractive answer (`quoting`), LLM claim check (`repair`),
refusal thresholds (`refusal`), lexical index (`lexical`, defined in index.params because
index/ never imports assistant/; `akhbar index` builds with its defaults, which k1, b and
min_skeleton must match at query time). Each field says what it does and what picked it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.params import Lexical

__all__ = ["FollowUp", "Fusion", "Lexical", "Picking", "Quoting", "Refusal", "Repair", "Scoring",
           "Stories"]


@dataclass(frozen=True)
class Fusion:
    """How the retrieval lists are fused into one score per passage (assistant.retrieve)."""

    dense: float = 1.0  # weight of the dense score; the reference the others are set against
    lexical: float = 0.75  # BM25 weight (times coverage); tuned on ARCD train, README
    names: float = 0.3  # an English question's names across scripts; picked on XQuAD, README
    # an English question's dictionary translation (assistant.translate); picked on the even
    # half of XQuAD's English questions, scripts/tune_fusion.py, README "Measured"
    translated: float = 0.25
    candidates: int = 50  # taken from each list (dense, BM25, names, translated) before fusion
    duplicate_cosine: float = 0.95  # chunks this close are one story in several outlets; by hand
    # priors taken off the fused score (Hit.prior), set by hand with the planted-articles bench
    # (tests/bench/planted.py):
    thin: float = 0.6  # a passage of a bare line: an article of thinness 1 (assistant.substance)
    echo: float = 0.5  # a passage made of the question's own words, at most (see echo_novelty)
    planted: float = 0.5  # a passage whose every sentence addresses the reader or hides text
    echo_novelty: float = 0.5  # a passage with under this share of terms new to the question
    # in a question written without capitals, words this long or longer are tried as names;
    # by hand, README "How it works" (assistant.language.name_words)
    lowercase_name: int = 4


@dataclass(frozen=True)
class Quoting:
    """Which sentences of the top passages the extractive answer quotes (assistant.answer).

    A sentence scores dense + what it holds of the question (`Picking`) + Picking.passage × its
    article's best fused score − rank_step × the passage's rank − what it says nothing for.
    All set by hand, none tuned on a split: the first ones date from the first answerer and
    the eval command (git 04c6852), the rest came with the planted bench
    (tests/bench/planted.py)."""

    max_quotes: int = 3  # sentences quoted at most
    margin: float = 0.1  # further quotes must score within this of the best one
    per_article: int = 2  # sentences quoted from one article at most
    rank_step: float = 0.01  # taken off per rank of the passage, so ties go to the better one
    # a sentence whose terms are mostly the question's own says nothing new: below this share
    # of new terms it is lowered, by up to `restated` at no new term at all
    novel_enough: float = 0.4
    restated: float = 0.3
    question: float = 0.3  # taken off a question: a question is not an answer
    stuffed: float = 0.3  # taken off a list of keywords (assistant.substance.stuffed)
    # the thinness (assistant.substance) up to which an article counts as a report: while a
    # report answers, no thinner article is quoted beside it
    report: float = 2 / 3


@dataclass(frozen=True)
class Picking:
    """What a sentence scores for answering the question (assistant.picking): overlap, root
    and typed set on ARCD train (flat across the values tried), the rest by hand."""

    overlap: float = 0.8  # times the share of the question's content words in the sentence,
    # each weighted by its rarity among the sentences found (idf)
    phrase: float = 0.0  # times the share of the question's word pairs found side by side
    root: float = 0.5  # a question word met only through its root (_root) counts this much
    typed: float = 0.3  # a sentence holding a new span of the wanted kind
    # times the retrieval score of the best passage of the sentence's article (it was 0.5
    # times the sentence's own passage before; set by hand)
    passage: float = 0.5
    longest: int = 1200  # characters: a longer sentence is quoted by its pieces, marked as cut


@dataclass(frozen=True)
class Stories:
    """Which passages are one story, and when another story is quoted (assistant.stories).
    The overlaps were picked by reading the 466 article pairs in the top 5 of newsqa-dev's main
    questions (so not held out from it); the rest set by hand."""

    copy_overlap: float = 0.8  # shared terms over all their terms (Jaccard): a wire copy
    copy_days: int = 3  # a wire copy is published within this many days of the first one
    story_overlap: float = 0.45  # share of terms for two articles to report one story
    story_days: int = 3  # ... published within this many days of each other
    close: float = 0.1  # another story is quoted when its evidence is within this of the best
    # ... and when it holds this share (by idf) of the question's terms the best story holds:
    # a story without the question's «أربيل» is not about the attack on Erbil
    topic: float = 0.6


@dataclass(frozen=True)
class FollowUp:
    """How a follow-up is read with the previous turn (assistant.chat). Compared on
    tests/bench/followups.jsonl, the set the README reports: not held out."""

    cited: float = 0.15  # added to the score of a passage of an article the last turn cited
    wider: int = 3  # a follow-up searches this many times k, so the last story can be found
    own: float = 0.5  # share of a cited article's sentence's score from the follow-up alone


@dataclass(frozen=True)
class Repair:
    """When a claim of an LLM answer is supported by the passage it cites (assistant.llm.repair).

    `support` was calibrated with the bundled USE-multilingual on 47 hand-labelled claims about
    the seed articles, 24 true and 23 false: at 0.35, 20 true claims pass (the misses
    paraphrase one clause of a long sentence: 0.19-0.27) and 2 false ones (role swaps). A cosine
    is topical: it catches claims about something else, not who-did-what swaps.
    tests/test_citations.py keeps a few of each."""

    support: float = 0.35  # cosine a claim needs with a sentence (or clause) of the passage
    clause_penalty: float = 0.15  # a clause of a long sentence must match this much better
    min_clause_words: int = 4  # shorter pieces of a sentence are not clauses of their own


@dataclass(frozen=True)
class Refusal:
    """When the archive holds no answer (assistant.refusal): thresholds probed per store."""

    probe_k: int = 5  # passages per probe question, whatever k the store is then opened with
    # never answer below these, whatever the probes gave; set by hand (README "How it works")
    floor_ar: float = 0.2
    floor_en: float = 0.12
    # the refusal model (assistant.refusal_model) decides up to this many articles; above it
    # the thresholds alone do. Its fit saw stores of 6, 465 and 704 articles; among 30k
    # articles it refused 76% (ar) / 68% (en) of XQuAD's answerable questions, the thresholds
    # alone 39% / 31% (README "Measured"). Set by hand: about 3x the largest fitted store.
    model_max_articles: int = 2000

    def floor(self, language: str) -> float:
        return self.floor_ar if language == "ar" else self.floor_en


@dataclass(frozen=True)
class Scoring:
    fusion: Fusion = field(default_factory=Fusion)  # retrieval (assistant.retrieve)
    quoting: Quoting = field(default_factory=Quoting)  # extractive answers (assistant.answer)
    picking: Picking = field(default_factory=Picking)  # sentence scores (assistant.picking)
    stories: Stories = field(default_factory=Stories)  # one story per answer (assistant.stories)
    follow_up: FollowUp = field(default_factory=FollowUp)  # follow-ups (assistant.chat)
    repair: Repair = field(default_factory=Repair)  # LLM claim check (assistant.llm.repair)
    refusal: Refusal = field(default_factory=Refusal)  # refusal thresholds (assistant.refusal)
    lexical: Lexical = field(default_factory=Lexical)  # BM25 and names (index.params)
