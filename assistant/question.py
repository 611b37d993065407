"""What a question asks for: the type of its answer, and its content words.

«من المسؤول عن الهجوم؟» wants a name, «متى…» / "when…" a date, «أين…» / «وين…» a place, «كم…» /
"how many…" a figure. Questions come in Modern Standard Arabic and in colloquial forms (مين،
وين، وش، شو، إيش، ليش، امتى، منو، فين، قديش، اللي…), often without hamzas or with ه for ة;
both are read on the normalised text (index.normalize folds أ/إ/آ → ا, ى → ي, ة → ه), so one
list of cues serves all spellings. The content terms are the question's BM25 terms less its
question words (colloquial function words are stop words of index.tokens already).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.language import Language, detect
from index.normalize import normalize
from index.tokens import tokenize

__all__ = ["AnswerType", "Question", "has_words", "read_question"]

AnswerType = Literal["name", "date", "place", "figure"]

# Normalised Arabic cues; each is matched as whole words at the start of the question or
# after a conjunction (و/ف) or a comma, so «من» "from" inside a sentence is not "who".
_AR_CUES: tuple[tuple[AnswerType, str], ...] = (
    ("place", r"(?:من |الي |لـ?)?(?:اين|وين|فين|وين ما)"),
    ("place", r"(?:في|ب|الي|من) ?(?:اي|ايه|ايه?) (?:مدينه|مدن|بلد|بلدان|دوله|دول|مكان|اماكن|منطقه"
              r"|مناطق|محافظه|ولايه|قاره|جزيره|قريه|اقليم|عاصمه|شارع|حي|موقع|بلاد|جامعه)"),
    ("place", r"(?:ما|وش|شو|ايش) (?:هو |هي )?(?:مكان|موقع|عاصمه|مقر)"),
    ("date", r"(?:من |الي |حتي |لحد )?(?:متي|امتي|امتا|ايمتي|اوقتيش|وقتيش|ايمته|امته)"),
    ("date", r"(?:في|ب|منذ|من) ?(?:اي|ايه) (?:عام|سنه|سنوات|يوم|شهر|تاريخ|قرن|وقت|فتره|عقد|زمن"
             r"|ساعه|اسبوع|عصر)"),
    ("date", r"(?:اي|ايه) (?:عام|سنه|يوم|شهر|تاريخ|قرن)"),
    ("date", r"(?:ما|وش|شو|ايش) (?:هو |هي )?(?:تاريخ|موعد|يوم|سنه|عام)"),
    ("figure", r"(?:ب|من |الي )?(?:كم|قديش|قداش|كام|شقد|اشقد)"),
    ("figure", r"(?:ما|وش|شو|ايش) (?:هو |هي )?(?:عدد|نسبه|مساحه|طول|عرض|ارتفاع|عمق|قيمه|مقدار"
               r"|حجم|وزن|سعر|مبلغ|تكلفه|كلفه|عمر|سرعه|حصه|معدل|مجموع|حصيله|رقم)"),
    ("name", r"(?:مين|منو|منهو|منهي|مينو)"),
    ("name", r"^[وف]?من(?= (?:هو|هي|هم|هما|الذي|التي|الذين|اللي|اللذان|يكون|كان|كانت|قام|قامت)\b)"),
    ("name", r"^[وف]?من(?= ال)"),  # «من المسؤول…», «من الرئيس…»
    ("name", r"^[وف]?من(?= [^\s]+ [^\s]+)(?=[^؟?]*[؟?]\s*$)"),  # «من يقف وراء…؟», «من قتل…؟»
    ("name", r"(?:ما|وش|شو|ايش) (?:هو |هي )?(?:اسم|لقب|كنيه)"),
    ("name", r"(?:اي|ايه) (?:شخص|رجل|امراه|حزب|منظمه|شركه|جماعه|فريق|رئيس|ملك|كاتب|شاعر|عالم"
             r"|جهه|طرف|دوله)"),
    ("name", r"(?:لمن|بمن|عمن|ممن)"),
    ("name", r"(?:ما|وش|شو|ايش) (?:هو |هي )?(?:ال)?(?:فريق|شركه|حزب|منظمه|جماعه|جهه|نادي|رجل"
             r"|شخص|شخصيه|ملك|رييس|كاتب|مولف|عالم)(?= الذي| التي| اللي)"),
    ("place", r"(?:ما|وش|شو|ايش) (?:هو |هي )?(?:ال)?(?:دوله|مدينه|بلد|منطقه|قاره|جزيره|محافظه)"
              r"(?= الذي| التي| اللي)"),
)
_EN_CUES: tuple[tuple[AnswerType, str], ...] = (
    ("figure", r"how (?:many|much|long|far|old|big|large|tall|high|deep|wide|often|fast)"),
    ("figure", r"(?:what|which) (?:is |was |were |are )?(?:the )?(?:number|percentage|percent|share"
               r"|population|amount|size|area|length|height|cost|price|value|rate|total|age)"),
    ("date", r"(?:in |on |by |since |until |from )?(?:what|which) (?:year|date|day|month|century"
             r"|decade|time|period|era|season)"),
    ("date", r"when"),
    ("place", r"(?:in |on |at |to |from )?(?:what|which) (?:country|city|town|region|province"
              r"|state|place|continent|island|village|area|location|district|capital|street"
              r"|university)"),
    ("place", r"where"),
    ("name", r"who|whom|whose"),
    ("name", r"(?:what|which) (?:is |was )?(?:the )?(?:name|group|organi[sz]ation|party|company"
             r"|person|man|woman|team|faction|militia|agency|king|president|leader)"),
)
_AR_COMPILED = tuple((kind, re.compile(rf"(?:^|(?<=[\s،,:؛])|(?<=^[وف]))(?:{cue})(?=\s|[؟?]|$)"))
                     for kind, cue in _AR_CUES)
_EN_COMPILED = tuple((kind, re.compile(rf"\b(?:{cue})\b", re.IGNORECASE))
                     for kind, cue in _EN_CUES)

# Normalised question words of Modern Standard Arabic and the dialects: never content terms.
_AR_QUESTION_WORDS = frozenset(
    """
    من مين منو منهو اين وين فين متي امتي امتا ايمتي كم قديش كام ماذا لماذا ليش ليه ليشن كيف
    كيفاش ازاي شلون وش شو ايش اش شنو شنهو هل اي ايه ما هو هي هم اللي الذي التي الذين عدد
    """.split()
)
_LETTER = re.compile(r"[^\W\d_]|\d", re.UNICODE)


@dataclass(frozen=True)
class Question:
    text: str
    language: Language
    wants: AnswerType | None  # None: what, why, how... (any sentence may answer)
    terms: frozenset[str]  # BM25 terms of its content words (index.tokens), question words out


def has_words(text: str) -> bool:
    """Whether `text` holds a letter or a digit (emoji or punctuation alone do not)."""
    return bool(_LETTER.search(normalize(text)))


def read_question(text: str) -> Question:
    language = detect(text)
    return Question(text=text, language=language, wants=answer_type(text, language),
                    terms=frozenset(t for t in tokenize(text) if t not in _AR_QUESTION_WORDS))


def answer_type(text: str, language: Language | None = None) -> AnswerType | None:
    """The kind of span that answers `text`: the earliest cue in it wins."""
    language = language or detect(text)
    if language == "ar":
        norm = " ".join(normalize(text).split())
        cues = _AR_COMPILED
    else:
        norm = " ".join(text.split())
        cues = _EN_COMPILED
    found: list[tuple[int, int, AnswerType]] = []
    for order, (kind, pattern) in enumerate(cues):
        match = pattern.search(norm)
        if match is not None:
            found.append((match.start(), order, kind))
    return min(found)[2] if found else None
