"""Grade one submitted notebook: run it in the sandbox, then decide outside it.

The steps and why: CONTRIBUTING.md, "Grading design".
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_tools.grading import probes, sandbox
from course_tools.grading.kernel import AFTER_LAST_CHECK, CELL_TIMEOUT, PROBE_TIMEOUT, TIMEOUT
from course_tools.grading.notebooks import (
    exercises,
    grade_id_of,
    is_solution,
    match_source,
    prepare_submission,
    read_notebook,
    source_notebooks,
)
from course_tools.grading.reference import reference_results
from course_tools.grading.report import Report, Result, clean, quote, shorten
from helpers.paths import BUILD_DIR, NOTEBOOKS_DIR

DEFAULT_LIMITS = sandbox.DEFAULT_LIMITS
#: Largest executed notebook / cell log read back from the sandbox.
MAX_READ_BYTES = 50_000_000


def _error_text(cell) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename = shorten(clean(output.get("ename", "Error")), 80)
            evalue = str(output.get("evalue", "")).strip()
            return f"{ename}: {quote(evalue, 500)}" if evalue else ename
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return "the check wrote to stderr: " + quote(output.get("text", ""), 300)
    return None


def sandbox_file(folder: Path, *parts: str) -> Path:
    """``folder/parts`` if it is a regular file really inside ``folder``, else a path that
    does not exist: a symbolic link the submission left there must not make the grader read
    a file of its choosing (the reference cache, the instructor notebook)."""
    path = folder.joinpath(*parts)
    real = path.resolve()
    if folder.resolve() in real.parents and real.is_file():
        return real
    return folder / "refused (not a file inside the sandbox folder)"


def _read_json(path: Path) -> dict | None:
    try:
        if path.stat().st_size > MAX_READ_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


@dataclass
class _Outcome:
    """What came back from the sandbox (all of it written by untrusted code)."""

    nb: nbformat.NotebookNode
    cells: list[dict]
    probe_runs: dict
    stopped: str = ""
    #: Why the check cells' outcomes are unknown ('' when the executed notebook came back).
    unobserved: str = ""


def _run(nb, folder: Path, *, seed: int, grade_ids: list[str], run_all: bool,
         cell_timeout: float, timeout: float, use_sandbox: bool, limits: sandbox.Limits,
         threads: int) -> _Outcome:
    from course_tools.grading.notebooks import read_notebook as read
    from helpers.data import data_dir

    sandbox.prepare_folder(folder)
    nbformat.write(nb, folder / "home" / "notebooks" / "submission.ipynb")
    inside = sandbox.INSIDE if use_sandbox else folder  # the folder, as the submission sees it
    inner = [sys.executable, "-m", "course_tools.grading.kernel",
             str(inside / "home" / "notebooks" / "submission.ipynb"), str(inside / "out"),
             "--seed", str(seed), "--cell-timeout", str(cell_timeout), "--timeout", str(timeout)]
    inner += [arg for gid in grade_ids for arg in ("--probe", gid)]
    if run_all:
        inner += ["--run-all"]
    if use_sandbox:
        inner += ["--max-tasks", str(limits.tasks)]
    env = {**sandbox.environment(inside, threads), "CATVNONCAT_DIR": str(data_dir())}
    if os.name == "nt":  # --no-sandbox on Windows: Python needs SYSTEMROOT and friends
        env = {**os.environ, **env}
    cmd = sandbox.command(inner, folder=folder, data_dir=data_dir(), env=env, limits=limits) \
        if use_sandbox else inner
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(cmd, cwd=folder / "home" / "notebooks", env=env,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                               preexec_fn=sandbox.set_limits(limits), start_new_session=True)
    wall = min(limits.wall_seconds, timeout + PROBE_TIMEOUT + 120)
    started, stopped, next_size_check, stopped_since = time.monotonic(), "", 0.0, None
    while process.poll() is None:
        try:
            process.wait(timeout=0.2)  # returns as soon as the run ends
            break
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic() - started
        if now > wall:
            stopped = (f"wall-time limit: the sandbox was still running after {wall:.0f} s and "
                       "was stopped")
        else:  # processes every 0.2 s (a burst is seen while it lasts), the disk every second
            size_due = now > next_size_check
            if size_due:
                next_size_check = now + 1
            tree = sandbox.process_tree(process.pid)
            frozen = any(state in ("T", "t") for state in tree.values())
            stopped_since = (stopped_since or now) if frozen else None
            if len(tree) > limits.processes:
                stopped = (f"process limit: the submission had more than {limits.processes} "
                           "processes at once and was stopped")
            elif stopped_since is not None and now - stopped_since > limits.stopped_seconds:
                stopped = (f"the submission's kernel was stopped (SIGSTOP or similar) for over "
                           f"{limits.stopped_seconds:g} s, so the grader ended the run")
            elif size_due and sandbox.folder_size(folder) > limits.disk_bytes:
                stopped = (f"disk limit: the submission wrote more than "
                           f"{limits.disk_bytes / 1024**2:.0f} MB and was stopped")
        if stopped:
            _kill(process)
    log.seek(max(0, log.seek(0, 2) - 600))
    log_tail = log.read().decode("utf-8", "replace").strip()
    log.close()
    _kill(process)  # anything it left running (outside a sandbox, its session)
    executed, unobserved = sandbox_file(folder, "out", "executed.ipynb"), ""
    try:
        size = executed.stat().st_size
        if size > MAX_READ_BYTES:
            unobserved = (f"the executed notebook is {size / 1e6:.1f} MB, over the grader's "
                          f"cap of {MAX_READ_BYTES / 1e6:g} MB, so it was not read")
        else:
            ran = read(executed)
            if [c.source for c in ran.cells] != [c.source for c in nb.cells]:
                unobserved = "the executed notebook does not hold the cells the grader sent"
            else:
                nb = ran
    except (OSError, ValueError) as err:
        unobserved = ("the executed notebook is missing, not a regular file inside the sandbox "
                      f"folder, or unreadable ({type(err).__name__})")
    if stopped:
        unobserved = "the run was stopped"
    runs = _read_json(sandbox_file(folder, "out", "runs.json")) or {}
    cells = runs.get("cells") if isinstance(runs.get("cells"), list) else []
    cells = [{"status": str(c.get("status")),  # written by the submission's process
              "reason": shorten(clean(c.get("reason", "")), 300)}
             if isinstance(c, dict) else c for c in cells]
    if len(cells) != len(nb.cells) or not all(isinstance(c, dict) for c in cells):
        stopped = stopped or ("the sandbox stopped before reporting (the memory or CPU-time "
                              f"limit, or a crash; exit status {process.returncode})")
        if log_tail:
            stopped += f". Its last words: {quote(log_tail[-300:])}"
        cells = [{"status": "not run", "reason": "not run: " + stopped}] * len(nb.cells)
    probe_runs = runs.get("probes") if isinstance(runs.get("probes"), dict) else {}
    return _Outcome(nb, cells, probe_runs, stopped, unobserved)


def _kill(process: subprocess.Popen) -> None:
    """Kill the run and everything it started (its own session on POSIX)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


