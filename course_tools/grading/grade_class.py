"""Grade a whole class: every submission in a folder, in parallel, into a CSV and feedback files.

A submission is any file under the folder: ``alice/02_logistic_regression_numpy.ipynb`` (one
folder per student) or ``alice_02_logistic_regression_numpy.ipynb`` (files named after the
student). Hidden files and ``.ipynb_checkpoints`` are ignored. Files that are not notebooks,
and notebooks of no assignment, get their row with the reason.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import stat
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from course_tools.grading import gradebook, probes
from course_tools.grading import grader as grading
from course_tools.grading.notebooks import exercises, match_source, read_notebook, source_notebooks
from course_tools.grading.reference import reference_results_of
from course_tools.grading.report import Report, clean, fmt


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    refused: str = ""  # why it is not graded (a symbolic link, not a regular file)


def refusal(path: Path) -> str:
    """'' for a regular file, else why the grader will not read it. A symbolic link would be
    graded as the file it points to: the instructor notebook, another student's work."""
    try:
        mode = path.lstat().st_mode
    except OSError as err:
        return f"refused: cannot be read ({type(err).__name__})"
    if stat.S_ISLNK(mode):
        return ("refused: a symbolic link, not a file (it would be graded as the file it points "
                "to); submit the notebook itself")
    if not stat.S_ISREG(mode):
        return "refused: not a regular file (a device, pipe or socket)"
    return ""


def _student(folder: Path, path: Path, sources: list[Path]) -> str:
    parts = path.relative_to(folder).parts
    if len(parts) > 1:
        return parts[0]
    student = path.stem
    for source in sources:
        student = student.replace(source.stem, "")
    return re.sub(r"^[\s_\-.()]+|[\s_\-.()]+$", "", student) or path.stem


def find_submissions(folder: Path, sources: list[Path], skip: Path | None = None) \
        -> list[Submission]:
    """Every file under ``folder`` with the student it belongs to, sorted. Symbolic links
    (to files or folders) and special files are listed with the reason they are refused;
    links are never followed."""
    found = []
    skip = skip.resolve() if skip is not None else None
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        if skip is not None and (here.resolve() == skip or skip in here.resolve().parents):
            dirnames[:] = []
            continue
        links = [name for name in dirnames if (here / name).is_symlink()]
        dirnames[:] = sorted(name for name in dirnames
                             if name not in links and not name.startswith("."))
        for name in sorted(filenames + links):
            path = here / name
            if any(p.startswith(".") for p in path.relative_to(folder).parts):
                continue
            found.append(Submission(_student(folder, path, sources), path, refusal(path)))
    return sorted(found, key=lambda s: s.path)


def _sources_needed(submissions: list[Submission], sources: list[Path]) -> list[Path]:
    needed = set()
    for submission in submissions:
        if submission.refused:
            continue
        try:
            nb = read_notebook(submission.path)
        except ValueError:
            nb = None
        source, _ = match_source(nb, submission.path, sources)
        if source is not None:
            needed.add(source)
    return sorted(needed)


