"""The refusal model: its file is checked on loading; over the real seeds/ store it refuses
the written off-topic set (never in its fit) and answers the seeds' own questions; a refusal
in a small archive says what the archive covers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import refusal_model
from assistant.answer import REFUSAL
from assistant.archive import Archive
from assistant.config import load_settings
from assistant.coverage import SMALL_ARCHIVE, Coverage, covers
from assistant.refusal_model import FEATURES, METHOD, RefusalModelError, load

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "refusal"


def _questions(name: str) -> list[dict[str, str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def archive(seeds_store: Path, use_embedder):
    opened = Archive.open(load_settings({"store": seeds_store}, environ={}), embedder=use_embedder)
    yield opened
    opened.close()


def test_the_packaged_model_loads_and_matches_the_signals() -> None:
    model = load()
    assert len(model.weights) == len(model.mean) == len(model.scale) == len(model.terms)
    assert set(FEATURES) <= set(model.terms)
    assert set(model.cutoff) == {"ar", "en"} and all(0 < c < 1 for c in model.cutoff.values())


def _write(tmp_path: Path, **changes: object) -> Path:
    data = json.loads(refusal_model.MODEL.read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_model_fitted_on_other_signals_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RefusalModelError, match="fitted for method 'signals-v0'.*Refit it"):
        load(_write(tmp_path, method="signals-v0"))
    with pytest.raises(RefusalModelError, match="with features"):
        load(_write(tmp_path, features=list(FEATURES[:-1])))


def test_a_damaged_model_file_is_refused(tmp_path: Path) -> None:
    n = len(load().terms)
    with pytest.raises(RefusalModelError, match=f"must each hold {n} numbers"):
        load(_write(tmp_path, weights=[1.0, 2.0]))
    with pytest.raises(RefusalModelError, match=r"terms \['coverage\*moon'\] are not signals"):
        load(_write(tmp_path, terms=["coverage*moon", *load().terms[1:]]))
    with pytest.raises(RefusalModelError, match=r"each cutoff in \(0, 1\)"):
        load(_write(tmp_path, cutoff={"ar": 0.2, "en": 1.5}))
    with pytest.raises(RefusalModelError, match="bad or missing field"):
        load(_write(tmp_path, cutoff=0.2))
    with pytest.raises(RefusalModelError, match="bad or missing field"):
        load(_write(tmp_path, bias="high"))
    with pytest.raises(RefusalModelError, match="not a finite number"):
        load(_write(tmp_path, mean=[float("nan")] * n))
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(RefusalModelError, match="cannot read the refusal model"):
        load(broken)
    assert METHOD == json.loads(refusal_model.MODEL.read_text(encoding="utf-8"))["method"]


# Known misses of the packaged model, kept visible: strict, so a refit that fixes one says so.
# Both are near the archive's own words (gold prices beside Brent prices and London's Loftus
# Road; "population today" beside the heatwave's residents).
MISSED = {"What is the price of gold in London today?", "كم عدد سكان مصر اليوم؟"}


def _expected(name: str) -> list[object]:
    return [pytest.param(q, id=q["text"], marks=pytest.mark.xfail(
        strict=True, reason="answered by the packaged model (README)"))
        if q["text"] in MISSED else pytest.param(q, id=q["text"]) for q in _questions(name)]


@pytest.mark.parametrize("item", _expected("seeds_off_topic.jsonl"))
def test_off_topic_questions_over_seeds_are_refused(archive: Archive, item: dict) -> None:
    answer = archive.ask(item["text"])
    assert answer.refused, (answer.text, archive.signals(item["text"],
                                                         archive.search(item["text"])))
    assert not answer.citations and answer.language == item["lang"]


@pytest.mark.parametrize("item", _questions("seeds_answerable.jsonl"), ids=lambda q: q["text"])
def test_the_seeds_own_questions_are_answered(archive: Archive, item: dict) -> None:
    answer = archive.ask(item["text"])
    assert not answer.refused, archive.signals(item["text"], archive.search(item["text"]))
    # "sample-solar-": either copy of the wire story the seeds hold twice
    assert any(c.article_id.startswith(item["article"]) for c in answer.citations)


def test_a_small_archive_refusal_says_what_it_covers(archive: Archive) -> None:
    english = archive.ask("Who won the 1998 Tour de France?")
    assert english.refused and english.text.startswith(REFUSAL["en"])
    for outlet in ("Rudaw", "Akhbar Sample Wire", "Akhbar Sample Daily", "Akhbar Sample Sports"):
        assert outlet in english.text
    assert "It holds 6 articles" in english.text
    assert "dated 2015-08-02 to 2021-03-02" in english.text
    arabic = archive.ask("من فاز بكأس العالم 2022؟")
    assert arabic.refused and arabic.text.startswith(REFUSAL["ar"])
    assert "يضم الأرشيف 6 مقالاً" in arabic.text and "Rudaw" in arabic.text
    assert "2015-08-02" in arabic.text and "2021-03-02" in arabic.text


def test_a_large_archive_refusal_stays_short() -> None:
    many = Coverage(SMALL_ARCHIVE + 1, ("Okaz", "Al-Riyadh"), "2015-07-21", "2015-08-11")
    assert covers(many, "en") == "" and covers(many, "ar") == ""
    outlets = tuple(f"Outlet {i}" for i in range(8))
    few = Coverage(12, outlets, "2015-07-21", "2015-07-21")
    said = covers(few, "en")
    assert said == ("It holds 12 articles from Outlet 0, Outlet 1, Outlet 2, Outlet 3, Outlet 4 "
                    "and 3 other outlets, dated 2015-07-21.")


def test_a_figure_the_archive_lacks_is_a_signal(archive: Archive) -> None:
    question = "Who won the 2022 World Cup?"
    missing = archive.signals(question, archive.search(question))
    assert missing.numbers_missing == 1.0 and missing.english == 1.0
    asked = "ماذا بحث الكاظمي مع بايدن؟"  # every content word is in one sentence
    covered = archive.signals(asked, archive.search(asked))
    assert covered.numbers_missing == 0.0 and covered.coverage == 1.0
    assert covered.unknown == 0.0 and covered.rarest == 1.0
    off = archive.signals("كيف أحسب زكاة الذهب؟", archive.search("كيف أحسب زكاة الذهب؟"))
    assert off.unknown > 0.5 and off.coverage < 0.5


def test_above_the_fitted_sizes_the_thresholds_alone_decide(
    seeds_store: Path, use_embedder, archive: Archive,
) -> None:
    """Refusal.model_max_articles: the model decides only in archives of the sizes it was
    fitted on; above it (here: a cap of 5 articles, under seeds' 6) the probed threshold does,
    in `refuses` and in `ask` alike."""
    from dataclasses import replace

    from assistant.answer import best_evidence
    from assistant.scoring import Refusal, Scoring

    question = _questions("seeds_off_topic.jsonl")[0]["text"]
    hits = archive.search(question)
    assert archive.refuses(question, hits)  # the model refuses it (the fixture's premise)
    capped = Scoring(refusal=Refusal(model_max_articles=5))
    base = load_settings({"store": seeds_store}, environ={})
    other = Archive.open(replace(base, scoring=capped), embedder=use_embedder)
    try:
        lang = "en" if question.isascii() else "ar"
        by_threshold = best_evidence(hits) < other.threshold(lang)
        assert other.refuses(question, hits) == by_threshold
        assert other.ask(question).refused == by_threshold
        answered = [q["text"] for q in _questions("seeds_off_topic.jsonl")
                    if not other.refuses(q["text"], other.search(q["text"]))]
        assert answered  # the thresholds alone answer some of what the model refuses
    finally:
        other.close()
