"""Sentence spans over the original text, and their greedy packing into overlapping chunks."""

from __future__ import annotations

import re

__all__ = ["pack_spans", "sentence_spans", "strip_span"]

# A line break ends a sentence; every one of these characters is also whitespace.
_LINE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
# A sentence ends after its terminators and closing quotes or brackets, before whitespace or the
# end of the line. A '.' between digits (3.5) never matches: no whitespace follows it.
_END = re.compile(r"[.!?\u061f\u061b\u2026]+[\u201d\"\u00bb\u2019)\]]*(?=\s|$)")
# The word before a lone '.' that is an abbreviation, not a sentence end: single letters with
# dots (د. أ. e.g. U.S.) and a few Latin titles.
_ABBREVIATION = re.compile(r"(?:[^\W\d_]\.)+|(?:Mr|Mrs|Ms|Dr|Prof|St|vs)\.", re.IGNORECASE)
# Where an over-long sentence may be cut: after whitespace, or after one of ، , ; :
_SOFT_BREAK = set("\u060c,;:")


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without its leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_abbreviation(line: str, dot_end: int) -> bool:
    word_start = dot_end - 1
    while word_start > 0 and not line[word_start - 1].isspace():
        word_start -= 1
    if _ABBREVIATION.fullmatch(line, word_start, dot_end) is None:
        return False
    # "عام 2015 م." ends a sentence: a letter after a number marks the calendar, not a title.
    before = line[:word_start].rstrip()
    return dot_end - word_start != 2 or not before[-1:].isdigit()


def _sentence_ends(line: str) -> list[int]:
    ends = []
    for match in _END.finditer(line):
        if match.group() == "." and _is_abbreviation(line, match.end()):
            continue
        ends.append(match.end())
    return ends


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut the stripped span `[start, end)` into stripped pieces of at most `max_chars`."""
    pieces = []
    while end - start > max_chars:
        cut = start + max_chars  # hard cut when nothing softer is found
        for position in range(start + max_chars, start, -1):
            if text[position].isspace():
                cut = position
                break
            if text[position - 1] in _SOFT_BREAK:
                cut = position
                break
        piece = strip_span(text, start, cut)
        pieces.append(piece)
        start, _ = strip_span(text, cut, end)
    pieces.append((start, end))
    return pieces


def sentence_spans(text: str, *, max_chars: int = 400) -> list[tuple[int, int]]:
    """Return `(start, end)` spans of the sentences of `text`, in order, none over `max_chars`.

    Sentences end after . ! ? ؟ ؛ … (with any closing quotes or brackets) before whitespace,
    and at line breaks. Spans exclude surrounding whitespace, and together they hold every
    other character of `text` exactly once. Longer sentences are cut at the last whitespace or
    ، , ; : that keeps a piece within `max_chars`, or hard at `max_chars` when there is none.
    """
    if max_chars < 1:
        raise ValueError(f"sentence_spans() needs max_chars >= 1, got {max_chars}.")
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        line_start = line.start()
        cuts = [line_start + end for end in _sentence_ends(line.group())]
        piece_start = line_start
        for cut in [*cuts, line.end()]:
            start, end = strip_span(text, piece_start, cut)
            piece_start = cut
            if start == end:
                continue
            if end - start > max_chars:
                spans.extend(_split_long(text, start, end, max_chars))
            else:
                spans.append((start, end))
    return spans


def pack_spans(
    spans: list[tuple[int, int]], *, max_chars: int, overlap_chars: int
) -> list[tuple[int, int]]:
    """Pack consecutive sentence spans greedily into chunk spans of at most `max_chars`.

    Each chunk after the first repeats the trailing sentences of the previous chunk that fit in
    `overlap_chars` (measured from the first repeated sentence's start to that chunk's end), as
    long as the chunk still reaches a new sentence within `max_chars`. A sentence longer than
    `max_chars` becomes a chunk of its own.
    """
    if max_chars < 1 or overlap_chars < 0:
        raise ValueError(
            f"pack_spans() needs max_chars >= 1 and overlap_chars >= 0, "
            f"got max_chars={max_chars}, overlap_chars={overlap_chars}."
        )
    chunks: list[tuple[int, int]] = []
    first = 0
    while first < len(spans):
        chunk_start = spans[first][0]
        last = first
        while last + 1 < len(spans) and spans[last + 1][1] - chunk_start <= max_chars:
            last += 1
        chunk_end = spans[last][1]
        chunks.append((chunk_start, chunk_end))
        if last + 1 == len(spans):
            break
        following_end = spans[last + 1][1]
        previous_first, first = first, last + 1
        while (
            first - 1 > previous_first
            and chunk_end - spans[first - 1][0] <= overlap_chars
            and following_end - spans[first - 1][0] <= max_chars
        ):
            first -= 1
    return chunks