def grade_class(folder: str | Path, out_dir: str | Path, *, jobs: int | None = None,
                source_dir: str | Path | None = None, seed: int | None = None,
                progress=None, roster: str | Path | None = None,
                assignment_ids: dict[str, str] | None = None,
                **grade_options) -> list[tuple[Submission, Report]]:
    """Grade every submission under ``folder``; write ``grades.csv``, ``feedback/``, the
    gradebooks and the class summary (:mod:`course_tools.grading.gradebook`).

    ``jobs`` submissions run at once (default: the number of cores). ``grade_options`` go to
    :func:`course_tools.grading.grade`. Returns (submission, report) pairs in file order.
    """
    folder, out_dir = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder of submissions; give SUBMISSIONS=folder/.")
    source_dir = Path(source_dir) if source_dir is not None else grading.NOTEBOOKS_DIR
    sources = source_notebooks(source_dir)
    submissions = find_submissions(folder, sources, skip=out_dir)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(submissions) or 1))
    seed = secrets.randbelow(2**31) if seed is None else seed
    progress = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    started = time.monotonic()
    needed = _sources_needed(submissions, sources)
    reference_results_of({  # once, in one process, before the parallel runs
        source: [e.grade_id for e in exercises(read_notebook(source))
                 if e.grade_id in probes.PROBES]
        for source in needed}, seed)
    if grade_options.get("timeout") is None:  # timed once each, before the parallel runs
        for source in needed:
            grading.default_timeout(source, use_sandbox=grade_options.get("use_sandbox", True),
                                    limits=grade_options.get("limits", grading.DEFAULT_LIMITS))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    results: dict[int, Report] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_refused, s) if s.refused else
                   pool.submit(grading.grade, s.path, source_dir=source_dir, seed=seed,
                               threads=threads, **grade_options): i
                   for i, s in enumerate(submissions)}
        for done, future in enumerate(as_completed(futures), start=1):
            index = futures[future]
            report = results[index] = future.result()
            submission = submissions[index]
            score = (f"{fmt(report.score)}/{fmt(report.max_score)}"
                     if report.max_score is not None else "-")
            progress(f"[{done}/{len(submissions)}] {submission.student}: "
                     f"{submission.path.relative_to(folder)} {score} {report.status} "
                     f"({report.seconds:.0f} s, {time.monotonic() - started:.0f} s in all)")
    pairs = [(s, results[i]) for i, s in enumerate(submissions)]
    write_outputs(pairs, folder, out_dir)
    if roster is None:
        progress(f"warning: {gradebook.NO_ROSTER_WARNING}")
    notebooks = {source.stem: sum(e.points for e in exercises(read_notebook(source)))
                 for source in needed}
    gradebook.write_gradebooks(pairs, out_dir, notebooks,
                               roster=gradebook.read_roster(roster) if roster else None,
                               assignment_ids=assignment_ids)
    gradebook.write_summary(pairs, out_dir, notebooks)
    return pairs


def _refused(submission: Submission) -> Report:
    return Report(submission=str(submission.path), status="refused", error=submission.refused)


def _feedback_path(out_dir: Path, submission: Submission, folder: Path) -> Path:
    name = "__".join(submission.path.relative_to(folder).parts)
    return out_dir / "feedback" / submission.student / f"{name}.md"


def _cell(text: str) -> str:
    """A CSV field a spreadsheet shows as text, never runs as a formula (names and messages
    come from the submissions)."""
    text = clean(text)  # one line, no terminal escapes
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_outputs(pairs: list[tuple[Submission, Report]], folder: Path,
                  out_dir: Path) -> None:
    """``grades.csv`` (one row per student and notebook) and one Markdown file per submission."""
    out_dir.mkdir(parents=True, exist_ok=True)
    grade_ids: list[str] = []
    for _, report in pairs:
        grade_ids += [r.grade_id for r in report.results if r.grade_id not in grade_ids]
    with open(out_dir / "grades.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "submission", "notebook", "status", "score", "max_score",
                         *grade_ids, "reason"])
        for submission, report in pairs:
            points = {r.grade_id: fmt(r.points) for r in report.results}
            reason = "; ".join([report.error] if report.error else
                               report.limits_hit + [f"{r.grade_id}: {r.status}" for r in
                                                    report.results if r.status != "passed"])
            writer.writerow([
                _cell(submission.student), _cell(str(submission.path.relative_to(folder))),
                Path(report.source).stem if report.source else "", report.status,
                fmt(report.score),
                fmt(report.max_score) if report.max_score is not None else "",
                *[points.get(gid, "") for gid in grade_ids], _cell(reason)])
    for submission, report in pairs:
        path = _feedback_path(out_dir, submission, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.to_markdown(), encoding="utf-8")
