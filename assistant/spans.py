"""Spans of a kind in Arabic (and English) text: dates, figures, places and names.

A sentence that answers «متى…» holds a date (١٥ آذار ٢٠٢١, 3 كانون الثاني, الجمعة, عام 1990,
شعبان 1441 هـ, القرن التاسع عشر); one that answers «كم…» a figure with its unit (12 ألف جندي,
٣٫٥ مليار دولار, 40 بالمئة, سبعة قتلى); «أين…» a place (a country or city, «محافظة صلاح الدين»,
«في أربيل»); «من…» a person or an organisation (a title and the name after it, «بن»/«عبد»
lineages, an agent after «قال»/«اتهم»/«على يد», «فصائل مسلحة…», a state). Matching is done on
the normalised text (index.normalize), and spans are given in the original text's offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.question import AnswerType
from index.normalize import normalize, normalize_with_offsets

__all__ = ["find_spans"]

_P = r"(?:(?<=\s)|^|(?<=[(«\"'،,:؛]))[وبلف]?"  # a word start, with a one-letter prefix
_E = r"(?=$|[\s.,،؛:!?؟»\")\]/-])"  # a word end
_N = r"\d+(?:[.,٫٬]\d+)*"  # a number (normalised digits)
_ORDINAL_WORDS = (
    "الاول الاولي الثاني الثانيه الثالث الثالثه الرابع الخامس السادس السابع الثامن التاسع "
    "العاشر الحادي عشر العشرين الاخر الاخره"
)
_UNITS = (
    "دولار دولارا دولارات ريال ريالا ريالات درهم دراهم دينار دينارا دنانير جنيه جنيها يورو ليره "
    "ليرات روبيه ين كيلومتر كيلومترا كيلومترات كم متر مترا امتار سنتيمتر ميل ميلا اميال كيلوغرام "
    "كيلوغراما كغ كجم غرام طن طنا اطنان لتر برميل براميل هكتار فدان ميغاواط واط درجه درجات بالميه "
    "بالمايه % شخص شخصا اشخاص قتيل قتيلا قتلي جريح جريحا جرحي جندي جنديا جنود مقاتل "
    "مقاتلا مقاتلين طالب طالبا طلاب عامل عاملا عمال نسمه مواطن مواطنا مواطنين لاجي لاجيا لاجيين "
    "منزل منازل صاروخ صواريخ طائره طايره طايرات دقيقه دقايق ساعه ساعات يوما ايام اسبوعا اسابيع "
    "شهرا اشهر عاما اعوام سنه سنوات سنين مره مرات نقطه نقاط هدف اهداف مقعد مقاعد صوت اصوات "
    "نوع انواع لغه لغات دوله دول مدينه مدن جزيره جزر"
)
_SCALES = "الف الفا الاف مليون مليونا ملايين مليار مليارا مليارات ترليون تريليون"
_NUMBER_WORDS = (
    "واحد واحده اثنان اثنين اثنتان اثنتين ثلاث ثلاثه اربع اربعه خمس خمسه ست سته سبع سبعه ثمان "
    "ثماني ثمانيه تسع تسعه عشر عشره احد اثنا اثني عشرين عشرون ثلاثين ثلاثون اربعين اربعون خمسين "
    "خمسون ستين ستون سبعين سبعون ثمانين ثمانون تسعين تسعون ميه مايه ميه ميتين مايتين مئتان "
    "ثلاثميه ثلاثمايه اربعميه اربعمايه خمسميه خمسمايه الف الفين الفان نصف ربع ثلث عشرات مئات "
    "الاف ملايين"
)
_MONTHS = (
    "يناير|فبراير|مارس|ابريل|مايو|يونيو|يونيه|يوليو|يوليه|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر|"
    "كانون الثاني|كانون الاول|كانون|شباط|اذار|نيسان|ايار|حزيران|تموز|ايلول|تشرين الاول|"
    "تشرين الثاني|تشرين|محرم|ربيع الاول|ربيع الثاني|ربيع الاخر|ربيع|جمادي الاولي|جمادي الاخره|"
    "جمادي الثانيه|جمادي الاول|جمادي الثاني|جمادي|شعبان|رمضان|شوال|ذو القعده|ذي القعده|"
    "ذو الحجه|ذي الحجه"
)
_AMBIGUOUS_MONTHS = "اب|صفر|رجب"  # also "father", "zero", a name: only beside a number
_WEEKDAYS = "الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه السبت"
_TITLES = (
    "الرييس الملك الامير الاميره الشيخ الشيخه السيد السيده الدكتور الدكتوره المهندس الوزير "
    "الوزيره الامام البابا الجنرال العقيد اللواء العميد الفريق المشير النقيب الرائد الزعيم "
    "الخليفه السلطان القايد المتحدث الناطق المستشار السفير النايب القاضي المحامي الكاتب "
    "الشاعر المخرج الفنان الفنانه اللاعب المدرب العالم الفيلسوف المؤرخ الموسس المطران "
    "رييس وزير امير ملك سفير زعيم قايد مدير ولي"
)
_ORGS = (
    "حزب حركه جماعه تنظيم فصايل فصيل ميليشيا ميليشيات مليشيا مليشيات منظمه شركه وزاره هييه مجلس "
    "جيش قوات وكاله جمعيه موسسه بنك نادي صحيفه قناه جامعه محكمه الحكومه الامم الاتحاد "
    "التحالف الجيش الشرطه البرلمان الكونغرس حكومه سلطات السلطات"
)
_AGENT_VERBS = (
    "قال قالت اعلن اعلنت اكد اكدت اتهم اتهمت تتهم يتهم اتهمت تبنت تبني تبنى نفذ نفذت هاجم هاجمت "
    "اسس اسست كتب كتبت اخترع اكتشف اكتشفت قاد قادت حكم حكمت فاز فازت اغتال قتل قتلت انتخب "
    "صرح صرحت اوضح اوضحت"
)
_PLACE_NOUNS = (
    "مدينه محافظه ولايه منطقه اقليم جزيره قريه عاصمه بلده قضاء ناحيه مقاطعه شارع حي ميناء "
    "مطار قاعده جامعه مخيم معبر نهر جبل بحر خليج صحراء ساحل وادي بحيره"
)
_PLACES = (
    "السعوديه|المملكه العربيه السعوديه|الرياض|جده|مكه|المدينه المنوره|الدمام|الامارات|دبي|ابوظبي|"
    "ابو ظبي|الكويت|قطر|الدوحه|البحرين|المنامه|عمان|سلطنه عمان|مسقط|اليمن|صنعاء|عدن|العراق|"
    "بغداد|اربيل|البصره|الموصل|كركوك|سوريا|سوريه|دمشق|حلب|لبنان|بيروت|الاردن|فلسطين|القدس|"
    "غزه|اسراييل|مصر|القاهره|الاسكندريه|السودان|الخرطوم|ليبيا|طرابلس|تونس|الجزاير|المغرب|"
    "الرباط|موريتانيا|تركيا|انقره|اسطنبول|ايران|طهران|افغانستان|كابول|باكستان|الهند|الصين|"
    "بكين|اليابان|طوكيو|روسيا|موسكو|اوكرانيا|كييف|المانيا|برلين|فرنسا|باريس|بريطانيا|"
    "المملكه المتحده|لندن|ايطاليا|روما|اسبانيا|مدريد|الولايات المتحده|امريكا|اميركا|واشنطن|"
    "نيويورك|كندا|البرازيل|المكسيك|استراليا|اوروبا|افريقيا|اسيا|الخليج|الشرق الاوسط|"
    "كردستان|اقليم كردستان|صلاح الدين|نينوي|الانبار|دهوك|السليمانيه|البيت الابيض|"
    "اثيوبيا|الصومال|نيجيريا|كوريا|اندونيسيا|ماليزيا|بولندا|هولندا|بلجيكا|السويد|النرويج|"
    "اليونان|البرتغال|سويسرا|النمسا|فيينا|جنيف|ارمينيا|جورجيا|اذربيجان|الفاتيكان|سيناء|"
    "الضفه الغربيه|قبرص|تايوان|فيتنام|تايلاند|الفلبين|الارجنتين|تشيلي|كوبا|فنزويلا"
)


def _alts(words: str) -> str:
    """A regex alternation of the words (space- or |-separated), in their normalised form."""
    items = words.split("|") if "|" in words else words.split()
    forms = {" ".join(normalize(w).split()) for w in items if w.strip()}
    return "|".join(re.escape(w) for w in sorted(forms, key=len, reverse=True))


_DAY = r"\d{1,2}"
_YEAR = r"(?:1[0-9]\d\d|20\d\d|\d{1,4}(?= ?(?:م|ه|ميلادي|هجري|للميلاد|قبل الميلاد)" + _E + "))"
_MONTH = f"(?:{_alts(_MONTHS)})"
_DATE_PATTERNS = (
    # (day) month (/ month) (year) (هـ/م)
    rf"{_P}(?:(?:يوم )?(?:{_alts(_WEEKDAYS)}) )?(?:{_DAY} ?(?:من )?)?(?:شهر )?{_MONTH}"
    rf"(?: ?/ ?{_MONTH})?(?: (?:من )?(?:عام |سنه |العام )?{_YEAR})?"
    rf"(?: ?(?:م|ه|ميلادي|هجري)(?={_E}))?{_E}",
    rf"{_P}(?:{_DAY} ?(?:{_alts(_AMBIGUOUS_MONTHS)})(?: {_YEAR})?|(?:{_alts(_AMBIGUOUS_MONTHS)})"
    rf" {_YEAR}){_E}",
    rf"{_P}(?:يوم )?(?:{_alts(_WEEKDAYS)}){_E}(?: (?:الماضي|المقبل|الماضيه|المقبله){_E})?",
    rf"{_P}(?:عام|سنه|العام|السنه|منذ|خلال) (?:{_N}|{_YEAR})(?: ?(?:م|ه|ميلادي|هجري){_E})?",
    rf"(?<!\d)(?:{_YEAR})(?: ?(?:م|ه|ميلادي|هجري|للميلاد|قبل الميلاد){_E})?(?![\d%])",
    r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?!\d)",
    rf"{_P}(?:ال)?(?:قرن|قرون|القرن) (?:ال\S+|{_N})"
    rf"(?: (?:الميلادي|الهجري|قبل الميلاد|عشر))?{_E}",
    rf"{_P}(?:الخمسينيات|الستينيات|السبعينيات|الثمانينيات|التسعينيات|العشرينيات|الثلاثينيات"
    rf"|الاربعينيات)(?: من القرن \S+(?: \S+)?)?{_E}",
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?: \d{1,2})?"
    r"(?:, \d{4})?",
)
_FIGURE_PATTERNS = (
    rf"(?<![\d.])(?:{_N})(?: ?(?:{_alts(_SCALES)}))?(?: ?(?:في الميه|في الميه|في المايه|في المئه"
    rf"|{_alts(_UNITS)}))?(?=$|[^\w%]|%)%?",
    rf"{_P}(?:{_alts(_NUMBER_WORDS)})(?: (?:و)?(?:{_alts(_NUMBER_WORDS)}))*"
    rf"(?: (?:{_alts(_SCALES)}))?(?: (?:{_alts(_UNITS)}))?{_E}",
)
_NOT_NAMES = (r"(?:ان|انه|انها|بان|في|من|علي|الي|عن|قد|ما|لا|او|ثم|كان|كانت|وقال|وقالت|الذي"
              r"|التي|يوم)")
_NAME_WORD = rf"(?!ال)(?!{_NOT_NAMES}(?:\s|$))[^\s\d.,،؛:!?؟»«\"()]{{2,}}"
_NAME_PATTERNS = (
    rf"{_P}(?:{_alts(_TITLES)})(?: ال\S+){{0,2}}(?: {_NAME_WORD}){{1,3}}{_E}",
    rf"{_P}\S+ (?:بن|ابن|بنت|ابو|ابي) \S+(?: (?:بن|ابن) \S+)?{_E}",
    rf"{_P}عبد ?ال\S+(?: {_NAME_WORD}){{0,2}}{_E}",
    rf"{_P}(?:{_alts(_ORGS)})(?: (?!{_NOT_NAMES}(?:\s|$))[^\s.,،؛]+){{1,3}}"
    rf"(?: من [^\s.,،؛]+)?{_E}",
    rf"{_P}(?:{_alts(_AGENT_VERBS)}) (?P<a>{_alts(_PLACES)}|\S+(?: ال\S+)?){_E}",
    rf"(?:على يد|علي يد|من قبل) (?P<a>\S+(?: \S+){{0,2}}?){_E}",
    r"\b[A-Z][\w'-]+(?: [A-Z][\w'-]+)*\b",
)
_PLACE_PATTERNS = (
    rf"{_P}(?:ال)?(?:{_alts(_PLACE_NOUNS)}) \S+(?: \S+)?{_E}",
    rf"{_P}(?:{_alts(_PLACES)}){_E}",
    rf"(?:^|(?<=\s))(?:في|الي|من) (?P<a>(?!ال)(?!{_alts(_WEEKDAYS)})[^\s\d.,،؛:!?؟]{{3,}}){_E}",
)
_COMPILED: dict[AnswerType, tuple[re.Pattern[str], ...]] = {
    "date": tuple(re.compile(p) for p in _DATE_PATTERNS),
    "figure": tuple(re.compile(p) for p in _FIGURE_PATTERNS),
    "name": tuple(re.compile(p) for p in _NAME_PATTERNS),
    "place": tuple(re.compile(p) for p in _PLACE_PATTERNS),
}
_YEAR_ONLY = re.compile(r"(?:1[0-9]\d\d|20\d\d)")


def find_spans(text: str, kind: AnswerType) -> list[tuple[int, int]]:
    """The spans of `text` (original offsets, in order, not overlapping) that are of `kind`."""
    norm, offsets = normalize_with_offsets(text)
    found = sorted(_matches(norm, kind), key=lambda s: (s[0], -s[1]))
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    # up to the next kept character: a tatweel or diacritics after the span's last letter
    # (هـ) belong to it
    return [(offsets[start], _end(text, offsets[end])) for start, end in spans]


def _end(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _matches(norm: str, kind: AnswerType) -> Iterator[tuple[int, int]]:
    for pattern in _COMPILED[kind]:
        for match in pattern.finditer(norm):
            start, end = match.span("a") if "a" in pattern.groupindex else match.span()
            while start < end and norm[start].isspace():
                start += 1
            while end > start and norm[end - 1] in " .,،؛:":
                end -= 1
            if end - start < 1:
                continue
            if kind == "figure" and _YEAR_ONLY.fullmatch(norm, start, end):
                continue  # a bare year is a date, not a figure
            yield start, end
