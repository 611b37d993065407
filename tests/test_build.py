"""The indexing pipeline end to end: what a run adds, skips, replaces and prunes."""

from __future__ import annotations

import json
import re
from contextlib import closing
from pathlib import Path

import pytest
from helpers import (
    CORPUS,
    SMALL_CHUNKS,
    WORDS,
    CountingEmbedder,
    assert_findable,
    index_archive,
    snapshot,
    write_jsonl,
)

from assistant.cli import main
from index.build import IndexSettings, build
from index.chunk import ChunkSettings
from index.embed import SentenceTransformerEmbedder, UseEmbedder
from index.errors import ArchiveNotFoundError, ModelMismatchError, UnknownEncodingError
from index.lexical import LexicalIndex
from index.store import Store, StoreConfig, open_store

IDS = {a["id"] for a in CORPUS}


def _open(path: Path) -> Store:
    return open_store(StoreConfig(path), create=False)


def _without(article_id: str) -> list[dict[str, object]]:
    return [a for a in CORPUS if a["id"] != article_id]


def _changed(article_id: str, text: str) -> list[dict[str, object]]:
    return [{**a, "text": text} if a["id"] == article_id else a for a in CORPUS]


def _assert_lexical_in_step(store: Store) -> LexicalIndex:
    lexical = LexicalIndex(store.lexical_dir)
    assert set(lexical.chunk_ids) == store.chunk_ids()
    return lexical


