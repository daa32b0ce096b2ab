"""helpers.plots: every figure renders headless, returns a Figure and rejects bad shapes."""

from __future__ import annotations

import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from helpers import plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def render(fig: Figure) -> bytes:
    """Draw the figure to PNG bytes: fails if anything in it cannot be drawn."""
    assert isinstance(fig, Figure)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")
    # The repr a notebook would store must not hold a memory address.
    assert not re.search(r"0x[0-9a-f]{6,}", repr(fig))
    return buffer.getvalue()


def test_image_grid_lays_out_titles_and_rows():
    images = np.random.default_rng(0).integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    fig = plots.image_grid(images, [f"#{i}" for i in range(10)], ncols=4)
    render(fig)
    titled = [ax.get_title() for ax in fig.axes if ax.images]
    assert titled == [f"#{i}" for i in range(10)]
    assert len(fig.axes) == 12  # 3 rows of 4, the last two empty


def test_image_grid_accepts_one_image_and_floats():
    fig = plots.image_grid(np.ones((8, 8, 3)) * 0.5)
    render(fig)
    assert len(fig.axes) == 1


@pytest.mark.parametrize("bad", [np.zeros((12288, 5)), np.zeros((5, 8, 8, 2)), np.zeros((8,))])
def test_image_grid_rejects_flattened_or_odd_shapes(bad):
    with pytest.raises(ValueError, match=r"\(n, height, width, 3\)"):
        plots.image_grid(bad)


def test_image_grid_title_count_must_match():
    with pytest.raises(ValueError, match="3 images but 2 titles"):
        plots.image_grid(np.zeros((3, 4, 4, 3)), ["a", "b"])


def test_cost_curves_one_and_many():
    fig = plots.cost_curves([0.7, 0.5, 0.4], every=100)
    render(fig)
    (line,) = fig.axes[0].get_lines()
    assert line.get_xdata().tolist() == [0, 100, 200]
    fig = plots.cost_curves({"lr 0.01": [1, 0.5], "lr 0.001": [1, 0.9]}, logy=True)
    render(fig)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["lr 0.01", "lr 0.001"]


def test_history_curves_pairs_train_and_validation():
    history = {"loss": [0.7, 0.6], "val_loss": [0.7, 0.65], "accuracy": [0.5, 0.6],
               "val_accuracy": [0.5, 0.55]}
    fig = plots.history_curves(history)
    render(fig)
    assert len(fig.axes) == 2
    assert len(fig.axes[0].get_lines()) == 2


def test_history_curves_needs_a_known_metric():
    with pytest.raises(ValueError, match="none of the metrics"):
        plots.history_curves({"mae": [1.0]})


def region_colour(fig: Figure, x: float, y: float) -> str:
    """Which class colour the drawn figure shows at data point (x, y): "0" or "1"."""
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(float)
    column, row = fig.axes[0].transData.transform((x, y))
    pixel = pixels[int(pixels.shape[0] - row), int(column)]
    # the two fills, #f4c7a1 (label 0) and #a8c8e8 (label 1), at alpha 0.8 on white
    fills = {label: 0.8 * 255 * np.array(to_rgb(c)) + 0.2 * 255
             for label, c in (("0", "#f4c7a1"), ("1", "#a8c8e8"))}
    nearest = min(fills, key=lambda label: np.abs(pixel - fills[label]).max())
    assert np.abs(pixel - fills[nearest]).max() < 3, pixel
    return nearest


@pytest.mark.parametrize("inverted", [False, True])
def test_decision_boundary_colours_by_prediction(inverted):
    X = np.array([[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 0.0, 1.0]])
    Y = np.array([[0, 0, 1, 1]])

    def probability(P):  # 0.2 left of x1 = 1.5, 0.7 right of it; inverted: the opposite
        p = np.where(P[0] > 1.5, 0.7, 0.2)
        return 1 - p if inverted else p

    fig = plots.decision_boundary(probability, X, Y, title="x1 > 1.5")
    render(fig)
    assert fig.axes[0].get_title() == "x1 > 1.5"
    left, right = ("1", "0") if inverted else ("0", "1")
    assert [region_colour(fig, x, 0.5) for x in (0.3, 1.2, 1.8, 2.7)] == [left, left, right, right]


def test_decision_boundary_wants_columns():
    with pytest.raises(ValueError, match=r"shape \(2, m\)"):
        plots.decision_boundary(lambda P: P[0], np.zeros((4, 2)), np.zeros(4))


def test_confusion_matrix_counts():
    fig = plots.confusion_matrix([1, 1, 0, 0, 1], [1, 0, 0, 1, 1])
    render(fig)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["1", "1", "1", "2"]  # TN, FP / FN, TP, row by row


def test_confusion_matrix_length_mismatch():
    with pytest.raises(ValueError, match="5 labels but y_pred has 4"):
        plots.confusion_matrix([1, 1, 0, 0, 1], [1, 0, 0, 1])
