"""Command line for instructors: student editions, and grading one submission or a class.

    python -m course_tools.classroom student [NOTEBOOKS ...] [--out notebooks/student]
    python -m course_tools.classroom grade alice/02_logistic_regression_numpy.ipynb [--json]
    python -m course_tools.classroom grade-class submissions/ [--out build/grades] [--jobs N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from course_tools.grading import grader as grading
from course_tools.grading import sandbox
from course_tools.grading.grade_class import grade_class
from course_tools.grading.notebooks import (
    STUDENT_DIR,
    exercises,
    read_notebook,
    source_notebooks,
    write_student_editions,
)
from course_tools.grading.report import fmt
from helpers.paths import BUILD_DIR, NOTEBOOKS_DIR


def _grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source-dir", type=Path, default=NOTEBOOKS_DIR,
                        help="where the instructor notebooks are (default: %(default)s)")
    parser.add_argument("--cell-timeout", type=float, default=None,
                        help="seconds a single cell may run (default: the whole notebook's)")
    parser.add_argument("--timeout", type=float, default=None,
                        help=f"seconds the whole notebook may run (default: "
                             f"{grading.TIME_FACTOR} times the instructor notebook's own run "
                             f"time, measured once and cached, at least "
                             f"{grading.MIN_TIMEOUT:g} s)")
    parser.add_argument("--memory-gb", type=float,
                        default=sandbox.DEFAULT_LIMITS.memory_bytes / 1024**3,
                        help="memory (address space) each process may use (default: %(default)g)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the hidden probe inputs (default: a fresh random one)")
    parser.add_argument("--run-all", action="store_true",
                        help="also run the cells after the last check (they cannot change "
                             "the score, so by default they are not run)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run the submission unconfined, with your permissions (only for "
                             "code you trust; the report says so)")


def _options(args) -> dict:
    limits = sandbox.Limits(memory_bytes=int(args.memory_gb * 1024**3))
    return {"cell_timeout": args.cell_timeout, "timeout": args.timeout, "run_all": args.run_all,
            "use_sandbox": not args.no_sandbox, "limits": limits, "seed": args.seed}


def _refuse_without_sandbox(args) -> bool:
    if args.no_sandbox or not sandbox.problem():
        return False
    print(f"Refusing to run untrusted notebooks: no sandbox can be started here.\n"
          f"Reason: {sandbox.problem()}.\n"
          "Fix that, or pass --no-sandbox (make grade ... NO_SANDBOX=1) to run the submissions "
          "with your own permissions: they could then read the instructor notebooks, change "
          "your files and use the network.", file=sys.stderr)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.classroom",
        description="Student editions of the course notebooks, and a sandboxed autograder.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_student = sub.add_parser("student", help="write the student editions")
    p_student.add_argument("notebooks", nargs="*", type=Path,
                           help=f"source notebooks (default: all in {NOTEBOOKS_DIR})")
    p_student.add_argument("--out", type=Path, default=STUDENT_DIR,
                           help="output folder (default: %(default)s)")

    p_grade = sub.add_parser("grade", help="run and grade one submitted notebook")
    p_grade.add_argument("submission", type=Path)
    p_grade.add_argument("--source", type=Path, default=None,
                         help="the instructor notebook to grade against (default: matched by "
                              "grade ids or file name)")
    p_grade.add_argument("--json", action="store_true", help="print the report as JSON")
    _grading_options(p_grade)

    p_class = sub.add_parser("grade-class", help="grade every submission in a folder")
    p_class.add_argument("submissions", type=Path)
    p_class.add_argument("--out", type=Path, default=BUILD_DIR / "grades",
                         help="where grades.csv and feedback/ go (default: %(default)s)")
    p_class.add_argument("--jobs", type=int, default=None,
                         help="submissions graded at once (default: the number of cores)")
    p_class.add_argument("--roster", type=Path, default=None,
                         help="CSV mapping each student's folder name ('folder' column) to "
                              "name, id, sis_user_id, sis_login_id, section, email, id_number "
                              "for the gradebooks (default: the folder names, with a warning)")
    p_class.add_argument("--assignment-id", action="append", default=[],
                         metavar="NOTEBOOK=ID",
                         help="Canvas assignment id of a notebook, e.g. "
                              "02_logistic_regression_numpy=1234 (repeatable)")
    _grading_options(p_class)
    args = parser.parse_args(argv)

    if args.command == "student":
        sources = args.notebooks or source_notebooks()
        if not sources:
            print(f"No notebooks found in {NOTEBOOKS_DIR}.", file=sys.stderr)
            return 1
        started = time.monotonic()
        try:
            written = write_student_editions(sources, args.out)
        except RuntimeError as err:
            print(err, file=sys.stderr)
            return 1
        for path in written:
            found = exercises(read_notebook(path))
            print(f"{path}: {len(found)} graded exercises, "
                  f"{fmt(sum(e.points for e in found))} points")
        print(f"{len(written)} student editions in {time.monotonic() - started:.1f} s")
        return 0

    if _refuse_without_sandbox(args):
        return 2
    if args.command == "grade":
        report = grading.grade(args.submission, source_path=args.source,
                               source_dir=args.source_dir, **_options(args))
        print(report.to_json() if args.json else report.to_text())
        return 0 if report.status != "error" else 1

    started = time.monotonic()
    try:
        ids = dict(item.split("=", 1) for item in args.assignment_id if "=" in item)
        pairs = grade_class(args.submissions, args.out, jobs=args.jobs,
                            source_dir=args.source_dir, roster=args.roster,
                            assignment_ids=ids, **_options(args))
    except (ValueError, RuntimeError) as err:  # no such folder; the reference failed
        print(err, file=sys.stderr)
        return 2
    graded = sum(report.status == "graded" for _, report in pairs)
    print((args.out / "summary.md").read_text(encoding="utf-8"))
    print(f"{len(pairs)} submissions ({graded} graded in full) in "
          f"{time.monotonic() - started:.0f} s: {args.out / 'grades.csv'}, feedback in "
          f"{args.out / 'feedback'}/, gradebooks {args.out / 'gradebook_canvas.csv'} and "
          f"{args.out / 'gradebook_moodle.csv'}, summary.md and summary.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
