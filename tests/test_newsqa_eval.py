"""assistant.evaluation.newsqa: the news QA metrics, on a hand-made set over the seeds store."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.archive import Archive
from assistant.config import load_settings
from assistant.evaluation import newsqa
from assistant.evaluation.newsqa import (
    DEV_SET,
    Outcome,
    evaluate_newsqa,
    load_followups,
    load_questions,
    register,
)

SOLAR = ["sample-solar-wire", "sample-solar-daily"]  # one story, two outlets (seeds/)


def _q(qid: str, lang: str, question: str, keywords: list[str], **extra: Any) -> dict:
    return {"qid": qid, "lang": lang, "question": question, "keywords": keywords,
            "article_id": extra.pop("article_id", None), "answer": None,
            "kind": "unanswerable" if not keywords else "where", **extra}


# qid -> (question, its correct sources in answer_articles.json)
QUESTIONS = [
    _q("dev-ar-001", "ar", "أين أقيمت مباراة كأس السوبر بين الهلال والنصر؟", ["لوفتس رود"]),
    _q("dev-ar-002", "ar", "وين انلعبت مباراة السوبر بين الهلال والنصر؟", ["لوفتس رود"]),
    # the list names an article the store lacks: only the keyword rule finds the solar story
    _q("dev-ar-003", "ar", "ما قدرة محطة الطاقة الشمسية في النجف؟", ["ألف ميغاواط"]),
    # a keyword no article holds: never correct, whatever the rule
    _q("dev-ar-004", "ar", "ما قدرة محطة الطاقة الشمسية في النجف؟", ["ألف ميغاواط", "البصرة"]),
    # listed: one of the two copies; the other, grouped under it (also_in), counts as found
    _q("dev-ar-005", "ar", "كم تبلغ قدرة محطة النجف الشمسية؟", ["ألف ميغاواط"]),
    _q("dev-en-001", "en", "Where was the Saudi Super Cup between Al-Hilal and Al-Nassr played?",
       ["لوفتس رود"]),
    _q("dev-oos-en-01", "en", "Who won the 2019 Rugby World Cup final?", []),
    _q("dev-oos-ar-01", "ar", "من فاز في انتخابات الرئاسة الأمريكية 2016؟", []),
    _q("dev-fu-01a", "ar", "أين أقيمت مباراة كأس السوبر السعودي؟", ["لوفتس رود"]),
    _q("dev-fu-01b", "ar", "وكيف انتهت؟", ["بركلات الترجيح"], follows="dev-fu-01a"),
]
GOLD = {"dev-ar-001": ["sample-super-cup"], "dev-ar-002": ["sample-super-cup"],
        "dev-ar-003": ["no-such-article"], "dev-ar-004": [],
        "dev-ar-005": ["sample-solar-daily"],
        "dev-en-001": ["sample-super-cup", "no-such-article"],
        "dev-fu-01a": ["sample-super-cup"], "dev-fu-01b": ["sample-super-cup"]}


@pytest.fixture
def questions_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "questions.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    (folder / "answer_articles.json").write_text(json.dumps(GOLD), encoding="utf-8")
    return folder


@pytest.fixture
def opened(seeds_store: Path, use_embedder: Any) -> Iterator[Archive]:
    archive = Archive.open(load_settings({"store": seeds_store}, environ={}),
                           embedder=use_embedder)
    yield archive
    archive.close()


def _by_qid(outcomes: tuple[Outcome, ...]) -> dict[str, Outcome]:
    return {o.qid: o for o in outcomes}


def test_the_dev_sets_registers_are_read_as_its_readme_counts_them() -> None:
    questions = load_questions(DEV_SET)
    main_ar = [q for q in questions if q.group == "main" and q.lang == "ar"]
    assert len(main_ar) == 40
    assert sum(register(q.question) == "gulf" for q in main_ar) == 20
    assert sum(q.group == "off-topic" for q in questions) == 12
    assert sum(q.follows is not None for q in questions) == 15
    assert all(q.gold for q in questions if q.answerable)
    assert register("وين انلعبت المباراة؟") == "gulf"
    assert register("أين أقيمت المباراة؟") == "msa"


def test_a_question_whose_keywords_its_listed_article_holds_is_found_and_cited(
    opened: Archive, questions_dir: Path,
) -> None:
    report = evaluate_newsqa(opened, questions_dir)
    got = _by_qid(report.outcomes)
    for qid in ("dev-ar-001", "dev-ar-002"):
        assert got[qid].found and got[qid].cited and not got[qid].refused
        assert "sample-super-cup" in got[qid].hits[:5]
    assert got["dev-ar-001"].register == "msa" and got["dev-ar-002"].register == "gulf"
    assert report.row("ar-MSA").n == 4 and report.row("ar-Gulf").n == 1
    assert report.row("ar all").n == 5 and report.row("en").n == 1
    # the list names an article the store lacks: the solar story, found and cited, does not count
    assert not got["dev-ar-003"].found and not got["dev-ar-003"].cited
    assert set(got["dev-ar-003"].hits[:1]) <= set(SOLAR)
    assert got["dev-ar-005"].found
    assert got["dev-ar-005"].found_strict == ("sample-solar-daily" in got["dev-ar-005"].hits)
    assert report.row("ar all").found == pytest.approx(3 / 5)
    assert report.missing_gold == ("no-such-article",)


def test_the_keyword_rule_accepts_an_unlisted_article_that_holds_every_keyword(
    opened: Archive, questions_dir: Path,
) -> None:
    report = evaluate_newsqa(opened, questions_dir, keywords_count=True)
    got = _by_qid(report.outcomes)
    assert got["dev-ar-003"].found and got["dev-ar-003"].cited
    assert set(got["dev-ar-003"].citations) & set(SOLAR)
    # «البصرة» is in no article: the same solar hits are not correct sources
    assert set(got["dev-ar-004"].hits) & set(SOLAR)
    assert not got["dev-ar-004"].found and not got["dev-ar-004"].cited
    assert not got["dev-ar-004"].quoted
    assert report.row("ar all").found == pytest.approx(4 / 5)
    assert report.keywords_count


def test_quotes_and_refusals_are_what_the_archive_answers(
    opened: Archive, questions_dir: Path,
) -> None:
    report = evaluate_newsqa(opened, questions_dir)
    got = _by_qid(report.outcomes)
    for q in QUESTIONS:
        if q["qid"] not in got or q.get("follows"):
            continue
        answer = opened.ask(q["question"])
        assert got[q["qid"]].refused == answer.refused
        assert got[q["qid"]].quoted == (bool(q["keywords"]) and any(
            all(k in c.quote for k in q["keywords"]) for c in answer.citations))
    off = report.row("off-topic")
    assert off.n == 2 and off.found is None
    assert off.refused_count == sum(got[q].refused for q in ("dev-oos-en-01", "dev-oos-ar-01"))
    assert off.by_language == {"en": (int(got["dev-oos-en-01"].refused), 1),
                               "ar": (int(got["dev-oos-ar-01"].refused), 1)}
    # an off-topic question has no keywords: never "cited" or "quoted", whatever it got
    assert not got["dev-oos-en-01"].cited and not got["dev-oos-en-01"].quoted


def test_a_follow_up_is_asked_after_its_first_question(
    opened: Archive, questions_dir: Path,
) -> None:
    report = evaluate_newsqa(opened, questions_dir)
    got = _by_qid(report.outcomes)
    second = got["dev-fu-01b"]
    assert second.found is None  # not searched: a follow-up's search needs its history
    assert second.cited and "sample-super-cup" in second.citations
    assert report.row("follow-ups").n == 1 and report.row("follow-ups").cited == 1.0
    first = opened.ask("أين أقيمت مباراة كأس السوبر السعودي؟")
    then = opened.ask("وكيف انتهت؟", history=[newsqa.Turn(first.question, first.text)])
    assert tuple(dict.fromkeys(c.article_id for c in then.citations)) == second.citations
    assert got["dev-fu-01a"].found and got["dev-fu-01a"].cited


def test_a_followups_file_counts_the_keyword_rule_and_checks_its_links(
    opened: Archive, tmp_path: Path,
) -> None:
    pairs = tmp_path / "followups.jsonl"
    rows = [
        {"qid": "fu-01a", "lang": "ar", "question": "ما قدرة محطة الطاقة الشمسية في النجف؟",
         "article_id": "sample-solar-wire", "keywords": ["ألف ميغاواط"]},
        {"qid": "fu-01b", "lang": "ar", "question": "ومتى تدخل الخدمة؟", "follows": "fu-01a",
         "article_id": "sample-solar-wire", "keywords": ["ثلاث سنوات"]},
    ]
    pairs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                     encoding="utf-8")
    report = evaluate_newsqa(opened, None, followups=pairs)
    assert [r.name for r in report.rows] == ["follow-ups (followups.jsonl)",
                                            "follow-ups (followups.jsonl): the firsts"]
    second = _by_qid(report.outcomes)["fu-01b"]
    # either copy of the story is right: the other one holds the same keywords
    assert second.cited == bool(set(second.citations) & set(SOLAR))
    assert report.rows[0].cited == float(second.cited)
    rows[1]["follows"] = "fu-99a"
    pairs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                     encoding="utf-8")
    with pytest.raises(newsqa.FollowUpsError, match="fu-01b"):
        load_followups(pairs)


def test_the_command_prints_the_table_and_json(
    seeds_store: Path, questions_dir: Path, cli_env: None, capsys: pytest.CaptureFixture[str],
) -> None:
    assert newsqa.main(["--store", str(seeds_store), "--questions", str(questions_dir),
                        "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in data["rows"]][:4] == ["en", "ar-MSA", "ar-Gulf", "ar all"]
    assert data["missing_gold"] == ["no-such-article"] and not data["keywords_count"]
    assert newsqa.main(["--store", str(seeds_store), "--questions", str(questions_dir),
                        "--keywords-count"]) == 0
    out = capsys.readouterr().out
    assert "| ar-Gulf " in out and re.search(r"\| [012] of 2 \(en [01]/1, ar [01]/1\)", out)
    assert "holding every keyword" in out


def test_akhbar_eval_newsqa_indexes_the_archives_and_scores_the_set(
    questions_dir: Path, seeds_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`akhbar eval --newsqa DIR --corpus seeds/` builds (here: tops up) the store and prints
    the per-language, per-register table, the same figures as evaluate_newsqa."""
    from assistant import cli

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    shutil.copytree(seeds_store, tmp_path / "store")
    code = cli.main(["eval", "--newsqa", str(questions_dir), "--corpus", str(seeds),
                     "--store", str(tmp_path / "store"), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "0 added" in out.err  # seeds/ was stored already: nothing indexed twice
    report = json.loads(out.out)
    outcomes = {q["qid"]: q for q in report["questions"]}
    assert outcomes["dev-ar-001"]["found"] and outcomes["dev-ar-002"]["register"] == "gulf"
    assert not outcomes["dev-ar-004"]["found"]  # a keyword no article holds
    assert not report["keywords_count"]  # no distractors: the gold list alone counts
    rows = {r["name"]: r for r in report["rows"]}
    assert {"en", "ar-MSA", "ar-Gulf", "off-topic"} <= set(rows)
    assert rows["ar-Gulf"]["n"] == 1 and rows["en"]["n"] == 1
    # without the archives the questions were written over, a clear error
    assert cli.main(["eval", "--newsqa", str(questions_dir), "--store", str(tmp_path / "s2")]) == 1
    assert "--newsqa needs the archives" in capsys.readouterr().err
