"""Keras 3's file formats: the `.keras` model archive and the `.weights.h5` weights file.

Files written here open in real Keras 3 (`keras.models.load_model`, `model.load_weights`),
and files Keras 3 writes open here, laid out as Keras 3.15.1 lays them out:

- `.weights.h5`, an HDF5 file: one group per layer of the model, named after the layer's
  class in snake case and numbered in model order (`layers/dense`, `layers/dense_1`,
  `layers/conv2d`: not the layers' own names, which differ between two builds of the same
  model), holding the layer's weights as datasets `vars/0`, `vars/1`, ... in `layer.weights`'
  order (Dense: kernel, bias; BatchNormalization: gamma, beta, moving_mean,
  moving_variance). Each `vars` group carries the owner's name as an attribute, the model's
  own `vars` group included. A compiled model adds its optimizer's state under
  `optimizer/vars`: Keras's `optimizer.variables`, i.e. the step count, the learning rate,
  then each trainable weight's slots (Adam: momentum and velocity) in model order
  (`Optimizer.state_arrays`). Before the optimizer's first step Keras writes only the
  first two, and on loading warns that they do not match its built optimizer; we write
  the fresh slots too, so that Keras loads our file without that warning (the state is
  the same).
- `.keras`, a zip archive (members stored, not compressed) of `metadata.json` (the Keras
  release whose layout this follows, and the date), `config.json` (the model's record:
  architecture, build and compile settings, `nn.models.serialize`) and `model.weights.h5`
  (the weights file above, optimizer included). `load_model` rebuilds and compiles the
  model from the record and restores weights and optimizer state, so `fit` continues where
  it stopped (Keras's next epoch from the file equals ours).

Writing is atomic (`autograd_lite.write_atomically`): an interrupted save leaves an existing
file as it was. Loading reads and checks everything before changing anything: every
layer's group is there with one dataset per weight of the right shape, holding real
numbers that fit the weight's dtype (`nn.saving`'s checks), and the file holds no layer the
model lacks; a failed `load_weights_h5` leaves the model unchanged. A damaged file
(truncated, bits flipped in the zip, a member missing), an HDF5 file with links to other
files, or a config naming a layer class nn does not have is a `KerasFileError` (a
`WeightsFileError`) naming the file and what is wrong. (Only the `.keras` archive checks
its members' CRCs: HDF5 keeps no checksum of its data, so a flipped bit inside a weight's
values in a bare `.weights.h5` file goes unnoticed, in Keras as here.)

As in Keras, an optimizer state whose number of variables differs from the compiled
optimizer's (another optimizer, or one saved before its first step) is skipped with a
warning, and the weights still load.

HDF5 needs h5py, which `pip install 'autograd-lite[export]'` installs.

    >>> import nn, tempfile, os
    >>> model = nn.Sequential([nn.Input(shape=(3,)), nn.Dense(2)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
    >>> save_model(model, path)
    >>> again = load_model(path)
    >>> [w.shape for w in again.weights], type(again.optimizer).__name__
    ([(3, 2), (2,)], 'Adam')
"""

from __future__ import annotations

import builtins
import contextlib
import datetime
import io
import json
import os
import warnings
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import autograd_lite as ag

from .saving import WeightsFileError, checked_weight
from .utils import check_flag, snake_case

KERAS_VERSION = "3.15.1"  # the Keras release whose layout these files follow
CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
ZIP_MAGIC = b"PK\x03\x04"
# Keras's guard against a zip member that declares far more bytes than it stores (a
# decompression bomb): refused above both this size and this expansion ratio
BOMB_FLOOR, BOMB_RATIO = 1 << 32, 100


class KerasFileError(WeightsFileError):
    """A `.keras` or `.weights.h5` file that cannot be read into a model: not such a file,
    damaged, incomplete, or describing a model that nn cannot build or whose weights do not
    fit it."""


# --- the public functions ----------------------------------------------------------------


