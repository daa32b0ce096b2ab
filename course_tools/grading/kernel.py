"""Run a prepared submission in a fresh kernel, then its hidden probes. Runs inside the sandbox.

    python -m course_tools.grading.kernel IN.ipynb OUT_DIR --seed N --probe check_x ... \
        [--cell-timeout S] [--timeout S] [--run-all]

Writes ``OUT_DIR/executed.ipynb``, ``OUT_DIR/runs.json`` (what happened to each cell) and
``OUT_DIR/probes/<grade id>.npz``, all untrusted: the grader outside reads them with limits.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from course_tools.grading.notebooks import grade_id_of, is_check

CELL_TIMEOUT = 300.0  # seconds per cell
TIMEOUT = 1800.0  # seconds for the whole notebook, kernel start-up included
#: Seconds of grace after ``TIMEOUT`` for the probe of a check that ran just before it.
PROBE_TIMEOUT = 120.0
#: Cells with one of these tags are not run by the grader (as nbval / nbclient skip them).
SKIP_TAGS = ("nbval-skip", "skip-execution")
#: Output a single cell may produce before the rest is dropped (an endless ``print`` loop).
MAX_OUTPUT_CHARS = 200_000
MAX_OUTPUTS = 2_000
#: Output all cells together may produce, and the length kept of an error's message.
MAX_NOTEBOOK_OUTPUT_CHARS = 5_000_000
MAX_ERROR_CHARS = 2_000
AFTER_LAST_CHECK = "not run: it comes after the last check, so it cannot change the score"
PROBE_TAG = "grader-probe"


@dataclass
class Run:
    status: str = "ok"  # ok | error | timeout | not run | skipped
    reason: str = ""


def _size(content: dict) -> int:
    """Characters an output message adds to the notebook: all of it, not only stream text."""
    try:
        return len(json.dumps(content, default=str))
    except (TypeError, ValueError):
        return MAX_OUTPUT_CHARS + 1


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width] + " [...]"


def probe_cell(grade_id: str, seed: int, out_dir: str) -> NotebookNode:
    """The cell that calls one exercise's hidden probe in the learner's kernel."""
    code = (f"import course_tools.grading.probes as _grader_probes\n"
            f"_grader_probes.record(globals(), {grade_id!r}, {seed}, {out_dir!r})")
    return nbformat.v4.new_code_cell(code, metadata={"tags": [PROBE_TAG]})


def _make_client(nb: NotebookNode, cwd: str):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    class LimitedOutputClient(NotebookClient):
        """Drops the output of a cell beyond a size limit (an endless print loop, a huge
        display): every output counts with its real size. An error is kept, shortened, since
        it is how the grader sees that a cell failed."""

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            if msg["msg_type"] == "error":
                content["evalue"] = _clip(str(content.get("evalue", "")), MAX_ERROR_CHARS)
                content["ename"] = _clip(str(content.get("ename", "")), 200)
                content["traceback"] = [_clip(str(line), MAX_ERROR_CHARS)
                                        for line in list(content.get("traceback", []))[-20:]]
                return super().output(outs, msg, display_id, cell_index)
            size = self._sizes.get(cell_index, 0) + _size(content)
            self._sizes[cell_index] = size
            self._total += _size(content)
            if size > MAX_OUTPUT_CHARS or len(outs) > MAX_OUTPUTS or \
                    self._total > MAX_NOTEBOOK_OUTPUT_CHARS:
                if not self._truncated.get(cell_index):
                    self._truncated[cell_index] = True
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stdout",
                        text="\n[the grader dropped the rest of this cell's output: too long]\n"))
                return None
            return super().output(outs, msg, display_id, cell_index)

    # kernel_dirs=[] leaves only the native kernel: this very Python (the venv), even if a
    # user-level "python3" kernel spec points somewhere else.
    km = AsyncKernelManager(kernel_name="python3",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[]))
    client = LimitedOutputClient(
        nb, km=km, allow_errors=True, interrupt_on_timeout=False, startup_timeout=120,
        shutdown_kernel="immediate", skip_cells_with_tag="grader-never-skips",
        resources={"metadata": {"path": cwd}},
    )
    client._sizes, client._truncated, client._total = {}, {}, 0
    return client


def execute(nb: NotebookNode, *, cwd: str | Path, cell_timeout: float = CELL_TIMEOUT,
            timeout: float = TIMEOUT, started: float | None = None,
            stop_after: int | None = None) -> list[Run]:
    """Run ``nb`` in place in a fresh kernel; return what happened to each cell.

    Cells after index ``stop_after`` are not run. A probe cell (tagged ``grader-probe``) runs
    if the check cell just before it ran, with ``PROBE_TIMEOUT`` seconds of grace after the
    notebook's time limit.
    """
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    deadline = (started if started is not None else time.monotonic()) + timeout
    runs = [Run() for _ in nb.cells]
    # Cells counted from 1 as the learner sees them (probe cells are not counted).
    numbers = {index: number for number, index in enumerate(
        (i for i, c in enumerate(nb.cells) if PROBE_TAG not in c.metadata.get("tags", [])),
        start=1)}
    client = _make_client(nb, str(cwd))
    stopped = ""
    # The kernel process's own stdout/stderr (start-up chatter) are not part of the notebook.
    with client.setup_kernel(cleanup_kc=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            is_probe = PROBE_TAG in cell.metadata.get("tags", [])
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            if stop_after is not None and index > stop_after and not stopped and not is_probe:
                runs[index] = Run("not run", AFTER_LAST_CHECK)
                continue
            if is_probe and runs[index - 1].status in ("not run", "skipped"):
                runs[index] = Run("not run", "its check cell did not run")
                continue
            if stopped and not (is_probe and stopped.startswith("not run: the whole")):
                runs[index] = Run("not run", stopped)
                continue
            if set(cell.metadata.get("tags", [])) & set(SKIP_TAGS):
                runs[index] = Run("skipped", "tagged " + "/".join(SKIP_TAGS))
                continue
            left = deadline + (PROBE_TIMEOUT if is_probe else 0) - time.monotonic()
            if left < 1:
                stopped = (f"not run: the whole notebook reached the grader's time limit of "
                           f"{timeout:g} s before this cell")
                runs[index] = Run("not run", stopped)
                continue
            limit = min(cell_timeout, left)
            client.timeout = max(1, math.ceil(limit))
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                reason = (f"the cell did not finish within {limit:.0f} s (an endless loop?); "
                          "the grader interrupted it")
                if limit < cell_timeout:
                    reason = (f"the cell was still running when the whole notebook reached the "
                              f"grader's time limit of {timeout:g} s")
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="TimeoutError", evalue=reason, traceback=[]))
                runs[index] = Run("timeout", reason)
                try:
                    run_sync(client.km.interrupt_kernel)()
                except Exception:
                    stopped = "not run: the kernel could not be interrupted after a time-out"
                continue
            except DeadKernelError:
                reason = ("the kernel died while running this cell (the memory or CPU-time "
                          "limit, or exit()?)")
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="DeadKernelError", evalue=reason, traceback=[]))
                runs[index] = Run("error", reason)
                stopped = f"not run: the kernel died in cell {numbers.get(index, '?')}"
                continue
            if any(o.get("output_type") == "error" for o in cell.outputs):
                runs[index] = Run("error")
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.grading.kernel")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--probe", action="append", default=[])
    parser.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT)
    parser.add_argument("--timeout", type=float, default=TIMEOUT)
    parser.add_argument("--run-all", action="store_true")
    parser.add_argument("--max-tasks", type=int, default=None,
                        help="RLIMIT_NPROC: processes and threads of this user, in the sandbox's "
                             "user namespace (where the count is the sandbox's own)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.max_tasks and hasattr(os, "fork"):
        import resource

        resource.setrlimit(resource.RLIMIT_NPROC, (args.max_tasks, args.max_tasks))
    nb = nbformat.read(args.notebook, as_version=4)
    original = list(nb.cells)
    checks = {grade_id_of(cell): cell for cell in original if is_check(cell)}
    for cell in original:  # a submitted cell must not pass for a probe
        tags = cell.metadata.get("tags")
        if isinstance(tags, list) and PROBE_TAG in tags:
            tags.remove(PROBE_TAG)
    probes = {gid: probe_cell(gid, args.seed, str(args.out / "probes")) for gid in args.probe}
    probes_by_id = dict(probes)
    cells = []
    for cell in original:
        cells.append(cell)
        gid = grade_id_of(cell)
        if cell is checks.get(gid) and gid in probes:
            cells.append(probes.pop(gid))
    last = max((i for i, c in enumerate(cells) if PROBE_TAG in c.metadata.get("tags", [])
                or is_check(c)), default=-1)
    nb.cells = cells  # a deleted check gets no probe: it scores zero anyway
    runs = execute(nb, cwd=Path.cwd(), cell_timeout=args.cell_timeout, timeout=args.timeout,
                   started=started, stop_after=None if args.run_all else last)
    gid_of = {id(cell): gid for gid, cell in probes_by_id.items()}
    probe_runs = {gid_of[id(c)]: run for c, run in zip(nb.cells, runs, strict=True)
                  if id(c) in gid_of}
    kept = [i for i, c in enumerate(nb.cells) if id(c) not in gid_of]
    nb.cells, runs = [nb.cells[i] for i in kept], [runs[i] for i in kept]
    nbformat.write(nb, args.out / "executed.ipynb")
    (args.out / "runs.json").write_text(json.dumps(
        {"cells": [asdict(run) for run in runs],
         "probes": {gid: asdict(run) for gid, run in probe_runs.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
