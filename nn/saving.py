"""`save_weights` / `load_weights`: the weights in a numpy `.npz` archive.

File format: one array per weight, keyed by the weight's name `"{layer}/{weight}"` (e.g.
`"L1/kernel"`, `"L1/bias"`), in model order; read it with `np.load(path)`. Saving writes a
temporary file beside the target and renames it over the target (`os.replace`), so an
interrupted save never destroys the previous file; the next save of the same file removes
what a killed save left behind (see `autograd_lite.write_atomically`).

Loading reads and checks the whole file before changing anything, so a failed load leaves
the model as it was. Checked, in this order, for each weight of the model: its name is in
the file, its shape matches, its array holds real numbers (a float or integer dtype, cast to
the weight's dtype as `Tensor.assign` does: float64 rounds to float32), and no finite value
overflows the weight's dtype; then the file holds no weight the model lacks. Booleans,
complex numbers, strings, dates and Python objects are refused: casting them would turn
True into 1.0 or drop an imaginary part without a word, and no weights file of this library
holds them. A file that is not an `.npz` archive of arrays, or is damaged (truncated, bits
flipped: every array is read in full, so its CRC is checked), is a `WeightsFileError`.
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

import autograd_lite as ag

NPY_MAGIC = b"\x93NUMPY"  # how a single array saved by np.save begins


class WeightsFileError(ValueError):
    """The file given to `load_weights` is not a weights file written by `save_weights`, or
    it is damaged."""


def save_weights(model: Any, path: str | os.PathLike) -> None:
    """Write every weight of `model` to `path` atomically (temporary file + rename)."""
    if not model.weights:
        raise ValueError(
            f"save_weights: model '{model.name}' has no weights yet: build it first "
            "(start it with Input(shape=...), or fit or call it on data)"
        )
    buffer = io.BytesIO()
    np.savez(buffer, **{w.name: w.data for w in model.weights})
    ag.write_atomically(path, buffer.getvalue(), caller="save_weights")


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """Read weights saved by `save_weights` into `model`; all of them or, on any mismatch, none.

    Names and shapes must match the model's, and the arrays must hold real numbers (see the
    module's docstring).
    """
    stored = _read_arrays(path)
    where = repr(os.fspath(path))
    arrays = {}
    for w in model.weights:
        if w.name not in stored:
            raise ValueError(
                f"load_weights: weight '{w.name}' of the model is not in {where}, "
                f"which holds: {', '.join(stored) or 'nothing'}"
            )
        arrays[w.name] = checked_weight(stored[w.name], w, where)
    extra = sorted(set(stored) - set(arrays))
    if extra:
        raise ValueError(
            f"load_weights: {where} holds weights the model does not have: {', '.join(extra)}"
        )
    for w in model.weights:
        w.assign(arrays[w.name])  # moves each weight's version: graphs recorded before are stale


def _read_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every array of the `.npz` archive at `path`, read in full.

    `np.load` of an archive is lazy: a damaged member shows only when it is read (a CRC or
    zlib error), so each is read here, where its failure can be explained.
    """
    data = ag.read_whole(path, caller="load_weights")
    if not data:
        raise _not_weights(path, "the file is empty")
    if data.startswith(NPY_MAGIC):
        raise _not_weights(
            path,
            "it holds a single numpy array (an .npy file, as np.save writes); save_weights "
            "writes an .npz archive with one array per weight",
        )
    # The bytes are in memory, so any failure below comes from the bytes themselves; zipfile,
    # zlib, bz2, lzma and numpy's header parser each raise their own types (BadZipFile,
    # zlib.error, EOFError, ValueError, NotImplementedError, and MemoryError for a size field
    # damaged into petabytes), hence the broad catches, each quoting the error it met.
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as error:
        raise _not_weights(path, "it is not an .npz archive", error) from error
    stored = {}
    with archive:
        for name in archive.files:
            try:
                stored[name] = archive[name]
            except Exception as error:
                raise _not_weights(path, f"its array '{name}' cannot be read", error) from error
            if not isinstance(stored[name], np.ndarray):  # np.load gives a non-.npy's bytes
                raise _not_weights(path, f"its member '{name}' is not a numpy array")
    return stored


def _not_weights(
    path: str | os.PathLike, problem: str, cause: Exception | None = None
) -> WeightsFileError:
    said = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
    return WeightsFileError(
        f"load_weights: {os.fspath(path)!r} is not a weights file written by save_weights, "
        f"or it is damaged: {problem}{said}"
    )


def checked_weight(
    array: np.ndarray, weight: ag.Tensor, where: str, caller: str = "load_weights"
) -> np.ndarray:
    """`array` cast to `weight`'s dtype, once its shape, dtype and range are right (the
    errors name `caller` and `where` the array was read)."""
    if array.shape != weight.shape:
        raise ValueError(
            f"{caller}: weight '{weight.name}' has shape {array.shape} in {where} "
            f"but {weight.shape} in the model"
        )
    if array.dtype.kind not in "fiu":
        raise ValueError(
            f"{caller}: weight '{weight.name}' in {where} holds {array.dtype} values; "
            f"a weights file holds real numbers (float or integer arrays) for the model's "
            f"{weight.dtype} weights"
        )
    with np.errstate(over="ignore"):
        cast = array.astype(weight.dtype)
    overflow = np.isinf(cast) & np.isfinite(array)
    if overflow.any():
        raise ValueError(
            f"{caller}: weight '{weight.name}' in {where} holds values too large for "
            f"{weight.dtype} (largest magnitude {np.abs(array[overflow]).max():g})"
        )
    return cast
