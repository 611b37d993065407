"""Damaged archives through the real pipeline and store (issue 9): a stray byte costs its line,
a file not read to its end loses nothing to --prune, a shifted CSV row is refused, and a link
out of the archive is not followed."""

from __future__ import annotations

import json
import os
from contextlib import closing
from pathlib import Path

import pytest
from damaged import csv_text, cut_gzip, jsonl_lines, with_byte
from helpers import index_archive, make_articles, write_jsonl

from assistant.cli import main
from index.embed import UseEmbedder
from index.store import StoreConfig, open_store

ARTICLES = make_articles(46, seed=9)
IDS = {str(a["id"]) for a in ARTICLES}


def _stored(store_path: Path) -> dict[str, tuple[str, str]]:
    """id -> (text, origin) of every stored article."""
    with closing(open_store(StoreConfig(store_path), create=False)) as store:
        found = store.articles(store.article_ids())
    return {i: (a.text, a.origin) for i, a in found.items()}


@pytest.mark.parametrize(
    ("byte", "line", "reason"),
    [
        (b"\xff", 5, "cannot decode as utf-8 (byte 0xff); line skipped"),
        (b"\x00", 2, "NUL byte (0x00), which no text holds; line skipped"),
    ],
    ids=["0xFF-at-line-5", "NUL-at-line-2"],
)
def test_a_stray_byte_near_the_start_costs_its_line_and_prune_keeps_the_article(
    tmp_path: Path, use_embedder: UseEmbedder, byte: bytes, line: int, reason: str
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    path = folder / "news.jsonl"
    lines = jsonl_lines(ARTICLES)
    path.write_bytes(b"".join(lines))
    store = tmp_path / "store"
    first = index_archive([folder], store, use_embedder).report
    assert first.added == 46

    path.write_bytes(with_byte(lines, line, byte))
    indexed = index_archive([folder], store, use_embedder, prune=True)
    report = indexed.report
    assert (report.added, report.unchanged, report.skipped, report.pruned) == (0, 45, 1, 0)
    assert report.skip_reasons == {"undecodable": 1}
    assert report.not_pruned == {str(path): 1}
    assert [(p.path, p.line, p.reason, p.skipped) for p in indexed.problems] == [
        (str(path), line, reason, True),
        (str(path), None, "not read completely: nothing pruned from it (1 stored article from "
         "it kept, though this run did not see them)", False),
    ]
    assert set(_stored(store)) == IDS


def test_prune_still_prunes_the_files_that_were_read_to_their_end(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    damaged, intact = folder / "a.jsonl", folder / "b.jsonl"
    lines = jsonl_lines(ARTICLES[:30])
    damaged.write_bytes(b"".join(lines))
    write_jsonl(intact, ARTICLES[30:])
    store = tmp_path / "store"
    index_archive([folder], store, use_embedder)

    damaged.write_bytes(with_byte(lines, 5, b"\xff"))
    write_jsonl(intact, ARTICLES[30:-1])  # the last article is gone from b.jsonl for good
    report = index_archive([folder], store, use_embedder, prune=True).report
    assert (report.unchanged, report.skipped, report.pruned) == (44, 1, 1)
    assert report.not_pruned == {str(damaged): 1}
    assert set(_stored(store)) == IDS - {ARTICLES[-1]["id"]}


@pytest.mark.usefixtures("cli_env")
def test_cli_index_prune_of_a_folder_with_a_bad_byte_deletes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    path = folder / "news.jsonl"
    lines = jsonl_lines(ARTICLES)
    path.write_bytes(b"".join(lines))
    store = tmp_path / "store"
    assert main(["index", str(folder), "--store", str(store), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 46

    path.write_bytes(with_byte(lines, 5, b"\xff"))
    assert main(["index", str(folder), "--store", str(store), "--prune", "--json"]) == 0
    out = capsys.readouterr()
    summary = json.loads(out.out)
    assert (summary["unchanged"], summary["skipped"], summary["pruned"]) == (45, 1, 0)
    assert summary["skip_reasons"] == {"undecodable": 1}
    assert summary["not_pruned"] == {str(path): 1}
    assert summary["store"]["articles"] == 46
    assert out.err.splitlines() == [
        f"warning: {path}:5: cannot decode as utf-8 (byte 0xff); line skipped",
        f"warning: {path}: not read completely: nothing pruned from it (1 stored article from it "
        "kept, though this run did not see them)",
    ]
    assert main(["index", str(folder), "--store", str(store), "--prune", "--quiet"]) == 0
    shown = capsys.readouterr().out
    assert f"  not pruned: 1 stored articles of {path}, which was not read completely" in shown


def test_a_cut_gzip_keeps_its_complete_records_and_prune_keeps_the_rest(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    path = tmp_path / "news.jsonl.gz"
    data = b"".join(jsonl_lines(ARTICLES[:10]))
    assert len(data) < 64 * 1024  # inside the window that decides the encoding
    path.write_bytes(cut_gzip(data, 10))  # whole, but for its end-of-stream marker
    store = tmp_path / "store"
    # A stream cut after its last line still yields every line, then the error.
    first = index_archive([path], store, use_embedder)
    assert first.report.added == 10
    assert [(p.line, p.reason) for p in first.problems] == [
        (11, "cannot read the file (Compressed file ended before the end-of-stream marker was "
         "reached); what was read before is kept")
    ]

    path.write_bytes(cut_gzip(data, 6))
    indexed = index_archive([path], store, use_embedder, prune=True)
    report = indexed.report
    assert (report.added, report.unchanged, report.skipped, report.pruned) == (0, 6, 1, 0)
    assert report.skip_reasons == {"unreadable file": 1}
    assert report.not_pruned == {str(path): 4}
    assert indexed.problems[0].line == 7
    assert set(_stored(store)) == {a["id"] for a in ARTICLES[:10]}

    fresh = index_archive([path], tmp_path / "fresh", use_embedder).report
    assert fresh.added == 6


def test_a_csv_row_with_an_unquoted_comma_is_refused_with_its_line(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    articles = [{**a, "url": f"https://example.org/{a['id']}"} for a in ARTICLES[:8]]
    shifted = str(articles[3]["id"])
    path = tmp_path / "news.csv"
    path.write_text(csv_text(articles, unquoted_comma_in=shifted), "utf-8")
    indexed = index_archive([path], tmp_path / "store", use_embedder)
    assert (indexed.report.added, indexed.report.skipped) == (7, 1)
    assert indexed.report.skip_reasons == {"more cells than columns": 1}
    assert [(p.line, p.reason) for p in indexed.problems] == [
        (5, "row has 7 cells but the header 6 columns (a comma inside a field that is not "
         "quoted?); row skipped")
    ]
    stored = _stored(tmp_path / "store")
    assert set(stored) == {a["id"] for a in articles} - {shifted}
    assert all(stored[a["id"]][0] == a["text"] for a in articles if a["id"] != shifted)


def test_a_link_out_of_the_archive_folder_is_not_followed(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "passwd.txt"
    secret.write_text("كلمة السر لحساب المدير هي سرية للغاية ولا تنشر.\n", "utf-8")
    (outside / "more.jsonl").write_bytes(b"".join(jsonl_lines(ARTICLES[40:])))
    folder = tmp_path / "archive"
    (folder / ".cache").mkdir(parents=True)
    write_jsonl(folder / "news.jsonl", ARTICLES[:3])
    (folder / ".cache" / "today.txt").write_text("خبر اليوم عن افتتاح مكتبة عامة جديدة.\n", "utf-8")
    os.symlink(secret, folder / "passwd.txt")
    os.symlink(outside, folder / "linked")
    os.symlink(folder / ".cache" / "today.txt", folder / "latest.txt")  # inside: followed

    indexed = index_archive([folder], tmp_path / "store", use_embedder)
    assert (indexed.report.added, indexed.report.skipped) == (4, 2)
    assert indexed.report.skip_reasons == {"link outside the archive": 2}
    assert [(p.path, p.reason) for p in indexed.problems] == [
        (str(folder / "linked"),
         f"symbolic link to {outside}, outside the archive paths given; not followed"),
        (str(folder / "passwd.txt"),
         f"symbolic link to {secret}, outside the archive paths given; not followed"),
    ]
    assert set(_stored(tmp_path / "store")) == {*(a["id"] for a in ARTICLES[:3]), "latest"}

    # Named as a path of its own, the outside folder is part of the archive: the link to its
    # file is followed too (that file is then met again, as a duplicate).
    both = index_archive([folder, outside], tmp_path / "store", use_embedder)
    assert (both.report.added, both.report.skipped) == (len(ARTICLES[40:]) + 1, 1)
    assert [(p.path, p.reason) for p in both.problems] == [
        (str(secret), "duplicate id: 'passwd' again (first copy kept)")
    ]
