"""When to refuse: a threshold on the best passage's score, calibrated per store and language.

How high an unrelated question scores depends on the archive (a big, varied archive always
has something vaguely similar), so a fixed number cannot work. Each store is probed with a
fixed set of questions no news archive answers (assistant/probes.json, in Arabic and English);
the threshold is a quantile of their best evidence (Hit.evidence: dense similarity plus
BM25 over its ceiling, comparable across questions, unlike the fused rank score). It is cached
in the catalog and recomputed whenever an indexing run changed the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.language import Language
from index.catalog import Catalog

PROBES = Path(__file__).with_name("probes.json")
PROBE_K = 5  # passages per probe question, whatever k the store is then opened with
METHOD = "evidence-v6"  # bump when the scoring changes: cached thresholds then recompute
FLOOR: dict[Language, float] = {"ar": 0.2, "en": 0.12}  # never answer below these


def thresholds(
    catalog: Catalog, best_score: Callable[[str], float], *, quantile: float,
    legs: str = "",
) -> dict[Language, float]:
    """`legs` names what else shapes the evidence outside the store (the dictionary, when
    installed): thresholds cached without it are not reused with it, nor the other way."""
    generation = catalog.get_meta("generation") or "0"
    method = f"{METHOD}+{legs}" if legs else METHOD
    cached = catalog.get_meta("refusal")
    if cached:
        data = json.loads(cached)
        fresh = (data.get("generation"), data.get("quantile"), data.get("method"))
        if fresh == (generation, quantile, method):
            return {"ar": float(data["ar"]), "en": float(data["en"])}
    probes = json.loads(PROBES.read_text(encoding="utf-8"))
    out: dict[Language, float] = {}
    for lang in ("ar", "en"):
        scores = [best_score(q) for q in probes[lang]]
        out[lang] = max(FLOOR[lang], round(float(np.quantile(scores, quantile)), 4))
    try:
        catalog.set_meta("refusal", json.dumps(
            {"generation": generation, "quantile": quantile, "method": method, **out}))
    except Exception:  # a read-only store still answers; it just recomputes next time
        pass
    return out
