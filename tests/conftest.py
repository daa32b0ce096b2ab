"""Shared test set-up: draw figures off-screen, and start the slowest work first.

matplotlib.use() rather than the MPLBACKEND variable: an environment variable would be inherited
by the notebook kernels that nbval starts in the same run, and their inline figures would vanish.
"""

from collections import Counter

import matplotlib

matplotlib.use("Agg")


#: What a test marked plain ``slow`` is taken to cost, in seconds; a longer one says how long it
#: takes on 2 quiet cores with ``@pytest.mark.slow(seconds=60)``.
SLOW_SECONDS = 5


def pytest_collection_modifyitems(config, items):
    """Run notebooks first (the last, longest one first), then the modules whose slow tests take
    longest: with ``-n N --dist loadscope --no-loadscope-reorder`` (make test) each process
    takes the next notebook or module in this order, so no long one is left to run alone at the
    end. The sort is stable: a module's tests keep their order and stay together."""
    seconds = Counter()
    for item in items:
        mark = item.get_closest_marker("slow")
        if mark:
            seconds[item.path] += mark.kwargs.get("seconds", SLOW_SECONDS)
    notebooks = sorted({item.path for item in items if item.path.suffix == ".ipynb"},
                       reverse=True)
    items.sort(key=lambda item: (notebooks.index(item.path) if item.path in notebooks
                                 else len(notebooks), -seconds[item.path]))
