"""Our BM25 scores are bm25s's Lucene variant times (k1 + 1), on a corpus of 206 articles."""

from __future__ import annotations

import random
from pathlib import Path

import bm25s
import numpy as np
import pytest

from index.lexical import LexicalIndex, build
from index.params import Lexical
from index.tokens import tokenize
from tests.helpers import make_articles


@pytest.mark.parametrize("params", [Lexical(), Lexical(k1=2.0, b=0.3)],
                         ids=["default", "other-k1-b"])
def test_scores_match_bm25s_lucene(tmp_path: Path, params: Lexical) -> None:
    """With the default k1 and b, and with others passed in (they must reach the index)."""
    articles = make_articles(206, seed=11)
    tokens = [tokenize(a["text"]) for a in articles]
    rows = [(a["id"], " ".join(t), a["id"], a["date"], a["source"])
            for a, t in zip(articles, tokens, strict=True)]
    assert build(rows, tmp_path / "lexical", params=params) == 206
    ours = LexicalIndex(tmp_path / "lexical", params)
    k1 = params.k1

    oracle = bm25s.BM25(method="lucene", k1=k1, b=params.b)
    oracle.index(tokens, show_progress=False)
    rng = random.Random(3)
    vocabulary = sorted({t for doc in tokens for t in doc})
    queries = [articles[i]["title"] for i in range(0, 206, 17)]
    queries += [" ".join(rng.sample(vocabulary, 3)) for _ in range(10)]
    compared = 0
    for query in queries:
        terms = list(dict.fromkeys(tokenize(query)))
        expected = np.asarray(oracle.get_scores(terms), dtype=np.float64) * (k1 + 1)
        hits = ours.search(query, k=206)
        got = np.zeros(206)
        index_of = {a["id"]: i for i, a in enumerate(articles)}
        for chunk_id, score in zip(hits.chunk_ids, hits.scores, strict=True):
            got[index_of[chunk_id]] = score
        assert np.count_nonzero(expected) == len(hits.chunk_ids), query
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5, err_msg=query)
        compared += len(hits.chunk_ids)
    assert compared > 500  # the queries reached many documents, not a handful
