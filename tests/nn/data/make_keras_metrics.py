"""Regenerate `keras_metrics.npz`: Keras 3's stateful metrics batch by batch, their configs,
what compile makes of metric names, and `fit`'s logs with metrics, for test_metrics.py.

1. Every metric and setting in CASES gets the same three batches (7, 5 and 8 samples) of one
   of the DATASETS through `update_state`, once without and once with sample weights (one
   per sample, or for the "element" cases one per value); stored: `result()` after every
   batch, and `get_config()` (JSON).
2. NAMES: which class `compile` makes of a metric identifier (`compile_utils.get_metric`,
   given y_true and y_pred shapes), and the log name it gets.
3. FIT: a Dense(4, relu) -> Dense(1, sigmoid) model on 64 samples of 3 features, from fixed
   weights, trained 3 epochs with `fit(batch_size=16, shuffle=False, validation_data=...)`
   and Adam(0.01), with metrics=['accuracy', Precision(), Recall(), AUC()]; and a second run
   with sample weights, metrics=['accuracy'] and weighted_metrics=[AUC()]. Stored: the data,
   the initial weights, `history.history` and the logs of every batch
   (`on_train_batch_end`), for the lead's comparison of nn's `fit`.

Needs TensorFlow only to regenerate (the tests never import it):

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu
    /tmp/tfvenv/bin/python tests/nn/data/make_keras_metrics.py

Generated with tensorflow-cpu 2.21.0 / keras 3.15.1 (the versions are stored in the file).
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 kernels, no reordered sums

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BATCHES = (7, 5, 8)
SAMPLES = sum(BATCHES)

# name: (class in keras.metrics, its arguments, dataset, weights: "sample" or "element")
CASES = {
    "mean": ("Mean", {}, "values", "sample"),
    "mean_2d": ("Mean", {}, "values_2d", "sample"),
    "mean_2d_element": ("Mean", {}, "values_2d", "element"),
    "wrapper_binary_accuracy": (
        "MeanMetricWrapper",
        {"fn": "binary_accuracy", "threshold": 0.3},
        "binary",
        "sample",
    ),
    "binary_accuracy": ("BinaryAccuracy", {}, "binary", "sample"),
    "binary_accuracy_0.7": ("BinaryAccuracy", {"threshold": 0.7}, "binary", "sample"),
    "binary_accuracy_flat": ("BinaryAccuracy", {}, "binary_flat", "sample"),
    "binary_accuracy_multilabel": ("BinaryAccuracy", {}, "multilabel", "sample"),
    "binary_accuracy_multilabel_element": ("BinaryAccuracy", {}, "multilabel", "element"),
    "categorical_accuracy": ("CategoricalAccuracy", {}, "categorical", "sample"),
    "sparse_categorical_accuracy": ("SparseCategoricalAccuracy", {}, "sparse", "sample"),
    "sparse_categorical_accuracy_column": (
        "SparseCategoricalAccuracy",
        {},
        "sparse_column",
        "sample",
    ),
    "top_k": ("TopKCategoricalAccuracy", {}, "categorical", "sample"),
    "top_k_2": ("TopKCategoricalAccuracy", {"k": 2}, "categorical", "sample"),
    "sparse_top_k_2": ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse", "sample"),
    "sparse_top_k_1_column": ("SparseTopKCategoricalAccuracy", {"k": 1}, "sparse_column", "sample"),
    "sparse_top_k_sorted_ids": (
        "SparseTopKCategoricalAccuracy",
        {"k": 2, "from_sorted_ids": True},
        "sorted_ids",
        "sample",
    ),
    "mse": ("MeanSquaredError", {}, "regression", "sample"),
    "mae": ("MeanAbsoluteError", {}, "regression", "sample"),
    "precision": ("Precision", {}, "binary", "sample"),
    "precision_flat": ("Precision", {}, "binary_flat", "sample"),
    "precision_thresholds": ("Precision", {"thresholds": [0.3, 0.5, 0.7]}, "binary", "sample"),
    "precision_even_thresholds": ("Precision", {"thresholds": [0.0, 0.5, 1.0]}, "binary", "sample"),
    "precision_multilabel": ("Precision", {}, "multilabel", "sample"),
    "precision_multilabel_element": ("Precision", {}, "multilabel", "element"),
    "precision_top_k": ("Precision", {"top_k": 2}, "multilabel", "sample"),
    "precision_class_id": ("Precision", {"class_id": 1}, "multilabel", "sample"),
    "precision_top_k_class_id": ("Precision", {"top_k": 1, "class_id": 2}, "multilabel", "sample"),
    "precision_top_k_threshold": (
        "Precision",
        {"top_k": 2, "thresholds": 0.4},
        "multilabel",
        "sample",
    ),
    "recall": ("Recall", {}, "binary", "sample"),
    "recall_thresholds": ("Recall", {"thresholds": [0.3, 0.5, 0.7]}, "binary", "sample"),
    "recall_even_thresholds": ("Recall", {"thresholds": [0.0, 0.5, 1.0]}, "binary", "sample"),
    "recall_multilabel": ("Recall", {}, "multilabel", "sample"),
    "recall_top_k": ("Recall", {"top_k": 2}, "multilabel", "sample"),
    "recall_class_id": ("Recall", {"class_id": 0}, "multilabel", "sample"),
    "auc": ("AUC", {}, "binary", "sample"),
    "auc_flat": ("AUC", {}, "binary_flat", "sample"),
    "auc_10": ("AUC", {"num_thresholds": 10}, "binary", "sample"),
    "auc_minoring": ("AUC", {"summation_method": "minoring"}, "binary", "sample"),
    "auc_majoring": ("AUC", {"summation_method": "majoring"}, "binary", "sample"),
    "auc_pr": ("AUC", {"curve": "PR"}, "binary", "sample"),
    "auc_pr_minoring": ("AUC", {"curve": "PR", "summation_method": "minoring"}, "binary", "sample"),
    "auc_pr_majoring": ("AUC", {"curve": "PR", "summation_method": "majoring"}, "binary", "sample"),
    "auc_prgain": ("AUC", {"curve": "PRGAIN"}, "binary", "sample"),
    "auc_thresholds": ("AUC", {"thresholds": [0.1, 0.4, 0.9]}, "binary", "sample"),
    "auc_even_thresholds": ("AUC", {"thresholds": [0.25, 0.5, 0.75]}, "binary", "sample"),
    "auc_from_logits": ("AUC", {"from_logits": True}, "logits", "sample"),
    "auc_pooled_labels": ("AUC", {}, "multilabel", "sample"),
    "auc_pooled_label_weights": ("AUC", {"label_weights": [1.0, 2.0, 0.5]}, "multilabel", "sample"),
    "auc_multilabel": ("AUC", {"multi_label": True}, "multilabel", "sample"),
    "auc_multilabel_element": ("AUC", {"multi_label": True}, "multilabel", "element"),
    "auc_multilabel_pr": ("AUC", {"multi_label": True, "curve": "PR"}, "multilabel", "sample"),
    "auc_multilabel_weights": (
        "AUC",
        {"multi_label": True, "num_labels": 3, "label_weights": [1.0, 2.0, 0.5]},
        "multilabel",
        "sample",
    ),
    "auc_multilabel_thresholds": (
        "AUC",
        {"multi_label": True, "thresholds": [0.2, 0.3, 0.8]},
        "multilabel",
        "sample",
    ),
}

# (identifier, y_true shape, y_pred shape) for compile's name resolution
NAMES = [
    ("accuracy", (4,), (4, 1)),
    ("accuracy", (4, 1), (4, 1)),
    ("acc", (4,), (4, 3)),
    ("Accuracy", (4, 1), (4, 3)),
    ("accuracy", (4, 3), (4, 3)),
    ("binary_accuracy", (4, 3), (4, 3)),
    ("BinaryAccuracy", (4, 3), (4, 3)),
    ("categorical_accuracy", (4, 3), (4, 3)),
    ("sparse_categorical_accuracy", (4,), (4, 3)),
    ("top_k_categorical_accuracy", (4, 3), (4, 3)),
    ("sparse_top_k_categorical_accuracy", (4,), (4, 3)),
    ("mse", (4, 1), (4, 1)),
    ("MSE", (4, 1), (4, 1)),
    ("mean_squared_error", (4, 1), (4, 1)),
    ("mae", (4, 1), (4, 1)),
    ("mean_absolute_error", (4, 1), (4, 1)),
    ("precision", (4, 1), (4, 1)),
    ("Recall", (4, 1), (4, 1)),
    ("auc", (4, 1), (4, 1)),
    ("AUC", (4, 1), (4, 1)),
]


def datasets(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(y_true, y_pred) for every dataset, SAMPLES rows each, float32 predictions with ties
    and values on the thresholds (0, 0.5, 1, k/199 and k/9) mixed in."""
    boundary = np.float32(np.array([0.0, 0.5, 1.0, 100 / 199, 3 / 9, 0.25, 0.7, 0.3]))
    binary_pred = rng.uniform(0, 1, (SAMPLES, 1)).astype(np.float32)
    binary_pred[[1, 4, 9, 11, 13, 15, 17, 19], 0] = boundary
    binary_true = (rng.uniform(0, 1, (SAMPLES, 1)) < 0.3 + 0.5 * binary_pred).astype(np.float32)
    multi_pred = rng.uniform(0, 1, (SAMPLES, 3)).astype(np.float32)
    multi_pred[[2, 6, 12], :] = np.float32([[0.5, 0.5, 0.2], [0.3, 0.7, 0.7], [1.0, 0.0, 0.5]])
    multi_true = (rng.uniform(0, 1, (SAMPLES, 3)) < multi_pred).astype(np.float32)
    multi_true[5] = 0.0  # a sample with no positive label
    logits = rng.normal(0, 2, (SAMPLES, 1)).astype(np.float32)
    logits_true = (rng.uniform(0, 1, (SAMPLES, 1)) < 1 / (1 + np.exp(-logits))).astype(np.float32)
    scores = rng.uniform(0, 1, (SAMPLES, 4)).astype(np.float32)
    scores[[3, 8, 14]] = np.float32([[0.4, 0.4, 0.1, 0.1], [0.2, 0.3, 0.3, 0.2], [0.25] * 4])
    probs = scores / scores.sum(axis=1, keepdims=True)
    labels = rng.integers(0, 4, SAMPLES)
    labels[[0, 3, 8, 14]] = [int(np.argmax(probs[0])), 1, 2, 3]
    one_hot = np.eye(4, dtype=np.float32)[labels]
    sorted_ids = np.argsort(-probs, axis=1, kind="stable")[:, :3].astype(np.float32)
    regression_true = rng.normal(0, 1, (SAMPLES, 2)).astype(np.float32)
    regression_pred = (regression_true + rng.normal(0, 0.5, (SAMPLES, 2))).astype(np.float32)
    values = rng.normal(1, 2, SAMPLES).astype(np.float32)
    values_2d = rng.normal(1, 2, (SAMPLES, 3)).astype(np.float32)
    return {
        "values": (values, values),  # Mean takes only the values: y_pred is ignored
        "values_2d": (values_2d, values_2d),
        "binary": (binary_true, binary_pred),
        "binary_flat": (binary_true[:, 0], binary_pred[:, 0]),
        "multilabel": (multi_true, multi_pred),
        "logits": (logits_true, logits),
        "categorical": (one_hot, probs),
        "sparse": (labels.astype(np.int64), probs),
        "sparse_column": (labels.reshape(-1, 1).astype(np.float32), probs),
        "sorted_ids": (labels.astype(np.int64), sorted_ids),
        "regression": (regression_true, regression_pred),
    }


