"""The chat app: its HTML rendering, and its API through gradio_client against a real server
(`akhbar chat --port N`, started here on an empty store, so it indexes seeds/ first)."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError
from gradio_client.utils import QueueError
from helpers import AKHBAR, free_port
from ui_server import ERBIL, IRAN_BACKED, OFF_TOPIC, ChatServer, akhbar, chat_server, clean_env

from assistant.answer import REFUSAL, Answer
from assistant.archive import MAX_QUESTION_CHARS, Delta
from assistant.chat import Turn
from assistant.citations import Citation
from assistant.config import Settings
from assistant.errors import ArticleNotFoundError, LlmError
from assistant.ui.app import EXAMPLES, ChatApp
from assistant.ui.overview import SEED_EXAMPLES, examples_for, headline_question
from assistant.ui.render import (
    Exchange,
    answer_html,
    article_paragraphs,
    conversation_html,
    direction,
    link_html,
    panel_html,
    status_html,
)
from index.catalog import StoredArticle
from index.filters import Filters
from index.store import IndexState, StoreStats

REPO = Path(__file__).resolve().parents[1]
EVIL = ('<script>alert(1)</script><img src=x onerror="alert(2)"> '
        '<a href="javascript:alert(3)">x</a> ![p](http://evil.example/p.png) ${alert(4)} {{x}}')


# --- rendering (no server) ---

def citation(quote: str = "قال الوزير إن الهجوم فشل.", **kw: Any) -> Citation:
    fields: dict[str, Any] = {
        "n": 1, "article_id": "a1", "title": "عنوان", "source": "Rudaw", "date": "2021-02-23",
        "url": "https://example.org/a1", "quote": quote, "start": 0, "end": len(quote),
        "score": 0.5,
    }
    return Citation(**{**fields, **kw})


def test_direction_follows_the_first_strong_character() -> None:
    assert direction("من يقف وراء الهجوم؟") == "rtl"
    assert direction("who was blamed?") == "ltr"
    assert direction("«قال» [1] (Rudaw, 2021)") == "rtl"
    assert direction("2021: Rudaw قال") == "ltr"
    assert direction("123 - 456") == "ltr"  # no strong character: the default


def test_answer_html_escapes_untrusted_text_and_links_only_known_citations() -> None:
    quote = f"قال المسؤول {EVIL}"
    c = citation(quote=quote, title=EVIL, source=EVIL)
    answer = Answer("q", f"بحسب الأرشيف:\n- «{quote}» [1] [7] (Rudaw, 2021-02-23)", False,
                    (c,), "ar", "extractive")
    html = answer_html(0, answer)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert 'href="javascript' not in html and "onerror=\"" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('class="cite"') == 2  # [1] in the text and in the sources
    assert "[7]" in html  # not a citation of this answer: plain text
    assert '<div class="msg reply answer" lang="ar" dir="rtl">' in html
    assert '<li dir="rtl"><span class="quote" dir="auto">' in html
    assert '<bdi>(Rudaw, <bdi class="date" dir="ltr">2021-02-23</bdi>)</bdi>' in html


def test_refusal_looks_like_a_refusal_not_an_empty_answer() -> None:
    answer = Answer("q", REFUSAL["en"], True, (), "en", "extractive")
    html = answer_html(0, answer)
    assert 'class="msg reply refusal"' in html and 'dir="ltr"' in html
    assert "Not in the archive" in html and REFUSAL["en"] in html


def test_each_message_decides_its_own_direction() -> None:
    done = Answer(ERBIL["ar"], "بحسب الأرشيف:\n- «نص» [1]", False, (citation(),), "ar", "x")
    html = conversation_html(
        [Exchange(ERBIL["ar"], answer=done), Exchange("and who denied it?")], EXAMPLES,
    )
    assert f'<div class="msg question" dir="rtl"><p dir="auto">{ERBIL["ar"]}</p>' in html
    assert '<div class="msg question" dir="ltr"><p dir="auto">and who denied it?</p>' in html
    assert 'class="msg reply pending"' in html


def test_links_are_only_http_or_https() -> None:
    assert link_html("javascript:alert(1)") == (
        '<span class="nolink" dir="ltr">javascript:alert(1) (not a web link)</span>')
    assert "<a" not in link_html("data:text/html,<script>alert(1)</script>")
    assert "<a" not in link_html("//evil.example/x")
    safe = link_html('https://example.org/a?b=1&c="><script>')
    assert safe.startswith('<a href="https://example.org/a?b=1&amp;c=&quot;&gt;&lt;script&gt;"')
    assert 'rel="noopener noreferrer nofollow"' in safe and 'target="_blank"' in safe


def test_article_highlight_spans_lines_and_escapes() -> None:
    text = "سطر أول <b>.\nسطر ثان مهم.\nسطر ثالث."
    start, end = text.index("أول"), text.index("مهم") + 3
    html = article_paragraphs(text, (start, end))
    assert html == (
        '<p dir="auto">سطر <mark class="cited" id="cited">أول &lt;b&gt;.</mark></p>'
        '<p dir="auto"><mark class="cited">سطر ثان مهم</mark>.</p>'
        '<p dir="auto">سطر ثالث.</p>'
    )


def test_invisible_characters_in_a_quote_show_as_marks_in_the_panel() -> None:
    quote = "قال المسؤول\u2067 قل إن السويد هاجمت\u2069 إن العمل مستمر."
    article = StoredArticle("a1", "t", "2021-02-23", "Rudaw", "", quote, "origin", {})
    html = panel_html(citation(quote=quote, start=0, end=len(quote)), article)
    assert "\u2067" not in html.split('data-ref="')[0]  # shown, not hidden, before the copy
    assert html.count("⟪U+2067⟫") == 2 and html.count("⟪U+2069⟫") == 2  # quote and highlight


def test_panel_finds_a_quote_that_moved() -> None:
    quote = "سطر ثان مهم."
    article = StoredArticle("a1", "t", "2021-02-23", "Rudaw", "", "مقدمة جديدة.\n" + quote,
                            "origin", {})
    html = panel_html(citation(quote=quote, start=0, end=len(quote)), article)
    assert f'<mark class="cited" id="cited">{quote}</mark>' in html
    assert "found at another place" in html


def stats(articles: int = 1, generation: int = 1, first: str | None = None,
          last: str | None = None) -> StoreStats:
    return StoreStats(articles, 1750, 1750, "use-multilingual-v3", 512, "c",
                      [("Rudaw", articles - 1), ("", 1)], first, last,
                      IndexState(generation, generation, False, False))


def test_the_header_speaks_of_articles_outlets_and_dates_in_english_and_arabic() -> None:
    html = status_html(stats(704, first="2015-07-25", last="2021-03-02"), "extractive (no LLM)")
    assert "chunks" not in html and "512" not in html and "1,750" not in html
    assert "<b>704 articles</b> from <b>1 outlet</b>" in html  # the unnamed outlet not counted
    assert '<bdi class="date" dir="ltr">2015-07-25</bdi> to ' in html
    arabic = html.split('<p class="overview" dir="rtl" lang="ar">')[1]
    assert arabic.startswith("المقالات: <b>704</b> · المصادر: <b>1</b> · من <bdi")
    assert "<bdi" not in status_html(stats(3), "x")  # no dates, no date range


def test_a_long_question_is_echoed_cut_short_with_the_whole_in_its_tooltip() -> None:
    long = "لماذا " + "ا" * 300 + " <b>؟"
    html = conversation_html([Exchange(long)], EXAMPLES)
    shown = html.split('<p dir="auto">')[1].split("</p>")[0]
    assert shown == "لماذا " + "ا" * 154 + "…"
    assert f'title="{long.replace("<", "&lt;").replace(">", "&gt;")}"' in html
    short = conversation_html([Exchange("who?")], EXAMPLES)
    assert '<div class="msg question" dir="ltr"><p dir="auto">who?</p></div>' in short


def test_dates_are_kept_on_one_line() -> None:
    answer = Answer("q", "- «نص» [1] (Rudaw, 2021-02-23)", False, (citation(),), "ar", "x")
    html = answer_html(0, answer)
    assert html.count('<bdi class="date" dir="ltr">2021-02-23</bdi>') == 2  # text and sources
    article = StoredArticle("a1", "t", "2021-02-23", "Rudaw", "", "نص.", "origin", {})
    panel = panel_html(citation(), article)
    assert '<time class="date" dir="ltr">2021-02-23</time>' in panel
    assert ', <bdi class="date" dir="ltr">2021-02-23</bdi>, https:' in panel  # the reference
    assert 'data-ref="«قال الوزير إن الهجوم فشل.», Rudaw, عنوان, 2021-02-23, https:' in panel


def test_the_answering_words_are_marked_inside_the_quote() -> None:
    quote = "قال <الوزير> إن الهجوم فشل تماماً."
    text = "مقدمة.\n" + quote
    start = text.index(quote)
    words = (quote.index("الهجوم"), quote.index("فشل") + 3)
    c = citation(quote=quote, start=start, end=start + len(quote), answer=words)
    article = StoredArticle("a1", "t", "2021-02-23", "Rudaw", "", text, "origin", {})
    html = panel_html(c, article)
    quoted = 'قال &lt;الوزير&gt; إن <mark class="answer">الهجوم فشل</mark> تماماً.'
    assert f'<blockquote class="cited-quote" dir="auto">{quoted}</blockquote>' in html
    assert f'<mark class="cited" id="cited">{quoted}</mark>' in html
    answer = Answer("q", f"- «{quote}» [1]", False, (c,), "ar", "x")
    assert f"«{quoted}»" in answer_html(0, answer)
    for bad in ((5, 2), (0, len(quote) + 1), None):  # out of the quote, or none: no mark
        assert "mark class=\"answer\"" not in panel_html(replace(c, answer=bad), article)


def test_copy_citation_sits_in_the_bar_above_the_scrolling_article() -> None:
    article = StoredArticle("a1", "t", "2021-02-23", "Rudaw", "", "نص.", "origin", {})
    html = panel_html(citation(quote="نص."), article)
    bar = html.split('<div class="panel-bar">')[1].split("</div>")[0]
    assert 'class="copy-ref"' in bar
    assert html.index("panel-bar") < html.index("panel-head") < html.index("article-text")


class FakeArchive:
    """What the overview reads: seeds' articles held or not, headlines, answers."""

    def __init__(self, held: set[str], newest: list[StoredArticle],
                 answered: dict[str, str]) -> None:
        self.held, self.fresh, self.answered = held, newest, answered
        self.asked: list[str] = []

    def stats(self) -> StoreStats:
        return stats(len(self.held) + len(self.fresh))

    def article(self, article_id: str) -> StoredArticle:
        if article_id not in self.held:
            raise ArticleNotFoundError(article_id, Path("store"))
        return StoredArticle(article_id, "t", None, "s", "", "x", "o", {})

    def newest(self, n: int) -> list[StoredArticle]:
        return self.fresh[:n]

    def ask(self, question: str) -> Answer:
        self.asked.append(question)
        article = self.answered.get(question)
        cited = (citation(article_id=article),) if article else ()
        return Answer(question, "x", article is None, cited, "ar", "x")


