"""The sentence that answers: whole sentences, typed spans, never a question or boilerplate."""

from __future__ import annotations

import json

from assistant.answer import Answer, extract
from assistant.picking import Picking, asks, is_boilerplate, quotable, sentences_of
from assistant.render import MARKERS, answer_text
from assistant.retrieve import Hit
from index.sentences import sentence_spans

LONG = ("أطلقت أربعة صواريخ كاتيوشا مساء السبت على قاعدة بلد " + "والتي تأوي جنودا " * 30
        + "الجوية في صلاح الدين دون إصابات.")
ARTICLE = "قال مسؤولون إن الهجوم وقع ليلا. " + LONG + " ولم تعلن أي جهة مسؤوليتها."


def _mid_sentence() -> int:
    """Where a passage may end inside LONG: the end of its first 120-character piece."""
    return sentence_spans(ARTICLE, max_chars=120)[1][1]


def _hit(article: str, start: int, end: int, *, max_chars: int = 400, with_article: bool = True,
         scores: float = 0.5) -> Hit:
    """A passage article[start:end] whose sentences were cut at `max_chars` (as indexing does)."""
    spans = tuple((s, e) for s, e in sentence_spans(article, max_chars=max_chars)
                  if start <= s and e <= end)
    return Hit(chunk_id=f"c{start}", article_id="a", title="t", source="Rudaw",
               date="2021-02-23", url="", start=start, end=end, text=article[start:end],
               score=0.5, dense=0.5, lexical=0.0, evidence=0.5, sentences=spans,
               sentence_scores=tuple(scores for _ in spans),
               article_text=article if with_article else "")


def _whole(text: str, scores: tuple[float, ...]) -> Hit:
    """A passage that is the whole article `text`, its sentences scored `scores`."""
    return Hit(chunk_id="c", article_id="a", title="t", source="S", date=None, url="", start=0,
               end=len(text), text=text, score=0.5, dense=0.5, lexical=0.0, evidence=0.5,
               sentences=tuple(sentence_spans(text)), sentence_scores=scores, article_text=text)


def test_pieces_of_a_cut_sentence_are_quoted_as_the_whole_sentence() -> None:
    cut = _mid_sentence()  # a passage that stops mid-sentence
    hit = _hit(ARTICLE, 0, cut, max_chars=120)
    assert len(hit.sentences) == 2 and not ARTICLE[:cut].endswith(".")
    whole = [s for s in sentences_of(hit, Picking()) if "كاتيوشا" in ARTICLE[s.start:s.end]]
    assert len(whole) == 1
    quote = ARTICLE[whole[0].start:whole[0].end]
    assert quote == LONG and quote.endswith("الجوية في صلاح الدين دون إصابات.")
    assert not whole[0].cut_before and not whole[0].cut_after


def test_a_sentence_too_long_to_quote_whole_is_marked_as_cut() -> None:
    hit = _hit(ARTICLE, 0, len(ARTICLE), max_chars=120, scores=0.5)
    picking = Picking(longest=200)
    long = [s for s in sentences_of(hit, picking) if s.cut_before or s.cut_after]
    assert long and all(s.end - s.start <= 200 for s in long)
    answer = extract("كم صاروخا أطلق على قاعدة بلد؟", [hit], threshold=0.0, picking=picking)
    cited = [c for c in answer.citations if c.cut_before or c.cut_after]
    assert cited
    c = cited[0]
    assert "sentence cut short" in c.reference()
    assert c.shown().startswith("…") == c.cut_before and c.shown().endswith("…") == c.cut_after
    assert f"«{c.shown()}»" in answer.text


def test_without_the_article_a_passage_cut_mid_sentence_says_so() -> None:
    cut = _mid_sentence()
    hit = _hit(ARTICLE, 0, cut, max_chars=120, with_article=False)
    last = sentences_of(hit, Picking())[-1]
    assert last.end == cut and last.cut_after


