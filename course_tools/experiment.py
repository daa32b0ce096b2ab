"""Run the CNN procedure of helpers/cnn.py for several seeds and write the results table.

    python -m course_tools.experiment             # seeds 1..5, writes experiments/cnn_results.md
    python -m course_tools.experiment --seeds 3   # seeds 1..3
    python -m course_tools.experiment --seed-list 4 --check   # re-run seed 4, compare
    make experiment                               # the same as the first line, in the venv

Each seed runs the whole procedure (:func:`helpers.cnn.train_committee`): cross-validated
training on the 209 training images only, then ONE evaluation of the final committee on the
50 test images. Nothing here feeds a test result back into any choice: the recipe is fixed in
``helpers/cnn.py`` and was chosen by cross-validation before this driver existed in its final
form (the log of that search is in the results file, below the table).

Progress goes to stderr. The table (format: :func:`helpers.cnn.format_results`) replaces the
one in ``--out``, keeping the hand-written log below the marker line. Every run compares each
seed with its committed row; ``--check`` makes a difference the exit status 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from helpers.environment import cpuinfo, prepare_notebook, reproducible_keras
from helpers.paths import ROOT

DEFAULT_OUT = ROOT / "experiments" / "cnn_results.md"
#: Everything below this line in the results file is the hand-written log; it is kept.
LOG_MARKER = "<!-- log: everything below is written by hand and kept when the table is redone -->"


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo (Linux), else platform.processor()."""
    return cpuinfo("model name") or platform.processor() or "unknown"


def run(seeds: list[int]) -> list[dict]:
    """Train and evaluate one committee per seed; return one row per seed."""
    prepare_notebook(seeds[0], tensorflow=True)
    reproducible_keras()
    import numpy as np

    from helpers import load_catvnoncat
    from helpers.cnn import RECIPE, train_committee

    data = load_catvnoncat()
    test_y = data.test_y.ravel()
    rows = []
    for seed in seeds:
        prepare_notebook(seed, tensorflow=True)

        start = time.perf_counter()

        def progress(message: str, start=start) -> None:
            print(f"{message}  [{time.perf_counter() - start:.0f} s]", file=sys.stderr,
                  flush=True)

        committee = train_committee(data.train_x, data.train_y, seed=seed, recipe=RECIPE,
                                    progress=progress)
        # The one look at the test set for this seed, after everything is fixed.
        test_pred = committee.predict(data.test_x)
        correct = int(np.sum(test_pred == test_y))
        rows.append(dict(seed=seed, val=committee.val_accuracy,
                         val_bal=committee.val_balanced_accuracy,
                         test_correct=correct, test_total=test_y.size, test=correct / test_y.size,
                         seconds=committee.seconds, cpu=committee.cpu_seconds,
                         wrong=np.flatnonzero(test_pred != test_y).tolist()))
        print(f"seed {seed}: validation {100 * rows[-1]['val']:.1f} %, test {correct}/"
              f"{test_y.size}, {committee.seconds:.0f} s", file=sys.stderr, flush=True)
    return rows


def markdown(rows: list[dict], seconds_total: float) -> str:
    """The results table and the environment, as Markdown."""
    import keras
    import numpy as np
    import tensorflow as tf

    from helpers.cnn import RECIPE, format_results

    lines = [
        "# CNN finale: results over seeds",
        "",
        "Written by `make experiment` (`course_tools/experiment.py`). Each row is the whole",
        "procedure of `helpers.cnn.train_committee` for one seed: 5-fold cross-validation on the",
        "209 training images, the 5 fold models kept as a committee (flip test-time augmentation),",
        "and one evaluation on the 50 test images at the very end. *Validation* is the",
        "out-of-fold accuracy on the training images (each predicted by the model that did not",
        "train on it).",
        "",
        *format_results(rows),
        "",
        f"Recipe: `{RECIPE}`",
        "",
        "Environment: "
        f"{cpu_name()}, {os.cpu_count()} logical CPUs, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__}, NumPy {np.__version__}, Python {platform.python_version()}, "
        f"TensorFlow threads {tf.config.threading.get_intra_op_parallelism_threads() or 'all'} "
        "(intra-op), oneDNN off, op determinism on, "
        f"Keras in {keras.config.floatx()}. "
        f"Total run {seconds_total / 60:.1f} min. Wall-clock seconds depend on the machine's load; "
        "CPU seconds much less so.",
        "",
    ]
    return "\n".join(lines)


def write(out: Path, table: str) -> None:
    """Write the table to ``out``, keeping any hand-written log below the marker."""
    log = ""
    if out.exists():
        old = out.read_text()
        if LOG_MARKER in old:
            log = old[old.index(LOG_MARKER) + len(LOG_MARKER):]
    out.write_text(table + "\n" + LOG_MARKER + (log or "\n"))


def check(rows: list[dict], committed: list[dict]) -> bool:
    """Compare each row's deterministic numbers (not the times), as printed, with the committed
    table's (rows of :func:`helpers.cnn.parse_results`)."""
    from helpers.cnn import format_results, parse_results

    by_seed = {row["seed"]: row for row in committed}
    same = True
    for r in parse_results("\n".join(format_results(rows))):
        old = by_seed.get(r["seed"])
        if old is None:
            print(f"seed {r['seed']}: not in the committed table", file=sys.stderr)
            same = False
            continue
        now, then = ((row["val"], row["val_bal"], row["test_correct"], row["wrong"])
                     for row in (r, old))
        same &= now == then
        print(f"seed {r['seed']}: {'same as' if now == then else 'DIFFERENT from'} the committed "
              f"row (validation {now[0]} %, test {now[2]}/{r['test_total']}; committed: "
              f"validation {then[0]} %, test {then[2]}/{old['test_total']})", file=sys.stderr)
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.experiment",
                                     description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--seeds", type=int, default=5, help="run seeds 1..N (default 5)")
    group.add_argument("--seed-list", type=int, nargs="+", help="run exactly these seeds")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"Markdown file to write (default {DEFAULT_OUT.relative_to(ROOT)}, "
                        "or nothing with --seed-list)")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 if a seed differs from its committed row")
    args = parser.parse_args(argv)
    seeds = args.seed_list or list(range(1, args.seeds + 1))
    out = args.out or (None if args.seed_list else DEFAULT_OUT)
    t0 = time.perf_counter()
    rows = run(seeds)  # imports NumPy and TensorFlow, after prepare_notebook has set them up
    from helpers.cnn import read_results

    committed = read_results(DEFAULT_OUT) if DEFAULT_OUT.exists() else []  # before rewriting it
    table = markdown(rows, time.perf_counter() - t0)
    print(table)
    if out is not None:
        write(out, table)
        print(f"written to {out}", file=sys.stderr)
    same = check(rows, committed)
    return 1 if args.check and not same else 0


if __name__ == "__main__":
    sys.exit(main())
