from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

import index.readers
from index.articles import (
    DEFAULT_FIELDS,
    Article,
    FieldMap,
    Problem,
    derived_id,
    iter_articles,
    parse_date,
)
from index.errors import ArchiveNotFoundError, FieldMapError, UnknownEncodingError


def _load(
    *paths: Path,
    fields: FieldMap = DEFAULT_FIELDS,
    max_chars: int = 1_000_000,
    encoding: str | None = None,
) -> tuple[list[Article], list[Problem]]:
    problems: list[Problem] = []
    found = iter_articles(
        list(paths),
        fields=fields,
        max_chars=max_chars,
        encoding=encoding,
        on_problem=problems.append,
    )
    return list(found), problems


def _jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


# --- JSON Lines ---------------------------------------------------------------------------------


def test_jsonl_record_maps_aliases_case_blind_and_keeps_the_rest_as_extra(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        {
            "ID": 17,
            "Headline": "  عنوان الخبر ",
            "published_at": "2015-07-21T10:33:00Z",
            "outlet": "الجريدة",
            "link": "https://example.com/1",
            "content": "  نص الخبر\r\nسطر ثان  ",
            "sample": True,
            "author": "كاتب",
            "views": 12.5,
            "tags": ["a", "b"],
            "note": None,
            "blurb": "x" * 501,
        },
    )
    articles, problems = _load(path)
    assert problems == []
    assert articles == [
        Article(
            id="17",
            title="عنوان الخبر",
            date="2015-07-21",
            source="الجريدة",
            url="https://example.com/1",
            text="  نص الخبر\nسطر ثان  ",
            origin=f"{path}:1",
            extra=(("author", "كاتب"), ("sample", "true"), ("views", "12.5")),
        )
    ]


def test_first_alias_with_a_value_wins(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", {"id": "x", "text": "  ", "body": "المتن", "title": None})
    [article], problems = _load(path)
    assert (article.text, article.title, problems) == ("المتن", "", [])
    assert dict(article.extra) == {}  # the blank "text" is not repeated as an extra


def test_broken_line_is_reported_with_its_line_and_loading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"id": "1", "text": "الأول"}\n'
        "\n"
        '{"id": "2", "text": "مكسور" "x": 1}\n'
        '["not", "an", "object"]\n'
        '{"id": "3", "text": "الثالث"}\n'
        '{"id": "4", "text": "بلا قوس"\r\n',
        "utf-8",
    )
    articles, problems = _load(path)
    assert [(a.id, a.origin) for a in articles] == [("1", f"{path}:1"), ("3", f"{path}:5")]
    assert [str(p) for p in problems] == [
        f"{path}:3: broken JSON: Expecting ',' delimiter (column 29)",
        f"{path}:4: record is a JSON array, not an object",
        f"{path}:6: broken JSON: Expecting ',' delimiter (column 30)",
    ]
    assert all(p.skipped for p in problems)


