"""Regenerate `keras_model_configs.json`: what Keras 3 writes for whole Sequential models, for
test_model_config.py.

For each model in MODELS, built in a fresh session (automatic names from `dense`) and
compiled as given:

- `to_json()` (read back with `json.loads`): the architecture, `build_config` and
  `compile_config`;
- the weight shapes and the compiled objects of `keras.models.model_from_json` of that
  JSON: the optimizer's class, the loss (a class, or the function Keras keeps for a name)
  and, once built for small stored data as `evaluate` builds them, every compiled metric's
  class and name and the keys `evaluate(return_dict=True)` gives;
- the parameter counts that `summary()` shows (all, trainable, non-trainable), and the
  layers' flags and the counts after `model.trainable = False` and then `True`.

For the "pop" case, the same after `pop()` and after `add()` of a new last layer: the output
shape, every layer's summary row, the JSON.

Every argument is a JSON value; an object is written `["ClassName", {arguments}]` (a
learning-rate schedule may be such a pair inside an optimizer's arguments) and a regularizer
as `{"class_name", "config"}`, so the tests build the same models from the file. Keras's
numpy backend cannot `fit` (the tests check frozen training against closed forms instead)
and fails in its symbolic build of top-k metrics, which are therefore not used here.

Needs only Keras with its numpy backend to regenerate (the tests never import Keras; it is
imported inside `main`):

    python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install keras jax scipy h5py
    KERAS_BACKEND=numpy /tmp/kvenv/bin/python tests/nn/data/make_keras_model_configs.py

Generated with keras 3.15.1 on numpy (the versions are stored in the file).
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# name: {"name": the model's name or None, "input": keras.Input arguments or None,
# "layers": [(class, arguments)], "build": an input shape for model.build() or None,
# "freeze_model": model.trainable = False, "freeze_layers": layers frozen one by one,
# "add_after": layers added after the freezing,
# "compile": compile's arguments or None, "data": (x shape, target kind) for evaluate}
MODELS: dict[str, dict[str, Any]] = {
    "dense_course": {
        "name": "digits_model",
        "input": {"shape": [400], "name": "pixels"},
        "layers": [
            (
                "Dense",
                {
                    "units": 25,
                    "activation": "relu",
                    "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.01}},
                    "name": "L1",
                },
            ),
            ("Dense", {"units": 15, "activation": "relu", "name": "L2"}),
            ("Dense", {"units": 10, "activation": "linear", "name": "L3"}),
        ],
        "compile": {
            "optimizer": [
                "Adam",
                {
                    "learning_rate": [
                        "ExponentialDecay",
                        {
                            "initial_learning_rate": 0.01,
                            "decay_steps": 100,
                            "decay_rate": 0.9,
                            "staircase": True,
                        },
                    ]
                },
            ],
            "loss": ["SparseCategoricalCrossentropy", {"from_logits": True}],
            "metrics": ["accuracy"],
            "weighted_metrics": [["SparseCategoricalAccuracy", {"name": "weighted_acc"}]],
        },
        "data": ([4, 400], "sparse"),
    },
    "conv": {
        "input": {"shape": [8, 8, 1]},
        "layers": [
            ("Conv2D", {"filters": 4, "kernel_size": 3, "activation": "relu"}),
            ("MaxPooling2D", {}),
            ("BatchNormalization", {}),
            ("Dropout", {"rate": 0.25}),
            ("Flatten", {}),
            ("Dense", {"units": 1, "activation": "sigmoid"}),
        ],
        "compile": {
            "optimizer": ["SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}],
            "loss": "binary_crossentropy",
            "metrics": ["accuracy", ["AUC", {}], ["Precision", {"name": "prec"}]],
            "weighted_metrics": ["mse"],
        },
        "data": ([4, 8, 8, 1], "binary"),
    },
    "unbuilt": {
        "layers": [("Dense", {"units": 8, "activation": "tanh"}), ("Dense", {"units": 1})],
        "compile": {
            "optimizer": "rmsprop",
            "loss": ["BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}],
            "metrics": [["BinaryAccuracy", {"threshold": 0.0}], "mae"],
        },
        "data": ([4, 3], "binary"),
    },
    "built_later_uncompiled": {
        "name": "later",
        "layers": [("Dense", {"units": 4, "name": "h"}), ("Dense", {"units": 2})],
        "build": [None, 3],
    },
    "frozen_layer": {
        "input": {"shape": [4]},
        "layers": [
            ("Dense", {"units": 3, "name": "frozen", "trainable": False}),
            ("Dense", {"units": 3, "activation": "softmax", "name": "out"}),
        ],
        "compile": {
            "optimizer": ["RMSprop", {"learning_rate": 0.01, "rho": 0.8}],
            "loss": ["CategoricalCrossentropy", {"label_smoothing": 0.1}],
            "metrics": [["CategoricalAccuracy", {}], "mse"],
            "jit_compile": False,
        },
        "data": ([4, 4], "one_hot"),
    },
    "frozen_model": {
        "input": {"shape": [5]},
        "layers": [
            ("Dense", {"units": 4, "activation": "relu", "name": "d1"}),
            ("BatchNormalization", {"name": "bn"}),
            ("Dense", {"units": 1, "name": "d2"}),
        ],
        "freeze_model": True,
        "compile": {"optimizer": ["Adam", {"learning_rate": 0.01}], "loss": "mse"},
        "data": ([4, 5], "regression"),
    },
    "every_layer_frozen": {
        "input": {"shape": [3]},
        "layers": [("Dense", {"units": 2, "name": "a"}), ("Dense", {"units": 1, "name": "b"})],
        "freeze_layers": ["a", "b"],
    },
    "frozen_then_added": {
        "input": {"shape": [3]},
        "layers": [("Dense", {"units": 2, "name": "a"})],
        "freeze_model": True,
        "add_after": [("Dense", {"units": 1, "name": "b"})],
    },
}
POP = "conv"  # the model popped and added to
NEW_LAYER = ("Dense", {"units": 3, "activation": "softmax", "name": "head"})


def make_object(module: Any, spec: Any) -> Any:
    """A name stays a name; ["Class", {arguments}] is an instance of `module`'s class (a
    schedule inside an optimizer's arguments too)."""
    if isinstance(spec, str):
        return spec
    cls, arguments = spec
    arguments = {
        key: make_object(module.schedules, value) if isinstance(value, list) else value
        for key, value in arguments.items()
    }
    return getattr(module, cls)(**arguments)


