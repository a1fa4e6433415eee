"""nn.metrics against Keras 3.15.1's metrics (numbers stored by data/make_keras_metrics.py),
closed forms, names and errors."""

import json
import os
import warnings

import numpy as np
import pytest

import nn
from nn import Dense, Sequential, metrics
from nn.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)
from tests.numerics import assert_close

DATA = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_metrics.npz"))
CASES = json.loads(str(DATA["cases"]))
BATCHES = [int(b) for b in DATA["batches"]]


def make(case):
    arguments = dict(case["arguments"])
    if "fn" in arguments:
        arguments["fn"] = getattr(metrics, arguments["fn"])
    return getattr(metrics, case["class"])(**arguments)


def run(case, weighted):
    y_true = DATA[f"data/{case['dataset']}/y_true"]
    y_pred = DATA[f"data/{case['dataset']}/y_pred"]
    weights = np.asarray(case["weights_array"], np.float32)
    metric, results, start = make(case), [], 0
    for size in BATCHES:
        rows = slice(start, start + size)
        w = weights[rows] if weighted else None
        if case["class"] == "Mean":
            metric.update_state(y_pred[rows], sample_weight=w)
        else:
            metric.update_state(y_true[rows], y_pred[rows], sample_weight=w)
        results.append(metric.result())
        start += size
    return metric, results


def test_the_reference_was_made_by_keras_3_15_1():
    assert DATA["versions"][1] == "3.15.1"


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_results_batch_by_batch_equal_keras(name, weighted):
    case = CASES[name]
    _, results = run(case, weighted)
    expected = case["weighted" if weighted else "unweighted"]
    for step, (ours, theirs) in enumerate(zip(results, expected, strict=True)):
        assert np.shape(ours) == np.shape(theirs), f"{name} after batch {step}"
        assert_close(np.float32(ours), np.float32(theirs), err_msg=f"{name} after batch {step}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_configs_and_directions_equal_keras(name):
    case = CASES[name]
    metric = make(case)
    config = metric.get_config()
    assert config.pop("name") == metric.name
    expected = dict(case["config"])
    del expected["name"]
    assert config == expected
    assert json.loads(json.dumps(config)) == config
    assert metric._direction == case["direction"]
    rebuilt = type(metric).from_config(metric.get_config())
    assert rebuilt.get_config() == metric.get_config()


def test_reset_state_starts_again_and_results_survive_a_round_trip_of_the_config():
    case = CASES["auc_multilabel_weights"]
    metric, results = run(case, weighted=True)
    metric.reset_state()
    assert metric.result() == 0.0
    y_true, y_pred = DATA["data/multilabel/y_true"], DATA["data/multilabel/y_pred"]
    again = type(metric).from_config(metric.get_config())
    for m in (metric, again):
        m.update_state(y_true[:7], y_pred[:7], sample_weight=case["weights_array"][:7])
    assert metric.result() == again.result() == results[0]


def test_mean_closed_forms():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    m.update_state(np.array([[2.0, 4.0]]), sample_weight=[2.0])  # a sample's mean, 3, twice
    assert_close(np.float32(m.result()), np.float32((1 + 3 + 2 * 3) / 4))
    loss = metrics.Mean(name="loss")  # how fit tracks the loss: a batch's mean, weighed by its size
    loss.update_state(np.float32(0.5), sample_weight=32)
    loss.update_state(np.float32(2.0), sample_weight=8)
    assert_close(np.float32(loss.result()), np.float32((0.5 * 32 + 2.0 * 8) / 40))
    assert metrics.Mean().result() == 0.0  # nothing seen: 0, not NaN
    assert isinstance(loss.result(), float) and loss.total.dtype == np.float32


def test_a_scalar_weight_counts_the_batch_as_one_sample_as_keras_does():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0], sample_weight=1.0)
    m.update_state([10.0], sample_weight=1.0)
    assert_close(np.float32(m.result()), np.float32((2.0 + 10.0) / 2))


