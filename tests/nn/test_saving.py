import os
import pickle
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np
import pytest

import nn
from nn import Dense, Input, Sequential
from nn.saving import WeightsFileError


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


# --- a failed load changes nothing; only real numbers are loaded ---------------------------


def saved_with_last(tmp_path, last):
    """A weights file of `make()` whose last array (L2/bias, shape (2,)) is `last`."""
    model = make()
    arrays = {w.name: w.data for w in model.weights}
    arrays["L2/bias"] = last
    path = tmp_path / "w.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    "last",
    [
        np.array(["ab", "cd"]),
        np.array([b"ab", b"cd"]),
        np.array([1 + 2j, 3 - 1j]),
        np.array([True, False]),
        np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]"),
    ],
    ids=["str", "bytes", "complex", "bool", "datetime"],
)
def test_an_array_of_the_wrong_dtype_is_refused_before_anything_changes(tmp_path, last):
    path = saved_with_last(tmp_path, last)
    model = make()
    before = model.get_weights()
    with pytest.raises(
        ValueError,
        match=rf"load_weights: weight 'L2/bias' in .*w\.npz' holds {re.escape(str(last.dtype))} "
        r"values; "
        r"a weights file holds real numbers \(float or integer arrays\) for the model's float32 "
        r"weights",
    ):
        model.load_weights(path)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_float64_and_integer_arrays_are_cast_to_the_weights_dtype(tmp_path):
    path = saved_with_last(tmp_path, np.array([0.1, -2.5]))  # float64
    model = make()
    model.load_weights(path)
    assert model.weights[-1].dtype == np.float32
    np.testing.assert_array_equal(model.get_weights()[-1], np.float32([0.1, -2.5]))
    model.load_weights(saved_with_last(tmp_path, np.array([3, -4], dtype=np.int64)))
    np.testing.assert_array_equal(model.get_weights()[-1], np.float32([3.0, -4.0]))


def test_a_value_too_large_for_float32_is_refused(tmp_path):
    path = saved_with_last(tmp_path, np.array([1.0, 1e39]))
    model = make()
    before = model.get_weights()
    with pytest.raises(
        ValueError,
        match=r"load_weights: weight 'L2/bias' in .* holds values too large for "
        r"float32 \(largest magnitude 1e\+39\)",
    ):
        model.load_weights(path)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_loading_moves_the_version_of_every_weight(tmp_path):
    path = tmp_path / "w.npz"
    make().save_weights(path)
    model = make()
    versions = [w.version for w in model.weights]
    model.load_weights(path)
    assert all(w.version != v for w, v in zip(model.weights, versions))


# --- files that are not weights files ------------------------------------------------------


def bad_file(kind, path):
    """Write a file of `kind` at `path` that load_weights must refuse."""
    model = make()
    arrays = {w.name: w.data for w in model.weights}
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(b"these are not the weights you are looking for\n" * 20)
    elif kind == "npy":
        with open(path, "wb") as file:
            np.save(file, model.weights[0].data)
    elif kind == "pickle":
        path.write_bytes(pickle.dumps(arrays))
    elif kind == "object array":
        np.savez(path, **{**arrays, "L2/bias": np.array([{"a": 1}, None], dtype=object)})
    elif kind == "zip of text":
        with zipfile.ZipFile(path, "w") as archive:
            for name in arrays:
                archive.writestr(name, "hello")
    else:
        save = np.savez_compressed if kind == "compressed, bit flipped" else np.savez
        save(path, **arrays)
        data = bytearray(path.read_bytes())
        if kind == "truncated":
            data = data[: len(data) // 2]
        elif kind == "bit flipped":  # in the middle of L2/kernel's numbers: the CRC tells
            data[data.index(model.weights[2].data.tobytes()) + 3] ^= 0x10
        else:  # the first byte of L2/kernel's deflated stream: a reserved block type
            local = zipfile.ZipFile(path).getinfo("L2/kernel.npy").header_offset
            name_length, extra_length = struct.unpack("<HH", data[local + 26 : local + 30])
            data[local + 30 + name_length + extra_length] = 0xFF
        path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "kind, detail",
    [
        ("empty", "the file is empty"),
        ("garbage", "is not an .npz archive"),
        ("npy", r"holds a single numpy array \(an .npy file, as np.save writes\)"),
        ("pickle", "is not an .npz archive"),
        ("object array", r"its array 'L2/bias' cannot be read \(ValueError: Object arr"),
        ("zip of text", "its member 'L1/kernel' is not a numpy array"),
        ("truncated", "is not an .npz archive"),
        ("bit flipped", r"'L2/kernel' cannot be read \(BadZipFile: Bad CRC-32 for file"),
        (
            "compressed, bit flipped",
            r"'L2/kernel' cannot be read \(error: Error -3 .*invalid block",
        ),
    ],
)
def test_a_file_that_is_not_a_weights_file_is_named_in_a_clear_error(tmp_path, kind, detail):
    path = tmp_path / "bad.npz"
    bad_file(kind, path)
    model = make()
    before = model.get_weights()
    with pytest.raises(WeightsFileError) as error:
        model.load_weights(path)
    message = str(error.value)
    assert message.startswith(
        f"load_weights: {str(path)!r} is not a weights file written by save_weights, "
        "or it is damaged: "
    )
    assert re.search(detail, message), message
    assert isinstance(error.value, ValueError)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_every_damaged_byte_gives_the_clear_error(tmp_path):
    path = tmp_path / "w.npz"
    make().save_weights(path)
    data = path.read_bytes()
    model = make()
    rng = np.random.default_rng(7)
    for position in rng.choice(len(data), size=60, replace=False):
        damaged = bytearray(data)
        damaged[position] ^= 1 << int(rng.integers(8))
        path.write_bytes(bytes(damaged))
        try:
            model.load_weights(path)  # a flip in unchecked metadata (a timestamp) loads fine
        except WeightsFileError:
            pass
        except ValueError as error:  # a flip in a name: the name check reports it
            assert "load_weights: weight" in str(error) or "holds weights" in str(error)
    for length in range(0, len(data), 7):
        path.write_bytes(data[:length])
        with pytest.raises(WeightsFileError, match="load_weights: "):
            model.load_weights(path)


