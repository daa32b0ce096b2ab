"""The sandbox a submission runs in: bubblewrap (``bwrap``) with resource limits.

    python -m course_tools.grading.sandbox install   # make setup: install bubblewrap if it can
    python -m course_tools.grading.sandbox check     # say whether grading can be sandboxed here

What it mounts and limits: CONTRIBUTING.md, "Grading design", "The sandbox".
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import ROOT

INSTALL_HINT = ("install bubblewrap: 'sudo apt-get install bubblewrap' (Debian, Ubuntu), "
                "'sudo dnf install bubblewrap' (Fedora), 'sudo pacman -S bubblewrap' (Arch)")
NOT_LINUX_HINT = ("bubblewrap runs on Linux only: grade in a Linux machine, VM or container "
                  "(e.g. 'docker run -v $PWD:/course -w /course python:3.11 make grade ...')")
NO_SANDBOX_WARNING = (
    "NOT SANDBOXED (--no-sandbox): the submission ran with your permissions. It could read "
    "the instructor notebooks and every file you can read, change or delete your files, and "
    "use the network. Only the verdict (hidden probes compared outside its process) and the "
    "resource limits still hold.")


@dataclass(frozen=True)
class Limits:
    """What a submission may use. The grader reports which one was hit."""

    memory_bytes: int = 4 * 1024**3  # address space per process (TensorFlow needs ~3 GB)
    cpu_seconds: int = 3600  # CPU time per process
    file_bytes: int = 256 * 1024**2  # size of any one file it writes
    disk_bytes: int = 1024**3  # all it writes in its folder (checked by the grader)
    wall_seconds: float = 2100.0  # the whole run, after which the sandbox is killed
    processes: int = 64  # processes at once (the grader's watchdog counts them)
    tasks: int = 1024  # processes and threads of the sandbox's user (RLIMIT_NPROC inside it)
    shm_bytes: int = 64 * 1024**2  # its private /dev/shm
    stopped_seconds: float = 10.0  # a process stopped (SIGSTOP) this long ends the run


DEFAULT_LIMITS = Limits()
#: Where the submission's folder appears inside the sandbox.
INSIDE = Path("/sandbox")


@functools.cache
def problem() -> str:
    """'' when bubblewrap can start a sandbox here, else why not and how to fix it."""
    if not sys.platform.startswith("linux"):
        return NOT_LINUX_HINT
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed: " + INSTALL_HINT
    trial = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent",
                            "true"], capture_output=True, text=True)
    if trial.returncode != 0:
        return (f"bwrap is installed but cannot start a sandbox ({trial.stderr.strip()}); user "
                "namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1) or "
                "restricted by AppArmor")
    return ""


def _system_binds() -> list[str]:
    args = []
    for top in ("/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts",
                 "alternatives"):
        if Path("/etc", name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


def _readable(path: Path) -> list[str]:
    path = path.resolve()
    return ["--ro-bind", str(path), str(path)] if path.exists() else []


def command(inner: list[str], *, folder: Path, data_dir: Path, env: dict[str, str],
            limits: Limits | None = None) -> list[str]:
    """The bwrap command line that runs ``inner`` with ``folder`` as the only writable place.

    ``folder`` holds ``home/`` (the working folder, also ``/tmp``) and ``out/`` (results);
    it appears as :data:`INSIDE` in the sandbox, where ``inner`` and ``env`` run.
    """
    venv, base = Path(sys.prefix), Path(sys.base_prefix)
    # /tmp first, as a bind of the folder's home/tmp: a project that lives under /tmp is then
    # mounted inside it, where a --symlink would clash with the directories bwrap makes for it.
    args = ["bwrap", *_system_binds(), "--bind", str(folder / "home" / "tmp"), "/tmp"]
    for path in (base, venv, ROOT / "helpers", ROOT / "course_tools", data_dir):
        if not any(str(path.resolve()).startswith(p) for p in ("/usr/", "/bin/", "/lib")):
            args += _readable(path)
    home = INSIDE / "home"
    args += ["--bind", str(folder), str(INSIDE),
             "--proc", "/proc", "--dev", "/dev",
             # a private, small /dev/shm: the default one is RAM outside the disk limit
             "--size", str((limits or DEFAULT_LIMITS).shm_bytes), "--tmpfs", "/dev/shm",
             "--remount-ro", "/",
             "--unshare-all", "--uid", "1000", "--gid", "1000", "--hostname", "sandbox",
             "--die-with-parent", "--new-session", "--clearenv",
             "--chdir", str(home / "notebooks")]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args + inner


def environment(folder: Path, threads: int) -> dict[str, str]:
    """The variables the submission's kernel gets (nothing is inherited from the grader)."""
    home = folder / "home"
    return {"HOME": str(home), "USER": "learner", "LOGNAME": "learner",
            "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
            "LANG": "C.UTF-8", "TMPDIR": str(home / "tmp"), "MPLBACKEND": "agg",
            "MPLCONFIGDIR": "/tmp/matplotlib", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter",
            "PYTHONDONTWRITEBYTECODE": "1", "MALLOC_ARENA_MAX": "2",
            "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads),
            "COURSE_THREADS": str(threads)}  # prepare_notebook pins TensorFlow's threads too


