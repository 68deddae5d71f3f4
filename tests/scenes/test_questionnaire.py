"""The adaptive risk questionnaire: paths, branching, caps and content validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vbranch.scenes.questionnaire import (
    Questionnaire,
    QuestionnaireError,
    RiskLevel,
    load_questionnaire,
)


def _run(pick) -> Questionnaire:
    q = Questionnaire()
    while (question := q.next_question()) is not None:
        q.answer(pick(question))
    return q


def test_all_conservative_answers_give_c1():
    q = _run(lambda question: 0)
    result = q.result()
    assert (result.level, result.score) == (RiskLevel.C1, 0)
    assert result.explanation_keys[0] == "risk.level.c1"


def test_all_aggressive_answers_give_c5_through_the_derivatives_question():
    q = _run(lambda question: len(question.choices) - 1)
    assert [qid for qid, _ in q.answers] == ["experience", "derivatives", "horizon", "goal", "max_loss"]
    assert (q.result().level, q.result().score) == (RiskLevel.C5, 20)


def test_an_inexperienced_learner_skips_derivatives_and_is_asked_about_losses():
    q = Questionnaire()
    assert q.next_question().id == "experience"
    assert q.answer(0).id == "loss_tolerance"
    while q.next_question() is not None:
        q.answer(len(q.next_question().choices) - 1)
    asked = [qid for qid, _ in q.answers]
    assert "derivatives" not in asked and len(asked) == 5
    result = q.result()
    assert result.score == 16  # a C5 score ...
    assert result.level == RiskLevel.C4  # ... capped for no experience
    assert result.explanation_keys == ("risk.level.c4", "risk.note.no_experience", "risk.note.capped")


def test_middle_answers_give_a_middle_level():
    q = Questionnaire()
    for choice in (1, 1, 2, 2, 1):  # some experience, hold, 3-5 years, balanced, about 10%
        q.answer(choice)
    assert q.done
    assert (q.result().score, q.result().level) == (2 + 2 + 3 + 2 + 1, RiskLevel.C3)


def test_bad_choices_and_early_results_are_refused():
    q = Questionnaire()
    with pytest.raises(ValueError, match="choice must be 0..2"):
        q.answer(3)
    with pytest.raises(ValueError, match="not finished"):
        q.result()


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    spec = load_questionnaire()
    dest = tmp_path / "questionnaire.toml"
    shutil.copy(spec.path, dest)
    text = dest.read_text("utf-8")
    assert old in text
    dest.write_text(text.replace(old, new, 1), "utf-8")
    return dest


@pytest.mark.parametrize(("old", "new", "field", "reason"), [
    ('next = "goal"', 'next = "experience"', "questions.experience.next", "loop: experience -> loss_tolerance"),
    ('next = "goal"', 'next = "nowhere"', "questions.horizon.next", "'nowhere' is not a question id"),
    ('start = "experience"', 'start = "intro"', "start", "'intro' is not a question id"),
    ("{ level = 5, max_score = 20 }", "{ level = 5, max_score = 19 }", "levels",
     "highest possible score 20 exceeds"),
])
def test_broken_questionnaires_are_refused(tmp_path, old, new, field, reason):
    with pytest.raises(QuestionnaireError) as err:
        load_questionnaire(_copy(tmp_path, old, new))
    assert err.value.field == field
    assert reason in err.value.reason
