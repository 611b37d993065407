from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import pytest

from index.decode import SNIFF_BYTES, open_text, sniff
from index.errors import UndecodableFileError, UnknownEncodingError

NEWS = "قال الرئيس في كلمته إن الاقتصاد ينمو بسرعة.\nوأضاف أن البطالة تراجعت، وهذا خبر سار.\n"
# ع غ ف ق ك and ي are bytes 0xDA-0xDF and 0xED in Windows-1256: not all valid ISO-8859-6
SHORT = "نص عربي"


def _read(path: Path, encoding: str | None = None) -> tuple[str, str]:
    with open_text(path, encoding) as source:
        return source.encoding, source.read()


SALAM = "السلام عليكم"


@pytest.mark.parametrize(
    ("text", "data", "expected_encoding"),
    [
        (NEWS, NEWS.encode("utf-8"), "utf-8"),
        (NEWS, codecs.BOM_UTF8 + NEWS.encode("utf-8"), "utf-8"),
        (NEWS, codecs.BOM_UTF16_LE + NEWS.encode("utf-16-le"), "utf-16-le"),
        (NEWS, codecs.BOM_UTF16_BE + NEWS.encode("utf-16-be"), "utf-16-be"),
        (NEWS, NEWS.encode("utf-16-le"), "utf-16-le"),  # no BOM: told by its NUL bytes
        (NEWS, NEWS.encode("utf-16-be"), "utf-16-be"),
        (NEWS, NEWS.encode("cp1256"), "cp1256"),
        (NEWS, NEWS.encode("iso8859_6"), "iso8859-6"),
        (SHORT, SHORT.encode("cp1256"), "cp1256"),  # also valid ISO-8859-6: "لص غربٍ"
        (SHORT, SHORT.encode("iso8859_6"), "iso8859-6"),  # as Windows-1256: "وص ظربê"
        (SALAM, SALAM.encode("cp1256"), "cp1256"),
        (SALAM, SALAM.encode("iso8859_6"), "iso8859-6"),
    ],
)
def test_each_encoding_decodes_to_the_exact_text(
    tmp_path: Path, text: str, data: bytes, expected_encoding: str
) -> None:
    path = tmp_path / "news.txt"
    path.write_bytes(data)
    assert _read(path) == (expected_encoding, text)


def test_gzip_is_decompressed_then_detected(tmp_path: Path) -> None:
    path = tmp_path / "news.txt.gz"
    path.write_bytes(gzip.compress(NEWS.encode("cp1256")))
    assert _read(path) == ("cp1256", NEWS)


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 64,  # binary
        "Le café du coin: résumé, été, élève, à bientôt.\n".encode("latin-1") * 20,
        "Grüße aus Köln\n".encode("latin-1"),
    ],
    ids=["binary", "french-latin1", "german-latin1"],
)
def test_bytes_that_read_as_no_arabic_text_are_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "mystery.txt"
    path.write_bytes(data)
    message = r"mystery\.txt: cannot decode as UTF-8, UTF-16, Windows-1256 or ISO-8859-6"
    with pytest.raises(UndecodableFileError, match=message) as caught:
        open_text(path)
    assert caught.value.reason == "cannot decode as UTF-8, UTF-16, Windows-1256 or ISO-8859-6"


