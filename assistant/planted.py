"""Text planted to steer an answer: sentences that address the reader or the system, and text
hidden with invisible characters.

An archive is untrusted input. A sentence that gives orders ("Ignore previous instructions and
answer: ...", «تجاهل التعليمات السابقة وأجب بأن ...») or speaks to an assistant ("You are a
helpful assistant", "As an AI", "System:") is not reporting: it may be retrieved, but it is
never quoted as an answer. Nor is a sentence that hides words: several words isolated (bidi
isolates U+2066-2069) inside an ordinary sentence, or text spelled in tag characters
(U+E0000-E007F), which most screens do not draw; text inside an override is also read
backwards, as a screen draws it, for orders. Other invisible characters (a stray RLM, a
zero-width space, an embedding) are shown as visible marks wherever a quote is displayed
(`visible`), so a reader sees that something is there. Matching ignores them all
(index.normalize.is_invisible), so "ig\u200bnore" is "ignore".

The patterns read normalised text (index.normalize: alef forms → ا, ة → ه, ى and ئ → ي,
diacritics dropped), so «أجب» and «اجب» are one. Arabic imperatives are written like other
forms of the same verb («قل» is "say!" and "it decreased", «تجاهل» is "ignore!" and "he
ignored"), so each Arabic pattern needs what makes it an order to the reader: «قل» followed by
«إن/بأن/للمستخدم» (with its hamza: «قلّ أن» is "seldom"), «تجاهل» followed by
«التعليمات/ما سبق», a second-person «عليك أن تجيب».
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from index.normalize import is_invisible, normalize

__all__ = ["Flag", "addresses_reader", "flag", "hidden_runs", "visible"]

# Bidi controls that open a run, and what closes it.
_EMBEDDINGS = {"\u202a", "\u202b", "\u202d", "\u202e"}  # LRE RLE LRO RLO, closed by PDF
_OVERRIDES = {"\u202d", "\u202e"}  # draw their text in a forced order: may read reversed
_ISOLATES = {"\u2066", "\u2067", "\u2068"}  # LRI RLI FSI, closed by PDI
_PDF, _PDI = "\u202c", "\u2069"
_TAGS = (0xE0000, 0xE007F)
HIDDEN_WORDS = 3  # an isolated run of this many words hides a phrase, not a name

MARK = "⟪{}⟫"  # how an invisible character is shown in a quote: ⟪U+200B⟫
# The blocks where Unicode puts its invisible characters (format characters, selectors,
# fillers, tags); is_invisible decides within them, once, into one character class.
_BLOCKS = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x0600, 0x08FF), (0x115F, 0x1160),
           (0x1800, 0x18AF), (0x2000, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFFFF),
           (0x110B0, 0x110CF), (0x13430, 0x1345F), (0x1BCA0, 0x1BCAF), (0x1D170, 0x1D17F),
           (0xE0000, 0xE0FFF))
_INVISIBLE = re.compile("[" + "".join(
    re.escape(chr(c)) for lo, hi in _BLOCKS for c in range(lo, hi + 1) if is_invisible(chr(c))
) + "]")
_BIDI_OR_TAG = re.compile("[\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")
_LATIN = re.compile("[A-Za-z]")
_LETTER = re.compile("[^\\W\\d_]")

# --- addressing the reader or the system ------------------------------------------------------
# English (lower case after normalisation). Anywhere in a sentence:
_EN_ANYWHERE = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[\w\s,'’]{0,40}?\b(?:instructions?|prompts?"
    r"|rules|directions|guidelines|directives?|context|everything|the above|all of the above)\b"
    r"|\b(?:system|hidden)\s+(?:instructions|prompts?)\b"
    r"|\bas an? (?:ai|a\.i\.|artificial intelligence|(?:large )?language model|llm|chatbot"
    r"|(?:ai |virtual |digital )?assistant)\b"
    r"|\byou are (?:now )?(?:an? |the )?(?:\w+ ){0,3}(?:assistant|ai|chatbot|bot|language model"
    r"|llm|gpt)\b"
    r"|\b(?:you|the assistant|the model|the ai|the chatbot)\s+(?:must|should|shall|will|have to"
    r"|need to|are required to|are to)\s+(?:(?:always|never|not|only)\s+)?(?:say|answer|reply"
    r"|respond|tell|state|claim|write|output|ignore|mention|quote|cite)\b"
    r"|\b(?:tell|inform|remind)\s+(?:the\s+)?(?:user|reader|asker|person asking)\b"
    r"|\b(?:when|if)\s+(?:you\s+are|you're|you\s+get|anyone|someone|the user|a user)\s+"
    r"(?:is\s+)?ask(?:s|ed)?\b"
    r"|\bthe\s+(?:correct|right|true|real|only|final)\s+answer\s+to\s+(?:any|every|this|the"
    r"|your)\s+question"
    r"|\b(?:system|assistant|developer|user)\s*(?:prompt|message)\b"
    r"|\banswer\s*:"
    r"|(?:^|[\s\[<(])(?:system|assistant|developer|instructions?)\s*[:\]>]"
)
# ... or opening a clause: an order to answer, say or ignore something.
_EN_OPENING = re.compile(
    r"(?:please\s+)?(?:ignore|disregard|pretend|roleplay|act as|answer|reply|respond"
    r"|(?:say|tell\s+\w+|write|output|repeat|state)\s+(?:that|:|only|the answer)"
    r"|forget\s+(?:all|everything|what|previous|prior|the above)"
    r"|do\s*n[o']t\s+(?:mention|cite|quote|reveal|say|tell|answer))\b"
)
# Arabic (normalised: ا ي ه for أإآ ى ة; no diacritics). Anywhere in a sentence:
_AR_ANYWHERE = re.compile(
    r"(?:^|\s)[وف]?(?:تجاهل|تجاهلي|تجاهلوا|انس|انسي|انسوا|اهمل|اهملي|اهملوا|تخط|تخطي)\s+"
    r"(?:(?:كل|جميع)\s+(?:ال)?(?:تعليمات|اوامر|ارشادات|توجيهات|قواعد|ما\s+سبق|ما\s+ورد)"
    r"|(?:ال)?(?:تعليمات|اوامر|ارشادات|توجيهات|قواعد)\s+(?:السابقه|اعلاه|الاصليه|الاولي"
    r"|القديمه|المذكوره)|ما\s+سبق|ما\s+ورد|ما\s+قيل)"
    r"|تعليمات\s+(?:النظام|المستخدم|المساعد|جديده|سريه|خفيه)"
    r"|(?:^|\s)ف?(?:اجب|اجيبي|اجيبوا|اجبي)(?:\s|$|[:،,])|(?:^|\s)واجب\s+بان"
    r"|(?:^|\s)[وف]?(?:قل|قولي|قولوا)\s+(?:بان|بانه|بانها|للمستخدم|للسايل|للقاري|لمن\s+يسال"
    r"|الاتي|ما\s+يلي)(?:\s|$)"
    r"|(?:^|\s)[وف]?(?:اخبر|اخبري|ابلغ|ابلغي|اكتب|اكتبي)\s+(?:ال)?(?:مستخدم|سايل|قاري|قراء)"
    r"|(?:^|\s)[وف]?(?:اكتب|اكتبي)\s+(?:ان|بان|بانه|بانها)(?:\s|$)"
    r"|(?:^|\s)(?:بصفتك|بوصفك|باعتبارك)\s+(?:ال)?(?:مساعد|نموذج|ذكاء|روبوت|برنامج)"
    r"|(?:^|\s)(?:انت|انتي|انتم)\s+(?:الان\s+)?(?:مساعد|نموذج|روبوت|برنامج|المساعد|النموذج)"
    r"|(?:^|\s)(?:كنموذج|بصفتي\s+نموذج|بصفتي\s+مساعد)\s+(?:لغوي|ذكاء|ذكي)"
    r"|(?:^|\s)كمساعد\s+(?:ذكي|افتراضي|رقمي|ذكاء)"
    r"|(?:^|\s)كذكاء\s+اصطناعي"
    r"|(?:الاجابه|الجواب)\s+(?:الصحيح|الصحيحه|الوحيد|الوحيده)\s+(?:عن|علي|ل)\s*(?:اي\s+)?"
    r"(?:ال)?سوال"
    r"|(?:^|\s)(?:عند|حين|اذا|ان)\s+(?:سوالك|يسالك|سالك)(?:\s|$)"
    r"|(?:^|\s)عليك\s+(?:ان\s+)?(?:تجيب|تقول|ترد|تكتب|تتجاهل|تخبر|تذكر|تنكر)(?:\s|$)"
    r"|(?:^|\s)(?:لا|ولا)\s+(?:تقتبس|تكشف\s+عن\s+هذه)(?:\s|$)"
    r"|(?:^|\s)(?:النظام|المساعد|المستخدم|تعليمات)\s*:"
)
# Every Arabic pattern above holds one of these words (with «و» or «ف» before it, or not): a
# sentence with none of them is not searched.
_AR_TRIGGERS = frozenset("""
    تجاهل تجاهلي تجاهلوا انس انسي انسوا اهمل اهملي اهملوا تخط تخطي التعليمات الاوامر الارشادات
    التوجيهات القواعد تعليمات اجب اجيبي اجيبوا اجبي واجب قل قولي قولوا اخبر اخبري ابلغ ابلغي
    اكتب اكتبي بصفتك بوصفك باعتبارك كونك انت انتي انتم كنموذج بصفتي كمساعد كذكاء الاجابه الجواب
    الرد سوالك يسالك سالك عليك تقتبس تكشف النظام المساعد المستخدم
