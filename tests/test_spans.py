"""Dates, figures, places and names found in Arabic text, at their original offsets."""

from __future__ import annotations

import pytest

from assistant.spans import find_spans


def spans(text: str, kind: str) -> list[str]:
    return [text[s:e] for s, e in find_spans(text, kind)]  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "date"), [
    ("وقع الهجوم في 15 آذار ٢٠٢١ على المطار.", "15 آذار ٢٠٢١"),
    ("وصل الوفد في ٣ كانون الثاني الماضي.", "٣ كانون الثاني"),
    ("توفي في 3 شعبان 1441 هـ في جدة.", "3 شعبان 1441 هـ"),
    ("وقع الانفجار يوم الجمعة الماضي قرب السوق.", "يوم الجمعة الماضي"),
    ("تأسست المدينة في القرن التاسع عشر على الساحل.", "القرن التاسع عشر"),
    ("افتتح الجسر عام 1990 بحضور الوزير.", "عام 1990"),
    ("صدر القرار في 12 تشرين الأول 2019.", "12 تشرين الأول 2019"),
])
def test_dates(text: str, date: str) -> None:
    assert date in spans(text, "date")


def test_an_ambiguous_month_name_needs_a_number() -> None:
    assert spans("زار الأب ابنه في المستشفى.", "date") == []
    assert spans("وصل في 5 آب 2020.", "date") == ["5 آب 2020"]


@pytest.mark.parametrize(("text", "figure"), [
    ("بلغت الكلفة ٣٫٥ مليار دولار هذا العام.", "٣٫٥ مليار دولار"),
    ("قتل ثلاثة أشخاص في الهجوم.", "ثلاثة أشخاص"),
    ("ارتفعت البطالة إلى 12 بالمئة في المملكة.", "12 بالمئة"),
    ("أطلقت أربعة صواريخ كاتيوشا على القاعدة.", "أربعة صواريخ"),
])
def test_figures(text: str, figure: str) -> None:
    assert figure in spans(text, "figure")


def test_a_bare_year_is_a_date_not_a_figure() -> None:
    text = "افتتح الجسر عام 1990 وكلف 12 مليون ريال."
    assert spans(text, "figure") == ["12 مليون ريال"]


def test_places_and_names() -> None:
    text = ("وتتهم الولايات المتحدة، فصائل مسلحة مدعومة من إيران بالوقوف وراء الهجمات، "
            "وقال الرئيس الأمريكي جو بايدن إن محمد بن سلمان زار محافظة صلاح الدين.")
    names = spans(text, "name")
    assert "فصائل مسلحة مدعومة من إيران" in names
    assert "الرئيس الأمريكي جو بايدن" in names and "محمد بن سلمان" in names
    places = spans(text, "place")
    assert "محافظة صلاح الدين" in places and "إيران" in places
    assert "الهجمات" not in " ".join(places)


def test_offsets_are_in_the_original_text_with_diacritics_and_tatweel() -> None:
    text = "تُوُفِّيَ في ٣ شَعْبَان ١٤٤١ هـ بعد مرض."
    (start, end), = find_spans(text, "date")
    assert text[start:end] == "٣ شَعْبَان ١٤٤١ هـ"


@pytest.mark.parametrize("month", ["يناير", "فبراير", "أبريل", "ديسمبر", "شباط", "أيلول",
                                   "محرم", "ذو الحجة", "جمادى الأولى"])
def test_every_calendar_s_month_names(month: str) -> None:
    assert spans(f"وصل في 7 {month} 2020 إلى المدينة.", "date") == [f"7 {month} 2020"]
