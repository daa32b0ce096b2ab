"""``python -m course_tools.sandbox install|check`` (make setup): the grader's sandbox, which
lives in :mod:`course_tools.grading.sandbox`."""

import sys

from course_tools.grading.sandbox import main

if __name__ == "__main__":
    sys.exit(main())
