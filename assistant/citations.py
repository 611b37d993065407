"""Citations: what an answer quotes, and the check every answer passes, whoever wrote it.

A passage is numbered [n] in the order it was retrieved. A claim (a sentence of the answer)
must cite at least one [n] that exists; any text it quotes («…» or "…") must occur verbatim,
after normalisation, in a passage it cites, and not in a sentence that addresses the reader or
hides text (assistant.planted): such text is never a quote. Claims that fail are dropped.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from assistant.planted import flag
from assistant.retrieve import Copy, Hit
from index.normalize import find_normalized
from index.sentences import strip_span

CITE = re.compile(r"\[(\d{1,3})\]")
QUOTE = re.compile(r"«([^»]{4,})»|\"([^\"]{4,})\"|“([^”]{4,})”")
CLAIM_END = re.compile(r"(?<=[.!?؟؛])\s+|\n+")
LEADING_CITES = re.compile(r"(?:\[\d{1,3}\][\s.،,]*)+")


@dataclass(frozen=True)
class Citation:
    n: int
    article_id: str
    title: str
    source: str
    date: str | None
    url: str
    quote: str  # verbatim original text
    start: int  # offsets of `quote` in the article's original text
    end: int
    score: float
    also_in: tuple[Copy, ...] = ()  # wire copies of the article in other outlets
    answer: tuple[int, int] | None = None  # the answering words: offsets inside `quote`
    cut_before: bool = False  # the quoted sentence goes on before `quote`
    cut_after: bool = False  # and after it

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def shown(self, text: str | None = None) -> str:
        """`text` (the quote by default) with «…» on each side where its sentence was cut."""
        text = self.quote if text is None else text
        return ("…" if self.cut_before else "") + text + ("…" if self.cut_after else "")

    def reference(self) -> str:
        """A plain-text reference a journalist can paste; says so when the sentence is cut."""
        cut = " (sentence cut short)" if self.cut_before or self.cut_after else ""
        parts = [f"«{self.shown()}»{cut}", self.source or "unknown outlet", self.title]
        if self.date:
            parts.append(self.date)
        if self.url:
            parts.append(self.url)
        parts.append(f"[{self.article_id}, chars {self.start}-{self.end}]")
        if self.also_in:
            parts.append(f"also in: {self.copies_text()}")
        return ", ".join(p for p in parts if p)


    def copies_text(self) -> str:
        """The wire copies as "outlet, date; outlet, date"."""
        return "; ".join(", ".join(p for p in (c.source or c.article_id, c.date or "") if p)
                         for c in self.also_in)


@dataclass(frozen=True)
class CheckedClaim:
    text: str
    cited: tuple[int, ...]
    quotes: tuple[tuple[int, int, int], ...]  # (n, start, end) in the article text
    problem: str | None  # why the claim was dropped; None when it passed


def citation_for(n: int, hit: Hit, start: int, end: int, *,
                 answer: tuple[int, int] | None = None, cut_before: bool = False,
                 cut_after: bool = False) -> Citation:
    """A citation of the span [start, end) of the hit's article (offsets in the article text;
    beyond the passage when the hit carries its article's text); `answer` is inside the quote."""
    return Citation(n=n, article_id=hit.article_id, title=hit.title, source=hit.source,
                    date=hit.date, url=hit.url, quote=hit.span_text(start, end), start=start,
                    end=end, score=hit.score, also_in=hit.copies, answer=answer,
                    cut_before=cut_before, cut_after=cut_after)


def split_claims(answer: str) -> list[str]:
    return [answer[start:end] for start, end in claim_spans(answer)]


def claim_spans(answer: str) -> list[tuple[int, int]]:
    """Where each claim is in `answer`. Citations after the full stop, on the same line
    ("… attack. [1]"), belong to the claim before them; at the start of a line ("[2] …"), to
    the claim they open."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in [*CLAIM_END.finditer(answer), None]:
        start, end = strip_span(answer, pos, m.start() if m else len(answer))
        lead = LEADING_CITES.match(answer, start, end)
        if lead and spans and "\n" not in answer[spans[-1][1] : start]:
            spans[-1] = (spans[-1][0], strip_span(answer, start, lead.end())[1])
            start = strip_span(answer, lead.end(), end)[0]
        if start < end:
            spans.append((start, end))
        pos = m.end() if m else pos
    return spans


def check_claim(claim: str, hits: list[Hit]) -> CheckedClaim:
    cited = tuple(dict.fromkeys(int(m) for m in CITE.findall(claim)))
    if not cited:
        return CheckedClaim(claim, (), (), "no citation")
    bad = [n for n in cited if not 1 <= n <= len(hits)]
    if bad:
        return CheckedClaim(claim, cited, (), f"cites [{bad[0]}], which is not a retrieved passage")
    quotes = []
    for match in QUOTE.finditer(claim):
        quoted = next(g for g in match.groups() if g).strip(" .،,…")
        span = _locate(quoted, cited, hits)
        if span is None:
            return CheckedClaim(claim, cited, (), f"quote «{quoted[:60]}» is not in passage "
                                f"{', '.join(f'[{n}]' for n in cited)}")
        planted = _planted(hits[span[0] - 1], span[1], span[2])
        if planted is not None:
            return CheckedClaim(claim, cited, (), f"quote «{quoted[:60]}» is in a sentence "
                                f"of passage [{span[0]}] that {planted}, which is never quoted")
        quotes.append(span)
    return CheckedClaim(claim, cited, tuple(quotes), None)


def _planted(hit: Hit, start: int, end: int) -> str | None:
    """Why the sentences of `hit` that [start, end) touches may not be quoted, or None."""
    for s, e in hit.sentences:
        if s < end and start < e:
            found = flag(hit.span_text(s, e))
            if found is not None:
                return f"{found.reason} ({found.detail})"
    return None


def _locate(quoted: str, cited: tuple[int, ...], hits: list[Hit]) -> tuple[int, int, int] | None:
    for n in cited:
        hit = hits[n - 1]
        span = find_normalized(quoted, hit.text)
        if span is not None:
            return n, hit.start + span[0], hit.start + span[1]
    return None
