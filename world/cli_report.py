"""``vbranch report …``: report cards for a learner or a class, as one self-contained HTML file.

The store is ``--db`` or ``learner_log_dir()/learning.sqlite3``. Before reporting, the device's
JSON-lines logs (advisor A/B, cooling-off, suitability) are imported into it; imports are idempotent,
so running the report twice counts nothing twice. ``--demo`` simulates a small class into a fresh
store (see ``scenes.analytics.demo``) so there is something real to look at.

``--class CONTEST --journal PATH`` is the teacher's report after a classroom contest: the contest is
rebuilt from the classroom server's journal (a room id or a join code; ``server.journal_report``) and
written as the contest report (settings, final board, benchmark, equity curves), followed by the
learning sections when the store holds statements tagged with that contest's code or room id.
"""

from __future__ import annotations

import argparse
import html
import logging
import tempfile
from pathlib import Path

from vbranch.scenes.catalogue import text

__all__ = ["register", "DEVICE_LOGS"]

log = logging.getLogger(__name__)

DEVICE_LOGS = ("advisor_ab.jsonl", "cooling_off.jsonl", "suitability.jsonl")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="learner report card or class report (self-contained HTML)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--learner", metavar="ID", help="one learner's report card")
    who.add_argument("--class", dest="contest", metavar="CONTEST", help="a teacher's report for one class/contest")
    who.add_argument("--demo", action="store_true", help="simulate a small class and write its class report "
                     "(plus one learner card per learner next to it)")
    p.add_argument("--out", type=Path, required=True, help="HTML file to write")
    p.add_argument("--db", type=Path, help="learning store (default: <learner log dir>/learning.sqlite3)")
    p.add_argument("--journal", metavar="PATH", help="--class: the classroom server's journal (SQLite file or "
                   "postgresql:// URL); the contest's board is rebuilt from it")
    p.add_argument("--import", dest="imports", type=Path, action="append", default=[], metavar="JSONL",
                   help="also import this JSON-lines log first (repeatable)")
    p.add_argument("--import-contest", metavar="CONTEST", help="tag the imported statements with this class/contest")
    p.add_argument("--lessons", help="comma-separated lesson ids assigned (default: all lessons)")
    p.add_argument("--png-dir", type=Path, help="also write the charts as PNG files here")
    p.add_argument("--learners", type=int, default=8, help="--demo: how many simulated learners")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.set_defaults(func=_report)


def _write(report, out: Path, png_dir: Path | None, prefix: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report.html, "utf-8")
    print(f"wrote {out} ({len(report.html) // 1024} KiB)")
    if png_dir is not None:
        png_dir.mkdir(parents=True, exist_ok=True)
        for name, png in report.pngs.items():
            (png_dir / f"{prefix}{name}.png").write_bytes(png)
        print(f"wrote {len(report.pngs)} charts to {png_dir}")


def _lesson_ids(args: argparse.Namespace, default: tuple[str, ...] | None = None) -> list[str]:
    if args.lessons:
        return [x.strip() for x in args.lessons.split(",") if x.strip()]
    if default is not None:
        return list(default)
    from vbranch.scenes.lessons import list_lessons

    return [lesson.id for lesson in list_lessons()]


def _demo(args: argparse.Namespace) -> int:
    from vbranch.scenes.analytics.demo import DEMO_CONTEST, DEMO_LESSONS, simulate_class
    from vbranch.scenes.analytics.store import LearningStore
    from vbranch.world.report_html import class_report, learner_report

    with tempfile.TemporaryDirectory() as work, LearningStore(args.db or Path(work) / "demo.sqlite3") as store:
        learners = simulate_class(store, Path(work), n_learners=args.learners, seed=args.seed)
        statements = store.statements(contest=DEMO_CONTEST)
    lessons = _lesson_ids(args, DEMO_LESSONS)
    _write(class_report(statements, DEMO_CONTEST, lessons, args.lang, demo=True, seed=args.seed), args.out,
           args.png_dir, "class_")
    for learner in learners:
        out = args.out.with_name(f"{args.out.stem}_{learner}.html")
        _write(learner_report(statements, learner, lessons, args.lang, demo=True), out, args.png_dir, f"{learner}_")
    return 0


def _tagged(store, contests) -> list:
    """Statements tagged with any of ``contests`` (a class may have tagged by join code or by room id).

    Each statement carries one tag, so the lists are disjoint; merged in time order."""
    return sorted((s for c in sorted(contests) for s in store.statements(contest=c)), key=lambda s: s.ts_s)


def _open_journal(where: str):
    from vbranch.server.journal import PG_SCHEMES, db_path_from, open_journal

    if not where.startswith(PG_SCHEMES) and not db_path_from(where).is_file():
        raise SystemExit(f"no journal at {where}: give the server's --db file (vbranch serve logs where it is)")
    return open_journal(where)


def _class_from_journal(args: argparse.Namespace, statements_for) -> int:
    """The contest rebuilt from the journal, plus the learning sections of statements tagged with it."""
    from vbranch.server.journal_report import ContestNotFound, replay_contest
    from vbranch.server.report import contest_result
    from vbranch.server.report_html import contest_report_html
    from vbranch.world.report_html import Report, class_sections

    journal = _open_journal(args.journal)
    try:
        room = replay_contest(journal, args.contest)
    except ContestNotFound as exc:
        raise SystemExit(str(exc)) from None
    finally:
        journal.close()
    result = contest_result(room)
    statements = statements_for({args.contest, result.room_id, result.join_code})
    extra, pngs = "", {}
    if statements:
        sections = class_sections(statements, _lesson_ids(args), args.lang, seed=args.seed)
        heading = html.escape(text("contest_report.learning", args.lang))
        extra, pngs = f"<h2>{heading}</h2>{sections.html}", sections.pngs
    log.info("contest %s (room %s): %d learners, %d learning statements", result.join_code, result.room_id,
             len(result.learners), len(statements))
    _write(Report(contest_report_html(result, args.lang, extra), pngs), args.out, args.png_dir, "class_")
    return 0


def _report(args: argparse.Namespace) -> int:
    if args.demo:
        return _demo(args)
    if args.journal and not args.contest:
        raise SystemExit("--journal goes with --class CONTEST")
    from vbranch.scenes.analytics.store import DEFAULT_FILENAME, LearningStore
    from vbranch.world.options import learner_log_dir
    from vbranch.world.report_html import class_report, learner_report

    log_dir = learner_log_dir()
    with LearningStore(args.db or log_dir / DEFAULT_FILENAME) as store:
        for path in [log_dir / name for name in DEVICE_LOGS if (log_dir / name).exists()] + args.imports:
            result = store.import_jsonl(path, contest=args.import_contest)
            log.info("%s: %d new, %d already stored, %d skipped", path, result.added, result.duplicates, result.skipped)
        if args.journal:
            return _class_from_journal(args, lambda contests: _tagged(store, contests))
        statements = store.statements(contest=args.contest) if args.contest else store.statements(args.learner)
    lessons = _lesson_ids(args)
    if args.contest:
        if not statements:
            raise SystemExit(f"no statements for class/contest {args.contest!r} in {store.path}")
        report = class_report(statements, args.contest, lessons, args.lang, seed=args.seed)
    else:
        if not statements:
            raise SystemExit(f"no statements for learner {args.learner!r} in {store.path}")
        report = learner_report(statements, args.learner, lessons, args.lang)
    _write(report, args.out, args.png_dir, "")
    return 0