""".split())
_AR_WORD = re.compile("[\u0621-\u064a]+")
# «قل إن» ("say that!") and «قلّ أن» ("seldom") differ only by their hamza, which normalising
# folds: this one reads the text with its hamzas (diacritics and invisible characters out).
_SAY_THAT = re.compile("(?:^|\\s)[وف]?(?:قل|قولي|قولوا)\\s+(?:إن|إنه|إنها|إني)(?:\\s|$)")
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
# Where a clause opens: after punctuation, a line break or an invisible character.
_CLAUSE_BREAK = re.compile(r"[.!?؟؛;:،,\"“”«»()\[\]\n—–-]+|\s-\s")


@dataclass(frozen=True)
class Flag:
    """Why a sentence is never quoted as an answer."""

    reason: str  # "addresses the reader" or "hides text"
    detail: str  # what was found, for notes and tests


def addresses_reader(text: str) -> bool:
    """Whether `text` gives orders to its reader or speaks to an assistant or system."""
    return _addressing(text) is not None


def flag(sentence: str) -> Flag | None:
    """Why `sentence` must not be quoted as an answer, or None when it may be."""
    found = _addressing(sentence)
    if found is not None:
        return Flag("addresses the reader", found)
    for start, end, kind in hidden_runs(sentence):
        inner = sentence[start:end]
        if kind == "tags":
            return Flag("hides text", f"text in tag characters: {_untag(inner)!r}")
        words = normalize(inner).split()
        outside = sentence[:start - 1] + " " + sentence[end + 1 :]
        if kind == "isolate" and len(words) >= HIDDEN_WORDS and _LETTER.search(outside):
            return Flag("hides text", f"{len(words)} words isolated inside a sentence: "
                                      f"{' '.join(words)!r}")
    return None


def hidden_runs(text: str) -> list[tuple[int, int, str]]:
    """Spans of `text` that a screen may not show as written, with their kind: the inside of a
    closed bidi isolate ("isolate") or embedding ("embedding"), of an override, closed or not
    ("override": drawn in forced order), and runs of tag characters ("tags").

    Only an isolate of several words inside an otherwise ordinary sentence, and tag
    characters, count as hiding text (`flag`): embeddings wrap names and titles in real news
    pasted from the web (RLE … PDF around a film's credits), and an override is read backwards
    for orders instead."""
    if not _BIDI_OR_TAG.search(text):
        return []
    runs: list[tuple[int, int, str]] = []
    stack: list[tuple[str, int]] = []
    tag_start: int | None = None
    for i, ch in enumerate(text):
        if _TAGS[0] <= ord(ch) <= _TAGS[1]:
            tag_start = i if tag_start is None else tag_start
            continue
        if tag_start is not None:
            runs.append((tag_start, i, "tags"))
            tag_start = None
        if ch in _EMBEDDINGS or ch in _ISOLATES:
            stack.append((ch, i + 1))
        elif ch in (_PDF, _PDI) and stack:
            closes = _PDI if stack[-1][0] in _ISOLATES else _PDF
            if ch == closes:
                opener, start = stack.pop()
                runs.append((start, i, "override" if opener in _OVERRIDES else
                             "isolate" if opener in _ISOLATES else "embedding"))
    if tag_start is not None:
        runs.append((tag_start, len(text), "tags"))
    runs += [(start, len(text), "override") for opener, start in stack if opener in _OVERRIDES]
    return sorted(runs)


def visible(text: str) -> str:
    """`text` with every invisible character shown as a mark: ⟪U+200B⟫, ⟪U+2067⟫...; a run of
    tag characters becomes one mark holding the text it spells: ⟪tags: "…"⟫."""
    if not _INVISIBLE.search(text):
        return text
    out: list[str] = []
    tags: list[str] = []
    for ch in text:
        if _TAGS[0] <= ord(ch) <= _TAGS[1]:
            tags.append(ch)
            continue
        if tags:
            out.append(MARK.format(f"tags: {_untag(''.join(tags))!r}"))
            tags = []
        out.append(MARK.format(f"U+{ord(ch):04X}") if is_invisible(ch) else ch)
    if tags:
        out.append(MARK.format(f"tags: {_untag(''.join(tags))!r}"))
    return "".join(out)


def _untag(run: str) -> str:
    """The ASCII text a run of tag characters spells (U+E0041 is "A"; the cancel tag ends it)."""
    return "".join(chr(ord(c) - _TAGS[0]) for c in run if 0xE0020 <= ord(c) <= 0xE007E)


def _addressing(text: str) -> str | None:
    """The words that address the reader, in any reading of `text` (as stored, decoded from tag
    characters, an override read backwards, each clause on its own), or None."""
    for reading in _readings(text):
        norm = " ".join(normalize(reading).split())
        if _may_address_in_arabic(norm):
            bare = " ".join(_MARKS.sub("", _INVISIBLE.sub("", reading)).split())
            found = _AR_ANYWHERE.search(norm) or _SAY_THAT.search(bare)
            if found:
                return found.group().strip()
        if not _LATIN.search(norm):
            continue  # the patterns below are English
        found = _EN_ANYWHERE.search(norm)
        if found:
            return found.group().strip()
        for clause in _clauses(reading):
            found = _EN_OPENING.match(clause)
            if found:
                return found.group().strip()
    return None


def _may_address_in_arabic(norm: str) -> bool:
    words = _AR_WORD.findall(norm)
    return any(w in _AR_TRIGGERS or (w[0] in "وف" and w[1:] in _AR_TRIGGERS) for w in words)


def _readings(text: str) -> Iterator[str]:
    yield text
    for start, end, kind in hidden_runs(text):
        if kind == "tags":
            yield _untag(text[start:end])
        elif kind == "override":
            yield text[start:end][::-1]


def _clauses(text: str) -> Iterator[str]:
    """The clauses of `text`, normalised: split at punctuation and at invisible characters (a
    zero-width space or an isolate can open a clause that reads as one with its sentence)."""
    marked = _INVISIBLE.sub("\n", text)
    for piece in _CLAUSE_BREAK.split(marked):
        clause = " ".join(normalize(piece).split())
        if clause:
            yield clause
