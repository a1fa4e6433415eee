"""Regenerate `keras_losses.json`: Keras 3's losses under every argument, for
test_loss_arguments.py.

For each of the twelve losses nn has (MeanSquaredError, MeanAbsoluteError, Huber, LogCosh,
Hinge, SquaredHinge, KLDivergence, Poisson, CosineSimilarity and the three cross-entropies)
this stores, on float32 inputs made here from a fixed seed (stored too, so the tests need
neither Keras nor this script):
- "cases": `keras.losses.<Class>(**arguments)(y_true, y_pred, sample_weight=...)` for every
  reduction, sample weights of shape (m,), (m, 1), a number, zeros, per time step and per
  pixel, label smoothing, axis, ignore_class, from_logits, Huber's delta; the value and, when
  it is one number, its gradient with respect to y_pred (`jax.grad`);
- "functions": the per-sample functions (`keras.losses.<function>(y_true, y_pred, ...)`);
- "configs": `get_config()` and `serialize_keras_object` of default and non-default objects,
  and the records of the loss functions;
- "names": every name `keras.losses.get` resolves to one of these losses.

Keras runs on its JAX backend, which computes the documented formulas (clipping
probabilities; `log_sigmoid` from logits) in float32, as nn does; the TensorFlow backend
reads the logits behind a sigmoid/softmax output instead (see nn/losses.py), which these
numpy inputs do not have either.

Needs Keras and JAX only to regenerate (the tests never import them):

    python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install keras jax
    KERAS_BACKEND=jax /tmp/kvenv/bin/python tests/nn/data/make_keras_losses.py

Generated with keras 3.15.1 / jax 0.10.2 (the versions are stored in the file).
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
DELTAS = (0.5, 1.0, 2.0)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def make_inputs(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(y_true, y_pred) pairs, float32 (integer labels int64), away from every kink: no
    Huber error within 1e-2 of a delta, no hinge margin within 1e-2 of 0."""
    f32 = np.float32
    truth = rng.normal(size=(4, 3)).astype(f32)
    error = rng.normal(scale=1.5, size=(4, 3))
    for delta in DELTAS:  # move errors off the Huber kinks |x| = delta
        near = np.abs(np.abs(error) - delta) < 1e-2
        error[near] += 0.05
    truth_3d = rng.normal(size=(4, 2, 3)).astype(f32)
    labels = np.array([0, 2, 1, 2])
    one_hot = np.eye(3, dtype=f32)[labels]
    logits = (rng.normal(size=(4, 3)) * 2).astype(f32)
    probs = (softmax(logits) * 1.3).astype(f32)  # not normalised: Keras renormalises
    pixel_labels = rng.integers(0, 4, size=(2, 3, 3))
    pixel_labels[0, 0, :2] = pixel_labels[1, 2, 2] = -1  # ignore_class=-1 positions
    pixel_logits = (rng.normal(size=(2, 3, 3, 4)) * 2).astype(f32)
    hinge_pred = rng.normal(size=(4, 3))
    hinge_pred[np.abs(np.abs(hinge_pred) - 1) < 1e-2] += 0.05
    binary = rng.integers(0, 2, size=(4, 3)).astype(f32)
    binary_3d = rng.integers(0, 2, size=(4, 2, 3)).astype(f32)
    class_axis_labels = rng.integers(0, 3, size=(4, 2))
    distributions = softmax(rng.normal(size=(4, 3))).astype(f32)
    distributions[1, 0] = 0.0  # a zero target: Keras clips it to 1e-7
    return {
        "regression": (truth, (truth + error).astype(f32)),
        "regression_3d": (truth_3d, (truth_3d + rng.normal(size=(4, 2, 3))).astype(f32)),
        "regression_column": (truth[:, 0], (truth[:, :1] + error[:, :1]).astype(f32)),
        "cosine_zero_vector": (
            truth,
            np.concatenate([truth[:3] + error[:3], np.zeros((1, 3))]).astype(f32),
        ),
        "counts": (
            rng.integers(0, 4, size=(4, 3)).astype(f32),
            rng.uniform(0.2, 3.0, size=(4, 3)).astype(f32),
        ),
        "distributions": (distributions, softmax(rng.normal(size=(4, 3))).astype(f32)),
        "hinge_01": (binary, hinge_pred.astype(f32)),
        "hinge_pm1": (2 * binary - 1, hinge_pred.astype(f32)),
        "hinge_mixed": (np.array([[-1, 0, 1]] * 4, dtype=f32), hinge_pred.astype(f32)),
        "binary": (binary, rng.uniform(0.05, 0.95, size=(4, 3)).astype(f32)),
        "binary_logits": (binary, (rng.normal(size=(4, 3)) * 3).astype(f32)),
        "binary_column": (binary[:, 0], rng.uniform(0.05, 0.95, size=(4, 1)).astype(f32)),
        "binary_3d": (binary_3d, rng.uniform(0.05, 0.95, size=(4, 2, 3)).astype(f32)),
        "categorical": (one_hot, probs),
        "categorical_logits": (one_hot, logits),
        "categorical_class_axis_1": (
            np.moveaxis(np.eye(3, dtype=f32)[class_axis_labels], -1, 1),
            (rng.normal(size=(4, 3, 2)) * 2).astype(f32),
        ),
        "sparse": (labels, probs),
        "sparse_logits": (labels, logits),
        "sparse_column": (labels[:, None], logits),
        "sparse_pixels": (pixel_labels, softmax(pixel_logits).astype(f32)),
        "sparse_pixels_logits": (pixel_labels, pixel_logits),
        "sparse_all_ignored": (np.full((2, 3), -1), logits[:2, None, :].repeat(3, axis=1)),
    }


