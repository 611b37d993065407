"""Helpers for the index-side tests: tiny Arabic corpora, building and inspecting stores."""

from __future__ import annotations

import json
import random
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.articles import Problem
from index.build import IndexReport, IndexSettings, build
from index.chunk import ChunkSettings
from index.embed import Embedder
from index.filters import Filters
from index.store import Store, StoreConfig, open_store

AKHBAR = str(Path(sys.executable).with_name("akhbar"))
CHROMA = str(Path(sys.executable).with_name("chroma"))

# Small chunks, so that a few short articles still make several overlapping chunks each.
SMALL_CHUNKS = ChunkSettings(max_chars=160, overlap_chars=90, sentence_chars=120)

# Six short articles, one topic each; each holds one word no other article has (in WORDS).
CORPUS: list[dict[str, Any]] = [
    {
        "id": "eco-1", "title": "ارتفاع أسعار النفط", "date": "2015-08-02", "source": "الرياض",
        "url": "https://example.org/eco-1",
        "text": "ارتفعت أسعار خام برنت في تعاملات الأحد لتقترب من خمسين دولاراً للبرميل. "
        "ويرى محللون أن استقرار الأسعار قد يخفف الضغط على الميزانية العامة. "
        "وقال وزير المالية إن الإنفاق على مشاريع البنية التحتية سيستمر.\n"
        "وتوقع صندوق النقد الدولي نمو الاقتصاد غير النفطي بنسبة ثلاثة في المئة.",
    },
    {
        "id": "sport-1", "title": "الهلال بطلاً للسوبر", "date": "2015-08-09", "source": "الجزيرة",
        "url": "https://example.org/sport-1",
        "text": "توج فريق الهلال بلقب كأس السوبر بعد فوزه على النصر بركلات الترجيح. "
        "وانتهى الوقت الأصلي من المباراة بالتعادل السلبي. "
        "وأقيمت المباراة في لندن بحضور جماهيري كبير؛ واحتفل اللاعبون مع المشجعين حتى منتصف الليل.",
    },
    {
        "id": "weather-1", "title": "موجة غبار", "date": "2015-07-25", "source": "الرياض",
        "url": "https://example.org/weather-1",
        "text": "حذرت هيئة الأرصاد من موجة غبار كثيفة تضرب المنطقة الشرقية غداً. "
        "وقد تنخفض الرؤية الأفقية إلى أقل من كيلومتر واحد على الطرق السريعة. "
        "ونصحت الهيئة السائقين بتوخي الحذر وتجنب السفر ليلاً.",
    },
    {
        "id": "health-1", "title": "حملة تطعيم", "date": "2015-07-28", "source": "عكاظ",
        "url": "https://example.org/health-1",
        "text": "أطلقت وزارة الصحة حملة وطنية لتطعيم الأطفال ضد الحصبة في جميع المدارس. "
        "وتستمر الحملة أسبوعين وتشمل أكثر من مليون طفل. "
        "هل يحتاج الأطفال إلى جرعة ثانية؟ تقول الوزارة إن الجرعة الثانية تعطى بعد شهر.",
    },
    {
        "id": "culture-1", "title": "معرض الكتاب", "date": "2015-08-05", "source": "عكاظ",
        "url": "https://example.org/culture-1",
        "text": "افتتح معرض الكتاب الدولي أبوابه للزوار بمشاركة خمسمئة دار نشر عربية وأجنبية. "
        "ويستضيف المعرض ندوات عن الرواية والشعر والترجمة. "
        "وقالت اللجنة المنظمة إن عدد الزوار في اليوم الأول تجاوز عشرين ألفاً.",
    },
    {
        "id": "tech-1", "title": "شبكة الجيل الخامس", "date": "2015-08-07", "source": "الجزيرة",
        "url": "https://example.org/tech-1",
        "text": "بدأت شركات الاتصالات اختبار شبكات الجيل الخامس في الرياض وجدة. "
        "وتعد الشبكة الجديدة بسرعات تفوق الشبكات الحالية عشر مرات. "
        "ويتوقع خبراء أن تنتشر الخدمة تجارياً خلال ثلاث سنوات.",
    },
]
WORDS = {"eco-1": "برنت", "sport-1": "الترجيح", "weather-1": "غبار",
         "health-1": "الحصبة", "culture-1": "الرواية", "tech-1": "الاتصالات"}


