"""The assistant side over the bundled seeds: retrieval, extractive answers, filters, CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answer import LEAD, REFUSAL
from assistant.archive import Archive
from assistant.chat import Turn
from assistant.config import load_settings
from assistant.errors import (
    EmptyQuestionError,
    EmptyStoreError,
    FilterError,
    QuestionTooLongError,
    describe_filter,
)
from assistant.langchain_retriever import AkhbarRetriever
from assistant.scoring import Fusion, Quoting, Refusal, Scoring

ROOT = Path(__file__).resolve().parents[1]
AKHBAR = str(Path(sys.executable).with_name("akhbar"))
ERBIL_EN = "who was blamed for the Erbil attack?"
IRAN_BACKED = "فصائل مسلحة مدعومة من إيران"


@pytest.fixture(scope="module")
def archive(seeds_store: Path, use_embedder):
    opened = Archive.open(load_settings({"store": seeds_store}, environ={}), embedder=use_embedder)
    yield opened
    opened.close()


def _quote_is_verbatim(archive: Archive, citation) -> bool:
    text = archive.article(citation.article_id).text
    return text[citation.start : citation.end] == citation.quote


def test_english_question_cites_the_arabic_passage(archive: Archive) -> None:
    answer = archive.ask(ERBIL_EN)
    assert not answer.refused
    # an answer span found first states it ("Answer: …"), then the Arabic evidence follows
    assert answer.language == "en" and LEAD["en"] in answer.text.splitlines()[:2]
    iran = [c for c in answer.citations if IRAN_BACKED in c.quote]
    assert iran and iran[0].source == "Rudaw"
    assert f"[{iran[0].n}]" in answer.text
    assert all(_quote_is_verbatim(archive, c) for c in answer.citations)


def test_arabic_question_is_framed_in_arabic(archive: Archive) -> None:
    answer = archive.ask("من تتهم الولايات المتحدة بالوقوف وراء الهجمات؟")
    assert answer.language == "ar" and answer.text.startswith(LEAD["ar"])
    assert any(IRAN_BACKED in c.quote for c in answer.citations)
    assert all(_quote_is_verbatim(archive, c) for c in answer.citations)


def test_follow_up_uses_the_previous_turn(archive: Archive) -> None:
    first = archive.ask(ERBIL_EN)
    alone = archive.search("and who denied it?")
    follow = archive.ask("and who denied it?", history=[Turn(ERBIL_EN, first.text)])
    assert any("طهران" in c.quote for c in follow.citations)
    assert "rudaw" not in alone[0].article_id  # without the context it finds something else


def test_off_topic_question_is_refused(archive: Archive) -> None:
    answer = archive.ask("Who composed the Four Seasons violin concertos?")
    assert answer.refused and answer.text.startswith(REFUSAL["en"]) and not answer.citations
    arabic = archive.ask("كيف تغير الحرباء لونها؟")
    assert arabic.refused and arabic.text.startswith(REFUSAL["ar"])


def test_filters_restrict_both_dense_and_lexical_lists(archive: Archive) -> None:
    sports = archive.filters(sources=["akhbar sample sports"])  # outlet names are matched
    assert sports.sources == ("Akhbar Sample Sports",)  # case-insensitively
    hits = archive.search("الهجمات الصاروخية على أربيل", k=5, filters=sports)
    assert hits and {h.source for h in hits} == {"Akhbar Sample Sports"}
    recent = archive.search("أسعار النفط", k=10, filters=archive.filters(since="2021-01-01"))
    assert recent and all(h.date and h.date >= "2021-01-01" for h in recent)
    old = archive.search("أسعار النفط", k=10, filters=archive.filters(until="2015-12-31"))
    assert old and all(h.date and h.date <= "2015-12-31" for h in old)
    with pytest.raises(FilterError, match="unknown outlet 'Nowhere'") as err:
        archive.filters(sources=["Nowhere"])
    assert (err.value.field, err.value.problem) == ("outlets", "unknown outlet")
    assert "Akhbar Sample Sports" in err.value.known  # the data to word it, not only words
    with pytest.raises(FilterError, match="since expects a date as YYYY-MM-DD") as err:
        archive.filters(since="last week")
    assert (err.value.field, err.value.value) == ("since", "last week")
    with pytest.raises(FilterError, match="until expects a date as YYYY-MM-DD"):
        archive.filters(until="2021-W01-1")  # an ISO week date is not a day
    with pytest.raises(FilterError) as err:
        archive.filters(since="2021-03-01", until="2021-02-01")
    assert describe_filter(err.value, {"since": "--since", "until": "--until"}) == (
        "--since 2021-03-01 is after --until 2021-02-01: no day is in between")
    assert describe_filter(err.value, {"since": "From", "until": "To"}).startswith(
        "From 2021-03-01 is after To 2021-02-01")


def test_near_duplicate_stories_are_grouped(archive: Archive) -> None:
    hits = archive.search("محطة للطاقة الشمسية في النجف", k=5)
    solar = [h for h in hits if h.article_id.startswith("sample-solar")]
    assert len(solar) == 1, [h.article_id for h in hits]
    twin = {"sample-solar-wire", "sample-solar-daily"} - {solar[0].article_id}
    assert set(solar[0].also_in) == twin


def test_langchain_retriever_returns_cited_documents(archive: Archive) -> None:
    docs = AkhbarRetriever(archive=archive, k=3).invoke(ERBIL_EN)
    assert len(docs) == 3
    for doc in docs:
        meta = doc.metadata
        text = archive.article(meta["article_id"]).text
        assert text[meta["start"] : meta["end"]] == doc.page_content
        assert {"title", "source", "date", "url", "score", "names"} <= set(meta)
    assert docs[0].metadata["names"] > 0  # "Erbil" matched أربيل in the top passage


def test_arabic_who_question_quotes_the_sentence_that_names_them(archive: Archive) -> None:
    for question in ("من المسؤول عن الهجوم على أربيل؟", "مين المسؤول عن الهجوم على اربيل؟"):
        answer = archive.ask(question)
        first = answer.citations[0]
        assert IRAN_BACKED in first.quote, (question, first.quote)
        assert first.answer is not None
        assert IRAN_BACKED in first.quote[first.answer[0] : first.answer[1]]
        assert _quote_is_verbatim(archive, first)


def test_quotes_are_whole_sentences(archive: Archive) -> None:
    # (not «كم صاروخا أطلق على قاعدة بلد الجوية؟»: the refusal model refuses it, a known miss)
    answer = archive.ask("ماذا حدث في قاعدة بلد الجوية؟")
    balad = [c for c in answer.citations if "قاعدة بلد" in c.quote]
    assert balad and "الجوية في صلاح الدين" in balad[0].quote  # not cut at «…على قاعدة بلد»
    assert all(_quote_is_verbatim(archive, c) for c in answer.citations)


@pytest.mark.parametrize("question", ["🔥🔥🔥", "؟؟", "  ...  "])
def test_a_question_of_symbols_alone_is_a_domain_error(archive: Archive, question: str) -> None:
    with pytest.raises(EmptyQuestionError, match="no words in it|empty"):
        archive.ask(question)


def test_question_length_is_capped(archive: Archive) -> None:
    with pytest.raises(QuestionTooLongError, match="the limit is 1,000"):
        archive.ask("س" * 1001)


def test_empty_store_says_how_to_fill_it(tmp_path: Path, use_embedder) -> None:
    from index.store import StoreConfig, open_store

    open_store(StoreConfig(tmp_path), create=True).close()
    with pytest.raises(EmptyStoreError, match=f"the store at {tmp_path} is empty") as raised:
        Archive.open(load_settings({"store": tmp_path}, environ={}), embedder=use_embedder)
    assert raised.value.path == tmp_path
    from assistant.cli import _words  # the CLI says how to fill it

    assert _words(raised.value).endswith(f"Index an archive first: akhbar index PATH "
                                         f"--store {tmp_path}")


def _akhbar(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AKHBAR, *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)})


def test_cli_ask_json_and_show_span(seeds_store: Path) -> None:
    done = _akhbar("ask", ERBIL_EN, "--store", str(seeds_store), "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) >= {"question", "answer", "refused", "citations"}
    cite = next(c for c in answer["citations"] if IRAN_BACKED in c["quote"])
    assert set(cite) >= {"n", "article_id", "title", "source", "date", "url", "quote", "start",
                         "end", "score"}
    shown = _akhbar("show", cite["article_id"], "--span", f"{cite['start']}:{cite['end']}",
                    "--store", str(seeds_store))
    assert shown.returncode == 0, shown.stderr
    assert f"⟦{cite['quote']}⟧" in shown.stdout  # markers, not colour, when piped
    assert "Rudaw" in shown.stdout


def test_cli_search_and_errors(seeds_store: Path, tmp_path: Path) -> None:
    found = _akhbar("search", "أسعار النفط", "--store", str(seeds_store), "--json",
                    "--source", "Akhbar Sample Daily")
    hits = json.loads(found.stdout)["hits"]
    assert hits and all(h["source"] == "Akhbar Sample Daily" for h in hits)
    bad = _akhbar("ask", "x", "--store", str(seeds_store), "--since", "2021-13-01")
    assert bad.returncode == 1 and "--since expects a date" in bad.stderr
    missing = _akhbar("show", "no-such-id", "--store", str(seeds_store))
    assert missing.returncode == 1 and "no article with id 'no-such-id'" in missing.stderr
    span = _akhbar("show", "sample-heatwave", "--span", "5:99999", "--store", str(seeds_store))
    assert span.returncode == 1 and "outside the article" in span.stderr
    empty = _akhbar("ask", "x", "--store", str(tmp_path / "nothing"))
    assert empty.returncode == 1 and "no Akhbar store at" in empty.stderr


def test_cli_ask_imports_neither_gradio_nor_torch(seeds_store: Path) -> None:
    code = (
        "import sys; from assistant.cli import main; "
        f"main(['ask', 'من نفى الاتهامات؟', '--store', {str(seeds_store)!r}, '--json']); "
        "heavy = [m for m in ('gradio', 'torch', 'sentence_transformers') if m in sys.modules]; "
        "print('HEAVY', heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


def test_english_question_is_ranked_by_dense_alone(archive: Archive) -> None:
    """BM25 cannot match English words against Arabic text: its list must not count (only the
    question's dictionary translation may, when the dictionary is installed)."""
    hits = archive.search("who is responsible for the rocket attacks?", k=5)  # no names
    assert hits and all(h.score == pytest.approx(h.dense + h.translated, abs=2e-4)
                        and h.names == 0 for h in hits)
    arabic = archive.search("الهجمات الصاروخية على أربيل", k=5)
    assert any(h.score > h.dense for h in arabic)  # an Arabic one gets the lexical evidence


def test_names_in_an_english_question_match_their_arabic_spelling(archive: Archive) -> None:
    """"Erbil" finds the articles that write أربيل: all their passages get the name evidence."""
    hits = archive.search(ERBIL_EN, k=5)
    named = [h for h in hits if h.names > 0]
    assert named and hits[0] is named[0]
    assert any("أربيل" not in h.text for h in named)  # a passage of the article, not the name
    for hit in hits:
        assert (hit.names > 0) == ("أربيل" in archive.article(hit.article_id).text)
        assert hit.score == pytest.approx(hit.dense + hit.names + hit.translated, abs=3e-4)
    lower = archive.search(ERBIL_EN.lower(), k=5)  # no capitals: every longer word is tried
    assert lower[0].names > 0 and "أربيل" in lower[0].text


def test_lexical_part_keeps_what_bm25_can_match() -> None:
    from assistant.language import lexical_part

    assert lexical_part("How many rockets hit Balad in 2021?") == ("2021", 1 / 7)
    assert lexical_part("who said أربيل?") == ("أربيل", 1 / 3)
    arabic = "كم صاروخاً سقط على قاعدة بلد عام 2021 حسب CNN؟"
    assert lexical_part(arabic) == (arabic, 1.0)


def test_settings_scoring_is_what_the_archive_scores_with(
    archive: Archive, seeds_store: Path, tmp_path: Path, use_embedder,
) -> None:
    """Settings.scoring reaches the retriever, the extractive answer and the refusal floors."""
    default_hits = archive.search(ERBIL_EN)
    assert any(h.names > 0 for h in default_hits)
    shutil.copytree(seeds_store, tmp_path / "store")  # its cached thresholds stay as they are
    base = load_settings({"store": tmp_path / "store"}, environ={})
    wide = Archive.open(replace(base, scoring=Scoring(quoting=Quoting(margin=1.0))),
                        embedder=use_embedder)
    try:
        assert len(wide.ask(ERBIL_EN).citations) > 1  # any sentence within 1.0 of the best
    finally:
        wide.close()
    scoring = Scoring(fusion=Fusion(names=0.0), quoting=Quoting(max_quotes=1))
    other = Archive.open(replace(base, scoring=scoring), embedder=use_embedder)
    try:
        assert all(h.names == 0 for h in other.search(ERBIL_EN))  # no names leg
        answer = other.ask(ERBIL_EN)
        assert not answer.refused and len(answer.citations) == 1  # one quote at most
    finally:
        other.close()
    strict = replace(base, scoring=Scoring(refusal=Refusal(floor_en=5.0)))
    other = Archive.open(strict, embedder=use_embedder)
    try:
        assert other.threshold("en") == 5.0 and other.threshold("ar") == archive.threshold("ar")
        assert other.ask(ERBIL_EN).refused  # nothing scores 5
    finally:
        other.close()
