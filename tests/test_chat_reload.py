"""A running `akhbar chat` answers over articles indexed while it runs (no restart)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gradio_client import Client

from tests.helpers import run_akhbar, write_jsonl
from tests.ui_server import chat_server

ROOT = Path(__file__).resolve().parents[1]
MUSEUM = {
    "id": "new-museum", "title": "افتتاح متحف للمخطوطات في نجران", "date": "2021-03-01",
    "source": "Late Wire", "url": "",
    "text": "افتتحت هيئة التراث متحفا جديدا للمخطوطات النادرة في مدينة نجران يضم ألفي مخطوطة. "
            "وقال مدير المتحف إن المخطوطات جمعت من مكتبات الأسر في جنوب المملكة.",
}
QUESTION = "ماذا افتتحت هيئة التراث في نجران؟"


@pytest.mark.slow
def test_an_article_indexed_while_the_server_runs_is_answered(tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = run_akhbar("index", str(ROOT / "seeds"), "--store", str(store))
    assert done.returncode == 0, done.stderr
    with chat_server(store, cwd=tmp_path) as server:
        client = Client(server.url, verbose=False)
        before = client.predict(QUESTION, api_name="/ask")
        before = before if isinstance(before, dict) else json.loads(before)
        assert "new-museum" not in {c["article_id"] for c in before["citations"]}

        late = write_jsonl(tmp_path / "late.jsonl", [MUSEUM])
        done = run_akhbar("index", str(late), "--store", str(store))  # another process
        assert done.returncode == 0, done.stderr

        after = client.predict(QUESTION, api_name="/ask")
        after = after if isinstance(after, dict) else json.loads(after)
    assert not after["refused"]
    assert "new-museum" in {c["article_id"] for c in after["citations"]}
