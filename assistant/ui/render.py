"""HTML for the chat app: the conversation, the citation panel and the status line.

Everything from the archive (answers, quotes, titles, outlets, links, article text) is
untrusted: it is escaped here and never rendered as markup or markdown.

Direction is decided per message, per paragraph and per quote. Plain text gets ``dir="auto"``;
a container whose text sits in isolated children (a list item made of a «quote», a [1] and a
"(Rudaw, 2021-02-23)") gets the direction that ``dir="auto"`` would give its text, computed
here, because the browser's ``dir="auto"`` skips children that have a direction of their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from assistant.answer import Answer
from assistant.citations import Citation
from assistant.language import Language
from assistant.planted import visible
from index.catalog import StoredArticle
from index.normalize import find_normalized
from index.store import StoreStats


@dataclass(frozen=True)
class Exchange:
    """One question of the conversation and what became of it."""

    question: str
    scope: str = ""  # the filters it was asked under, in words ("" when none)
    draft: str = ""  # the answer so far, while it streams
    answer: Answer | None = None
    error: str | None = None

    @property
    def pending(self) -> bool:
        return self.answer is None and self.error is None


# «quoted text», a citation marker [n], or a parenthesised aside such as "(Rudaw, 2021-02-23)"
INLINE = re.compile(r"(?P<quote>«[^»\n]+»)|(?P<cite>\[(?P<n>\d{1,3})\])|(?P<paren>\([^()\n]+\))")
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")  # kept on one line: never broken at a hyphen
ECHO_CHARS = 160  # a longer question is echoed cut short, whole in its tooltip
BULLET = re.compile(r"^\s*[-•*]\s+")

REFUSAL_LABEL: dict[Language, str] = {"ar": "لا يوجد في الأرشيف", "en": "Not in the archive"}
REFUSAL_HINT: dict[Language, str] = {
    "ar": "جرّب كلمات أخرى، أو وسّع نطاق التاريخ والمصادر.",
    "en": "Try other words, or widen the date range and outlets.",
}


def esc(text: str) -> str:
    return escape(text, quote=True)


def esc_dates(text: str) -> str:
    """Escaped text, its dates (YYYY-MM-DD) in nowrap spans."""
    out, pos = [], 0
    for m in DATE.finditer(text):
        out.append(f'{esc(text[pos:m.start()])}{date_html(m.group(0))}')
        pos = m.end()
    return "".join(out) + esc(text[pos:])


def date_html(date: str) -> str:
    return f'<bdi class="date" dir="ltr">{esc(date)}</bdi>'


def echo(question: str) -> str:
    """The question as the conversation repeats it: at most ECHO_CHARS characters."""
    if len(question) <= ECHO_CHARS:
        return question
    return question[:ECHO_CHARS].rstrip() + "…"


def direction(text: str) -> str:
    """"rtl" or "ltr" by the first strong character, as the bidi algorithm (and dir=auto) do."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


# --- the conversation ---

def conversation_html(exchanges: Sequence[Exchange], examples: Sequence[str]) -> str:
    if not exchanges:
        return welcome_html(examples)
    turns = "".join(_turn_html(i, e) for i, e in enumerate(exchanges))
    return f'<div class="conversation" aria-live="polite">{turns}</div>'


def welcome_html(examples: Sequence[str]) -> str:
    chips = "".join(
        f'<button type="button" class="example" dir="auto" data-question="{esc(q)}">'
        f"{esc(q)}</button>"
        for q in examples
    )
    return (
        '<div class="welcome">'
        '<p class="welcome-title">Ask the archive <span lang="ar">اسأل الأرشيف</span></p>'
        '<p class="welcome-text">Questions in Arabic or English. Every answer quotes the '
        "articles it rests on; click a number such as [1] to read the passage in its article.</p>"
        f'<div class="examples" aria-label="Example questions">{chips}</div>'
        "</div>"
    )


def _turn_html(index: int, exchange: Exchange) -> str:
    scope = (f'<div class="scope" dir="auto">{esc_dates(exchange.scope)}</div>'
             if exchange.scope else "")
    shown = echo(exchange.question)
    whole = f' title="{esc(exchange.question)}"' if shown != exchange.question else ""
    question = (f'<div class="msg question" dir="{direction(exchange.question)}"{whole}>'
                f"{_paragraphs(shown)}{scope}</div>")
    return f'<div class="turn" data-turn="{index}">{question}{_reply_html(index, exchange)}</div>'


def _reply_html(index: int, exchange: Exchange) -> str:
    if exchange.error is not None:
        return (f'<div class="msg reply error" role="alert" dir="{direction(exchange.error)}">'
                f'<p class="label">Could not answer</p>{_paragraphs(exchange.error)}</div>')
    if exchange.answer is None:
        body = (_answer_body(exchange.draft, (), index) if exchange.draft
                else '<p class="searching">Searching the archive…</p>')
        return (f'<div class="msg reply pending" aria-busy="true" '
                f'dir="{direction(exchange.draft or exchange.question)}">{body}</div>')
    return answer_html(index, exchange.answer)


