"""The chat app as a reader meets it, in Debian's Chromium (Playwright; never `playwright
install`): a header in articles, outlets and dates; examples that fit the open store and follow
it when it is re-indexed; a phone that opens at the top and scrolls to the article of a tapped
[n]; "Copy citation" in view beside a long article; dates never broken at their hyphens; a long
question echoed cut short; the answering words marked inside a quote.

Screenshots go to test-artifacts/ui-reader-*.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import CORPUS, write_jsonl
from ui_server import ERBIL, ChatServer, akhbar, chat_server

from assistant.citations import Citation
from assistant.ui.overview import headline_question
from assistant.ui.render import ECHO_CHARS, panel_html
from index.catalog import StoredArticle

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CSS = REPO / "assistant" / "ui" / "assets" / "app.css"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.slow
if not CHROMIUM.exists():  # never a skip: CI installs it (scripts/test.sh)
    raise RuntimeError("the browser tests need Debian's chromium: run .ci/install-chromium.sh")
from playwright import sync_api  # noqa: E402

# A long article (60 paragraphs): its cited passage is far down, "Copy citation" must stay.
ROSES = {
    "id": "taif-roses", "title": "مهرجان الورد الطائفي يختتم موسمه", "date": "2021-03-20",
    "source": "Akhbar Test Wire", "url": "https://example.org/taif-roses",
    "text": "\n".join(
        [f"وفي اليوم رقم {i} من الموسم قطف المزارعون في مزرعة رقم {i} كميات من الورد "
         f"وباعوا {i * 7} سلة في السوق المركزي بحضور عدد من الزوار." for i in range(1, 45)]
        + ["وقال مدير المهرجان إن عدد زوار مهرجان الورد الطائفي هذا العام بلغ مئة وعشرين "
           "ألف زائر، وهو رقم قياسي لم يسجل من قبل."]
        + [f"وأضاف في الفقرة رقم {i} أن المصانع تقطر ماء الورد وتبيعه في الأسواق "
           f"المحلية والخليجية بأسعار متفاوتة." for i in range(1, 16)]),
}
ROSES_QUESTION = "كم بلغ عدد زوار مهرجان الورد الطائفي هذا العام؟"
# Indexed into the seedless store while its server runs.
LATE = {"id": "abha-airport", "title": "افتتاح مطار جديد في أبها", "date": "2016-01-05",
        "source": "الوطن", "url": "https://example.org/abha",
        "text": "افتتح أمير منطقة عسير مطار أبها الجديد الذي يستوعب خمسة ملايين مسافر سنوياً. "
        "وقالت الهيئة العامة للطيران المدني إن المطار يضم اثنتي عشرة بوابة. "
        "ويتوقع أن تبدأ الرحلات الدولية منه في الصيف المقبل."}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    """seeds/ plus the long article."""
    home = tmp_path_factory.mktemp("reader")
    roses = write_jsonl(home / "roses.jsonl", [ROSES])
    akhbar("index", str(REPO / "seeds"), str(roses), "--store", str(home / "store"), "--quiet")
    with chat_server(home / "store", cwd=home) as running:
        yield running


@pytest.fixture(scope="module")
def seedless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    """Six short articles of three outlets, none of seeds/."""
    home = tmp_path_factory.mktemp("seedless")
    corpus = write_jsonl(home / "corpus.jsonl", CORPUS)
    akhbar("index", str(corpus), "--store", str(home / "store"), "--quiet")
    with chat_server(home / "store", cwd=home) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def open_page(browser: sync_api.Browser, url: str, *, phone: bool = False) -> sync_api.Page:
    kind: dict[str, Any] = ({"viewport": PHONE, "is_mobile": True, "has_touch": True}
                            if phone else {"viewport": DESKTOP})
    page = browser.new_context(**kind).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("button.example")
    page.wait_for_timeout(500)  # let the page settle (fonts, focus, load events)
    assert errors == [], errors
    return page


def ask(page: sync_api.Page, question: str) -> sync_api.Locator:
    turns = page.locator(".turn").count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    reply = page.locator(".turn").nth(turns).locator(".msg.reply")
    sync_api.expect(reply).not_to_have_class("msg reply pending", timeout=60_000)
    return reply


def shot(page: sync_api.Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ui-reader-{name}.png"))


def stats_of(server: ChatServer) -> dict[str, Any]:
    return dict(json.loads(akhbar("stats", "--store", str(server.store), "--json")))


def in_view(page: sync_api.Page, locator: sync_api.Locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    assert size is not None
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]


def one_line(locator: sync_api.Locator) -> list[bool]:
    """For each element: is it laid out on one line (one client rect)?"""
    return [bool(x) for x in locator.evaluate_all("els => els.map(e => "
                                                    "e.getClientRects().length === 1)")]


def test_the_header_speaks_of_articles_outlets_and_dates(
    browser: sync_api.Browser, seeded: ChatServer,
) -> None:
    page = open_page(browser, seeded.url)
    stats = stats_of(seeded)
    english, arabic = page.locator("#status .overview").all()
    outlets = len([name for name in stats["sources"] if name])
    assert english.inner_text().startswith(
        f"{stats['articles']} articles from {outlets} outlets, {stats['first_date']} to "
        f"{stats['last_date']}")
    assert arabic.inner_text() == (f"المقالات: {stats['articles']} · المصادر: {outlets} · "
                                   f"من {stats['first_date']} إلى {stats['last_date']}")
    assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
    header = page.locator("#status").inner_text()
    for jargon in ("chunk", f"{stats['dim']}-d", str(stats["chunks"]), stats["model"]):
        assert jargon not in header, jargon
    assert page.locator("button.example").all_inner_texts()[0] == ERBIL["ar"]  # seeds' own


def test_a_store_without_seeds_gets_questions_from_its_own_headlines(
    browser: sync_api.Browser, seedless: ChatServer,
) -> None:
    page = open_page(browser, seedless.url)
    chips = page.locator("button.example").all_inner_texts()
    made = {headline_question(StoredArticle(a["id"], a["title"], a["date"], a["source"], "",
                                            "", "", {})): a for a in CORPUS}
    assert chips and all(chip in made for chip in chips), chips
    assert ERBIL["ar"] not in chips
    newest = max(CORPUS, key=lambda a: a["date"])
    assert made[chips[0]] is newest  # the newest story first
    shot(page, "seedless-open")
    page.locator("button.example").first.click()  # asked at once, and answered from it
    reply = page.locator(".turn .msg.reply").first
    sync_api.expect(reply).not_to_have_class("msg reply pending", timeout=60_000)
    assert "answer" in (reply.get_attribute("class") or "")
    assert newest["title"] in reply.locator(".sources").inner_text()


def test_the_header_and_examples_follow_the_store_when_it_is_re_indexed(
    browser: sync_api.Browser, seedless: ChatServer, tmp_path: Path,
) -> None:
    page = open_page(browser, seedless.url)
    before = page.locator("#status").inner_text()
    assert "6 articles from 3 outlets" in before and "2015-08-09" in before
    late = write_jsonl(tmp_path / "late.jsonl", [LATE])
    akhbar("index", str(late), "--store", str(seedless.store), "--quiet")  # another process
    ask(page, "ما أخبار شبكة الجيل الخامس؟")  # the app notices between questions
    status = page.locator("#status")
    sync_api.expect(status).to_contain_text("7 articles from 4 outlets, 2015-07-25 to "
                                            "2016-01-05", timeout=60_000)
    page.click("#outlets input")  # the outlet filter offers the new outlet
    offered = page.get_by_role("option", name=LATE["source"], exact=True)
    sync_api.expect(offered).to_have_count(1)
    page.keyboard.press("Escape")
    page.click("#new")
    sync_api.expect(page.locator("button.example").first).to_have_text(
        headline_question(StoredArticle("x", LATE["title"], None, "", "", "", "", {})) or "")
    fresh = open_page(browser, seedless.url)  # a page opened now says the same
    assert "7 articles from 4 outlets" in fresh.locator("#status").inner_text()


def test_on_a_phone_the_page_opens_at_the_top_and_a_tapped_citation_shows_its_article(
    browser: sync_api.Browser, seeded: ChatServer,
) -> None:
    page = open_page(browser, seeded.url, phone=True)
    assert page.evaluate("window.scrollY") == 0
    assert in_view(page, page.locator("#topbar"))
    shot(page, "phone-open")
    reply = ask(page, ERBIL["ar"])
    cite = reply.locator("button.cite").first
    cite.scroll_into_view_if_needed()
    panel = page.locator("#panel")
    box = panel.bounding_box()
    assert box and box["y"] > PHONE["height"] / 2, "the panel was in view before the tap"
    shot(page, "phone-answer")
    cite.tap()
    sync_api.expect(panel.locator("mark.cited").first).to_be_visible()
    page.wait_for_timeout(300)
    box = panel.bounding_box()
    assert box and 0 <= box["y"] < PHONE["height"] / 2, box
    assert in_view(page, panel.locator("button.copy-ref"))
    text, mark = panel.locator(".article-text").bounding_box(), \
        panel.locator("mark.cited").first.bounding_box()
    assert text and mark and text["y"] <= mark["y"] < text["y"] + text["height"] - 20, \
        "the highlighted passage does not start in view"
    assert text["y"] + text["height"] <= PHONE["height"]
    shot(page, "phone-panel")
    # dates stay whole on a narrow screen: in the sources, the panel and the header
    dates = page.locator(".sources .date, #panel .date, #status .date")
    assert dates.count() >= 4 and all(one_line(dates))


def test_copy_citation_stays_in_view_beside_a_long_article(
    browser: sync_api.Browser, seeded: ChatServer,
) -> None:
    for phone in (False, True):
        page = open_page(browser, seeded.url, phone=phone)
        reply = ask(page, ROSES_QUESTION)
        cite = reply.locator("button.cite").first
        cite.click()
        panel = page.locator("#panel")
        sync_api.expect(panel.locator("h2")).to_have_text(ROSES["title"])
        copy = panel.locator("button.copy-ref")
        article = panel.locator(".article-text")
        assert article.evaluate("e => e.scrollHeight > 2 * e.clientHeight")  # a long one
        for where in ("e.scrollHeight", "0", "e.scrollHeight / 2"):
            article.evaluate(f"e => {{ e.scrollTop = {where}; }}")
            page.wait_for_timeout(100)
            assert in_view(page, copy), where
            assert copy.evaluate("b => { const r = b.getBoundingClientRect(); return "
                                 "document.elementFromPoint(r.x + r.width / 2, r.y + r.height"
                                 " / 2) === b; }"), f"covered at scrollTop {where}"
        shot(page, "long-article-phone" if phone else "long-article")


def test_a_long_question_is_echoed_cut_short(
    browser: sync_api.Browser, seeded: ChatServer,
) -> None:
    question = "ما الذي قاله مدير مهرجان الورد الطائفي " + "عن الزوار والمزارعين " * 20 + "؟"
    assert len(question) > ECHO_CHARS * 2
    page = open_page(browser, seeded.url)
    ask(page, question)
    echoed = page.locator(".msg.question").first
    text = echoed.locator("p").first.inner_text()
    assert text.endswith("…") and len(text) <= ECHO_CHARS + 1
    assert question.startswith(text[:-1].rstrip())
    assert echoed.get_attribute("title") == question  # whole, on hover
    shot(page, "long-question")


def test_the_answering_words_are_marked_inside_the_quote(browser: sync_api.Browser) -> None:
    quote = "وقال مدير المهرجان إن عدد الزوار بلغ مئة وعشرين ألف زائر <b>هذا العام</b>."
    text = "مقدمة الخبر.\n" + quote + "\nخاتمة."
    start = text.index(quote)
    words = "مئة وعشرين ألف زائر"
    citation = Citation(1, "a", "عنوان", "Wire", "2021-03-20", "", quote, start,
                        start + len(quote), 1.0, answer=(quote.index(words),
                                                         quote.index(words) + len(words)))
    html = panel_html(citation, StoredArticle("a", "عنوان", "2021-03-20", "Wire", "", text,
                                              "o", {}))
    page = browser.new_page(viewport=DESKTOP)
    page.set_content(f"<style>{CSS.read_text('utf-8')}</style><div id='panel'>{html}</div>")
    for where in (".cited-quote", "mark.cited"):
        marked = page.locator(f"{where} mark.answer")
        assert marked.all_inner_texts() == [words], where
    quoted = page.locator(".cited-quote").inner_text()
    assert "<b>هذا العام</b>" in quoted  # the text around the mark stays text
    colours = page.locator("mark.answer, mark.cited").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert len(set(colours)) == 2  # the answering words stand out from the cited passage
    shot(page, "answer-mark")
    page.close()
