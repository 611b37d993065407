"""When to refuse: a threshold on the best passage's score, calibrated per store and language.

How high an unrelated question scores depends on the archive (a big, varied archive always
has something vaguely similar), so a fixed number cannot work. Each store is probed with a
fixed set of questions no news archive answers (assistant/probes.json, in Arabic and English);
the threshold is a quantile of their best evidence (Hit.evidence: dense similarity plus
BM25 over its ceiling, comparable across questions, unlike the fused rank score). It is cached
in the catalog and recomputed whenever an indexing run changed the store. The probes' k and
the floors are fields of `Refusal` (assistant.scoring), passed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.language import Language
from assistant.scoring import Refusal

PROBES = Path(__file__).with_name("probes.json")
METHOD = "evidence-v6"  # bump when the scoring changes: cached thresholds then recompute


class Meta(Protocol):
    """Where thresholds are cached: a store's meta values (index.store.Store.meta)."""

    def meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...


def thresholds(
    catalog: Meta, best_score: Callable[[str], float], *, quantile: float,
    legs: str = "", refusal: Refusal = Refusal(),
) -> dict[Language, float]:
    """`legs` names what else shapes the evidence outside the store (the dictionary, when
    installed; a Scoring other than the default): thresholds cached without it are not reused
    with it, nor the other way. `best_score` searches `refusal.probe_k` passages."""
    generation = catalog.meta("generation") or "0"
    method = f"{METHOD}+{legs}" if legs else METHOD
    cached = catalog.meta("refusal")
    if cached:
        data = json.loads(cached)
        fresh = (data.get("generation"), data.get("quantile"), data.get("method"))
        if fresh == (generation, quantile, method):
            return {"ar": float(data["ar"]), "en": float(data["en"])}
    probes = json.loads(PROBES.read_text(encoding="utf-8"))
    out: dict[Language, float] = {}
    for lang in ("ar", "en"):
        scores = [best_score(q) for q in probes[lang]]
        out[lang] = max(refusal.floor(lang), round(float(np.quantile(scores, quantile)), 4))
    try:
        catalog.set_meta("refusal", json.dumps(
            {"generation": generation, "quantile": quantile, "method": method, **out}))
    except Exception:  # a read-only store still answers; it just recomputes next time
        pass
    return out
