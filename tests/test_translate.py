"""English questions translated through a dictionary into an Arabic BM25 leg (structured query)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dictd_fixture import write_dictd
from helpers import index_archive, write_jsonl

from assistant.archive import Archive
from assistant.config import Settings
from assistant.evaluation.evaluate import method_weights
from assistant.retrieve import Filters, Retriever
from assistant.scoring import Fusion
from assistant.translate import Translator
from index import lexical
from index.dictionary import Dictionary, DictionaryMissing
from index.embed import UseEmbedder
from index.lexical import LexicalIndex
from index.tokens import tokenize

ARTICLES = [
    {"id": "yacht", "title": "حادث في البحر", "date": "2020-03-01", "source": "الساحل",
     "text": "غرق اليخت قرب الميناء صباح الأحد بعد عاصفة قوية. "
             "وأنقذت فرق الإنقاذ ركابه الستة ونقلتهم إلى المستشفى. "
             "وقال الأطباء إن حالتهم مستقرة وإنهم سيغادرون خلال يومين. "
             "وفتحت السلطات تحقيقا في أسباب الحادث وطلبت شهادات البحارة."},
    {"id": "budget", "title": "الميزانية", "date": "2020-03-02", "source": "الاقتصادية",
     "text": "أعلنت وزارة المالية ميزانية العام الجديد بزيادة في الإنفاق على التعليم. "
             "وقال الوزير إن العجز سينخفض خلال ثلاث سنوات."},
    {"id": "raid", "title": "غارة جوية", "date": "2020-03-03", "source": "الساحل",
     "text": "استهدفت غارة جوية مستودعا للذخيرة شمال المدينة. "
             "وأدان المسؤولون الاعتداء ووصفوه بأنه هجوم على المدنيين."},
    {"id": "match", "title": "كرة القدم", "date": "2020-03-04", "source": "الرياضية",
     "text": "فاز الفريق المحلي بالمباراة النهائية بهدفين نظيفين. "
             "واحتفل المشجعون في شوارع المدينة حتى الفجر."},
]
YACHT_EN = "Which yacht sank near the harbour?"


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    return write_dictd(tmp_path / "dict")


@pytest.fixture(scope="module")
def small_archive(
    tmp_path_factory: pytest.TempPathFactory, use_embedder: UseEmbedder,
) -> Iterator[Archive]:
    folder = tmp_path_factory.mktemp("translate")
    store = folder / "store"
    index_archive([write_jsonl(folder / "a.jsonl", ARTICLES)], store, use_embedder)
    archive = Archive.open(Settings(store=store), embedder=use_embedder)
    try:
        yield archive
    finally:
        archive.close()


ON = method_weights("hybrid")  # the default hybrid, with the dictionary leg

def _retriever(archive: Archive, weights: Fusion, translator: Translator) -> Retriever:
    return Retriever(archive.retriever.store, archive.embedder, weights, translator=translator)


def test_stop_words_are_dropped_and_translations_become_bm25_terms(fake: Path) -> None:
    query = Translator(fake).translate("What is the yacht of the harbour, which attacked?")
    assert [w.word for w in query.words] == ["yacht", "harbour", "attacked"]  # what/the/which out
    assert query.words[2].headword == "attack"  # inflection reduced
    assert query.sets == [tuple(tokenize("اليخت")), tuple(tokenize("الميناء")),
                          tuple(tokenize("هجوم اعتداء غارة"))]
    assert Translator(fake).translate("Which sail?").untranslated == ["sail"]


def test_a_translated_word_finds_the_article_bm25_alone_cannot(
    small_archive: Archive, fake: Path,
) -> None:
    translator = Translator(fake)
    bm25 = _retriever(small_archive, method_weights("bm25"), translator).search(YACHT_EN, 3)
    assert not any(h.article_id == "yacht" for h in bm25)  # no Arabic word to match
    alone = _retriever(small_archive, method_weights("translated"), translator).search(YACHT_EN, 3)
    assert alone and all(h.article_id == "yacht" and h.translated > 0 for h in alone)
    hybrid = _retriever(small_archive, ON, translator).search(YACHT_EN, 3)
    top = hybrid[0]
    assert top.article_id == "yacht"
    assert 0 < top.translated <= ON.translated  # scaled by the leg's ceiling
    assert top.score == pytest.approx(top.dense + top.names + top.translated, abs=2e-4)
    assert top.evidence >= top.dense + top.translated - 2e-4
    # like a name, a translation found in an article counts for every passage of it
    for hit in hybrid:
        assert (hit.translated > 0) == (hit.article_id == "yacht")
    passages = [h for h in _retriever(small_archive, ON, translator).search(
        YACHT_EN, 10) if h.article_id == "yacht"]
    assert len(passages) > 1 and len({h.translated for h in passages}) == 1
    assert any("اليخت" not in h.text for h in passages)
    ablated = _retriever(small_archive, method_weights("hybrid-no-translation"), translator)
    assert all(h.translated == 0 for h in ablated.search(YACHT_EN, 3))


def test_the_translated_leg_obeys_the_filters(small_archive: Archive, fake: Path) -> None:
    retriever = _retriever(small_archive, method_weights("translated"), Translator(fake))
    hits = retriever.search(YACHT_EN, 3, Filters(sources=("الاقتصادية",)))
    assert all(h.article_id != "yacht" for h in hits)


def test_an_arabic_question_is_not_translated(small_archive: Archive, fake: Path) -> None:
    hits = _retriever(small_archive, ON, Translator(fake)).search("غرق اليخت", 3)
    assert hits[0].article_id == "yacht" and all(h.translated == 0 for h in hits)


def test_the_alternatives_of_one_word_count_as_one_set(tmp_path: Path, fake: Path) -> None:
    """"attack" has three translations, all in chunk `a`; "yacht" one, in chunk `y`. Both
    chunks are as long, each term in one chunk: a synonym set scores through its best term,
    so `a` does not outweigh `y` (as a flat query of all five terms would make it)."""
    filler = " ".join(tokenize("تقرير خبر نشر اليوم صباحا"))
    attack = " ".join(tokenize("هجوم اعتداء غارة"))
    yacht = " ".join(tokenize("اليخت مركب شراع"))
    lexical.build([("a", f"{attack} {filler}", "A", None, "s"),
                   ("y", f"{yacht} {filler}", "Y", None, "s"),
                   ("z", f"{filler} {filler}", "Z", None, "s")], tmp_path / "lex")
    index = LexicalIndex(tmp_path / "lex")
    query = Translator(fake).translate("attack yacht")
    found = index.search_synonyms(query.sets, len(query.words), 5)
    assert set(found.chunk_ids) == {"a", "y"}
    assert found.scores[0] == pytest.approx(found.scores[1], rel=1e-5)
    assert found.coverage == 1.0
    flat = index.search(" ".join(t for s in query.sets for t in s), 5)
    assert flat.chunk_ids[0] == "a" and flat.scores[0] > 2 * flat.scores[1]  # the contrast
    one = Translator(fake).translate("attack")
    one_word = index.search_synonyms(one.sets, len(one.words), 5)
    assert one_word.ceiling == pytest.approx(found.ceiling / 2, rel=1e-5)  # best idf per set


def test_a_missing_dictionary_leaves_the_leg_empty_and_says_so(
    small_archive: Archive, tmp_path: Path,
) -> None:
    translator = Translator(tmp_path / "nowhere")
    assert not translator.available
    assert isinstance(translator.missing, DictionaryMissing)
    assert translator.missing.absent == (tmp_path / "nowhere.index",
                                         tmp_path / "nowhere.dict.dz")
    retriever = _retriever(small_archive, ON, translator)
    hits = retriever.search(YACHT_EN, 3)
    assert hits and all(h.translated == 0 for h in hits)  # dense and names still rank
    assert retriever.translator.missing is translator.missing
    assert translator.translate(YACHT_EN).untranslated == ["yacht", "sank", "near", "harbour"]
    assert Translator(write_dictd(tmp_path / "ok")).available


def test_an_archive_retriever_reads_the_default_dictionary_lazily(small_archive: Archive) -> None:
    translator = small_archive.retriever.translator
    found = translator.dictionary  # /usr/share/dictd/freedict-eng-ara, or why it is missing
    assert isinstance(found, Dictionary | DictionaryMissing)
    assert translator.available == isinstance(found, Dictionary)


def test_a_words_inflected_forms_join_its_synonym_set(fake: Path) -> None:
    (books,) = Translator(fake).translate("Which books?").sets
    assert books == (*tokenize("مؤلفات"), *tokenize("كتاب"))  # one set, not two


def test_the_settings_dictionary_is_the_archives(
    small_archive: Archive, fake: Path, use_embedder: UseEmbedder,
) -> None:
    archive = Archive.open(Settings(store=small_archive.settings.store, dictionary=fake),
                           embedder=use_embedder)
    try:
        assert archive.retriever.translator is archive.translator
        assert archive.translator.available
        assert archive.dictionary_missing() is None
    finally:
        archive.close()


def test_a_missing_dictionary_is_noted_in_the_first_english_answer_only(
    small_archive: Archive, tmp_path: Path, use_embedder: UseEmbedder,
) -> None:
    settings = Settings(store=small_archive.settings.store, dictionary=tmp_path / "nowhere")
    archive = Archive.open(settings, embedder=use_embedder)
    try:
        assert archive.retriever.weights.translated  # the leg is on by default
        arabic = archive.ask("ما الذي غرق قرب الميناء؟")
        assert not any("dictionary" in n for n in arabic.notes)  # Arabic is not translated
        first = archive.ask(YACHT_EN)
        assert [n for n in first.notes if "dictionary" in n] == [
            f"no English-Arabic dictionary ({tmp_path / 'nowhere'} is not installed): English "
            "questions are matched by meaning and by names only. On Debian: apt-get install "
            "dict-freedict-eng-ara"]
        again = archive.ask("Who rescued the passengers?")
        assert not any("dictionary" in n for n in again.notes)
    finally:
        archive.close()


def test_stats_says_whether_the_dictionary_is_there(
    small_archive: Archive, tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    from assistant.cli import main

    store = str(small_archive.settings.store)
    monkeypatch.setenv("AKHBAR_DICTIONARY", str(tmp_path / "nowhere"))
    assert main(["stats", "--store", store, "--json"]) == 0
    state = json.loads(capsys.readouterr().out)["dictionary"]
    note = (f"no English-Arabic dictionary ({tmp_path / 'nowhere'} is not installed): English "
            "questions are matched by meaning and by names only. On Debian: apt-get install "
            "dict-freedict-eng-ara")
    assert state == {"path": str(tmp_path / "nowhere"), "available": False, "used": True,
                     "note": note}
    assert main(["stats", "--store", store]) == 0
    assert f"note: {note}" in capsys.readouterr().out
    monkeypatch.setenv("AKHBAR_DICTIONARY", str(fake))
    assert main(["stats", "--store", store]) == 0
    assert "dictionary" not in capsys.readouterr().out


def test_the_refusal_thresholds_follow_the_dictionary(
    small_archive: Archive, tmp_path: Path, fake: Path, use_embedder: UseEmbedder,
) -> None:
    import json

    def method(dictionary: Path) -> str:
        archive = Archive.open(Settings(store=small_archive.settings.store,
                                        dictionary=dictionary), embedder=use_embedder)
        try:
            archive.threshold("en")
            return str(json.loads(archive.store.meta("refusal") or "{}")["method"])
        finally:
            archive.close()

    assert method(fake).endswith("+dictionary")
    assert not method(tmp_path / "nowhere").endswith("+dictionary")  # recomputed without it
    assert method(fake).endswith("+dictionary")


def test_a_question_is_translated_once(tmp_path: Path) -> None:
    """The search, the answer and the refusal model all read the translation: one lookup."""
    calls = []
    translator = Translator(tmp_path / "missing.index")
    original = translator._translate

    def counted(question: str):
        calls.append(question)
        return original(question)

    translator._translate = counted  # type: ignore[method-assign]
    first = translator.translate("who attacked the yacht?")
    assert translator.translate("who attacked the yacht?") is first
    translator.translate("another question")
    assert calls == ["who attacked the yacht?", "another question"]
