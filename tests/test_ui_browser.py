"""The chat app in a real browser: Debian's Chromium, driven by Playwright.

Chromium comes from apt (`.ci/install-chromium.sh`), never from `playwright install`.
Every test fails if a dialog opens or a request leaves 127.0.0.1. Screenshots of the answer and
of the article panel are saved to test-artifacts/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from gradio_client import Client
from helpers import write_jsonl
from ui_server import (
    ERBIL,
    EVIL_ARTICLE,
    EVIL_QUESTION,
    IRAN_BACKED,
    OFF_TOPIC,
    ChatServer,
    akhbar,
    chat_server,
)

from assistant.ui.app import EXAMPLES

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow
if not CHROMIUM.exists():  # never a skip: CI installs it (scripts/test.sh)
    raise RuntimeError("the browser tests need Debian's chromium: run .ci/install-chromium.sh")
from playwright import sync_api  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    """The sample archive plus an article full of markup that must stay inert."""
    home = tmp_path_factory.mktemp("browser")
    evil = write_jsonl(home / "evil.jsonl", [EVIL_ARTICLE])
    akhbar("index", str(REPO / "seeds"), str(evil), "--store", str(home / "store"), "--quiet")
    with chat_server(home / "store", cwd=home) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: sync_api.Browser, server: ChatServer) -> Iterator[sync_api.Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    dialogs: list[str] = []
    away: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if _local(r.url) else away.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    page.wait_for_selector("button.example")
    yield page
    context.close()
    assert dialogs == [], f"dialogs opened: {dialogs}"
    assert away == [], f"requests left 127.0.0.1: {away}"
    assert errors == [], f"errors in the page: {errors}"


def ask(page: sync_api.Page, question: str) -> sync_api.Locator:
    """Type a question, press Enter, and return its finished reply."""
    turns = page.locator(".turn").count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    reply = page.locator(".turn").nth(turns).locator(".msg.reply")
    sync_api.expect(reply).not_to_have_class("msg reply pending", timeout=60_000)
    return reply


def direction_of(locator: sync_api.Locator) -> str:
    return str(locator.evaluate("e => getComputedStyle(e).direction"))


def test_erbil_answer_is_rtl_and_its_citation_opens_highlighted(
    page: sync_api.Page, server: ChatServer,
) -> None:
    expected = Client(server.url, verbose=False).predict(ERBIL["ar"], api_name="/ask")
    reply = ask(page, ERBIL["ar"])
    assert "answer" in (reply.get_attribute("class") or "")
    assert direction_of(reply) == "rtl"
    assert direction_of(page.locator(".msg.question").last) == "rtl"
    assert IRAN_BACKED in reply.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"))

    reply.locator('button.cite[data-n="1"]').first.click()
    mark = page.locator("#panel mark.cited")
    sync_api.expect(mark.first).to_be_visible()
    first = expected["citations"][0]
    assert "".join(mark.all_inner_texts()).replace("\n", "") == first["quote"].replace("\n", "")
    panel = page.locator("#panel")
    assert first["title"] in panel.locator("h2").inner_text()
    assert first["source"] in panel.locator(".meta").inner_text()
    assert first["quote"] in panel.locator(".cited-quote").inner_text()
    box = panel.locator(".article-text").bounding_box()
    spot = mark.first.bounding_box()
    assert box and spot and box["y"] <= spot["y"] and spot["y"] + spot["height"] <= \
        box["y"] + box["height"], "the highlighted passage is not scrolled into view"
    page.screenshot(path=str(ARTIFACTS / "ui-article-panel.png"))

    copy = panel.locator("button.copy-ref")
    reference = copy.get_attribute("data-ref")
    copy.click()
    sync_api.expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == reference
    assert reference == (f"«{first['quote']}», {first['source']}, {first['title']}, "
                         f"{first['date']}, [{first['article_id']}, chars "
                         f"{first['start']}-{first['end']}]")


def test_follow_up_uses_the_conversation(page: sync_api.Page) -> None:
    ask(page, ERBIL["ar"])
    follow_up = ask(page, "and who denied it?")
    assert "answer" in (follow_up.get_attribute("class") or "")
    assert "نفيه" in follow_up.inner_text()  # «… وهو ما تحرص طهران على نفيه رسمياً»
    questions = page.locator(".msg.question")
    assert [direction_of(questions.nth(i)) for i in range(2)] == ["rtl", "ltr"]

    page.click("#new")  # a new conversation has nothing to follow up on
    sync_api.expect(page.locator("button.example").first).to_be_visible()
    alone = ask(page, "and who denied it?")
    assert "refusal" in (alone.get_attribute("class") or "")


def test_refusal_and_errors_are_shown_as_such(page: sync_api.Page) -> None:
    refusal = ask(page, OFF_TOPIC)
    assert "refusal" in (refusal.get_attribute("class") or "")
    assert "لا يوجد في الأرشيف" in refusal.inner_text()
    too_long = "س" * 1001
    error = ask(page, too_long)
    assert "error" in (error.get_attribute("class") or "")
    assert "too long: 1,001 characters; the limit is 1,000" in error.inner_text()
    assert page.input_value("#question textarea") == too_long  # kept, to shorten


def test_date_filter_applies_and_is_shown(page: sync_api.Page) -> None:
    page.fill("#since input", "2021-03-01")
    page.press("#since input", "Enter")
    reply = ask(page, ERBIL["ar"])
    assert page.locator(".msg.question .scope").inner_text() == "2021-03-01 → …"
    assert IRAN_BACKED not in reply.inner_text()  # the Rudaw story is from 2021-02-23
    for source in reply.locator(".sources li").all_inner_texts():
        assert "2021-02-23" not in source


def test_examples_in_both_languages_and_status_line(
    page: sync_api.Page, server: ChatServer,
) -> None:
    chips = page.locator("button.example")
    assert chips.all_inner_texts() == list(EXAMPLES)
    directions = {direction_of(chips.nth(i)) for i in range(chips.count())}
    assert directions == {"rtl", "ltr"}
    stats = json.loads(akhbar("stats", "--store", str(server.store), "--json"))
    status = page.locator("#status").inner_text()
    for part in (f"{stats['articles']} articles", f"{stats['first_date']} to ",
                 "extractive (no LLM)"):
        assert part in status
    assert "chunks" not in status and stats["model"] not in status  # a reader's terms only
    chips.nth(3).click()  # an English example: asked at once
    reply = page.locator(".turn .msg.reply").first
    sync_api.expect(reply).not_to_have_class("msg reply pending", timeout=60_000)
    assert "answer" in (reply.get_attribute("class") or "")
    assert page.locator(".msg.question").first.inner_text() == EXAMPLES[3]


def test_untrusted_article_renders_as_inert_text(page: sync_api.Page) -> None:
    reply = ask(page, EVIL_QUESTION)
    assert "answer" in (reply.get_attribute("class") or "")
    reply.locator("button.cite").first.click()
    panel = page.locator("#panel")
    sync_api.expect(panel.locator("mark.cited").first).to_be_visible()
    text = panel.locator(".article-text").inner_text()
    # script text and inline JavaScript are never stored as article text (index.clean); what
    # is stored is shown as text
    assert "<script>" not in text and "javascript:alert('link')" not in text
    for payload in ("onerror=", "<svg onload=", "<iframe src=",
                    "![pixel](http://evil.example/pixel.png)", "${alert('tpl')}",
                    "{{constructor.constructor"):
        assert payload in text, payload
    assert EVIL_ARTICLE["title"] in panel.locator("h2").inner_text()
    assert "(not a web link)" in panel.locator(".meta").inner_text()
    assert "<script>alert('source')</script>Evil Outlet" in reply.inner_text()
    page.wait_for_timeout(500)  # let anything that would fire, fire
    assert page.evaluate("window.__pwned") is None
    active = "script, img, iframe, svg, object, embed, [onerror], [onload], [href^='javascript']"
    inert = [page.locator(f"#{root}").locator(active).count() for root in ("conversation", "panel")]
    assert inert == [0, 0]


def _local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"
