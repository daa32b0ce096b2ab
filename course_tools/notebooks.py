"""Reading instructor notebooks and making student editions: kept importable here, the code
lives in :mod:`course_tools.grading.notebooks`."""

from course_tools.grading.notebooks import *  # noqa: F403
from course_tools.grading.notebooks import STUDENT_DIR, source_notebooks  # noqa: F401
