"""tests/bench/followups.jsonl, the follow-up pairs over the SaudiNewsNet sample: its rules.

Each keyword is in its article's text (the sample, read from ../shared); each pair's second
question leans on the first (short, no name of its own, a different answer from the same
article); Arabic and English about half each, Gulf colloquial among the Arabic; none of the
articles of newsqa-dev, a separate dev set; no question copies a run of words of its article.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.evaluation.newsqa import DEV_SET, load_followups, register

SET = Path(__file__).resolve().parent / "bench" / "followups.jsonl"
SAMPLE = DEV_SET.parent / "saudinewsnet" / "saudinewsnet.sample.jsonl"
FOLLOW_UP_WORDS = 8  # a follow-up has at most this many words


def _rows() -> list[dict]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _pairs() -> list[tuple[dict, dict]]:
    by_qid = {q["qid"]: q for q in _rows()}
    return [(by_qid[q["follows"]], q) for q in _rows() if "follows" in q]


@pytest.fixture(scope="module")
def sample() -> dict[str, dict]:
    with open(SAMPLE, encoding="utf-8") as handle:
        return {a["id"]: a for a in map(json.loads, handle) if a.get("text")}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_every_question_is_in_one_pair_and_follows_the_one_before_it() -> None:
    rows = _rows()
    qids = [q["qid"] for q in rows]
    assert len(set(qids)) == len(qids)
    pairs = _pairs()
    assert len(pairs) >= 30 and 2 * len(pairs) == len(rows)
    for first, second in pairs:
        assert "follows" not in first
        assert qids.index(first["qid"]) == qids.index(second["qid"]) - 1
        assert first["article_id"] == second["article_id"] and first["lang"] == second["lang"]
        assert set(first) <= {"qid", "lang", "question", "article_id", "keywords", "register"}
    assert len(load_followups(SET)) == len(rows)  # and the scorer reads it


def test_each_keyword_is_verbatim_in_its_sample_article(sample: dict[str, dict]) -> None:
    for q in _rows():
        text = sample[q["article_id"]]["text"]
        assert 1 <= len(q["keywords"]) <= 3, q["qid"]
        for keyword in q["keywords"]:
            assert keyword == keyword.strip() and 0 < len(keyword) <= 40, q["qid"]
            assert keyword in text, (q["qid"], keyword)
            assert keyword not in q["question"], q["qid"]  # the question does not answer itself


def test_the_follow_up_leans_on_the_first_question() -> None:
    for first, second in _pairs():
        words = _words(second["question"])
        assert len(words) <= FOLLOW_UP_WORDS and len(words) < len(_words(first["question"])), \
            second["qid"]
        assert set(second["keywords"]).isdisjoint(first["keywords"]), second["qid"]
        if second["lang"] == "en":  # no name of its own: "How old is he?", not "…Fanning?"
            assert not [w for w in words[1:] if w[0].isupper()], second["qid"]
            assert second["question"].isascii()


def test_languages_and_registers_are_mixed() -> None:
    pairs = _pairs()
    langs = Counter(first["lang"] for first, _ in pairs)
    assert set(langs) == {"en", "ar"} and abs(langs["en"] - langs["ar"]) <= 2
    arabic = [(a, b) for a, b in pairs if a["lang"] == "ar"]
    gulf = [(a, b) for a, b in arabic if a["register"] == "gulf"]
    assert len(gulf) >= len(arabic) / 3
    for a, b in arabic:
        marked = "gulf" in (register(a["question"]), register(b["question"]))
        assert marked == (a["register"] == "gulf") and a["register"] == b["register"], a["qid"]
    for a, b in gulf:  # colloquial writing drops hamzas and writes ه for ة
        assert not re.search("[أإآة]", a["question"] + b["question"]), a["qid"]


def test_no_article_of_the_dev_set_and_no_copied_run_of_words(sample: dict[str, dict]) -> None:
    dev = {json.loads(line)["article_id"] for line in
           (DEV_SET / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line}
    for q in _rows():
        assert q["article_id"] not in dev, q["qid"]
        article = sample[q["article_id"]]
        text = _words(article["text"] + " " + (article.get("title") or ""))
        runs = {tuple(text[i : i + 4]) for i in range(len(text) - 3)}
        words = _words(q["question"])
        copied = [words[i : i + 4] for i in range(len(words) - 3)
                  if tuple(words[i : i + 4]) in runs]
        assert not copied, (q["qid"], copied)
