"""Run a course notebook as Google Colab would, to test its bootstrap cell.

Colab opens the ``.ipynb`` alone. So the notebook is copied into an empty folder and run from
there in a kernel of *this* Python, with a stand-in ``google.colab`` module imported first,
``CATORNOT_REPO`` pointing at a local git repository of the current checkout and
``DATA_SOURCE`` at the project's ``datasets/``. Then the bootstrap cell is run once more, as a
learner might. The result says which ``helpers`` ran and whether NumPy or TensorFlow changed.

    python tests/colab_simulation.py [NOTEBOOK]              # in this Python (tests/test_colab.py)
    python tests/colab_simulation.py --stack --python python3.12   # make test-colab
    python tests/colab_simulation.py --lock                  # re-pin tests/colab_stack.txt

``--stack`` builds a Colab-like stack (``tests/colab_stack.txt``: Python 3.12, TensorFlow 2.20,
NumPy 2.0, no pooch) in ``build/colab-stack`` and runs the simulation there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK_IN = ROOT / "tests" / "colab_stack.in"
STACK_LOCK = ROOT / "tests" / "colab_stack.txt"
STACK_VENV = ROOT / "build" / "colab-stack"
DEFAULT_NOTEBOOK = ROOT / "notebooks" / "02_logistic_regression_numpy.ipynb"
UV_ENV = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}

STAND_IN = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')"
VERSIONS = """\
import importlib.metadata, json, sys
def version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
print(json.dumps({name: version(name) for name in
                  ("numpy", "tensorflow", "tensorflow-cpu", "keras", "pooch")}))"""
PROBE = """\
import helpers, json, sys
print(json.dumps({"helpers": helpers.__file__,
                  "loaded": {name: getattr(sys.modules.get(name), "__version__", None)
                             for name in ("numpy", "tensorflow", "keras")}}))"""


def source_repository(target: Path) -> Path:
    """A git repository at ``target`` holding the checkout's files as they are now."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in filter(None, files.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for command in (["init", "--quiet"], ["add", "--all"], ["commit", "--quiet", "-m", "course"]):
        subprocess.run([*git, *command], cwd=target, check=True)
    return target