def compile_arguments(lib: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """compile's arguments of a case, with `lib`'s objects."""
    arguments = dict(spec)
    for key, module in (("optimizer", lib.optimizers), ("loss", lib.losses)):
        if key in spec:
            arguments[key] = make_object(module, spec[key])
    for key in ("metrics", "weighted_metrics"):
        if key in spec:
            arguments[key] = [make_object(lib.metrics, metric) for metric in spec[key]]
    return arguments


def build_model(lib: Any, case: dict[str, Any], clear_session: Any) -> Any:
    """The case's model made with `lib` (keras here, nn in the tests, whose names are the
    same) in a fresh session (`clear_session`: automatic names from `dense` and
    `sequential` again), then built, frozen and compiled as the case says."""
    clear_session()
    entries = [lib.Input(**case["input"])] if case.get("input") else []
    entries += [getattr(lib.layers, cls)(**arguments) for cls, arguments in case["layers"]]
    model = lib.Sequential(entries, name=case.get("name"))
    if case.get("build"):
        model.build(tuple(case["build"]))
    if case.get("freeze_model"):
        model.trainable = False
    for name in case.get("freeze_layers", []):
        model.get_layer(name).trainable = False
    for cls, arguments in case.get("add_after", []):
        model.add(getattr(lib.layers, cls)(**arguments))
    if case.get("compile"):
        model.compile(**compile_arguments(lib, case["compile"]))
    return model


def targets(kind: str, count: int, rng: np.random.Generator) -> list:
    """Small targets of each kind the models are compiled for."""
    if kind == "sparse":
        return rng.integers(0, 10, count).tolist()
    if kind == "binary":
        return rng.integers(0, 2, (count, 1)).astype(float).tolist()
    if kind == "one_hot":
        return np.eye(3)[rng.integers(0, 3, count)].tolist()
    return rng.normal(size=(count, 1)).round(3).tolist()


def summary_rows(model: Any) -> dict[str, Any]:
    """What `summary()` shows: each layer's name, class, output shape and parameter count,
    and the totals."""
    return {
        "rows": [
            [layer.name, type(layer).__name__, str(layer.output.shape), layer.count_params()]
            for layer in model.layers
        ],
        "counts": parameter_counts(model),
    }


def parameter_counts(model: Any) -> dict[str, int]:
    return {
        "total": int(sum(np.prod(w.shape) for w in model.weights)),
        "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        "non_trainable": int(sum(np.prod(w.shape) for w in model.non_trainable_weights)),
    }


def compiled_metrics(model: Any, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The metrics (class, name) `evaluate` makes of the compiled ones, and its log keys, as
    its symbolic build makes them (evaluate itself fails on the numpy backend for a model
    with a regularizer: it sums the list `model.losses` with ops.sum)."""
    compiled = model._compile_metrics
    if compiled is None:  # compiled without metrics
        return {"metrics": [], "weighted_metrics": [], "evaluate_keys": ["loss"]}
    y_pred = model.predict(x, verbose=0)
    compiled.build(y, y_pred)
    compiled.update_state(y, y_pred)
    # one MetricsList per output (None where a list was not given)
    return {
        key: [
            [type(m).__name__, m.name]
            for metrics in getattr(compiled, f"_flat_{key}")
            if metrics
            for m in metrics.metrics
        ]
        for key in ("metrics", "weighted_metrics")
    } | {"evaluate_keys": ["loss", *compiled.result()]}


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import keras

    rng = np.random.default_rng(20261207)
    out: dict[str, Any] = {
        "versions": {"keras": keras.__version__, "numpy": np.__version__},
        "backend": keras.backend.backend(),
        # the layer classes Keras marks built when they are made (no build of their own)
        "built_at_init": sorted(
            {
                cls
                for case in MODELS.values()
                for cls, arguments in case["layers"]
                if getattr(keras.layers, cls)(**arguments).built
            }
        ),
        "models": {},
    }

    def build(case: dict[str, Any]) -> Any:
        return build_model(keras, case, keras.backend.clear_session)

    for name, case in MODELS.items():
        model = build(case)
        text = model.to_json()
        stored: dict[str, Any] = {
            "spec": case,
            "json": json.loads(text),
            "weight_shapes": [list(w.shape) for w in model.weights],
            "counts": parameter_counts(model),
            "model_trainable": model.trainable,
            "layers_trainable": [layer.trainable for layer in model.layers],
        }
        model.trainable = False  # then unfrozen: every layer, those frozen by themselves too
        model.trainable = True
        stored["unfrozen"] = {
            "layers_trainable": [layer.trainable for layer in model.layers],
            "counts": parameter_counts(model),
        }
        loaded = keras.models.model_from_json(text)
        stored["loaded_weight_shapes"] = [list(w.shape) for w in loaded.weights]
        if case.get("compile"):
            loss = (
                loaded.loss if not isinstance(loaded.loss, str) else keras.losses.get(loaded.loss)
            )
            stored["compiled"] = {
                "optimizer": type(loaded.optimizer).__name__,
                "loss": loss.__name__
                if callable(loss) and not hasattr(loss, "get_config")
                else type(loss).__name__,
            }
            shape, kind = case["data"]
            x = rng.integers(0, 2, shape).astype(np.float32)
            y = targets(kind, shape[0], rng)
            stored["compiled"] |= compiled_metrics(loaded, x, np.asarray(y))
            stored["compiled"] |= {"x": x.astype(int).tolist(), "y": y}
        out["models"][name] = stored

    model = build(MODELS[POP])
    model.pop()
    popped = {"output_shape": list(model.output_shape), "json": json.loads(model.to_json())}
    popped |= summary_rows(model)
    cls, arguments = NEW_LAYER
    model.add(getattr(keras.layers, cls)(**arguments))
    added = {"output_shape": list(model.output_shape), "json": json.loads(model.to_json())}
    added |= summary_rows(model)
    out["pop"] = {"model": POP, "new_layer": NEW_LAYER, "popped": popped, "added": added}

    path = os.path.join(HERE, "keras_model_configs.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
