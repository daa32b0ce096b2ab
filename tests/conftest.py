"""Shared test set-up: draw figures off-screen.

matplotlib.use() rather than the MPLBACKEND variable: an environment variable would be inherited
by the notebook kernels that nbval starts in the same run, and their inline figures would vanish.
"""

import matplotlib

matplotlib.use("Agg")
