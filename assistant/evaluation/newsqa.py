"""The news QA set (`../shared/data/newsqa-dev`) through an opened archive, per language and
Arabic register: `python -m assistant.evaluation.newsqa --store STORE [--json]`.

For each answerable question: is a correct source among the top 5 `search` hits (a hit's
near-duplicates grouped under it, `also_in`, count: the reader sees them as the same story),
does the `ask` answer cite one, does one of its quotes hold every keyword, and was it refused
(a false refusal). Off-topic questions: refused or not. Follow-up pairs: the second question,
asked with the first (and its answer) as history, cites a correct source of its own.

A correct source is an article of `answer_articles.json` for that question. With
`keywords_count` (`--keywords-count`: for a store that holds articles outside the sample and
seeds, such as the whole SaudiNewsNet archive, whose wire copies the list does not name), an
article whose stored text holds every keyword of the question counts too. Only the articles
retrieved or cited are checked, one `Archive.article` each, so it costs nothing in a big store.
Over the sample + seeds the rule changes nothing: the list is every article of theirs whose
text holds the keywords.

Arabic register: the set does not mark it; it is read from the question the way the set's own
`verify.py` does (Gulf when a token, after normalisation, is one of its colloquial markers
GULF_MARKERS; MSA otherwise), which gives its 20 MSA + 20 Gulf main questions.

A follow-up file of our own (`--followups`, e.g. tests/bench/followups.jsonl: `qid, lang,
question, article_id, keywords`, the second of a pair with `follows`) is scored the same way;
its correct sources are the pair's article and, always, any article holding the keywords.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.archive import Archive
from assistant.chat import Turn
from assistant.config import Settings
from assistant.errors import AkhbarError, ArticleNotFoundError
from assistant.evaluation.evaluate import read_jsonl, table
from index.build import IndexReport
from index.normalize import normalize

DEV_SET = Path(__file__).resolve().parents[3] / "shared" / "data" / "newsqa-dev"
K = 5  # search hits looked at

Register = Literal["msa", "gulf"]

# verify.py's colloquial (Gulf) markers, compared word by word after index.normalize (the
# folding verify.py does: hamzas, alef maqsura, teh marbuta, diacritics).
GULF_MARKERS = ("مين", "وين", "وش", "ليش", "امتى", "اللي", "شلون", "ايش", "عشان",
                "وشو", "ويش", "شنو", "ليه", "فين", "هالعيد", "هالسنه")
_NONWORD = re.compile(r"[^0-9a-z\u0621-\u064A]+")


def _fold(text: str) -> list[str]:
    return _NONWORD.sub(" ", normalize(text)).split()


_GULF = frozenset(t for m in GULF_MARKERS for t in _fold(m))


def register(question: str) -> Register:
    """Gulf when the question holds a colloquial marker word (verify.py's rule), else MSA."""
    return "gulf" if _GULF & set(_fold(question)) else "msa"


@dataclass(frozen=True)
class NewsQuestion:
    qid: str
    lang: str  # "en" / "ar"
    question: str
    group: str  # "main", "rudaw", "off-topic", "follow-up" (first or second of a pair)
    keywords: tuple[str, ...] = ()
    gold: frozenset[str] = frozenset()  # the articles that count as correct sources
    follows: str | None = None  # the first question of the pair, for a second one

    @property
    def answerable(self) -> bool:
        return bool(self.keywords)


def _group(qid: str) -> str:
    if qid.startswith("dev-rudaw-"):
        return "rudaw"
    if qid.startswith("dev-oos-"):
        return "off-topic"
    if qid.startswith("dev-fu-"):
        return "follow-up"
    return "main"


def load_questions(questions_dir: Path) -> list[NewsQuestion]:
    """questions.jsonl with the correct sources of answer_articles.json."""
    gold = json.loads((questions_dir / "answer_articles.json").read_text(encoding="utf-8"))
    return [NewsQuestion(q["qid"], q["lang"], q["question"], _group(q["qid"]),
                         tuple(q.get("keywords") or ()), frozenset(gold.get(q["qid"], ())),
                         q.get("follows"))
            for q in read_jsonl(questions_dir / "questions.jsonl")]


class FollowUpsError(AkhbarError):
    """A follow-up (`qid`) in the file at `path` follows a question the file does not hold."""

    def __init__(self, path: Path, qid: str) -> None:
        super().__init__(f"{path}: {qid} follows a question the file does not hold")
        self.path, self.qid = path, qid


def load_followups(path: Path) -> list[NewsQuestion]:
    """A follow-up file: pairs of questions, the second naming the first in `follows`."""
    out = [NewsQuestion(q["qid"], q["lang"], q["question"], "follow-up",
                        tuple(q["keywords"]), frozenset([q["article_id"]]), q.get("follows"))
           for q in read_jsonl(path)]
    qids = {q.qid for q in out}
    broken = [q.qid for q in out if q.follows is not None and q.follows not in qids]
    if broken:
        raise FollowUpsError(path, broken[0])
    return out


@dataclass(frozen=True)
class Outcome:
    """What one question got."""

    qid: str
    lang: str
    register: Register | None  # Arabic questions only
    answerable: bool
    found: bool | None  # a correct source among the top K hits, twins (also_in) counted
    found_strict: bool | None  # the same, the hits' own articles only
    cited: bool  # a correct source among the cited articles
    quoted: bool  # one quote holds every keyword
    refused: bool
    hits: tuple[str, ...]  # the top K hits' articles
    citations: tuple[str, ...]  # the cited articles


class _Judge:
    """Whether an article is a correct source for a question; stored texts read once each."""

    def __init__(self, archive: Archive, keywords_count: bool) -> None:
        self.archive = archive
        self.keywords_count = keywords_count
        self._texts: dict[str, str | None] = {}

    def text(self, article_id: str) -> str | None:
        if article_id not in self._texts:
            try:
                self._texts[article_id] = self.archive.article(article_id).text
            except ArticleNotFoundError:
                self._texts[article_id] = None
        return self._texts[article_id]

    def correct(self, q: NewsQuestion, article_id: str, *, by_keywords: bool = False) -> bool:
        if article_id in q.gold:
            return True
        if not (self.keywords_count or by_keywords) or not q.keywords:
            return False
        text = self.text(article_id)
        return text is not None and all(k in text for k in q.keywords)


def _judge(judge: _Judge, q: NewsQuestion, history: Sequence[Turn], *, search: bool,
           by_keywords: bool) -> tuple[Outcome, Turn]:
    """Search (unless `search` is off: a follow-up, whose search needs its history) and ask."""
    found = found_strict = None
    hit_ids: tuple[str, ...] = ()
    if search:
        hits = judge.archive.search(q.question, k=K)[:K]
        hit_ids = tuple(h.article_id for h in hits)
        if q.answerable:
            found_strict = any(judge.correct(q, a, by_keywords=by_keywords) for a in hit_ids)
            found = found_strict or any(judge.correct(q, a, by_keywords=by_keywords)
                                        for h in hits for a in h.also_in)
    answer = judge.archive.ask(q.question, history=history)
    cited_ids = tuple(dict.fromkeys(c.article_id for c in answer.citations))
    cited = q.answerable and any(judge.correct(q, a, by_keywords=by_keywords) for a in cited_ids)
    quoted = q.answerable and any(all(k in c.quote for k in q.keywords)
                                  for c in answer.citations)
    outcome = Outcome(q.qid, q.lang, register(q.question) if q.lang == "ar" else None,
                      q.answerable, found, found_strict, cited, quoted, answer.refused,
                      hit_ids, cited_ids)
    return outcome, Turn(q.question, answer.text, cited_ids)


@dataclass(frozen=True)
class Row:
    name: str
    n: int
    found: float | None  # share with a correct source in the top K (None: not searched)
    cited: float | None
    quoted: float | None
    refused: float  # answerable rows: false refusals; the off-topic row: refusals
    refused_count: int
    by_language: dict[str, tuple[int, int]] | None = None  # off-topic: lang -> (refused, n)

    def cells(self) -> list[str]:
        def share(x: float | None) -> str:
            return "-" if x is None else f"{x:.3f}"

        if self.by_language is not None:
            parts = ", ".join(f"{lang} {r}/{n}" for lang, (r, n) in self.by_language.items())
            refused = f"{self.refused_count} of {self.n} ({parts})"
        else:
            refused = f"{self.refused:.3f}"
        return [self.name, str(self.n), share(self.found), share(self.cited),
                share(self.quoted), refused]


HEADER = ["questions", "n", f"source in top {K}", "source cited", "keywords in a quote",
          "refused"]


def _row(name: str, outcomes: Sequence[Outcome], *, off_topic: bool = False) -> Row:
    n = len(outcomes)

    def share(values: Iterable[bool | None]) -> float | None:
        known = [v for v in values if v is not None]
        return sum(known) / len(known) if known and len(known) == n else None

    refused = sum(o.refused for o in outcomes)
    if off_topic:
        langs = sorted({o.lang for o in outcomes}, key=("en", "ar").index)
        by_lang = {lang: (sum(o.refused for o in outcomes if o.lang == lang),
                          sum(o.lang == lang for o in outcomes)) for lang in langs}
        return Row(name, n, None, None, None, refused / n if n else 0.0, refused, by_lang)
    return Row(name, n, share(o.found for o in outcomes), share(o.cited for o in outcomes),
               share(o.quoted for o in outcomes), refused / n if n else 0.0, refused)


@dataclass(frozen=True)
class NewsQaReport:
    rows: tuple[Row, ...]
    outcomes: tuple[Outcome, ...]
    keywords_count: bool
    missing_gold: tuple[str, ...]  # correct-source ids the store does not hold

    def row(self, name: str) -> Row:
        return next(r for r in self.rows if r.name == name)

    def as_dict(self) -> dict[str, Any]:
        return {"keywords_count": self.keywords_count, "k": K,
                "missing_gold": list(self.missing_gold),
                "rows": [asdict(r) for r in self.rows],
                "questions": [asdict(o) for o in self.outcomes]}


def _pairs(questions: Sequence[NewsQuestion]) -> list[tuple[NewsQuestion, NewsQuestion]]:
    by_qid = {q.qid: q for q in questions}
    return [(by_qid[q.follows], q) for q in questions if q.follows in by_qid]


def _followup_rows(judge: _Judge, name: str, questions: Sequence[NewsQuestion],
                   progress: Callable[[], None], *, by_keywords: bool,
                   ) -> tuple[list[Row], list[Outcome]]:
    """Each pair: the first asked alone, the second with it as history. The row scores the
    seconds: "source cited" is the share citing a correct source of their own (the story)."""
    firsts, seconds = [], []
    for first, second in _pairs(questions):
        got, turn = _judge(judge, first, (), search=True, by_keywords=by_keywords)
        progress()
        then, _ = _judge(judge, second, (turn,), search=False,
                         by_keywords=by_keywords)
        progress()
        firsts.append(got)
        seconds.append(then)
    rows = [_row(name, seconds)]
    for lang in ("en", "ar"):
        mine = [o for o in seconds if o.lang == lang]
        if mine and len(mine) < len(seconds):
            rows.append(_row(f"{name} {lang}", mine))
    rows.append(_row(f"{name}: the firsts", firsts))  # asked alone, as the main questions
    return rows, firsts + seconds


def evaluate_newsqa(
    archive: Archive, questions_dir: Path | None = None, *, keywords_count: bool = False,
    followups: Path | None = None, progress: Callable[[int, int], None] | None = None,
) -> NewsQaReport:
    """Score the set in `questions_dir` (None: only the `followups` file) on an open archive."""
    questions = load_questions(questions_dir) if questions_dir is not None else []
    extra = load_followups(followups) if followups is not None else []
    judge = _Judge(archive, keywords_count)
    total = (sum(q.group != "follow-up" for q in questions)
             + 2 * len(_pairs(questions)) + 2 * len(_pairs(extra)))
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    single: dict[str, Outcome] = {}
    for q in questions:
        if q.group in ("main", "rudaw", "off-topic"):
            single[q.qid], _ = _judge(judge, q, (), search=True, by_keywords=False)
            step()
    by_group: dict[str, list[Outcome]] = {}
    for q in questions:
        if q.qid in single:
            by_group.setdefault(q.group, []).append(single[q.qid])
    main = by_group.get("main", [])
    arabic = [o for o in main if o.lang == "ar"]
    rows: list[Row] = []
    if questions:
        rows += [_row("en", [o for o in main if o.lang == "en"]),
                 _row("ar-MSA", [o for o in arabic if o.register == "msa"]),
                 _row("ar-Gulf", [o for o in arabic if o.register == "gulf"]),
                 _row("ar all", arabic),
                 _row("rudaw (seed)", by_group.get("rudaw", [])),
                 _row("off-topic", by_group.get("off-topic", []), off_topic=True)]
    outcomes = list(single.values())
    if any(q.group == "follow-up" for q in questions):
        more_rows, more = _followup_rows(judge, "follow-ups", questions, step,
                                         by_keywords=False)
        rows += more_rows
        outcomes += more
    if extra:
        more_rows, more = _followup_rows(judge, f"follow-ups ({followups.name})"
                                         if followups else "follow-ups", extra, step,
                                         by_keywords=True)
        rows += more_rows
        outcomes += more
    gold = sorted({a for q in [*questions, *extra] for a in q.gold})
    missing = tuple(a for a in gold if judge.text(a) is None)
    return NewsQaReport(tuple(rows), tuple(outcomes), keywords_count, missing)


@dataclass(frozen=True)
class NewsQaOptions:
    """`akhbar eval --newsqa DIR`: the set in `questions`, asked over a store of `archives`
    (the sample and seeds/ it was written over) and `distractors` beside them; with
    distractors, any stored article holding every keyword counts as a correct source."""

    questions: Path
    archives: tuple[Path, ...]
    distractors: tuple[Path, ...] = ()
    followups: Path | None = None
    store: Path | None = None  # kept; None: a temporary store


def run_newsqa(
    options: NewsQaOptions, settings: Settings, *,
    on_indexed: Callable[[Path, IndexReport], None] = lambda _p, _r: None,
    progress: Callable[[int, int], None] | None = None,
) -> NewsQaReport:
    """Index (incrementally, into `options.store` or a temporary store) and score."""
    with tempfile.TemporaryDirectory(prefix="akhbar-newsqa-") as tmp:
        settings = dataclasses.replace(settings, store=options.store or Path(tmp))
        archive = Archive.open(settings, create=True)
        try:
            for path in [*options.distractors, *options.archives]:
                on_indexed(path, archive.index([path]))
            return evaluate_newsqa(archive, options.questions,
                                   keywords_count=bool(options.distractors),
                                   followups=options.followups, progress=progress)
        finally:
            archive.close()


def render(report: NewsQaReport) -> str:
    rule = ("gold list + any stored article holding every keyword" if report.keywords_count
            else "answer_articles.json")
    lines = [table([r.cells() for r in report.rows], HEADER),
             f"correct sources: {rule}; source in top {K} counts near-duplicates (also_in); "
             "refused: false refusals, off-topic: refusals; follow-ups: the second question "
             "asked after the first"]
    if report.missing_gold:
        lines.append(f"{len(report.missing_gold)} listed source(s) not in the store: "
                     + ", ".join(report.missing_gold[:10]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.config import load_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=DEV_SET,
                        help="the set's folder (questions.jsonl, answer_articles.json)")
    parser.add_argument("--no-questions", action="store_true",
                        help="only the --followups file")
    parser.add_argument("--followups", type=Path, help="a follow-up pairs JSONL to score too")
    parser.add_argument("--keywords-count", action="store_true",
                        help="an article holding every keyword counts as a correct source")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    archive = Archive.open(load_settings({"store": args.store}))
    try:
        report = evaluate_newsqa(
            archive, None if args.no_questions else args.questions,
            keywords_count=args.keywords_count, followups=args.followups, progress=progress)
    finally:
        archive.close()
    print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
