"""The Python API that the CLI and the UI share: an opened archive you can search and ask.

One Archive may be used from any number of threads at once. At the start of each search or
question it checks the store's generation mark (one SQL read, one small file): when another
process has indexed since, it picks the new lexical index and refusal thresholds up before
answering, so a running chat sees re-indexing without a restart, and never a half-read state.
When the lexical index is out of step with the catalog (a run is writing, or one was killed
before rebuilding it) answers still come, from the dense list plus whatever the last complete
lexical index still finds, and :attr:`Archive.warning` says so.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant import refusal, refusal_model
from assistant.answer import (  # Delta: re-exported
    Answer,
    Delta,
    best_evidence,
    extract,
    is_answerable,
    refuse,
)
from assistant.chat import Turn, follow_topic, is_follow_up, standalone_question
from assistant.config import Settings
from assistant.coverage import SMALL_ARCHIVE, coverage_of, covers
from assistant.errors import (
    ArticleNotFoundError,
    EmptyQuestionError,
    EmptyStoreError,
    FilterError,
    QuestionTooLongError,
)
from assistant.language import Language, detect
from assistant.question import has_words
from assistant.retrieve import Filters, Hit, Retriever
from assistant.scoring import Fusion, Scoring
from assistant.translate import Translator, missing_note
from index.articles import Problem
from index.build import IndexReport, IndexSettings, Progress, build
from index.catalog import StoredArticle
from index.dictionary import DEFAULT_DICTIONARY, DictionaryMissing
from index.embed import DEFAULT_MODEL, Embedder, info, load_embedder
from index.errors import StoreError
from index.store import IndexState, Snapshot, Store, StoreConfig, StoreStats, open_store

MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True)
class IndexWarning:
    """The keyword (lexical) index is not the one built from the store as it is now.

    Answers still come: from the dense list, plus the keyword matches of the last complete
    lexical index among the passages still stored (the newer ones are found by meaning only).
    """

    generation: int  # the catalog's
    lexical_generation: int | None  # the keyword index's; None: not recorded
    missing: bool  # no keyword index at all: a first run killed before building it
    indexing_pid: int | None  # a running `akhbar index` that will bring it up to date

    @property
    def message(self) -> str:
        if self.indexing_pid is not None:
            what = "being built" if self.missing else "being brought up to date"
            return (f"the keyword index is {what} by a running `akhbar index` (pid "
                    f"{self.indexing_pid}); until it is done, passages it has not reached are "
                    "found by meaning only")
        if self.missing:
            return ("the keyword index is missing (an indexing run was interrupted): answers "
                    "use the dense index alone. Run `akhbar index` on the archive again")
        built = ("an earlier state" if self.lexical_generation is None
                 else f"generation {self.lexical_generation}")
        return (f"the keyword index is out of date (built from {built}, the store is at "
                f"generation {self.generation}): newer passages are found by meaning only. "
                "Run `akhbar index` on the archive again")


@dataclass(frozen=True)
class _View:
    """What one search reads: the store pinned at one state (its lexical index restricted to
    the chunks still stored when it is stale), and a retriever over it."""

    snapshot: Snapshot
    retriever: Retriever
    warning: IndexWarning | None
    articles: int  # stored at that state (the refusal model reads it)

    @property
    def state(self) -> IndexState:
        return self.snapshot.state


class Archive:
    def __init__(self, settings: Settings, store: Store, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        # One call at a time: a model's tokenizer (Hugging Face's fast ones, the bundled
        # model's lazy loading) is not safe to use from two threads at once.
        self.embedder: Embedder = embedder if isinstance(embedder, _OneAtATime) \
            else _OneAtATime(embedder)
        self._lock = threading.Lock()  # one thread reloads at a time
        self._calibrating = threading.Lock()
        self._vectors = _Shared()  # searches share Chroma; reopening it waits for them
        self._closed = False
        self._thresholds: tuple[tuple[int, Path | None], dict[Language, float]] | None = None
        # English questions' dictionary leg; read on the first English question
        self.translator = Translator(settings.dictionary or DEFAULT_DICTIONARY)
        self._told_dictionary = threading.Event()  # its absence is noted in one answer only
        self.refusal_model = refusal_model.load()  # when to refuse (assistant.refusal_model)
        self._dated: tuple[int, frozenset[int]] | None = None  # generation, article years
        state = store.index_state()
        self._vectors_at = state.generation  # the generation Chroma was opened at
        self._view = self._load(state, None)

    @property
    def retriever(self) -> Retriever:
        """The retriever over the store as last seen (searches refresh it first)."""
        return self._view.retriever

    @property
    def warning(self) -> IndexWarning | None:
        """Why answers may miss keyword matches right now (None: the store is in step)."""
        return self._current().warning

    def _current(self) -> _View:
        """The view of the store as it is now: reloaded when another process changed it.

        Never called while this thread holds `_vectors` (it may wait for every search)."""
        state = self.store.index_state()
        view = self._view
        if state == view.state:
            return view
        with self._lock:
            view = self._view
            if state != view.state:
                if state.generation != self._vectors_at and state.writer_pid is None:
                    # The store is at rest (the run finished, or died): see its vectors.
                    with self._vectors.alone():
                        self._check_open()
                        self.store.reopen_vectors()
                    self._vectors_at = state.generation
                view = self._load(state, view.snapshot)
                self._view = view
            return view

    def _load(self, state: IndexState, previous: Snapshot | None) -> _View:
        snapshot = self.store.snapshot(state, previous)
        state, warning = snapshot.state, None
        if state.lexical_stale:
            warning = IndexWarning(state.generation, state.lexical_generation,
                                   state.lexical_missing, state.writer_pid)
        return _View(snapshot, Retriever(snapshot, self.embedder, self.settings.scoring.fusion,
                                         translator=self.translator), warning,
                     self.store.counts()[0])

    def retriever_with(self, weights: Fusion) -> Retriever:
        """A retriever over the store as last seen, ranking with other `weights` (evaluation
        compares methods this way)."""
        return Retriever(self._current().snapshot, self.embedder, weights,
                         translator=self.translator)

    def _search(
        self, view: _View, query: str, k: int, filters: Filters = Filters(),
        language: Language | None = None,
    ) -> list[Hit]:
        with self._vectors.shared():
            self._check_open()
            return view.retriever.search(query, k, filters, language=language)

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the archive at {self.settings.store} is closed")

    @classmethod
    def open(
        cls, settings: Settings, *, create: bool = False, embedder: Embedder | None = None,
        threads: int = 1,
    ) -> Archive:
        """The store named by settings. With `create`, a new (empty) store is made when there
        is none, ready for :meth:`index`; without it, a missing or empty store is refused.

        `embedder` may be shared between archives; without one, the model asked for is
        loaded (with `threads` BLAS threads), else the store's, else the default."""
        store = open_store(StoreConfig(settings.store, settings.chroma_server), create=create)
        try:
            built = store.model()
            if not create and (built is None or store.counts()[0] == 0):
                raise EmptyStoreError(settings.store)
            if embedder is None:
                name = settings.model or (built.flag if built else DEFAULT_MODEL)
                embedder = load_embedder(name, threads=threads)
            store.check_model(info(embedder))
            return cls(settings, store, embedder)
        except BaseException:
            store.close()
            raise

    def index(
        self, paths: Sequence[Path], settings: IndexSettings = IndexSettings(), *,
        on_problem: Callable[[Problem], None] = lambda _: None,
        progress: Progress | None = None,
    ) -> IndexReport:
        """Index `paths` into this archive's store (index.build): one writer at a time, the
        store repaired first if a run died; searches after it see the new articles.

        Each bad record, unreadable file or unpruned file is passed to `on_problem`;
        `progress` gets (articles seen, characters embedded) after each batch."""
        self._check_open()
        return build(paths, self.store, self.embedder, settings, on_problem=on_problem,
                     progress=progress)

    def is_empty(self) -> bool:
        return self.store.counts()[0] == 0

    def close(self) -> None:
        with self._vectors.alone():  # after the searches under way
            if not self._closed:
                self._closed = True
                self.store.close()

    def threshold(self, language: Language) -> float:
        """The score under which this store is taken to hold no answer (assistant.refusal)."""
        return self._threshold(self._current(), language)

    def _threshold(self, view: _View, language: Language) -> float:
        key = (view.state.generation, view.state.lexical_data)
        cached = self._thresholds
        if cached is not None and (cached[0] == key or view.warning is not None):
            return cached[1][language]  # while the index is stale: the last good thresholds
        with self._calibrating:
            cached = self._thresholds
            if cached is None or cached[0] != key:
                scoring = self.settings.scoring

                def best(question: str) -> float:
                    return best_evidence(self._search(view, question, scoring.refusal.probe_k))

                pinned = _Pinned(self.store, view)
                live = view.retriever.weights.translated and self.translator.available
                legs = ["dictionary"] if live else []
                if scoring != Scoring():  # thresholds probed with other weights are not reused
                    legs.append(f"scoring-{_digest(scoring)}")
                cached = (key, refusal.thresholds(
                    pinned, best, quantile=self.settings.refusal_quantile,
                    legs="+".join(legs), refusal=scoring.refusal))
                self._thresholds = cached
        return cached[1][language]

    def stats(self) -> StoreStats:
        self._current()
        with self._vectors.shared():
            self._check_open()
            return self.store.stats()

    def sources(self) -> list[str]:
        return [name for name, _ in self.store.sources() if name]

    def newest(self, n: int) -> list[StoredArticle]:
        """The n most recent dated articles, newest first."""
        return self.store.newest(n)

    def filters(
        self, *, since: str | None = None, until: str | None = None,
        sources: Sequence[str] = (),
    ) -> Filters:
        """Filters with outlet names matched case-insensitively against the stored ones."""
        known = {name.casefold(): name for name in self.sources()}
        resolved = []
        for name in sources:
            if name.casefold() not in known:
                raise FilterError("outlets", name, "unknown outlet", known=tuple(known.values()))
            resolved.append(known[name.casefold()])
        for label, date in (("since", since), ("until", until)):
            if date and not _is_date(date):
                raise FilterError(label, date, "not a date")
        if since and until and since > until:
            raise FilterError("since", since, "after until", other=until)
        return Filters(since=since or None, until=until or None, sources=tuple(resolved))

    def search(
        self, query: str, *, k: int | None = None, filters: Filters = Filters()
    ) -> list[Hit]:
        check_question(query)
        return self._search(self._current(), query, k or self.settings.k, filters)

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
            from assistant.llm.chain import condense

            query = condense(question, history, self.settings)  # prompts/condense.md
        view = self._current()  # the store as it is now, for the whole answer
        language = detect(question)  # once: the answer's framing, the threshold, the lists
        k = k or self.settings.k
        wide = k * self.settings.scoring.follow_up.wider if is_follow_up(question, history) else k
        hits = self._search(view, query, wide, filters,  # dense + BM25
                            language if query == question else None)
        hits = follow_topic(question, hits, history, k,  # the last turn's story raised
                            self.settings.scoring.follow_up, embed=self.embedder.embed_query)
        threshold = self._threshold(view, language)
        # a follow-up that found the story the last answer cited stays with it: the model,
        # fitted on questions that stand alone, is not asked (the threshold still is)
        carried = is_follow_up(question, history) and bool(
            set(history[-1].cited) & {a for h in hits for a in (h.article_id, *h.also_in)})
        if not carried and self._model_decides(view) \
                and self.refusal_model.refuses(self._signals(view, query, hits)):
            refusal_ = self._refusal(view, question, language)
            yield Delta(refusal_.text)
            yield self._noted(refusal_)
            return
        if carried or self._model_decides(view):  # the model (or the last story) says it answers
            threshold = min(threshold, best_evidence(hits))
        if self.settings.llm_provider is None:
            answer = extract(question, hits, threshold=threshold, language=language,
                             quoting=self.settings.scoring.quoting,  # quotes the best sentences
                             picking=self.settings.scoring.picking, translator=self.translator,
                             grouping=self.settings.scoring.stories)
            yield Delta(answer.text)
            yield self._noted(answer)
            return
        from assistant.llm.chain import llm_answer

        for event in llm_answer(question, hits, self.settings, history=history,
                                embedder=self.embedder, threshold=threshold,
                                language=language):
            yield self._noted(event) if isinstance(event, Answer) else event

    def refuses(self, question: str, hits: Sequence[Hit]) -> bool:
        """Whether `hits` (found for `question`) hold no answer: by the refusal model
        (assistant.refusal_model) in an archive of the sizes it was fitted on, by the
        thresholds alone in a larger one."""
        view = self._current()
        if not self._model_decides(view):
            return not is_answerable(list(hits), self._threshold(view, detect(question)))
        return self.refusal_model.refuses(self._signals(view, question, hits))

    def _model_decides(self, view: _View) -> bool:
        """Whether the refusal model decides refusals here (Refusal.model_max_articles)."""
        return view.articles <= self.settings.scoring.refusal.model_max_articles

    def signals(self, question: str, hits: Sequence[Hit]) -> refusal_model.Signals:
        """What the refusal model reads of `hits` for `question` (scripts/fit_refusal.py)."""
        return self._signals(self._current(), question, hits)

    def _signals(self, view: _View, question: str, hits: Sequence[Hit]) -> refusal_model.Signals:
        language = detect(question)
        translation = (self.translator.translate(question)
                       if language == "en" and view.retriever.weights.translated else None)
        return refusal_model.signals(
            question, hits, threshold=self._threshold(view, language),
            articles=view.articles, idf=_idf(view.snapshot),
            translation=translation, years=self._years(view))

    def _years(self, view: _View) -> frozenset[int]:
        """The years the stored articles are dated in (for the refusal model), per generation."""
        cached = self._dated
        if cached is None or cached[0] != view.state.generation:
            cached = (view.state.generation, self.store.years())
            self._dated = cached
        return cached[1]

    def _refusal(self, view: _View, question: str, language: Language) -> Answer:
        """A refusal; in a small archive it says what the archive covers (assistant.coverage)."""
        mode = "extractive" if self.settings.llm_provider is None else "llm"
        answer = refuse(question, language, mode)
        if view.articles > SMALL_ARCHIVE:
            return answer
        said = covers(coverage_of(view.articles, self.store.sources(), self.store.date_range()),
                      language)
        return replace(answer, text=f"{answer.text} {said}") if said else answer

    def dictionary_missing(self) -> DictionaryMissing | None:
        """Why English questions have no dictionary leg (None: it is there, or unused)."""
        return self.translator.missing if self.retriever.weights.translated else None

    def _noted(self, answer: Answer) -> Answer:
        """The answer, with a note on the missing dictionary for the first English one."""
        if answer.language != "en" or self._told_dictionary.is_set():
            return answer
        missing = self.dictionary_missing()
        if missing is None:
            return answer
        self._told_dictionary.set()
        return replace(answer, notes=(*answer.notes, missing_note(missing)))

    def article(self, article_id: str) -> StoredArticle:
        found = self.store.article(article_id)
        if found is None:
            raise ArticleNotFoundError(article_id, self.settings.store)
        return found