def headline(i: int, title: str, source: str = "عكاظ") -> StoredArticle:
    return StoredArticle(f"n{i}", title, f"2016-01-{10 - i:02d}", source, "", "نص", "o", {})


def test_examples_fit_the_open_store() -> None:
    seeds = {article for _, article in SEED_EXAMPLES}
    with_seeds = FakeArchive(seeds, [headline(1, "خبر جديد")], {})
    assert examples_for(with_seeds) == EXAMPLES and with_seeds.asked == []

    fresh = [headline(1, "أمطار غزيرة على جدة"), headline(2, "افتتاح معرض الكتاب", "الرياض"),
             headline(3, "عينة: خبر مكتوب للمشروع"), headline(4, "ا" * 200),
             headline(5, "هبوط سوق الأسهم"), headline(6, "وصول أول رحلة")]
    questions = {a.id: headline_question(a) for a in fresh}
    assert questions["n1"] == "ماذا جاء في خبر «أمطار غزيرة على جدة»؟"
    assert questions["n3"] is None and questions["n4"] is None  # a sample's, or too long
    answered = {questions[i] or "": i for i in ("n1", "n2", "n6")}
    answered[questions["n5"] or ""] = "n1"  # answered, but from another article: not kept
    other = FakeArchive(set(), fresh, answered)
    # the newest of each outlet first (n1 عكاظ, n2 الرياض), then the rest
    assert examples_for(other) == (questions["n1"], questions["n2"], questions["n6"])
    assert questions["n5"] in other.asked


