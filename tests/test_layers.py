"""helpers.layers: Keras layers fixed for float64."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.environment import prepare_notebook, reproducible_keras


@pytest.fixture(scope="module")
def keras():
    """Keras in float64, as in the notebooks; imported when a test here first needs it (not when
    pytest collects the module)."""
    prepare_notebook(0, tensorflow=True)
    reproducible_keras()
    import keras

    return keras


@pytest.fixture(scope="module")
def RandomRotation(keras):  # noqa: N802 (the class under test)
    from helpers.layers import RandomRotation

    return RandomRotation


def images(m: int = 4, px: int = 16) -> np.ndarray:
    return np.random.default_rng(0).random((m, px, px, 3))


def test_keras_rotation_fails_in_float64_and_ours_does_not(keras, RandomRotation):
    """If Keras's own layer ever works here, helpers.layers.RandomRotation can go."""
    assert keras.config.floatx() == "float64"
    x = images()
    with pytest.raises(Exception, match="double tensor but is a float tensor"):
        keras.layers.RandomRotation(0.05, seed=2)(x, training=True)
    out = np.asarray(RandomRotation(0.05, seed=2)(x, training=True))
    assert out.dtype == np.float64 and out.shape == x.shape
    assert not np.allclose(out, x)  # rotated
    np.testing.assert_array_equal(np.asarray(RandomRotation(0.05)(x, training=False)), x)
    assert keras.config.floatx() == "float64"  # restored after drawing the angles


def test_rotation_trains_saves_and_reloads(tmp_path, keras, RandomRotation):
    x, y = images(8), np.array([[0.0], [1.0]] * 4)
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((16, 16, 3)), RandomRotation(0.05, seed=2),
                              keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    assert model.layers[-1].kernel.dtype == "float64"
    model.save(tmp_path / "m.keras")
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(reloaded.layers[0], RandomRotation)
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_cnn_augmenter_with_rotation_runs_in_float64(keras):
    from helpers import cnn

    aug = cnn.augmenter(cnn.RECIPE.replace(rotate=0.05))
    assert np.asarray(aug(images(), training=True)).dtype == np.float64