def answer_html(index: int, answer: Answer) -> str:
    lang = esc(answer.language)
    if answer.refused:
        return (
            f'<div class="msg reply refusal" role="status" lang="{lang}" '
            f'dir="{direction(answer.text)}">'
            f'<p class="label" dir="auto">{esc(REFUSAL_LABEL[answer.language])}</p>'
            f'<p dir="auto">{esc(answer.text)}</p>'
            f'<p class="hint" dir="auto">{esc(REFUSAL_HINT[answer.language])}</p>'
            f"{_notes(answer.notes)}</div>"
        )
    body = _answer_body(answer.text, answer.citations, index)
    return (f'<div class="msg reply answer" lang="{lang}" dir="{direction(answer.text)}">{body}'
            f"{_sources_html(index, answer.citations)}{_notes(answer.notes)}"
            f'<p class="mode" dir="ltr">{esc(answer.mode)}</p></div>')


def _answer_body(text: str, citations: Sequence[Citation], index: int) -> str:
    """Lines become paragraphs; "- " lines become a list; each decides its own direction."""
    known = {c.n: c for c in citations}
    out: list[str] = []
    items: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        bullet = BULLET.match(line)
        if bullet:
            item = line[bullet.end():]
            items.append(f'<li dir="{direction(item)}">{_inline(item, known, index)}</li>')
            continue
        if items:
            out.append(f'<ul>{"".join(items)}</ul>')
            items = []
        out.append(f'<p dir="{direction(line)}">{_inline(line, known, index)}</p>')
    if items:
        out.append(f'<ul>{"".join(items)}</ul>')
    return "".join(out)


def _inline(text: str, known: dict[int, Citation], index: int) -> str:
    out: list[str] = []
    pos = 0
    for m in INLINE.finditer(text):
        out.append(esc_dates(text[pos:m.start()]))
        if m.group("quote"):
            out.append(f'<span class="quote" dir="auto">{_quote_html(m.group("quote"), known)}'
                       "</span>")
        elif m.group("cite"):
            n = int(m.group("n"))
            out.append(cite_button(index, known[n]) if n in known else esc(m.group(0)))
        else:  # an aside, often Latin inside Arabic: isolate it so its brackets stay put
            out.append(f"<bdi>({_inline(m.group('paren')[1:-1], known, index)})</bdi>")
        pos = m.end()
    out.append(esc_dates(text[pos:]))
    return "".join(out)


def _quote_html(quoted: str, known: dict[int, Citation]) -> str:
    """A «quote» of the answer, its answering words marked when a citation quotes it."""
    inner = quoted[1:-1]
    for c in known.values():
        words = answer_span(c)
        at = c.quote.find(inner) if words and inner else -1
        if words and at >= 0:
            a, b = max(words[0] - at, 0), min(words[1] - at, len(inner))
            if a < b:
                return f"«{marked(inner, (a, b))}»"
    return esc(quoted)


def answer_span(c: Citation) -> tuple[int, int] | None:
    """The citation's answering words (offsets in its quote), when they fit inside it."""
    words = getattr(c, "answer", None)
    if words is None:
        return None
    a, b = words
    return (a, b) if 0 <= a < b <= len(c.quote) else None


def marked(text: str, span: tuple[int, int] | None, show: Callable[[str], str] = str) -> str:
    """Escaped text with text[span] in <mark class="answer">; `show` is applied to each piece."""
    if span is None:
        return esc(show(text))
    a, b = span
    return (f'{esc(show(text[:a]))}<mark class="answer">{esc(show(text[a:b]))}</mark>'
            f"{esc(show(text[b:]))}")


def cite_button(index: int, c: Citation) -> str:
    where = " · ".join(p for p in (c.source, c.title, c.date or "") if p)
    return (f'<button type="button" class="cite" dir="ltr" data-turn="{index}" data-n="{c.n}" '
            f'title="{esc(where)}" aria-label="source {c.n}: {esc(where)}">[{c.n}]</button>')


def _sources_html(index: int, citations: Sequence[Citation]) -> str:
    if not citations:
        return ""
    rows = "".join(
        f'<li>{cite_button(index, c)} <bdi class="source">{esc(c.source or "unknown outlet")}</bdi>'
        f'{f" · {date_html(c.date)}" if c.date else ""}'
        f' · <bdi class="title">{esc(c.title)}</bdi></li>'
        for c in citations
    )
    return f'<div class="sources"><p class="label">Sources</p><ul>{rows}</ul></div>'


def _notes(notes: Sequence[str]) -> str:
    return "".join(f'<p class="note" dir="auto">{esc(n)}</p>' for n in notes)


def _paragraphs(text: str) -> str:
    return "".join(f'<p dir="auto">{esc(line)}</p>' for line in text.split("\n") if line.strip())


# --- the citation panel ---

def panel_placeholder() -> str:
    return ('<div class="panel empty"><p class="label">Source</p>'
            "<p>Click a number such as [1] in an answer to read the cited passage here, "
            "highlighted in its article.</p></div>")


