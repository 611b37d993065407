"""Answers written by an LLM (any OpenAI-compatible server, or Ollama), checked before shown.

The chain is prompts/answer.md | chat model, streamed. The answer is checked claim by claim as
it streams (assistant.llm.repair), so what reaches the reader, delta by delta, is only what passed:
uncited, unsupported or misquoted claims are dropped and said so in the notes. When nothing
passes, or the server fails, the extractive answer is given instead, with a note saying why.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from assistant.answer import Answer, Delta, extract, is_answerable, refuse
from assistant.chat import Turn, standalone_question
from assistant.config import Settings
from assistant.errors import LlmError
from assistant.language import Language, detect
from assistant.llm.prompts import load_prompt
from assistant.llm.repair import AnswerChecker
from assistant.retrieve import Hit
from index.embed import Embedder

MAX_ANSWER_TOKENS = 256
MAX_CONDENSED_CHARS = 500
HISTORY_TURNS = 3
LANGUAGE_NAMES: dict[Language, str] = {"ar": "Arabic (العربية)", "en": "English"}
MODE_FAILED_CHECK = "extractive (LLM answer failed the citation check)"
MODE_FAILED_LLM = "extractive (LLM failed)"
# "<passage", "</passage", "</passages" and spaced variants inside an article: it must not be
# able to open or close a block of the prompt.
_TAG = re.compile(r"<(\s*/?\s*passages?)", re.IGNORECASE)
# "Standalone question in English: …" — a label some models put before the rewrite.
_LABEL = re.compile(r"^[^:]{0,40}question[^:]{0,20}:\s*", re.IGNORECASE)


def chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model: deterministic, streaming, no retries, answers capped."""
    if not settings.llm_model:
        raise LlmError("answering with an LLM needs a model name: pass --llm-model NAME "
                       "or set AKHBAR_LLM_MODEL")
    try:
        if settings.llm_provider == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(
                base_url=settings.llm_base_url, model=settings.llm_model, temperature=0,
                num_predict=MAX_ANSWER_TOKENS, client_kwargs={"timeout": settings.llm_timeout},
            )
        from langchain_openai import ChatOpenAI
    except ImportError as err:
        raise LlmError(
            f"answering with an LLM needs {err.name}: pip install 'akhbar[llm]'"
        ) from err
    return ChatOpenAI(
        base_url=settings.llm_base_url, model=settings.llm_model,
        api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
        streaming=True, temperature=0, timeout=settings.llm_timeout, max_retries=0,
        # As `max_tokens`, which every OpenAI-compatible server reads; langchain-openai would
        # send `max_completion_tokens`, which llama.cpp's Python server ignores.
        extra_body={"max_tokens": MAX_ANSWER_TOKENS},
    )


def format_passages(hits: Sequence[Hit]) -> str:
    """Each passage in its own numbered block; the article text can never close its block."""
    blocks = []
    for n, hit in enumerate(hits, 1):
        attrs = " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in (
            ("n", str(n)), ("source", hit.source), ("date", hit.date or ""), ("title", hit.title),
        ))
        text = _TAG.sub(r"&lt;\1", hit.text)
        blocks.append(f"<passage {attrs}>\n{text}\n</passage>")
    return "\n\n".join(blocks)


def answer_messages(
    question: str, hits: Sequence[Hit], history: Sequence[Turn] = (),
    language: Language | None = None,
) -> list[BaseMessage]:
    """The messages the model gets for a question (what `llm_answer` sends), asking for an
    answer in `language` (the question's, detected when not given)."""
    values = _answer_values(question, hits, history, language or detect(question))
    return load_prompt("answer").template().format_messages(**values)