def write_jsonl(path: Path, articles: Iterable[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8"
    )
    return path


_PLACES = ["الرياض", "جدة", "الدمام", "مكة", "المدينة", "أبها", "تبوك", "حائل", "القصيم", "نجران"]
_TOPICS = [
    ("افتتاح مستشفى جديد", "يضم المستشفى {n} سريراً وقسماً للطوارئ"),
    ("مشروع لتحلية المياه", "ينتج المشروع {n} ألف متر مكعب يومياً"),
    ("مهرجان للتمور", "شارك في المهرجان {n} مزارعاً من مختلف المناطق"),
    ("خطة لتوسعة الطرق", "تشمل الخطة {n} كيلومتراً من الطرق السريعة"),
    ("مسابقة للقرآن الكريم", "تنافس في المسابقة {n} متسابقاً من الشباب"),
    ("معرض للسيارات", "عرضت في المعرض {n} سيارة من طرازات حديثة"),
    ("برنامج لتدريب المعلمين", "يستفيد من البرنامج {n} معلماً ومعلمة"),
    ("حملة لتشجير الأحياء", "زرعت الحملة {n} شجرة في الحدائق العامة"),
]


def make_articles(n: int, seed: int) -> list[dict[str, Any]]:
    """`n` distinct short articles (a few sentences each), reproducible from `seed`."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        place = _PLACES[i % len(_PLACES)]
        topic, detail = _TOPICS[(i // len(_PLACES) + i) % len(_TOPICS)]
        number = rng.randrange(100, 9999)
        sentences = [
            f"أعلنت الجهات المختصة في {place} عن {topic} في الأسبوع رقم {i + 1} من العام.",
            detail.format(n=number) + f" وفق بيان صدر في {place}.",
            f"وقال مسؤول إن العمل سيكتمل خلال {rng.randrange(2, 30)} شهراً بتكلفة "
            f"{rng.randrange(5, 900)} مليون ريال.",
        ]
        sentences += [
            f"وأضاف أن المرحلة {k + 2} من {topic} تبدأ بعد {rng.randrange(3, 60)} يوماً."
            for k in range(rng.randrange(0, 4))
        ]
        out.append({"id": f"gen-{i:03d}", "title": f"{topic} في {place}",
                    "date": f"2015-07-{1 + i % 28:02d}", "source": "مولد", "url": "",
                    "text": " ".join(sentences)})
    return out


@dataclass(frozen=True)
class Indexed:
    report: IndexReport
    problems: list[Problem]


def index_archive(
    paths: Sequence[Path], store_path: Path, embedder: Embedder, *,
    chunking: ChunkSettings = SMALL_CHUNKS, prune: bool = False, batch_articles: int = 32,
    server: str | None = None,
) -> Indexed:
    """Build (or update) the store at `store_path` in this process."""
    problems: list[Problem] = []
    store = open_store(StoreConfig(store_path, server), create=True)
    try:
        settings = IndexSettings(chunking=chunking, prune=prune, batch_articles=batch_articles)
        report = build(list(paths), store, embedder, settings, on_problem=problems.append)
    finally:
        store.close()
    return Indexed(report, problems)


def stored_vectors(store: Store) -> tuple[list[str], np.ndarray]:
    """Every (id, vector) in the store's Chroma collection, sorted by id."""
    return store.vectors()


def assert_findable(store: Store) -> None:
    """Querying Chroma with each stored vector finds that vector's own chunk first."""
    ids, vectors = stored_vectors(store)
    assert ids, "the store holds no vectors"
    found = [store.nearest(vector, Filters(), 1)[0] for vector in vectors]
    assert [cid for cid, _ in found] == ids
    assert max(distance for _, distance in found) < 1e-4


@dataclass(frozen=True)
class Snapshot:
    """What must match between two stores built from the same archive."""

    vector_ids: list[str]
    vector_count: int
    article_ids: set[str]
    chunk_ids: set[str]
    lexical_ids: set[str]
    dirty: str | None


def snapshot(store_path: Path) -> Snapshot:
    from index.lexical import LexicalIndex

    store = open_store(StoreConfig(store_path), create=False)
    try:
        ids, _ = stored_vectors(store)
        return Snapshot(
            vector_ids=ids, vector_count=store.vector_count(),
            article_ids=store.article_ids(), chunk_ids=store.chunk_ids(),
            lexical_ids=set(LexicalIndex(store.lexical_dir).chunk_ids),
            dirty=store.meta("dirty"),
        )
    finally:
        store.close()


def catalog_meta(store_path: Path, key: str) -> str | None:
    """Read a catalog meta value without opening the store (safe while another process writes)."""
    path = store_path / "catalog.sqlite3"
    if not path.exists():
        return None
    db = sqlite3.connect(path, timeout=5)
    try:
        row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    except sqlite3.OperationalError:  # the schema is not written yet
        return None
    finally:
        db.close()
    return None if row is None else str(row[0])


def catalog_count(store_path: Path) -> int:
    path = store_path / "catalog.sqlite3"
    if not path.exists():
        return 0
    db = sqlite3.connect(path, timeout=5)
    try:
        return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def run_akhbar(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AKHBAR, *args], capture_output=True, text=True, timeout=timeout)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Ask a server started by a test to stop; kill it if it does not."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CountingEmbedder:
    """Wraps an embedder and counts the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.texts = 0
        self.calls = 0

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)
