"""The pooling layers: values against a plain loop, gradients against finite differences, ties,
shapes, summary rows, errors, and a traced fit."""

import itertools
import math

import numpy as np
import pytest

import autograd_lite as ag
import nn
from tests.numerics import assert_close

rng = np.random.default_rng(8)


def pool_by_hand(x, mode, pool_size, strides, padding):
    """The definition, one output at a time: the max or mean of the window's positions that
    lie inside the input (TensorFlow's 'same': ceil(n / stride) outputs, the overhang split
    with the odd position at the end)."""
    spatial = x.shape[1:-1]
    starts, counts = [], []
    for n, k, s in zip(spatial, pool_size, strides):
        if padding == "valid":
            count, before = (n - k) // s + 1, 0
        else:
            count = math.ceil(n / s)
            before = max((count - 1) * s + k - n, 0) // 2
        starts.append(before)
        counts.append(count)
    out = np.zeros((x.shape[0], *counts, x.shape[-1]))
    reduce = np.max if mode == "max" else np.mean
    for index in itertools.product(*(range(c) for c in counts)):
        window = tuple(
            slice(max(i * s - b, 0), min(i * s - b + k, n))
            for i, s, b, k, n in zip(index, strides, starts, pool_size, spatial)
        )
        block = x[(slice(None), *window)]
        out[(slice(None), *index)] = reduce(block.reshape(x.shape[0], -1, x.shape[-1]), axis=1)
    return out


CASES = [  # layer class, pool_size, strides, padding, input shape
    ("MaxPooling1D", (2,), None, "valid", (3, 9, 2)),
    ("MaxPooling1D", (3,), (2,), "same", (2, 8, 3)),
    ("MaxPooling1D", (4,), (1,), "same", (2, 7, 1)),
    ("MaxPooling1D", (3,), (3,), "same", (1, 10, 2)),
    ("AveragePooling1D", (2,), None, "valid", (3, 9, 2)),
    ("AveragePooling1D", (3,), (2,), "same", (2, 8, 3)),
    ("AveragePooling1D", (5,), (1,), "same", (2, 6, 1)),
    ("MaxPooling2D", (2, 2), None, "valid", (2, 6, 7, 2)),
    ("MaxPooling2D", (3, 3), (2, 2), "same", (2, 7, 6, 3)),
    ("MaxPooling2D", (2, 3), (1, 2), "valid", (1, 5, 7, 2)),
    ("MaxPooling2D", (3, 2), (2, 1), "same", (2, 5, 4, 1)),
    ("AveragePooling2D", (2, 2), None, "valid", (2, 6, 7, 2)),
    ("AveragePooling2D", (3, 3), (2, 2), "same", (2, 7, 6, 3)),
    ("AveragePooling2D", (2, 3), (2, 1), "same", (1, 5, 7, 2)),
    # windows side by side (strides = pool_size), the blocks path: some positions dropped,
    # none dropped, or 'same' on sizes it divides (no overhang)
    ("MaxPooling2D", (3, 2), None, "valid", (2, 8, 5, 3)),
    ("MaxPooling2D", (2, 3), None, "same", (2, 4, 6, 3)),
    ("AveragePooling1D", (3,), None, "valid", (2, 11, 2)),
    ("AveragePooling2D", (2, 2), (2, 2), "valid", (3, 4, 6, 2)),
]
IDS = [f"{c[0]}-{c[1]}-{c[2]}-{c[3]}-{c[4]}" for c in CASES]


def make(cls, pool_size, strides, padding, dtype="float32"):
    return getattr(nn, cls)(pool_size=pool_size, strides=strides, padding=padding, dtype=dtype)


@pytest.mark.parametrize("cls, pool_size, strides, padding, shape", CASES, ids=IDS)
def test_pooling_matches_the_definition(cls, pool_size, strides, padding, shape):
    x = rng.standard_normal(shape) - 3  # all negative: a padded zero would win a max
    layer = make(cls, pool_size, strides, padding, "float64")
    out = layer(x)
    mode = "max" if cls.startswith("Max") else "average"
    expected = pool_by_hand(x, mode, pool_size, strides or pool_size, padding)
    assert_close(out, expected)
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *expected.shape[1:])


@pytest.mark.parametrize("cls, pool_size, strides, padding, shape", CASES, ids=IDS)
def test_pooling_gradients_match_finite_differences(cls, pool_size, strides, padding, shape):
    layer = make(cls, pool_size, strides, padding, "float64")
    x = ag.Tensor(rng.standard_normal(shape), requires_grad=True)  # no ties (almost surely)
    assert ag.gradcheck(lambda t: layer(t), [x])


