"""Akhbar's hybrid retrieval as a LangChain retriever, for use in anyone's chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.render import hit_dict
from assistant.retrieve import Filters, Hit


def to_document(hit: Hit) -> Document:
    """A passage with everything a citation needs in its metadata."""
    return Document(
        page_content=hit.text,
        id=hit.chunk_id,
        metadata={k: v for k, v in hit_dict(hit).items() if k not in ("chunk_id", "text")},
    )


class AkhbarRetriever(BaseRetriever):
    """``AkhbarRetriever(archive=Archive.open(settings), k=5).invoke("...", k=3)``.

    ``k`` given at invoke time beats the one given to the constructor (LangChain's standard).
    The archive's reads are thread-safe, so ``ainvoke`` (run in an executor thread) works too.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    archive: Any  # assistant.archive.Archive
    k: int = 5
    filters: Filters = Filters()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None,
    ) -> list[Document]:
        hits = self.archive.search(query, k=self.k if k is None else k, filters=self.filters)
        return [to_document(h) for h in hits]
