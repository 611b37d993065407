"""Damaged archives, written byte for byte: stray bytes, cut gzip files, shifted CSV rows.

Shared by tests/test_hostile_input.py and tests/bench/bad_input.py.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from collections.abc import Sequence
from typing import Any

CSV_COLUMNS = ("id", "title", "date", "source", "url", "text")


def jsonl_lines(articles: Sequence[dict[str, Any]]) -> list[bytes]:
    """One UTF-8 JSON line per article, each ending in "\\n"."""
    return [json.dumps(a, ensure_ascii=False).encode() + b"\n" for a in articles]


def with_byte(lines: Sequence[bytes], line: int, byte: bytes) -> bytes:
    """`lines` joined, with `byte` put inside the text of line `line` (1-based)."""
    out = list(lines)
    target = out[line - 1]
    at = target.index(b'"text": "') + len(b'"text": "') + 4
    out[line - 1] = target[:at] + byte + target[at:]
    return b"".join(out)


def cut_gzip(data: bytes, complete_lines: int) -> bytes:
    """`data` gzip-compressed and cut as short as it can be while `complete_lines` whole lines
    still decompress: with fewer lines than `data` holds, the next line is cut in the middle."""
    packed = gzip.compress(data, mtime=0)
    for end in range(len(packed) - 1, 0, -1):
        if zlib.decompressobj(31).decompress(packed[:end]).count(b"\n") == complete_lines:
            return packed[:end]
    raise ValueError(f"no cut of the stream leaves {complete_lines} whole lines")


def csv_text(articles: Sequence[dict[str, Any]], *, unquoted_comma_in: str | None = None) -> str:
    """A CSV file of `articles`; the row of id `unquoted_comma_in` written without quoting, its
    title holding a comma, as a hand-made export does it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for article in articles:
        if article["id"] == unquoted_comma_in:
            title = str(article["title"]).replace(" في ", ", ", 1)
            assert "," in title
            assert not any("," in str(v) or '"' in str(v) for v in article.values())
            row = [str(article[c]) if c != "title" else title for c in CSV_COLUMNS]
            out.write(",".join(row) + "\n")
        else:
            writer.writerow([article[c] for c in CSV_COLUMNS])
    return out.getvalue()
