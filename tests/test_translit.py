"""Names across scripts: English spellings against Arabic transliterations, and their BM25."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.language import name_words
from index import lexical
from index.lexical import LexicalIndex
from index.tokens import tokenize
from index.translit import arabic_skeleton, latin_skeleton, neighbours


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, small and plain."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def _skeleton_of_term(word: str) -> str:
    (term,) = tokenize(word)  # the stemmed BM25 term, as the index holds it
    return arabic_skeleton(term)


@pytest.mark.parametrize(
    ("english", "arabic"),
    [
        ("Erbil", "أربيل"), ("Kirkuk", "كركوك"), ("Merkel", "ميركل"), ("Trump", "ترامب"),
        ("Mosul", "الموصل"), ("Erdogan", "أردوغان"), ("Chicago", "شيكاغو"),
        ("Sheepshanks", "شيبشانكس"),
        ("Luther", "لوثر"), ("Burgess", "بورجس"), ("Temüjin", "تيموجين"),
        ("Washington", "واشنطن"), ("Lavoisier", "لافوزييه"), ("Huguenots", "الهوغونوتيون"),
    ],
)
def test_a_name_and_its_transliteration_are_at_most_one_edit_apart(
    english: str, arabic: str,
) -> None:
    latin, term = latin_skeleton(english), _skeleton_of_term(arabic)
    assert len(latin) >= 3
    assert _distance(latin, term) <= 1, (latin, term)
    assert term in neighbours(latin)


@pytest.mark.parametrize(
    ("english", "arabic"),
    [("Erbil", "بغداد"), ("Merkel", "ماكرون"), ("Chicago", "واشنطن"), ("Trump", "أوباما")],
)
def test_different_names_do_not_match(english: str, arabic: str) -> None:
    assert _skeleton_of_term(arabic) not in neighbours(latin_skeleton(english))


def test_skeletons_drop_vowels_and_merge_close_sounds() -> None:
    assert latin_skeleton("Erbil") == "RBL" == arabic_skeleton("اربيل")
    assert latin_skeleton("Pascal") == latin_skeleton("Baskal")  # p/b, soft/hard c
    assert latin_skeleton("Ahmed") == latin_skeleton("Ahmad")
    assert arabic_skeleton("كابل") == arabic_skeleton("قابل")  # ك/ق one class
    assert latin_skeleton("CNN2") == "" and latin_skeleton("Москва") == ""
    assert arabic_skeleton("cnn") == ""


def test_neighbours_are_exact_for_short_skeletons_and_one_edit_for_longer() -> None:
    assert neighbours("RB") == {}
    assert neighbours("RBL") == {"RBL": 0}
    near = neighbours("MRKL")
    assert near["MRKL"] == 0
    assert {"MRK", "MRKLS", "MRGL"} <= {s for s, d in near.items() if d == 1}
    assert all(_distance("MRKL", s) == d for s, d in near.items())
    # light stemming takes -ان/-ين off Arabic names (أردوغان → اردوغ): a final N may go
    assert neighbours("RDGN")["RDG"] == 0 and neighbours("TRMB")["TRM"] == 1


def test_name_words_of_english_questions() -> None:
    assert name_words("who was blamed for the Erbil attack?") == ["Erbil"]
    assert name_words("When was Temüjin elected khan of the Mongols?") == ["Temüjin", "Mongols"]
    assert name_words("What did CNN report in 2021?") == ["CNN"]
    assert name_words("The V&A opened when?") == ["V", "A"]
    assert name_words("Erbil airport") == ["Erbil"]  # a name may open the question
    # written without capitals: every word of four letters or more may be a name
    assert name_words("who was blamed for the erbil attack?") == ["blamed", "erbil", "attack"]
    assert name_words("Who attacked erbil?") == ["attacked", "erbil"]
    assert name_words("من هاجم أربيل؟") == []  # Arabic questions are matched as they are
    assert name_words("who said أربيل?") == ["said"]  # أربيل goes to BM25 as it is


@pytest.fixture
def names_index(tmp_path: Path) -> LexicalIndex:
    texts = {
        "c-erbil": "سقطت صواريخ على مطار أربيل الدولي مساء الاثنين",
        "c-baghdad": "سقطت صواريخ على المنطقة الخضراء في بغداد مساء الاثنين",
        "c-cnn": "نقلت شبكة CNN عن مسؤولين أن الهجوم استهدف قاعدة عسكرية",
        "c-merkel": "التقت المستشارة ميركل وزير الخارجية في برلين",
    }
    rows = [(cid, " ".join(tokenize(text)), cid, "2021-02-15", "test")
            for cid, text in texts.items()]
    lexical.build(rows, tmp_path / "lexical")
    return LexicalIndex(tmp_path / "lexical")


def test_search_names_finds_the_transliteration(names_index: LexicalIndex) -> None:
    hits = names_index.search_names(["Erbil"], 5)
    assert hits.chunk_ids == ["c-erbil"]
    assert hits.coverage == 1.0 and 0 < hits.scores[0] <= hits.ceiling
    near = names_index.search_names(["Merkels"], 5)  # one edit away: half the weight
    exact = names_index.search_names(["Merkel"], 5)
    assert near.chunk_ids == exact.chunk_ids == ["c-merkel"]
    assert near.scores[0] == pytest.approx(exact.scores[0] / 2)


def test_search_names_matches_latin_names_as_written(names_index: LexicalIndex) -> None:
    assert names_index.search_names(["CNN"], 5).chunk_ids == ["c-cnn"]


def test_search_names_adds_names_and_reports_unmatched_ones(names_index: LexicalIndex) -> None:
    both = names_index.search_names(["Erbil", "CNN", "Zyxwv"], 5)
    assert set(both.chunk_ids) == {"c-erbil", "c-cnn"}
    assert both.coverage == pytest.approx(2 / 3)
    assert names_index.search_names([], 5).chunk_ids == []
    twice = names_index.search_names(["Erbil", "Erbil"], 5)  # "...Erbil airport... Erbil?"
    once = names_index.search_names(["Erbil"], 5)
    assert twice.coverage == 1.0 and twice.ceiling == once.ceiling
    assert twice.scores.tolist() == once.scores.tolist()
    assert names_index.search_names(["Zyxwv"], 5).coverage == 0.0


def test_search_names_respects_the_mask(names_index: LexicalIndex) -> None:
    mask = names_index.mask(since="2022-01-01")
    assert mask is not None
    assert names_index.search_names(["Erbil"], 5, mask=mask).chunk_ids == []


def test_skeletons_are_stored_with_the_index_and_rebuilt_for_older_stores(
    names_index: LexicalIndex,
) -> None:
    stored = names_index.folder / "skeletons.json"
    assert stored.exists()
    spelled = names_index.spellings("Erbil")
    assert spelled and all(w == 1.0 for w in spelled.values())
    stored.unlink()  # a store indexed before names were matched
    assert LexicalIndex(names_index.folder).spellings("Erbil") == spelled
