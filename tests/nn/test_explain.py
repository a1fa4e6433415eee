"""nn.explain: shape traces, parameter arithmetic, FLOPs and output memory, against hand counts."""

from __future__ import annotations

import pytest

import nn
from nn.explain import explain


def course_model() -> nn.Sequential:
    return nn.Sequential(
        [
            nn.Input(shape=(400,)),
            nn.Dense(25, activation="relu", name="L1"),
            nn.Dense(15, activation="relu", name="L2"),
            nn.Dense(10, name="L3"),
        ],
        name="my_model",
    )


def test_the_course_network_layer_by_layer():
    layers = explain(course_model()).layers
    assert layers[0].trace == "X (m, 400) @ W (400, 25) + b (25,) -> Z (m, 25) -> relu -> A (m, 25)"
    assert layers[2].trace == "X (m, 15) @ W (15, 10) + b (10,) -> Z (m, 10)"  # linear: A = Z
    assert [layer.arithmetic for layer in layers] == [
        "400*25 + 25 = 10,025",
        "25*15 + 15 = 390",
        "15*10 + 10 = 160",
    ]
    # 2 n k for the product, k for the bias, k for relu (linear costs nothing)
    assert [layer.flops for layer in layers] == [
        2 * 400 * 25 + 25 + 25,
        2 * 25 * 15 + 15 + 15,
        2 * 15 * 10 + 10,
    ]
    assert [layer.output_bytes for layer in layers] == [25 * 4, 15 * 4, 10 * 4]


def test_the_totals_and_the_text():
    explanation = explain(course_model())
    assert explanation.params == 10_025 + 390 + 160 == course_model().count_params()
    assert explanation.flops == 20_050 + 780 + 310
    text = str(explanation)
    assert text.splitlines()[0] == 'Model "my_model": one forward pass on m examples'
    assert "params 400*25 + 25 = 10,025 | FLOPs 20,050 per example | output 100 B" in text
    assert text.splitlines()[-1] == (
        "Total: 10,575 params, 21,140 FLOPs and 200 B of outputs per example"
    )


def test_a_small_cnn_counted_by_hand():
    model = nn.Sequential(
        [
            nn.Input(shape=(8, 8, 1)),
            nn.Conv2D(4, 3, activation="relu", name="C1"),
            nn.BatchNormalization(name="BN"),
            nn.MaxPooling2D(2, name="P1"),
            nn.Flatten(name="F"),
            nn.Dropout(0.25, name="D"),
            nn.Dense(10, activation="softmax", name="out"),
        ]
    )
    c1, bn, p1, flat, drop, out = explain(model).layers
    # 6 x 6 positions x 4 filters, each a 3*3*1 window: 2 * 9 FLOPs, + bias + relu
    assert c1.output_shape == (None, 6, 6, 4)
    assert c1.arithmetic == "3*3*1*4 + 4 = 40"
    assert c1.flops == 144 * 2 * 9 + 144 + 144
    assert c1.trace == (
        "X (m, 8, 8, 1) conv W (3, 3, 1, 4) (strides 1, valid) + b (4,) -> Z (m, 6, 6, 4) "
        "-> relu -> A (m, 6, 6, 4)"
    )
    assert (bn.arithmetic, bn.flops) == ("4 + 4 + 4 + 4 = 16", 4 * 144)
    assert (p1.output_shape, p1.flops) == ((None, 3, 3, 4), 36 * 3)  # 3 comparisons per max
    assert (
        p1.trace
        == "X (m, 6, 6, 4) -> max over 2x2 windows, strides (2, 2), valid -> A (m, 3, 3, 4)"
    )
    assert (flat.trace, flat.flops) == ("X (m, 3, 3, 4) -> flatten -> A (m, 36)", 0)
    assert (drop.flops, drop.output_bytes) == (0, 36 * 4)
    assert (out.arithmetic, out.flops) == ("36*10 + 10 = 370", 2 * 36 * 10 + 10 + 3 * 10)
    assert c1.output_bytes == 144 * 4


def test_conv1d_global_pooling_and_activation_layers():
    model = nn.Sequential(
        [
            nn.Input(shape=(100, 1)),
            nn.Conv1D(2, 20, strides=10, name="C"),
            nn.GlobalAveragePooling1D(name="G"),
            nn.Activation("sigmoid", name="S"),
            nn.Reshape((2, 1), name="R"),
        ]
    )
    c, g, s, r = explain(model).layers
    assert c.output_shape == (None, 9, 2)
    assert c.flops == 9 * 2 * (2 * 20) + 18  # linear: no activation cost
    assert g.flops == 2 * 9  # 8 additions and a division per channel
    assert (s.trace, s.flops) == ("X (m, 2) -> sigmoid -> A (m, 2)", 2)
    assert (r.trace, r.flops, r.params, r.arithmetic) == (
        "X (m, 2) -> reshape -> A (m, 2, 1)",
        0,
        0,
        "0",
    )


def test_an_unbuilt_model_is_refused_by_name():
    with pytest.raises(ValueError, match="explain: model 'tiny' is not built yet"):
        explain(nn.Sequential([nn.Dense(3)], name="tiny"))