@pytest.mark.usefixtures("cli_env")
def test_index_then_stats_json(archive: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    assert main(["index", str(archive), "--store", str(store), "--quiet", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["added"], summary["skipped"]) == (len(CORPUS), 0)

    assert main(["stats", "--store", str(store), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["articles"] == len(CORPUS)
    assert stats["chunks"] == stats["vectors"] == summary["chunks"] > 0
    assert (stats["model"], stats["dim"]) == ("use-multilingual-v3", 512)
    assert (stats["first_date"], stats["last_date"]) == ("2015-07-25", "2015-08-09")
    assert stats["sources"] == {"الرياض": 2, "الجزيرة": 2, "عكاظ": 2}

    assert main(["stats", "--store", str(store)]) == 0
    assert f"store: {len(CORPUS)} articles, {stats['chunks']} chunks" in capsys.readouterr().out


@pytest.mark.usefixtures("cli_env")
def test_stats_of_a_missing_store_says_how_to_build_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--store", str(tmp_path / "nowhere")]) == 1
    assert "no Akhbar store at" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()


def test_reindexing_the_same_archive_embeds_and_adds_nothing(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    store = tmp_path / "store"
    first = index_archive([archive], store, use_embedder).report
    assert (first.added, first.unchanged, first.skipped) == (len(CORPUS), 0, 0)
    before = snapshot(store)

    counting = CountingEmbedder(use_embedder)
    again = index_archive([archive], store, counting).report
    assert (again.added, again.updated, again.unchanged, again.chunks_written) == (
        0, 0, len(CORPUS), 0)
    assert counting.texts == 0
    assert snapshot(store) == before
    assert before.dirty == "0"
    assert before.vector_count == len(before.chunk_ids) == first.chunks_written


def test_a_changed_article_replaces_its_old_chunks(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    with closing(_open(store_path)) as store:
        old = store.chunk_ids(["eco-1"])

    text = str(CORPUS[0]["text"]).replace("برنت", "غرب تكساس") + " وارتفع سعر الذهب أيضاً."
    changed = write_jsonl(tmp_path / "changed.jsonl", _changed("eco-1", text))
    counting = CountingEmbedder(use_embedder)
    report = index_archive([changed], store_path, counting).report
    assert (report.added, report.updated, report.unchanged) == (0, 1, len(CORPUS) - 1)

    with closing(_open(store_path)) as store:
        new = store.chunk_ids(["eco-1"])
        assert new and not new & old
        assert not old & store.chunk_ids()
        vector_ids = set(store.vectors()[0])
        assert not old & vector_ids
        assert new <= vector_ids
        assert store.vector_count() == len(store.chunk_ids())
        assert_findable(store)
        lexical = _assert_lexical_in_step(store)
        assert lexical.search("الذهب", 5).chunk_ids[0] in new
        assert lexical.search(WORDS["eco-1"], 5).chunk_ids == []
        # Only the changed article's sentences were embedded, each once.
        sentences = {s for c in store.chunks(sorted(new)).values() for s in c.sentences}
    assert counting.texts == len(sentences)


def test_prune_removes_articles_no_longer_in_the_archive(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    with closing(_open(store_path)) as store:
        gone = sorted(store.chunk_ids(["tech-1"]))
    smaller = write_jsonl(tmp_path / "smaller.jsonl", _without("tech-1"))

    kept = index_archive([smaller], store_path, use_embedder).report
    assert kept.pruned == 0
    assert snapshot(store_path).article_ids == IDS

    pruned = index_archive([smaller], store_path, use_embedder, prune=True).report
    assert (pruned.pruned, pruned.unchanged) == (1, len(CORPUS) - 1)
    with closing(_open(store_path)) as store:
        assert store.article_ids() == IDS - {"tech-1"}
        assert not set(gone) & set(store.vectors()[0])
        assert store.vector_count() == len(store.chunk_ids())
        lexical = _assert_lexical_in_step(store)
        assert lexical.search(WORDS["tech-1"], 5).chunk_ids == []
        assert lexical.search(WORDS["sport-1"], 5).chunk_ids


def _with_diacritics_and_spacing(text: str) -> str:
    text = text.replace("حذرت", "حَذَّرَتْ").replace("الأرصاد", "الأَرْصَاد")
    return "  " + text.replace(". ", ".\n\n", 1).replace(" ", "   ", 3) + "\n"


def test_duplicates_are_stored_once_with_a_reason(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    sport, weather = CORPUS[1], CORPUS[2]
    copies = [
        {**sport, "text": "نص آخر تماماً بالمعرف نفسه."},  # same id again
        {**sport, "id": "sport-copy"},  # same text, another id
        {**weather, "id": "weather-copy", "text": _with_diacritics_and_spacing(weather["text"])},
    ]
    archive = write_jsonl(tmp_path / "dupes.jsonl", [*CORPUS, *copies])
    indexed = index_archive([archive], tmp_path / "store", use_embedder)
    report = indexed.report
    assert (report.added, report.skipped) == (len(CORPUS), 3)
    assert report.skip_reasons == {"duplicate id": 1, "duplicate text": 2}
    reasons = [p.reason for p in indexed.problems]
    assert reasons == [
        "duplicate id: 'sport-1' again (first copy kept)",
        "duplicate text: same article as 'sport-1' (stored once)",
        "duplicate text: same article as 'weather-1' (stored once)",
    ]
    assert [p.line for p in indexed.problems] == [7, 8, 9]
    with closing(_open(tmp_path / "store")) as store:
        assert store.article_ids() == IDS
        stored = store.article("sport-1")
        assert stored is not None and stored.text == sport["text"]

    # Again, with --prune: the copies stay skipped and nothing is pruned.
    again = index_archive([archive], tmp_path / "store", use_embedder, prune=True).report
    assert (again.unchanged, again.skipped, again.pruned) == (len(CORPUS), 3, 0)


def test_a_copy_met_before_its_stored_original_does_not_hide_the_original(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    index_archive([archive], tmp_path / "store", use_embedder)
    reordered = write_jsonl(tmp_path / "reordered.jsonl",
                            [{**CORPUS[3], "id": "health-copy"}, *CORPUS])
    indexed = index_archive([reordered], tmp_path / "store", use_embedder, prune=True)
    report = indexed.report
    assert (report.unchanged, report.skipped, report.pruned) == (len(CORPUS), 1, 0)
    assert [p.reason for p in indexed.problems] == [
        "duplicate text: same article as 'health-1' (stored once)"
    ]


def test_another_model_is_refused_with_both_names(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder,
    minilm_embedder: SentenceTransformerEmbedder,
) -> None:
    store_path = tmp_path / "store"
    index_archive([archive], store_path, use_embedder)
    before = snapshot(store_path)
    expected = (
        r"was built with use-multilingual-v3 \(512-d\), not "
        + re.escape(minilm_embedder.name) + r" \(384-d\)$"
    )
    with pytest.raises(ModelMismatchError, match=expected) as raised:
        index_archive([archive], store_path, minilm_embedder)
    assert (raised.value.path, raised.value.built_flag) == (store_path, "use-multilingual-v3")
    from assistant.cli import _words  # the CLI words it, with the flag that fixes it

    assert _words(raised.value).endswith(
        ". Use --model use-multilingual-v3, or index into a new --store.")
    with pytest.raises(ModelMismatchError, match="was chunked as 'chunks<=160 .*', not ") \
            as chunked:
        index_archive([archive], store_path, use_embedder, chunking=ChunkSettings())
    assert chunked.value.built.startswith("chunks<=160") and chunked.value.wanted
    assert "Use the same chunk settings" in _words(chunked.value)
    assert snapshot(store_path) == before


def test_chroma_metadata_and_catalog_spans_agree(
    archive: Path, tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    index_archive([archive], tmp_path / "store", use_embedder, chunking=SMALL_CHUNKS)
    with closing(_open(tmp_path / "store")) as store:
        got = store._collection.get(include=["metadatas"])  # what Chroma filters on
        rows = store.chunks(got["ids"])
        assert set(rows) == set(got["ids"])
        for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
            row = rows[cid]
            article = store.article(row.article_id)
            assert article is not None
            day = int(article.date.replace("-", "")) if article.date else 0
            assert meta == {"article_id": row.article_id, "source": article.source, "day": day}
            assert article.text[row.start : row.end].strip() == article.text[row.start : row.end]
            assert all(row.start <= s < e <= row.end for s, e in row.sentences)
            assert row.vectors.shape == (len(row.sentences), 512)


def test_a_bad_archive_path_or_encoding_leaves_the_store_untouched(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(ArchiveNotFoundError, match="missing.jsonl: no such file or folder"):
        index_archive([missing], tmp_path / "store", use_embedder)
    with closing(_open(tmp_path / "store")) as store:
        assert store.model() is None  # the next run may still pick any model
        assert store.meta("dirty") is None
        with pytest.raises(UnknownEncodingError):
            build([tmp_path], store, use_embedder, IndexSettings(encoding="no-such-codec"),
                  on_problem=print)
        assert store.model() is None


def test_skip_reasons_are_counted_by_stable_readable_kinds(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    lines = [json.dumps(a, ensure_ascii=False) for a in CORPUS[:3]]
    (folder / "a.jsonl").write_text("\n".join([*lines, "{broken", '{"id": "e", "text": ""}',
                                               lines[0]]) + "\n", "utf-8")
    (folder / "b.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "c.csv").write_text("id,text\n1,نص,زائد\n", "utf-8")
    report = index_archive([folder], tmp_path / "store", use_embedder).report
    assert report.added == 3
    assert report.skip_reasons == {
        "broken JSON": 1, "empty text": 1, "duplicate id": 1, "undecodable": 1,
        "more cells than columns": 1,
    }
    assert report.skipped == 5
