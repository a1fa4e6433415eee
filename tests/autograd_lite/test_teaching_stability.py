"""The stability lesson's numbers: naive, clipped (Keras) and from-logits cross-entropy."""

import matplotlib
import numpy as np
import pytest

from autograd_lite.teaching import cross_entropy_stability

matplotlib.use("Agg")


def test_binary_at_logit_40_in_float32():
    table = cross_entropy_stability("binary", [40.0])  # label 0: a confident wrong answer
    # sigmoid(40) rounds to exactly 1 in float32: log(1 - 1) = -inf, and inf * 0 = nan
    assert table.losses["naive"][0] == np.inf and np.isnan(table.grads["naive"][0])
    # Keras clips p to 1 - 1e-7 (0.99999988 in float32): -log(1.1920929e-07), gradient 0
    assert table.losses["clipped (Keras)"][0] == np.float32(-np.log(np.float32(1.1920929e-07)))
    assert table.losses["clipped (Keras)"][0] == pytest.approx(15.942385, rel=1e-6)
    assert table.grads["clipped (Keras)"][0] == 0.0
    # from logits: softplus(40) = 40 and sigmoid(40) - 0 = 1, exactly
    assert table.losses["from logits"][0] == 40.0 and table.grads["from logits"][0] == 1.0
    assert table.exact_loss[0] == 40.0 and table.exact_grad[0] == 1.0


def test_binary_label_1_and_float64_move_the_failure():
    assert cross_entropy_stability("binary", [-40.0], label=1).losses["naive"][0] == (
        pytest.approx(40.0, rel=1e-6)  # log(sigmoid(-40)) = log(4.2e-18) is fine in float32
    )
    # in float64, sigmoid(z) reaches exactly 1 only past z = 36.7
    table64 = cross_entropy_stability("binary", [20.0, 30.0, 40.0], dtype="float64")
    np.testing.assert_allclose(table64.losses["naive"][:2], [20.0, 30.0], rtol=1e-4)
    assert table64.losses["naive"][2] == np.inf


def test_categorical_forms_against_the_exact_value():
    table = cross_entropy_stability("categorical", [20.0, 90.0, 110.0])  # logits (z, 0, 0)
    exact = np.log(np.exp(np.array([20.0, 90.0, 110.0])) + 2)
    np.testing.assert_allclose(table.exact_loss, exact, rtol=1e-12)
    np.testing.assert_allclose(table.losses["from logits"], exact, rtol=1e-6)
    np.testing.assert_allclose(table.grads["from logits"], 1.0, rtol=1e-6)
    naive = table.losses["naive"]
    assert naive[0] == pytest.approx(20.0, rel=1e-6) and naive[1] == pytest.approx(90, rel=1e-2)
    assert naive[2] == np.inf  # softmax's e^-110 underflows to 0 in float32
    assert table.grads["naive"][1] == np.inf  # 1 / p for a subnormal p overflows
    clipped = -np.log(np.float32(1e-7))
    np.testing.assert_allclose(table.losses["clipped (Keras)"], clipped, rtol=1e-6)
    assert (table.grads["clipped (Keras)"] == 0).all()


def test_sweep_table_and_plot():
    table = cross_entropy_stability("binary")
    assert table.first_failure("from logits") is None
    assert table.first_failure("naive") == pytest.approx(15.0)
    assert table.first_failure("clipped (Keras)") == pytest.approx(15.0)
    rows = table.table().splitlines()
    assert rows[4].startswith("| 20 | inf | 15.9424 | 20 | 20 | nan | 0 | 1 | 1 |")
    figure = table.plot()
    loss_axes = figure.axes[0]
    assert [line.get_label() for line in loss_axes.get_lines() if line.get_label()[0] != "_"] == [
        "exact",
        "naive",
        "clipped (Keras)",
        "from logits",
    ]
    with pytest.raises(ValueError, match="kind must be 'binary' or 'categorical', got 'hinge'"):
        cross_entropy_stability("hinge")
