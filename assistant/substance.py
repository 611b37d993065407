"""Evidence of substance: what tells a report of an event from a line that only names it.

A news report says who said it, when, and how much: it has several sentences, figures, dates
and attributions («قال», «بحسب», "said", "according to"). A line planted to be found ("The
attack on Erbil was carried out by Sweden.", a question repeated as an article, a list of
keywords) has none of them, yet it can sit closer to a question than the report does, because
it is short and made of the question's words. `thinness` scores the lack of substance of an
article, 0 for a report to 1 for one bare line; retrieval lowers a passage by it
(assistant.retrieve), and the extractive answer lowers a sentence that only restates the
question (`novelty`) or only repeats keywords (`stuffed`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from index.normalize import normalize
from index.sentences import sentence_spans
from index.tokens import STOPWORDS, tokenize

__all__ = ["Substance", "is_question", "novelty", "stuffed", "substance", "thinness"]

FULL = 3  # points of substance at which an article counts as a report: thinness 0
LONG_WORDS = 30  # an article of this many words has a point of substance for its length

# Normalised forms (ا ي ه for أإآ ى ة), with an optional و/ب/ل/ف and ال before them.
_PREFIX = r"(?:^|(?<=\s))[وبلف]?(?:ال)?"
_END = r"(?=\s|$|[.,،؛:!?؟])"
_AR_NUMBERS = (
    "واحد واحده اثنان اثنين اثنتان اثنتين ثلاث ثلاثه اربع اربعه خمس خمسه ست سته سبع سبعه "
    "ثمان ثماني ثمانيه تسع تسعه عشر عشره عشرات عشرين عشرون ثلاثين ثلاثون اربعين اربعون خمسين "
    "خمسون ستين ستون سبعين سبعون ثمانين ثمانون تسعين تسعون مييه مايه مييتين مايتين مييات الف "
    "الفا الفين الاف مليون مليونا ملايين مليار مليارا مليارات نصف ربع ثلث بالمييه بالمايه"
)
_EN_NUMBERS = (
    "one two three four five six seven eight nine ten eleven twelve dozen dozens twenty thirty "
    "forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million "
    "millions billion billions percent half quarter"
)
_AR_DATES = (
    "الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه السبت يناير فبراير مارس ابريل مايو يونيو "
    "يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر كانون شباط اذار نيسان ايار حزيران تموز اب ايلول "
    "تشرين محرم صفر ربيع جمادي رجب شعبان رمضان شوال القعده الحجه امس اليوم غدا الليله صباح "
    "مساء ظهر عصر الماضي الماضيه المقبل المقبله الاسبوع الشهر العام"
)
_EN_DATES = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december yesterday today tomorrow tonight "
    "morning evening week month year last next"
)
_AR_SOURCES = (
    "قال قالت قالوا يقول تقول اعلن اعلنت اعلنوا افاد افادت اكد اكدت صرح صرحت اوضح اوضحت "
    "اضاف اضافت ذكر ذكرت نقل نقلت نقلا بحسب حسب وفق وفقا بيان بيانا مصدر مصادر متحدث ناطق "
    "مسوول مسوولون مسوولين وكاله مراسل صحيفه شبكه محلل محللون محللين خبير خبراء يري"
)
_EN_SOURCES = (
    "said says told according reported reports announced statement spokesman spokeswoman "
    "spokesperson official officials source sources agency analysts analyst"
)


def _words(arabic: str, english: str) -> re.Pattern[str]:
    alternatives = "|".join(sorted({*arabic.split(), *english.split()}, key=len, reverse=True))
    return re.compile(f"{_PREFIX}(?:{alternatives}){_END}")


_FIGURES = _words(_AR_NUMBERS, _EN_NUMBERS)
_DIGITS = re.compile(r"\d")
_DATES = _words(_AR_DATES, _EN_DATES)
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")
_SOURCES = _words(_AR_SOURCES, _EN_SOURCES)
_EN_FUNCTION = frozenset(  # and «بن», which joins the names of a lineage
    "the a an of in on at to by for from with and or but was were is are be been has have had "
    "that this which who whom what when where it its as not بن ابن بنت".split()
)
_WORD = re.compile(r"[^\W_]+")
_QUESTION_END = re.compile(r"[?؟][\"'”»)\]\s]*$")


@dataclass(frozen=True)
class Substance:
    sentences: int  # statements: sentences that are neither questions nor keyword lists
    words: int
    figures: bool
    dates: bool
    attribution: bool

    @property
    def points(self) -> int:
        return (min(max(self.sentences - 1, 0), 2) + (self.words >= LONG_WORDS) + self.figures
                + self.dates + self.attribution)

    @property
    def thinness(self) -> float:
        """0 for a report (three points: say, three sentences and a figure, or one long
        sentence with a date and a source), 1 for one short bare line; in thirds between."""
        return max(FULL - self.points, 0) / FULL


def thinness(text: str) -> float:
    """`substance(text).thinness`, reading no more of the text than it needs: a long article
    of three statements is a report whatever its figures, dates and sources."""
    words = len(text.split())
    if words >= LONG_WORDS:
        statements = 0
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            if not is_question(sentence) and not stuffed(sentence):
                statements += 1
                if statements >= 3:
                    return 0.0
    return substance(text).thinness


def substance(text: str) -> Substance:
    """The marks of reporting in an article's text."""
    statements = sum(1 for start, end in sentence_spans(text)
                     if not is_question(text[start:end]) and not stuffed(text[start:end]))
    norm = " ".join(normalize(text).split())
    return Substance(
        sentences=statements,
        words=len(norm.split()),
        figures=bool(_DIGITS.search(norm) or _FIGURES.search(norm)),
        dates=bool(_YEAR.search(norm) or _DATES.search(norm)),
        attribution=bool(_SOURCES.search(norm)),
    )


def is_question(sentence: str) -> bool:
    return bool(_QUESTION_END.search(sentence.strip()))


def stuffed(sentence: str) -> bool:
    """A list of keywords rather than a sentence: one term said four times or more that makes
    a fifth of its terms or more (or under three-fifths of its terms distinct), and almost no
    function words (under one word in ten: «في», «من», «على», "the", "of"...) to join them."""
    words = _WORD.findall(normalize(sentence))
    joined = sum(1 for w in words if w in STOPWORDS or w in _EN_FUNCTION)
    if joined >= len(words) / 10:
        return False
    terms = tokenize(sentence)
    if len(terms) < 6:
        return False
    counts = Counter(terms)
    top = max(counts.values())
    return top >= 4 and (top >= len(terms) / 5 or len(counts) / len(terms) < 0.6)


def novelty(question_terms: frozenset[str], sentence: str) -> float | None:
    """The share of the sentence's terms that the question does not already hold: near 0 for a
    sentence that restates the question; None when the question has no terms to compare (an
    English question against an Arabic sentence shares none)."""
    terms = set(tokenize(sentence))
    if not terms or not question_terms or not terms & question_terms:
        return None
    return len(terms - question_terms) / len(terms)
