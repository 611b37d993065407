"""Cleaning an article's title and text before anything is stored: what no reader should see.

Rules, applied by every reader (`index.articles`), in this order:
1. HTML entities are decoded: `&quot;` `&#8220;` `&amp;`..., each only when written in full
   (with its ";"), and a doubly escaped one (`&amp;quot;`) too.
2. In the text, `<script>`/`<style>` elements and HTML comments written out literally are
   removed, and so is page code that leaked into the plain text: a run of CSS rules
   (`.box_vote h4 { padding: 10px; }`) or of JavaScript that starts with a mark of code
   (`jQuery(`, `$(`, `document.`, `window.`, `function(`, `var x =`). A run ends where, outside
   every bracket and string, the text goes on in Arabic or the line ends; it is removed only
   when it holds no Arabic letter outside its strings. The space around it becomes one space
   (a run that was a whole line goes with its line).

What is cleaned away is not stored: offsets always refer to the cleaned text. `VERSION`
changes whenever these rules do, so a store indexed under older rules is redone
(`index.build.article_hash`).
"""

from __future__ import annotations

import html
import re

__all__ = ["VERSION", "clean_text", "clean_title", "decode_entities", "drop_code"]

VERSION = 1

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MARKUP = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->",
                     re.IGNORECASE | re.DOTALL)
# Where a run of code starts: a CSS rule (selector, "{", a property and ":"), or JavaScript.
_CODE_START = re.compile(
    r"(?<![\w#.-])(?:[#.]?[A-Za-z_][\w-]*)(?:[\s>+~,]+[#.]?[A-Za-z_*][\w\-\[\]=]*)*\s*\{\s*"
    r"[a-z-]+\s*:"
    r"|\b(?:jQuery|document|window)\s*[.(]|\$\s*\(|\bfunction\s*\(|\bvar\s+[A-Za-z_$][\w$]*\s*="
)
_CODE_WORDS = ("{", "jQuery", "document", "window", "$", "function", "var ")  # one is in all code
_OPEN, _CLOSE = "([{", ")]}"
_MIN_CODE = 12  # a shorter run is left alone


def decode_entities(text: str) -> str:
    """`text` with its HTML entities decoded, twice over for `&amp;quot;`."""
    for _ in range(2):
        if "&" not in text:
            break
        decoded = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
        if decoded == text:
            break
        text = decoded
    return text


def clean_title(title: str) -> str:
    return decode_entities(title).strip()


def clean_text(text: str) -> str:
    """The article text a reader should see (rules 1 and 2 above)."""
    return drop_code(decode_entities(_MARKUP.sub(" ", text) if "<" in text else text))


def drop_code(text: str) -> str:
    """`text` without the runs of CSS and JavaScript that leaked into it."""
    if not any(word in text for word in _CODE_WORDS):  # most texts: no regex search needed
        return text
    pos = 0
    while match := _CODE_START.search(text, pos):
        start = match.start()
        end = _code_end(text, start)
        if end - start < _MIN_CODE or not _is_code(text[start:end]):
            pos = match.end()
            continue
        before, after = text[:start].rstrip(" \t"), text[end:].lstrip(" \t")
        if before.endswith("\n") and after.startswith("\n"):  # the run was a line of its own
            after = after[1:]
        glue = " " if before and after and not before.endswith("\n") \
            and not after.startswith("\n") else ""
        text, pos = before + glue + after, len(before) + len(glue)
    return text


def _code_end(text: str, start: int) -> int:
    """Where the code starting at `start` ends: after its last ";" or closing bracket at depth 0,
    before the text goes on in Arabic (outside brackets and strings) or the line ends."""
    depth, quote, end, i = 0, "", start, start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
            elif ch == "\n":
                break
        elif ch in "'\"":
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
            if depth == 0:
                end = i + 1
        elif ch == ";" and depth == 0:
            end = i + 1
        elif ch == "\n" or (depth == 0 and _arabic(ch)):
            break
        i += 1
    return end


def _is_code(run: str) -> bool:
    """No Arabic letter outside the run's string literals, and a bracket or ";" in it."""
    outside = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"", "", run)
    return not any(_arabic(ch) for ch in outside) and any(ch in outside for ch in "{;(")


def _arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff"
