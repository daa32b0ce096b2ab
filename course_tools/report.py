"""What grading found: one submission's report, as text, Markdown feedback or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Cells with errors listed in the text report (the JSON report lists them all).
MAX_NOTES = 5


@dataclass
class Result:
    """The outcome of one exercise."""

    grade_id: str
    points: float
    max_points: float
    status: str  # passed | failed | missing | timeout | not run | no probe
    message: str
    modified: bool = False  # the check cell had been edited; the original was run instead


@dataclass
class Report:
    """What ``grading.grade`` found: ``to_text()``, ``to_markdown()`` (feedback), ``to_dict()``."""

    submission: str
    source: str | None = None
    matched_by: str | None = None
    # graded | error | stopped (a limit of the whole run was hit) | refused (not a regular file)
    status: str = "graded"
    error: str | None = None
    score: float = 0.0
    max_score: float | None = None
    results: list[Result] = field(default_factory=list)
    # Other cells that raised: {"cell": number counted from 1, Markdown included, "code": its
    # first line, "error": "ExceptionName: message"}.
    cell_errors: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Resource limits the submission ran into, in plain words ("memory limit (4 GB): ...").
    limits_hit: list[str] = field(default_factory=list)
    sandboxed: bool = True
    seed: int | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def _lines(self, bullet: str) -> list[str]:
        lines = []
        for r in self.results:
            mark = "✔" if r.status == "passed" else "✘"
            text = f"{mark} {r.grade_id}  {fmt(r.points)}/{fmt(r.max_points)}  {r.status}"
            if r.status != "passed" or r.modified:
                text += f": {r.message}"
            lines.append(bullet + text)
        for err in self.cell_errors[:MAX_NOTES]:
            lines.append(f"{bullet}note: cell {err['cell']} ({err['code']}) raised {err['error']}")
        if len(self.cell_errors) > MAX_NOTES:
            lines.append(f"{bullet}note: ... and {len(self.cell_errors) - MAX_NOTES} more cells "
                         "raised errors")
        lines += [f"{bullet}limit: {hit}" for hit in self.limits_hit]
        lines += [f"{bullet}note: {note}" for note in self.notes]
        return lines

    def score_line(self) -> str:
        if self.max_score is None:
            return "Score: none"
        percent = f" ({100 * self.score / self.max_score:.0f} %)" if self.max_score else ""
        return f"Score: {fmt(self.score)} / {fmt(self.max_score)}{percent}"

    def to_text(self) -> str:
        lines = [f"Submission: {self.submission}"]
        if self.source:
            lines.append(f"Graded against: {self.source} (matched by {self.matched_by})")
        if self.error:
            lines.append(f"✘ {_HEADINGS.get(self.status, 'Could not grade')}: {self.error}")
        lines += self._lines("  ")
        return "\n".join(lines + [f"{self.score_line()}   [{self.seconds:.0f} s]"])

    def to_markdown(self) -> str:
        """Feedback a learner can read: each exercise with its check's message."""
        title = Path(self.source).stem if self.source else Path(self.submission).name
        lines = [f"# Feedback: {title}", "", f"**{self.score_line()}**", ""]
        if self.error:
            lines += [f"**{_HEADINGS.get(self.status, 'Not graded')}:** {self.error}", ""]
        lines += self._lines("- ")
        return "\n".join(lines) + "\n"


_HEADINGS = {"stopped": "Stopped", "refused": "Not graded"}


def fmt(x: float) -> str:
    return f"{x:g}"


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
