"""The Makefile's setup, test, lab and lock targets in plain Python, for machines without make.

Standard library only, so any Python 3 can run it before the venv exists. From the checkout::

    python -m course_tools.make setup [--data-source DIR_OR_URL]   # = make setup
    python -m course_tools.make test [NOTEBOOK ...]                 # = make test
    python -m course_tools.make test --unit                         # = make test-unit
    python -m course_tools.make run-notebooks                       # = make run-notebooks
    python -m course_tools.make lab                                 # = make lab
    python -m course_tools.make lock [--upgrade]                    # = make lock

On Windows (PowerShell), use the ``py`` launcher with a supported Python: ``py -3.12 -m ...``.
The Makefile calls these same commands. Packages are installed by uv, which is pinned in
requirements.txt and installed into the venv with pip first.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.txt"
REQUIREMENTS_IN = ROOT / "requirements.in"
PYPROJECT = ROOT / "pyproject.toml"
#: Written into the venv after a successful install; holds a hash of what was installed.
STAMP_NAME = ".installed"

#: Where the lock must install, wheels only (uv's --python-platform names). Each is resolved
#: for every supported Python by `make lock` and by tests/test_lock.py.
LOCK_PLATFORMS = (
    "x86_64-manylinux_2_28",  # Linux x86-64 (glibc 2.28 or newer)
    "aarch64-manylinux_2_28",  # Linux ARM64
    "aarch64-apple-darwin",  # macOS on Apple silicon
    "x86_64-pc-windows-msvc",  # Windows x86-64
)
LOCK_COMMAND_NAME = "make lock"

#: uv must never download a Python of its own (the course uses the learner's): resolving for
#: a Python version that isn't installed only needs that version's number.
UV_ENV = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}

NBVAL_FLAGS = ("--nbval", "--nbval-current-env", "--nbval-sanitize-with",
               "tests/nbval_sanitize.cfg", "--nbval-cell-timeout=1800")
#: make run-notebooks: every cell must run without an error; outputs are not compared (for
#: the platforms whose numbers may differ from the stored ones, see the README).
RUN_ONLY_FLAGS = ("--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=1800")
#: The tests' environment: one thread per library in every test process and notebook kernel,
#: so that parallel test processes don't compete for the cores (helpers.environment reads it).
TEST_ENV = {**UV_ENV, "COURSE_THREADS": "1"}
#: How many processes run the tests, when ``--workers`` isn't given (default: one per core).
WORKERS_ENV = "TEST_WORKERS"


class SetupError(Exception):
    """Something the learner must fix; the message says what and how."""


# ----------------------------------------------------------------------------- facts


def supported_pythons(pyproject: str | None = None) -> list[tuple[int, int]]:
    """The Python versions ``requires-python`` allows, e.g. [(3, 11), (3, 12), (3, 13)].

    Read with a regular expression rather than tomllib, which Pythons before 3.11 lack: this
    must run, and say what is wrong, on whatever Python the learner starts it with.
    """
    text = PYPROJECT.read_text(encoding="utf-8") if pyproject is None else pyproject
    found = re.search(r'^requires-python\s*=\s*">=3\.(\d+)\s*,\s*<3\.(\d+)"', text, re.M)
    if not found:
        raise SetupError('pyproject.toml: requires-python must read ">=3.X,<3.Y".')
    low, high = int(found.group(1)), int(found.group(2))
    return [(3, minor) for minor in range(low, high)]


def check_python(version: tuple[int, int], supported: list[tuple[int, int]]) -> None:
    """Raise SetupError, naming the fix, unless ``version`` (major, minor) is supported."""
    if tuple(version) in supported:
        return
    names = ", ".join(f"{major}.{minor}" for major, minor in supported)
    found = f"{version[0]}.{version[1]}"
    major, minor = supported[-2] if len(supported) > 1 else supported[-1]
    suggestion = f"{major}.{minor}"
    raise SetupError(
        f"Python {found} can't run this course: it needs Python {names} (its TensorFlow has "
        "no wheels for newer ones). "
        f"Install one of those, then run 'make setup PYTHON=python{suggestion}' "
        f"(Windows: 'py -{suggestion} -m course_tools.make setup').")


def venv_python(venv: Path, windows: bool | None = None) -> Path:
    """The venv's interpreter: ``Scripts\\python.exe`` on Windows, ``bin/python`` elsewhere."""
    windows = os.name == "nt" if windows is None else windows
    return venv / "Scripts" / "python.exe" if windows else venv / "bin" / "python"


