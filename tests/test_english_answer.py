"""An English reader gets the answering words in English: dates and figures converted exactly,
names as written with a marked transliteration; the Arabic quote follows as the evidence."""

from __future__ import annotations

import pytest

from assistant.answer import LEAD, extract
from assistant.citations import Citation
from assistant.english import english_date, english_figure, first_line, transliterate
from assistant.question import read_question
from assistant.retrieve import Hit
from index.sentences import sentence_spans


@pytest.mark.parametrize(("arabic", "english"), [
    ("١٥ آذار ٢٠٢١", "15 March 2021"),
    ("3 كانون الثاني 2020", "3 January 2020"),
    ("12 تشرين الأول 2019", "12 October 2019"),
    ("٢٣ فبراير ٢٠٢١", "23 February 2021"),
    ("عام ١٩٩٠", "1990"),
    ("يوم الجمعة", "Friday"),
    ("القرن التاسع عشر", "the 19th century"),
    # Umm al-Qura: 1 Ramadan 1441 AH was 24 April 2020; 3 Sha'ban 1441 AH, 27 March 2020
    ("1 رمضان 1441 هـ", "1 Ramadan 1441 AH (24 April 2020)"),
    ("٣ شعبان ١٤٤١ هـ", "3 Sha'ban 1441 AH (27 March 2020)"),
    ("رمضان 1441 هـ", "Ramadan 1441 AH (24 April 2020 to 23 May 2020)"),
])
def test_dates_in_english(arabic: str, english: str) -> None:
    assert english_date(arabic) == english


@pytest.mark.parametrize(("arabic", "english"), [
    ("٣٫٥ مليار دولار", "3,500,000,000 dollars"),
    ("12 ألف جندي", "12,000 soldiers"),
    ("أربعة صواريخ", "4 missiles"),
    ("40 بالمئة", "40 percent"),
    ("١٬٢٠٠ شخص", "1,200 people"),
])
def test_figures_in_english(arabic: str, english: str) -> None:
    assert english_figure(arabic) == english


def test_transliteration_is_latin() -> None:
    latin = transliterate("فصائل مسلحة")
    assert latin.isascii() and latin.split()[0].startswith("F")


RUDAW = ("أطلقت أربعة صواريخ كاتيوشا على قاعدة بلد الجوية في صلاح الدين مساء السبت. "
         "ولم تسفر الهجمات عن إصابات. هل تتوقف الهجمات؟")


def _hit(text: str, scores: tuple[float, ...]) -> Hit:
    spans = tuple(sentence_spans(text))
    return Hit(chunk_id="c", article_id="rudaw", title="t", source="Rudaw", date="2021-02-23",
               url="", start=0, end=len(text), text=text, score=0.5, dense=0.5, lexical=0.0,
               evidence=0.5, sentences=spans, sentence_scores=scores, article_text=text)


def test_an_english_figure_question_is_answered_in_english_first() -> None:
    hit = _hit(RUDAW, (0.3, 0.3, 0.9))
    answer = extract("How many rockets hit the Balad base?", [hit], threshold=0.0)
    first, second = answer.text.splitlines()[:2]
    assert first == "Answer: 4 missiles [1]" and second == LEAD["en"]
    c = answer.citations[0]
    assert c.answer is not None and c.quote[c.answer[0]:c.answer[1]] == "أربعة صواريخ"
    assert "هل تتوقف" not in answer.text  # the question scored best, yet it is never quoted


def test_a_name_is_given_as_written_and_marked_as_transliterated() -> None:
    quote = "وتتهم الولايات المتحدة، فصائل مسلحة مدعومة من إيران بالوقوف وراء الهجمات."
    start = quote.index("فصائل")
    c = Citation(n=1, article_id="a", title="", source="", date=None, url="", quote=quote,
                 start=0, end=len(quote), score=1.0, answer=(start, start + 27))
    line = first_line(read_question("who is behind the attacks?"), c)
    assert line is not None and line.startswith("Answer: فصائل مسلحة مدعومة من إيران")
    assert "(transliterated: " in line and line.endswith("[1]")


def test_a_place_is_not_stated_as_the_answer() -> None:
    """Place spans are loose («من وقت مبكر» reads as "from Waqt"): the quote shows the place,
    no first line asserts one."""
    quote = "ما يدفعني لقول هذا الكلام من وقت مبكر في مدينة الرياض."
    start = quote.index("وقت")
    c = Citation(n=1, article_id="a", title="", source="", date=None, url="", quote=quote,
                 start=0, end=len(quote), score=1.0, answer=(start, start + 3))
    assert read_question("Where was the match played?").wants == "place"
    assert first_line(read_question("Where was the match played?"), c) is None


def test_no_first_line_without_an_answer_span() -> None:
    c = Citation(n=1, article_id="a", title="", source="", date=None, url="", quote="نص",
                 start=0, end=2, score=1.0)
    assert first_line(read_question("when did it happen?"), c) is None
    assert first_line(read_question("what happened?"), c) is None


@pytest.mark.parametrize(("words", "english"), [
    # the article is of Tuesday 23 February 2021
    ("مساء يوم السبت الماضي", "Saturday, 20 February 2021 (from the article's date, 2021-02-23)"),
    ("يوم الثلاثاء", "Tuesday, 23 February 2021 (from the article's date, 2021-02-23)"),
    ("الجمعة المقبلة", "Friday, 26 February 2021 (from the article's date, 2021-02-23)"),
])
def test_a_weekday_is_dated_from_the_article(words: str, english: str) -> None:
    quote = f"وقع الهجوم {words} على القاعدة."
    start = quote.index(words.split()[-2] if "مساء" in words else words)
    c = Citation(n=2, article_id="a", title="", source="", date="2021-02-23", url="",
                 quote=quote, start=0, end=len(quote), score=1.0,
                 answer=(start, quote.index(" على")))
    assert first_line(read_question("When was the attack?"), c) == f"Answer: {english} [2]"
