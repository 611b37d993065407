"""Which language a question is in: it decides the framing of the answer and which retrieval
lists read it. Detected once per question (`detect`) and passed down; the helpers here take
the language when the caller has it."""

from __future__ import annotations

import re
from typing import Literal

from assistant.scoring import Fusion

Language = Literal["ar", "en"]


def detect(text: str) -> Language:
    """Arabic when Arabic letters outnumber Latin ones (names in Latin script stay Arabic)."""
    arabic = sum(1 for ch in text if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "ar" if arabic >= latin and arabic > 0 else "en"


def lexical_part(text: str, language: Language | None = None) -> tuple[str, float]:
    """The words BM25 can match in an Arabic archive (Arabic script, numbers), and their share.

    An Arabic question is read whole (Latin names in it are often in Latin in the articles
    too); an English one keeps only its Arabic words and numbers ("1973"), weighted by how few
    they are.
    """
    if (language or detect(text)) == "ar":
        return text, 1.0
    words = re.findall(r"\w+", text)
    kept = [w for w in words if w.isdigit() or any("\u0600" <= ch <= "\u06ff" for ch in w)]
    return " ".join(kept), (len(kept) / len(words) if words else 0.0)


# Words an English question opens with that are capitalised only because they open it.
_OPENERS = frozenset(
    "who whom whose what which when where why how is are was were do does did can could will "
    "would should has have had in on at of for to by from with and or the a an".split()
)
_LETTERS = re.compile(r"[^\W\d_]+")


def name_words(
    text: str, language: Language | None = None, *,
    min_length: int = Fusion.lowercase_name,
) -> list[str]:
    """The words of an English question that may be names, to match across scripts.

    Capitalised words (but an opening "Who"/"The"), words in capitals and accented Latin words.
    A question written without capitals ("who attacked erbil?") gives no such hint: then every
    word of `min_length` letters or more may be a name (Fusion.lowercase_name). An Arabic
    question has none (its Latin words are matched as they are).
    """
    if (language or detect(text)) == "ar":
        return []
    words = [w for w in _LETTERS.findall(text)
             if not any("\u0600" <= ch <= "\u06ff" for ch in w)]
    names = [w for i, w in enumerate(words)
             if (w[0].isupper() and not (i == 0 and w.lower() in _OPENERS)) or not w.isascii()]
    if names or any(not w.islower() for w in words[1:]):
        return names
    return [w for w in words if len(w) >= min_length and w.lower() not in _OPENERS]