def test_float64_metrics_accumulate_in_float64():
    m = metrics.Mean(dtype="float64")
    m.update_state(np.full(3, 0.1))
    assert m.total.dtype == np.float64 and m.get_config()["dtype"] == "float64"
    assert_close(np.float64(m.result()), 0.1)


def test_precision_and_recall_closed_forms():
    y_true = np.array([1, 1, 0, 0, 1])
    y_pred = np.array([0.9, 0.4, 0.6, 0.1, 0.5])  # 0.5 is not > 0.5
    p, r = metrics.Precision(), metrics.Recall()
    assert p(y_true, y_pred) == pytest.approx(1 / 2) and r(y_true, y_pred) == pytest.approx(1 / 3)
    p = metrics.Precision(thresholds=[0.3, 0.55])
    assert_close(p(y_true, y_pred), np.float32([3 / 4, 1 / 2]))
    assert metrics.Precision()(np.zeros(3), np.zeros(3)) == 0.0  # no positive prediction: 0


def test_auc_closed_form_is_the_trapezoid_sum_of_the_roc_points():
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0.1, 0.6, 0.4, 0.9])
    # thresholds -1e-7, 0.5, 1 + 1e-7: (fpr, tpr) = (1, 1), (0.5, 0.5), (0, 0)
    assert_close(np.float32(metrics.AUC(num_thresholds=3)(y_true, y_pred)), np.float32(0.5))
    # with many thresholds it is the probability that a positive outranks a negative: 3/4
    assert_close(np.float32(metrics.AUC(num_thresholds=1000)(y_true, y_pred)), np.float32(0.75))


def test_accuracy_functions_stay_per_sample():
    y, logits = np.array([[1.0], [0.0], [1.0]]), np.array([[0.3], [-0.2], [0.7]])
    np.testing.assert_array_equal(metrics.binary_accuracy(y, logits), np.float32([0, 1, 1]))
    np.testing.assert_array_equal(metrics.binary_accuracy_from_logits(y, logits), [1, 1, 1])
    np.testing.assert_array_equal(metrics.binary_accuracy(y[:, 0], logits), [0, 1, 1])  # (m,)
    scores = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]])
    np.testing.assert_array_equal(
        metrics.sparse_top_k_categorical_accuracy([0, 0], scores, 2), [0, 1]
    )
    np.testing.assert_array_equal(
        metrics.top_k_categorical_accuracy(np.eye(3)[[2, 1]], scores, 1), [0, 0]
    )


NAMES = json.loads(str(DATA["names"]))


@pytest.mark.parametrize("identifier, true_shape, pred_shape, cls, name", NAMES)
def test_names_resolve_as_keras_compile_does(identifier, true_shape, pred_shape, cls, name):
    # compile's y_true is what the loss takes: integer labels (one rank less) for the sparse one
    sparse = len(true_shape) < len(pred_shape) or (true_shape[-1] == 1 and pred_shape[-1] > 1)
    loss = SparseCategoricalCrossentropy() if sparse else MeanSquaredError()
    metric = metrics.get(identifier, loss, tuple(pred_shape))
    assert (type(metric).__name__, metric.name) == (cls, name)


def test_get_takes_instances_classes_functions_and_records():
    precision = metrics.Precision(name="p")
    assert metrics.get(precision) is precision  # the same object, as Keras: its state is yours
    assert type(metrics.get(metrics.Recall)).__name__ == "Recall"
    wrapped = metrics.get(metrics.binary_accuracy_from_logits)
    assert isinstance(wrapped, metrics.MeanMetricWrapper)
    assert wrapped.name == "binary_accuracy_from_logits"

    def my_score(y_true, y_pred):
        return np.abs(y_true - y_pred)[:, 0]

    assert metrics.get(my_score).name == "my_score"
    assert metrics.get(my_score)(np.ones((2, 1)), np.zeros((2, 1))) == 1.0
    record = metrics.serialize(metrics.AUC(curve="pr", name="pr_auc"))
    assert record["module"] == "keras.metrics" and record["config"]["curve"] == "PR"
    assert metrics.get(record).get_config() == record["config"]
    function = metrics.get(metrics.serialize(metrics.binary_accuracy))
    assert function.name == "binary_accuracy" and function._fn is metrics.binary_accuracy