def pinned_version(name: str, lock_text: str) -> str:
    """The version ``lock_text`` (a requirements.txt) pins for ``name``."""
    found = re.search(rf"^{re.escape(name)}==([^\s;]+)", lock_text, re.M | re.I)
    if not found:
        raise SetupError(f"requirements.txt pins no {name}; run 'make lock'.")
    return found.group(1)


def install_key(python_version: str) -> str:
    """What an install depends on: the lock, pyproject.toml and the venv's Python."""
    digest = hashlib.sha256(python_version.encode())
    for path in (LOCK, PYPROJECT):
        digest.update(path.read_bytes())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- commands


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    """Run ``command`` from the checkout, echoed as make would; stop on failure."""
    print(" ".join(str(part) for part in command), flush=True)
    try:
        return subprocess.run([str(part) for part in command], cwd=ROOT, check=True,
                              **{"env": UV_ENV, **kwargs})
    except subprocess.CalledProcessError as err:
        raise SystemExit(err.returncode) from None


def _python_version(python: Path | str) -> tuple[int, int]:
    out = subprocess.run([str(python), "-c", "import sys; print(*sys.version_info[:2])"],
                         capture_output=True, text=True, check=True).stdout
    major, minor = out.split()
    return int(major), int(minor)


def install(venv: Path, python: str = sys.executable) -> Path:
    """Create ``venv`` with ``python`` if needed and install the lock into it; quick when done.

    Returns the venv's interpreter.
    """
    supported = supported_pythons()
    vpy = venv_python(venv)
    if vpy.exists():
        try:
            check_python(_python_version(vpy), supported)
        except SetupError as err:
            raise SetupError(f"{venv} was made with an unsupported Python. Delete the folder "
                             f"{venv} and set up again. ({err})") from None
    else:
        check_python(sys.version_info[:2] if python == sys.executable
                     else _python_version(python), supported)
        run([python, "-m", "venv", venv])
    stamp = venv / STAMP_NAME
    key = install_key(".".join(map(str, _python_version(vpy))))
    if stamp.exists() and stamp.read_text().strip() == key:
        print(f"{venv}: the pinned packages are already installed.")
        stamp.touch()  # newer than the lock, so make stops asking
        return vpy
    uv = pinned_version("uv", LOCK.read_text(encoding="utf-8"))
    has_uv = subprocess.run([vpy, "-m", "uv", "--version"], capture_output=True, text=True)
    if has_uv.returncode != 0 or has_uv.stdout.split()[1:2] != [uv]:
        run([vpy, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"uv=={uv}"])
    # --compile-bytecode: every module is compiled once, now, rather than by the first import
    # of each (or by every import where PYTHONDONTWRITEBYTECODE is set: TensorFlow then takes
    # about 20 s to import instead of 8).
    run([vpy, "-m", "uv", "pip", "install", "--python", vpy, "--only-binary", ":all:",
         "--compile-bytecode", "-r", LOCK.name])
    run([vpy, "-m", "uv", "pip", "install", "--python", vpy, "--no-deps", "--editable", "."])
    stamp.write_text(key + "\n")
    return vpy


def data(vpy: Path, source: str | None) -> None:
    """Fetch the two dataset files (from ``source``, a folder or URL) and verify them."""
    run([vpy, "-m", "course_tools.fetch", *(["--source", source] if source else [])])
    run([vpy, "-m", "course_tools.fetch", "--verify-only"])