# --- paths that cannot be read or written --------------------------------------------------


def test_a_missing_file_or_folder_is_named(tmp_path):
    model = make()
    with pytest.raises(FileNotFoundError, match=r"load_weights: no file .*missing\.npz'"):
        model.load_weights(tmp_path / "missing.npz")
    with pytest.raises(FileNotFoundError) as error:
        model.load_weights(tmp_path / "nowhere" / "w.npz")
    assert str(error.value) == (
        f"[Errno 2] load_weights: no file {str(tmp_path / 'nowhere' / 'w.npz')!r} "
        f"(nor the folder {str(tmp_path / 'nowhere')!r})"
    )


def test_a_folder_given_as_the_path_is_named(tmp_path):
    model = make()
    with pytest.raises(IsADirectoryError, match=r"load_weights: .* is a folder, not a file"):
        model.load_weights(tmp_path)
    (tmp_path / "w.npz").mkdir()
    with pytest.raises(IsADirectoryError, match=r"save_weights: .*w\.npz' is a folder"):
        model.save_weights(tmp_path / "w.npz")
    assert os.listdir(tmp_path / "w.npz") == [] and os.listdir(tmp_path) == ["w.npz"]


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path):
    (tmp_path / "runs").write_text("not a folder")
    with pytest.raises(
        NotADirectoryError,
        match=r"save_weights: cannot make the folder .*runs/day1' for .*w\.npz': "
        r".*runs' is a file",
    ):
        make().save_weights(tmp_path / "runs" / "day1" / "w.npz")


def test_a_folder_that_cannot_be_written_is_named(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):  # what mkstemp meets in a read-only folder (tests run as root)
        raise PermissionError(13, "Permission denied", str(tmp_path / ".w.npz.abcd1234"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(
        PermissionError, match=r"save_weights: cannot write .*w\.npz': Permission denied"
    ):
        make().save_weights(tmp_path / "w.npz")


@pytest.mark.parametrize("path", [None, 3, b"w.npz"])
def test_a_path_of_the_wrong_type_is_refused(tmp_path, path):
    model = make()
    for call in (model.save_weights, model.load_weights):
        with pytest.raises(TypeError, match=r"_weights: path must be a str or os.PathLike, got "):
            call(path)


# --- leftovers of killed saves --------------------------------------------------------------

KILLED_SAVE = """
import os, signal, sys
import autograd_lite as ag
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # killed after writing, before rename
ag.write_atomically(sys.argv[1], b"half a save")
"""


def test_a_save_removes_the_leftovers_of_killed_saves_of_the_same_file(tmp_path):
    path = tmp_path / "w.npz"
    killed = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], check=False)
    assert killed.returncode == -signal.SIGKILL
    (leftover,) = tmp_path.iterdir()
    assert leftover.name.startswith(".w.npz.") and leftover.read_bytes() == b"half a save"
    hour_ago = time.time() - 3600
    os.utime(leftover, (hour_ago, hour_ago))
    kept = [".w.npz.backup", ".w.npz.abcd1234.bak", ".x.npz.abcd1234", "w.npz.abcd1234"]
    for name in kept:
        (tmp_path / name).write_text("mine")
        os.utime(tmp_path / name, (hour_ago, hour_ago))
    (tmp_path / ".w.npz.abcd1234").write_text("a save writing right now")  # too young to go
    make().save_weights(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, ".w.npz.abcd1234", "w.npz"])
    assert all((tmp_path / name).read_text() == "mine" for name in kept)