def test_automatic_names_count_up_as_keras_and_restart_with_the_session():
    assert [metrics.Precision().name for _ in range(2)] == ["precision", "precision_1"]
    assert metrics.BinaryAccuracy().name == metrics.BinaryAccuracy().name == "binary_accuracy"
    nn.clear_session()
    assert metrics.Precision().name == "precision"


def test_accuracy_warnings():
    with pytest.warns(UserWarning, match=r"thresholds the model's outputs, which are logits"):
        metrics.get("accuracy", BinaryCrossentropy(from_logits=True), (None, 1))
    with pytest.warns(UserWarning, match=r"is categorical accuracy.*metrics=\['binary_accuracy'\]"):
        metric = metrics.get("accuracy", BinaryCrossentropy(), (None, 3))
    assert isinstance(metric, metrics.CategoricalAccuracy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.get("accuracy", CategoricalCrossentropy(from_logits=True), (None, 3))
        metrics.get("binary_accuracy", BinaryCrossentropy(), (None, 3))
        metrics.get(metrics.BinaryAccuracy(threshold=0.0), BinaryCrossentropy(from_logits=True))


@pytest.mark.parametrize(
    "make_bad, error, message",
    [
        (lambda: metrics.get("acuracy"), ValueError, r"Unknown metric 'acuracy'. Valid names:"),
        (lambda: metrics.get(3), TypeError, r"Could not interpret metric identifier 3"),
        (
            lambda: metrics.Precision(thresholds=[0.5, 1.5]),
            ValueError,
            r"Precision: thresholds must lie in \[0, 1\], got \[0.5, 1.5\]",
        ),
        (
            lambda: metrics.Recall(thresholds="high"),
            TypeError,
            r"Recall: thresholds must be a number, got 'high'",
        ),
        (
            lambda: metrics.Precision(top_k=0),
            ValueError,
            r"Precision: top_k must be a positive integer, got 0",
        ),
        (
            lambda: metrics.Recall(class_id=-1),
            ValueError,
            r"Recall: class_id must be a class index",
        ),
        (
            lambda: metrics.AUC(num_thresholds=1),
            ValueError,
            r"AUC: num_thresholds must be an integer > 1, got 1",
        ),
        (
            lambda: metrics.AUC(curve="RC"),
            ValueError,
            r"AUC: curve must be one of ROC, PR, PRGAIN, got 'RC'",
        ),
        (
            lambda: metrics.AUC(summation_method="mid"),
            ValueError,
            r"AUC: summation_method must be one of",
        ),
        (
            lambda: metrics.AUC(num_labels=3),
            ValueError,
            r"AUC: num_labels is needed only when multi_label=True",
        ),
        (
            lambda: metrics.AUC(from_logits=1),
            TypeError,
            r"AUC: from_logits must be True or False, got 1",
        ),
        (
            lambda: metrics.TopKCategoricalAccuracy(k=2.5),
            ValueError,
            r"TopKCategoricalAccuracy: k must be a positive integer, got 2.5",
        ),
        (
            lambda: metrics.BinaryAccuracy(threshold="0.5"),
            TypeError,
            r"BinaryAccuracy: threshold must be a number, got '0.5'",
        ),
        (
            lambda: metrics.Mean(name=""),
            TypeError,
            r"Mean: name must be a non-empty string, got ''",
        ),
        (
            lambda: metrics.Mean(dtype="int32"),
            TypeError,
            r"Mean: dtype must be a float type such as 'float32', got 'int32'",
        ),
        (
            lambda: metrics.MeanMetricWrapper(fn="mse"),
            TypeError,
            r"MeanMetricWrapper: fn must be a function",
        ),
        (
            lambda: metrics.Mean().update_state(["a"]),
            TypeError,
            r"mean: values must be numeric, got dtype <U1",
        ),
        (
            lambda: metrics.Mean().update_state([1, 2, 3], sample_weight=[1, 2]),
            ValueError,
            r"mean: sample_weight of shape \(2,\) does not fit per-sample values of shape \(3,\)",
        ),
        (
            lambda: metrics.Precision(name="p").update_state([1, 0], [0.2, 0.4, 0.6]),
            ValueError,
            r"p: y_true of shape \(2,\) does not match y_pred of shape \(3,\)",
        ),
        (
            lambda: metrics.Precision(class_id=3, name="p").update_state(np.eye(3), np.eye(3)),
            ValueError,
            r"p: class_id=3 needs y_pred of shape \(samples, classes\) with more than 3 classes",
        ),
        (
            lambda: metrics.AUC(multi_label=True, name="a").update_state([1, 0], [0.2, 0.4]),
            ValueError,
            r"a: with multi_label=True y_pred must have shape \(samples, labels\), got \(2,\)",
        ),
        (
            lambda: metrics.sparse_top_k_categorical_accuracy([0, 3], np.eye(3)[:2]),
            ValueError,
            r"sparse_top_k_categorical_accuracy: label 3 at index 1 is out of range for 3 classes",
        ),
        (
            lambda: metrics.deserialize(
                {
                    "module": "builtins",
                    "class_name": "function",
                    "config": "f1",
                    "registered_name": "function",
                }
            ),
            ValueError,
            r"Unknown metric function 'f1' in a config",
        ),
        (
            lambda: metrics.deserialize({"class_name": "F1Score", "config": {}}),
            ValueError,
            r"Unknown metric class 'F1Score' in a config",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(make_bad, error, message):
    with pytest.raises(error, match=message):
        make_bad()


FIT_RUNS = json.loads(str(DATA["fit/runs"]))


@pytest.mark.parametrize("run", sorted(FIT_RUNS))
def test_fit_logs_every_batch_and_epoch_as_keras(run):
    """Keras's fit with metrics=['accuracy', Precision(), Recall(), AUC()] (and, in the
    weighted run, sample weights with weighted_metrics=[AUC()]) from the same weights."""
    model = Sequential([nn.Input(shape=(3,)), Dense(4, activation="relu"), Dense(1, "sigmoid")])
    model.set_weights([DATA[f"fit/initial/{i}"] for i in range(4)])
    if run == "metrics":
        compiled = {"metrics": ["accuracy", metrics.Precision(), metrics.Recall(), metrics.AUC()]}
        weights = {}
    else:
        compiled = {"metrics": ["accuracy"], "weighted_metrics": [metrics.AUC()]}
        weights = {"sample_weight": DATA["fit/sample_weight"]}
    model.compile(loss="binary_crossentropy", optimizer=nn.optimizers.Adam(0.01), **compiled)
    batch_logs = []
    record = nn.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batch_logs.append(dict(logs))
    )
    history = model.fit(
        DATA["fit/x"],
        DATA["fit/y"],
        batch_size=16,
        epochs=3,
        shuffle=False,
        verbose=0,
        validation_data=(DATA["fit/x_val"], DATA["fit/y_val"]),
        callbacks=[record],
        **weights,
    )
    keras = FIT_RUNS[run]
    assert sorted(history.history) == sorted(keras["history"])
    for key, values in keras["history"].items():
        assert_close(np.float32(history.history[key]), np.float32(values), err_msg=key)
    assert len(batch_logs) == len(keras["batch_logs"])
    for ours, theirs in zip(batch_logs, keras["batch_logs"], strict=True):
        assert sorted(ours) == sorted(theirs)
        assert_close(np.float32([ours[k] for k in theirs]), np.float32(list(theirs.values())))