def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Write `model` to a `.keras` archive atomically: architecture, compile settings,
    weights and optimizer state (Keras's `model.save`). With `overwrite=False` and an
    existing file, ask on the terminal first, as Keras does."""
    path = _checked_path(filepath, (".keras",), "save_model")
    if not confirm_overwrite(path, overwrite, "save_model"):
        return
    from . import models  # models imports this module for Sequential.save

    h5py = _h5py("save_model")
    if not model.built:
        warnings.warn(  # Keras's warning: the file is written, without weights
            f"save_model: model '{model.name}' is not built yet, so the file holds no weights; "
            "build it first (Input(shape=...), or fit or call it on data)",
            stacklevel=3,  # the caller of model.save
        )
    config = json.dumps(models.serialize(model))
    metadata = json.dumps(
        {
            "keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        }
    )
    weights = _weights_h5(model, h5py)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # stored, in Keras's order
        archive.writestr(METADATA, metadata)
        archive.writestr(CONFIG, config)
        archive.writestr(WEIGHTS, weights)
    ag.write_atomically(path, buffer.getvalue(), caller="save_model")


def load_model(filepath: str | os.PathLike, compile: bool = True) -> Any:
    """The model of a `.keras` archive written by `save_model` or by Keras 3: rebuilt from
    its config, compiled as recorded, with its weights and optimizer state (the step count
    and every slot), so that `fit` continues where it stopped. `compile=False` (Keras's
    argument) skips the compile settings and the optimizer state: the model predicts, even
    when its loss or optimizer is one nn does not have."""
    path = _checked_path(filepath, (".keras",), "load_model")
    compile = check_flag("load_model", "compile", compile)
    h5py = _h5py("load_model")
    members = _archive_members(path, "load_model")
    model = _model_from_config(members[CONFIG], path, compile)
    with _open_h5(members[WEIGHTS], path, WEIGHTS, "load_model", h5py) as store:
        _load_state(model, store, "load_model")
    return model


def save_weights_h5(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Write the weights (and a compiled model's optimizer state) to a `.weights.h5` file
    atomically, as Keras's `model.save_weights("x.weights.h5")` does; `overwrite` as in
    `save_model`."""
    path = _checked_path(filepath, (".weights.h5",), "save_weights")
    if not model.built:
        raise ValueError(
            f"save_weights: model '{model.name}' has no weights yet: build it first "
            "(start it with Input(shape=...), or fit or call it on data)"
        )
    if not confirm_overwrite(path, overwrite, "save_weights"):
        return
    ag.write_atomically(path, _weights_h5(model, _h5py("save_weights")), caller="save_weights")


def load_weights_h5(model: Any, filepath: str | os.PathLike) -> None:
    """Read a `.weights.h5` file (or the weights of a `.keras` archive), written here or by
    Keras 3, into the built `model`: all weights, and a compiled model's optimizer state,
    or, on any mismatch, nothing."""
    path = _checked_path(filepath, (".weights.h5", ".keras"), "load_weights")
    if not model.built:
        raise ValueError(
            f"load_weights: model '{model.name}' is not built yet: start it with "
            "Input(shape=(features,)), or call it on data first"
        )
    h5py = _h5py("load_weights")
    if path.endswith(".keras"):
        data, member = _archive_members(path, "load_weights")[WEIGHTS], WEIGHTS
    else:
        data, member = ag.read_whole(path, caller="load_weights"), None
    with _open_h5(data, path, member, "load_weights", h5py) as store:
        _load_state(model, store, "load_weights")


# --- writing -------------------------------------------------------------------------------


def _weights_h5(model: Any, h5py: Any) -> bytes:
    """The bytes of the model's `.weights.h5` file (written in memory, for an atomic write)."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        _write_vars(file, "", model.name, [])
        for group, layer in _layer_groups(model):
            _write_vars(file, group, layer.name, [w.data for w in layer.weights])
        if model.optimizer is not None:
            state = model.optimizer.state_arrays(model.trainable_weights)
            _write_vars(file, "optimizer", model.optimizer.name, [array for _, array in state])
    return buffer.getvalue()


def _write_vars(file: Any, group: str, owner: str, arrays: list[np.ndarray]) -> None:
    """`arrays` as datasets `{group}/vars/0`, `1`, ..., the group named after its `owner`."""
    created = file.create_group(f"{group}/vars" if group else "vars")
    created.attrs["name"] = owner
    for i, array in enumerate(arrays):
        created[str(i)] = array


def _layer_groups(model: Any) -> list[tuple[str, Any]]:
    """(group, layer) for every layer: Keras names a layer's group after its class in snake
    case, numbered per class in model order (dense, dense_1, conv2d, dense_2)."""
    counts: dict[str, int] = {}
    groups = []
    for layer in model.layers:
        kind = snake_case(type(layer).__name__)
        count = counts.get(kind, -1) + 1
        counts[kind] = count
        groups.append((f"layers/{kind}" + (f"_{count}" if count else ""), layer))
    return groups


# --- reading -------------------------------------------------------------------------------


class _Store:
    """The datasets of an open HDF5 file by path ('layers/dense/vars/0'), read on demand,
    and where the file came from, for messages: `path` (repr'd) and, inside a `.keras`
    archive, the `member`."""

    def __init__(self, path: str, member: str | None, caller: str) -> None:
        self.datasets: dict[str, Any] = {}
        self.path, self.member, self.caller = path, member, caller
        self.where = f"{path!r} ({member})" if member else repr(path)

    def where_of(self, dataset: Any) -> str:
        """Where `dataset` is: the file, the member, the dataset's path."""
        inside = f"{self.member}: " if self.member else ""
        return f"{self.path!r} ({inside}{dataset.name})"

    def vars(self, group: str) -> dict[str, Any]:
        """The datasets directly in `{group}/vars`, by name ('0', '1', ...)."""
        prefix = f"{group}/vars/"
        return {
            key[len(prefix) :]: dataset
            for key, dataset in self.datasets.items()
            if key.startswith(prefix) and "/" not in key[len(prefix) :]
        }

    def numbered(self, group: str, count_for: str) -> list[Any] | None:
        """The datasets of `{group}/vars` in order, if they are exactly `0`..`n-1`; None when
        the group holds none. `count_for` names the owner in the error."""
        found = self.vars(group)
        if not found:
            return None
        expected = [str(i) for i in range(len(found))]
        if sorted(found, key=lambda name: (len(name), name)) != expected:
            raise self.error(
                f"{count_for}'s datasets in {group}/vars are {sorted(found)}, not numbered "
                "0, 1, ... as Keras numbers them"
            )
        return [found[name] for name in expected]

    def read(self, dataset: Any, limit: int) -> np.ndarray:
        """The dataset's values, once its size is known not to exceed `limit` values (a
        damaged or hostile header may declare terabytes)."""
        if dataset.size > limit:
            raise self.error(
                f"dataset {dataset.name} declares shape {dataset.shape}, more values than any "
                "weight of the model holds"
            )
        try:
            return np.asarray(dataset[()])
        except Exception as error:  # h5py raises OSError, KeyError, ValueError, TypeError...
            raise self.error(f"its dataset {dataset.name} cannot be read", error) from error

    def error(self, problem: str, cause: Exception | None = None) -> KerasFileError:
        said = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
        return KerasFileError(f"{self.caller}: {self.where}: {problem}{said}")


@contextlib.contextmanager
def _open_h5(
    data: bytes, path: str, member: str | None, caller: str, h5py: Any
) -> Iterator[_Store]:
    """The `_Store` of the HDF5 file whose bytes are `data`, open inside the block; a file
    that is not HDF5, or damaged, or linking outside itself, is a KerasFileError."""
    store = _Store(path, member, caller)
    problem = "it is not an HDF5 weights file, or it is damaged"
    try:
        file = h5py.File(io.BytesIO(data), "r")
    except Exception as error:  # h5py's OSError, and others for damaged headers
        raise store.error(problem, error) from error
    with file:
        try:
            store.datasets.update(_walk(file, "", h5py, store))
        except KerasFileError:
            raise
        except Exception as error:  # a damaged group: KeyError, RuntimeError, OSError...
            raise store.error(problem, error) from error
        yield store


def _walk(group: Any, prefix: str, h5py: Any, store: _Store) -> Iterator[tuple[str, Any]]:
    """(path, dataset) for every dataset under `group`, refusing soft and external links and
    external or virtual datasets (they would read other files), as Keras does."""
    for name in group:
        path = f"{prefix}{name}"
        link = group.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            raise store.error(f"{path} is a {type(link).__name__}; a weights file holds none")
        item = group[name]
        if isinstance(item, h5py.Group):
            yield from _walk(item, f"{path}/", h5py, store)
        elif isinstance(item, h5py.Dataset):
            if item.external or item.is_virtual:
                raise store.error(f"dataset {path} keeps its values in another file")
            yield path, item


def _load_state(model: Any, store: _Store, caller: str) -> None:
    """Check every layer's weights (and the optimizer state) in `store`, then assign them."""
    limit = max((w.size for w in model.weights), default=0) or 1
    assignments = []
    groups = _layer_groups(model)
    for group, layer in groups:
        what = f"layer '{layer.name}' ({type(layer).__name__})"
        datasets = store.numbered(group, what) or []
        if len(datasets) != len(layer.weights):
            names = ", ".join(w.name for w in layer.weights) or "none"
            raise store.error(
                f"{what} has {len(layer.weights)} weights ({names}), but the file holds "
                f"{len(datasets)} in {group}/vars"
            )
        for dataset, weight in zip(datasets, layer.weights):
            if tuple(dataset.shape) != weight.shape:  # before reading: the header says it
                raise store.error(
                    f"weight '{weight.name}' of {what} has shape {weight.shape} in the model "
                    f"but {tuple(dataset.shape)} in {dataset.name}"
                )
            try:
                array = checked_weight(
                    store.read(dataset, limit), weight, store.where_of(dataset), caller
                )
            except KerasFileError:
                raise
            except ValueError as error:  # nn.saving's check: a KerasFileError here
                raise KerasFileError(str(error)) from None
            assignments.append((weight, array))
    known = {group for group, _ in groups}
    extra = sorted(
        {path.rsplit("/vars/", 1)[0] for path in store.datasets if path.startswith("layers/")}
        - known
    )
    if extra:
        raise store.error(
            f"it holds weights for layers that model '{model.name}' does not have: "
            f"{', '.join(extra)} (the model's are {', '.join(sorted(known)) or 'none'})"
        )
    restore = _optimizer_restore(model, store, limit)
    restore()  # checks before it changes anything; the weights below cannot fail
    for weight, array in assignments:
        weight.assign(array)  # moves each weight's version: graphs recorded before are stale


def _optimizer_restore(model: Any, store: _Store, limit: int) -> Callable[[], None]:
    """What restores the optimizer state of `store` into the compiled model's optimizer: a
    call that checks the arrays and then sets them; a no-op when either side has none, or,
    with Keras's warning, when the counts differ."""
    optimizer = model.optimizer
    datasets = store.numbered("optimizer", "the optimizer")
    if optimizer is None or datasets is None:
        return lambda: None
    params = model.trainable_weights
    expected = len(optimizer.state_arrays(params))
    if len(datasets) != expected:
        warnings.warn(  # Keras skips the optimizer's state (with this warning) and goes on
            f"{store.caller}: skipping the optimizer state of {store.where}: the model's "
            f"{type(optimizer).__name__} has {expected} variables, the file's optimizer "
            f"{len(datasets)}",
            stacklevel=5,  # the caller of model.load_weights or nn.load_model
        )
        return lambda: None
    arrays = [store.read(dataset, limit) for dataset in datasets]

    def restore() -> None:
        try:
            optimizer.load_state_arrays(params, arrays)
        except (TypeError, ValueError) as error:  # counted above; the shapes or values differ
            raise store.error(f"its optimizer state does not fit: {error}") from None

    return restore


def _archive_members(path: str, caller: str) -> dict[str, bytes]:
    """config.json and model.weights.h5 of the `.keras` archive at `path`, read in full (so
    their CRCs are checked), or a KerasFileError saying what is wrong."""
    data = ag.read_whole(path, caller=caller)

    def error(problem: str, cause: Exception | None = None) -> KerasFileError:
        said = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
        return KerasFileError(
            f"{caller}: {path!r} is not a .keras file, or it is damaged: {problem}{said}"
        )

    if not data:
        raise error("the file is empty")
    if not data.startswith(ZIP_MAGIC):
        raise error(f"it starts with {data[:8]!r}, not with a zip archive's {ZIP_MAGIC!r}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error_:  # BadZipFile, and OSError/ValueError for damaged headers
        raise error("its zip directory cannot be read", error_) from error_
    members = {}
    with archive:
        names = archive.namelist()
        for name in (CONFIG, WEIGHTS):
            if name not in names:
                held = ", ".join(names) or "nothing"
                hint = " (Keras's npz weights format, which nn does not read)" * (
                    name == WEIGHTS and "model.weights.npz" in names
                )
                raise error(f"it has no member {name!r}; it holds {held}{hint}")
            info = archive.getinfo(name)
            if info.file_size > BOMB_FLOOR and info.file_size > BOMB_RATIO * info.compress_size:
                raise error(
                    f"its member {name!r} declares {info.file_size} bytes but stores "
                    f"{info.compress_size}"
                )
            try:
                members[name] = archive.read(name)
            except Exception as error_:  # CRC, zlib, truncated data
                raise error(f"its member {name!r} cannot be read", error_) from error_
    return members


def _model_from_config(config: bytes, path: str, compile: bool) -> Any:
    """The model config.json describes (compiled as recorded, if `compile`), or a
    KerasFileError naming the file."""
    from . import models

    try:
        record = json.loads(config)
    except ValueError as error:
        raise KerasFileError(f"load_model: {path!r}: its {CONFIG} is not JSON ({error})") from None
    if not compile and isinstance(record, dict):
        record = {key: value for key, value in record.items() if key != "compile_config"}
    try:
        return models.deserialize(record)
    except Exception as error:  # unknown classes, bad arguments: the message says which
        raise KerasFileError(
            f"load_model: {path!r} describes a model nn cannot build: {error}"
        ) from error


# --- arguments -----------------------------------------------------------------------------


def _checked_path(filepath: Any, suffixes: tuple[str, ...], caller: str) -> str:
    """`filepath` as a str ending in one of `suffixes` (as Keras requires), or an error."""
    path = ag.check_path(filepath, caller)
    if not path.endswith(suffixes):
        wanted = " or ".join(repr(suffix) for suffix in suffixes)
        others = {
            "save_model": "; for the weights alone use save_weights('name.weights.h5')",
            "save_weights": "; a .npz name writes nn's own weights format",
        }
        raise ValueError(
            f"{caller}: the file name must end in {wanted}, got {path!r}" + others.get(caller, "")
        )
    return path


def confirm_overwrite(path: str | os.PathLike, overwrite: Any, caller: str) -> bool:
    """True to write `path`: always with `overwrite=True` or when no file is there; else
    Keras's question on the terminal (`[WARNING] ... already exists - overwrite? [y/n]`),
    asked again until answered y or n. `caller` names the function in the TypeError for an
    `overwrite` that is not a bool."""
    if check_flag(caller, "overwrite", overwrite) or not os.path.exists(path):
        return True
    answer = builtins.input(f"[WARNING] {path} already exists - overwrite? [y/n]")
    while answer.strip().lower() not in ("y", "n"):
        answer = builtins.input('Enter "y" (overwrite) or "n" (cancel).')
    if answer.strip().lower() == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


def _h5py(caller: str) -> Any:
    """The h5py module, imported when first needed (an optional dependency)."""
    try:
        import h5py
    except ImportError:
        raise ImportError(
            f"{caller}: Keras's .keras and .weights.h5 files need h5py: "
            "pip install 'autograd-lite[export]'"
        ) from None
    return h5py