#: Default time limit of a notebook: this many times the instructor notebook's own run time
#: (up to its last check, in the sandbox), and at least MIN_TIMEOUT seconds.
TIME_FACTOR, MIN_TIMEOUT = 5, 60.0
TIMING_DIR = BUILD_DIR / "grading" / "timing"


def default_timeout(source_path: str | Path, *, use_sandbox: bool = True,
                    limits: sandbox.Limits = sandbox.DEFAULT_LIMITS) -> float:
    """``TIME_FACTOR`` times the instructor notebook's own run time, at least ``MIN_TIMEOUT``.

    The run time is measured once, by running the source as a submission (cached in
    ``build/grading/timing/`` under a hash of the notebook)."""
    source_path = Path(source_path)
    digest = hashlib.sha256(source_path.read_bytes()).hexdigest()[:16]
    cache = TIMING_DIR / f"{source_path.stem}-{digest}.json"
    try:
        seconds = float(json.loads(cache.read_text())["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        seconds = None
    if seconds is None:
        source = read_notebook(source_path)
        nb, _, _ = prepare_submission(source, source)
        probed = [e.grade_id for e in exercises(source) if e.grade_id in probes.PROBES]
        folder = Path(tempfile.mkdtemp(prefix="timing-"))
        started = time.monotonic()
        try:
            outcome = _run(nb, folder, seed=0, grade_ids=probed, run_all=False,
                           cell_timeout=CELL_TIMEOUT, timeout=TIMEOUT, use_sandbox=use_sandbox,
                           limits=limits, threads=1)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        seconds = round(time.monotonic() - started, 1)
        if outcome.stopped:
            raise RuntimeError(f"the instructor notebook {source_path.name} could not be run "
                               f"to time it: {outcome.stopped}")
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"seconds": seconds}))
    return max(MIN_TIMEOUT, TIME_FACTOR * seconds)