@pytest.mark.parametrize(
    "cls, shape",
    [
        ("GlobalMaxPooling1D", (3, 5, 2)),
        ("GlobalAveragePooling1D", (3, 5, 2)),
        ("GlobalMaxPooling2D", (2, 4, 3, 2)),
        ("GlobalAveragePooling2D", (2, 4, 3, 2)),
    ],
)
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_values_shapes_and_gradients(cls, shape, keepdims):
    layer = getattr(nn, cls)(keepdims=keepdims, dtype="float64")
    x = rng.standard_normal(shape)
    spatial = tuple(range(1, len(shape) - 1))
    reduce = np.max if "Max" in cls else np.mean
    expected = reduce(x, axis=spatial, keepdims=keepdims)
    assert_close(layer(x), expected)
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *expected.shape[1:])
    assert ag.gradcheck(lambda t: layer(t), [ag.Tensor(x, requires_grad=True)])


def test_max_pooling_ties_share_the_gradient_evenly():
    """The engine's max convention; TensorFlow's kernel gives all of it to the first maximum
    (0, 1, 0, 0 here), PyTorch's too. Overlapping windows each pass their own share."""
    x = ag.Tensor(np.array([[[1.0], [3.0], [3.0], [2.0]]]), requires_grad=True)
    nn.MaxPooling1D(pool_size=4)(x).sum().backward()
    assert_close(x.grad[0, :, 0], [0.0, 0.5, 0.5, 0.0], exact=True)
    x.grad = None
    nn.MaxPooling1D(pool_size=2, strides=1)(x).sum().backward()  # windows (1,3) (3,3) (3,2)
    assert_close(x.grad[0, :, 0], [0.0, 1.5, 1.5, 0.0], exact=True)


def test_ties_in_a_block_of_side_by_side_windows_share_the_gradient_evenly():
    # one 2 x 2 window with three equal maxima (ReLU zeros), one with a single maximum
    x = ag.Tensor(np.array([[[[0.0], [0.0], [1.0], [5.0]], [[0.0], [-1.0], [2.0], [3.0]]]]))
    x.requires_grad = True
    out = nn.MaxPooling2D(dtype="float64")(x)
    assert_close(out.data[0, :, :, 0], [[0.0, 5.0]], exact=True)
    (out * np.array([3.0, 2.0]).reshape(1, 1, 2, 1)).sum().backward()
    assert_close(x.grad[0, :, :, 0], [[1.0, 1.0, 0.0, 2.0], [1.0, 0.0, 0.0, 0.0]], exact=True)


def graph_ops(t: ag.Tensor) -> set[str]:
    """The names of the ops that made `t`."""
    seen, stack, names = set(), [t], set()
    while stack:
        node = stack.pop()
        if id(node) in seen or node.op is None:
            continue
        seen.add(id(node))
        names.add(type(node.op).__name__)
        stack.extend(node.parents)
    return names


@pytest.mark.parametrize("cls", ["MaxPooling2D", "AveragePooling2D"])
def test_side_by_side_windows_are_reduced_over_a_leading_axis(cls):
    """Speed (issue 10's benchmark): windows that neither overlap nor overhang are blocks of a
    reshape moved to a leading axis, not a sliding-window view (numpy reduces its trailing
    window axes several times slower); overlapping windows keep the view."""
    x = ag.Tensor(rng.standard_normal((2, 7, 6, 3)), requires_grad=True)
    out = getattr(nn, cls)(2, dtype="float64")(x)
    assert "SlidingWindows" not in graph_ops(out)
    reduction = out if cls.startswith("Max") else out.parents[0]
    assert type(reduction.op).__name__ in ("Max", "Sum") and reduction.op.axis == (0,)
    assert "SlidingWindows" in graph_ops(getattr(nn, cls)(2, strides=1, dtype="float64")(x))
    assert ag.gradgradcheck(lambda t: getattr(nn, cls)(2, dtype="float64")(t), [x])


def test_same_padding_is_ignored_by_max_and_average():
    """TensorFlow's 'same' pooling: padded positions never win a max and do not count in a
    mean; their gradient goes only to the input's positions."""
    x = ag.Tensor(np.array([[[-4.0], [-2.0], [-6.0]]]), requires_grad=True)
    out = nn.MaxPooling1D(pool_size=2, padding="same")(x)  # windows (-4, -2) and (-6, pad)
    assert_close(out.data[0, :, 0], [-2.0, -6.0], exact=True)
    out.sum().backward()
    assert_close(x.grad[0, :, 0], [0.0, 1.0, 1.0], exact=True)
    x.grad = None
    out = nn.AveragePooling1D(pool_size=2, padding="same")(x)
    assert_close(out.data[0, :, 0], [-3.0, -6.0], exact=True)  # -6 / 1, not (-6 + 0) / 2
    out.sum().backward()
    assert_close(x.grad[0, :, 0], [0.5, 0.5, 1.0], exact=True)


