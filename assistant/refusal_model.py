"""When to refuse: a small logistic model over several signals of what was retrieved.

One evidence score cannot separate answerable from off-topic questions at every archive size:
over six articles "Who won the 2022 World Cup?" finds the one sports story with a fair score,
and among hundreds a football quote scores higher still. So the decision reads several
signals of the top passages (`Signals`): the best evidence over the store's probed
threshold (assistant.refusal), its margin over the other passages, how much of the
question's content words the best sentence covers, whether the question's figures (a year, a
score) are in the passages at all, whether an English question's names and dictionary
translations were found, and the size of the store. A logistic regression fitted by
`scripts/fit_refusal.py` (coefficients in `refusal_model.json`, beside this file) turns them
into the probability that the archive answers; under the model's cutoff for the question's
language the answer refuses.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from assistant.language import Language, detect, name_words
from assistant.retrieve import Hit
from assistant.translate import TranslatedQuery
from index.normalize import normalize
from index.tokens import tokenize

MODEL = Path(__file__).with_name("refusal_model.json")
METHOD = "signals-v7"  # bump with the signals: a model fitted on other signals is refused
TOP = 5  # passages read, whatever k the question is asked with

# Question words and the verbs that frame a question ("how much did it reach", "who stands
# behind"), in MSA and Gulf Arabic, as index.tokens writes terms: they ask, they are not content.
_ASKING = frozenset(tokenize(
    "من ما ماذا لماذا متى كيف كم هل أي اين أين ماهو ماهي هو هي "
    "وش ايش إيش شنو منو وين شلون ليش "
    "بلغ بلغت يبلغ تبلغ وصل وصلت يقف تقف وراء هناك يوجد توجد تم صار اللي"
))
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Signals:
    """What the decision reads, each comparable across questions and stores."""

    over_threshold: float  # the best Hit.evidence, minus the store's probed threshold
    margin: float  # best evidence minus the mean of the others
    coverage: float  # share of the question's content words (by idf) in its best sentence
    unknown: float  # share of its content words that no passage of the archive holds
    rarest: float  # 1 when its rarest content word (by idf) is in one of the top passages
    sentence: float  # the best query . sentence similarity among the top passages
    specificity: float  # the idf of its content words the archive knows, summed, over log(N)
    numbers_missing: float  # share of the question's figures found in no top passage
    undated: float  # share of the years it names from which the archive has no article
    names_missing: float  # English: 1 when it names something and no passage's article has it
    translated: float  # English: share of its content words the dictionary translates
    store_size: float  # log10 of the articles stored
    english: float  # 1 for an English question


FEATURES = tuple(f.name for f in fields(Signals))


class RefusalModelError(ValueError):
    """The model file is missing a field, has the wrong shape, or was fitted on other signals."""


@dataclass(frozen=True)
class RefusalModel:
    terms: tuple[str, ...]  # a signal's name, or a product of two: "coverage*store_size"
    weights: tuple[float, ...]  # one per term, on standardised terms
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    cutoff: dict[Language, float]  # per language: refuse below this probability of an answer

    def values(self, signals: Signals) -> tuple[float, ...]:
        """The model's terms for `signals`, before standardising."""
        named = dict(zip(FEATURES, astuple(signals), strict=True))
        return tuple(math.prod(named[f] for f in term.split("*")) for term in self.terms)

    def probability(self, signals: Signals) -> float:
        z = self.bias + sum(w * (x - m) / s for w, x, m, s in zip(
            self.weights, self.values(signals), self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def refuses(self, signals: Signals) -> bool:
        language: Language = "en" if signals.english else "ar"
        return self.probability(signals) < self.cutoff[language]

    def as_dict(self) -> dict[str, object]:
        return {"method": METHOD, "features": list(FEATURES), "terms": list(self.terms),
                "weights": list(self.weights), "bias": self.bias, "mean": list(self.mean),
                "scale": list(self.scale), "cutoff": dict(self.cutoff)}


def load(path: Path = MODEL) -> RefusalModel:
    """The model in `path`, checked against the signals this code computes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise RefusalModelError(f"{path}: cannot read the refusal model ({err}). "
                                "Refit it: python scripts/fit_refusal.py") from err
    if not isinstance(data, dict):
        raise RefusalModelError(f"{path}: expected a JSON object")
    if data.get("method") != METHOD or data.get("features") != list(FEATURES):
        raise RefusalModelError(
            f"{path}: fitted for method {data.get('method')!r} with features "
            f"{data.get('features')!r}; this code computes {METHOD!r} {list(FEATURES)!r}. "
            "Refit it: python scripts/fit_refusal.py")
    try:
        terms = tuple(str(t) for t in data["terms"])
        model = RefusalModel(
            terms=terms, weights=_numbers(data["weights"]), bias=float(data["bias"]),
            mean=_numbers(data["mean"]), scale=_numbers(data["scale"]),
            cutoff={"ar": float(data["cutoff"]["ar"]), "en": float(data["cutoff"]["en"])})
    except (KeyError, TypeError, ValueError) as err:
        raise RefusalModelError(f"{path}: bad or missing field ({err})") from err
    unknown = [t for t in terms if not set(t.split("*")) <= set(FEATURES)]
    if unknown or not terms:
        raise RefusalModelError(f"{path}: terms {unknown or terms!r} are not signals "
                                f"({', '.join(FEATURES)}) or products of them")
    n = len(terms)
    if not (len(model.weights) == len(model.mean) == len(model.scale) == n):
        raise RefusalModelError(f"{path}: weights, mean and scale must each hold {n} numbers "
                                "(one per term)")
    if any(s <= 0 for s in model.scale) or not all(0 < c < 1 for c in model.cutoff.values()):
        raise RefusalModelError(f"{path}: scales must be positive and each cutoff in (0, 1)")
    return model


def _numbers(values: object) -> tuple[float, ...]:
    if not isinstance(values, list):
        raise TypeError(f"expected a list of numbers, got {type(values).__name__}")
    out = tuple(float(v) for v in values)
    if not all(math.isfinite(v) for v in out):
        raise ValueError("not a finite number")
    return out


def signals(
    question: str, hits: Sequence[Hit], *, threshold: float, articles: int,
    idf: Callable[[str], float | None], translation: TranslatedQuery | None = None,
    years: frozenset[int] = frozenset(),
) -> Signals:
    """The signals of `hits` (best first) for `question`, over a store of `articles` with the
    probed `threshold`; `idf`: a term's idf in the archive (None: no passage holds it);
    `translation`: the English question's dictionary reading, if any; `years`: those the
    archive's articles are dated in."""
    top = list(hits[:TOP])
    language: Language = detect(question)
    evidence = [h.evidence for h in top]
    best = max(evidence, default=0.0)
    others = sorted(evidence, reverse=True)[1:]
    margin = best - (sum(others) / len(others) if others else 0.0)
    sentences = [frozenset(tokenize(h.span_text(s, e)))
                 for h in top for s, e in h.sentences]
    words = _content_words(question, language, translation)
    known = [[i for i in map(idf, w) if i is not None] for w in words]
    rarest_idf = math.log(2 + max(articles, 0)) + 1.0  # an unknown word's weight
    weight = [min(k) if k else rarest_idf for k in known]  # a synonym set: its commonest form
    total = sum(weight)
    coverage = max((sum(wt for w, wt in zip(words, weight, strict=True) if w & terms) / total
                    for terms in sentences), default=0.0) if total else 0.0
    unknown = sum(not k for k in known) / len(words) if words else 0.0
    specific = sum(min(k) for k in known if k)
    held = [frozenset(tokenize(h.text)) for h in top]
    rare = max(range(len(words)), key=lambda i: weight[i]) if words else None
    rarest = float(rare is not None and any(words[rare] & terms for terms in held))
    sentence = max((s for h in top for s in h.sentence_scores), default=0.0)
    figures = set(_NUMBER.findall(normalize(question)))
    passages = " ".join(normalize(h.text) for h in top)
    found = set(_NUMBER.findall(passages))
    numbers_missing = len(figures - found) / len(figures) if figures else 0.0
    named = [int(f) for f in figures if len(f) == 4 and 1900 <= int(f) <= 2100]
    undated = (sum(_undated(y, years) for y in named) / len(named)) if named and years else 0.0
    english = language == "en"
    names_missing = float(english and bool(name_words(question))
                          and not any(h.names > 0 for h in top))
    translated = 0.0
    if english and translation is not None and translation.words:
        translated = sum(bool(w.terms) for w in translation.words) / len(translation.words)
    return Signals(
        over_threshold=best - threshold, margin=margin, coverage=coverage,
        unknown=unknown, rarest=rarest, sentence=sentence, specificity=specific / rarest_idf,
        numbers_missing=numbers_missing, undated=undated, names_missing=names_missing,
        translated=translated,
        store_size=math.log10(1 + max(articles, 0)), english=float(english))


def _undated(year: int, years: frozenset[int]) -> bool:
    """No article could report on `year`: it is after the archive's last, or after its first
    with no article dated that year or the next (a 2015 article reports 2014's figures)."""
    return year > max(years) or (year > min(years) and not {year, year + 1} & years)


def _content_words(
    question: str, language: Language, translation: TranslatedQuery | None,
) -> list[frozenset[str]]:
    """Each content word of the question as the set of terms that would match it in Arabic
    text: an Arabic word, its own term; an English one, its dictionary terms (and itself, for
    names and figures written in Latin letters or digits)."""
    if language == "ar":
        return [frozenset({t}) for t in dict.fromkeys(tokenize(question)) if t not in _ASKING]
    if translation is None:
        return []
    names = set(name_words(question))  # an untranslated name is read by names_missing
    return [frozenset(w.terms) | frozenset(tokenize(w.word)) for w in translation.words
            if w.terms or w.word not in names]