WEIGHTS = {
    "per_sample": np.array([0.5, 2.0, 0.0, 1.5], np.float32),
    "per_sample_column": np.array([[0.5], [2.0], [0.0], [1.5]], np.float32),
    "number": np.array(2.3, np.float32),
    "zeros": np.zeros(4, np.float32),
    "per_time_step": np.array([[1.0, 0.5], [2.0, 0.0], [0.25, 1.0], [3.0, 1.5]], np.float32),
    "per_pixel": np.linspace(0.0, 2.0, 18, dtype=np.float32).reshape(2, 3, 3),
    "per_image": np.array([[[0.5]], [[2.0]]], np.float32),
}

# loss class: (its main inputs, the 3-D inputs for per-time-step weights or None)
MAIN = {
    "MeanSquaredError": ("regression", "regression_3d"),
    "MeanAbsoluteError": ("regression", "regression_3d"),
    "Huber": ("regression", "regression_3d"),
    "LogCosh": ("regression", "regression_3d"),
    "Hinge": ("hinge_01", None),
    "SquaredHinge": ("hinge_pm1", None),
    "KLDivergence": ("distributions", None),
    "Poisson": ("counts", None),
    "CosineSimilarity": ("regression", "regression_3d"),
    "BinaryCrossentropy": ("binary", "binary_3d"),
    "CategoricalCrossentropy": ("categorical", None),
    "SparseCategoricalCrossentropy": ("sparse", None),
}
SAMPLE_WEIGHTS = (None, "per_sample", "per_sample_column", "number", "zeros")


