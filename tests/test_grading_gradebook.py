"""The gradebooks for Canvas and Moodle and the class summary, read back as each LMS documents.

Canvas (gradebook import): a header row ``Student, ID, SIS User ID, SIS Login ID, Section``,
then one column per assignment, named ``Name (assignment id)``; the second row is
``Points Possible``; columns Canvas computes itself (``Final Points``) are not imported.
Moodle (Grades > Import > CSV file): one row per user, matched by a column mapped to the
user's email address or ID number; every other column may be mapped to a grade item.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from course_tools.grading import gradebook
from course_tools.grading.grade_class import Submission
from course_tools.grading.report import Report, Result

NOTEBOOKS = {"01_foundations": 7.0, "02_logistic_regression_numpy": 6.0}


def _report(student: str, stem: str, passed: list[bool]) -> tuple[Submission, Report]:
    points = NOTEBOOKS[stem] / len(passed)
    results = [Result(f"check_{i}", points * ok, points, "passed" if ok else "failed", "")
               for i, ok in enumerate(passed)]
    report = Report(submission=f"{student}/{stem}.ipynb", source=f"notebooks/{stem}.ipynb",
                    results=results, score=sum(r.points for r in results),
                    max_score=NOTEBOOKS[stem])
    return Submission(student, Path(f"{student}/{stem}.ipynb")), report


PAIRS = [_report("alice", "01_foundations", [True] * 7),
         _report("alice", "02_logistic_regression_numpy", [True, True, False]),
         _report("bob", "02_logistic_regression_numpy", [True, False, False]),
         _report("=cmd", "01_foundations", [False] * 7)]


def _write(tmp_path, roster=None):
    return gradebook.write_gradebooks(PAIRS, tmp_path, NOTEBOOKS, roster=roster,
                                      assignment_ids={"01_foundations": "101",
                                                      "02_logistic_regression_numpy": "102"})


def test_the_canvas_gradebook_reads_back_as_canvas_documents_it(tmp_path):
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text("Folder,Name,ID,SIS User ID,SIS Login ID,Section,Email,ID Number\n"
                           "alice,\"Liddell, Alice\",1001,S1,alice,A,alice@example.org,N1\n"
                           "bob,\"Builder, Bob\",1002,S2,bob,A,bob@example.org,N2\n"
                           "dora,\"Explorer, Dora\",1003,S3,dora,B,dora@example.org,N3\n")
    canvas, _ = _write(tmp_path, gradebook.read_roster(roster_file))
    with open(canvas, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, possible, students = rows[0], rows[1], rows[2:]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assignments = {}
    for index, name in enumerate(header[5:], start=5):
        match = re.fullmatch(r"(.+) \((\d+)\)", name)
        if match:
            assignments[match[1]] = (match[2], index)
        else:
            assert name == "Final Points"  # computed by Canvas, not imported
    assert assignments == {"01_foundations": ("101", 5),
                           "02_logistic_regression_numpy": ("102", 6)}
    assert possible[0] == "Points Possible" and possible[5:7] == ["7", "6"]
    by_id = {row[1]: row for row in students}
    assert by_id["1001"][:5] == ["Liddell, Alice", "1001", "S1", "alice", "A"]
    assert by_id["1001"][5:] == ["7", "4", "11"]
    assert by_id["1002"][5:] == ["0", "2", "2"]
    assert by_id["1003"][5:] == ["0", "0", "0"]  # on the roster, nothing handed in
    assert by_id[""][0] == "'=cmd"  # not on the roster: its folder name, never a formula


def test_the_moodle_gradebook_reads_back_as_moodle_documents_it(tmp_path, capsys):
    roster = {"alice": {"email": "alice@example.org", "id_number": "N1"},
              "bob": {"email": "bob@example.org", "id_number": "N2"}}
    _, moodle = _write(tmp_path, roster)
    with open(moodle, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert set(rows[0]) == {"Full name", "Email address", "ID number",
                            *NOTEBOOKS, "Total"}
    users = {row["Email address"]: row for row in rows if row["Email address"]}
    assert set(users) == {"alice@example.org", "bob@example.org"}  # one row per user
    assert users["alice@example.org"]["ID number"] == "N1"
    for row in rows:  # every grade a number Moodle accepts
        for stem in NOTEBOOKS:
            float(row[stem])
    assert users["alice@example.org"]["02_logistic_regression_numpy"] == "4"


def test_without_a_roster_the_folder_names_are_used(tmp_path):
    canvas, moodle = _write(tmp_path)
    with open(canvas, newline="", encoding="utf-8") as handle:
        assert [row[0] for row in csv.reader(handle)][2:] == ["'=cmd", "alice", "bob"]
    assert "folder names" in gradebook.NO_ROSTER_WARNING


def test_the_class_summary_shows_the_histogram_and_each_exercise(tmp_path):
    text = gradebook.write_summary(PAIRS, tmp_path, NOTEBOOKS)
    assert (tmp_path / "summary.md").read_text() == text
    assert (tmp_path / "summary.png").stat().st_size > 1000
    assert "4 graded submissions" in text
    assert "| 02_logistic_regression_numpy: check_2 | 0 % (0 of 2) |" in text
    assert "| 01_foundations: check_0 | 50 % (1 of 2) |" in text
    assert "90-100 % |" in text and " 1\n" in text
