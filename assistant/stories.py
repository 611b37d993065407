"""Stories: the hits of one answer grouped by the event they report, so that it quotes one.

A question's hits can come from several stories: the Erbil rockets of 2021 and, through the
words «الهجوم» and «مسؤولية», a 2015 bombing in Suruç. Quoting both side by side lets a reader
take the one's claim of responsibility for the other's. So the hits are grouped:

- the passages of one article are one story;
- a wire copy (the same text in another outlet: a twin that retrieval already grouped under a
  hit, `Hit.copies`, or two hits whose terms are nearly the same) is the same story, and is
  cited once, under the copy ranked first, with "also in: outlet, date";
- two articles that share enough content terms and were published within a few days of each
  other are reports of one story (single link: a story grows by any of its articles).

The best story is, among those whose evidence is close to the best hit's, the one that holds
most of the question's terms, weighted by their idf (retrieval order on a tie): a 2015 bombing
that scores as well as the Erbil rockets, but without «أربيل», is not the answer. Another
story is quoted only when its evidence is close to the best story's and it holds most of the
question's terms the best story holds; its quotes then come after the best story's, each its
own item with its outlet and date (as every quote is).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from assistant.retrieve import Copy, Hit
from assistant.scoring import Stories
from index.tokens import tokenize

__all__ = ["Story", "chosen", "close", "group", "quotable", "ranked"]




@dataclass(frozen=True)
class Story:
    hits: tuple[Hit, ...]  # best first; wire copies folded into their first copy's `copies`
    evidence: float  # the best evidence among its hits
    matched: tuple[tuple[str, float], ...]  # the question's terms its hits hold, with idf

    @property
    def articles(self) -> tuple[str, ...]:
        """Its articles, the quoted ones and their wire copies."""
        seen = [h.article_id for h in self.hits] + [c.article_id for h in self.hits
                                                    for c in h.copies]
        return tuple(dict.fromkeys(seen))


@dataclass
class _Article:
    hits: list[Hit]
    terms: set[str]
    day: int | None
    copy_of: int | None = None  # index of the article this one is a wire copy of


def group(hits: list[Hit], weights: Stories = Stories()) -> list[Story]:
    """`hits` (best first) as stories, best first."""
    articles: dict[str, _Article] = {}
    for hit in hits:
        if hit.article_id in articles:
            articles[hit.article_id].hits.append(hit)
            articles[hit.article_id].terms |= _terms(hit)
        else:
            articles[hit.article_id] = _Article([hit], _terms(hit), _day(hit.date))
    found = list(articles.values())
    story_of = list(range(len(found)))  # union-find over articles, the first as the root

    def root(i: int) -> int:
        while story_of[i] != i:
            i = story_of[i]
        return i

    def join(i: int, j: int) -> None:
        ri, rj = root(i), root(j)
        story_of[max(ri, rj)] = min(ri, rj)

    ids = list(articles)
    for j, b in enumerate(found):
        twins = {c.article_id for h in b.hits for c in h.copies}
        for i, a in enumerate(found[:j]):
            overlap, same = _overlap(a.terms, b.terms), _jaccard(a.terms, b.terms)
            retrieved_twin = ids[i] in twins or ids[j] in {c.article_id for h in a.hits
                                                           for c in h.copies}
            copy = retrieved_twin or (same >= weights.copy_overlap
                                      and _near(a.day, b.day, weights.copy_days))
            if copy and b.copy_of is None:
                b.copy_of = i if a.copy_of is None else a.copy_of
            if copy or (overlap >= weights.story_overlap
                        and _near(a.day, b.day, weights.story_days)):
                join(i, j)
    members: dict[int, list[int]] = {}
    for i in range(len(found)):
        members.setdefault(root(i), []).append(i)
    stories = []
    for indices in members.values():
        story_hits: list[Hit] = []
        for i in indices:
            a = found[i]
            if a.copy_of is not None:  # cited under its first copy
                continue
            copies = [_copy(found[c].hits[0]) for c in indices if found[c].copy_of == i]
            for hit in a.hits:
                extra = [c for c in copies if c.article_id not in
                         {x.article_id for x in hit.copies}]
                story_hits.append(replace(hit, copies=(*hit.copies, *extra)) if extra else hit)
        rank = {id(h): n for n, h in enumerate(hits)}
        story_hits.sort(key=lambda h: rank.get(id(h), len(hits)))
        all_hits = [h for i in indices for h in found[i].hits]
        matched = dict(m for h in all_hits for m in h.matched)
        stories.append(Story(tuple(story_hits), max(h.evidence for h in all_hits),
                             tuple(matched.items())))
    return stories


def chosen(hits: list[Hit], weights: Stories = Stories()) -> list[Story]:
    """The stories an answer may quote, best first: the best story, then those close to it
    (`close`); a wire copy's passages are left to its first copy."""
    stories = ranked(group(hits, weights), weights)
    return [s for s in stories if s is stories[0] or close(s, stories[0], weights)]


def quotable(hits: list[Hit], weights: Stories = Stories()) -> list[Hit]:
    """The hits of the `chosen` stories, the best story's first."""
    return [h for s in chosen(hits, weights) for h in s.hits]


def ranked(stories: list[Story], weights: Stories = Stories()) -> list[Story]:
    """`stories` (in retrieval order) with the best first: of those whose evidence is within
    `weights.close` of the first, the one that holds most of the question's terms by idf
    (the first, on a tie); the others stay in order."""
    if not stories:
        return []
    contenders = [s for s in stories if s.evidence >= stories[0].evidence - weights.close]
    best = max(contenders, key=lambda s: sum(_topic(s).values()))
    return [best, *(s for s in stories if s is not best)]


def close(story: Story, best: Story, weights: Stories = Stories()) -> bool:
    """Whether `story` answers nearly as well as `best`: its evidence within `weights.close`,
    and the question's terms that `best` holds mostly held by it too (weighted by idf)."""
    if story.evidence < best.evidence - weights.close:
        return False
    wanted = _topic(best)
    held = _topic(story)
    total = sum(wanted.values())
    return not total or sum(w for t, w in wanted.items() if t in held) / total >= weights.topic


def _topic(story: Story) -> dict[str, float]:
    """The question's terms the story holds, with their idf; not numbers (a year is no topic)."""
    return {t: w for t, w in story.matched if not t.isdigit()}


def _terms(hit: Hit) -> set[str]:
    return set(tokenize(hit.title)) | set(tokenize(hit.text))


def _overlap(a: set[str], b: set[str]) -> float:
    """The share of the smaller set's terms that the other holds."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _day(text: str | None) -> int | None:
    try:
        return date.fromisoformat(text[:10]).toordinal() if text else None
    except ValueError:
        return None


def _near(a: int | None, b: int | None, days: int) -> bool:
    """Published within `days` of each other; an undated article is near any date."""
    return a is None or b is None or abs(a - b) <= days


def _copy(hit: Hit) -> Copy:
    return Copy(hit.article_id, hit.source, hit.date)
