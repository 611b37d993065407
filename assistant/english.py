"""The answering words in English, for an English question: a date or a figure converted
exactly (Arabic-Indic digits, Arabic, Levantine and Hijri month names, Hijri dates with their
Gregorian equivalent through `hijridate`, Umm al-Qura), a name or place given as written with a
Latin transliteration marked as such. The Arabic quote follows as the evidence."""

from __future__ import annotations

import re

from assistant.citations import Citation
from assistant.question import Question
from index.normalize import normalize

__all__ = ["english_date", "english_figure", "first_line", "transliterate"]

MONTHS = ("January February March April May June July August September October November "
          "December").split()
_GREGORIAN = {  # normalised Arabic month names → month number
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6,
    "يوليو": 7, "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7,
    "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
}
HIJRI_MONTHS = ("Muharram", "Safar", "Rabi' al-Awwal", "Rabi' al-Thani", "Jumada al-Ula",
                "Jumada al-Akhirah", "Rajab", "Sha'ban", "Ramadan", "Shawwal", "Dhu al-Qi'dah",
                "Dhu al-Hijjah")
_HIJRI = {
    "محرم": 1, "صفر": 2, "ربيع الاول": 3, "ربيع الثاني": 4, "ربيع الاخر": 4, "جمادي الاولي": 5,
    "جمادي الاول": 5, "جمادي الاخره": 6, "جمادي الثانيه": 6, "جمادي الثاني": 6, "رجب": 7,
    "شعبان": 8, "رمضان": 9, "شوال": 10, "ذو القعده": 11, "ذي القعده": 11, "ذو الحجه": 12,
    "ذي الحجه": 12,
}
_WEEKDAYS = {"الاحد": "Sunday", "الاثنين": "Monday", "الثلاثاء": "Tuesday",
             "الاربعاء": "Wednesday", "الخميس": "Thursday", "الجمعه": "Friday",
             "السبت": "Saturday"}
_ORDINALS = {"الاول": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5, "السادس": 6,
             "السابع": 7, "الثامن": 8, "التاسع": 9, "العاشر": 10, "الحادي عشر": 11,
             "الثاني عشر": 12, "الثالث عشر": 13, "الرابع عشر": 14, "الخامس عشر": 15,
             "السادس عشر": 16, "السابع عشر": 17, "الثامن عشر": 18, "التاسع عشر": 19,
             "العشرين": 20, "الحادي والعشرين": 21}
_NUMBER_WORDS = {
    "واحد": 1, "واحده": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3,
    "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7,
    "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
    "عشرين": 20, "عشرون": 20, "ثلاثين": 30, "ثلاثون": 30, "اربعين": 40, "اربعون": 40,
    "خمسين": 50, "خمسون": 50, "ستين": 60, "ستون": 60, "سبعين": 70, "سبعون": 70, "ثمانين": 80,
    "ثمانون": 80, "تسعين": 90, "تسعون": 90, "ميه": 100, "مايه": 100, "ميتين": 200,
    "مايتين": 200, "ميتان": 200, "الف": 1000, "الفين": 2000, "الفان": 2000,
}
_SCALES = {"الف": 1_000, "الفا": 1_000, "الاف": 1_000, "مليون": 1_000_000,
           "مليونا": 1_000_000, "ملايين": 1_000_000, "مليار": 10**9, "مليارا": 10**9,
           "مليارات": 10**9, "ترليون": 10**12, "تريليون": 10**12}
_UNITS = {
    "دولار": "dollars", "دولارا": "dollars", "دولارات": "dollars", "ريال": "riyals",
    "ريالا": "riyals", "ريالات": "riyals", "درهم": "dirhams", "دينار": "dinars",
    "دينارا": "dinars", "جنيه": "pounds", "يورو": "euros", "ليره": "lira", "كيلومتر": "km",
    "كيلومترا": "km", "كيلومترات": "km", "كم": "km", "متر": "metres", "مترا": "metres",
    "امتار": "metres", "ميل": "miles", "ميلا": "miles", "طن": "tonnes", "طنا": "tonnes",
    "برميل": "barrels", "هكتار": "hectares", "بالميه": "percent", "بالمايه": "percent",
    "في الميه": "percent", "في المايه": "percent", "%": "percent", "شخص": "people",
    "شخصا": "people", "اشخاص": "people", "قتيل": "dead", "قتيلا": "dead", "قتلي": "dead",
    "جريح": "wounded", "جريحا": "wounded", "جرحي": "wounded", "جندي": "soldiers",
    "جنديا": "soldiers", "جنود": "soldiers", "نسمه": "inhabitants", "عاما": "years",
    "سنوات": "years", "سنه": "years", "يوما": "days", "ايام": "days", "ساعه": "hours",
    "ساعات": "hours", "دقيقه": "minutes", "صاروخ": "missiles", "صواريخ": "missiles",
    "طايره": "aircraft", "طايرات": "aircraft", "مره": "times", "مرات": "times",
}
_LATIN = {
    "ا": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "'",
    "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "w",
    "ي": "y", "ء": "'", "پ": "p", "ڤ": "v", "گ": "g", "چ": "ch",
}


def first_line(question: Question, citation: Citation) -> str | None:
    """The answer's first line for an English question whose answer span is known."""
    if question.wants is None or citation.answer is None:
        return None
    words = citation.quote[citation.answer[0] : citation.answer[1]]
    if question.wants == "date":
        said = english_date(words)
        said = _dated(said, words, citation.date) if said else said
    elif question.wants == "figure":
        said = english_figure(words)
    elif question.wants == "name":
        said = f"{words} (transliterated: {transliterate(words)})"
    else:  # a place: its spans are too loose («من وقت مبكر») to be stated as the answer
        said = None
    return f"Answer: {said} [{citation.n}]" if said else None


