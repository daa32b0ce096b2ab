"""Unit tests of helpers/cnn.py: shapes, folds, the procedure on tiny data, no test-set access."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from helpers import cnn  # imports Keras only when a function needs it
from helpers.environment import prepare_notebook, reproducible_keras

TINY = cnn.RECIPE.replace(widths=(4, 8), epochs=1, folds=2, batch_size=8)


def tiny_data(m: int = 16, px: int = 16, seed: int = 0):
    """m random uint8 images (m, px, px, 3), half cats, cats brighter (so it is learnable)."""
    rng = np.random.default_rng(seed)
    y = np.arange(m) % 2
    x = rng.integers(0, 128, size=(m, px, px, 3)).astype(np.uint8) + (y * 100)[:, None, None, None]
    return x.astype(np.uint8), y.reshape(1, m)


@pytest.fixture(scope="module", autouse=True)
def quiet_deterministic_tensorflow():
    """As in notebook 4: TensorFlow set up (float64 Keras) before the first test imports it."""
    prepare_notebook(0, tensorflow=True)
    reproducible_keras()


# --------------------------------------------------------------------------- inputs


def test_as_images_scales_uint8_and_checks_shape():
    x = np.full((2, 4, 4, 3), 255, dtype=np.uint8)
    out = cnn.as_images(x)
    assert out.dtype == np.float64 and out.max() == 1.0  # Keras's floatx after prepare_notebook
    assert cnn.as_images(x.astype(np.float32) / 255).dtype == np.float64
    with pytest.raises(ValueError, match=r"reshape back"):
        cnn.as_images(np.zeros((12288, 5)))
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        cnn.as_images(np.full((1, 4, 4, 3), 255.0))


def test_as_labels_accepts_row_vector_and_rejects_bad_labels():
    assert cnn.as_labels(np.array([[0, 1, 1]]), 3).tolist() == [0, 1, 1]
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        cnn.as_labels(np.array([0, 1, 1]), 4)
    with pytest.raises(ValueError, match="only 0"):
        cnn.as_labels(np.array([0, 2]), 2)


# --------------------------------------------------------------------------- folds, weights


def test_stratified_folds_balanced_and_seeded():
    y = np.array([0] * 137 + [1] * 72)  # the training set's class counts
    fold = cnn.stratified_folds(y, 5, seed=3)
    assert fold.shape == (209,) and set(fold.tolist()) == set(range(5))
    sizes = np.bincount(fold)
    assert sizes.max() - sizes.min() <= 1
    cats = np.bincount(fold[y == 1], minlength=5)
    assert cats.max() - cats.min() <= 1
    assert np.array_equal(fold, cnn.stratified_folds(y, 5, seed=3))
    assert not np.array_equal(fold, cnn.stratified_folds(y, 5, seed=4))


def test_stratified_folds_rejects_too_few_examples():
    with pytest.raises(ValueError, match="at least 5 examples"):
        cnn.stratified_folds(np.array([0] * 10 + [1] * 3), 5, seed=0)
    with pytest.raises(ValueError, match="at least 2 folds"):
        cnn.stratified_folds(np.array([0, 1]), 1, seed=0)


def test_class_weights_make_classes_count_equally():
    y = np.array([0] * 137 + [1] * 72)
    w = cnn.class_weights(y)
    assert w[0] * 137 == pytest.approx(w[1] * 72)
    assert (w[0] * 137 + w[1] * 72) / 209 == pytest.approx(1.0)


# --------------------------------------------------------------------------- the model


def test_build_cnn_shapes_default_recipe():
    model = cnn.build_cnn()
    assert model.input_shape == (None, 64, 64, 3)
    assert model.output_shape == (None, 1)
    assert model.get_layer("downsample").output.shape == (None, 32, 32, 3)
    side = 32
    for i, width in enumerate(cnn.RECIPE.widths, start=1):
        side //= 2
        assert model.get_layer(f"pool{i}").output.shape == (None, side, side, width)
    assert model.get_layer("gap").output.shape == (None, cnn.RECIPE.widths[-1])


def test_augmenter_is_identity_at_inference_and_random_in_training():
    x = np.random.default_rng(0).random((2, 16, 16, 3))
    aug = cnn.augmenter()
    np.testing.assert_array_equal(np.asarray(aug(x, training=False)), x)
    assert not np.allclose(np.asarray(aug(x, training=True)), x)


def test_predict_with_flip_is_mirror_invariant():
    model = cnn.build_cnn(TINY, image_size=16)
    x, _ = tiny_data()
    x = cnn.as_images(x)
    p = cnn.predict_with_flip(model, x)
    assert p.shape == (16,) and np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p, cnn.predict_with_flip(model, x[:, :, ::-1]), atol=1e-6)


# --------------------------------------------------------------------------- the procedure


@pytest.fixture(scope="module")
def committee_of_seed_7():
    """(a committee trained on tiny_data() with seed 7, its progress messages), trained once
    for the tests that only read it."""
    x, y = tiny_data()
    messages = []
    return cnn.train_committee(x, y, seed=7, recipe=TINY, progress=messages.append), messages


def test_train_committee_on_tiny_data(committee_of_seed_7):
    x, y = tiny_data()
    committee, messages = committee_of_seed_7
    assert len(committee.models) == 2 and len(messages) == 2
    assert {str(w.dtype) for w in committee.models[0].weights} == {"float64"}
    assert committee.oof_proba.shape == (16,) and committee.fold.shape == (16,)
    images, labels = cnn.as_images(x), y.ravel()
    right = np.zeros(2)  # held-out images right, per class, predicted here by each fold's model
    for k, model in enumerate(committee.models):
        held_out = committee.fold == k
        proba = cnn.predict_with_flip(model, images[held_out])
        np.testing.assert_allclose(committee.oof_proba[held_out], proba)
        for c in (0, 1):
            right[c] += np.sum((proba > 0.5)[labels[held_out] == c] == c)
    assert committee.val_accuracy == pytest.approx(right.sum() / 16)
    assert committee.val_balanced_accuracy == pytest.approx(np.mean(right / 8))  # 8 per class
    assert committee.seconds > 0
    proba = committee.predict_proba(x[:5])
    assert proba.shape == (5,) and np.all((proba >= 0) & (proba <= 1))
    assert set(committee.predict(x).tolist()) <= {0, 1}


def test_train_committee_is_deterministic_given_seed(committee_of_seed_7):
    x, y = tiny_data()
    a, _ = committee_of_seed_7
    b = cnn.train_committee(x, y, seed=7, recipe=TINY)
    np.testing.assert_array_equal(a.oof_proba, b.oof_proba)
    np.testing.assert_array_equal(a.predict_proba(x), b.predict_proba(x))


def test_train_committee_uses_the_given_builder_and_trained_models(committee_of_seed_7):
    """Notebook 4 builds the network itself and trains fold 1 in plain sight: the committee
    built from its builder and its trained first model equals the helper's own procedure."""
    x, y = tiny_data()
    own, _ = committee_of_seed_7

    def build():
        return cnn.build_cnn(TINY, image_size=16)

    given = cnn.train_committee(x, y, seed=7, recipe=TINY, build=build,
                                trained=own.models[:1])
    assert given.models[0] is own.models[0]
    assert given.models[1] is not own.models[1]
    np.testing.assert_array_equal(given.oof_proba, own.oof_proba)

    def other():  # a different network must change the result: the builder is really used
        return cnn.build_cnn(TINY.replace(widths=(2,)), image_size=16)

    changed = cnn.train_committee(x, y, seed=7, recipe=TINY, build=other)
    assert changed.models[0].count_params() != own.models[0].count_params()


def test_train_committee_rejects_too_many_trained_models():
    x, y = tiny_data()
    with pytest.raises(ValueError, match="at most one per fold"):
        cnn.train_committee(x, y, seed=0, recipe=TINY, trained=[None, None, None])


def test_train_committee_rejects_mismatched_labels():
    x, y = tiny_data()
    with pytest.raises(ValueError, match="train_y"):
        cnn.train_committee(x, y[:, :-1], seed=0, recipe=TINY)


def test_selection_sees_training_data_only():
    """Every function that trains or chooses takes training arrays only: no test parameter."""
    for fn in (cnn.train_committee, cnn.stratified_folds, cnn.class_weights, cnn.build_cnn,
               cnn.compile_cnn):
        names = list(inspect.signature(fn).parameters)
        assert not any("test" in n or "val" in n for n in names), (fn.__name__, names)
    assert list(inspect.signature(cnn.train_committee).parameters)[:2] == ["train_x", "train_y"]