def case_list() -> list[tuple[str, str, dict, str, str | None]]:
    """(case name, loss class, arguments, inputs, sample weights)."""
    cases = []
    for loss, (inputs, inputs_3d) in MAIN.items():
        for reduction in REDUCTIONS:
            for weights in SAMPLE_WEIGHTS:
                name = f"{loss}/{reduction}/{weights}"
                cases.append((name, loss, {"reduction": reduction}, inputs, weights))
            if inputs_3d is not None:
                name = f"{loss}/{reduction}/per_time_step"
                cases.append((name, loss, {"reduction": reduction}, inputs_3d, "per_time_step"))
    for reduction in ("sum_over_batch_size", "mean_with_sample_weight", None):
        for weights in (None, "per_sample", "per_sample_column"):
            for loss, inputs in (
                ("MeanSquaredError", "regression_column"),
                ("BinaryCrossentropy", "binary_column"),
                ("SparseCategoricalCrossentropy", "sparse_column"),
            ):
                cases.append((f"{loss}/{inputs}/{reduction}/{weights}", loss, {}, inputs, weights))
                cases[-1][2]["reduction"] = reduction
    for delta in (0.5, 2.0):
        for weights in (None, "per_sample"):
            cases.append(
                (f"Huber/delta={delta}/{weights}", "Huber", {"delta": delta}, "regression", weights)
            )
    cases.append(
        ("CosineSimilarity/zero_vector", "CosineSimilarity", {}, "cosine_zero_vector", None)
    )
    for axis in (0, 1):
        cases.append(
            (
                f"CosineSimilarity/axis={axis}",
                "CosineSimilarity",
                {"axis": axis},
                "regression_3d",
                None,
            )
        )
    for loss, probs, logits in (
        ("BinaryCrossentropy", "binary", "binary_logits"),
        ("CategoricalCrossentropy", "categorical", "categorical_logits"),
    ):
        for from_logits, inputs in ((False, probs), (True, logits)):
            for smoothing in (0.0, 0.1, 0.3):
                for weights in (None, "per_sample"):
                    arguments = {"from_logits": from_logits, "label_smoothing": smoothing}
                    name = f"{loss}/from_logits={from_logits}/label_smoothing={smoothing}/{weights}"
                    cases.append((name, loss, arguments, inputs, weights))
    cases.append(("BinaryCrossentropy/axis=0", "BinaryCrossentropy", {"axis": 0}, "binary", None))
    for axis in (1, -2):
        name = f"BinaryCrossentropy/axis={axis}/per_sample_column"
        cases.append((name, "BinaryCrossentropy", {"axis": axis}, "binary_3d", "per_sample_column"))
    for from_logits in (False, True):
        for smoothing in (0.0, 0.2):
            arguments = {"axis": 1, "from_logits": from_logits, "label_smoothing": smoothing}
            name = f"CategoricalCrossentropy/axis=1/{from_logits=}/label_smoothing={smoothing}"
            cases.append(
                (name, "CategoricalCrossentropy", arguments, "categorical_class_axis_1", None)
            )
    cases.append(
        (
            "SparseCategoricalCrossentropy/logits",
            "SparseCategoricalCrossentropy",
            {"from_logits": True},
            "sparse_logits",
            None,
        )
    )
    sparse = "SparseCategoricalCrossentropy"
    for ignore_class, weightings, pairs in (
        (-1, (None, "per_pixel", "per_image"), ("sparse_pixels", "sparse_pixels_logits")),
        (0, (None, "per_sample"), ("sparse", "sparse_logits")),  # a class that exists
    ):
        for from_logits, inputs in zip((False, True), pairs):
            for reduction in REDUCTIONS:
                for weights in weightings:
                    arguments = {
                        "from_logits": from_logits,
                        "ignore_class": ignore_class,
                        "reduction": reduction,
                    }
                    name = f"{sparse}/{inputs}/ignore_class={ignore_class}/{reduction}/{weights}"
                    cases.append((name, sparse, arguments, inputs, weights))
    for reduction in REDUCTIONS:
        arguments = {"from_logits": True, "ignore_class": -1, "reduction": reduction}
        name = f"SparseCategoricalCrossentropy/all_ignored/{reduction}"
        cases.append((name, "SparseCategoricalCrossentropy", arguments, "sparse_all_ignored", None))
    return cases


# function: [(arguments, inputs)]
FUNCTIONS = {
    "mean_squared_error": [({}, "regression"), ({}, "regression_3d"), ({}, "regression_column")],
    "mean_absolute_error": [({}, "regression"), ({}, "regression_column")],
    "huber": [({"delta": delta}, "regression") for delta in DELTAS],
    "log_cosh": [({}, "regression"), ({}, "regression_3d")],
    "hinge": [({}, "hinge_01"), ({}, "hinge_pm1"), ({}, "hinge_mixed")],
    "squared_hinge": [({}, "hinge_01"), ({}, "hinge_pm1"), ({}, "hinge_mixed")],
    "kl_divergence": [({}, "distributions")],
    "poisson": [({}, "counts")],
    "cosine_similarity": [
        ({}, "regression"),
        ({"axis": 1}, "regression_3d"),
        ({}, "cosine_zero_vector"),
    ],
    "binary_crossentropy": [
        ({}, "binary"),
        ({"from_logits": True}, "binary_logits"),
        ({"label_smoothing": 0.2}, "binary"),
        ({"axis": 1}, "binary_3d"),
    ],
    "categorical_crossentropy": [
        ({}, "categorical"),
        ({"from_logits": True, "label_smoothing": 0.1}, "categorical_logits"),
        ({"axis": 1, "from_logits": True}, "categorical_class_axis_1"),
    ],
    "sparse_categorical_crossentropy": [
        ({}, "sparse"),
        ({"from_logits": True}, "sparse_column"),
        ({"from_logits": True, "ignore_class": -1}, "sparse_pixels_logits"),
        ({"ignore_class": -1}, "sparse_pixels"),
    ],
}

