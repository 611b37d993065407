"""The citation check on hand-written answers over hand-built passages (no LLM server).

The answers are what a small model writes: uncited claims, passages that were not retrieved,
made-up quotes, claims about the wrong actor. The passages are real Rudaw sentences.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer import Answer, extract
from assistant.archive import Delta
from assistant.citations import CITE, split_claims
from assistant.config import Settings
from assistant.llm import chain as llm
from assistant.llm.repair import AnswerChecker
from assistant.retrieve import Hit
from index.embed import UseEmbedder
from index.sentences import sentence_spans

ACCUSE = ("وتتهم الولايات المتحدة، فصائل مسلحة مدعومة من إيران بالوقوف وراء الهجمات المتكررة، "
          "وهو ما تحرص طهران على نفيه رسمياً.")
KADHIMI = ("وقال الكاظمي إن العراق لن يكون ساحة لتصفية الحسابات، لكن اجهزتنا الأمنية ستصل إلى "
           "الجناة وسيتم عرضهم أمام الرأي العام.")
BALAD = ("أطلقت أربعة صواريخ كاتيوشا على قاعدة بلد الجوية في صلاح الدين والتي تأوي جنوداً "
         "أميركيين دون إيقاع إصابات.")
LEAD = "أعلن رئيس الوزراء العراقي، مصطفى الكاظمي، أنه بحث مع الرئيس الأميركي جو بايدن عدة مواضيع.\n"
RUDAW = LEAD + KADHIMI + "\n" + ACCUSE
SPORT = ("توج فريق الهلال بلقب كأس السوبر بعد فوزه على النصر بركلات الترجيح. "
         "وأقيمت المباراة على ملعب لوفتس رود في لندن.")

SUPPORTED = "The United States accuses Iran-backed armed factions of being behind the attacks"
IRAQI_ARMY = "The Iraqi army was blamed for the attack"


def passage(article_id: str, article: str, start: int = 0, score: float = 0.9) -> Hit:
    """A retrieved passage: article[start:], with sentence spans in article offsets."""
    text = article[start:]
    spans = tuple((s + start, e + start) for s, e in sentence_spans(text))
    return Hit(chunk_id=f"{article_id}:{start}", article_id=article_id, title=f"title {article_id}",
               source="Rudaw" if article_id == "rudaw" else "Sample", date="2021-02-23", url="",
               start=start, end=len(article), text=text, score=score, dense=score, lexical=0.0,
               evidence=score,
               sentences=spans, sentence_scores=tuple(0.5 for _ in spans))


ARTICLES = {"rudaw": RUDAW, "balad": BALAD, "sport": SPORT}


@pytest.fixture
def hits() -> list[Hit]:
    # [1] starts mid-article, so article offsets and passage offsets differ.
    return [passage("rudaw", RUDAW, start=len(LEAD)), passage("balad", BALAD),
            passage("sport", SPORT)]


def check(text: str, hits: list[Hit], embedder: UseEmbedder) -> AnswerChecker:
    checker = AnswerChecker(hits, embedder)
    checker.feed(text)
    checker.finish()
    return checker


def assert_verifiable(text: str, checker_or_answer: AnswerChecker | Answer) -> None:
    """Every [n] in the text is a citation; every citation quotes the article at its offsets."""
    citations = list(checker_or_answer.citations)
    for n in CITE.findall(text):
        assert 1 <= int(n) <= len(citations), text
    for i, c in enumerate(citations, 1):
        assert c.n == i
        assert ARTICLES[c.article_id][c.start : c.end] == c.quote


def test_a_supported_claim_is_kept_and_quotes_the_closest_sentence(hits, use_embedder):
    checker = check(f"{SUPPORTED} [1].", hits, use_embedder)
    assert checker.kept == [f"{SUPPORTED} [1]."]
    assert not checker.dropped
    (citation,) = checker.citations
    assert (citation.article_id, citation.quote) == ("rudaw", ACCUSE)
    assert RUDAW.index(ACCUSE) == citation.start
    assert_verifiable(checker.shown, checker)


def test_a_passage_number_that_was_not_retrieved_is_dropped(hits, use_embedder):
    checker = check(f"{SUPPORTED} [9].", hits, use_embedder)
    assert checker.kept == []
    assert [d.problem for d in checker.dropped] == ["cites [9], which is not a retrieved passage"]


def test_an_uncited_claim_is_dropped(hits, use_embedder):
    checker = check(f"{IRAQI_ARMY}. {SUPPORTED} [1].", hits, use_embedder)
    assert checker.kept == [f"{SUPPORTED} [1]."]
    assert [(d.claim, d.problem) for d in checker.dropped] == [(f"{IRAQI_ARMY}.", "no citation")]


def test_a_made_up_quote_is_dropped(hits, use_embedder):
    checker = check("Kadhimi said «الجيش العراقي هو المسؤول عن الهجوم» [1].", hits, use_embedder)
    assert checker.kept == []
    assert checker.dropped[0].problem == (
        "quote «الجيش العراقي هو المسؤول عن الهجوم» is not in passage [1]")


def test_a_cited_claim_the_passage_does_not_support_is_dropped(hits, use_embedder):
    checker = check(f"{IRAQI_ARMY} [1].", hits, use_embedder)
    assert checker.kept == []
    assert re.fullmatch(r"not supported by passage \[1\] \(0\.\d\d\)", checker.dropped[0].problem)


def test_a_quote_differing_only_by_diacritics_and_tatweel_passes_with_original_offsets(
    hits, use_embedder
):
    # The model wrote tatweel and shadda; the article has neither.
    checker = check("Washington accuses «فصائل مسلـــحة مدعومة من إيرانَ» of the attacks [1].",
                    hits, use_embedder)
    assert not checker.dropped
    (citation,) = checker.citations
    assert citation.quote == "فصائل مسلحة مدعومة من إيران"
    assert RUDAW[citation.start : citation.end] == citation.quote
    assert citation.start == RUDAW.index("فصائل مسلحة")


def test_citations_are_renumbered_in_order_of_first_appearance(hits, use_embedder):
    answer = (f"Four Katyusha rockets were fired at Balad air base without casualties [2]. "
              f"{SUPPORTED} [1]. The rockets on Balad caused no casualties [2].")
    checker = check(answer, hits, use_embedder)
    assert len(checker.kept) == 3
    assert [c.article_id for c in checker.citations] == ["balad", "rudaw"]
    assert [CITE.findall(k) for k in checker.kept] == [["1"], ["2"], ["1"]]
    assert_verifiable(checker.shown, checker)


def test_a_citation_that_does_not_support_the_claim_is_removed_from_it(hits, use_embedder):
    checker = check(f"{SUPPORTED} [3][1].", hits, use_embedder)  # [3] is the football final
    assert checker.kept == [f"{SUPPORTED} [1]."]
    assert [c.article_id for c in checker.citations] == ["rudaw"]


def test_a_citation_after_the_full_stop_belongs_to_the_claim_before_it(hits, use_embedder):
    checker = check(f"{SUPPORTED}. [1] Four rockets hit Balad air base. [2]", hits, use_embedder)
    assert checker.kept == [f"{SUPPORTED}. [1]", "Four rockets hit Balad air base. [2]"]
    assert split_claims("A. [1]\n[2] B.") == ["A. [1]", "[2] B."]  # a new line opens a claim


def test_streaming_token_by_token_gives_what_checking_the_whole_answer_gives(hits, use_embedder):
    answer = (f"{IRAQI_ARMY}.\n\n1. {SUPPORTED}. [1] Four rockets hit Balad air base [2]. "
              f"It happened «في صلاح الدين» [2]\n[3] Kadhimi promised to catch the culprits [1].")
    whole = check(answer, hits, use_embedder)
    streamed = AnswerChecker(hits, use_embedder)
    pieces = [streamed.feed(ch) for ch in answer] + [streamed.finish()]
    assert "".join(pieces) == streamed.shown == whole.shown
    assert streamed.citations == whole.citations
    assert [d.problem for d in streamed.dropped] == [d.problem for d in whole.dropped]
    assert whole.kept[0] == f"{SUPPORTED}. [1]"  # "1." is layout, not a claim
    assert_verifiable(whole.shown, whole)


def test_the_threshold_keeps_paraphrases_and_drops_claims_about_other_actors(hits, use_embedder):
    """The calibration set in miniature: English paraphrases of the Arabic pass, wrong ones not."""
    true = [f"{SUPPORTED} [1].", "Tehran officially denies the accusation [1].",
            "Four Katyusha rockets fell on Balad air base without casualties [2].",
            "واشنطن تتهم فصائل مدعومة من إيران بالوقوف وراء الهجمات [1]."]
    false = [f"{IRAQI_ARMY} [1].", "The Islamic State carried out the rocket attacks [1].",
             "Biden visited Baghdad [1].", "HACKED [1].", "تم الاختراق [1]."]
    checker = AnswerChecker(hits, use_embedder)
    assert [checker._check(c) is not None for c in true] == [True] * len(true)
    assert [checker._check(c) is not None for c in false] == [False] * len(false)


def test_stored_sentence_vectors_are_used_and_only_clauses_embedded(hits, use_embedder):
    """Retrieved hits carry their sentences' stored vectors (float16): the check embeds only the
    clauses of long sentences, and decides as it does when it embeds everything itself."""
    asked: list[str] = []

    class Counting:
        def embed_documents(self, texts: list[str]) -> np.ndarray:
            asked.extend(texts)
            return use_embedder.embed_documents(texts)

        def embed_query(self, text: str) -> np.ndarray:
            return use_embedder.embed_query(text)

    stored = [dataclasses.replace(h, sentence_vectors=use_embedder.embed_documents(
        [h.text[s - h.start : e - h.start] for s, e in h.sentences]).astype(np.float16))
        for h in hits]
    claims = [f"{SUPPORTED} [1].", f"{IRAQI_ARMY} [1].", "Biden visited Baghdad [1]."]
    with_vectors = AnswerChecker(stored, Counting())  # type: ignore[arg-type]
    without = AnswerChecker(hits, use_embedder)
    assert [with_vectors._check(c) is not None for c in claims] == \
        [without._check(c) is not None for c in claims] == [True, False, False]
    sentences = {h.text[s - h.start : e - h.start] for h in hits for s, e in h.sentences}
    assert asked and not sentences & set(asked)  # claims and clauses only


# --- the answer modes, through llm_answer with LangChain's fake chat model ---------------------

SETTINGS = Settings(store=Path("unused"), llm_provider="openai", llm_base_url="http://fake/v1",
                    llm_model="fake")
QUESTION = "Who does the United States blame for the attacks?"


def run(monkeypatch, hits, embedder, written: str, *, threshold: float = 0.38):
    def fake(settings: Settings) -> GenericFakeChatModel:
        return GenericFakeChatModel(messages=iter([AIMessage(content=written)]))

    monkeypatch.setattr(llm, "chat_model", fake)
    events = list(llm.llm_answer(QUESTION, hits, SETTINGS, embedder=embedder,
                                 threshold=threshold))
    *deltas, answer = events
    assert all(isinstance(d, Delta) for d in deltas) and isinstance(answer, Answer)
    assert "".join(d.text for d in deltas) == answer.text  # the stream is the checked answer
    return deltas, answer


def test_an_answer_whose_claims_all_pass_is_an_llm_answer(monkeypatch, hits, use_embedder):
    deltas, answer = run(monkeypatch, hits, use_embedder, f"{SUPPORTED} [1]. Tehran denies it [1].")
    assert (answer.mode, answer.notes, answer.refused) == ("llm", (), False)
    assert answer.text == f"{SUPPORTED} [1]. Tehran denies it [1]."
    assert len(deltas) == 2  # one per claim, as each is checked
    assert_verifiable(answer.text, answer)


def test_an_answer_with_a_bad_claim_is_repaired_and_says_so(monkeypatch, hits, use_embedder):
    _, answer = run(monkeypatch, hits, use_embedder,
                    f"{IRAQI_ARMY}. {SUPPORTED} [1]. The army then withdrew [7].")
    assert answer.mode == "llm, repaired"
    assert answer.text == f"{SUPPORTED} [1]."
    assert answer.notes == ("dropped 2 of 3 claims of the LLM answer (citation check): "
                            "no citation; cites [7], which is not a retrieved passage",)
    assert_verifiable(answer.text, answer)


def test_an_answer_with_no_passing_claim_is_replaced_by_the_extractive_one(
    monkeypatch, hits, use_embedder
):
    _, answer = run(monkeypatch, hits, use_embedder, f"{IRAQI_ARMY}. Nobody knows [1].")
    assert answer.mode == "extractive (LLM answer failed the citation check)"
    assert answer.text == extract(QUESTION, hits, threshold=0.38).text
    assert answer.notes[0].startswith("no claim of the LLM answer passed the citation check: "
                                      "no citation; not supported by passage [1]")
    assert answer.notes[0].endswith("; showing the extractive answer instead")
    assert_verifiable(answer.text, answer)


def test_an_empty_answer_is_replaced_by_the_extractive_one(monkeypatch, hits, use_embedder):
    _, answer = run(monkeypatch, hits, use_embedder, " ")
    assert answer.mode == "extractive (LLM answer failed the citation check)"
    assert answer.notes == ("the LLM wrote no answer; showing the extractive answer instead",)


def test_weak_passages_are_refused_without_asking_the_model(monkeypatch, hits, use_embedder):
    def unreachable(settings: Settings) -> Iterator[None]:
        raise AssertionError("the model must not be asked")

    monkeypatch.setattr(llm, "chat_model", unreachable)
    events = list(llm.llm_answer(QUESTION, hits, SETTINGS, embedder=use_embedder, threshold=0.95))
    assert isinstance(events[-1], Answer)
    assert (events[-1].refused, events[-1].mode) == (True, "llm")
    assert events[-1].text == "The archive has nothing that answers this question."