def llm_answer(
    question: str, hits: list[Hit], settings: Settings, *, history: Sequence[Turn] = (),
    embedder: Embedder, threshold: float, language: Language | None = None,
) -> Iterator[Delta | Answer]:
    """Stream the checked answer as Deltas, then the Answer: mode "llm", "llm, repaired", or the
    extractive answer when nothing passed. Refuses, without asking the model, when the best
    passage scores under `threshold` (the store's refusal threshold). `language`: the
    question's (detected when not given)."""
    language = language or detect(question)
    if not is_answerable(hits, threshold):  # nothing to answer from: the model is not asked
        refusal = refuse(question, language, "llm")
        yield Delta(refusal.text)
        yield refusal
        return
    checker = AnswerChecker(hits, embedder, repair=settings.scoring.repair)
    failure: str | None = None
    try:
        messages = answer_messages(question, hits, history, language)
        for chunk in chat_model(settings).stream(messages):
            shown = checker.feed(_text(chunk))  # only claims that passed come out
            if shown:
                yield Delta(shown)
    except _failures() as err:
        failure = f"the LLM at {settings.llm_base_url or settings.llm_provider} failed: " \
                  f"{type(err).__name__}: {err}"
    if failure is None:
        shown = checker.finish()
        if shown:
            yield Delta(shown)
    if checker.kept:
        yield _checked_answer(question, language, checker, failure)
        return
    if failure is not None:
        mode, note = MODE_FAILED_LLM, failure
    elif checker.claims == 0:
        mode, note = MODE_FAILED_CHECK, "the LLM wrote no answer"
    else:
        mode = MODE_FAILED_CHECK
        note = f"no claim of the LLM answer passed the citation check: {checker.problems()}"
    fallback = extract(question, hits, threshold=threshold, language=language,
                       quoting=settings.scoring.quoting)
    yield Delta(fallback.text)
    yield Answer(question, fallback.text, False, fallback.citations, language, mode,
                 (f"{note}; showing the extractive answer instead",))


def condense(question: str, history: Sequence[Turn], settings: Settings) -> str:
    """A follow-up rewritten by the LLM into a standalone question (prompts/condense.md);
    the deterministic rewrite when there is no history or the LLM fails."""
    if not history:
        return question
    values = {
        "history": "\n".join(f"Q: {t.question}\nA: {_clip(t.answer, 300)}"
                             for t in history[-HISTORY_TURNS:]),
        "question": question, "language_name": LANGUAGE_NAMES[detect(question)],
    }
    try:
        reply = (load_prompt("condense").template() | chat_model(settings)).invoke(values)
    except _failures():
        return standalone_question(question, history)
    for line in _text(reply).splitlines():  # the first line that is a question
        line = _LABEL.sub("", line.strip()).strip("\"'«»“” ")
        if line.endswith(("?", "؟")) and 3 <= len(line) <= MAX_CONDENSED_CHARS:
            return line
    return standalone_question(question, history)  # it wrote no question: do without it


def _answer_values(
    question: str, hits: Sequence[Hit], history: Sequence[Turn], language: Language,
) -> dict[str, str]:
    earlier = "\n".join(f"- {t.question}" for t in history[-HISTORY_TURNS:]) or "(none)"
    return {"language_name": LANGUAGE_NAMES[language], "history": earlier,
            "passages": format_passages(hits), "question": question}


def _checked_answer(
    question: str, language: Language, checker: AnswerChecker, failure: str | None,
) -> Answer:
    notes = []
    if checker.dropped:
        n = len(checker.dropped)
        notes.append(f"dropped {n} of {checker.claims} claims of the LLM answer "
                     f"(citation check): {checker.problems()}")
    if failure is not None:
        notes.append(f"{failure}; the answer may be incomplete")
    mode = "llm, repaired" if notes else "llm"
    return Answer(question, checker.shown, False, tuple(checker.citations), language, mode,
                  tuple(notes))


def _text(message: Any) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _failures() -> tuple[type[BaseException], ...]:
    """What a server that is down, slow, overloaded or refusing the request raises."""
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError]
    try:
        import httpx

        errors.append(httpx.HTTPError)
    except ImportError:  # pragma: no cover - a dependency of both clients
        pass
    try:
        import openai

        errors.append(openai.APIError)
    except ImportError:
        pass
    try:
        import ollama

        errors.append(ollama.ResponseError)
    except ImportError:
        pass
    return tuple(errors)
