from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.normalize import normalize
from index.tokens import STOPWORDS, light_stem, tokenize


def test_definite_article_and_clitics_share_a_stem() -> None:
    assert tokenize("والكتاب الكتاب كتاب بالكتاب للكتاب وكتاب كتابها") == ["كتاب"] * 7


def test_taa_marbuta_forms_share_a_stem() -> None:
    assert tokenize("والمدرسة المدرسة مدرسة") == ["مدرس"] * 3


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("المعلمون", "معلم"),
        ("المعلمين", "معلم"),
        ("اجتماعاتها", "اجتماع"),
        ("السعودية", "سعود"),
        ("وزراء", "زراء"),  # light10 takes و off any word of four letters or more
        ("ولد", "ولد"),  # too short to lose its و
        ("الى", "الي"),  # too short to lose ال
        ("سكان", "سكان"),  # ان is kept when only two letters would remain
    ],
)
def test_light_stem_examples(word: str, stem: str) -> None:
    assert light_stem(normalize(word)) == stem


@pytest.mark.parametrize("stem", ["كتاب", "مدرس", "معلم", "اجتماع", "سعود", "تطرف"])
def test_stems_are_fixed_points(stem: str) -> None:
    assert light_stem(stem) == stem


def test_non_arabic_tokens_are_unchanged() -> None:
    assert light_stem("reuters") == "reuters"
    assert light_stem("2021") == "2021"


def test_stopwords_and_single_characters_are_dropped() -> None:
    text = "قال إنّ الوزير في الرياض على أن هذه الخطة التي أقرت منذ عام ٢٠١٥ و هي ومن وفي"
    assert tokenize(text) == ["قال", "وزير", "رياض", "خطه", "اقرت", "عام", "2015"]


def test_stopwords_are_written_in_normalised_arabic() -> None:
    assert all(normalize(word) == word for word in STOPWORDS)
    assert all("\u0600" <= char <= "\u06ff" for word in STOPWORDS for char in word)
    assert {"في", "من", "علي", "الي", "عن", "ان", "او", "كان", "قد", "هو", "هي"} <= STOPWORDS


def test_latin_and_digits_are_kept_lowercased() -> None:
    assert tokenize("أعلنت Saudi ARAMCO عن أرباح بلغت 3.5 مليار في Q2") == [
        "اعلنت",
        "saudi",
        "aramco",
        "ارباح",
        "بلغت",
        "مليار",
        "q2",
    ]


def test_diacritics_tatweel_and_invisible_marks_do_not_split_words() -> None:
    assert tokenize("الكِتَـــابُ\u200c الجَدِيدُ") == tokenize("الكتاب الجديد") == ["كتاب", "جديد"]


def test_punctuation_separates_tokens() -> None:
    assert tokenize("«الاقتصاد»،الرياض؛(جدة)") == ["اقتصاد", "رياض", "جده"]


_WORDS = st.text(
    st.one_of(
        st.characters(min_codepoint=0x0621, max_codepoint=0x0652),
        st.sampled_from(list(" .،؟ab1ﻻ")),
    ),
    max_size=40,
)


@settings(max_examples=200)
@given(_WORDS)
def test_terms_are_stable_under_normalisation(text: str) -> None:
    terms = tokenize(text)
    assert tokenize(normalize(text)) == terms
    assert all(len(term) >= 2 for term in terms)
    assert all(term == normalize(term) for term in terms)