def _dated(said: str, words: str, published: str | None) -> str:
    """A weekday alone («السبت الماضي») dated from the article's date: the last such day before
    it (the next after it for «المقبل»), or the day itself."""
    if published is None or said not in _WEEKDAYS.values():
        return said
    from datetime import date, timedelta

    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return said
    wanted = list(_WEEKDAYS.values()).index(said)  # 0 Sunday ... 6 Saturday
    today = (day.weekday() + 1) % 7  # date.weekday(): 0 Monday
    if "المقبل" in normalize(words):
        found = day + timedelta(days=(wanted - today) % 7 or 7)
    else:
        found = day - timedelta(days=(today - wanted) % 7)
    return (f"{said}, {found.day} {MONTHS[found.month - 1]} {found.year} "
            f"(from the article's date, {published[:10]})")


def _digits(text: str) -> str:
    return normalize(text)  # Arabic-Indic digits become 0-9, letters folded


def english_date(text: str) -> str | None:
    """`text` (a date span in Arabic) in English, or None when it reads as no date."""
    norm = " ".join(_digits(text).replace("ـ", "").split())
    numbers = [int(n) for n in re.findall(r"\d+", norm)]
    parts = []
    for name, english in _WEEKDAYS.items():
        if re.search(rf"(?:^|\s|[وب]){name}(?:\s|$)", norm):
            parts.append(english)
    century = re.search(r"القرن (.+?)(?: الميلادي| الهجري|$)", norm)
    if century and (century.group(1) in _ORDINALS or century.group(1).isdigit()):
        number = _ORDINALS.get(century.group(1)) or int(century.group(1))
        return f"the {_ordinal(number)} century" + (" AH" if "الهجري" in norm else "")
    hijri = _month(norm, _HIJRI)
    gregorian = _month(norm, _GREGORIAN)
    day = next((n for n in numbers if 1 <= n <= 31 and re.search(rf"(?<!\d){n}(?!\d)\s*\D",
                                                                 norm)), None)
    year = next((n for n in numbers if n > 31), None)
    if hijri is not None and (year is None or re.search(r"\d\s*ه(?:\s|$|جري)", norm)
                              or gregorian is None):
        return _hijri(day, hijri, year, parts)
    if gregorian is not None:
        date = " ".join(str(x) for x in (day, MONTHS[gregorian - 1], year) if x is not None)
        return ", ".join([*parts, date])
    if year is not None:
        era = " AH" if re.search(r"\d\s*ه(?:\s|$|جري)", norm) else ""
        return ", ".join([*parts, f"{year}{era}"])
    return ", ".join(parts) or None


def _month(norm: str, names: dict[str, int]) -> int | None:
    for name in sorted(names, key=len, reverse=True):
        if re.search(rf"(?:^|\s|\d|[وب]){name}(?:\s|$|/)", norm):
            return names[name]
    return None


def _hijri(day: int | None, month: int, year: int | None, parts: list[str]) -> str:
    said = " ".join(str(x) for x in (day, HIJRI_MONTHS[month - 1], year) if x is not None)
    said += " AH" if year is not None else ""
    if year is None:
        return ", ".join([*parts, said])
    from hijridate import Hijri  # Umm al-Qura: exact within 1343-1500 AH (1924-2077)

    try:
        if day is not None:
            g = Hijri(year, month, day).to_gregorian()
            said += f" ({g.day} {MONTHS[g.month - 1]} {g.year})"
        else:
            first = Hijri(year, month, 1)
            a = first.to_gregorian()
            b = Hijri(year, month, first.month_length()).to_gregorian()
            said += (f" ({a.day} {MONTHS[a.month - 1]} {a.year} to {b.day} "
                     f"{MONTHS[b.month - 1]} {b.year})")
    except (ValueError, OverflowError):
        pass  # outside the tables' range: the Hijri date alone
    return ", ".join([*parts, said])


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def english_figure(text: str) -> str | None:
    """`text` (a figure span in Arabic) in English: its number, scale and unit."""
    norm = " ".join(_digits(text).replace("٫", ".").replace("٬", ",").split())
    found = re.search(r"\d+(?:[.,]\d+)*", norm)
    value: float | None = None
    rest = norm
    if found:
        digits = found.group()
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits):
            digits = digits.replace(",", "")
        value = float(digits.replace(",", "."))
        rest = norm[found.end():]
    else:
        words = [w[1:] if w.startswith("و") and w[1:] in _NUMBER_WORDS else w
                 for w in norm.split()]
        counted = [_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS]
        if not counted:
            return None
        value = float(sum(counted)) if len(counted) > 1 and counted[0] < 10 <= counted[-1] \
            else float(counted[0]) if len(counted) == 1 else float(sum(counted))
    tail = rest.split()
    scale = next((_SCALES[w] for w in tail if w in _SCALES), 1)
    unit = next((u for key, u in _UNITS.items() if re.search(rf"(?:^|\s){re.escape(key)}(?:\s|$)",
                                                             rest) or key == "%" and "%" in norm),
                "")
    number = value * scale
    said = f"{number:,.0f}" if number == int(number) else f"{number:,}"
    return f"{said} {unit}".strip()


def transliterate(text: str) -> str:
    """A rough Latin spelling of Arabic letters (consonants and long vowels): a reading aid."""
    out = []
    for word in normalize(text).split():
        latin = "".join(_LATIN.get(ch, ch if ch.isascii() else "") for ch in word)
        latin = latin.replace("aa", "a")
        out.append(latin[:1].upper() + latin[1:])
    return " ".join(out)
