"""A tiny, made-up English→Arabic dictionary in dictd format, written by the tests themselves.

No entry comes from FreeDict (whose data is GPL and is only ever read where Debian installs it):
these are the tests' own, shaped like dictd entries (headword, /pronunciation/, one
translation a line, alternatives separated by commas).
"""

from __future__ import annotations

import gzip
from pathlib import Path

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# (index headword, entry text)
ENTRIES: list[tuple[str, str]] = [
    ("00databaseinfo", "A made-up dictionary for Akhbar's tests\n"),
    ("attack", "Attack /ətˈak/\nهجوم\nاعتداء ، غارة\n"),  # three alternatives on two lines
    ("bank", "Bank /bank/\nمصرف\n"),
    ("bank", "Bank /bank/\nضفة النهر\n"),  # a second entry under the same headword
    ("book", "Book /bʊk/\nكتاب\n"),
    ("books", "Books /bʊks/\nمؤلفات\n"),  # its own entry: not reduced to "book"
    ("harbour", "Harbour /hˈɑːbə/\nالميناء (on the coast)\n"),
    ("sail", "Sail /seɪl/\nSailing boat\n"),  # Latin only: no translation
    ("stop", "Stop /stɒp/\nتوقف\n"),
    ("study", "Study /stˈʌdi/\nدراسة\n"),
    ("the", "The /ðə/\nالـ\n"),
    ("what", "What /wɒt/\nماذا\n"),
    ("which", "Which /wɪtʃ/\nأيّ\n"),
    ("yacht", "Yacht /jɒt/\nاليخت\n"),
]


def encode(number: int) -> str:
    """dictd's base 64, most significant digit first (written here, independently of Akhbar)."""
    digits = ""
    while True:
        number, digit = divmod(number, 64)
        digits = ALPHABET[digit] + digits
        if number == 0:
            return digits


def write_dictd(folder: Path, name: str = "fake-eng-ara", *, compress: bool = True,
                entries: list[tuple[str, str]] = ENTRIES) -> Path:
    """NAME.index and NAME.dict.dz (or NAME.dict) under `folder`; returns folder / NAME."""
    folder.mkdir(parents=True, exist_ok=True)
    text = b""
    lines = []
    for headword, entry in entries:
        data = entry.encode("utf-8")
        lines.append(f"{headword}\t{encode(len(text))}\t{encode(len(data))}\n")
        text += data
    base = folder / name
    base.with_name(name + ".index").write_text("".join(lines), encoding="utf-8")
    if compress:
        base.with_name(name + ".dict.dz").write_bytes(gzip.compress(text))
    else:
        base.with_name(name + ".dict").write_bytes(text)
    return base
