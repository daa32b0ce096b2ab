"""Notebook 4's small convolutional network and the cross-validated committee that trains it.

:func:`train_committee` trains one network per stratified fold of the training images only and
keeps them as a committee; ``python -m course_tools.experiment`` runs it for several seeds. The
procedure and how :data:`RECIPE` was chosen: ``experiments/cnn_results.md``. Images are
``(m, 64, 64, 3)``, uint8 in [0, 255] or float in [0, 1]; labels ``(m,)`` or ``(1, m)``, 0 (non-cat)
or 1 (cat).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.data import stratified_folds  # noqa: F401 (notebook 4 calls cnn.stratified_folds)
from helpers.paths import EXPERIMENTS_DIR


@dataclass(frozen=True)
class Recipe:
    """Every choice of the procedure, in one place. The defaults are :data:`RECIPE`.

    Attributes:
        widths: filters of each convolution block; each block halves the image side.
        input_pool: average-pool the input by this factor first (2: 64x64 -> 32x32).
        dropout: dropout rate before the output unit.
        bn_momentum: BatchNormalization's moving-average momentum. Keras's default (0.99)
            needs thousands of steps; one epoch here is 6 steps, so 0.9.
        precise_bn: after training, reset the BatchNorm statistics on the clean training
            images (:func:`recalibrate_batchnorm`).
        flip: random left-right flips during training.
        shift: random translations, as a fraction of the image side (0.1 = up to 6 pixels).
        rotate: random rotations, as a fraction of a full turn (0.05 = up to 18 degrees).
        zoom: random zoom in or out, as a fraction of the side.
        learning_rate: AdamW's peak learning rate, decayed to 0 along a cosine.
        weight_decay: AdamW's decoupled weight decay.
        epochs: passes over each fold's training images.
        batch_size: images per gradient step.
        label_smoothing: targets become ``y (1 - s) + s / 2``.
        balanced: weight the two classes equally in the loss (cats are 34 % of the training set).
        folds: number of cross-validation folds, and so of models in the committee.
    """

    widths: tuple[int, ...] = (16, 32, 64)
    input_pool: int = 2
    dropout: float = 0.3
    bn_momentum: float = 0.9
    precise_bn: bool = True
    flip: bool = True
    shift: float = 0.1
    rotate: float = 0.0
    zoom: float = 0.0
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    epochs: int = 30
    batch_size: int = 32
    label_smoothing: float = 0.0
    balanced: bool = False
    folds: int = 5

    def replace(self, **changes) -> Recipe:
        """A copy with some fields changed, e.g. ``RECIPE.replace(epochs=2)``."""
        return dataclasses.replace(self, **changes)


#: The recipe chosen by cross-validation on the training set (experiments/cnn_results.md).
RECIPE = Recipe()

#: The committed multi-seed results table, written by ``make experiment``.
RESULTS_PATH = EXPERIMENTS_DIR / "cnn_results.md"


# --------------------------------------------------------------------------- inputs


def as_images(x: np.ndarray, name: str = "x") -> np.ndarray:
    """Images in [0, 1], shape (m, px, px, 3), in Keras's dtype (``keras.config.floatx()``,
    float64 in the notebooks). Accepts uint8 [0, 255] or floats."""
    import keras

    x = np.asarray(x)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(
            f"{name} must be images of shape (m, height, width, 3), got {x.shape}. If you "
            "flattened them to (n_x, m), reshape back with x.T.reshape(-1, 64, 64, 3)."
        )
    dtype = keras.config.floatx()
    if x.dtype == np.uint8:
        return x.astype(dtype) / 255.0
    x = x.astype(dtype)
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"{name} is float with values outside [0, 1]: pass uint8 images, "
                         "or divide by 255 once.")
    return x


def as_labels(y: np.ndarray, m: int, name: str = "y") -> np.ndarray:
    """Labels as a flat (m,) int array of 0/1. Accepts (m,) or (1, m)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[0] == 1:
        y = y[0]
    if y.shape != (m,):
        raise ValueError(f"{name} must have shape ({m},) or (1, {m}) to match the images, "
                         f"got {np.asarray(y).shape}.")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"{name} must hold only 0 (non-cat) and 1 (cat).")
    return y.astype(np.int64)


# --------------------------------------------------------------------------- the model


