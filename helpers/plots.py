"""Figures the notebooks share; each function returns its matplotlib ``Figure``.

A Figure's repr has no memory address, so stored outputs match on every machine; end the cell
with ``plt.show()`` so the figure is shown once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def _as_image_batch(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == 3 and images.shape[-1] in (1, 3, 4):
        images = images[None]  # one image
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"images must have shape (n, height, width, 3), got {images.shape}. "
            "If you flattened them to (n_x, m), reshape back with "
            "X.T.reshape(-1, num_px, num_px, 3)."
        )
    return images


def image_grid(images: np.ndarray, titles: Sequence[str] | None = None, *, ncols: int = 8,
               size: float = 1.6, suptitle: str | None = None) -> Figure:
    """Images (n, height, width, 3), uint8 or floats in [0, 1], in a grid with optional titles."""
    images = _as_image_batch(images)
    n = images.shape[0]
    if n == 0:
        raise ValueError("image_grid needs at least one image, got an empty array.")
    if titles is not None and len(titles) != n:
        raise ValueError(f"got {n} images but {len(titles)} titles; pass one title per image.")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i].squeeze(), cmap="gray" if images.shape[-1] == 1 else None,
                      interpolation="nearest")  # show the real pixels, and keep the PNG small
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def cost_curves(costs: Mapping[str, Sequence[float]] | Sequence[float], *, every: int = 1,
                ylabel: str = "cost", title: str | None = None, logy: bool = False,
                ax: plt.Axes | None = None) -> Figure:
    """One cost curve, or {label: costs} several; ``every`` iterations between recorded costs."""
    if not isinstance(costs, Mapping):
        costs = {"": costs}
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
    else:
        fig = ax.figure
    for label, values in costs.items():
        values = np.asarray(values, dtype=float).ravel()
        ax.plot(np.arange(values.size) * every, values, label=label or None)
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if any(costs.keys()):
        ax.legend()
    ax.grid(alpha=0.3)
    return fig


def history_curves(history: Mapping[str, Sequence[float]], *,
                   metrics: Sequence[str] = ("loss", "accuracy"),
                   title: str | None = None) -> Figure:
    """One panel per metric of a Keras ``History.history`` dict, ``val_<metric>`` beside it."""
    history = getattr(history, "history", history)
    metrics = [m for m in metrics if m in history]
    if not metrics:
        raise ValueError(f"history has none of the metrics asked for; it has {sorted(history)}.")
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], label=f"train {metric}")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], label=f"validation {metric}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend()
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def decision_boundary(predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, Y: np.ndarray,
                      *, title: str | None = None, ax: plt.Axes | None = None,
                      resolution: int = 200) -> Figure:
    """The plane coloured by ``predict``'s labels, with the points (X, Y) on top.

    predict: (2, k) points -> k labels or probabilities, shape (k,) or (1, k).
    X: (2, m) points; Y: (1, m) or (m,) labels in {0, 1}.
    """
    X = np.asarray(X)
    Y = np.asarray(Y).ravel()
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"X must have shape (2, m), one column per point; got {X.shape}. "
                         "If your points are rows, pass X.T.")
    if Y.size != X.shape[1]:
        raise ValueError(f"Y has {Y.size} labels for {X.shape[1]} points.")
    pad = 0.5
    x0 = np.linspace(X[0].min() - pad, X[0].max() + pad, resolution)
    x1 = np.linspace(X[1].min() - pad, X[1].max() + pad, resolution)
    g0, g1 = np.meshgrid(x0, x1)
    grid = np.vstack([g0.ravel(), g1.ravel()])
    Z = np.asarray(predict(grid), dtype=float).reshape(g0.shape)
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.5, 4))
    else:
        fig = ax.figure
    ax.contourf(g0, g1, Z, levels=[-np.inf, 0.5, np.inf], colors=["#f4c7a1", "#a8c8e8"], alpha=0.8)
    ax.scatter(X[0], X[1], c=Y, cmap="coolwarm_r", s=12, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return fig


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray,
                     class_names: Sequence[str] = ("non-cat", "cat"), *,
                     title: str | None = None, ax: plt.Axes | None = None) -> Figure:
    """Draw the 2x2 confusion matrix with counts: rows are true classes, columns predictions."""
    y_true = np.asarray(y_true).ravel().astype(int)
    y_pred = np.asarray(y_pred).ravel().astype(int)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}.")
    k = len(class_names)
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    if ax is None:
        fig, ax = plt.subplots(figsize=(3.6, 3.2))
    else:
        fig = ax.figure
    top = max(int(counts.max()), 1)
    ax.imshow(counts, cmap="Blues", vmin=0, vmax=1.25 * top)  # the darkest cell stays readable
    for i in range(k):
        for j in range(k):
            dark = counts[i, j] > 0.6 * top
            ax.text(j, i, str(counts[i, j]), ha="center", va="center",
                    color="white" if dark else "black", fontsize=12)
    ax.set_xticks(range(k), [f"pred. {c}" for c in class_names])
    ax.set_yticks(range(k), [f"true {c}" for c in class_names])
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
