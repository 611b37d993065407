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
from collections.abc import Sequence
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
BULLET = re.compile(r"^\s*[-•*]\s+")

REFUSAL_LABEL: dict[Language, str] = {"ar": "لا يوجد في الأرشيف", "en": "Not in the archive"}
REFUSAL_HINT: dict[Language, str] = {
    "ar": "جرّب كلمات أخرى، أو وسّع نطاق التاريخ والمصادر.",
    "en": "Try other words, or widen the date range and outlets.",
}


def esc(text: str) -> str:
    return escape(text, quote=True)


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
    scope = (f'<div class="scope" dir="auto">{esc(exchange.scope)}</div>'
             if exchange.scope else "")
    question = (f'<div class="msg question" dir="{direction(exchange.question)}">'
                f"{_paragraphs(exchange.question)}{scope}</div>")
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
        out.append(esc(text[pos:m.start()]))
        if m.group("quote"):
            out.append(f'<span class="quote" dir="auto">{esc(m.group("quote"))}</span>')
        elif m.group("cite"):
            n = int(m.group("n"))
            out.append(cite_button(index, known[n]) if n in known else esc(m.group(0)))
        else:  # an aside, often Latin inside Arabic: isolate it so its brackets stay put
            out.append(f"<bdi>({_inline(m.group('paren')[1:-1], known, index)})</bdi>")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def cite_button(index: int, c: Citation) -> str:
    where = " · ".join(p for p in (c.source, c.title, c.date or "") if p)
    return (f'<button type="button" class="cite" dir="ltr" data-turn="{index}" data-n="{c.n}" '
            f'title="{esc(where)}" aria-label="source {c.n}: {esc(where)}">[{c.n}]</button>')


def _sources_html(index: int, citations: Sequence[Citation]) -> str:
    if not citations:
        return ""
    rows = "".join(
        f'<li>{cite_button(index, c)} <bdi class="source">{esc(c.source or "unknown outlet")}</bdi>'
        f'{f" · <bdi>{esc(c.date)}</bdi>" if c.date else ""}'
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
    """The cited article in full, with the quoted span marked and a copyable reference."""
    span, moved = _span(citation, article.text)
    meta = [f'<bdi class="source">{esc(article.source or "unknown outlet")}</bdi>']
    if article.date:
        meta.append(f'<time dir="ltr">{esc(article.date)}</time>')
    meta.append(link_html(article.url))
    reference = citation.reference()
    warning = ('<p class="note">The article has changed since this answer; the quoted passage '
               "is no longer in it.</p>" if span is None else
               '<p class="note">The article has changed since this answer; the passage was '
               "found at another place.</p>" if moved else "")
    return (
        f'<article class="panel" data-article="{esc(article.id)}"><header class="panel-head">'
        f'<p class="label">Source [{citation.n}]</p>'
        f'<h2 dir="auto">{esc(article.title or "(untitled)")}</h2>'
        f'<p class="meta">{" · ".join(meta)}</p>'
        f'<blockquote class="cited-quote" dir="auto">{esc(visible(citation.quote))}</blockquote>'
        '<div class="reference">'
        f'<button type="button" class="copy-ref" data-ref="{esc(reference)}">Copy citation</button>'
        f'<code class="ref-text" dir="auto">{esc(reference)}</code></div>'
        f'{warning}<p class="label">Full article</p></header>'
        f'<div class="article-text">{article_paragraphs(article.text, span)}</div>'
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


def article_paragraphs(text: str, span: tuple[int, int] | None) -> str:
    """One paragraph per line; the span, even across lines, is wrapped in <mark>."""
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
        cited = esc(visible(line[a:b]))  # hidden characters in a quote are shown as marks
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
    parts = [
        f"<b>{stats.articles:,}</b> articles",
        f"<b>{stats.chunks:,}</b> chunks",
        f"embeddings <b>{esc(stats.model)}</b> ({stats.dim}-d)",
        f"answers <b>{esc(answer_mode)}</b>",
    ]
    if stats.first_date:
        parts.append(f'<bdi dir="ltr">{esc(stats.first_date)} – {esc(stats.last_date or "")}</bdi>')
    items = "".join(f"<span>{p}</span>" for p in parts)
    return f'<div class="status" role="status" aria-label="store">{items}</div>'
