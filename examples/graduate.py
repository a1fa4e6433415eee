"""Graduate: train a model here, then run it in real engines, Keras 3 and ONNX Runtime.

Three steps, the whole way from learning to serving:

    1. train here            model.fit(...)
    2. save and export       model.save("digits.keras")                  Keras 3's own format
                             model.export("digits.onnx", format="onnx")  any ONNX runtime
    3. open them elsewhere   keras.models.load_model("digits.keras")
                             onnxruntime.InferenceSession("digits.onnx")

The model is the small CNN of examples/cnn_digits.py, trained on scikit-learn's 8x8 digits.
Its last layer gives logits (the stable form with from_logits=True), so the ONNX file gets
a softmax head and gives probabilities. Keras 3 runs here without TensorFlow, on its numpy
backend (it needs jax and scipy beside it); ONNX Runtime needs the `export` extra:

    pip install 'autograd-lite[export]' keras jax scipy
    python examples/graduate.py [folder] [epochs]

Writes digits.keras and digits.onnx into the folder (default: out/graduate).
"""

from __future__ import annotations

import os
import sys

import numpy as np
from cnn_digits import digits_split, make_model  # the CNN and data of examples/cnn_digits.py

import nn


def main(folder: str = os.path.join("out", "graduate"), epochs: int = 10) -> dict[str, float]:
    """Train, save, export and reopen; returns the test accuracy and the largest
    differences between this project's predictions and Keras's and ONNX Runtime's."""
    X_train, X_test, y_train, y_test = digits_split()

    # 1. train here
    nn.set_seed(1234)
    model = make_model(name="digits")
    model.compile(
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=nn.optimizers.Adam(learning_rate=0.01),
        metrics=["accuracy"],
    )
    model.fit(X_train, y_train, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(X_test, y_test)
    print(f"1. trained here: test accuracy {accuracy:.3f}")

    # 2. save the whole model for Keras, export the network for ONNX runtimes
    os.makedirs(folder, exist_ok=True)
    keras_path = os.path.join(folder, "digits.keras")
    onnx_path = os.path.join(folder, "digits.onnx")
    model.save(keras_path)
    model.export(onnx_path, format="onnx", output_activation="softmax")
    print(f"2. saved {keras_path} and exported {onnx_path}")

    # 3. open them in the real engines
    print("3. ONNX Runtime: ", end="")
    onnx_gap = nn.compare_with_onnx(model, onnx_path, X_test)
    keras_gap = open_in_keras(keras_path, model.predict(X_test), X_test, y_test)
    return {"test accuracy": accuracy, "onnx difference": onnx_gap, "keras difference": keras_gap}


def open_in_keras(path: str, logits: np.ndarray, X_test: np.ndarray, y_test: np.ndarray) -> float:
    """Load the .keras file in Keras 3, compare its predictions with ours, and evaluate it
    there (the optimizer's state came along too: `fit` would continue where we stopped)."""
    os.environ.setdefault("KERAS_BACKEND", "numpy")  # before Keras is imported: no TensorFlow
    try:
        import keras
    except ImportError:
        print("   Keras: not installed (pip install keras jax scipy); skipped")
        return float("nan")
    keras_model = keras.models.load_model(path)
    gap = float(np.abs(keras_model.predict(X_test, verbose=0) - logits).max())
    _, accuracy = keras_model.evaluate(X_test, y_test, verbose=0)
    print(
        f"   Keras {keras.__version__} ({keras.backend.backend()} backend): test accuracy "
        f"{accuracy:.3f}; largest difference from our logits {gap:.1e} (logits up to "
        f"{np.abs(logits).max():.1f}); optimizer {type(keras_model.optimizer).__name__} at "
        f"step {int(keras_model.optimizer.iterations)}"
    )
    return gap


if __name__ == "__main__":
    main(*sys.argv[1:2], *[int(a) for a in sys.argv[2:3]])
