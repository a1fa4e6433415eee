import os

import numpy as np
import pytest

import nn
from nn import Dense, Input, Sequential


def make(hidden=4, features=3):
    return Sequential([Input(shape=(features,)), Dense(hidden, name="L1"), Dense(2, name="L2")])


def test_round_trip_and_documented_format(tmp_path):
    path = tmp_path / "weights.npz"
    model = make()
    model.save_weights(path)
    with np.load(path) as archive:
        assert archive.files == ["L1/kernel", "L1/bias", "L2/kernel", "L2/bias"]
        np.testing.assert_array_equal(archive["L1/kernel"], model.get_weights()[0])
    other = make()
    assert not np.array_equal(other.get_weights()[0], model.get_weights()[0])
    other.load_weights(path)
    assert all(np.array_equal(a, b) for a, b in zip(other.get_weights(), model.get_weights()))
    assert os.listdir(tmp_path) == ["weights.npz"]  # no temporary file left behind


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "weights.npz"
    model = make()
    model.save_weights(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(nn.saving.np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        make().save_weights(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["weights.npz"]


def test_loading_names_the_first_mismatch_and_changes_nothing(tmp_path):
    path = tmp_path / "w.npz"
    make(hidden=5).save_weights(path)
    model = make(hidden=4)
    before = model.get_weights()
    with pytest.raises(
        ValueError, match=r"'L1/kernel' has shape \(3, 5\) in .* but \(3, 4\) in the model"
    ):
        model.load_weights(path)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))

    renamed = Sequential([Input(shape=(3,)), Dense(4, name="hidden"), Dense(2, name="L2")])
    with pytest.raises(ValueError, match=r"weight 'hidden/kernel' of the model is not in"):
        renamed.load_weights(tmp_path / "w.npz")


def test_extra_weights_in_the_file_are_an_error(tmp_path):
    path = tmp_path / "w.npz"
    make().save_weights(path)
    small = Sequential([Input(shape=(3,)), Dense(4, name="L1")])
    with pytest.raises(
        ValueError, match="holds weights the model does not have: L2/bias, L2/kernel"
    ):
        small.load_weights(path)


def test_loading_needs_a_built_model(tmp_path):
    with pytest.raises(ValueError, match="not built yet"):
        Sequential([Dense(2)]).load_weights(tmp_path / "missing.npz")


def test_saved_file_gets_the_usual_permissions_and_folders_are_made(tmp_path):
    model = nn.Sequential([nn.Input(shape=(2,)), nn.Dense(1)])
    path = tmp_path / "new" / "weights.npz"
    model.save_weights(path)
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    assert sorted(p.name for p in path.parent.iterdir()) == ["weights.npz"]  # no temporary left


def test_saving_an_unbuilt_model_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="has no weights yet: build it first"):
        nn.Sequential([nn.Dense(1)]).save_weights(tmp_path / "w.npz")
