"""Stops a child `akhbar` process at one stage of an indexing run, so a test can SIGKILL it there.

Python imports this at start-up only when a test puts this folder first on the child's
PYTHONPATH (tests/killkit.py); nothing in Akhbar itself knows about it. Set:

    AKHBAR_KILLHOOK=STAGE:N:WHEN   the Nth call (from 1) of the stage's function;
                                   WHEN is before, after (the call) or go
    AKHBAR_KILLHOOK_FILE=PATH      written when the run gets there

With before/after the run then sleeps until it is killed; with go it carries on (the test
kills it a moment later, somewhere inside the stage). Stages and the function they wrap:

    embed    UseEmbedder.embed_documents   embedding a batch's sentences
    chroma   Store._add_vectors            writing a batch's vectors to Chroma
    commit   Catalog.put                   committing a batch to the catalog
    lexical  index.lexical.build           rebuilding BM25 (after the last commit)
    publish  index.lexical._publish        swapping the new BM25 folder in
"""

from __future__ import annotations

import os
import time
from functools import wraps
from pathlib import Path
from typing import Any


def _install(spec: str, signal_file: Path) -> None:
    from index import catalog, embed, lexical, store

    stage, _, rest = spec.partition(":")
    nth, _, when = rest.partition(":")
    targets: dict[str, tuple[Any, str]] = {
        "embed": (embed.UseEmbedder, "embed_documents"),
        "chroma": (store.Store, "_add_vectors"),
        "commit": (catalog.Catalog, "put"),
        "lexical": (lexical, "build"),
        "publish": (lexical, "_publish"),
    }
    owner, name = targets[stage]
    original = getattr(owner, name)
    target, mode = int(nth or 1), when or "before"
    calls = [0]

    def reached() -> None:
        tmp = signal_file.with_name(signal_file.name + ".tmp")
        tmp.write_text(f"{stage} {calls[0]} {mode} {os.getpid()}")
        os.replace(tmp, signal_file)
        if mode != "go":
            time.sleep(3600)  # until the test kills this process

    @wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == target and mode in ("before", "go"):
            reached()
        result = original(*args, **kwargs)
        if calls[0] == target and mode == "after":
            reached()
        return result

    setattr(owner, name, wrapper)


if os.environ.get("AKHBAR_KILLHOOK") and os.environ.get("AKHBAR_KILLHOOK_FILE"):
    _install(os.environ["AKHBAR_KILLHOOK"], Path(os.environ["AKHBAR_KILLHOOK_FILE"]))
