"""TrainingDiagnostics: per-layer figures of fit's steps, against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn.diagnostics import TrainingDiagnostics, activation_figures, plot_diagnostics

X = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0], [1.0, 1.0]], np.float32)
Y = np.array([1.0, 0.0, 2.0, 1.5], np.float32)
W1 = np.array([[0.5, -0.3, -2.0], [0.2, 0.4, -1.0]], np.float32)  # unit 2 dead on X (z < 0)
W2 = np.array([[0.7], [-0.6], [0.9]], np.float32)


def small_model(optimizer) -> nn.Sequential:
    model = nn.Sequential(
        [nn.Input(shape=(2,)), nn.Dense(3, activation="relu", name="L1"), nn.Dense(1, name="L2")]
    )
    model.set_weights([W1, np.array([0.1, 0.0, -0.5], np.float32), W2, np.zeros(1, np.float32)])
    model.compile(loss="mse", optimizer=optimizer)
    return model


def hand_gradients(weights: list[np.ndarray]) -> list[np.ndarray]:
    """The mse gradients of the 2-3-1 relu network, by the textbook formulas, in float64."""
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    x, y = X.astype(np.float64), Y.astype(np.float64)[:, None]
    z1 = x @ w1 + b1
    a1 = np.maximum(z1, 0)
    dy = 2 * (a1 @ w2 + b2 - y) / len(x)
    dz1 = dy @ w2.T * (z1 > 0)
    return [x.T @ dz1, dz1.sum(0), a1.T @ dy, dy.sum(0)]


def fit_one_step(optimizer, **options):
    model = small_model(optimizer)
    before = model.get_weights()
    diagnostics = TrainingDiagnostics(X, **options)
    history = model.fit(
        X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[diagnostics]
    )
    return model, before, history.history


def test_sgd_figures_match_the_hand_computed_step():
    _, before, logs = fit_one_step(nn.optimizers.SGD(learning_rate=0.1))
    g = hand_gradients(before)
    for name, (gk, gb), (wk, wb) in (("L1", g[:2], before[:2]), ("L2", g[2:], before[2:])):
        flat_g = np.concatenate([gk.ravel(), gb.ravel()])
        flat_w = np.concatenate([wk.ravel(), wb.ravel()])
        norm = np.linalg.norm(flat_g)
        np.testing.assert_allclose(logs[f"{name}/grad_norm"], [norm], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            logs[f"{name}/update_ratio"], [0.1 * norm / np.linalg.norm(flat_w)], rtol=1e-5
        )
        gd_step = 0.1 * np.abs(flat_g).mean()
        np.testing.assert_allclose(logs[f"{name}/gd_step"], [gd_step], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(logs[f"{name}/step"], [gd_step], rtol=1e-4, atol=1e-7)
    # unit 2 of L1 outputs 0 on every example before and after the step: 1 of 3 units dead
    assert logs["L1/dead_relu"] == [pytest.approx(1 / 3)]
    assert "L2/dead_relu" not in logs and "L1/saturated" not in logs


def test_adam_takes_steps_of_about_the_learning_rate_where_gradient_descent_would_not():
    _, before, logs = fit_one_step(nn.optimizers.Adam(learning_rate=0.01), verbose=False)
    g = np.concatenate([a.ravel() for a in hand_gradients(before)[:2]])
    # Keras's first Adam step: lr * g sqrt(1 - beta_2) / (|g| sqrt(1 - beta_2) + epsilon)
    root = np.sqrt(1 - 0.999)
    adam = 0.01 * np.abs(g) * root / (np.abs(g) * root + 1e-7)
    np.testing.assert_allclose(logs["L1/step"], [adam.mean()], rtol=1e-4)
    np.testing.assert_allclose(logs["L1/gd_step"], [0.01 * np.abs(g).mean()], rtol=1e-5)
    # so every weight with a gradient moves by about lr, however small its gradient
    assert logs["L1/step"][0] == pytest.approx(0.01 * np.mean(g != 0), rel=1e-3)


def test_saturated_sigmoid_outputs_are_counted():
    model = nn.Sequential([nn.Input(shape=(1,)), nn.Dense(4, activation="sigmoid", name="S")])
    model.set_weights([np.array([[-10.0, 0.0, 10.0, 3.0]], np.float32), np.zeros(4, np.float32)])
    figures = activation_figures(model, np.array([[1.0], [0.1]], np.float32))
    # x = 1: sigmoid of -10, 0, 10, 3 -> two saturated; x = 0.1: of -1, 0, 1, 0.3 -> none
    assert figures == {"S/saturated": pytest.approx(2 / 8)}


def test_the_figures_are_printed_under_the_progress_line(capsys):
    model = small_model(nn.optimizers.SGD(learning_rate=0.1))
    model.fit(X, Y, batch_size=2, epochs=2, verbose=2, callbacks=[TrainingDiagnostics(X)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert lines[2].startswith("  L1: grad_norm ") and "dead_relu 0.3333" in lines[2]
    assert lines[3].startswith("  L2: grad_norm ")


def test_the_picture_has_a_panel_per_figure():
    _, _, logs = fit_one_step(nn.optimizers.SGD(learning_rate=0.1))
    fig = plot_diagnostics(logs)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [
        "gradient norm ||g||",
        "update / weight",
        "mean |step| (dashed: plain GD)",
        "dead ReLU units",
    ]
    assert fig.axes[0].lines[0].get_ydata()[0] == pytest.approx(logs["L1/grad_norm"][0])
    with pytest.raises(ValueError, match="plot_diagnostics: the history has no diagnostics"):
        plot_diagnostics({"loss": [1.0]})
