from __future__ import annotations

from index.html_text import HtmlDoc, extract

PAGE = """<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
  <meta charset="utf-8">
  <title>عنوان الصفحة | الجريدة</title>
  <meta property="og:title" content="الحكومة تعلن خطة جديدة">
  <meta property="og:site_name" content="الجريدة">
  <meta property="og:url" content="https://example.com/og">
  <meta property="article:published_time" content="2015-07-21T10:33:00+03:00">
  <link rel="canonical" href="https://example.com/news/1">
  <style>body { color: red; } .secret-style {}</style>
  <script>var secretScript = 1;</script>
</head>
<body>
  <header><a href="/">الرئيسية</a> <nav>القائمة</nav></header>
  <!-- secret comment -->
  <main>
    <article>
      <h1>الحكومة   تعلن
         خطة جديدة</h1>
      <p>أعلنت الحكومة&nbsp;اليوم عن <b>خطة</b> جديدة &amp; شاملة.</p>
      <script>alert(1)</script>
      <img src="x.png" onerror="alert(2)" alt="">
      <p>وقال الوزير:<br>«الخطة تبدأ غداً».</p>
      <ul><li>البند الأول</li><li>البند الثاني</li></ul>
      <form><button>اشترك</button><input value="secret-input"></form>
      <noscript>secret-noscript</noscript>
      <svg><title>secret-svg</title><path d="M0"/></svg>
    </article>
    <aside>مقالات ذات صلة</aside>
  </main>
  <footer>جميع الحقوق محفوظة</footer>
</body>
</html>
"""


def test_extract_keeps_the_article_text_only() -> None:
    doc = extract(PAGE)
    assert doc.text == (
        "الحكومة تعلن خطة جديدة\n"
        "أعلنت الحكومة اليوم عن خطة جديدة & شاملة.\n"
        "وقال الوزير:\n"
        "«الخطة تبدأ غداً».\n"
        "البند الأول\n"
        "البند الثاني"
    )


def test_scripts_styles_attributes_and_comments_never_reach_the_text() -> None:
    text = extract(PAGE).text
    for unwanted in (
        "alert", "secret", "onerror", "color", "var ", "<", "الرئيسية", "القائمة",
        "ذات صلة", "الحقوق", "اشترك", "\u00a0",
    ):  # fmt: skip
        assert unwanted not in text


def test_extract_reads_the_metadata() -> None:
    doc = extract(PAGE)
    assert doc == HtmlDoc(
        title="الحكومة تعلن خطة جديدة",
        text=doc.text,
        date="2015-07-21T10:33:00+03:00",
        url="https://example.com/news/1",
        source="الجريدة",
    )


def test_metadata_falls_back_to_title_time_and_og_url() -> None:
    doc = extract(
        "<html><head><title> خبر   عاجل </title>"
        '<meta property="og:url" content="https://example.com/og"></head>'
        '<body><p>نص <time datetime="2016-01-02">أمس</time></p></body></html>'
    )
    assert (doc.title, doc.date, doc.url, doc.source) == (
        "خبر عاجل",
        "2016-01-02",
        "https://example.com/og",
        "",
    )
    assert doc.text == "نص أمس"


def test_title_falls_back_to_the_first_h1_even_inside_a_header() -> None:
    doc = extract("<header><h1>العنوان</h1></header><h1>ثان</h1><p>المتن</p>")
    assert (doc.title, doc.text) == ("العنوان", "ثان\nالمتن")


def test_the_longest_article_wins_over_teasers() -> None:
    doc = extract(
        "<article><p>تشويقة</p></article>"
        "<article><p>النص الكامل للخبر الطويل</p><article><p>مدمج</p></article></article>"
        "<p>خارج</p>"
    )
    assert doc.text == "النص الكامل للخبر الطويل\nمدمج"


def test_main_is_used_when_there_is_no_article() -> None:
    doc = extract("<div>قائمة جانبية</div><main><div>الخبر</div></main><div>إعلان</div>")
    assert doc.text == "الخبر"


def test_whole_page_when_no_article_or_main_and_inline_tags_do_not_split_words() -> None:
    doc = extract("<p>كلمة<b>متصلة</b>\n  ثم   <i>مسافة</i></p><div>سطر<br/>آخر</div><td>خلية</td>")
    assert doc.text == "كلمةمتصلة ثم مسافة\nسطر\nآخر\nخلية"


def test_an_unclosed_article_still_counts() -> None:
    doc = extract("<div>خارج</div><article><p>داخل المقال")
    assert doc.text == "داخل المقال"


def test_a_page_of_nothing_gives_empty_fields() -> None:
    assert extract("<html><script>x()</script></html>") == HtmlDoc("", "", "", "", "")
