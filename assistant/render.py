"""Terminal rendering of answers, passages and articles (colour only on a terminal).

Invisible characters (zero-width, bidi controls, tag characters) are shown as marks such as
⟪U+200B⟫ wherever archive text is printed (assistant.planted.visible), so that hidden text is
seen; offsets (`--span`) still count the characters of the stored text.
"""

from __future__ import annotations

from typing import Any

from assistant.answer import Answer
from assistant.citations import Citation
from assistant.planted import visible
from assistant.retrieve import Hit
from index.catalog import StoredArticle

HIGHLIGHT = ("\x1b[1;30;43m", "\x1b[0m")
MARKERS = ("⟦", "⟧")
DIM = ("\x1b[2m", "\x1b[0m")


def answer_text(answer: Answer, *, color: bool, streamed: bool = False) -> str:
    lines = [] if streamed else [answer.text]
    for note in answer.notes:
        lines.append(_dim(f"note: {note}", color))
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            meta = " · ".join(p for p in (c.source, c.title, c.date or "", c.url) if p)
            lines.append(f"[{c.n}] «{_marked(c, color)}»")  # invisible characters as marks
            lines.append(_dim(f"    {meta}", color))
            lines.append(_dim(f"    akhbar show {c.article_id} --span {c.start}:{c.end}", color))
    return "\n".join(lines)


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "chunk_id": hit.chunk_id, "article_id": hit.article_id, "title": hit.title,
        "source": hit.source, "date": hit.date, "url": hit.url, "start": hit.start,
        "end": hit.end, "text": hit.text, "score": hit.score, "dense": hit.dense,
        "lexical": hit.lexical, "names": hit.names, "prior": hit.prior,
        "also_in": list(hit.also_in),
    }


def hits_text(hits: list[Hit]) -> str:
    blocks = []
    for i, h in enumerate(hits, 1):
        meta = " · ".join(p for p in (h.source, h.title, h.date or "", h.url) if p)
        also = f"\n    also in: {', '.join(h.also_in)}" if h.also_in else ""
        blocks.append(f"{i}. [{h.score:.3f}] {meta}\n    {h.article_id} {h.start}:{h.end}{also}\n"
                      f"    {visible(h.text)}")
    return "\n\n".join(blocks)


def article_text(article: StoredArticle, span: tuple[int, int] | None, *, color: bool) -> str:
    head = [article.title or "(untitled)",
            " · ".join(p for p in (article.source, article.date or "", article.url) if p),
            f"id: {article.id}", ""]
    text = article.text
    if span:
        start, end = span
        open_, close = HIGHLIGHT if color else MARKERS
        return "\n".join(head) + (visible(text[:start]) + open_ + visible(text[start:end]) + close
                                 + visible(text[end:]))
    return "\n".join(head) + visible(text)


def _marked(c: Citation, color: bool) -> str:
    """The quote, «…» where its sentence was cut, the answering words highlighted (⟦ ⟧ when
    not on a terminal)."""
    if c.answer is None:
        return c.shown(visible(c.quote))
    start, end = c.answer
    open_, close = HIGHLIGHT if color else MARKERS
    return c.shown(visible(c.quote[:start]) + open_ + visible(c.quote[start:end]) + close
                   + visible(c.quote[end:]))


def _dim(text: str, color: bool) -> str:
    return f"{DIM[0]}{text}{DIM[1]}" if color else text
