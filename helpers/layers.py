"""Keras layers mended for float64 (the notebooks' `keras.config.set_floatx("float64")`)."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="helpers")
class RandomRotation(keras.layers.RandomRotation):
    """``keras.layers.RandomRotation`` that works in float64: (m, px, px, 3) -> (m, px, px, 3).

    Keras 3.15's draws its angles in floatx and multiplies them by a float32 constant, which
    fails in float64; this one draws them in float32. Registered, so ``load_model`` reloads it.
    """

    def get_random_transformation(self, data, training=True, seed=None):
        floatx = keras.config.floatx()
        keras.config.set_floatx("float32")
        try:
            return super().get_random_transformation(data, training=training, seed=seed)
        finally:
            keras.config.set_floatx(floatx)