def augmenter(recipe: Recipe = RECIPE):
    """The random augmentation as a Keras ``Sequential``: active only when ``training=True``.

    (m, px, px, 3) float -> (m, px, px, 3) float, same range.
    """
    import keras

    layers = []
    if recipe.flip:
        layers.append(keras.layers.RandomFlip("horizontal"))
    if recipe.rotate:
        from helpers.layers import RandomRotation  # Keras's own fails in float64

        layers.append(RandomRotation(recipe.rotate, fill_mode="reflect"))
    if recipe.zoom:
        layers.append(keras.layers.RandomZoom(recipe.zoom, fill_mode="reflect"))
    if recipe.shift:
        layers.append(keras.layers.RandomTranslation(recipe.shift, recipe.shift,
                                                     fill_mode="reflect"))
    return keras.Sequential(layers, name="augment")


def build_cnn(recipe: Recipe = RECIPE, image_size: int = 64):
    """The network we keep: convolution blocks, global average pooling, one sigmoid unit.

    Shapes for the default recipe and 64x64 images (m images)::

        input                 (m, 64, 64, 3)   float in [0, 1]
        average pool 2x2      (m, 32, 32, 3)
        block 1: conv 3x3, BN, ReLU, max pool   (m, 16, 16, 16)
        block 2: conv 3x3, BN, ReLU, max pool   (m,  8,  8, 32)
        block 3: conv 3x3, BN, ReLU, max pool   (m,  4,  4, 64)
        global average pool   (m, 64)
        dropout, dense 1      (m, 1)           probability of "cat"

    The augmentation is not part of it: :func:`training_model` puts it in front for training.
    Returns an uncompiled ``keras.Model``.
    """
    import keras

    layers = keras.layers
    inputs = keras.Input((image_size, image_size, 3), name="image")
    h = inputs
    if recipe.input_pool > 1:
        h = layers.AveragePooling2D(recipe.input_pool, name="downsample")(h)
    for i, width in enumerate(recipe.widths, start=1):
        h = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"conv{i}")(h)
        h = layers.BatchNormalization(momentum=recipe.bn_momentum, name=f"bn{i}")(h)
        h = layers.ReLU(name=f"relu{i}")(h)
        h = layers.MaxPooling2D(2, name=f"pool{i}")(h)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    if recipe.dropout:
        h = layers.Dropout(recipe.dropout, name="dropout")(h)
    outputs = layers.Dense(1, activation="sigmoid", name="cat")(h)
    return keras.Model(inputs, outputs, name="small_cnn")


def training_model(net, recipe: Recipe = RECIPE):
    """``net`` with the random augmentation in front: what ``fit`` trains. Shares its weights.

    (m, px, px, 3) -> (m, 1). The augmentation is active only when ``training=True``.
    """
    import keras

    return keras.Sequential([keras.Input(net.input_shape[1:]), augmenter(recipe), net],
                            name="augmented_cnn")


def recalibrate_batchnorm(net, x: np.ndarray) -> None:
    """Set every BatchNormalization layer's moving mean and variance to their exact values on
    the clean (not augmented) images ``x``, shape (m, px, px, 3). Changes ``net`` in place.

    During training the moving averages follow *augmented* batches, whose statistics differ
    from those of real images. One pass over the clean images in training mode with momentum 0
    replaces them by the statistics of the images the network will actually see ("precise
    BatchNorm"); in the recipe search this changed accuracy by under one image on average.
    """
    import keras
    import tensorflow as tf

    bns = [layer for layer in net.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [bn.momentum for bn in bns]
    for bn in bns:
        bn.momentum = 0.0
    try:
        net(tf.constant(x), training=True)  # one full batch: exact statistics, no update to weights
    finally:
        for bn, momentum in zip(bns, momenta, strict=True):
            bn.momentum = momentum


def compile_cnn(model, recipe: Recipe, steps: int) -> None:
    """AdamW with a cosine learning-rate decay to 0 over ``steps`` steps; binary cross-entropy."""
    import keras

    schedule = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, steps)
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=recipe.weight_decay),
        loss=keras.losses.BinaryCrossentropy(label_smoothing=recipe.label_smoothing),
    )


def predict_with_flip(model, x: np.ndarray) -> np.ndarray:
    """Mean probability of "cat" over the image and its mirror image: (m, px, px, 3) -> (m,)."""
    import tensorflow as tf

    x = tf.constant(x)
    p = model(x, training=False) + model(tf.reverse(x, axis=[2]), training=False)
    return (p.numpy().ravel() / 2).astype(np.float64)


