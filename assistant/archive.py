"""The Python API that the CLI and the UI share: an opened archive you can search and ask."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant import refusal
from assistant.answer import Answer, best_evidence, extract
from assistant.chat import Turn, standalone_question
from assistant.config import Settings
from assistant.errors import ArticleNotFoundError, EmptyStoreError, QuestionTooLongError
from assistant.language import Language, detect
from assistant.retrieve import Filters, Hit, Retriever
from index.catalog import StoredArticle
from index.embed import Embedder, info, load_embedder
from index.lexical import LexicalIndex
from index.store import Store, StoreConfig, StoreStats, open_store

MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True)
class Delta:
    """A piece of a streamed answer; the stream ends with the checked Answer."""

    text: str


class Archive:
    def __init__(
        self, settings: Settings, store: Store, embedder: Embedder,
        lexical: LexicalIndex | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.retriever = Retriever(store, embedder, lexical or LexicalIndex(store.lexical_dir))
        self._thresholds: dict[Language, float] | None = None

    @classmethod
    def open(
        cls, settings: Settings, *, embedder: Embedder | None = None,
        lexical: LexicalIndex | None = None,
    ) -> Archive:
        """The store named by settings; `embedder` and `lexical` (read-only) may be shared."""
        store = open_store(StoreConfig(settings.store, settings.chroma_server), create=False)
        try:
            built = store.model()
            if built is None or store.catalog.counts()[0] == 0:
                raise EmptyStoreError(
                    f"the store at {settings.store} is empty. Index an archive first: "
                    f"akhbar index PATH --store {settings.store}"
                )
            embedder = embedder or load_embedder(built.name)
            store.check_model(info(embedder), store.catalog.get_meta("chunking") or "")
            return cls(settings, store, embedder, lexical)
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        self.store.close()

    def threshold(self, language: Language) -> float:
        """The score under which this store is taken to hold no answer (assistant.refusal)."""
        if self._thresholds is None:
            self._thresholds = refusal.thresholds(
                self.store.catalog, self._best_score, quantile=self.settings.refusal_quantile
            )
        return self._thresholds[language]

    def _best_score(self, question: str) -> float:
        return best_evidence(self.retriever.search(question, refusal.PROBE_K))

    def stats(self) -> StoreStats:
        return self.store.stats()

    def sources(self) -> list[str]:
        return [name for name, _ in self.store.catalog.sources() if name]

    def filters(
        self, *, since: str | None = None, until: str | None = None,
        sources: Sequence[str] = (),
    ) -> Filters:
        """Filters with outlet names matched case-insensitively against the stored ones."""
        known = {name.casefold(): name for name in self.sources()}
        resolved = []
        for name in sources:
            if name.casefold() not in known:
                raise ValueError(
                    f"unknown outlet {name!r}; the archive has: {', '.join(sorted(known.values()))}"
                )
            resolved.append(known[name.casefold()])
        for label, date in (("since", since), ("until", until)):
            if date and not _is_date(date):
                raise ValueError(f"--{label} expects a date as YYYY-MM-DD, got {date!r}")
        if since and until and since > until:
            raise ValueError(f"--since {since} is after --until {until}: no day is in between")
        return Filters(since=since or None, until=until or None, sources=tuple(resolved))

    def search(
        self, query: str, *, k: int | None = None, filters: Filters = Filters()
    ) -> list[Hit]:
        check_question(query)
        return self.retriever.search(query, k or self.settings.k, filters)

    def ask(
        self, question: str, *, k: int | None = None, filters: Filters = Filters(),
        history: Sequence[Turn] = (),
    ) -> Answer:
        answer = None
        for event in self.ask_stream(question, k=k, filters=filters, history=history):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def ask_stream(
        self, question: str, *, k: int | None = None, filters: Filters = Filters(),
        history: Sequence[Turn] = (),
    ) -> Iterator[Delta | Answer]:
        """Yield text deltas as they are written, then the checked Answer."""
        check_question(question)
        if self.settings.llm_provider is None:
            query = standalone_question(question, history)
        else:
            from assistant.llm import condense

            query = condense(question, history, self.settings)  # prompts/condense.md
        hits = self.retriever.search(query, k or self.settings.k, filters)  # dense + BM25
        if self.settings.llm_provider is None:
            threshold = self.threshold(detect(question))
            answer = extract(question, hits, threshold=threshold)  # quotes the best sentences
            yield Delta(answer.text)
            yield answer
            return
        from assistant.llm import llm_answer

        yield from llm_answer(question, hits, self.settings, history=history,
                              embedder=self.embedder, threshold=self.threshold(detect(question)))

    def article(self, article_id: str) -> StoredArticle:
        found = self.store.catalog.article(article_id)
        if found is None:
            raise ArticleNotFoundError(
                f"no article with id {article_id!r} in {self.settings.store}"
            )
        return found


def check_question(question: str) -> None:
    """Refuse an empty question, or one over the length cap (CLI, API and UI alike)."""
    if not question.strip():
        raise ValueError("The question is empty.")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionTooLongError(
            f"The question is too long: {len(question):,} characters; the limit is "
            f"{MAX_QUESTION_CHARS:,}. Shorten it and ask again."
        )


def _is_date(text: str) -> bool:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat() == text  # YYYY-MM-DD, not 2021-W01-1
    except ValueError:
        return False