def panel_message(text: str) -> str:
    return f'<div class="panel empty" role="alert"><p dir="auto">{esc(text)}</p></div>'


def panel_html(citation: Citation, article: StoredArticle) -> str:
    """The cited article in full, with the quoted span (and in it the answering words) marked,
    under a bar that keeps "Copy citation" in view however far the article is scrolled."""
    span, moved = _span(citation, article.text)
    words = answer_span(citation)
    meta = [f'<bdi class="source">{esc(article.source or "unknown outlet")}</bdi>']
    if article.date:
        meta.append(f'<time class="date" dir="ltr">{esc(article.date)}</time>')
    meta.append(link_html(article.url))
    reference = citation.reference()
    warning = ('<p class="note">The article has changed since this answer; the quoted passage '
               "is no longer in it.</p>" if span is None else
               '<p class="note">The article has changed since this answer; the passage was '
               "found at another place.</p>" if moved else "")
    # the answering words in the article: only where the quote is found as it was quoted
    exact = span is not None and article.text[span[0]:span[1]] == citation.quote
    in_article = (span[0] + words[0], span[0] + words[1]) if span and words and exact else None
    return (
        f'<article class="panel" data-article="{esc(article.id)}">'
        f'<div class="panel-bar"><p class="label">Source [{citation.n}]</p>'
        f'<button type="button" class="copy-ref" data-ref="{esc(reference)}">Copy citation</button>'
        '</div><header class="panel-head">'
        f'<h2 dir="auto">{esc(article.title or "(untitled)")}</h2>'
        f'<p class="meta">{" · ".join(meta)}</p>'
        f'<blockquote class="cited-quote" dir="auto">{marked(citation.quote, words, visible)}'
        "</blockquote>"
        f'<code class="ref-text" dir="auto">{esc_dates(reference)}</code>'
        f'{warning}<p class="label">Full article</p></header>'
        f'<div class="article-text">{article_paragraphs(article.text, span, in_article)}</div>'
        "</article>"
    )


def link_html(url: str) -> str:
    """Only absolute http(s) links become links, and they open in a new, unrelated tab."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ('<span class="nolink">no link</span>' if not url.strip() else
                f'<span class="nolink" dir="ltr">{esc(url.strip())} (not a web link)</span>')
    return (f'<a href="{esc(url.strip())}" target="_blank" rel="noopener noreferrer nofollow" '
            f'referrerpolicy="no-referrer" dir="ltr">{esc(parts.netloc)}</a>')


def article_paragraphs(
    text: str, span: tuple[int, int] | None, answer: tuple[int, int] | None = None,
) -> str:
    """One paragraph per line; the span, even across lines, is wrapped in <mark class="cited">,
    and the answering words inside it (`answer`, offsets in `text`) in <mark class="answer">."""
    out = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        if span is None or span[1] <= start or span[0] >= end:
            out.append(f'<p dir="auto">{esc(line)}</p>')
            continue
        a, b = max(span[0], start) - start, min(span[1], end) - start
        first = ' id="cited"' if span[0] >= start else ""
        words = None
        if answer is not None:  # relative to the cited part of this line
            x, y = max(answer[0] - start - a, 0), min(answer[1] - start - a, b - a)
            words = (x, y) if x < y else None
        # hidden characters in a quote are shown as marks
        cited = marked(line[a:b], words, visible)
        out.append(f'<p dir="auto">{esc(line[:a])}<mark class="cited"{first}>{cited}'
                   f"</mark>{esc(line[b:])}</p>")
    return "".join(out)


def _span(citation: Citation, text: str) -> tuple[tuple[int, int] | None, bool]:
    """Where the quote is in the article: its recorded offsets, or (if the article changed) a
    search for it; the flag says the offsets had to be found again."""
    if 0 <= citation.start < citation.end <= len(text) and \
            text[citation.start:citation.end] == citation.quote:
        return (citation.start, citation.end), False
    found = find_normalized(citation.quote, text)
    return (None, True) if found is None else ((found[0], found[1]), True)


# --- the status line ---

def status_html(stats: StoreStats, answer_mode: str) -> str:
    """The archive in a reader's terms: articles, outlets and dates, in English and Arabic."""
    outlets = sum(1 for name, _ in stats.sources if name)
    articles = f"{stats.articles:,} article{'' if stats.articles == 1 else 's'}"
    from_outlets = f"{outlets:,} outlet{'' if outlets == 1 else 's'}"
    english = f"<b>{articles}</b> from <b>{from_outlets}</b>"
    arabic = f"المقالات: <b>{stats.articles:,}</b> · المصادر: <b>{outlets:,}</b>"
    if stats.first_date:
        first, last = date_html(stats.first_date), date_html(stats.last_date or stats.first_date)
        english += f", {first} to {last}"
        arabic += f" · من {first} إلى {last}"
    return (
        '<div class="status" role="status" aria-label="archive">'
        f'<p class="overview" dir="ltr" lang="en">{english}'
        f' · <span class="mode">answers: {esc(answer_mode)}</span></p>'
        f'<p class="overview" dir="rtl" lang="ar">{arabic}</p></div>'
    )
