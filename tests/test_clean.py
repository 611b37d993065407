"""Cleaning at load time: entities decoded, page code and HTML furniture never stored."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from helpers import write_jsonl

from index.articles import Article, Problem, iter_articles
from index.clean import clean_text, decode_entities, drop_code
from index.html_text import extract

BODY = "أعلن المتحدث باسم الوزارة اليوم عن خطة جديدة للنقل العام في المدينة."
CSS = ("#vote_area2 ul { padding: 0; margin: 0; } .box_vote { zbackground: #FFFFFF; "
       "padding:18px; } .box_vote input[type=radio] { width: auto; }")
JS = ("jQuery.noConflict(); jQuery(document).ready(function(){ jQuery('#vote_area2')"
      ".html('انتظر لحظات…'); var plot1 = jQuery.jqplot('pie1', [[ ['a1870',1254] ]], "
      "{ grid: { drawBorder: false } }); return false; });")
AFTER = "كيف تتناول إفطارك في رمضان؟"


def _load(path: Path) -> list[Article]:
    problems: list[Problem] = []
    articles = list(iter_articles([path], on_problem=problems.append))
    assert not [p for p in problems if p.skipped]
    return articles


def test_entities_are_decoded_once_and_only_when_written_in_full() -> None:
    assert decode_entities("قال &quot;لا&quot; و&#8220;نعم&#8221; &#x41;") == "قال \"لا\" و“نعم” A"
    assert decode_entities("&amp;quot;مزدوج&amp;quot;") == "\"مزدوج\""
    assert decode_entities("AT&T و R&D &copy 2015") == "AT&T و R&D &copy 2015"


def test_leaked_css_and_javascript_are_dropped_and_the_text_around_them_kept() -> None:
    text = f"{BODY} {CSS} {JS} {AFTER}"
    assert drop_code(text) == f"{BODY} {AFTER}"
    assert clean_text(f"{BODY}\n<script>var a = 1;</script>\n{AFTER}") == f"{BODY}\n \n{AFTER}"


@pytest.mark.parametrize("text", [
    "وقال تعالى {ولا تزر وازرة وزر أخرى} في كتابه.",
    "لـ{الجهاد الإسلامي}، وأسفرت عن تدمير خمس سيارات.",
    "سجل المؤشر (function) 3.5% في جلسة اليوم; وارتفع النفط.",
    "Use the var keyword sparingly, said the trainer.",
])
def test_prose_with_braces_or_code_words_is_left_alone(text: str) -> None:
    assert drop_code(text) == text


def test_html_furniture_is_dropped_by_role_class_or_id() -> None:
    page = (
        "<html><head><title>عنوان &amp;quot;الخبر&amp;quot;</title></head>"
        "<body class='has-menu'><div class='main-menu'><ul><li>الرئيسية</li>"
        "<li><div>رياضة</div></li></ul></div>"
        f"<div id='content'><p>{BODY}</p><div class='share-buttons'>شارك على تويتر</div>"
        f"<p>{AFTER}</p></div><div role='contentinfo'>جميع الحقوق محفوظة</div>"
        "<ul id='breadcrumbs'><li>أخبار</li></ul><p>فقرة بعدها.</p></body></html>"
    )
    assert extract(page).text == f"{BODY}\n{AFTER}\nفقرة بعدها."


def test_every_reader_decodes_entities_and_drops_code(tmp_path: Path) -> None:
    title, text = "وزير &quot;النقل&quot; يعلن", f"{BODY} {CSS} {AFTER} &amp; غير ذلك."
    want_title, want_text = "وزير \"النقل\" يعلن", f"{BODY} {AFTER} & غير ذلك."
    write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "title": title, "text": text}])
    with (tmp_path / "b.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["id", "title", "text"], ["b", title, text]])
    (tmp_path / "c.md").write_text(f"# {title}\n\n{text}\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text(text, encoding="utf-8")
    (tmp_path / "e.html").write_text(
        f"<html><head><title>{title}</title><style>p {{ color: red; }}</style></head>"
        f"<body><nav>الرئيسية</nav><article><p>{BODY}</p><p>{JS}</p><p>{AFTER}</p>"
        "</article><footer>رابط الخبر</footer></body></html>", encoding="utf-8")
    loaded = {a.id: a for path in sorted(tmp_path.iterdir()) for a in _load(path)}
    for key in ("a", "b", "c"):
        assert (loaded[key].title, loaded[key].text.strip()) == (want_title, want_text), key
    assert loaded["d"].text == want_text
    assert (loaded["e"].title, loaded["e"].text) == (want_title, f"{BODY}\n{AFTER}")


def test_a_record_that_is_only_code_is_skipped_as_empty(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": CSS}, {"id": "b", "text": BODY}])
    problems: list[Problem] = []
    assert [a.id for a in iter_articles([path], on_problem=problems.append)] == ["b"]
    assert [p.kind for p in problems] == ["empty text"]
