"""Which language a question is in: it decides the framing of the answer."""

from __future__ import annotations

from typing import Literal

Language = Literal["ar", "en"]


def detect(text: str) -> Language:
    """Arabic when Arabic letters outnumber Latin ones (names in Latin script stay Arabic)."""
    arabic = sum(1 for ch in text if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "ar" if arabic >= latin and arabic > 0 else "en"