def outputs_text(cell) -> str:
    """Everything a cell printed, errors included."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append("\n".join(out.traceback))
        elif "text/plain" in out.get("data", {}):
            parts.append(out.data["text/plain"])
    return "".join(parts)


def simulate(notebook: Path, workdir: Path, data_source: Path) -> dict:
    """Run ``notebook`` alone in ``workdir`` as Colab would; return what happened.

    Keys: ``bootstrap`` / ``rerun`` (what the bootstrap cell printed, first and second run),
    ``before`` / ``after`` (installed versions), ``probe`` (which helpers ran, loaded
    versions), ``errors`` (cells that raised), ``seconds``.
    """
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    sys.path.insert(0, str(ROOT))
    from course_tools.colab import BOOTSTRAP_ID

    origin = source_repository(workdir / "origin")
    room = workdir / "content"
    room.mkdir()
    shutil.copy(notebook, room / notebook.name)
    nb = nbformat.read(room / notebook.name, as_version=4)
    stored = {cell.id: outputs_text(cell) for cell in nb.cells if cell.cell_type == "code"
              and "nbval-ignore-output" not in cell.metadata.get("tags", [])
              and cell.id != BOOTSTRAP_ID}
    bootstrap = next(cell for cell in nb.cells if cell.get("id") == BOOTSTRAP_ID)
    new = nbformat.v4.new_code_cell
    nb.cells = [new(VERSIONS), new(STAND_IN), *nb.cells,
                new(bootstrap.source), new(VERSIONS), new(PROBE)]
    os.environ.pop("CATVNONCAT_DIR", None)
    os.environ.update(CATORNOT_REPO=origin.as_uri(), DATA_SOURCE=str(data_source))
    # kernel_dirs=[] leaves only the native kernel: this very Python.
    km = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[]))
    client = NotebookClient(nb, km=km, timeout=1800, allow_errors=True,
                            resources={"metadata": {"path": str(room)}})
    started = time.monotonic()
    client.execute()
    errors = [outputs_text(cell) for cell in nb.cells
              if any(out.output_type == "error" for out in cell.get("outputs", []))]
    prepare = next(cell for cell in nb.cells if "prepare_notebook(" in cell.source)
    differ = [cell.id for cell in nb.cells if cell.get("id") in stored
              and outputs_text(cell) != stored[cell.id]]
    return {
        "prepare_notebook": outputs_text(prepare),
        "cells_whose_output_differs_from_the_stored_one": differ,
        "bootstrap": outputs_text(nb.cells[2 + nb.cells[2:].index(bootstrap)]),
        "rerun": outputs_text(nb.cells[-3]),
        "before": json.loads(outputs_text(nb.cells[0])),
        "after": json.loads(outputs_text(nb.cells[-2])),
        "probe": json.loads(outputs_text(nb.cells[-1]) or "{}"),
        "errors": errors,
        "clone": str(room / "cat-or-not"),
        "seconds": round(time.monotonic() - started, 1),
    }


def build_stack(python: str) -> Path:
    """The Colab-like venv in build/colab-stack (re-created); returns its Python."""
    uv = [sys.executable, "-m", "uv"]
    shutil.rmtree(STACK_VENV, ignore_errors=True)
    subprocess.run([*uv, "venv", "--quiet", "--seed", "--python", python, str(STACK_VENV)],
                   check=True, env=UV_ENV)
    vpy = STACK_VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run([*uv, "pip", "install", "--quiet", "--python", str(vpy), "--only-binary",
                    ":all:", "-r", str(STACK_LOCK)], check=True, env=UV_ENV)
    return vpy


def colab_python() -> str:
    """A pyenv 3.12 if there is one (its python3.12 shim fails unless 3.12 is selected)."""
    pyenv = sorted(Path.home().glob(".pyenv/versions/3.12.*/bin/python"))
    return str(pyenv[0]) if pyenv else "python3.12"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook", nargs="?", type=Path, default=DEFAULT_NOTEBOOK)
    parser.add_argument("--stack", action="store_true",
                        help="build the Colab-like stack and run the simulation in it")
    parser.add_argument("--python", default=colab_python(),
                        help="the stack's Python 3.12 (default: %(default)s)")
    parser.add_argument("--lock", action="store_true", help="re-pin tests/colab_stack.txt")
    parser.add_argument("--expect-stored-outputs", action="store_true",
                        help="fail if an output differs from the stored one (pinned stack)")
    args = parser.parse_args(argv)
    if args.lock:
        subprocess.run([sys.executable, "-m", "uv", "pip", "compile", str(STACK_IN),
                        "--python-platform", "x86_64-manylinux_2_28", "--python-version", "3.12",
                        "--only-binary", ":all:", "--custom-compile-command",
                        "python tests/colab_simulation.py --lock", "-o", str(STACK_LOCK)],
                       check=True, env=UV_ENV)
        return 0
    if args.stack:
        started = time.monotonic()
        vpy = build_stack(args.python)
        print(f"Colab-like stack ready in {time.monotonic() - started:.0f} s", flush=True)
        run = subprocess.run([str(vpy), __file__, str(args.notebook.resolve())])
        print(f"make test-colab took {time.monotonic() - started:.0f} s in all")
        return run.returncode

    data_source = Path(os.environ.get("CATVNONCAT_DIR") or ROOT / "datasets")
    with tempfile.TemporaryDirectory(prefix="colab-") as workdir:
        result = simulate(args.notebook.resolve(), Path(workdir), data_source)
    print(json.dumps(result, indent=1))
    problems = check(result)
    if args.expect_stored_outputs and result["cells_whose_output_differs_from_the_stored_one"]:
        problems.append("outputs differ from the stored ones in cells "
                        f"{result['cells_whose_output_differs_from_the_stored_one']}")
    for problem in problems:
        print("FAIL", problem)
    print("Colab simulation:", "failed" if problems else "passed", f"({result['seconds']} s)")
    return 1 if problems else 0


def check(result: dict) -> list[str]:
    """What is wrong with a simulated run (empty: it ran as it should on Colab)."""
    problems = [f"a cell raised:\n{error}" for error in result["errors"]]
    if not result["probe"].get("helpers", "").startswith(result["clone"]):
        problems.append(f"helpers came from {result['probe'].get('helpers')}, not the clone")
    for name in ("numpy", "tensorflow", "tensorflow-cpu", "keras"):
        if result["before"].get(name) != result["after"].get(name):
            problems.append(f"{name} changed from {result['before'].get(name)} to "
                            f"{result['after'].get(name)}: the bootstrap installed over it")
    if "ready" not in result["bootstrap"]:
        problems.append(f"the bootstrap did not say it was ready: {result['bootstrap']!r}")
    prepare = result["prepare_notebook"]
    if prepare.count("\n") > 1 or "make setup" in prepare:
        problems.append(f"prepare_notebook must say at most one line on Colab: {prepare!r}")
    if "Installing" in result["rerun"]:
        problems.append(f"the second bootstrap run installed again: {result['rerun']!r}")
    return problems


if __name__ == "__main__":
    sys.exit(main())
