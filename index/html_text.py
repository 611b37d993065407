"""Main text and metadata of a news web page, with the standard library's html.parser.

The text comes from the longest <article> element, else the longest <main>, else the whole page.
Scripts, styles, navigation, headers, footers, asides, forms and the like are dropped whole,
and so is any element below <body> whose ARIA role is navigation, a menu, the page's banner or
footer, or whose class or id names a menu, navigation, a footer, breadcrumbs or share buttons
(`_NAV_NAMES`); comments and attributes never reach the text. Block elements end lines; runs of
spaces collapse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["HtmlDoc", "extract"]

_DROPPED = frozenset(
    "script style noscript template svg iframe nav header footer aside form button "
    "select textarea object canvas".split()
)
_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article main blockquote "
    "pre hr dl dt dd figure figcaption address".split()
)
_NAV_ROLES = frozenset("navigation menu menubar banner contentinfo search".split())
# A class or id word (split at spaces, "-" and "_") that names page furniture, not the story.
_NAV_NAMES = frozenset(
    "nav navbar navigation menu menubar submenu footer breadcrumb breadcrumbs share sharing "
    "sharethis addthis".split()
)
_NAV_WORD = re.compile(r"[\s_-]+")
_NEVER_NAV = frozenset("html body article main".split())
_CELLS = frozenset(("td", "th"))
_CONTAINERS = ("article", "main")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_SPACES = re.compile(r"\s+")
_DATE_META = ("article:published_time", "datepublished", "pubdate", "publishdate", "date")


@dataclass(frozen=True)
class HtmlDoc:
    """What a page says about itself; every field is "" when the page does not say it."""

    title: str
    text: str
    date: str  # as written in the page, not parsed
    url: str
    source: str


def extract(html: str) -> HtmlDoc:
    """The main text, title, date, canonical URL and site name of one HTML page."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.result()


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._page: list[str] = []
        self._open = {name: 0 for name in _CONTAINERS}  # depth of open containers
        self._current: dict[str, list[str]] = {name: [] for name in _CONTAINERS}
        self._done: dict[str, list[str]] = {name: [] for name in _CONTAINERS}  # finished texts
        self._dropped = 0
        self._nav: tuple[str, int] | None = None  # (tag, nesting) of a dropped furniture element
        self._in_title = False
        self._in_h1 = False
        self._title: list[str] = []
        self._h1: list[str] = []
        self._h1_done = False
        self._meta: dict[str, str] = {}
        self._time = ""
        self._canonical = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "").strip() for name, value in attrs}
        if self._nav is not None:
            if tag == self._nav[0] and tag not in _VOID:
                self._nav = (tag, self._nav[1] + 1)
        elif tag not in _VOID and _is_furniture(tag, values):
            self._nav = (tag, 1)
        if tag in _DROPPED:
            self._dropped += 1
        elif tag == "title" and not self._dropped and not self._title:  # not an <svg> title
            self._in_title = True
        elif tag == "h1" and not self._h1_done:
            self._in_h1 = True
        elif tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop", "")
            if key and "content" in values:
                self._meta.setdefault(key.lower(), values["content"])
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self._canonical = self._canonical or values.get("href", "")
        elif tag == "time" and not self._time:
            self._time = values.get("datetime", "")
        if tag in _CONTAINERS:
            self._open[tag] += 1
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._nav is not None and tag == self._nav[0]:
            self._nav = None if self._nav[1] == 1 else (tag, self._nav[1] - 1)
            if self._nav is None:
                return
        if tag in _DROPPED:
            self._dropped = max(0, self._dropped - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "h1" and self._in_h1:
            self._in_h1, self._h1_done = False, True
        self._break(tag)
        if tag in _CONTAINERS and self._open[tag] > 0:
            self._open[tag] -= 1
            if self._open[tag] == 0:
                self._done[tag].append("".join(self._current[tag]))
                self._current[tag] = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:  # <svg/>, <iframe/>: nothing inside to drop
            return
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        if self._in_h1:
            self._h1.append(data)
        if self._dropped or self._nav is not None or self._in_title:
            return
        self._emit(_SPACES.sub(" ", data))

    def _break(self, tag: str) -> None:
        if self._dropped or self._nav is not None:
            return
        if tag in _BLOCKS:
            self._emit("\n")
        elif tag in _CELLS:
            self._emit(" ")

    def _emit(self, piece: str) -> None:
        self._page.append(piece)
        for name in _CONTAINERS:
            if self._open[name]:
                self._current[name].append(piece)

    def result(self) -> HtmlDoc:
        for name in _CONTAINERS:  # containers left open by broken HTML end with the page
            if self._open[name]:
                self._done[name].append("".join(self._current[name]))
        texts = self._done["article"] or self._done["main"] or ["".join(self._page)]
        meta = self._meta
        date = next((meta[key] for key in _DATE_META if meta.get(key)), "") or self._time
        return HtmlDoc(
            title=_tidy(meta.get("og:title") or "".join(self._title) or "".join(self._h1)),
            text=_lines(max(texts, key=len)),
            date=date,
            url=self._canonical or meta.get("og:url", ""),
            source=_tidy(meta.get("og:site_name", "")),
        )


def _is_furniture(tag: str, attrs: dict[str, str]) -> bool:
    """Whether an element is navigation, a menu, a footer or share buttons, by role or name."""
    if tag in _NEVER_NAV:
        return False
    if attrs.get("role", "").lower() in _NAV_ROLES:
        return True
    names = f"{attrs.get('class', '')} {attrs.get('id', '')}".lower()
    return any(word in _NAV_NAMES for word in _NAV_WORD.split(names))


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _lines(text: str) -> str:
    lines = (_tidy(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