_LOCKS: weakref.WeakKeyDictionary[Embedder, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


class _OneAtATime:
    """An embedder that serves one call at a time, whatever thread it comes from."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        with _LOCKS_LOCK:  # one lock per model, however many archives share it
            self._lock = _LOCKS.setdefault(inner, threading.Lock())

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self.inner.count_tokens(text)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return self.inner.embed_query(text)


class _Shared:
    """Many holders at once (searches), or one alone (reopening Chroma), who waits for them."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._holders = 0
        self._alone = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._alone)
            self._holders += 1
        try:
            yield
        finally:
            with self._changed:
                self._holders -= 1
                self._changed.notify_all()

    @contextmanager
    def alone(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._alone)
            self._alone = True  # no new holder from now on
            self._changed.wait_for(lambda: self._holders == 0)
        try:
            yield
        finally:
            with self._changed:
                self._alone = False
                self._changed.notify_all()


class _Pinned:
    """The store's meta values as refusal.thresholds sees them: at the generation the probes
    search, so the thresholds are cached for that one; not cached at all while the lexical
    index is out of step (they would outlive the state they were probed in)."""

    def __init__(self, store: Store, view: _View) -> None:
        self._store = store
        self._view = view

    def meta(self, key: str) -> str | None:
        if key == "generation":
            return str(self._view.state.generation)
        return self._store.meta(key)

    def set_meta(self, key: str, value: str) -> None:
        if self._view.warning is not None:
            raise PermissionError("not cached while the lexical index is out of step")
        self._store.set_meta(key, value)


def _idf(snapshot: Snapshot) -> Callable[[str], float | None]:
    """A term's idf in the keyword index, None when no passage holds it."""
    n = snapshot.passages

    def idf(term: str) -> float | None:
        df = snapshot.df(term)
        return math.log((n + 1) / (df + 0.5)) if df else None

    return idf


def check_question(question: str) -> None:
    """Refuse an empty question, or one over the length cap (CLI, API and UI alike)."""
    if not question.strip():
        raise EmptyQuestionError("The question is empty.")
    if not has_words(question):  # emoji or punctuation only: nothing to look up or quote
        raise EmptyQuestionError(
            "The question has no words in it, only symbols; ask it in words (Arabic or English).")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionTooLongError(
            f"The question is too long: {len(question):,} characters; the limit is "
            f"{MAX_QUESTION_CHARS:,}. Shorten it and ask again."
        )


def _digest(scoring: Scoring) -> str:
    """A short name for a Scoring, to key the thresholds probed with it."""
    import hashlib

    return hashlib.sha1(repr(scoring).encode("utf-8")).hexdigest()[:12]


def _is_date(text: str) -> bool:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat() == text  # YYYY-MM-DD, not 2021-W01-1
    except ValueError:
        return False
