"""Google Colab: :func:`setup`, called by each notebook's bootstrap cell after cloning the course.

It installs only what Colab lacks, never over Colab's own packages (replacing the NumPy the
runtime has imported breaks it until a restart), and fetches the data with
``course_tools.fetch``. Running it again changes nothing.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable

#: What the notebooks import, as distribution names (TensorFlow is handled apart).
RUNTIME_PACKAGES = ("numpy", "scipy", "matplotlib", "pillow", "h5py", "scikit-learn", "keras",
                    "threadpoolctl", "pooch", "requests", "tqdm")
#: Either build of TensorFlow will do; Colab has ``tensorflow``.
TENSORFLOW_BUILDS = ("tensorflow", "tensorflow-cpu")


def installed_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def plan(version_of: Callable[[str], str | None] = installed_version
         ) -> tuple[list[str], list[str]]:
    """What to install and what to keep: (missing names, ``name==version`` constraints).

    ``version_of`` maps a distribution name to its installed version or None.
    """
    missing, keep = [], []
    for name in RUNTIME_PACKAGES:
        version = version_of(name)
        if version is None:
            missing.append(name)
        else:
            keep.append(f"{name}=={version}")
    builds = [f"{b}=={v}" for b in TENSORFLOW_BUILDS if (v := version_of(b)) is not None]
    if builds:
        keep.extend(builds)
    else:
        missing.append("tensorflow")
    return missing, keep


def install_missing(version_of: Callable[[str], str | None] = installed_version) -> list[str]:
    """pip-install the missing runtime packages, never replacing an installed one.

    Returns the names installed (none when nothing is missing).
    """
    missing, keep = plan(version_of)
    if not missing:
        return []
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
        constraints.write("\n".join(keep) + "\n")
    try:
        print("Installing what this runtime lacks:", ", ".join(missing), flush=True)
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing,
                              "--constraint", constraints.name], capture_output=True, text=True)
    finally:
        os.unlink(constraints.name)
    if pip.returncode:
        raise RuntimeError(f"pip could not install {', '.join(missing)} next to this runtime's "
                           f"packages (kept as they are: {', '.join(keep)}):\n{pip.stderr}")
    importlib.invalidate_caches()
    return missing


def setup(data_source: str | None = None) -> None:
    """Install what is missing and fetch the data; one line of news when all is ready."""
    install_missing()
    from course_tools import fetch
    from helpers.data import DatasetError
    from helpers.paths import ROOT

    ok, problems = fetch.fetch(data_source or os.environ.get(fetch.DATA_SOURCE_ENV))
    if problems:
        raise DatasetError("\n".join(problems))
    print(f"Cat or Not is ready: the course's code is in {ROOT}, the data is verified.")