def make_metric(keras, cls: str, arguments: dict) -> object:
    arguments = dict(arguments)
    if "fn" in arguments:
        arguments["fn"] = getattr(keras.metrics, arguments["fn"])
    return getattr(keras.metrics, cls)(**arguments)


def weights_for(kind: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """One weight per sample (some 0), or one per value for "element"."""
    size = shape if kind == "element" else shape[:1]
    weights = rng.uniform(0, 2, size).astype(np.float32)
    weights.flat[::5] = 0.0
    return weights


def jsonable(value):
    if hasattr(value, "numpy"):  # a TensorFlow tensor (AUC keeps label_weights as one)
        value = value.numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def run_cases(keras, data, rng) -> dict:
    results = {}
    for name, (cls, arguments, dataset, weight_kind) in CASES.items():
        y_true, y_pred = data[dataset]
        weights = weights_for(weight_kind, y_pred.shape, rng)
        runs = {}
        for weighted in (False, True):
            metric = make_metric(keras, cls, arguments)
            steps, start = [], 0
            for size in BATCHES:
                rows = slice(start, start + size)
                w = weights[rows] if weighted else None
                if cls == "Mean":
                    metric.update_state(y_pred[rows], sample_weight=w)
                else:
                    metric.update_state(y_true[rows], y_pred[rows], sample_weight=w)
                steps.append(jsonable(keras.ops.convert_to_numpy(metric.result())))
                start += size
            runs["weighted" if weighted else "unweighted"] = steps
        metric = make_metric(keras, cls, arguments)
        config = jsonable(metric.get_config())
        config["name"] = None  # automatic names depend on how many were made before
        results[name] = {
            "class": cls,
            "arguments": arguments,
            "dataset": dataset,
            "weights": weight_kind,
            "config": config,
            "direction": getattr(metric, "_direction", None),
            **runs,
        }
        results[name]["weights_array"] = weights.tolist()
    return results


def run_names(keras) -> list:
    from keras.src.trainers.compile_utils import get_metric

    table = []
    for identifier, true_shape, pred_shape in NAMES:
        metric = get_metric(identifier, np.zeros(true_shape), np.zeros(pred_shape))
        table.append([identifier, true_shape, pred_shape, type(metric).__name__, metric.name])
    return table


def run_fit(keras, rng) -> tuple[dict, dict]:
    x = rng.normal(0, 1, (64, 3)).astype(np.float32)
    y = (x @ np.float32([1.0, -1.5, 0.5]) + rng.normal(0, 0.7, 64) > 0).astype(np.float32)
    x_val = rng.normal(0, 1, (24, 3)).astype(np.float32)
    y_val = (x_val @ np.float32([1.0, -1.5, 0.5]) > 0).astype(np.float32)
    weights = rng.uniform(0.2, 2.0, 64).astype(np.float32)
    initial = [
        rng.uniform(-0.8, 0.8, (3, 4)).astype(np.float32),
        np.zeros(4, np.float32),
        rng.uniform(-0.8, 0.8, (4, 1)).astype(np.float32),
        np.zeros(1, np.float32),
    ]
    arrays = {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "sample_weight": weights}
    for i, w in enumerate(initial):
        arrays[f"initial/{i}"] = w
    runs = {}
    for run in ("metrics", "weighted"):
        keras.utils.clear_session()
        model = keras.Sequential(
            [
                keras.Input(shape=(3,)),
                keras.layers.Dense(4, activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.set_weights(initial)
        batch_logs = []

        class Batches(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None, seen=batch_logs):
                seen.append({k: float(v) for k, v in logs.items()})

        if run == "metrics":
            metrics = ["accuracy", keras.metrics.Precision(), keras.metrics.Recall()]
            metrics.append(keras.metrics.AUC())
            compile_args, fit_args = {"metrics": metrics}, {}
        else:
            compile_args = {"metrics": ["accuracy"], "weighted_metrics": [keras.metrics.AUC()]}
            fit_args = {"sample_weight": weights}
        model.compile(
            loss="binary_crossentropy",
            optimizer=keras.optimizers.Adam(0.01),
            jit_compile=False,
            **compile_args,
        )
        history = model.fit(
            x,
            y,
            batch_size=16,
            epochs=3,
            shuffle=False,
            verbose=0,
            validation_data=(x_val, y_val),
            callbacks=[Batches()],
            **fit_args,
        )
        runs[run] = {
            "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
            "batch_logs": batch_logs,
        }
        print(run, {k: v[-1] for k, v in runs[run]["history"].items()})
    return arrays, runs


def main() -> None:
    # imported here, not at the top: pytest's doctest collection imports this file
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(20)
    data = datasets(rng)
    out: dict[str, np.ndarray] = {"versions": np.array([tf.__version__, keras.__version__])}
    for name, (y_true, y_pred) in data.items():
        out[f"data/{name}/y_true"] = y_true
        out[f"data/{name}/y_pred"] = y_pred
    out["batches"] = np.array(BATCHES)
    out["cases"] = np.array(json.dumps(run_cases(keras, data, rng)))
    out["names"] = np.array(json.dumps(run_names(keras)))
    arrays, runs = run_fit(keras, rng)
    for key, value in arrays.items():
        out[f"fit/{key}"] = value
    out["fit/runs"] = np.array(json.dumps(runs))
    path = os.path.join(HERE, "keras_metrics.npz")
    np.savez_compressed(path, **out)
    print("wrote", path)


if __name__ == "__main__":
    main()
