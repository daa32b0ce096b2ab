"""``python -m course_tools.classroom``: the instructor's command line, which lives in
:mod:`course_tools.grading.classroom` (the Makefile's student, grade and grade-class)."""

import sys

from course_tools.grading.classroom import main

if __name__ == "__main__":
    sys.exit(main())
