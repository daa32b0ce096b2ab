"""Keras layers that the course needs in a form Keras 3.15 does not give.

Import this module after ``prepare_notebook(tensorflow=True)``: it imports Keras, and with it
TensorFlow.

- :class:`RandomRotation`: ``keras.layers.RandomRotation`` that works when Keras computes in
  float64 (``prepare_notebook`` sets ``keras.config.set_floatx("float64")``).
"""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="helpers")
class RandomRotation(keras.layers.RandomRotation):
    """``keras.layers.RandomRotation``, usable in float64: same arguments, same behaviour.

    Keras 3.15's layer draws its random angles in ``keras.config.floatx()`` and then multiplies
    them by a float32 constant, which TensorFlow refuses when floatx is float64 ("cannot compute
    Mul ... expected to be a double tensor but is a float tensor"). This one draws the angles
    and builds the rotation matrices in float32, as Keras does by default; the images keep
    their dtype. Registered for saving, so ``keras.models.load_model`` reloads it once this
    module is imported. (m, px, px, 3) -> (m, px, px, 3).
    """

    def get_random_transformation(self, data, training=True, seed=None):
        floatx = keras.config.floatx()
        keras.config.set_floatx("float32")
        try:
            return super().get_random_transformation(data, training=training, seed=seed)
        finally:
            keras.config.set_floatx(floatx)