# --------------------------------------------------------------------------- the procedure


def class_weights(y: np.ndarray) -> dict[int, float]:
    """Weights that make both classes count equally in the loss: {0: w0, 1: w1}, mean 1."""
    p = float(np.mean(y))
    return {0: 0.5 / (1.0 - p), 1: 0.5 / p}


@dataclass
class Committee:
    """The models of one seed, their out-of-fold validation predictions and the timings.

    Attributes:
        models: ``folds`` trained Keras models.
        recipe: the recipe they were trained with.
        seed: the seed of the whole procedure.
        fold: (m_train,) the fold of each training image (it was held out from model ``fold``).
        oof_proba: (m_train,) each training image's probability of "cat" from the one model
            that did not train on it (with flip TTA).
        train_y: (m_train,) the training labels.
        seconds: wall-clock seconds the training took; ``cpu_seconds``: process CPU seconds.
    """

    models: list
    recipe: Recipe
    seed: int
    fold: np.ndarray
    oof_proba: np.ndarray
    train_y: np.ndarray
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def val_accuracy(self) -> float:
        """Out-of-fold accuracy on the training images, in [0, 1]."""
        return float(np.mean((self.oof_proba > 0.5) == self.train_y))

    @property
    def val_balanced_accuracy(self) -> float:
        """Mean of the out-of-fold recall on cats and on non-cats, in [0, 1]."""
        pred = self.oof_proba > 0.5
        return float(np.mean([np.mean(pred[self.train_y == c] == c) for c in (0, 1)]))

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Committee probability of "cat": (m, px, px, 3) images -> (m,) float in [0, 1]."""
        x = as_images(x)
        return np.mean([predict_with_flip(model, x) for model in self.models], axis=0)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Committee label: (m, px, px, 3) images -> (m,) int, 1 = cat."""
        return (self.predict_proba(x) > 0.5).astype(np.int64)


def fold_seed(seed: int, k: int) -> int:
    """The seed set (``keras.utils.set_random_seed``) before building and training model ``k``."""
    return seed * 1000 + k