def grade(submission_path: str | Path, *, source_path: str | Path | None = None,
          source_dir: str | Path = NOTEBOOKS_DIR, cell_timeout: float | None = None,
          timeout: float | None = None, run_all: bool = False, use_sandbox: bool = True,
          limits: sandbox.Limits = sandbox.DEFAULT_LIMITS, seed: int | None = None,
          threads: int = 1) -> Report:
    """Run one submitted notebook in the sandbox and grade it. Never raises for a bad one.

    ``seed`` draws the probes' hidden inputs (default: a fresh random one). ``timeout`` (the
    whole notebook) defaults to :func:`default_timeout` of its source, ``cell_timeout`` to
    ``timeout``. With
    ``use_sandbox=False`` the submission runs unconfined (the report says so).
    Raises ``RuntimeError`` if a sandbox was asked for and cannot be started.
    """
    if use_sandbox and sandbox.problem():
        raise RuntimeError(f"cannot grade in a sandbox: {sandbox.problem()}. Untrusted code is "
                           "not run without one; --no-sandbox runs it anyway, unconfined.")
    started = time.monotonic()
    seed = secrets.randbelow(2**31) if seed is None else seed
    report = Report(submission=str(submission_path), sandboxed=use_sandbox, seed=seed)
    if not use_sandbox:
        report.notes.append(sandbox.NO_SANDBOX_WARNING)
    from course_tools.grading.grade_class import refusal

    refused = refusal(Path(submission_path)) if Path(submission_path).exists() or \
        Path(submission_path).is_symlink() else ""
    if refused:
        report.status, report.error = "refused", refused
        report.seconds = round(time.monotonic() - started, 1)
        return report
    try:
        _grade(report, Path(submission_path), source_path, Path(source_dir), cell_timeout,
               timeout, run_all, use_sandbox, limits, seed, threads)
    except Exception as err:  # the grader must report, not crash
        report.status, report.error = "error", f"internal grader error: {type(err).__name__}: {err}"
    report.score = sum(r.points for r in report.results)
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _grade(report: Report, submission_path: Path, source_path, source_dir: Path,
           cell_timeout: float, timeout: float, run_all: bool, use_sandbox: bool,
           limits: sandbox.Limits, seed: int, threads: int) -> None:
    try:
        submission = read_notebook(submission_path)
    except ValueError as err:
        submission, report.status, report.error = None, "error", str(err)

    if source_path is not None:
        source_path, report.matched_by = Path(source_path), "--source"
    else:
        source_path, report.matched_by = match_source(submission, submission_path,
                                                      source_notebooks(source_dir))
    if source_path is not None and timeout is None:
        timeout = default_timeout(source_path, use_sandbox=use_sandbox, limits=limits)
    cell_timeout = timeout if cell_timeout is None else cell_timeout
    if source_path is None:
        if report.error is None:
            names = ", ".join(p.name for p in source_notebooks(source_dir)) or "none found"
            report.status = "error"
            report.error = (f"this notebook belongs to no assignment: no source notebook in "
                            f"{source_dir} shares a grade id or a file name with it (sources: "
                            f"{names}); pass --source.")
        return
    report.source = str(source_path)
    wanted = exercises(read_notebook(source_path))
    report.max_score = sum(e.points for e in wanted)
    if submission is None:  # unreadable: every exercise fails with the reason
        report.results = [Result(e.grade_id, 0.0, e.points, "not run", report.error)
                          for e in wanted]
        return

    probed = [e.grade_id for e in wanted if e.grade_id in probes.PROBES]
    expected = reference_results(source_path, probed, seed)
    nb, present, modified = prepare_submission(submission, read_notebook(source_path))
    for cell in nb.cells:  # prose is not run: a 56 MB raw cell need not enter the sandbox
        if cell.cell_type != "code":
            cell.source = ""
            cell.pop("attachments", None)
    folder = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        outcome = _run(nb, folder, seed=seed, grade_ids=probed, run_all=run_all,
                       cell_timeout=cell_timeout, timeout=timeout, use_sandbox=use_sandbox,
                       limits=limits, threads=threads)
        got = {gid: probes.load(sandbox_file(folder, "out", "probes", f"{gid}.npz"))
               for gid in probed}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    nb, cells = outcome.nb, outcome.cells
    if outcome.stopped:
        report.status, report.error = "stopped", outcome.stopped

    skipped = sum(run.get("reason") == AFTER_LAST_CHECK for run in cells)
    if skipped:
        report.notes.append(f"{skipped} code cell{'s' if skipped > 1 else ''} after the last "
                            "check not run: they cannot change the score (--run-all runs them)")
    memory = f"{limits.memory_bytes / 1024**3:g} GB"
    check_cells = set(present.values())
    for index, (cell, run) in enumerate(zip(nb.cells, cells, strict=True)):
        status, error = run.get("status"), _error_text(cell) or str(run.get("reason", ""))
        if status == "timeout":
            report.limits_hit.append(f"time limit: cell {index + 1}: {run.get('reason')}")
        elif error.startswith(("MemoryError", "DeadKernelError")):
            report.limits_hit.append(f"memory limit ({memory}) or CPU-time limit: cell "
                                     f"{index + 1} raised {shorten(error, 150)}")
        if index not in check_cells and status in ("error", "timeout"):
            first = next((line.strip() for line in cell.source.splitlines()
                          if line.strip() and not line.startswith("#")), "")
            report.cell_errors.append({"cell": index + 1, "code": shorten(clean(first), 50),
                                       "error": shorten(clean(error), 200)})
    if outcome.stopped:
        report.limits_hit.append(outcome.stopped)

    solution_at = {grade_id_of(c): i for i, c in enumerate(nb.cells) if is_solution(c)}
    for exercise in wanted:
        report.results.append(_verdict(exercise, nb, cells, present, modified, solution_at,
                                       expected, got, outcome.probe_runs, outcome.unobserved))