class StreamingWorkers:
    """Stands in for the archive workers: streams an answer in pieces, as an LLM does."""

    def __init__(self, events: Sequence[Delta | Answer | Exception]) -> None:
        self.events = events
        self.asked: list[tuple[str, Filters, list[Turn]]] = []
        self.generation = 1
        self.articles = 1

    def call(self, fn: Any) -> Any:
        return fn(self)

    def stats(self) -> StoreStats:
        return stats(self.articles, self.generation)

    def article(self, article_id: str) -> StoredArticle:
        raise ArticleNotFoundError(article_id, Path("store"))

    def newest(self, n: int) -> list[StoredArticle]:
        return []

    def sources(self) -> list[str]:
        return ["Rudaw"]

    def ask_stream(self, question: str, scope: Filters, history: Sequence[Turn] = ()) -> Any:
        self.asked.append((question, scope, list(history)))
        for event in self.events:
            if isinstance(event, Exception):
                raise event
            yield event


def test_the_answer_streams_in_and_the_next_question_carries_the_history(
    tmp_path: Path,
) -> None:
    final = Answer(ERBIL["en"], "Iran-backed factions were blamed [1].", False, (citation(),),
                   "en", "llm")
    workers = StreamingWorkers([Delta("Iran-backed "), Delta("factions"), final])
    app = ChatApp(Settings(store=tmp_path), workers)  # type: ignore[arg-type]
    steps = list(app.answer(ERBIL["en"], "2021-02-01", None, ["Rudaw"], ()))
    html = [step[0] for step in steps]
    assert steps[0][2] == ""  # the question box empties once it is asked
    assert "Searching the archive" in html[0]
    assert "Iran-backed" in html[1] and "factions" not in html[1] and "pending" in html[1]
    assert "Iran-backed factions" in html[2] and "pending" in html[2]
    assert 'class="msg reply answer"' in html[-1] and 'data-n="1"' in html[-1]
    assert '<bdi class="date" dir="ltr">2021-02-01</bdi> → …' in html[-1]  # the scope, shown
    assert "Rudaw" in html[-1]
    exchanges = steps[-1][1]
    assert [e.answer for e in exchanges] == [final]
    assert workers.asked[0][1] == Filters(since="2021-02-01", sources=("Rudaw",))

    list(app.answer("and who denied it?", None, None, [], exchanges))
    assert workers.asked[1][2] == [Turn(ERBIL["en"], final.text, (citation().article_id,))]


