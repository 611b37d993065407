"""The dictd reader: base-64 offsets, entries, Arabic alternatives, inflections, missing files."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from dictd_fixture import ENTRIES, encode, write_dictd

from index.dictionary import (
    DEFAULT_DICTIONARY,
    Dictionary,
    DictionaryMissing,
    decode_number,
    load_dictionary,
)
from index.tokens import tokenize


@pytest.fixture
def dictionary(tmp_path: Path) -> Dictionary:
    found = load_dictionary(write_dictd(tmp_path))
    assert isinstance(found, Dictionary), found
    return found


def test_dictd_numbers_decode_in_its_base_64() -> None:
    assert [decode_number(s) for s in ("A", "B", "/", "BA", "//", "BAA")] == [
        0, 1, 63, 64, 4095, 4096]
    rng = random.Random(7)
    for number in [rng.randrange(1 << 30) for _ in range(200)]:
        assert decode_number(encode(number)) == number
    for bad in ("", "AB!", "A=="):
        with pytest.raises(ValueError, match="not a dictd base-64 number"):
            decode_number(bad)


def test_entries_give_their_arabic_alternatives_without_pronunciation_or_latin(
    dictionary: Dictionary,
) -> None:
    assert dictionary.translations("yacht") == ("اليخت",)
    assert dictionary.translations("Yacht") == ("اليخت",)  # headwords are looked up lower-cased
    assert dictionary.translations("attack") == ("هجوم", "اعتداء", "غارة")  # lines and commas
    assert dictionary.translations("bank") == ("مصرف", "ضفة النهر")  # both entries of "bank"
    assert dictionary.translations("harbour") == ("الميناء",)  # "(on the coast)" dropped
    assert dictionary.translations("sail") == ()  # only Latin text in the entry
    assert dictionary.translations("submarine") == ()
    assert "00databaseinfo" not in dictionary  # dictd's metadata is not a headword
    assert len(dictionary) == len({h for h, _ in ENTRIES}) - 1


def test_terms_are_the_archives_bm25_terms(dictionary: Dictionary) -> None:
    assert dictionary.terms("yacht") == ((*tokenize("اليخت"),),)
    assert dictionary.terms("bank") == (tuple(tokenize("مصرف")), tuple(tokenize("ضفة النهر")))
    assert dictionary.terms("the") == tuple((t,) for t in tokenize("الـ"))  # maybe nothing


@pytest.mark.parametrize(("word", "headword"), [
    ("yachts", "yacht"), ("attacks", "attack"), ("attacked", "attack"),
    ("attacking", "attack"), ("studies", "study"), ("studied", "study"),
    ("stopped", "stop"), ("stopping", "stop"), ("harbours", "harbour"), ("Yacht's", "yacht"),
])
def test_an_inflected_word_falls_back_to_its_base(
    dictionary: Dictionary, word: str, headword: str,
) -> None:
    assert dictionary.headword(word) == headword
    assert dictionary.translations(word) == dictionary.translations(headword) != ()


def test_a_word_with_its_own_entry_is_not_reduced(dictionary: Dictionary) -> None:
    assert dictionary.headword("books") == "books"
    assert dictionary.translations("books") == ("مؤلفات",) != dictionary.translations("book")
    assert dictionary.headword("xs") is None and dictionary.headword("bus") is None


def test_an_uncompressed_dict_file_reads_the_same(tmp_path: Path) -> None:
    found = load_dictionary(write_dictd(tmp_path, compress=False))
    assert isinstance(found, Dictionary)
    assert found.translations("attack") == ("هجوم", "اعتداء", "غارة")
    assert load_dictionary(tmp_path / "fake-eng-ara.index") is not None  # the .index path too


def test_missing_files_are_a_result_naming_them(tmp_path: Path) -> None:
    found = load_dictionary(tmp_path / "nowhere")
    assert isinstance(found, DictionaryMissing)
    assert found.absent == (tmp_path / "nowhere.index", tmp_path / "nowhere.dict.dz")
    base = write_dictd(tmp_path)
    base.with_name(base.name + ".dict.dz").unlink()
    found = load_dictionary(base)
    assert isinstance(found, DictionaryMissing)
    assert found.absent == (tmp_path / "fake-eng-ara.dict.dz",)
    assert DEFAULT_DICTIONARY == Path("/usr/share/dictd/freedict-eng-ara")


def test_a_malformed_index_names_its_file_and_line(tmp_path: Path) -> None:
    base = write_dictd(tmp_path)
    index = base.with_name(base.name + ".index")
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = "bank\tB!\tC\n"
    index.write_text("".join(lines), encoding="utf-8")
    found = load_dictionary(base)
    assert isinstance(found, DictionaryMissing)
    assert (found.unreadable, found.line) == (index, 4)
    assert "'!'" in found.detail
    assert found.reason == f"{index}, line 4 is unreadable: {found.detail}"
    lines[3] = "bank only\n"
    index.write_text("".join(lines), encoding="utf-8")
    found = load_dictionary(base)
    assert isinstance(found, DictionaryMissing) and found.line == 4


def test_an_index_pointing_past_the_text_or_a_broken_gzip_is_unreadable(tmp_path: Path) -> None:
    base = write_dictd(tmp_path, entries=[("yacht", "Yacht\nاليخت\n")])
    index = base.with_name(base.name + ".index")
    index.write_text(f"yacht\tA\t{encode(10_000)}\n", encoding="utf-8")
    found = load_dictionary(base)
    assert isinstance(found, DictionaryMissing) and found.unreadable == index
    assert "'yacht'" in found.detail
    write_dictd(tmp_path)
    data = base.with_name(base.name + ".dict.dz")
    data.write_bytes(data.read_bytes()[:20])
    found = load_dictionary(base)
    assert isinstance(found, DictionaryMissing) and found.unreadable == data


def test_a_words_family_is_its_base_and_the_inflected_forms_the_dictionary_has(
    dictionary: Dictionary,
) -> None:
    assert dictionary.family("book") == ["book", "books"]
    assert dictionary.family("books") == ["books", "book"]
    assert dictionary.family("booked") == ["book", "books"]  # reduced first, then inflected
    assert dictionary.family("yacht") == ["yacht"]
    assert dictionary.family("submarine") == []
