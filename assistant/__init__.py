"""Akhbar: cited answers over an archive of Arabic news.

    from assistant import Archive, load_settings
    archive = Archive.open(load_settings({"store": "store/"}))
    print(archive.ask("who was blamed for the Erbil attack?").text)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.archive import Archive, Delta
    from assistant.citations import Citation
    from assistant.config import Settings, load_settings
    from assistant.langchain_retriever import AkhbarRetriever
    from assistant.retrieve import Filters, Hit

_EXPORTS = {
    "Answer": "assistant.answer", "Archive": "assistant.archive", "Delta": "assistant.archive",
    "Citation": "assistant.citations", "Settings": "assistant.config",
    "load_settings": "assistant.config", "Filters": "assistant.retrieve",
    "Hit": "assistant.retrieve", "AkhbarRetriever": "assistant.langchain_retriever",
}
__all__ = ["AkhbarRetriever", "Answer", "Archive", "Citation", "Delta", "Filters", "Hit",
           "Settings", "load_settings"]


def __getattr__(name: str) -> Any:  # lazy: `akhbar --help` imports none of the heavy parts
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
