from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.sentences import pack_spans, sentence_spans


def _sentences(text: str, max_chars: int = 400) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text, max_chars=max_chars)]


def test_arabic_and_latin_terminators() -> None:
    text = "وصل الوفد. هل انتهى الاجتماع؟ نعم! ثم ماذا؛ لا شيء… Really? Yes."
    assert _sentences(text) == [
        "وصل الوفد.",
        "هل انتهى الاجتماع؟",
        "نعم!",
        "ثم ماذا؛",
        "لا شيء…",
        "Really?",
        "Yes.",
    ]


def test_closing_quotes_and_brackets_stay_with_their_sentence() -> None:
    text = 'قال: «انتهى الأمر.» ثم غادر (بسرعة!) وقال "وداعا." أخيرا.'
    assert _sentences(text) == [
        "قال: «انتهى الأمر.»",
        "ثم غادر (بسرعة!)",
        'وقال "وداعا."',
        "أخيرا.",
    ]


def test_line_breaks_end_sentences_and_empty_lines_give_nothing() -> None:
    text = "  العنوان الرئيسي\n\n\t \r\nالفقرة الأولى بلا نقطة\u2029الثانية.  \n"
    assert _sentences(text) == ["العنوان الرئيسي", "الفقرة الأولى بلا نقطة", "الثانية."]


def test_no_split_inside_numbers_or_abbreviations() -> None:
    text = "ارتفع المؤشر 3.5 في المئة وقال د. أحمد و أ. سارة إن U.S. growth, e.g. jobs, rose. انتهى"
    assert _sentences(text) == [
        "ارتفع المؤشر 3.5 في المئة وقال د. أحمد و أ. سارة إن U.S. growth, e.g. jobs, rose.",
        "انتهى",
    ]


def test_calendar_letter_after_a_year_ends_a_sentence() -> None:
    text = "بلغت الأرباح مليار ريال في عام 2015 م. وقال م. عادل إنها زادت عام 2014م. انتهى"
    assert _sentences(text) == [
        "بلغت الأرباح مليار ريال في عام 2015 م.",
        "وقال م. عادل إنها زادت عام 2014م.",
        "انتهى",
    ]


def test_comma_does_not_end_a_sentence() -> None:
    assert _sentences("ذهب الوفد، ثم عاد") == ["ذهب الوفد، ثم عاد"]


def test_long_sentence_breaks_at_last_whitespace_or_comma() -> None:
    text = "كلمة " * 30 + "نهاية"
    pieces = _sentences(text, max_chars=23)
    assert all(len(piece) <= 23 for piece in pieces)
    assert pieces[0] == "كلمة كلمة كلمة كلمة"
    assert " ".join(pieces) == text
    assert _sentences("واحد،اثنان،ثلاثة", max_chars=12) == ["واحد،اثنان،", "ثلاثة"]


def test_long_sentence_without_breaks_is_cut_hard() -> None:
    assert _sentences("ا" * 25, max_chars=10) == ["ا" * 10, "ا" * 10, "ا" * 5]


def test_spans_index_the_original_text() -> None:
    text = "  أولا.   ثانيا؟"
    assert sentence_spans(text) == [(2, 7), (10, 16)]


def test_bad_max_chars() -> None:
    with pytest.raises(ValueError, match="max_chars >= 1, got 0"):
        sentence_spans("نص", max_chars=0)


_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0x0621, max_codepoint=0x064A),
        st.sampled_from(list('ab.3 \n\t\r ،,;:!?؟؛…”"»’)]\u2029\u200f')),
    ),
    max_size=120,
)


@settings(max_examples=300)
@given(_TEXT, st.integers(1, 40))
def test_sentence_spans_partition_the_non_whitespace(text: str, max_chars: int) -> None:
    spans = sentence_spans(text, max_chars=max_chars)
    covered = [0] * len(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert end - start <= max_chars
        piece = text[start:end]
        assert piece.strip() and piece == piece.strip()
        for i in range(start, end):
            covered[i] += 1
        previous_end = end
    for i, char in enumerate(text):
        assert covered[i] <= 1 if char.isspace() else covered[i] == 1


def test_pack_spans_greedy_with_overlap() -> None:
    spans = [(0, 10), (11, 20), (21, 30), (31, 40), (41, 50)]
    assert pack_spans(spans, max_chars=30, overlap_chars=0) == [(0, 30), (31, 50)]
    assert pack_spans(spans, max_chars=30, overlap_chars=9) == [(0, 30), (21, 50)]
    assert pack_spans(spans, max_chars=20, overlap_chars=9) == [
        (0, 20),
        (11, 30),
        (21, 40),
        (31, 50),
    ]
    assert pack_spans([], max_chars=10, overlap_chars=5) == []


def test_pack_spans_skips_overlap_when_last_sentence_is_too_long() -> None:
    spans = [(0, 5), (6, 20), (21, 25)]
    assert pack_spans(spans, max_chars=20, overlap_chars=10) == [(0, 20), (21, 25)]


def test_pack_spans_of_real_sentences() -> None:
    text = "الجملة الأولى. الجملة الثانية؟ الجملة الثالثة! الجملة الرابعة."
    chunks = pack_spans(sentence_spans(text, max_chars=40), max_chars=40, overlap_chars=16)
    assert [text[start:end] for start, end in chunks] == [
        "الجملة الأولى. الجملة الثانية؟",
        "الجملة الثانية؟ الجملة الثالثة!",
        "الجملة الثالثة! الجملة الرابعة.",
    ]


def test_pack_spans_bad_arguments() -> None:
    with pytest.raises(ValueError, match="overlap_chars >= 0"):
        pack_spans([(0, 1)], max_chars=10, overlap_chars=-1)


@st.composite
def _span_lists(draw: st.DrawFn) -> tuple[list[tuple[int, int]], int, int]:
    max_chars = draw(st.integers(1, 60))
    lengths = draw(st.lists(st.integers(1, max_chars), max_size=30))
    gaps = draw(st.lists(st.integers(0, 3), min_size=len(lengths), max_size=len(lengths)))
    spans, position = [], 0
    for length, gap in zip(lengths, gaps, strict=True):
        position += gap
        spans.append((position, position + length))
        position += length
    overlap = draw(st.integers(0, 2 * max_chars))
    return spans, max_chars, overlap


@settings(max_examples=300)
@given(_span_lists())
def test_pack_spans_properties(case: tuple[list[tuple[int, int]], int, int]) -> None:
    spans, max_chars, overlap = case
    chunks = pack_spans(spans, max_chars=max_chars, overlap_chars=overlap)
    starts = {start for start, _ in spans}
    ends = {end for _, end in spans}
    assert len(chunks) <= len(spans)
    for start, end in chunks:
        assert start in starts and end in ends
        assert end - start <= max_chars
    for (start, end), (next_start, next_end) in zip(chunks, chunks[1:], strict=False):
        assert start < next_start and end < next_end  # progress, in order
        assert next_start >= end or end - next_start <= overlap  # overlap bound
    for start, end in spans:  # every sentence lies inside some chunk
        assert any(c_start <= start and end <= c_end for c_start, c_end in chunks)
    if spans:
        assert chunks[0][0] == spans[0][0] and chunks[-1][1] == spans[-1][1]