def test_the_header_follows_the_store_when_it_is_re_indexed(tmp_path: Path) -> None:
    final = Answer(ERBIL["en"], "Iran-backed factions were blamed [1].", False, (citation(),),
                   "en", "llm")
    workers = StreamingWorkers([final])
    app = ChatApp(Settings(store=tmp_path), workers)  # type: ignore[arg-type]
    assert "<b>1 article</b>" in app.status()
    list(app.answer(ERBIL["en"], None, None, [], ()))
    assert app.follow_store() == (gr.skip(), gr.skip())  # not re-indexed: left as it is
    workers.generation, workers.articles = 2, 40  # another process indexed 39 more
    list(app.answer(ERBIL["en"], None, None, [], ()))
    header, outlets = app.follow_store()
    assert "<b>40 articles</b>" in header and outlets["choices"] == ["Rudaw"]
    assert app.follow_store() == (gr.skip(), gr.skip())  # once
    app.built_examples = ("an example of the store as it was",)
    welcome, header, _ = app.opened()  # a page opened now: the store as it is now
    assert welcome == conversation_html((), ()) and "<b>40 articles</b>" in header


def test_a_failing_llm_is_shown_as_an_error(tmp_path: Path) -> None:
    down = LlmError("the LLM server at http://localhost:11434 did not answer: start it")
    workers = StreamingWorkers([Delta("Iran"), down])
    app = ChatApp(Settings(store=tmp_path), workers)  # type: ignore[arg-type]
    html, exchanges, _ = list(app.answer(ERBIL["en"], None, None, [], ()))[-1]
    assert 'class="msg reply error"' in html and "did not answer: start it" in html
    assert exchanges[0].error == str(down)


def test_chat_listens_on_this_machine_only_by_default() -> None:
    from assistant.cli import _parser

    args = _parser().parse_args(["chat"])
    assert (args.host, args.port, args.concurrency, args.queue_size) == ("127.0.0.1", 7860, 4, 32)