def test_defaults_names_and_strides_default_to_pool_size():
    names = [nn.MaxPooling1D().name, nn.MaxPooling1D().name, nn.GlobalAveragePooling2D().name]
    assert names == ["max_pooling1d", "max_pooling1d_1", "global_average_pooling2d"]
    layer = nn.MaxPooling2D()
    assert (layer.pool_size, layer.strides, layer.padding) == ((2, 2), (2, 2), "valid")
    assert (nn.AveragePooling1D(3).pool_size, nn.AveragePooling1D(3).strides) == ((3,), (3,))
    assert nn.MaxPooling1D(3, strides=1).strides == (1,)


def test_summary_shows_keras_shapes_and_no_parameters():
    model = nn.Sequential(
        [
            nn.Input(shape=(28, 28, 1)),
            nn.MaxPooling2D(2, name="pool"),
            nn.AveragePooling2D(3, strides=2, padding="same", name="avg"),
            nn.GlobalMaxPooling2D(name="global"),
        ]
    )
    lines = []
    model.summary(print_fn=lines.append)
    rows = [line.split() for line in lines if line.startswith(" pool") or "(None" in line]
    # MaxPooling2D: (28 - 2) // 2 + 1 = 14; 'same': ceil(14 / 2) = 7
    assert rows == [
        ["pool", "(MaxPooling2D)", "(None,", "14,", "14,", "1)", "0"],
        ["avg", "(AveragePooling2D)", "(None,", "7,", "7,", "1)", "0"],
        ["global", "(GlobalMaxPooling2D)", "(None,", "1)", "0"],
    ]


def test_a_model_with_same_pooling_replays_its_step_and_equals_eager_fit():
    """The 'same' padding's mask is made of engine ops, so the traced fit does not fall back."""
    x = rng.standard_normal((24, 7, 2)).astype(np.float32)
    y = rng.integers(0, 3, 24)
    runs = []
    for run_eagerly in (False, True):
        nn.set_seed(3)
        model = nn.Sequential(
            [
                nn.Input(shape=(7, 2)),
                nn.Conv1D(4, 2, activation="relu"),
                nn.MaxPooling1D(3, strides=2, padding="same"),
                nn.AveragePooling1D(2, padding="same"),
                nn.Flatten(),
                nn.Dense(3),
            ]
        )
        model.compile(
            loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
            optimizer=nn.optimizers.Adam(0.01),
            run_eagerly=run_eagerly,
        )
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        runs.append(model)
    traced, eager = runs
    assert len(traced._train_function.replays) == 1 and not traced._train_function.eager_reasons
    for a, b in zip(traced.get_weights(), eager.get_weights()):
        assert_close(a, b)


@pytest.mark.parametrize(
    "make_layer, message",
    [
        (lambda: nn.MaxPooling2D(pool_size=0), r"MaxPooling2D: `pool_size` must be a positive"),
        (lambda: nn.MaxPooling2D(pool_size=(2, 2, 2)), r"tuple of 2 positive integers, received"),
        (lambda: nn.AveragePooling1D(2, strides=-1), r"AveragePooling1D: `strides` must be"),
        (lambda: nn.MaxPooling1D(2, padding="causal"), r"padding must be 'valid' or 'same', rec"),
        (lambda: nn.GlobalMaxPooling1D(keepdims=1), r"GlobalMaxPooling1D: keepdims must be True"),
    ],
)
def test_bad_settings_are_refused_by_name(make_layer, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make_layer()


def test_bad_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match=r"'max_pooling2d' \(MaxPooling2D\) needs inputs of sh"):
        nn.MaxPooling2D()(np.ones((2, 4, 3)))
    with pytest.raises(ValueError, match=r"\(GlobalAveragePooling1D\) needs inputs of shape \(b"):
        nn.GlobalAveragePooling1D()(np.ones((2, 4, 3, 1)))
    with pytest.raises(ValueError, match=r"\(MaxPooling1D\): 2 steps are fewer than pool_size=3"):
        nn.MaxPooling1D(3)(np.ones((1, 2, 1)))
    with pytest.raises(ValueError, match=r"3 columns are fewer than pool_size=4 with padding="):
        nn.Sequential([nn.Input(shape=(8, 3, 1)), nn.AveragePooling2D(4)])
