"""AkhbarRetriever keeps LangChain's contract: its own standard tests, and a small LCEL chain."""

from __future__ import annotations

import asyncio
import functools
import tempfile
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.archive import Archive
from assistant.config import load_settings
from assistant.langchain_retriever import AkhbarRetriever
from index.build import IndexSettings, build
from index.embed import load_embedder
from index.store import StoreConfig, open_store

ROOT = Path(__file__).resolve().parents[1]
ERBIL = "who was blamed for the Erbil attack?"
IRAN_BACKED = "فصائل مسلحة مدعومة من إيران"


@functools.cache
def seeds_archive() -> Archive:
    """One store of seeds/ for this module (the standard tests build retrievers themselves)."""
    folder = Path(tempfile.mkdtemp(prefix="akhbar-lc-"))
    embedder = load_embedder()
    store = open_store(StoreConfig(folder), create=True)
    try:
        build([ROOT / "seeds"], store, embedder, IndexSettings(), on_problem=print)
    finally:
        store.close()
    return Archive.open(load_settings({"store": folder}, environ={}), embedder=embedder)


class TestAkhbarRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[AkhbarRetriever]:
        return AkhbarRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"archive": seeds_archive(), "k": 3}

    @property
    def retriever_query_example(self) -> str:
        return ERBIL


def test_k_at_invoke_time_beats_the_constructor() -> None:
    retriever = AkhbarRetriever(archive=seeds_archive(), k=4)
    assert len(retriever.invoke(ERBIL)) == 4
    assert len(retriever.invoke(ERBIL, k=1)) == 1
    assert len(retriever.invoke(ERBIL, k=2)) == 2


def test_ainvoke_from_an_event_loop_gives_the_same_documents() -> None:
    retriever = AkhbarRetriever(archive=seeds_archive(), k=3)

    async def both() -> list[list[Document]]:
        return list(await asyncio.gather(retriever.ainvoke(ERBIL), retriever.ainvoke(ERBIL)))

    first, second = asyncio.run(both())
    synced = retriever.invoke(ERBIL)
    assert [d.id for d in first] == [d.id for d in second] == [d.id for d in synced]


def _passages(docs: list[Document]) -> str:
    return "\n\n".join(f"[{i}] {d.page_content} ({d.metadata['source']})"
                       for i, d in enumerate(docs, 1))


def test_the_retriever_in_an_lcel_chain() -> None:
    """The README's chain: retriever | prompt | chat model, with LangChain's fake model."""
    retriever = AkhbarRetriever(archive=seeds_archive(), k=3)
    prompt = ChatPromptTemplate.from_messages([
        ("system", "Answer from these passages only, citing [n]:\n\n{context}"),
        ("human", "{question}"),
    ])
    setup = {"context": retriever | _passages, "question": RunnablePassthrough()}
    shown = (setup | prompt).invoke(ERBIL).to_messages()
    assert IRAN_BACKED in shown[0].content and "(Rudaw)" in shown[0].content
    assert shown[1].content == ERBIL
    model = FakeListChatModel(responses=["Iran-backed factions are blamed [1]."])
    chain = setup | prompt | model | StrOutputParser()
    assert chain.invoke(ERBIL) == "Iran-backed factions are blamed [1]."