def test_empty_or_missing_text_is_skipped_and_named(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", {"id": "1", "text": " \n "}, {"id": "2", "title": "ع"})
    articles, problems = _load(path)
    assert articles == []
    assert [(p.line, p.reason, p.skipped) for p in problems] == [
        (1, "empty text (field 'text')", True),
        (2, "empty text (no field named text, content, body, article, article_text, story)", True),
    ]


def test_missing_id_is_derived_from_the_text_stably(tmp_path: Path) -> None:
    text = "خبر  بلا\nمعرّف "
    path = _jsonl(tmp_path / "a.jsonl", {"text": text}, {"text": " خبر بلا معرّف"})
    first, problems = _load(path)
    again, _ = _load(path)
    expected = "sha1-" + hashlib.sha1("خبر بلا معرّف".encode()).hexdigest()[:16]
    assert [a.id for a in first] == [expected, expected]  # blind to white space
    assert [a.id for a in again] == [expected, expected]
    assert problems[0] == Problem(
        str(path), 1, f"no id; derived '{expected}'", skipped=False, kind="no id"
    )
    assert derived_id("أ ب") != derived_id("أب")


def test_bad_date_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", {"id": "1", "date": "2015-13-45", "text": "نص"})
    [article], problems = _load(path)
    assert article.date is None
    assert problems == [
        Problem(
            str(path), 1, "bad date '2015-13-45' in field 'date' (stored without a date)", False,
            kind="bad date",
        )
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2015-07-21", "2015-07-21"),
        ("2015-07-21 10:33:00", "2015-07-21"),
        ("2015-07-21T23:33:00Z", "2015-07-21"),
        ("2015-07-21T10:33:00.123+03:00", "2015-07-21"),
        ("21/07/2015", "2015-07-21"),
        ("21-7-2015 10:00", "2015-07-21"),
        ("2015/07/21", "2015-07-21"),
        ("Tue, 21 Jul 2015 10:33:00 +0300", "2015-07-21"),
        ("٢٠١٥-٠٧-٢١", "2015-07-21"),
        ("٢١/٠٧/٢٠١٥", "2015-07-21"),
        ("1437474780", "2015-07-21"),  # Unix seconds
        ("1437474780000", "2015-07-21"),  # Unix milliseconds
        ("2015-02-30", None),
        ("31/02/2015", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_date(raw: str, expected: str | None) -> None:
    assert parse_date(raw) == expected


def test_text_over_the_cap_is_skipped_with_sizes(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", {"id": "1", "text": "ب" * 2000}, {"id": "2", "text": "ق"})
    articles, problems = _load(path, max_chars=1000)
    assert [a.id for a in articles] == ["2"]
    assert [str(p) for p in problems] == [
        f"{path}:1: text of 2,000 characters exceeds the 1,000-character cap; split it or raise it"
    ]


def test_gzipped_jsonl_and_field_overrides(tmp_path: Path) -> None:
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(gzip.compress('{"maqal": "مقال", "text": "ليس هذا"}\n'.encode("cp1256")))
    fields = DEFAULT_FIELDS.with_overrides({"text": "maqal"})
    [article], _ = _load(path, fields=fields)
    assert (article.text, article.extra) == ("مقال", (("text", "ليس هذا"),))


def test_a_bad_utf8_line_late_in_a_file_skips_that_record_only(tmp_path: Path) -> None:
    good = json.dumps({"text": "نص " * 100}, ensure_ascii=False).encode() + b"\n"
    count = 70_000 // len(good) + 1  # past the 64 KiB that decide the encoding
    path = tmp_path / "a.jsonl"
    path.write_bytes(good * count + b'{"id": "x", "text": "\xff"}\n' + good)
    articles, problems = _load(path)
    skipped = [p for p in problems if p.skipped]
    assert len(articles) == count + 1
    assert skipped == [
        Problem(
            str(path), count + 1, "cannot decode as utf-8 (byte 0xff); line skipped", skipped=True,
            kind="undecodable", unread=True,
        )
    ]
    assert not any("\ufffd" in a.text for a in articles)


# --- JSON -----------------------------------------------------------------------------------


ARRAY = """[
  {"id": "1", "text": "الأول"},
  {
    "id": "2",
    "text": "الثاني\\nبسطرين"
  },
  {"id": "3", "text": ""}, {"id": "4", "text": "الرابع"}
]
"""


@pytest.mark.parametrize("block", [1 << 20, 7])  # 7: every record spans several blocks
def test_json_array_streams_with_the_line_of_each_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(index.readers, "_BLOCK", block)
    path = tmp_path / "a.json"
    path.write_text(ARRAY, "utf-8")
    articles, problems = _load(path)
    assert [(a.id, a.text, a.origin) for a in articles] == [
        ("1", "الأول", f"{path}:2"),
        ("2", "الثاني\nبسطرين", f"{path}:3"),
        ("4", "الرابع", f"{path}:7"),
    ]
    assert [(p.line, p.reason) for p in problems] == [(7, "empty text (field 'text')")]


def test_broken_json_array_keeps_what_came_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index.readers, "_BLOCK", 16)
    path = tmp_path / "a.json"
    path.write_text('[\n{"id": "1", "text": "أ"},\n{"id": "2",\n "text": "ب" "x": 1}\n]', "utf-8")
    articles, problems = _load(path)
    assert [a.id for a in articles] == ["1"]
    assert [str(p) for p in problems] == [
        f"{path}:4: broken JSON: Expecting ',' delimiter; rest of file skipped"
    ]


def test_json_single_object_wrapper_and_concatenated_objects(tmp_path: Path) -> None:
    single = tmp_path / "single.json"
    single.write_text('{"id": "s", "text": "مفرد", "data": {"k": 1}}', "utf-8")
    wrapper = tmp_path / "wrapper.json"
    wrapper.write_text(
        '{"meta": {"count": 2}, "Articles": [\n{"id": "w1", "text": "أ"},\n'
        '{"id": "w2", "text": "ب"}], "next": null}',
        "utf-8",
    )
    many = tmp_path / "many.json"
    many.write_text('{"id": "m1", "text": "أ"}\n{"id": "m2", "text": "ب"}\n', "utf-8")
    articles, problems = _load(single, wrapper, many)
    assert [(a.id, a.origin) for a in articles] == [
        ("s", f"{single}:1"),
        ("w1", f"{wrapper}:2"),
        ("w2", f"{wrapper}:3"),
        ("m1", f"{many}:1"),
        ("m2", f"{many}:2"),
    ]
    assert problems == []


# --- CSV and TSV ------------------------------------------------------------------------------


def test_csv_rows_with_multiline_fields_get_their_start_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(
        "id,title,text,date\r\n"
        '1,أول,"سطر\r\nوسطر",21/07/2015\r\n'
        "\r\n"
        "2,ثان,,\r\n"
        '3,ثالث,"نص ""مقتبس""",\r\n'.encode("cp1256")
    )
    articles, problems = _load(path)
    assert [(a.id, a.title, a.text, a.date, a.origin) for a in articles] == [
        ("1", "أول", "سطر\nوسطر", "2015-07-21", f"{path}:2"),
        ("3", "ثالث", 'نص "مقتبس"', None, f"{path}:6"),
    ]
    assert [(p.line, p.reason) for p in problems] == [(5, "empty text (field 'text')")]


def test_tsv_and_a_big_field(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    big = "ك" * 200_000  # past csv's default field size limit
    path.write_text(f"id\ttext\n1\t{big}\n2\tقصير\n", "utf-8")
    articles, problems = _load(path)
    assert [(a.id, len(a.text)) for a in articles] == [("1", 200_000), ("2", 4)]
    assert problems == []


# --- one article per file -------------------------------------------------------------------


def test_txt_md_and_html_files(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_bytes("  نص حر\r\nسطر\n".encode("utf-16"))
    (tmp_path / "post.md").write_text("# عنوان المقال\n\nالفقرة الأولى\n", "utf-8")
    (tmp_path / "page.html.gz").write_bytes(
        gzip.compress(
            '<title>صفحة</title><meta property="article:published_time" content="2015-07-21">'
            "<article><p>المتن</p><script>alert(1)</script></article>".encode("cp1256")
        )
    )
    articles, problems = _load(tmp_path)
    assert articles == [
        Article("note", "", None, "", "", "  نص حر\nسطر\n", str(tmp_path / "note.txt")),
        Article("page", "صفحة", "2015-07-21", "", "", "المتن", str(tmp_path / "page.html.gz")),
        Article("post", "عنوان المقال", None, "", "", "الفقرة الأولى\n", str(tmp_path / "post.md")),
    ]
    assert problems == []


def test_empty_and_oversized_whole_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text(" \n", "utf-8")
    (tmp_path / "long.txt").write_text("م" * 3000, "utf-8")
    (tmp_path / "bare.html").write_text("<nav>قائمة</nav>", "utf-8")
    articles, problems = _load(tmp_path, max_chars=1000)
    assert articles == []
    assert sorted(str(p) for p in problems) == [
        f"{tmp_path / 'bare.html'}: empty text (no main text in the page)",
        f"{tmp_path / 'empty.txt'}: empty file",
        f"{tmp_path / 'long.txt'}: text of 3,000 characters exceeds the 1,000-character cap; "
        "split it or raise it",
    ]


# --- folders, files and errors ----------------------------------------------------------------


def test_folder_walk_is_sorted_skips_hidden_and_survives_an_undecodable_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    _jsonl(tmp_path / "b" / "2.jsonl", {"id": "b2", "text": "ب"})
    _jsonl(tmp_path / "a.jsonl", {"id": "a", "text": "أ"})
    _jsonl(tmp_path / ".hidden" / "h.jsonl", {"id": "h", "text": "خ"})
    _jsonl(tmp_path / ".dot.jsonl", {"id": "d", "text": "د"})
    (tmp_path / "README.rst").write_text("ignored", "utf-8")
    (tmp_path / "b" / "1.txt").write_bytes(bytes(range(256)) * 4)
    articles, problems = _load(tmp_path)
    assert [a.id for a in articles] == ["a", "b2"]
    assert problems == [
        Problem(
            str(tmp_path / "b" / "1.txt"),
            None,
            "cannot decode as UTF-8, UTF-16, Windows-1256 or ISO-8859-6",
            skipped=True,
            kind="undecodable",
            unread=True,
        )
    ]


def test_an_explicit_unsupported_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "dump.xml"
    path.write_text("<x/>", "utf-8")
    gz = tmp_path / "dump.tar.gz"
    gz.write_bytes(gzip.compress(b"x"))
    articles, problems = _load(path, gz)
    assert articles == []
    assert [str(p) for p in problems] == [
        f"{path}: unsupported file type '.xml' (supported: .jsonl, .ndjson, .json, .csv, .tsv, "
        ".txt, .md, .html, .htm, each also with .gz)",
        f"{gz}: unsupported file type '.tar.gz' (supported: .jsonl, .ndjson, .json, .csv, .tsv, "
        ".txt, .md, .html, .htm, each also with .gz)",
    ]


def test_a_corrupt_gzip_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(b"not gzip at all")
    articles, problems = _load(path)
    assert articles == []
    assert len(problems) == 1 and problems[0].skipped
    assert problems[0].reason.startswith("cannot read the file (")


def test_a_missing_path_raises_before_reading(tmp_path: Path) -> None:
    real = _jsonl(tmp_path / "a.jsonl", {"text": "x"})
    with pytest.raises(ArchiveNotFoundError, match=r"nowhere\.jsonl: no such file or folder"):
        iter_articles([real, tmp_path / "nowhere.jsonl"], on_problem=print)  # not iterated


def test_an_unknown_encoding_raises(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", {"text": "x"})
    with pytest.raises(UnknownEncodingError, match="unknown encoding 'klingon'"):
        iter_articles([path], encoding="klingon", on_problem=print)  # not iterated


def test_field_overrides_refuse_unknown_fields() -> None:
    assert FieldMap().with_overrides({"id": "رقم"}).id == ("رقم",)
    with pytest.raises(FieldMapError, match=r"unknown article field 'body' in field overrides"):
        FieldMap().with_overrides({"body": "x"})


def test_problem_str() -> None:
    assert str(Problem("a.jsonl", 3, "empty text (field 'text')", True)) == (
        "a.jsonl:3: empty text (field 'text')"
    )
    assert str(Problem("a.txt", None, "empty file", True)) == "a.txt: empty file"


# --- damaged files (issue 9) ------------------------------------------------------------------


def test_a_bad_byte_near_the_start_skips_its_line_only(tmp_path: Path) -> None:
    records = [{"id": str(n), "text": f"الخبر رقم {n} عن الاقتصاد"} for n in range(1, 47)]
    lines = [json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records]
    lines[4] = lines[4].replace("الخبر".encode(), b"\xff" + "الخبر".encode())
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"".join(lines))
    articles, problems = _load(path)
    assert [a.id for a in articles] == [str(n) for n in range(1, 47) if n != 5]
    assert problems == [
        Problem(str(path), 5, "cannot decode as utf-8 (byte 0xff); line skipped", True,
                kind="undecodable", unread=True)
    ]


def test_a_cut_gzip_file_keeps_the_records_before_the_break(tmp_path: Path) -> None:
    records = [{"id": str(n), "text": f"الخبر رقم {n} " * 20} for n in range(1, 11)]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    packed = gzip.compress(data)
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    articles, problems = _load(path)
    assert 3 <= len(articles) < 10
    assert [a.id for a in articles] == [str(n) for n in range(1, len(articles) + 1)]
    assert [(p.line, p.kind, p.unread) for p in problems] == [
        (len(articles) + 1, "unreadable file", True)
    ]
    assert problems[0].reason == (
        "cannot read the file (Compressed file ended before the end-of-stream marker was "
        "reached); what was read before is kept"
    )


@pytest.mark.parametrize(("name", "sep", "mark"), [("a.csv", ",", "comma"), ("a.tsv", "\t", "tab")])
def test_a_row_with_more_cells_than_columns_is_skipped_not_shifted(
    tmp_path: Path, name: str, sep: str, mark: str
) -> None:
    path = tmp_path / name
    rows = [
        ["id", "title", "date", "source", "url", "text"],
        ["1", "أول", "2015-07-21", "الرياض", "https://e.org/1", "نص أول"],
        ["2", "ثان", "مكرر", "2015-07-22", "الرياض", "https://e.org/2", "نص ثان"],
        ["3", "ثالث", "2015-07-23", "عكاظ", "https://e.org/3", "نص ثالث"],
        ["4", "رابع", "", "", "", "نص رابع"],
    ]
    path.write_text("".join(sep.join(r) + "\n" for r in rows), "utf-8")
    articles, problems = _load(path)
    assert [(a.id, a.text) for a in articles] == [("1", "نص أول"), ("3", "نص ثالث"),
                                                  ("4", "نص رابع")]
    assert problems == [
        Problem(str(path), 3, f"row has 7 cells but the header 6 columns (a {mark} inside a "
                "field that is not quoted?); row skipped", True,
                kind="more cells than columns", unread=True)
    ]


def test_links_are_followed_only_to_files_inside_the_paths_given(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    _jsonl(outside / "secret.jsonl", {"id": "secret", "text": "سر"})
    (outside / "notes.xml").write_text("<x/>", "utf-8")
    root = tmp_path / "archive"
    (root / "2015").mkdir(parents=True)
    _jsonl(root / "2015" / "a.jsonl", {"id": "a", "text": "أ"})
    (root / "secret.jsonl").symlink_to(outside / "secret.jsonl")
    (root / "notes.xml").symlink_to(outside / "notes.xml")  # not a format read: ignored
    (root / "elsewhere").symlink_to(outside)
    (root / "latest.jsonl").symlink_to(root / "2015" / "a.jsonl")
    (root / "year").symlink_to(root / "2015")  # walked where it is, not twice
    (root / "gone.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    (root / "loop.jsonl").symlink_to(root / "loop.jsonl")
    articles, problems = _load(root)
    assert [(a.id, a.origin) for a in articles] == [
        ("a", f"{root / '2015' / 'a.jsonl'}:1"), ("a", f"{root / 'latest.jsonl'}:1")
    ]
    outside_reason = ", outside the archive paths given; not followed"
    assert [(p.path, p.reason, p.kind) for p in problems] == [
        (str(root / "elsewhere"), f"symbolic link to {outside}{outside_reason}",
         "link outside the archive"),
        (str(root / "gone.jsonl"), f"symbolic link to {tmp_path / 'nowhere.jsonl'}"
         f"{outside_reason}", "link outside the archive"),
        (str(root / "loop.jsonl"), problems[2].reason, "unreadable file"),
        (str(root / "secret.jsonl"), f"symbolic link to {outside / 'secret.jsonl'}"
         f"{outside_reason}", "link outside the archive"),
    ]
    assert problems[2].reason.startswith("cannot read the file (") and problems[2].unread
    # A path given is a root, even through a link; what it links to inside counts as inside.
    entry = tmp_path / "entry"
    entry.symlink_to(root)
    via, problems = _load(entry, outside)
    assert sorted(a.id for a in via) == ["a", "a", "secret", "secret"]
    assert [p.path for p in problems] == [str(entry / "gone.jsonl"), str(entry / "loop.jsonl")]


def test_each_skip_names_a_stable_kind_and_whether_text_was_lost(tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text('{"id": "1", "text": ""}\n{broken\n[1]\n{"id": "4", "text": "نص"}\n', "utf-8")
    (tmp_path / "b.txt").write_text("م" * 30, "utf-8")
    (tmp_path / "c.json").write_text('[{"id": "5", "text": "نص"}, oops]', "utf-8")
    odd = tmp_path / "d.xml"
    odd.write_text("<x/>", "utf-8")
    _, problems = _load(tmp_path, odd, max_chars=20)
    assert [(Path(p.path).name, p.line, p.kind, p.unread) for p in problems] == [
        ("a.jsonl", 1, "empty text", False),
        ("a.jsonl", 2, "broken JSON", True),
        ("a.jsonl", 3, "not a JSON object", False),
        ("b.txt", None, "too long", False),
        ("c.json", 1, "broken JSON", True),
        ("d.xml", None, "unsupported file type", False),
    ]
