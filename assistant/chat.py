"""Follow-up questions: read a question that leans on the conversation with its topic.

The topic of the previous turn is its question's content words and the articles its answer
cited (`Turn.cited`). Without an LLM a follow-up is searched with the previous question
(`standalone_question`), and the passages of the articles the previous answer cited, and of
their wire copies, are then raised (`follow_topic`): by `FollowUp.cited`, and to the
top when the follow-up has no content word of its own ("and when did it happen?",
«وكيف انتهت؟»), which can only be asking about the same story. Which sentences of
the cited articles answer is read half from the follow-up alone (`FollowUp.own`):
"Who could not vote?" asks for those abroad, not for the turnout the first question asked
about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.retrieve import Hit
from assistant.scoring import FollowUp
from assistant.translate import STOPWORDS as EN_STOPWORDS
from index.tokens import tokenize

LONG_ENOUGH = 8  # a question of more words stands alone

# What questions are made of, besides stop words: interrogatives and the verbs and nouns that
# only ask (normalised Arabic BM25 terms, as index.tokens.tokenize gives them; English words).
_AR_ASKING = frozenset(tokenize(
    "من ما ماذا متى كيف كم لماذا لم أين اين أي وأي بأي هل وهل ومن وما وماذا ومتى وكيف وكم "
    "ولماذا وأين ولمن لمن مين وين وش ليش امتى شلون ايش وشو شنو ليه فين كذلك أيضا ايضا "
    "حدث حصل جرى تم ذلك هذا هذه"))
_EN_ASKING = frozenset(
    "happen happened happens take took place say said tell then also else again".split())
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str
    cited: tuple[str, ...] = ()  # the articles its answer cited, best first




def is_follow_up(question: str, history: Sequence[Turn]) -> bool:
    """A question after another that is too short to stand alone."""
    return bool(history) and len(question.split()) <= LONG_ENOUGH


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    """Deterministic rewrite without an LLM: the previous question gives the context.

    "and who denied it?" after "who was blamed for the Erbil attack?" searches for both, so
    the follow-up's pronouns find the same story. A question that is already long enough to
    stand alone (or the first one) is kept as it is.
    """
    if not is_follow_up(question, history):
        return question
    return f"{history[-1].question} {question}"


def own_words(question: str) -> set[str]:
    """The follow-up's content words: its terms less stop words and the words of asking."""
    arabic = set(tokenize(question)) - _AR_ASKING
    english = {w.lower().strip("'’-") for w in _EN_WORD.findall(question)}
    return {t for t in arabic if not t.isascii()} | (english - EN_STOPWORDS - _EN_ASKING)


def follow_topic(question: str, hits: list[Hit], history: Sequence[Turn], k: int,
                 weights: FollowUp = FollowUp(), *,
                 embed: Callable[[str], np.ndarray] | None = None) -> list[Hit]:
    """The best k of `hits` for a follow-up: the previous turn's cited articles raised, and
    their sentences scored partly by the follow-up alone (`embed`, when given)."""
    if not is_follow_up(question, history):
        return hits[:k]
    cited = set(history[-1].cited)
    alone = not own_words(question)  # nothing of its own to ask about but the last story

    def carried(hit: Hit) -> bool:
        return hit.article_id in cited or any(c.article_id in cited for c in hit.copies)

    raised = [replace(h, score=round(h.score + weights.cited, 4)) if carried(h) else h
              for h in hits]
    raised.sort(key=lambda h: (not (alone and carried(h)), -h.score))
    if embed is None:
        return raised[:k]
    own = embed(question)
    return [_rescored(h, own, weights.own) if carried(h) else h for h in raised[:k]]


def _rescored(hit: Hit, own: np.ndarray, share: float) -> Hit:
    """The hit with its sentences scored `share` by the follow-up alone (`own`, its vector)."""
    if hit.sentence_vectors.shape != (len(hit.sentence_scores), own.shape[0]):
        return hit  # no stored sentence vectors to score
    alone = hit.sentence_vectors.astype(np.float32) @ own
    scores = (1 - share) * np.asarray(hit.sentence_scores, dtype=np.float32) + share * alone
    return replace(hit, sentence_scores=tuple(float(x) for x in scores))