# class: non-default arguments for the config comparison
CONFIGS = {
    "MeanSquaredError": {"name": "mymse", "reduction": "sum"},
    "MeanAbsoluteError": {"reduction": None},
    "Huber": {"delta": 2.0, "reduction": "mean_with_sample_weight"},
    "LogCosh": {"name": "lc"},
    "Hinge": {"reduction": "none"},
    "SquaredHinge": {"name": "sh", "reduction": "mean"},
    "KLDivergence": {"reduction": "sum"},
    "Poisson": {"name": "p"},
    "CosineSimilarity": {"axis": 1},
    "BinaryCrossentropy": {"from_logits": True, "label_smoothing": 0.1, "axis": 1},
    "CategoricalCrossentropy": {"from_logits": True, "label_smoothing": 0.2, "name": "cce"},
    "SparseCategoricalCrossentropy": {"from_logits": True, "ignore_class": -1, "reduction": "sum"},
}


def as_json(array: np.ndarray) -> dict:
    """An array as {dtype, shape, values}; float32 values written in their shortest form,
    which reads back as the same float32."""
    array = np.asarray(array)
    values = array.ravel().tolist()
    if array.dtype == np.float32:
        values = [float(str(v)) for v in array.ravel()]
    return {"dtype": str(array.dtype), "shape": list(array.shape), "values": values}


def main() -> None:
    # imported here, not at the top: pytest's doctest collection imports this file
    import jax
    import keras
    from keras.src.losses import ALL_OBJECTS_DICT
    from keras.src.saving import serialization_lib

    rng = np.random.default_rng(20260515)
    inputs = make_inputs(rng)
    out: dict = {
        "versions": {
            "keras": keras.__version__,
            "jax": jax.__version__,
            "backend": keras.backend.backend(),
        },
        "inputs": {k: {"y_true": as_json(t), "y_pred": as_json(p)} for k, (t, p) in inputs.items()},
        "weights": {k: as_json(w) for k, w in WEIGHTS.items()},
        "cases": {},
        "functions": {},
        "configs": {},
    }
    for name, loss, arguments, key, weights in case_list():
        y_true, y_pred = inputs[key]
        sample_weight = None if weights is None else WEIGHTS[weights]
        make = getattr(keras.losses, loss)

        def value_of(p, y_true=y_true, sample_weight=sample_weight, make=make, arguments=arguments):
            return make(**arguments)(y_true, p, sample_weight=sample_weight)

        value = np.asarray(value_of(y_pred))
        entry = {"loss": loss, "arguments": arguments, "inputs": key, "sample_weight": weights}
        entry["value"] = as_json(value)
        if value.shape == ():
            gradient = np.asarray(jax.grad(value_of)(y_pred))
            if np.isfinite(gradient).all():
                entry["gradient"] = as_json(gradient)
        out["cases"][name] = entry
    for function, calls in FUNCTIONS.items():
        for arguments, key in calls:
            y_true, y_pred = inputs[key]
            value = np.asarray(getattr(keras.losses, function)(y_true, y_pred, **arguments))
            name = f"{function}/{key}/" + ",".join(f"{k}={v}" for k, v in arguments.items())
            out["functions"][name] = {
                "function": function,
                "arguments": arguments,
                "inputs": key,
                "value": as_json(value),
            }
    for loss, arguments in CONFIGS.items():
        for label, given in (("default", {}), ("arguments", arguments)):
            obj = getattr(keras.losses, loss)(**given)
            out["configs"][f"{loss}/{label}"] = {
                "loss": loss,
                "arguments": given,
                "config": obj.get_config(),
                "record": serialization_lib.serialize_keras_object(obj),
            }
    out["function_records"] = {
        function: serialization_lib.serialize_keras_object(getattr(keras.losses, function))
        for function in FUNCTIONS
    }
    ours = set(MAIN) | set(FUNCTIONS)
    out["names"] = {
        name: getattr(obj, "__name__", type(obj).__name__)
        for name, obj in ALL_OBJECTS_DICT.items()
        if getattr(obj, "__name__", None) in ours
    }
    path = os.path.join(HERE, "keras_losses.json")
    with open(path, "w") as f:
        json.dump(out, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(out['cases'])} cases, {len(out['functions'])} function calls")


if __name__ == "__main__":
    main()