def test_a_question_is_never_the_answer_however_close() -> None:
    text = "من يقف وراء الهجوم على أربيل؟ وتتهم واشنطن فصائل مسلحة بالوقوف وراء الهجوم."
    hit = _whole(text, (0.99, 0.1))
    spans = hit.sentences
    answer = extract("من يقف وراء الهجوم على أربيل؟", [hit], threshold=0.0)
    assert [c.quote for c in answer.citations] == [text[spans[1][0]:spans[1][1]]]


def test_boilerplate_is_never_quoted() -> None:
    assert is_boilerplate("اقرأ أيضا: الهجوم على أربيل")
    assert is_boilerplate("Read more: Erbil attack")
    assert is_boilerplate("المصدر: رويترز")
    assert not is_boilerplate("المصدر أكد أن الهجوم وقع ليلا")
    # the footer the index leaves out was quoted for «ما اسم الطيار الذي عاد بطائرة ناس؟»
    assert is_boilerplate("رابط الخبر بصحيفة الوئام: طيران ناس تكرم طاقم طائرة عاد من المدرج")
    assert not is_boilerplate("ونشر رابط الخبر بصحيفة الوئام بعد ساعة من الهبوط.")
    text = "اقرأ أيضا: الهجوم على أربيل وضحاياه. قتل ثلاثة أشخاص في الهجوم على أربيل."
    hit = _whole(text, (0.9, 0.2))
    answer = extract("كم قتيلا سقط في الهجوم على أربيل؟", [hit], threshold=0.0)
    assert all("اقرأ" not in c.quote for c in answer.citations)


def test_a_question_without_its_mark_is_not_quoted() -> None:
    # «أين يوسف عنبر..» (an op-ed's rhetorical list) was quoted for "When was Kadyrov born?"
    assert asks("أين يوسف عنبر..")
    assert asks("وأين كان الحكم")
    assert asks("هل يعود الفريق إلى الدوري الممتاز")
    assert not asks("من جهته قال المدرب إن الفريق جاهز للمباراة.")  # «من» also relates
    assert not asks("كيف لا وقد فاز الفريق بكل المباريات التي لعبها هذا الموسم في الدوري "
                    "والكأس والبطولة الآسيوية وكأس السوبر.")  # long: a statement
    text = "أين يوسف عنبر.. ولد رمضان قاديروف في 5 أكتوبر عام 1976 في الشيشان."
    hit = _whole(text, (0.99, 0.3))
    spans = hit.sentences
    answer = extract("متى ولد يوسف عنبر؟", [hit], threshold=0.0)
    assert [c.quote for c in answer.citations] == [text[spans[1][0]:spans[1][1]]]


def test_an_outlets_tag_line_is_not_quoted() -> None:
    # Ain Alyoum ends its articles with «سمات …», tags without punctuation
    assert not quotable("سمات أسعار النفط انخفاض برنت")
    assert not quotable("الكلمات الدلالية: النفط برنت أوبك")
    assert quotable("سمات التميز والريادة في شخصية السديري منوعة ومؤثرة، وهي أكبر من أن تحصى.")


def test_the_answering_words_are_given_marked_and_in_the_json() -> None:
    text = ("يأتي الاتصال بعد تصاعد الهجمات على المصالح الأميركية في أربيل والمطار. "
            "وتتهم الولايات المتحدة، فصائل مسلحة مدعومة من إيران بالوقوف وراء الهجمات.")
    hit = _whole(text, (0.3, 0.2))
    answer = extract("من المسؤول عن الهجوم على أربيل؟", [hit], threshold=0.0)
    c = answer.citations[0]
    assert c.quote.startswith("وتتهم")  # the sentence holding a name, not the one like the question
    assert c.answer is not None
    assert c.quote[c.answer[0] : c.answer[1]] == "فصائل مسلحة مدعومة من إيران"
    data = json.loads(json.dumps(answer.as_dict()))
    assert data["citations"][0]["answer"] == list(c.answer)
    shown = answer_text(answer, color=False)
    assert f"{MARKERS[0]}فصائل مسلحة مدعومة من إيران{MARKERS[1]}" in shown
    assert isinstance(answer, Answer)