def train_committee(train_x: np.ndarray, train_y: np.ndarray, *, seed: int,
                    recipe: Recipe = RECIPE, build: Callable | None = None,
                    trained: Sequence = (),
                    progress: Callable[[str], None] | None = None) -> Committee:
    """Run the whole procedure for one seed on training data only.

    Args:
        train_x: (m, px, px, 3) training images, uint8 or float in [0, 1].
        train_y: (m,) or (1, m) labels, 0 or 1.
        seed: seeds the folds, the initial weights, the augmentation and the batch order.
            With the same seed and thread count, every number is the same on every run.
        recipe: the choices (default :data:`RECIPE`).
        build: a function of no arguments returning a new, uncompiled network, used instead
            of ``build_cnn(recipe)`` (notebook 4 passes the network it builds in plain sight);
            the recipe's architecture fields are then ignored.
        trained: networks already trained for the first ``len(trained)`` folds, in fold order,
            each exactly as this function would train it (after
            ``keras.utils.set_random_seed(fold_seed(seed, k))``, on the folds other than ``k``,
            precise BatchNorm done). They are kept as they are; only the other folds are trained.
        progress: called with a one-line message after each model (e.g. ``print``); the
            message holds no timing, so it is the same on every machine.

    Returns:
        a :class:`Committee`; its ``oof_proba`` gives the validation accuracy.
    """
    import keras

    x = as_images(train_x, "train_x")
    y = as_labels(train_y, x.shape[0], "train_y")
    if len(trained) > recipe.folds:
        raise ValueError(f"got {len(trained)} trained networks for {recipe.folds} folds; pass "
                         "at most one per fold, in fold order.")
    fold = stratified_folds(y, recipe.folds, seed)
    oof = np.zeros(y.size)
    models = []
    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(recipe.folds):
        fit_idx, val_idx = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        if k < len(trained):
            model = trained[k]
        else:
            keras.utils.set_random_seed(fold_seed(seed, k))
            model = build() if build is not None else build_cnn(recipe, image_size=x.shape[1])
            trainer = training_model(model, recipe)
            steps = recipe.epochs * -(-fit_idx.size // recipe.batch_size)
            compile_cnn(trainer, recipe, steps)
            trainer.fit(x[fit_idx], y[fit_idx].astype(x.dtype), epochs=recipe.epochs,
                        batch_size=recipe.batch_size, shuffle=True, verbose=0,
                        class_weight=class_weights(y[fit_idx]) if recipe.balanced else None)
            if recipe.precise_bn:
                recalibrate_batchnorm(model, x[fit_idx])
        oof[val_idx] = predict_with_flip(model, x[val_idx])
        models.append(model)
        if progress is not None:
            right = int(np.sum((oof[val_idx] > 0.5) == y[val_idx]))
            progress(f"seed {seed}, model {k + 1}/{recipe.folds}: {right}/{val_idx.size} "
                     f"held-out images right ({100 * right / val_idx.size:.1f} %)")
    return Committee(models, recipe, seed, fold, oof, y,
                     seconds=time.perf_counter() - t0, cpu_seconds=time.process_time() - c0)


# --------------------------------------------------------------------------- the results table


#: The per-seed columns of the results table, in order: header -> key of a row's dict.
RESULT_COLUMNS = {
    "seed": "seed", "validation accuracy": "val", "validation balanced acc.": "val_bal",
    "test accuracy": "test", "test correct": "test_correct", "training s (wall)": "seconds",
    "training s (CPU)": "cpu", "misclassified test images": "wrong",
}


def format_results(rows: list[dict]) -> list[str]:
    """The Markdown table of one row per seed, and a median row, as lines.

    Each row has ``seed``, ``val``, ``val_bal``, ``test`` (fractions in [0, 1]), ``test_correct``,
    ``test_total``, ``seconds``, ``cpu`` and ``wrong`` (misclassified test-image indices).
    """
    lines = ["| " + " | ".join(RESULT_COLUMNS) + " |",
             "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(
            f"| {r['seed']} | {100 * r['val']:.1f} % | {100 * r['val_bal']:.1f} % "
            f"| {100 * r['test']:.0f} % | {r['test_correct']}/{r['test_total']} "
            f"| {r['seconds']:.0f} | {r['cpu']:.0f} | {', '.join(map(str, r['wrong'])) or '-'} |")
    med = {k: float(np.median([r[k] for r in rows])) for k in ("val", "val_bal", "test",
                                                                "seconds", "cpu")}
    lines.append(f"| **median** | **{100 * med['val']:.1f} %** | **{100 * med['val_bal']:.1f} %** "
                 f"| **{100 * med['test']:.0f} %** | | {med['seconds']:.0f} | {med['cpu']:.0f} | |")
    return lines


def parse_results(text: str) -> list[dict]:
    """The per-seed rows of a table made by :func:`format_results`, read by column name.

    Each dict has ``seed`` (int), ``val``, ``val_bal`` and ``test`` (in %), ``test_correct`` and
    ``test_total`` (ints), ``seconds``, ``cpu`` and ``wrong`` (list of ints). Median row left out.
    """
    rows, where = [], None
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if set(RESULT_COLUMNS) <= set(cells):
            where = {RESULT_COLUMNS[name]: cells.index(name) for name in RESULT_COLUMNS}
            continue
        if where is None or len(cells) <= max(where.values()) or not cells[where["seed"]].isdigit():
            continue  # not a seed's row: separator, median, prose
        cell = {key: cells[i] for key, i in where.items()}
        correct, total = cell["test_correct"].split("/")
        rows.append(dict(
            seed=int(cell["seed"]), val=float(cell["val"].rstrip(" %")),
            val_bal=float(cell["val_bal"].rstrip(" %")), test=float(cell["test"].rstrip(" %")),
            test_correct=int(correct), test_total=int(total),
            seconds=float(cell["seconds"]), cpu=float(cell["cpu"]),
            wrong=[] if cell["wrong"] == "-" else [int(i) for i in cell["wrong"].split(",")],
        ))
    return rows


def read_results(path: Path | str = RESULTS_PATH) -> list[dict]:
    """:func:`parse_results` of the committed table (``make experiment`` writes it).

    Raises FileNotFoundError or ValueError (no per-seed rows), naming the fix.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist. It is committed with the course; restore it with "
            "`git checkout -- experiments/cnn_results.md`, or recreate it with `make experiment`."
        )
    rows = parse_results(path.read_text())
    if not rows:
        raise ValueError(f"{path} holds no per-seed rows; recreate it with `make experiment`.")
    return rows
