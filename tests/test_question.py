"""What a question asks for, read from MSA, colloquial and English wordings."""

from __future__ import annotations

import pytest

from assistant.question import answer_type, has_words, read_question
from index.tokens import tokenize


@pytest.mark.parametrize(("question", "wanted"), [
    ("من المسؤول عن الهجوم على أربيل؟", "name"),
    ("مين اللي هاجم اربيل؟", "name"),  # colloquial, no hamza
    ("منو نفذ الهجوم؟", "name"),
    ("من هو رئيس الوزراء العراقي؟", "name"),
    ("متى وقع الهجوم؟", "date"),
    ("امتى صار الهجوم على اربيل", "date"),  # colloquial, no ؟
    ("في أي عام تأسست الشركة؟", "date"),
    ("في اي سنه ولد خاشقجي", "date"),  # ه for ة, no hamza
    ("أين وقع الهجوم؟", "place"),
    ("وين صار الانفجار؟", "place"),
    ("في أي مدينة ولد؟", "place"),
    ("من أين جاء الصاروخ؟", "place"),  # «من أين» is where, not who
    ("كم عدد القتلى؟", "figure"),
    ("قديش سعر البنزين؟", "figure"),
    ("ما نسبة البطالة في السعودية؟", "figure"),
    ("وش عدد الصواريخ اللي انطلقت؟", "figure"),
    ("شو صار باربيل؟", None),
    ("لماذا ارتفعت الأسعار؟", None),
    ("ماذا قال المسؤول من الحكومة؟", None),  # «من» inside the question is "from"
    ("ما الفريق الذي فاز بالبطولة؟", "name"),
    ("ما هي الدولة التي استضافت القمة؟", "place"),
    ("who was blamed for the Erbil attack?", "name"),
    ("When did the attack happen?", "date"),
    ("In which city was he born?", "place"),
    ("where is the Balad air base?", "place"),
    ("How many rockets were fired?", "figure"),
    ("how much did the project cost", "figure"),
    ("What happened in Erbil?", None),
])
def test_answer_type(question: str, wanted: str | None) -> None:
    assert answer_type(question) == wanted


def test_content_terms_leave_question_words_out_in_every_register() -> None:
    msa = read_question("من المسؤول عن الهجوم على أربيل؟")
    gulf = read_question("مين اللي ورا الهجوم على اربيل؟")
    levant = read_question("شو صار بالهجوم على اربيل؟")
    assert {"هجوم", "اربيل"} <= msa.terms and {"هجوم", "اربيل"} <= gulf.terms
    assert "هجوم" in levant.terms
    for question in (msa, gulf, levant):
        assert not question.terms & {"من", "مين", "لي", "اللي", "شو", "صار"} - {"صار"}


def test_colloquial_function_words_are_stop_words_of_the_lexical_query() -> None:
    terms = tokenize("مين اللي وين وش شو إيش ليش امتى قديش الهجوم")
    assert terms == ["هجوم"]


@pytest.mark.parametrize("text", ["", "   ", "🔥🔥", "؟؟؟", "...!", "👍 🙏 ❤️"])
def test_symbols_alone_have_no_words(text: str) -> None:
    assert not has_words(text)


@pytest.mark.parametrize("text", ["أربيل؟", "who?", "٢٠٢١", "🔥 Erbil"])
def test_a_word_or_a_number_is_a_question(text: str) -> None:
    assert has_words(text)
