"""`akhbar eval` on a tiny BEIR-style set: recall per method, answers, refusals, its flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.archive import Archive
from assistant.config import Settings
from assistant.evaluation.evaluate import method_weights
from assistant.retrieve import Hit
from tests.helpers import CORPUS, WORDS, run_akhbar, write_jsonl

# Arabic questions each hold one article's own word; the English one only a name (London is
# written لندن in sport-1): BM25 can reach it through names across scripts alone.
QUERIES_AR = [{"_id": f"ar-{a}", "text": f"ماذا قيل عن {w}؟"} for a, w in WORDS.items()]
QUERIES_EN = [{"_id": "en-sport-1", "text": "Which final was played in London?"}]
ANSWERS = {"ar-eco-1": "خمسين دولاراً", "en-sport-1": "لندن"}


@pytest.fixture(scope="module")
def beir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("beir")
    write_jsonl(folder / "corpus.jsonl",
                [{"_id": a["id"], "title": a["title"], "text": a["text"]} for a in CORPUS])
    write_jsonl(folder / "queries.ar.jsonl", QUERIES_AR)
    write_jsonl(folder / "queries.en.jsonl", QUERIES_EN)
    write_jsonl(folder / "off-topic.jsonl", [{"_id": "x", "text": "كيف أطبخ الكبسة باللحم؟"}])
    qrels = ["query-id\tcorpus-id\tscore"]
    qrels += [f"{q['_id']}\t{q['_id'].split('-', 1)[1]}\t1" for q in QUERIES_AR + QUERIES_EN]
    (folder / "qrels.tsv").write_text("\n".join(qrels) + "\n", encoding="utf-8")
    squad = {"data": [{"paragraphs": [{"qas": [
        {"id": qid, "answers": [{"text": text}]} for qid, text in ANSWERS.items()]}]}]}
    (folder / "squad.json").write_text(json.dumps(squad, ensure_ascii=False), encoding="utf-8")
    return folder


def _eval(beir: Path, tmp_path: Path, *flags: str) -> dict:
    done = run_akhbar(
        "eval", "--corpus", str(beir / "corpus.jsonl"), "--queries", str(beir / "queries.ar.jsonl"),
        "--queries", str(beir / "queries.en.jsonl"), "--qrels", str(beir / "qrels.tsv"),
        "--squad", str(beir / "squad.json"), "--store", str(tmp_path / "store"), "--json", *flags,
    )
    assert done.returncode == 0, done.stderr
    return {(r["queries"], r["method"]): r for r in json.loads(done.stdout)["results"]}


def test_eval_measures_each_method_on_each_query_file(beir: Path, tmp_path: Path) -> None:
    results = _eval(beir, tmp_path, "--methods", "bm25,dense,hybrid,hybrid-no-names",
                    "--unanswerable", str(beir / "off-topic.jsonl"))
    assert len(results) == 8
    for method in ("bm25", "hybrid"):
        arabic = results[("queries.ar.jsonl", method)]
        assert arabic["n"] == 6 and arabic["recall_at_1"] == 1.0 and arabic["mrr_at_10"] == 1.0
        assert arabic["answer_in_cited"] == 1.0  # only ar-eco-1 has a gold answer
    english = results[("queries.en.jsonl", "bm25")]
    assert english["recall_at_1"] == 1.0 and english["answer_in_cited"] == 1.0
    # The ablation row is what the retriever without names finds, searched here on its own:
    # the names leg really off (no hit scores by names, as it does with names on), and its
    # recall and MRR counted from that ranking.
    ablated = results[("queries.en.jsonl", "hybrid-no-names")]
    archive = Archive.open(Settings(store=tmp_path / "store"))
    try:
        def ranking(method: str) -> list[Hit]:
            return archive.retriever_with(method_weights(method)).search(
                QUERIES_EN[0]["text"], 10)

        without, with_names = ranking("hybrid-no-names"), ranking("hybrid")
    finally:
        archive.close()
    assert any(h.names > 0 for h in with_names) and all(h.names == 0 for h in without)
    ranked = list(dict.fromkeys(h.article_id for h in without))
    rank = ranked.index("sport-1") if "sport-1" in ranked else None
    assert ablated["recall_at_1"] == float(rank == 0)
    assert ablated["mrr_at_10"] == pytest.approx(0.0 if rank is None else 1 / (rank + 1))


def test_recall_is_counted_against_the_qrels(beir: Path, tmp_path: Path) -> None:
    """Three of six Arabic questions credited to the wrong article: R@1 halves, exactly."""
    wrong = tmp_path / "qrels-wrong.tsv"
    rows = ["query-id\tcorpus-id\tscore"]
    articles = list(WORDS)
    for i, q in enumerate(QUERIES_AR):
        gold = q["_id"].split("-", 1)[1]
        rows.append(f"{q['_id']}\t{articles[(i + 1) % 6] if i < 3 else gold}\t1")
    wrong.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = run_akhbar("eval", "--corpus", str(beir / "corpus.jsonl"), "--queries",
                      str(beir / "queries.ar.jsonl"), "--qrels", str(wrong), "--store",
                      str(tmp_path / "store"), "--methods", "bm25", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)["results"]
    assert row["n"] == 6 and row["recall_at_1"] == 0.5 and row["mrr_at_10"] < 0.9


def test_names_weight_and_lowercase_flags(beir: Path, tmp_path: Path) -> None:
    off = _eval(beir, tmp_path, "--methods", "bm25", "--names-weight", "0")
    assert off[("queries.en.jsonl", "bm25")]["recall_at_5"] == 0.0  # BM25 alone cannot read it
    assert off[("queries.ar.jsonl", "bm25")]["recall_at_1"] == 1.0  # Arabic does not use names
    lower = _eval(beir, tmp_path, "--methods", "bm25", "--lowercase")
    assert lower[("queries.en.jsonl", "bm25")]["recall_at_1"] == 1.0  # "london" is still tried


def test_unknown_method_is_refused_by_name(beir: Path, tmp_path: Path) -> None:
    done = run_akhbar("eval", "--corpus", str(beir / "corpus.jsonl"), "--queries",
                      str(beir / "queries.ar.jsonl"), "--qrels", str(beir / "qrels.tsv"),
                      "--store", str(tmp_path / "store"), "--methods", "bm26")
    assert done.returncode != 0 and "bm26" in done.stderr
