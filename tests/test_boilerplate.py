"""Footer, share and repeated lines: in the stored text, out of chunks, vectors and BM25."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from helpers import SMALL_CHUNKS, CountingEmbedder, index_archive, write_jsonl

from index import clean
from index.articles import Article
from index.boilerplate import LineCounts, excluded, line_key
from index.chunk import chunk_article
from index.embed import UseEmbedder
from index.lexical import LexicalIndex
from index.store import Store, StoreConfig, open_store

LAST = "وأكد قائد الطائرة أنه عاد بها إلى الصالة لإحضار علاج الراكبة المريضة."
FOOTER = "رابط الخبر بصحيفة الوئام: طيران ناس تكرم طاقم طائرة"
FLIGHT = ("كرم طيران ناس قائد الطائرة يوسف الزير وأعضاء الطاقم الجوي للرحلة 301 من حائل.\n"
          f"{LAST} {FOOTER}\n")
REPEATED = "تابع آخر المستجدات عبر تطبيق الصحيفة"  # no marker: only learning can catch it
_STORIES = ["ارتفع سعر خام برنت في تعاملات اليوم بعد بيانات المخزونات الأمريكية.",
            "فاز فريق الهلال على النصر بركلات الترجيح في نهائي الكأس.",
            "هبت عاصفة غبار على مدينة الرياض وخفضت مدى الرؤية إلى مئة متر.",
            "افتتح أمير المنطقة معرض الكتاب الدولي بمشاركة خمسمئة دار نشر.",
            "أعلنت وزارة الصحة تسجيل حالات جديدة من متلازمة كورونا التنفسية.",
            "وقعت المملكة اتفاقية لبناء محطة لتحلية المياه على ساحل البحر الأحمر.",
            "قررت هيئة السوق المالية إدراج شركة جديدة في السوق الموازية.",
            "أطلقت الجامعة برنامجا لابتعاث طلاب الطب إلى الخارج هذا العام."]


def _article(text: str, source: str = "الوئام", id_: str = "a") -> Article:
    return Article(id=id_, title="", date=None, source=source, url="", text=text, origin="x")


def _outlet(n_with: int, n_without: int, source: str = "صحيفة") -> list[dict[str, Any]]:
    out = []
    for i in range(n_with + n_without):
        text = _STORIES[i % len(_STORIES)] + f" وذكر التقرير رقم {i} تفاصيل أخرى."
        out.append({"id": f"{source}-{i}", "source": source,
                    "text": f"{text}\n{REPEATED}" if i < n_with else text})
    return out


def _open(path: Path) -> Store:
    return open_store(StoreConfig(path), create=False)


def _text(store: Store, article_id: str) -> str:
    stored = store.article(article_id)
    assert stored is not None
    return stored.text


def _chunks_of(store: Store, article_id: str) -> list[Any]:
    rows = store.chunks(sorted(store.chunk_ids([article_id])))
    return sorted(rows.values(), key=lambda c: c.ordinal)


def test_a_footer_after_the_last_sentence_is_excluded_from_its_start_to_the_line_end() -> None:
    spans = excluded(FLIGHT)
    assert [FLIGHT[s:e] for s, e in spans] == [FOOTER]
    also = "اقرأ أيضاً: خبر آخر"
    assert excluded(f"{LAST}\n {also}\n") == ((len(LAST) + 2, len(LAST) + 2 + len(also)),)
    slider = f"{LAST}\n Next Previous عين اليوم – واس\n"
    assert [slider[s:e] for s, e in excluded(slider)] == ["Next Previous"]
    assert excluded(slider, frozenset({line_key("عين اليوم – واس")}))[1:] == (
        (slider.index("عين"), len(slider) - 1),)
    # A marker inside a sentence is prose, not a footer.
    assert excluded("وقال إن على الجميع: اقرأ أيضا ما كتب عن الموضوع.") == ()


def test_chunks_leave_out_the_excluded_spans_and_keep_exact_offsets() -> None:
    text = FLIGHT + "وأضاف المتحدث أن الشركة ستكرم الطاقم في حفل رسمي.\n"
    article = _article(text)
    spans = excluded(text)
    chunks = chunk_article(article, "h", SMALL_CHUNKS, skip=spans)
    plain = chunk_article(article, "h", SMALL_CHUNKS)
    assert any("رابط" in c.text for c in plain)  # the fixture would catch a no-op
    assert chunks and not any("رابط" in c.text for c in chunks)
    assert all(c.text == text[c.start : c.end] for c in chunks)
    assert {text[s:e] for c in chunks for s, e in c.sentences} >= {LAST, text.splitlines()[-1]}
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    # Nothing to index but furniture: the article is indexed whole rather than not at all.
    assert chunk_article(_article(FOOTER), "h", SMALL_CHUNKS, skip=excluded(FOOTER))


@pytest.mark.parametrize(("n_with", "n_total", "repeated"), [
    (5, 100, True),  # 5 articles, 5%
    (4, 20, False),  # 20% but only 4 articles
    (5, 101, False),  # 5 articles but under 5%
])
def test_a_line_is_learned_as_repeated_at_five_articles_and_five_percent(
    n_with: int, n_total: int, repeated: bool
) -> None:
    counts = LineCounts()
    for item in _outlet(n_with, n_total - n_with):
        counts.add(item["source"], item["text"])
    for i in range(10):  # the same line in another outlet counts for that outlet only
        counts.add("أخرى", f"{_STORIES[i % 8]} رقم {i}\n{REPEATED}")
    assert (line_key(REPEATED) in counts.learned().of("صحيفة")) is repeated
    assert line_key(REPEATED) in counts.learned().of("أخرى")


def test_a_duplicate_text_counts_once_and_digits_do_not_tell_lines_apart() -> None:
    counts = LineCounts()
    for _ in range(6):
        counts.add("واس", f"{_STORIES[0]}\n19:23 ت م")
    assert counts.learned().of("واس") == frozenset()
    for i in range(5):
        counts.add("واس", f"{_STORIES[i]}\n{10 + i}:{20 + i} ت م")
    assert counts.learned().of("واس") == {line_key("0:0 ت م")}


def test_the_index_leaves_out_footers_and_repeated_lines_the_stored_text_keeps(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    items = [*_outlet(5, 3), {"id": "flight", "source": "الوئام", "text": FLIGHT}]
    report = index_archive([write_jsonl(tmp_path / "a.jsonl", items)], tmp_path / "s",
                           use_embedder).report
    assert report.added == len(items)
    with closing(_open(tmp_path / "s")) as store:
        stored = store.article("flight")
        assert stored is not None and stored.text == FLIGHT
        start = FLIGHT.index(FOOTER)
        assert stored.text[start : start + len(FOOTER)] == FOOTER
        chunks = _chunks_of(store, "flight")
        assert chunks and all(c.end <= start for c in chunks)
        assert any(FLIGHT[s:e] == LAST for c in chunks for s, e in c.sentences)
        lexical = LexicalIndex(store.lexical_dir)
        assert lexical.search("الوئام", 5).chunk_ids == []
        assert lexical.search("تطبيق", 5).chunk_ids == []
        assert lexical.search("الزير", 5).chunk_ids  # the body is indexed
        for item in items[:5]:
            text = _text(store, item["id"])
            assert text.endswith(REPEATED)
            assert all(REPEATED not in text[c.start : c.end] for c in _chunks_of(store, item["id"]))


def test_repeated_lines_are_learned_from_the_store_as_well_as_the_run(
    tmp_path: Path, use_embedder: UseEmbedder
) -> None:
    items = _outlet(5, 3)
    first, second = write_jsonl(tmp_path / "a.jsonl", items[:3]), \
        write_jsonl(tmp_path / "b.jsonl", items[3:])
    index_archive([first], tmp_path / "s", use_embedder)
    with closing(_open(tmp_path / "s")) as store:  # 3 articles: not yet furniture
        text = _text(store, "صحيفة-0")
        assert any(REPEATED in text[c.start : c.end] for c in _chunks_of(store, "صحيفة-0"))
    index_archive([second], tmp_path / "s", use_embedder)  # 2 more: 5 of 8 articles
    with closing(_open(tmp_path / "s")) as store:
        for article_id in ("صحيفة-3", "صحيفة-4"):
            text = _text(store, article_id)
            assert REPEATED in text
            assert all(REPEATED not in text[c.start : c.end]
                       for c in _chunks_of(store, article_id))
    # Indexing the first file again redoes its articles, now that the line is furniture.
    again = index_archive([first, second], tmp_path / "s", use_embedder).report
    assert (again.updated, again.unchanged) == (3, 5)


def test_reindexing_a_store_built_by_older_cleaning_rules_redoes_every_article(
    tmp_path: Path, use_embedder: UseEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = write_jsonl(tmp_path / "a.jsonl", _outlet(2, 4))
    with monkeypatch.context() as patch:
        patch.setattr(clean, "VERSION", clean.VERSION - 1)
        old = index_archive([archive], tmp_path / "s", use_embedder).report
    assert old.added == 6
    with closing(_open(tmp_path / "s")) as store:
        old_chunks = store.chunk_ids()
    counting = CountingEmbedder(use_embedder)
    redone = index_archive([archive], tmp_path / "s", counting).report
    assert (redone.updated, redone.unchanged) == (6, 0) and counting.texts > 0
    with closing(_open(tmp_path / "s")) as store:
        assert not store.chunk_ids() & old_chunks
    assert index_archive([archive], tmp_path / "s", use_embedder).report.unchanged == 6
