"""``make doctor``: what this machine and set-up are, in a form to paste into an issue.

    make doctor                       # Linux, macOS
    py -3.12 -m course_tools.doctor   # Windows (any Python 3 will do)

It prints one line per topic (system, runtime, Python, packages, kernel, data, sandbox), each
``ok``, ``note`` (nothing is broken, but expect something) or ``PROBLEM``. Every note and problem
is followed by one line that says what to do. The exit status is 1 when there is a problem.

Standard library only, so that it runs, and says what is wrong, before the venv exists or when
it is broken. What the venv holds is asked of the venv's own Python in a subprocess.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from course_tools import make

ROOT = make.ROOT
DATA_SOURCE = ROOT / "helpers" / "data.py"
#: The kernel every notebook names in its metadata.
KERNEL_NAME = "python3"
#: The packages whose versions the stored outputs depend on most; shown in the summary.
KEY_PACKAGES = ("numpy", "tensorflow-cpu", "tensorflow", "keras")
SUPPORTED_WINDOWS_PYTHON = "3.12"

#: Run by the inspected Python: what it is and holds, as JSON on stdout.
PROBE = r'''
import json, re, sys
from importlib import metadata
markers = json.loads(sys.argv[1])
out = {"python": list(sys.version_info[:3]), "executable": sys.executable, "dists": {}}
for dist in metadata.distributions():
    name = dist.metadata["Name"]
    if name:
        out["dists"][re.sub(r"[-_.]+", "-", name).lower()] = dist.version
try:
    from packaging.markers import Marker
    out["markers"] = {m: Marker(m).evaluate() for m in markers}
except Exception:
    out["markers"] = None
try:
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec(sys.argv[2])
    out["kernel"] = {"argv": spec.argv, "dir": spec.resource_dir}
except Exception as err:
    out["kernel"] = {"error": f"{type(err).__name__}: {err}"}
print(json.dumps(out))
'''


@dataclass
class Finding:
    """One topic's result: ``status`` is "ok", "note" or "PROBLEM"; ``fix`` is one line."""

    topic: str
    status: str
    text: str
    fix: str = ""


@dataclass
class Facts:
    """Everything the diagnosis looks at, gathered first so that tests can make up their own."""

    system: str
    machine: str
    cpu: str
    avx2: bool | None  # None: unknown or not an x86 CPU
    windows: bool
    runtime: str  # "local", "colab" or "binder"
    supported: list[tuple[int, int]]
    venv: Path
    runner_python: tuple[int, int]
    probe: dict | None  # the inspected Python's answer (PROBE), None when there is none
    probe_error: str = ""
    lock: list[tuple[str, str, str]] = field(default_factory=list)  # (name, version, marker)
    data_dir: Path = ROOT / "datasets"
    data_specs: list[tuple[str, str]] = field(default_factory=list)  # (file name, sha256)
    data_hashes: dict[str, str | None] = field(default_factory=dict)  # file name -> sha or None
    bwrap: str | None = None  # bubblewrap's path, None if absent
    sandbox_problem: str = ""


# --------------------------------------------------------------------------- gathering facts


def command(target: str, windows: bool, extra: str = "") -> str:
    """How to run a Makefile target here: ``make setup`` or its Windows spelling."""
    if windows:
        return f"py -{SUPPORTED_WINDOWS_PYTHON} -m course_tools.make {target}{extra}"
    return f"make {target}{extra}"


def lock_pins(text: str) -> list[tuple[str, str, str]]:
    """(normalized name, version, marker or "") for each pin of a requirements.txt."""
    pins = []
    for line in text.splitlines():
        found = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.*))?$", line.strip())
        if found:
            pins.append((make.normalize(found.group(1)), found.group(2), found.group(3) or ""))
    return pins


def data_specs(source: str) -> list[tuple[str, str]]:
    """(file name, SHA-256) of each dataset file, read from helpers/data.py's SplitSpecs.

    Read as text, because helpers.data needs NumPy and the doctor must run without it.
    """
    return re.findall(r'SplitSpec\(\s*"\w+",\s*"([^"]+)",\s*"([0-9a-f]{64})"', source)