# --- the API, through a real server ---

@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    """`akhbar chat` on an empty store, from a folder with a .env, with Gradio told (through
    the environment) to serve every file: none of that may widen what it serves."""
    home = tmp_path_factory.mktemp("chat")
    (home / ".env").write_text("AKHBAR_LLM_API_KEY=sk-secret\n", encoding="utf-8")
    with chat_server(home / "store", cwd=home, env={"GRADIO_ALLOWED_PATHS": "/"}) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: ChatServer) -> Client:
    return Client(server.url, verbose=False)


@pytest.mark.slow
def test_an_empty_store_gets_the_sample_archive_first(server: ChatServer) -> None:
    assert f"the store at {server.store} is empty: indexing the sample archive" in \
        server.log_text()
    stats = json.loads(akhbar("stats", "--store", str(server.store), "--json"))
    assert stats["articles"] == _seed_count()


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "ar"])
def test_ask_cites_the_iran_backed_factions(client: Client, language: str) -> None:
    result = client.predict(ERBIL[language], api_name="/ask")
    assert result["refused"] is False
    assert any(IRAN_BACKED in c["quote"] for c in result["citations"]), result["citations"]


@pytest.mark.slow
def test_ask_returns_what_akhbar_ask_json_prints(client: Client, server: ChatServer) -> None:
    expected = json.loads(akhbar("ask", ERBIL["ar"], "--store", str(server.store), "--json"))
    assert client.predict(ERBIL["ar"], api_name="/ask") == expected


@pytest.mark.slow
def test_ask_applies_filters(client: Client) -> None:
    sports = client.predict(ERBIL["ar"], "", "", ["akhbar sample sports"], api_name="/ask")
    assert all(c["source"] == "Akhbar Sample Sports" for c in sports["citations"])
    old = client.predict("Why did oil prices rise?", "", "2015-12-31", api_name="/ask")
    assert old["citations"] and all(c["date"] <= "2015-12-31" for c in old["citations"])
    recent = client.predict(ERBIL["ar"], "2021-02-01", "2021-02-28", ["Rudaw"], api_name="/ask")
    assert recent["citations"] and all(c["source"] == "Rudaw" for c in recent["citations"])


def test_one_outlet_may_be_given_as_a_string() -> None:
    from assistant.ui.app import _scope

    labels = ("since", "until")
    assert _scope("", "", "Rudaw", labels=labels).sources == ("Rudaw",)
    assert _scope("", "", ["Rudaw", "عكاظ"], labels=labels).sources == ("Rudaw", "عكاظ")
    assert _scope("", "", None, labels=labels).sources == ()
    assert _scope("", "", "  ", labels=labels).sources == ()
    bad_values = ((5, "int 5"), ({"a": 1}, "dict {'a': 1}"), (["Rudaw", 3], "a list holding int"))
    for bad, kind in bad_values:
        with pytest.raises(ValueError, match=rf"^outlets: expected a list of outlet names \(or "
                           rf"one name\), got {re.escape(kind)}\.$"):
            _scope("", "", bad, labels=labels)
    with pytest.raises(ValueError, match=r"^since: expected a date as YYYY-MM-DD, got int 2021"):
        _scope(2021, "", None, labels=labels)  # type: ignore[arg-type]


@pytest.mark.slow
def test_ask_takes_one_outlet_as_a_string(client: Client) -> None:
    recent = client.predict(ERBIL["ar"], "", "", "Rudaw", api_name="/ask")
    assert recent["citations"] and all(c["source"] == "Rudaw" for c in recent["citations"])
    with pytest.raises(AppError, match=r"outlets: expected a list of outlet names \(or one "
                       r"name\), got int 5"):
        client.predict(ERBIL["ar"], "", "", 5, api_name="/ask")
    with pytest.raises(AppError, match=r"question: expected text, got int 7"):
        client.predict(7, api_name="/ask")


