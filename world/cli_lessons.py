"""``vbranch lesson …`` and ``vbranch questionnaire``: the education content from a terminal.

Teachers preview lessons here, and ``questionnaire --answers 0,2,1,3,0`` runs the risk questionnaire
non-interactively (for tests and for entering a paper form); without ``--answers`` it asks on stdin.
"""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    lesson = sub.add_parser("lesson", help="list and show the lessons")
    lsub = lesson.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = lsub.add_parser("list", help="list the lessons")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.set_defaults(func=_lesson_list)
    p = lsub.add_parser("show", help="show one lesson: advisor steps, task and quiz")
    p.add_argument("lesson_id", metavar="ID")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_lesson_show)

    p = sub.add_parser("questionnaire", help="the risk questionnaire (C1-C5)")
    p.add_argument("--answers", help="comma-separated choice indexes, e.g. 0,2,1,3,0 (otherwise asks on stdin)")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_questionnaire)


def _lesson_list(args: argparse.Namespace) -> int:
    from vbranch.scenes.lessons import list_lessons

    rows = [lesson.summary() for lesson in list_lessons()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['id']:<20} {row['topic']:<18} {row['scenario']:<12} {row['title'][args.lang]}")
    return 0


def _lesson_show(args: argparse.Namespace) -> int:
    from vbranch.scenes.lessons import load_lesson

    lesson = load_lesson(args.lesson_id)
    lang = args.lang
    if args.json:
        data = lesson.summary() | {
            "seed": lesson.seed, "speed": lesson.speed, "days": lesson.days,
            "steps": [{"say": s.say, "gesture": s.gesture, "focus": s.focus} for s in lesson.steps],
            "task": {"check": lesson.task.check, "params": lesson.task.params, "prompt": lesson.task.prompt,
                     "answers": list(lesson.task.answers)},
            "quiz": [{"q": q.question, "choices": {k: list(v) for k, v in q.choices.items()}, "answer": q.answer,
                      "explain": q.explain} for q in lesson.quiz],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{lesson.title[lang]}  ({lesson.id}, {lesson.topic}; market: {lesson.scenario}, seed {lesson.seed}, "
          f"{lesson.days} days at x{lesson.speed:g})")
    for i, step in enumerate(lesson.steps, 1):
        extra = ", ".join(x for x in (step.gesture, step.focus and f"look at {step.focus}") if x)
        print(f"  {i}. {step.say[lang]}" + (f"  [{extra}]" if extra else ""))
    print(f"  task ({lesson.task.check}): {lesson.task.prompt[lang]}")
    for i, q in enumerate(lesson.quiz, 1):
        print(f"  Q{i}. {q.question[lang]}")
        for j, choice in enumerate(q.choices[lang]):
            print(f"      {'*' if j == q.answer else ' '} {j}) {choice}")
    return 0


def _questionnaire(args: argparse.Namespace) -> int:
    from vbranch.scenes.catalogue import text
    from vbranch.scenes.questionnaire import Questionnaire

    lang = args.lang
    q = Questionnaire()
    given = [int(a) for a in args.answers.split(",")] if args.answers else None
    asked = []
    while (question := q.next_question()) is not None:
        asked.append(question.id)
        if given is not None:
            if not given:
                raise ValueError(f"--answers ran out at question {question.id!r} ({len(asked)} needed so far)")
            q.answer(given.pop(0))
            continue
        print(question.text[lang])
        for j, choice in enumerate(question.choices):
            print(f"  {j}) {choice.text[lang]}")
        q.answer(int(input("> ").strip()))
    if given:
        raise ValueError(f"--answers has {len(given)} more than the {len(asked)} questions asked")
    result = q.result()
    if args.json:
        print(json.dumps(result.to_dict() | {"asked": asked}, ensure_ascii=False))
    else:
        print(f"{result.level.name}  (score {result.score})")
        for key in result.explanation_keys:
            print(f"  {text(key, lang)}")
    return 0
