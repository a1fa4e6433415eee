"""Regenerate `keras_optimizers.npz`: Keras's optimizers step by step, for test_optimizers.py,
test_optimizer_arguments.py and test_schedules.py.

A Dense(2) layer on 3 inputs (`sequential/dense/kernel` (3, 2) and `sequential/dense/bias`
(2,), float32, fixed initial values) takes 40 steps of `optimizer.apply(gradients,
model.trainable_variables)` with a fixed sequence of gradients (normal numbers scaled by
0.2 to 3.2, so clipping by norm or value sometimes acts and sometimes not). One run per case:
every optimizer below, alone and with each of clipnorm, clipvalue, global_clipnorm and
weight_decay, and SGD and AdamW with each learning-rate schedule. Stored (the settings, then
Keras's side): the weights after every step (`weights/0`, `weights/1`: case, step, ...), the
learning rate the optimizer reports before every step (`learning_rates`), per case its
`variables` after the run (`variables/<case>`: their values flattened into one float64 array;
their names in `keras`: the order nn's `state_arrays` follows) and
`keras.optimizers.serialize(optimizer)`; per schedule its values at steps 0..59
(`schedule_values`) and its serialized form. TensorFlow runs eagerly, so every operation
rounds to float32 on its own, as nn's do.

Needs TensorFlow only to regenerate (the tests never import it):

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu
    /tmp/tfvenv/bin/python tests/nn/data/make_keras_optimizers.py

Generated with tensorflow-cpu 2.21.0 / keras 3.15.1 (the versions are stored in the file).
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 kernels, no reordered sums

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS, SCHEDULE_STEPS = 40, 60
# name: optimizer class and arguments (the same names in keras.optimizers and nn.optimizers)
OPTIMIZERS = {
    "sgd": ("SGD", {"learning_rate": 0.05}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "adam": ("Adam", {"learning_rate": 0.05}),
    "adam_amsgrad": (
        "Adam",
        {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3, "amsgrad": True},
    ),
    "adamw": ("AdamW", {"learning_rate": 0.05}),
    "adamw_amsgrad": ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.02, "amsgrad": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "adagrad_b": (
        "Adagrad",
        {"learning_rate": 0.1, "initial_accumulator_value": 0.05, "epsilon": 1e-4},
    ),
    "adamax": ("Adamax", {"learning_rate": 0.05}),
    "adamax_b": (
        "Adamax",
        {"learning_rate": 0.05, "beta_1": 0.85, "beta_2": 0.95, "epsilon": 1e-6},
    ),
    "nadam": ("Nadam", {"learning_rate": 0.05}),
    "nadam_b": ("Nadam", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.67, "epsilon": 1e-5}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01}),
    "rmsprop_momentum": ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 0.01, "centered": True}),
    "rmsprop_momentum_centered": (
        "RMSprop",
        {"learning_rate": 0.01, "momentum": 0.9, "centered": True, "epsilon": 1e-4},
    ),
}
VARIANTS = {
    "": {},
    "clipnorm": {"clipnorm": 2.0},
    "clipvalue": {"clipvalue": 0.5},
    "global_clipnorm": {"global_clipnorm": 3.0},
    "weight_decay": {"weight_decay": 0.1},
}
SCHEDULES = {
    "exponential": (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.6},
    ),
    "exponential_staircase": (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.6, "staircase": True},
    ),
    "piecewise": ("PiecewiseConstantDecay", {"boundaries": [10, 25], "values": [0.1, 0.03, 0.01]}),
    "polynomial": (
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 30, "end_learning_rate": 0.005, "power": 2.0},
    ),
    "polynomial_cycle": (
        "PolynomialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 15,
            "end_learning_rate": 0.005,
            "power": 0.5,
            "cycle": True,
        },
    ),
    "inverse_time": (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5},
    ),
    "inverse_time_staircase": (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5, "staircase": True},
    ),
    "cosine": ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 30, "alpha": 0.1}),
    "cosine_warmup": (
        "CosineDecay",
        {
            "initial_learning_rate": 0.0,
            "decay_steps": 25,
            "alpha": 0.05,
            "warmup_target": 0.1,
            "warmup_steps": 10,
        },
    ),
}


def cases() -> dict[str, dict]:
    """Every run: the optimizer's class, its arguments, and the schedule standing in for its
    learning rate (a name in SCHEDULES) or None."""
    runs = {}
    for name, (cls, arguments) in OPTIMIZERS.items():
        for variant, extra in VARIANTS.items():
            key = f"{name}+{variant}" if variant else name
            runs[key] = {"optimizer": cls, "arguments": {**arguments, **extra}, "schedule": None}
    for schedule in SCHEDULES:
        runs[f"sgd@{schedule}"] = {"optimizer": "SGD", "arguments": {}, "schedule": schedule}
        runs[f"adamw@{schedule}"] = {
            "optimizer": "AdamW",
            "arguments": {"weight_decay": 0.1},
            "schedule": schedule,
        }
    return runs


def main() -> None:
    # imported here, not at the top: pytest's doctest collection imports this file
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(3)
    initial = [
        rng.standard_normal((3, 2)).astype(np.float32),
        rng.standard_normal(2).astype(np.float32),
    ]
    scales = 0.2 + 3.0 * rng.random(STEPS)
    gradients = [
        (rng.standard_normal((STEPS, 3, 2)) * scales[:, None, None]).astype(np.float32),
        (rng.standard_normal((STEPS, 2)) * scales[:, None]).astype(np.float32),
    ]
    runs = cases()
    settings = {
        "steps": STEPS,
        "schedule_steps": SCHEDULE_STEPS,
        "cases": runs,
        "schedules": {
            name: {"class": cls, "arguments": arguments}
            for name, (cls, arguments) in SCHEDULES.items()
        },
    }
    keras_side: dict[str, dict] = {"configs": {}, "variable_names": {}, "schedule_configs": {}}

    def schedule(name: str):
        cls, arguments = SCHEDULES[name]
        return getattr(keras.optimizers.schedules, cls)(**arguments)

    schedule_values = []
    for name in SCHEDULES:
        made = schedule(name)
        steps = [keras.ops.convert_to_tensor(np.int64(t)) for t in range(SCHEDULE_STEPS)]
        schedule_values.append([np.asarray(made(t)) for t in steps])
        keras_side["schedule_configs"][name] = keras.optimizers.schedules.serialize(made)

    trajectories: list[list[np.ndarray]] = [[], []]
    rates, variables = [], {}
    for key, run in runs.items():
        keras.backend.clear_session()  # automatic names from `adam`, `sequential`, `dense`
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
        model.set_weights(initial)
        arguments = dict(run["arguments"])
        if run["schedule"] is not None:
            arguments["learning_rate"] = schedule(run["schedule"])
        optimizer = getattr(keras.optimizers, run["optimizer"])(**arguments)
        weights: list[list[np.ndarray]] = [[], []]
        rates.append([])
        for t in range(STEPS):
            rates[-1].append(float(np.asarray(optimizer.learning_rate)))
            optimizer.apply([tf.constant(g[t]) for g in gradients], model.trainable_variables)
            for i, w in enumerate(model.get_weights()):
                weights[i].append(w)
        for i in range(2):
            trajectories[i].append(np.array(weights[i]))
        keras_side["configs"][key] = keras.optimizers.serialize(optimizer)
        keras_side["variable_names"][key] = [v.name for v in optimizer.variables]
        # one flat float64 array per run: float32 values and the step count are exact in it
        variables[f"variables/{key}"] = np.concatenate(
            [np.ravel(v.numpy()).astype(np.float64) for v in optimizer.variables]
        )
        print(key, weights[0][-1].ravel()[:3])

    out = {
        "versions": np.array([tf.__version__, keras.__version__]),
        "settings": np.array(json.dumps(settings)),
        "keras": np.array(json.dumps(keras_side)),
        "initial/0": initial[0],
        "initial/1": initial[1],
        "gradients/0": gradients[0],
        "gradients/1": gradients[1],
        "schedule_values": np.array(schedule_values),  # (schedule, step), float32
        "weights/0": np.array(trajectories[0]),  # (case, step, 3, 2): after each step
        "weights/1": np.array(trajectories[1]),  # (case, step, 2)
        "learning_rates": np.array(rates),  # (case, step): before each step
        **variables,
    }
    path = os.path.join(HERE, "keras_optimizers.npz")
    np.savez_compressed(path, **out)
    print("wrote", path)


if __name__ == "__main__":
    main()
