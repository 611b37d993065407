"""Follow-up questions: turn a question that leans on the conversation into a standalone one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    """Deterministic rewrite without an LLM: the previous question gives the context.

    "and who denied it?" after "who was blamed for the Erbil attack?" searches for both, so
    the follow-up's pronouns find the same story. A question that is already long enough to
    stand alone (or the first one) is kept as it is.
    """
    if not history:
        return question
    if len(question.split()) > 8:
        return question
    return f"{history[-1].question} {question}"
