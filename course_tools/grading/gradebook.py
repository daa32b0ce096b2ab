"""The class's grades for an LMS, and a one-screen class summary (written by grade-class).

``gradebook_canvas.csv``: Canvas's gradebook import layout: ``Student, ID, SIS User ID,
SIS Login ID, Section``, one column per notebook (``Name (assignment id)`` when the id is
known), then ``Final Points``, which Canvas reads as a total and does not import; the second row
is ``Points Possible``. ``gradebook_moodle.csv``: ``Full name, Email address, ID number``, the
notebooks and ``Total``; Moodle's CSV import matches a user by the email or ID number column.
A roster CSV (``folder`` plus any of ``name, id, sis_user_id, sis_login_id, section, email,
id_number``) maps the class folder's student names to those; without it the folder name is used.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from course_tools.grading.report import Report, clean, fmt

ROSTER_FIELDS = ("name", "id", "sis_user_id", "sis_login_id", "section", "email", "id_number")
NO_ROSTER_WARNING = ("no roster given (--roster roster.csv with a 'folder' column and the LMS "
                     "ids or emails): the gradebooks use the folder names, which Canvas and "
                     "Moodle will not match to students until you add their IDs or emails")


@dataclass
class Student:
    folder: str
    info: dict[str, str] = field(default_factory=dict)  # ROSTER_FIELDS, as the roster has them
    scores: dict[str, float] = field(default_factory=dict)  # notebook stem -> best score


def read_roster(path: str | Path) -> dict[str, dict[str, str]]:
    """{folder name: {field: value}} from a roster CSV (column names case-insensitive)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    roster = {}
    for row in rows:
        row = {str(k).strip().lower().replace(" ", "_"): (v or "").strip()
               for k, v in row.items() if k is not None}
        if not row.get("folder"):
            raise ValueError(f"{path}: every row needs a 'folder' (the student's folder or file "
                             "name in the class folder)")
        roster[row["folder"]] = {key: row.get(key, "") for key in ROSTER_FIELDS}
    return roster


def students(pairs: Iterable[tuple[object, Report]], roster: dict | None) -> list[Student]:
    """One entry per student (the best score of each notebook they handed in)."""
    found: dict[str, Student] = {}
    for submission, report in pairs:
        name = submission.student
        student = found.setdefault(name, Student(name, dict((roster or {}).get(name, {}))))
        if report.source:
            stem = Path(report.source).stem
            student.scores[stem] = max(student.scores.get(stem, 0.0), report.score)
    for name, info in (roster or {}).items():  # on the roster, nothing handed in: zeros
        found.setdefault(name, Student(name, dict(info)))
    return sorted(found.values(), key=lambda s: s.folder)


def _text(value: str) -> str:
    value = clean(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def write_gradebooks(pairs, out_dir: Path, notebooks: dict[str, float], *,
                     roster: dict | None = None,
                     assignment_ids: dict[str, str] | None = None) -> list[Path]:
    """Write the Canvas and the Moodle gradebook; ``notebooks``: {stem: points possible}."""
    group = students(pairs, roster)
    ids = assignment_ids or {}
    stems = list(notebooks)
    total = sum(notebooks.values())
    canvas, moodle = out_dir / "gradebook_canvas.csv", out_dir / "gradebook_moodle.csv"
    with open(canvas, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         *[f"{s} ({ids[s]})" if s in ids else s for s in stems],
                         "Final Points"])
        writer.writerow(["Points Possible", "", "", "", "",
                         *[fmt(notebooks[s]) for s in stems], fmt(total)])
        for st in group:
            writer.writerow([_text(st.info.get("name") or st.folder),
                             _text(st.info.get("id", "")),
                             _text(st.info.get("sis_user_id", "")),
                             _text(st.info.get("sis_login_id", "")),
                             _text(st.info.get("section", "")),
                             *[fmt(st.scores.get(s, 0.0)) for s in stems],
                             fmt(sum(st.scores.get(s, 0.0) for s in stems))])
    with open(moodle, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Full name", "Email address", "ID number", *stems, "Total"])
        for st in group:
            writer.writerow([_text(st.info.get("name") or st.folder),
                             _text(st.info.get("email", "")),
                             _text(st.info.get("id_number") or st.info.get("sis_user_id", "")),
                             *[fmt(st.scores.get(s, 0.0)) for s in stems],
                             fmt(sum(st.scores.get(s, 0.0) for s in stems))])
    return [canvas, moodle]


# ------------------------------------------------------------------------- class summary

BINS = 10  # histogram of the score in percent: 0-10, ..., 90-100


def summary(pairs, notebooks: dict[str, float]) -> tuple[str, list[int], dict[str, float]]:
    """(Markdown text, histogram counts, {exercise: share of submissions that passed it})."""
    pairs = [(s, r) for s, r in pairs if r.max_score]
    counts = [0] * BINS
    for _, report in pairs:
        counts[min(BINS - 1, int(BINS * report.score / report.max_score))] += 1
    tried: dict[str, int] = {}
    passed: dict[str, int] = {}
    for _, report in pairs:
        for result in report.results:
            key = f"{Path(report.source).stem}: {result.grade_id}"
            tried[key] = tried.get(key, 0) + 1
            passed[key] = passed.get(key, 0) + (result.status == "passed")
    shares = {key: passed[key] / tried[key] for key in tried}
    widest = max(counts, default=0) or 1
    lines = [f"# Class summary: {len(pairs)} graded submissions", "", "## Score (percent of "
             "the notebook's points)", "", "```"]
    for index, count in enumerate(counts):
        low = 100 * index // BINS
        high = 100 * (index + 1) // BINS
        bar = "█" * round(30 * count / widest)
        lines.append(f"{low:3d}-{high:3d} % | {bar} {count}")
    lines += ["```", "", "## Share of submissions that passed each exercise", "",
              "| exercise | passed |", "|---|---|"]
    for key, share in sorted(shares.items(), key=lambda item: item[1]):
        lines.append(f"| {key} | {100 * share:.0f} % ({passed[key]} of {tried[key]}) |")
    if shares:
        weakest = min(shares, key=shares.get)
        lines += ["", f"Fewest passed: {weakest} ({100 * shares[weakest]:.0f} %)."]
    return "\n".join(lines) + "\n", counts, shares


def write_summary(pairs, out_dir: Path, notebooks: dict[str, float]) -> str:
    """``summary.md`` and ``summary.png`` in ``out_dir``; returns the Markdown text."""
    text, counts, shares = summary(pairs, notebooks)
    (out_dir / "summary.md").write_text(text, encoding="utf-8")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, max(3.5, 0.3 * len(shares) + 1.5)))
    left.bar([100 * i / BINS + 5 for i in range(BINS)], counts, width=9)
    left.set(xlabel="score (% of the notebook's points)", ylabel="submissions",
             title="Scores", xlim=(0, 100))
    keys = sorted(shares, key=shares.get)
    right.barh(keys, [100 * shares[k] for k in keys])
    right.set(xlabel="% of submissions that passed", title="Exercises", xlim=(0, 100))
    right.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    fig.savefig(out_dir / "summary.png", dpi=100)
    plt.close(fig)
    return text
