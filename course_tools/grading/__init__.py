"""The grader: student editions, and grading submissions in a sandbox, decided outside it.

Its door is the instructor's command line, :mod:`course_tools.grading.classroom`
(``python -m course_tools.classroom``, ``make student / grade / grade-class``). The modules and
how they fit together: CONTRIBUTING.md, "Grading design".
"""