def sha256_of(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_runtime(environ=os.environ, modules=sys.modules) -> str:
    if "google.colab" in modules or any(name.startswith("COLAB_") for name in environ):
        return "colab"
    if any(name.startswith("BINDER_") for name in environ):
        return "binder"
    return "local"


def cpu_facts() -> tuple[str, bool | None]:
    """The CPU's name, and whether it has AVX2 (None on ARM or when it can't be told)."""
    machine = platform.machine().lower()
    x86 = machine in ("x86_64", "amd64", "i686", "x86")
    name, avx2 = platform.processor() or machine, None
    if sys.platform.startswith("linux"):
        info = {}
        try:
            for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
                key, _, value = line.partition(":")
                info.setdefault(key.strip(), value.strip())
        except OSError:
            pass
        name = info.get("model name") or info.get("Model") or name
        if x86 and "flags" in info:
            avx2 = "avx2" in info["flags"].split()
    elif sys.platform == "darwin":
        name = _sysctl("machdep.cpu.brand_string") or name
        if x86:
            avx2 = "AVX2" in (_sysctl("machdep.cpu.leaf7_features") or "").upper()
    elif os.name == "nt" and x86:
        try:
            import ctypes

            avx2 = bool(ctypes.windll.kernel32.IsProcessorFeaturePresent(40))  # PF_AVX2_...
        except (AttributeError, OSError):
            avx2 = None
    return name, avx2


def _sysctl(key: str) -> str:
    try:
        return subprocess.run(["sysctl", "-n", key], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def probe(python: Path | str, lock: list[tuple[str, str, str]]) -> tuple[dict | None, str]:
    """Ask ``python`` what it is and holds (PROBE); (None, why) if it can't answer."""
    markers = sorted({marker for _, _, marker in lock if marker})
    try:
        run = subprocess.run([str(python), "-c", PROBE, json.dumps(markers), KERNEL_NAME],
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
    except (OSError, subprocess.SubprocessError) as err:
        return None, f"{python} does not run ({err})"
    if run.returncode != 0:
        return None, f"{python} failed: {run.stderr.strip().splitlines()[-1:]}"
    return json.loads(run.stdout.strip().splitlines()[-1]), ""


def gather(venv: Path) -> Facts:
    windows = os.name == "nt"
    runtime = detect_runtime()
    lock = lock_pins(make.LOCK.read_text(encoding="utf-8"))
    cpu, avx2 = cpu_facts()
    # Colab and Binder have no .venv: the course runs in the Python that runs this.
    python = sys.executable if runtime != "local" else make.venv_python(venv)
    answer, error = (probe(python, lock) if Path(python).exists()
                     else (None, f"{python} does not exist"))
    directory = Path(os.environ.get("CATVNONCAT_DIR") or ROOT / "datasets").expanduser()
    specs = data_specs(DATA_SOURCE.read_text(encoding="utf-8"))
    bwrap = shutil.which("bwrap")
    sandbox_problem = ""
    if sys.platform.startswith("linux") and bwrap:
        trial = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-all",
                                "--die-with-parent", "true"], capture_output=True, text=True)
        sandbox_problem = trial.stderr.strip() if trial.returncode else ""
    return Facts(
        system=f"{platform.system()} {platform.release()}", machine=platform.machine(),
        cpu=cpu, avx2=avx2, windows=windows, runtime=runtime,
        supported=make.supported_pythons(), venv=venv, runner_python=sys.version_info[:2],
        probe=answer, probe_error=error, lock=lock, data_dir=directory, data_specs=specs,
        data_hashes={name: sha256_of(directory / name) for name, _ in specs},
        bwrap=bwrap, sandbox_problem=sandbox_problem)


# --------------------------------------------------------------------------- diagnosis


def _version(numbers) -> str:
    return ".".join(str(n) for n in numbers)


def check_system(f: Facts) -> Finding:
    avx2 = {True: "AVX2 yes", False: "AVX2 no", None: "AVX2 n/a"}[f.avx2]
    text = f"{f.system}, {f.machine}, {f.cpu}, {avx2}"
    x86 = f.machine.lower() in ("x86_64", "amd64")
    if x86 and f.avx2 is not False and f.runtime != "colab":
        return Finding("system", "ok", text + " (reproduces the stored outputs)")
    why = "without AVX2" if x86 else f"on this {f.machine} CPU"
    if f.runtime == "colab":
        why = "on Colab"
    return Finding("system", "note", f"{text}: {why}, numbers printed after long "
                   "TensorFlow trainings may differ slightly from the stored ones",
                   "nothing to fix: the lessons are the same; see the README's platform "
                   f"table, and run '{command('run-notebooks', f.windows)}' rather than "
                   f"'{command('test', f.windows)}'")


def check_runtime(f: Facts) -> Finding:
    if f.runtime == "colab":
        return Finding("runtime", "ok", "Google Colab: its own NumPy, TensorFlow and Keras are "
                       "used; the first cell of each notebook installs what else is missing")
    if f.runtime == "binder":
        return Finding("runtime", "ok", "Binder: the lock is installed in the image; sessions "
                       "keep nothing, so download your notebooks")
    return Finding("runtime", "ok", f"local checkout {ROOT}, venv {f.venv}")


def check_python(f: Facts) -> Finding:
    names = ", ".join(_version(v) for v in f.supported)
    if f.probe is None:
        if f.runtime != "local":
            return Finding("python", "PROBLEM", f"this Python can't be inspected: "
                           f"{f.probe_error}", "restart the runtime, then run the notebook's "
                           "first cell again")
        if tuple(f.runner_python) not in [tuple(v) for v in f.supported]:
            return Finding("python", "PROBLEM", f"no working venv ({f.probe_error}), and "
                           f"Python {_version(f.runner_python)} can't make one: the course "
                           f"needs Python {names}",
                           "install Python 3.12, then "
                           + ("py -3.12 -m course_tools.make setup" if f.windows
                              else "make setup PYTHON=python3.12"))
        return Finding("python", "PROBLEM", f"no working venv: {f.probe_error}",
                       command("setup", f.windows))
    version = tuple(f.probe["python"][:2])
    where = f"{f.probe['executable']}: Python {_version(f.probe['python'])}"
    if version not in [tuple(v) for v in f.supported]:
        return Finding("python", "PROBLEM", f"{where}; the course needs Python {names}",
                       f"delete the folder {f.venv}, then "
                       + ("py -3.12 -m course_tools.make setup" if f.windows
                          else "make setup PYTHON=python3.12"))
    return Finding("python", "ok", f"{where} (supported: {names})")


def expected_versions(f: Facts) -> dict[str, set[str]]:
    """{name: versions the lock allows here}; a pin whose marker is false here is left out."""
    markers = (f.probe or {}).get("markers")
    wanted: dict[str, set[str]] = {}
    for name, version, marker in f.lock:
        if marker and markers is not None and not markers.get(marker, True):
            continue
        if marker and markers is None and name not in (f.probe or {}).get("dists", {}):
            continue  # can't tell whether this platform needs it
        wanted.setdefault(name, set()).add(version)
    return wanted


def check_packages(f: Facts) -> Finding:
    if f.probe is None:
        return Finding("packages", "PROBLEM", "not checked: no Python to ask (see above)",
                       check_python(f).fix)
    dists = f.probe["dists"]
    key = ", ".join(f"{name} {dists[name]}" for name in KEY_PACKAGES if name in dists)
    if f.runtime == "colab":
        return Finding("packages", "note", f"Colab's own versions: {key}",
                       "nothing to fix: printed numbers may differ slightly from the stored "
                       "ones (README's platform table)")
    wanted = expected_versions(f)
    missing = sorted(name for name in wanted if name not in dists)
    other = sorted(name for name in wanted if name in dists and dists[name] not in wanted[name])
    if not missing and not other:
        return Finding("packages", "ok", f"all {len(wanted)} packages the lock pins here are "
                       f"installed at its versions ({key})")
    described = [f"{name} {dists[name]} installed, the lock pins "
                 f"{' or '.join(sorted(wanted[name]))}" for name in other]
    described += [f"{name} missing (the lock pins {' or '.join(sorted(wanted[name]))})"
                  for name in missing]
    shown = "; ".join(described[:6]) + (f"; and {len(described) - 6} more"
                                         if len(described) > 6 else "")
    if f.runtime == "binder":
        fix = "the image differs from the lock: start a new Binder session from the badge"
    else:
        stamp = f.venv / make.STAMP_NAME
        fix = (f"delete the file {stamp} (it says the lock is installed), then "
               + command("setup", f.windows))
    return Finding("packages", "PROBLEM", shown, fix)


def check_kernel(f: Facts) -> Finding:
    if f.probe is None:
        return Finding("kernel", "PROBLEM", "not checked: no Python to ask (see above)",
                       check_python(f).fix)
    kernel = f.probe.get("kernel") or {}
    if f.runtime == "colab":
        return Finding("kernel", "ok", "Colab's own Python kernel (there is no .venv on Colab)")
    if "error" in kernel:
        fix = (f"delete the file {f.venv / make.STAMP_NAME}, then {command('setup', f.windows)}"
               if f.runtime == "local" else "restart the runtime")
        return Finding("kernel", "PROBLEM", f"no Jupyter kernel '{KERNEL_NAME}' in this "
                       f"Python's Jupyter ({kernel['error']})", fix)
    argv0 = kernel["argv"][0]
    runs_itself = re.fullmatch(r"python(\d+(\.\d+)?)?", argv0) is not None
    executable = f.probe["executable"]
    if runs_itself or os.path.abspath(argv0) == os.path.abspath(executable):
        return Finding("kernel", "ok", f"'{KERNEL_NAME}' runs {executable} (the notebooks' "
                       "kernel; in VS Code select that interpreter)")
    return Finding("kernel", "PROBLEM", f"'{KERNEL_NAME}' runs {argv0}, not {executable}: "
                   f"a kernel registered in {kernel['dir']} hides the venv's own",
                   f"delete the folder {kernel['dir']}, then restart JupyterLab "
                   f"({command('lab', f.windows)})")


def check_data(f: Facts) -> Finding:
    where = f.data_dir
    missing = [name for name, _ in f.data_specs if f.data_hashes.get(name) is None]
    wrong = [name for name, sha in f.data_specs
             if f.data_hashes.get(name) not in (None, sha)]
    fetch = command("setup", f.windows)
    if f.runtime == "colab":
        fetch = "run the notebook's first cell again (it fetches the data)"
    if missing:
        return Finding("data", "PROBLEM", f"{', '.join(missing)} missing in {where}",
                       f"{fetch}; offline, copy the files from a folder: "
                       + command("setup", f.windows, " DATA_SOURCE=path/to/folder"
                                 if not f.windows else " --data-source path\\to\\folder"))
    if wrong:
        got = ", ".join(f"{name} sha256 {f.data_hashes[name][:12]}" for name in wrong)
        return Finding("data", "PROBLEM", f"{got} in {where}: not the course's bytes",
                       f"delete {', '.join(wrong)} from {where}, then {fetch}")
    sums = ", ".join(f"{name} sha256 {sha[:12]}" for name, sha in f.data_specs)
    return Finding("data", "ok", f"{sums} in {where}, as expected")


def check_sandbox(f: Facts) -> Finding:
    if f.runtime != "local":
        return Finding("sandbox", "ok", "not needed here (only instructors grading need it)")
    if not f.system.startswith("Linux"):
        return Finding("sandbox", "ok", "bubblewrap is Linux-only; only instructors grading "
                       "submissions need it (in a Linux VM or container)")
    if f.bwrap is None:
        return Finding("sandbox", "note", "bubblewrap (bwrap) is not installed; only "
                       "instructors grading submissions need it",
                       "to grade: sudo apt-get install bubblewrap (Debian, Ubuntu)")
    if f.sandbox_problem:
        return Finding("sandbox", "note", f"bubblewrap is installed but cannot start a sandbox "
                       f"({f.sandbox_problem}); only instructors grading need it",
                       "to grade: enable user namespaces (python -m course_tools.sandbox check)")
    return Finding("sandbox", "ok", f"bubblewrap {f.bwrap} starts a sandbox")


CHECKS = (check_system, check_runtime, check_python, check_packages, check_kernel, check_data,
          check_sandbox)


def diagnose(facts: Facts) -> list[Finding]:
    return [check(facts) for check in CHECKS]


def report(findings: list[Finding]) -> str:
    lines = ["Cat or Not doctor: to ask for help, paste this block, ``` lines included, into "
             "your issue.", "```"]
    for finding in findings:
        lines.append(f"{finding.status:8} {finding.topic:9} {finding.text}")
        if finding.fix:
            lines.append(f"{'':8} {'':9} fix: {finding.fix}")
    problems = sum(finding.status == "PROBLEM" for finding in findings)
    lines.append(f"{problems} problem{'s' * (problems != 1)} found.")
    lines.append("```")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.doctor",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv",
                        help="the virtual environment (default: .venv in the checkout)")
    args = parser.parse_args(argv)
    venv = args.venv if args.venv.is_absolute() else ROOT / args.venv
    findings = diagnose(gather(venv))
    print(report(findings))
    return 1 if any(finding.status == "PROBLEM" for finding in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