def prepare_folder(folder: Path) -> None:
    """The submission's writable folder: ``home/notebooks``, ``home/tmp`` and ``out``."""
    for sub in ("home/notebooks", "home/tmp", "out"):
        (folder / sub).mkdir(parents=True, exist_ok=True)


def set_limits(limits: Limits):
    """A ``preexec_fn`` that applies ``limits`` to the child and everything it starts.

    None on Windows, which has no ``setrlimit`` (nor bubblewrap).
    """
    if os.name != "posix":
        return None
    import resource

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def process_tree(root: int) -> dict[int, str]:
    """{pid: state} of ``root`` and every process under it ('' where /proc is not there).

    ``state`` is /proc's one-letter state: 'T' or 't' for a stopped process.
    """
    parent, state = {}, {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return {}
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()  # after the command name, which may hold ')'
        if len(fields) > 1:
            state[int(name)], parent[int(name)] = fields[0], int(fields[1])
    tree, todo = {}, [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    while todo:
        pid = todo.pop()
        if pid in state and pid not in tree:
            tree[pid] = state[pid]
            todo += children.get(pid, [])
    return tree


def folder_size(folder: Path) -> int:
    """Bytes in the files under ``folder`` (symbolic links not followed)."""
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def install() -> int:
    """Install bubblewrap where that is safe to do without asking; else say how. Exit 0."""
    found = problem()
    if not found:
        print("sandbox: bubblewrap works; submissions will be graded in a sandbox.")
        return 0
    if sys.platform.startswith("linux") and shutil.which("bwrap") is None \
            and shutil.which("apt-get"):
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        if not sudo or subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
            print("sandbox: installing bubblewrap with apt-get ...")
            quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ,
                                                           "DEBIAN_FRONTEND": "noninteractive"}}
            done = subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "bubblewrap"], **quiet)
            if done.returncode != 0:
                subprocess.run([*sudo, "apt-get", "update", "-q"], **quiet)
                subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "bubblewrap"], **quiet)
            problem.cache_clear()
            found = problem()
            if not found:
                print("sandbox: bubblewrap installed; submissions will be graded in a sandbox.")
                return 0
    print(f"sandbox: grading cannot be sandboxed here: {found}.\n"
          "sandbox: the course works without it; only 'make grade' / 'make grade-class' and "
          "their tests need it.")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["install"]:
        return install()
    if argv == ["check"]:
        found = problem()
        print(found or "bubblewrap works: submissions will be graded in a sandbox.")
        return 1 if found else 0
    print("usage: python -m course_tools.grading.sandbox install|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