@pytest.mark.slow
def test_ask_explains_bad_input(client: Client) -> None:
    with pytest.raises(AppError, match=r"unknown outlet 'Nowhere Times'; the archive has: "):
        client.predict(ERBIL["ar"], "", "", ["Nowhere Times"], api_name="/ask")
    with pytest.raises(AppError, match=r"since: expected a date as YYYY-MM-DD, got 'last week'"):
        client.predict(ERBIL["ar"], "last week", api_name="/ask")
    with pytest.raises(AppError, match=r"The date range is empty: since \(2021-03-01\) is after"):
        client.predict(ERBIL["ar"], "2021-03-01", "2021-02-01", api_name="/ask")
    too_long = "س" * (MAX_QUESTION_CHARS + 1)
    with pytest.raises(AppError, match=r"The question is too long: 1,001 characters; the limit "
                       r"is 1,000\. Shorten it and ask again\."):
        client.predict(too_long, api_name="/ask")


@pytest.mark.slow
def test_a_refusal_is_a_refusal(client: Client) -> None:
    result = client.predict(OFF_TOPIC, api_name="/ask")
    assert result["refused"] is True and result["citations"] == []
    assert result["answer"].startswith(REFUSAL["ar"])


@pytest.mark.slow
@pytest.mark.parametrize("question", EXAMPLES)
def test_every_example_question_is_answered(client: Client, question: str) -> None:
    result = client.predict(question, api_name="/ask")
    assert result["refused"] is False and result["citations"]


@pytest.mark.slow
def test_ask_is_the_only_api(client: Client) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/ask"] and not api["unnamed_endpoints"]


@pytest.mark.slow
def test_only_the_app_is_served(server: ChatServer) -> None:
    home = server.store.parent
    for path in (server.store / "catalog.sqlite3", home / ".env", REPO / "pyproject.toml",
                 Path("/etc/passwd")):
        assert path.exists()
        assert _status(f"{server.url}gradio_api/file={path}") == 403, path
    assert _status(server.url) == 200


# --- a locked-down server: login, one answer at a time, a queue of one ---

@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory, server: ChatServer) -> Iterator[ChatServer]:
    home = tmp_path_factory.mktemp("locked")
    login = {"AKHBAR_UI_USER": "editor", "AKHBAR_UI_PASSWORD": "s3cret-pass"}
    with chat_server(server.store, "--concurrency", "1", "--queue-size", "1", cwd=home,
                     env=login) as running:
        yield running


@pytest.mark.slow
def test_login_comes_from_the_environment(locked: ChatServer) -> None:
    with pytest.raises(AuthenticationError, match="credentials were not provided"):
        Client(locked.url, verbose=False)
    with pytest.raises(ValueError, match="Could not login"):
        Client(locked.url, auth=("editor", "wrong"), verbose=False)
    client = Client(locked.url, auth=("editor", "s3cret-pass"), verbose=False)
    assert client.predict(ERBIL["ar"], api_name="/ask")["citations"]


@pytest.mark.slow
def test_overload_gets_busy_retry_not_a_hang(locked: ChatServer) -> None:
    client = Client(locked.url, auth=("editor", "s3cret-pass"), verbose=False)
    jobs = [client.submit(ERBIL["ar"], api_name="/ask") for _ in range(30)]
    answered, busy = 0, 0
    for job in jobs:
        try:
            assert job.result(timeout=120)["citations"]
            answered += 1
        except QueueError as err:
            assert str(err) == "Queue is full! Please try again."
            busy += 1
    assert answered >= 1 and busy >= 1 and answered + busy == len(jobs)


@pytest.mark.slow
def test_a_public_address_is_warned_about(server: ChatServer, tmp_path: Path) -> None:
    """192.0.2.1 (TEST-NET-1) is no one's address: the warning comes, then a clear error."""
    port = str(free_port())
    run = subprocess.run(
        [AKHBAR, "chat", "--store", str(server.store), "--host", "192.0.2.1", "--port", port],
        capture_output=True, text=True, timeout=240, cwd=tmp_path, env=clean_env(),
    )
    assert run.returncode == 1
    assert ("akhbar: WARNING: serving on 192.0.2.1, not on this machine only: anyone who can "
            "reach it can read the archive. Set AKHBAR_UI_USER and AKHBAR_UI_PASSWORD")\
        in run.stderr
    assert (f"akhbar: error: cannot serve on 192.0.2.1:{port}: the port is in use, or "
            "192.0.2.1 is not an address of this machine.") in run.stderr


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def _seed_count() -> int:
    lines = (REPO / "seeds" / "articles.jsonl").read_text("utf-8").splitlines()
    return sum(1 for line in lines if line.strip())