def notebooks() -> list[str]:
    """The course notebooks, in order, as paths relative to the checkout."""
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"))


def worker_count(value: str, where: str = "--workers ") -> int:
    """``value`` as a number of test processes (1 or more); SetupError naming ``where`` if not."""
    if not value.strip().isdigit() or int(value) < 1:
        raise SetupError(f"{where}{value} is not a number of processes: give 1 (one test "
                         "after another) or more.")
    return int(value)


def default_workers(environ: dict | None = None) -> int:
    """Processes for the tests: ``$TEST_WORKERS``, else the cores this process may use."""
    value = (os.environ if environ is None else environ).get(WORKERS_ENV, "")
    if value.strip():
        return worker_count(value, f"{WORKERS_ENV}=")
    try:
        return len(os.sched_getaffinity(0))  # Linux: the cores this process may run on
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def test_command(vpy: Path, selected: list[str], unit: bool = True, workers: int = 1,
                 skip_slow: bool = False, compare: bool = True) -> list:
    """pytest on tests/ (if ``unit``) and nbval on the ``selected`` notebooks.

    With ``workers`` > 1, pytest-xdist runs them in that many processes, one test module or one
    notebook per process at a time (``--dist loadscope``): a notebook's cells run in order, in
    one kernel, as nbval needs. They are handed out in the order tests/conftest.py sorts them
    (slowest first), not by their number of tests. ``skip_slow`` leaves out the tests marked
    ``slow``. Without ``compare``, the notebooks only have to run without an error.
    """
    if not unit:
        workers = min(workers, len(selected))  # a process per notebook at most
    return [vpy, "-m", "pytest", *(["tests"] if unit else []), *selected,
            *((NBVAL_FLAGS if compare else RUN_ONLY_FLAGS) if selected else ()),
            *(["-m", "not slow"] if skip_slow else ()),
            *(["-n", workers, "--dist", "loadscope", "--no-loadscope-reorder"]
              if workers > 1 else ())]


def lock_command(vpy: Path, output: Path = LOCK, upgrade: bool = False) -> list:
    """uv's universal resolution of requirements.in into ``output`` (kept pins are preferred)."""
    low = supported_pythons()[0]
    return [vpy, "-m", "uv", "pip", "compile", REQUIREMENTS_IN.name, "--universal",
            "--python-version", f"{low[0]}.{low[1]}", "--only-binary", ":all:",
            "--custom-compile-command", LOCK_COMMAND_NAME, "--output-file", output,
            *(["--upgrade"] if upgrade else [])]


def resolve_lock(vpy: Path, platform: str | None, python: str, lock: Path = LOCK,
                 offline: bool = False) -> dict[str, str]:
    """Resolve the lock for one platform (None: all at once) and Python, wheels only.

    Nothing is installed. Returns {normalized name: version}; raises SetupError with uv's
    reason when the lock can't be installed there.
    """
    target = ["--python-platform", platform] if platform else ["--universal"]
    result = subprocess.run(
        [str(vpy), "-m", "uv", "pip", "compile", str(lock), *target, "--python-version", python,
         "--only-binary", ":all:", "--no-header", "--no-annotate", "--quiet",
         *(["--offline"] if offline else [])], cwd=ROOT, capture_output=True, text=True,
        env=UV_ENV)
    if result.returncode != 0:
        raise SetupError(f"the lock does not resolve for {platform or 'all platforms'}, "
                         f"Python {python}:\n{result.stderr.strip()}")
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;]+)", result.stdout, re.M)
    return {normalize(name): version for name, version in pins}


