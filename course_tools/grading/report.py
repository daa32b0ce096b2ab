"""What grading found: one submission's report, as text, Markdown feedback or JSON."""

from __future__ import annotations

import json
import re
import unicodedata
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
            text = f"{mark} {clean(r.grade_id)}  {fmt(r.points)}/{fmt(r.max_points)}  {r.status}"
            if r.status != "passed" or r.modified:
                text += f": {clean(r.message)}"
            lines.append(bullet + text)
        for err in self.cell_errors[:MAX_NOTES]:
            lines.append(f"{bullet}note: cell {err['cell']} ({clean(err['code'])}) raised "
                         f"{clean(err['error'])}")
        if len(self.cell_errors) > MAX_NOTES:
            lines.append(f"{bullet}note: ... and {len(self.cell_errors) - MAX_NOTES} more cells "
                         "raised errors")
        lines += [f"{bullet}limit: {clean(hit)}" for hit in self.limits_hit]
        lines += [f"{bullet}note: {clean(note)}" for note in self.notes]
        return lines

    def score_line(self) -> str:
        if self.max_score is None:
            return "Score: none"
        percent = f" ({100 * self.score / self.max_score:.0f} %)" if self.max_score else ""
        return f"Score: {fmt(self.score)} / {fmt(self.max_score)}{percent}"

    def to_text(self) -> str:
        lines = [f"Submission: {clean(self.submission)}"]
        if self.source:
            lines.append(f"Graded against: {clean(self.source)} (matched by {self.matched_by})")
        if self.error:
            lines.append(f"✘ {_HEADINGS.get(self.status, 'Could not grade')}: "
                         f"{clean(self.error)}")
        lines += self._lines("  ")
        return "\n".join(lines + [f"{self.score_line()}   [{self.seconds:.0f} s]"])

    def to_markdown(self) -> str:
        """Feedback a learner can read: each exercise with its check's message."""
        title = Path(self.source).stem if self.source else Path(self.submission).name
        lines = [f"# Feedback: {markdown_text(clean(title))}", "", f"**{self.score_line()}**",
                 ""]
        if self.error:
            lines += [f"**{_HEADINGS.get(self.status, 'Not graded')}:** "
                      f"{markdown_text(clean(self.error))}", ""]
        lines += ["- " + markdown_text(line) for line in self._lines("")]
        return "\n".join(lines) + "\n"


_HEADINGS = {"stopped": "Stopped", "refused": "Not graded"}


def fmt(x: float) -> str:
    return f"{x:g}"


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


#: Terminal escape sequences (CSI, OSC and two-character ones).
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def clean(text: object) -> str:
    """``text`` on one line, without terminal escapes or control characters (newlines, carriage
    returns, bidirectional overrides become spaces): what a submission wrote can then never
    start a line of the report, move the cursor or clear the screen."""
    text = _ESCAPES.sub(" ", str(text))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co")
                   else ch for ch in text)
    return re.sub(r"\s{2,}", " ", text).strip()


def quote(text: object, width: int = 300) -> str:
    """Text a submission supplied (an exception's message, its output), cleaned, shortened and
    quoted, so that the report shows it as what the learner's code said."""
    return f"“{shorten(clean(text), width)}”"


_MARKDOWN = re.compile(r"([\\`*\[\]<>#|~])")  # '_' inside a word is no emphasis


def markdown_text(text: str) -> str:
    """``text`` (already clean) shown literally in Markdown: no emphasis, link, HTML or list."""
    return _MARKDOWN.sub(r"\\\1", text)
