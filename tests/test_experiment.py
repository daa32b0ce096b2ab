"""The results table of `make experiment`: written by course_tools.experiment in
helpers.cnn's format, read back by column name; the committed table itself."""

from __future__ import annotations

import numpy as np
import pytest

from course_tools import experiment
from helpers import cnn

# --------------------------------------------------------------------------- the results table


def fake_row(seed, val_right, test_right, wrong, seconds=70.0):
    return dict(seed=seed, val=val_right / 209, val_bal=val_right / 209 - 0.01,
                test_correct=test_right, test_total=50, test=test_right / 50, seconds=seconds,
                cpu=seconds - 2, wrong=wrong)


def test_committed_table_is_complete_and_backs_the_notebooks_median():
    """Five seeds, consistent counts, within the CPU budget, and a median of 90 % (45 of 50),
    the figure notebook 4 and the README quote."""
    rows = cnn.read_results()
    assert [r["seed"] for r in rows] == [1, 2, 3, 4, 5]
    for r in rows:
        assert r["test_total"] == 50 and r["test"] == pytest.approx(2 * r["test_correct"])
        assert len(r["wrong"]) == 50 - r["test_correct"]
        assert r["cpu"] <= 120, f"seed {r['seed']} trained for {r['cpu']} CPU seconds"
    assert np.median([r["test_correct"] for r in rows]) >= 45  # 90 % of 50


def test_experiment_table_round_trips_and_keeps_the_log(tmp_path):
    out = tmp_path / "results.md"
    rows = [fake_row(1, 186, 45, [13, 21, 39, 41, 47]), fake_row(2, 181, 50, [])]
    experiment.write(out, experiment.markdown(rows, 120.0))
    out.write_text(out.read_text() + "hand-written notes\n")
    experiment.write(out, experiment.markdown(rows, 130.0))  # keeps what is below the marker
    assert out.read_text().endswith("hand-written notes\n")
    back = cnn.read_results(out)
    assert [(r["seed"], r["test_correct"], r["wrong"]) for r in back] == [
        (1, 45, [13, 21, 39, 41, 47]), (2, 50, [])]
    assert back[0]["val"] == pytest.approx(89.0) and back[1]["test"] == 100.0
    assert experiment.check(rows, back)
    changed = [fake_row(1, 186, 44, [13, 21, 39, 41, 47, 48]), rows[1]]
    assert not experiment.check(changed, back)
    assert not experiment.check([fake_row(9, 186, 45, [])], back)


def test_read_results_names_the_fix_when_missing_or_empty(tmp_path):
    with pytest.raises(FileNotFoundError, match="make experiment"):
        cnn.read_results(tmp_path / "nope.md")
    (tmp_path / "empty.md").write_text("# nothing here\n")
    with pytest.raises(ValueError, match="no per-seed rows"):
        cnn.read_results(tmp_path / "empty.md")


def test_format_and_parse_round_trip_and_parse_by_column_name():
    rows = [fake_row(3, 190, 46, [13, 21, 39, 47]), fake_row(4, 185, 44, [1, 2, 13, 21, 39, 47])]
    lines = cnn.format_results(rows)
    back = cnn.parse_results("\n".join(lines))
    assert [(r["seed"], r["test_correct"], r["test_total"], r["wrong"]) for r in back] == [
        (3, 46, 50, [13, 21, 39, 47]), (4, 44, 50, [1, 2, 13, 21, 39, 47])]
    assert back[0]["val"] == pytest.approx(90.9) and back[1]["test"] == 88.0
    # the same table with its first two columns swapped reads the same
    swapped = ["|" + "|".join((c[1], c[0], *c[2:])) + "|"
               for c in (line.strip("|").split("|") for line in lines)]
    assert cnn.parse_results("\n".join(swapped)) == back


def test_committed_table_is_what_format_results_writes():
    """The committed rows, formatted again, give the committed table line for line."""
    rows = [r | {k: r[k] / 100 for k in ("val", "val_bal", "test")} for r in cnn.read_results()]
    assert "\n".join(cnn.format_results(rows)) in cnn.RESULTS_PATH.read_text()