def resolve_everywhere(vpy: Path, lock: Path = LOCK) -> dict[tuple[str, str], dict[str, str]]:
    """Resolve ``lock`` for every platform and supported Python: {(platform, python): pins}.

    One universal resolution online refreshes uv's cache of every package's file list; the
    twelve per-platform resolutions then read it offline (2 s each instead of 10 or more).
    A pair that misses something in the cache is resolved again online.
    """
    pythons = [f"{major}.{minor}" for major, minor in supported_pythons()]
    resolve_lock(vpy, None, pythons[0], lock)
    results = {}
    for platform in LOCK_PLATFORMS:
        for python in pythons:
            try:
                results[platform, python] = resolve_lock(vpy, platform, python, lock, True)
            except SetupError:
                results[platform, python] = resolve_lock(vpy, platform, python, lock)
    return results


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them: ``Jinja2`` -> ``jinja2``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def check_lock(vpy: Path, lock: Path = LOCK) -> None:
    """Resolve ``lock`` for every platform and supported Python; print one line each."""
    for (platform, python), resolved in resolve_everywhere(vpy, lock).items():
        tf = "tensorflow-cpu" if "tensorflow-cpu" in resolved else "tensorflow"
        print(f"OK  {platform:24} Python {python}: {len(resolved)} wheels, "
              f"{tf} {resolved.get(tf, '?')}")


# ----------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.make",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv",
                        help="the virtual environment (default: .venv in the checkout)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="create the venv and install the pinned packages")
    for name, what in (("setup", "install, then fetch and verify the data"),
                       ("data", "fetch and verify the data")):
        sub = commands.add_parser(name, help=what)
        sub.add_argument("--data-source", default=os.environ.get("DATA_SOURCE"),
                         help="folder or base URL of the data (default: $DATA_SOURCE, else the "
                              "pinned public copy)")
    test = commands.add_parser("test", help="unit tests, then nbval on the notebooks")
    test.add_argument("notebooks", nargs="*", help="default: every course notebook")
    test.add_argument("--unit", action="store_true",
                      help="the unit tests only, without those marked slow (make test-unit)")
    test.add_argument("--workers", default=None,
                      help=f"processes to run the tests in (default: ${WORKERS_ENV}, else one "
                           "per core; 1 runs them one after another)")
    test.add_argument("--no-unit", action="store_true", help="the notebooks only")
    run_nb = commands.add_parser("run-notebooks", help="run every notebook top to bottom, "
                                 "without comparing outputs (make run-notebooks)")
    run_nb.add_argument("notebooks", nargs="*", help="default: every course notebook")
    run_nb.add_argument("--workers", default=None, help="processes (default: as for test)")
    commands.add_parser("lab", help="open JupyterLab on notebooks/")
    lock = commands.add_parser("lock", help="re-resolve requirements.in into requirements.txt")
    lock.add_argument("--upgrade", action="store_true", help="take the newest versions allowed")
    commands.add_parser("check-lock", help="resolve the lock for every platform and Python")
    args = parser.parse_args(argv)

    venv = args.venv if args.venv.is_absolute() else ROOT / args.venv
    try:
        if args.command in ("install", "setup"):
            vpy = install(venv)
        else:
            vpy = venv_python(venv)
            if not vpy.exists():
                raise SetupError(f"{venv} does not exist yet: run 'make setup' "
                                 "(Windows: 'py -3.12 -m course_tools.make setup') first.")
        if args.command in ("setup", "data"):
            data(vpy, args.data_source)
        elif args.command == "test":
            selected = [] if args.unit else (args.notebooks or notebooks())
            workers = default_workers() if args.workers is None else worker_count(args.workers)
            run(test_command(vpy, selected, unit=not args.no_unit, workers=workers,
                             skip_slow=args.unit), env=TEST_ENV)
        elif args.command == "run-notebooks":
            workers = default_workers() if args.workers is None else worker_count(args.workers)
            run(test_command(vpy, args.notebooks or notebooks(), unit=False, workers=workers,
                             compare=False), env=TEST_ENV)
        elif args.command == "lab":
            run([vpy, "-m", "jupyter", "lab", "notebooks"])
        elif args.command == "lock":
            run(lock_command(vpy, upgrade=args.upgrade))
            check_lock(vpy)
        elif args.command == "check-lock":
            check_lock(vpy)
    except SetupError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
