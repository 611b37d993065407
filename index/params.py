"""The numbers the lexical index is built and searched with: BM25's, and names across scripts'.

Defined here, beside the index that bakes k1, b and the skeleton lengths into its files
(index/ never imports assistant/); `assistant.scoring.Scoring.lexical` holds them with every
other weight, and the edge passes them down from there. `akhbar index` builds with `Lexical()`:
a k1, b or min_skeleton other than those is only consistent over an index built with it
(`index.lexical.build(..., params=...)`); near_name and fuzzy_skeleton act at query time only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lexical:
    k1: float = 1.2  # BM25 term-frequency saturation: the textbook value (index.lexical), not tuned
    b: float = 0.75  # BM25 length normalisation: the textbook value, not tuned
    # a transliteration one edit away counts this much of an exact one; set by hand with the
    # names leg (index.lexical.spellings)
    near_name: float = 0.5
    # shortest consonant skeleton matched ("BL", "NS" match too many unrelated words), and the
    # length from which one edit is allowed; set by hand on the seed names (index.translit)
    min_skeleton: int = 3
    fuzzy_skeleton: int = 4