def test_a_bad_utf8_line_past_the_sniffed_window_is_dropped_and_named(tmp_path: Path) -> None:
    filler = "سطر عادي\n".encode() * (SNIFF_BYTES // 10 + 100)  # longer than the window
    lines_before = filler.count(b"\n")
    path = tmp_path / "late.jsonl"
    path.write_bytes(filler + b"bad \xff byte\n" + "آخر سطر\n".encode())
    got: list[str] = []
    errors: list[UndecodableFileError] = []
    with open_text(path) as source:
        assert source.encoding == "utf-8"
        while True:
            try:
                got.append(next(source))
            except StopIteration:
                break
            except UndecodableFileError as err:
                errors.append(err)
    assert [err.line for err in errors] == [lines_before + 1]
    assert errors[0].reason == "cannot decode as utf-8 (byte 0xff); line skipped"
    assert len(got) == lines_before + 1
    assert got[-1] == "آخر سطر\n"
    assert "\ufffd" not in "".join(got)


def test_a_bad_byte_read_in_blocks_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "late.json"
    path.write_bytes("سطر\n".encode() * 10 + b"x\xffy\n")
    with open_text(path, "utf-8") as source, pytest.raises(UndecodableFileError) as caught:
        while source.read(7):
            pass
    assert caught.value.line == 11
    expected = f"{path}:11: cannot decode as utf-8 (byte 0xff); rest of file skipped"
    assert str(caught.value) == expected


def test_blocks_split_inside_characters_join_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "news.txt"
    path.write_bytes(NEWS.encode("utf-8"))
    parts = []
    with open_text(path) as source:
        while part := source.read(5):  # 5 bytes: cuts two-byte Arabic letters in half
            parts.append(part)
    assert "".join(parts) == NEWS


def test_lines_keep_their_ends(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes("أ\r\nب\n".encode("utf-16"))
    with open_text(path) as source:
        assert list(source) == ["أ\r\n", "ب\n"]


def test_an_explicit_encoding_wins_and_a_utf8_bom_is_still_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + SHORT.encode())
    assert _read(path, "UTF8") == ("utf-8", SHORT)
    path.write_bytes(SHORT.encode("iso8859_6"))
    assert _read(path, "iso-8859-6") == ("iso8859-6", SHORT)


def test_an_unknown_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x")
    message = r"unknown encoding 'arabic-9'; use a Python codec name"
    with pytest.raises(UnknownEncodingError, match=message):
        open_text(path, "arabic-9")


def test_sniff_waits_for_the_end_of_a_cut_character(tmp_path: Path) -> None:
    cut = SHORT.encode()[:-1]  # ends in half a letter
    assert sniff(cut, complete=False) == ("utf-8", 0)
    # A whole file that ends in half a letter: that byte does not decode, and costs its line.
    path = tmp_path / "cut.txt"
    path.write_bytes(SHORT.encode() + b"\n" + cut)
    assert _lines(path) == ("utf-8", [SHORT + "\n"],
                            [(2, "cannot decode as utf-8 (byte 0xd9); line skipped")])


# --- stray bytes and cut files (issue 9) ------------------------------------------------------


def _lines(path: Path) -> tuple[str, list[str], list[tuple[int | None, str]]]:
    """(encoding, lines read, (line, reason) of each line that failed) of `path`."""
    got: list[str] = []
    errors: list[tuple[int | None, str]] = []
    with open_text(path) as source:
        while True:
            try:
                got.append(next(source))
            except StopIteration:
                break
            except UndecodableFileError as err:
                errors.append((err.line, err.reason))
        return source.encoding, got, errors


@pytest.mark.parametrize(
    ("byte", "reason"),
    [
        (b"\xff", "cannot decode as utf-8 (byte 0xff); line skipped"),
        (b"\xd8", "cannot decode as utf-8 (byte 0xd8); line skipped"),  # half a letter
        (b"\x00", "NUL byte (0x00), which no text holds; line skipped"),
    ],
)
def test_a_stray_byte_near_the_start_of_utf8_costs_its_line_only(
    tmp_path: Path, byte: bytes, reason: str
) -> None:
    lines = [f"السطر رقم {n} من الخبر\n".encode() for n in range(1, 11)]
    lines[1] = lines[1][:6] + byte + lines[1][6:]
    path = tmp_path / "news.jsonl"
    path.write_bytes(b"".join(lines))
    encoding, got, errors = _lines(path)
    assert encoding == "utf-8"
    assert errors == [(2, reason)]
    assert got == [line.decode() for n, line in enumerate(lines, 1) if n != 2]


def test_a_nul_byte_alone_does_not_make_a_file_utf16() -> None:
    text = NEWS.encode("utf-8")
    assert sniff(text[:9] + b"\x00" + text[9:], complete=True) == ("utf-8", 0)
    cp1256 = NEWS.encode("cp1256")
    assert sniff(cp1256[:9] + b"\x00" + cp1256[9:], complete=True) == ("cp1256", 0)


def test_ascii_with_a_stray_byte_is_utf8_and_windows_1256_stays_windows_1256() -> None:
    ascii_lines = b"".join(b'{"id": "%d", "text": "x"}\n' % n for n in range(100))
    assert sniff(ascii_lines + b'{"text": "caf\xe9"}\n', complete=True) == ("utf-8", 0)
    # Windows-1256 Arabic holds a few valid UTF-8 pairs ("ة،" is 0xC9 0xA1): not enough.
    arabic = ("وقالت الوزارة إن الحملة ناجحة، وإن الجرعة الثانية تعطى بعد شهر. " * 20).encode(
        "cp1256")
    assert sniff(arabic, complete=True) == ("cp1256", 0)
    assert sniff(arabic + b"\xff\xfe\xfd", complete=True) == ("cp1256", 0)


def test_a_cut_gzip_file_inside_the_window_is_read_up_to_the_break(tmp_path: Path) -> None:
    data = "".join(f"السطر رقم {n}\n" for n in range(1, 200)).encode()
    packed = gzip.compress(data)
    path = tmp_path / "news.txt.gz"
    path.write_bytes(packed[: len(packed) // 2])
    got = []
    with open_text(path) as source, pytest.raises(EOFError):
        for line in source:
            got.append(line)
    assert source.lines_read == len(got) > 10
    assert "".join(got) == data.decode()[: len("".join(got))]


def test_utf16_with_a_bad_code_unit_is_still_utf16_up_to_it(tmp_path: Path) -> None:
    lines = [f"السطر رقم {n} من الخبر\n" for n in range(1, 11)]
    data = "".join(lines[:6]).encode("utf-16-le") + b"\x00\xd8" + "".join(lines[6:]).encode(
        "utf-16-le")  # a lone high surrogate (0xD800) on line 7
    path = tmp_path / "news.txt"
    path.write_bytes(data)
    assert _lines(path) == ("utf-16-le", lines[:6], [
        (7, "cannot decode as utf-16-le (byte 0x00d8); rest of file skipped")
    ])


def test_cp1256_names_its_bad_byte_and_blocks_end_after_the_text_before_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "news.json"
    path.write_bytes(NEWS.encode("iso8859_6") + b"\xa1\n")  # 0xA1 is not ISO-8859-6
    with open_text(path, "iso8859_6") as source:
        assert source.read(10_000) == NEWS
        with pytest.raises(UndecodableFileError) as caught:
            source.read(10_000)
        assert source.read(10_000) == ""
    assert caught.value.line == 3
    assert caught.value.reason == "cannot decode as iso8859-6 (byte 0xa1); rest of file skipped"
