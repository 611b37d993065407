"""Refusal thresholds are cached per store and recomputed when an indexing run changed it."""

from __future__ import annotations

from pathlib import Path

from assistant import refusal
from assistant.scoring import Refusal
from tests.helpers import index_archive, make_articles, write_jsonl


class Probe:
    """A best-score function that counts its calls and scores every question the same."""

    def __init__(self, score: float) -> None:
        self.score, self.calls = score, 0

    def __call__(self, question: str) -> float:
        self.calls += 1
        return self.score


def _thresholds(
    store_path: Path, probe: Probe, quantile: float = 0.5, floors: Refusal = Refusal(),
    legs: str = "",
) -> dict[str, float]:
    from index.store import StoreConfig, open_store

    store = open_store(StoreConfig(store_path), create=False)
    try:
        return dict(refusal.thresholds(store, probe, quantile=quantile, legs=legs,
                                       refusal=floors))
    finally:
        store.close()


def test_cached_until_the_store_changes(tmp_path: Path, use_embedder) -> None:
    store = tmp_path / "store"
    archive = write_jsonl(tmp_path / "a.jsonl", make_articles(5, seed=1))
    index_archive([archive], store, use_embedder)

    first = Probe(0.61)
    assert _thresholds(store, first) == {"ar": 0.61, "en": 0.61}
    assert first.calls > 0  # computed once from the probe questions

    again = Probe(0.99)
    assert _thresholds(store, again) == {"ar": 0.61, "en": 0.61}  # read from the cache
    assert again.calls == 0

    other_quantile = Probe(0.7)
    assert _thresholds(store, other_quantile, quantile=0.9)["ar"] == 0.7  # another setting
    assert other_quantile.calls > 0

    index_archive([archive], store, use_embedder)  # nothing changed: the cache holds
    unchanged = Probe(0.99)
    _thresholds(store, unchanged, quantile=0.9)
    assert unchanged.calls == 0

    write_jsonl(archive, make_articles(6, seed=1))  # one more article: a new generation
    index_archive([archive], store, use_embedder)
    changed = Probe(0.5)
    assert _thresholds(store, changed, quantile=0.9) == {"ar": 0.5, "en": 0.5}
    assert changed.calls > 0


def test_floors_hold_under_any_probe_score(tmp_path: Path, use_embedder) -> None:
    store = tmp_path / "store"
    index_archive([write_jsonl(tmp_path / "a.jsonl", make_articles(3, seed=2))], store,
                  use_embedder)
    assert _thresholds(store, Probe(0.0)) == {"ar": 0.2, "en": 0.12}  # Refusal's defaults
    higher = Refusal(floor_ar=0.31, floor_en=0.27)  # floors passed in are the ones held
    assert _thresholds(store, Probe(0.0), floors=higher, legs="other") == {"ar": 0.31, "en": 0.27}


def test_recomputed_when_the_dictionary_comes_or_goes(tmp_path: Path, use_embedder) -> None:
    store = tmp_path / "store"
    index_archive([write_jsonl(tmp_path / "a.jsonl", make_articles(5, seed=1))], store,
                  use_embedder)
    from index.store import StoreConfig, open_store

    opened = open_store(StoreConfig(store), create=False)
    try:
        without = Probe(0.3)
        assert refusal.thresholds(opened, without, quantile=0.5)["en"] == 0.3
        with_dictionary = Probe(0.4)  # English evidence now has the dictionary leg in it
        assert refusal.thresholds(opened, with_dictionary, quantile=0.5,
                                  legs="dictionary")["en"] == 0.4
        assert with_dictionary.calls > 0
        cached = Probe(0.9)
        assert refusal.thresholds(opened, cached, quantile=0.5,
                                  legs="dictionary")["en"] == 0.4
        assert cached.calls == 0
    finally:
        opened.close()
