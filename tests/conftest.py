"""Shared test set-up: draw figures off-screen, and start the slowest work first.

matplotlib.use() rather than the MPLBACKEND variable: an environment variable would be inherited
by the notebook kernels that nbval starts in the same run, and their inline figures would vanish.
"""

from collections import Counter

import matplotlib

matplotlib.use("Agg")


def pytest_collection_modifyitems(config, items):
    """Run notebooks first (the last, longest one first), then the modules with the most tests
    marked slow: with ``-n N --dist loadscope --no-loadscope-reorder`` (make test) each process
    takes the next notebook or module in this order, so no long one is left to run alone at the
    end. The sort is stable: a module's tests keep their order and stay together."""
    slow = Counter(item.path for item in items if item.get_closest_marker("slow"))
    notebooks = sorted({item.path for item in items if item.path.suffix == ".ipynb"},
                       reverse=True)
    items.sort(key=lambda item: (notebooks.index(item.path) if item.path in notebooks
                                 else len(notebooks), -slow[item.path]))