def check_passed(cell) -> bool:
    """Whether a check cell was seen to pass: it printed a check's pass line ("✔ ...") and
    raised nothing. A check cell without outputs has not been observed, so it did not pass
    (nbgrader's own rule, no error means full points, would give it its points)."""
    outputs = cell.get("outputs", [])
    if any(o.get("output_type") == "error" for o in outputs):
        return False
    return any(o.get("output_type") == "stream" and o.get("name") == "stdout"
               and "✔" in str(o.get("text", "")) for o in outputs)


def _verdict(exercise, nb, cells, present, modified, solution_at, expected, got, probe_runs,
             unobserved) -> Result:
    """Points only if the hidden probe matches the reference and the check cell passed."""
    gid, points = exercise.grade_id, exercise.points
    if gid not in present:
        return Result(gid, 0.0, points, "missing",
                      f"check cell {gid} was deleted or changed (its nbgrader metadata is gone), "
                      "so the check could not run. Start from a fresh student edition and copy "
                      "your code into it.")
    cell, run = nb.cells[present[gid]], cells[present[gid]]
    edited = (f"check cell {gid} was edited in the submission; the original check was "
              "restored and run. ") if modified[gid] else ""
    if run.get("status") in ("not run", "skipped"):
        reason = str(run.get("reason")).removeprefix("not run: ")
        return Result(gid, 0.0, points, "not run", edited + reason, modified[gid])
    if unobserved:
        return Result(gid, 0.0, points, "failed",
                      edited + f"the outcome of check cell {gid} was not observed: "
                      f"{unobserved}.", modified[gid])
    passed = check_passed(cell)
    check_message = "" if passed else (_error_text(cell) or "the check did not print its "
                                       "pass line, so it did not pass")
    if check_message and run.get("status") != "timeout" and exercise.solution_id in solution_at:
        cause = _error_text(nb.cells[solution_at[exercise.solution_id]])
        if cause and "NotImplementedError" not in cause:
            check_message += f" (the cell defining it, {exercise.solution_id}, raised {cause})"
    if run.get("status") == "timeout":
        return Result(gid, 0.0, points, "timeout", edited + check_message, modified[gid])
    if gid not in probes.PROBES:
        return Result(gid, 0.0, points, "no probe",
                      edited + "this exercise has no hidden probe in "
                      "course_tools/grading/probes.py, so it cannot be graded safely; the "
                      "instructor must add one. "
                      f"(Its check cell {'passed' if passed else 'failed'}.)",
                      modified[gid])
    if isinstance(expected[gid], str):
        return Result(gid, 0.0, points, "no probe",
                      f"the instructor's reference failed on the hidden inputs: {expected[gid]}")
    probe_run = probe_runs.get(gid) if isinstance(probe_runs.get(gid), dict) else {}
    outputs = got[gid]
    if probe_run.get("status") == "timeout":
        verdict = f"On hidden inputs: {probes.PROBES[gid].function} did not finish in time."
    elif isinstance(outputs, str):  # written in the sandbox: the learner's code could forge it
        verdict = f"On hidden inputs: the probe reported {quote(outputs)}."
    else:
        difference = probes.compare(expected[gid], outputs, probes.PROBES[gid])
        verdict = f"On hidden inputs: {difference}." if difference else ""
    if not verdict and passed:
        return Result(gid, points, points, "passed", edited + "all checks passed", modified[gid])
    if check_message and not check_message.endswith((".", ")")):
        check_message += "."
    message = " ".join(m for m in (check_message, verdict) if m)
    return Result(gid, 0.0, points, "failed", edited + message, modified[gid])
