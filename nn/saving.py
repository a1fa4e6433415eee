"""`save_weights` / `load_weights`: the weights in a numpy `.npz` archive.

File format: one array per weight, keyed by the weight's name `"{layer}/{weight}"` (e.g.
`"L1/kernel"`, `"L1/bias"`), in model order; read it with `np.load(path)`. Saving writes a
temporary file beside the target and renames it over the target (`os.replace`), so an
interrupted save never destroys the previous file. Loading checks every name and shape
before changing anything.
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

import autograd_lite as ag


def save_weights(model: Any, path: str | os.PathLike) -> None:
    """Write every weight of `model` to `path` atomically (temporary file + rename)."""
    if not model.weights:
        raise ValueError(
            f"save_weights: model '{model.name}' has no weights yet: build it first "
            "(start it with Input(shape=...), or fit or call it on data)"
        )
    buffer = io.BytesIO()
    np.savez(buffer, **{w.name: w.data for w in model.weights})
    ag.write_atomically(path, buffer.getvalue())


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """Read weights saved by `save_weights`; names and shapes must match the model's."""
    weights = model.weights
    with np.load(path, allow_pickle=False) as archive:
        stored = {name: archive[name] for name in archive.files}
    for w in weights:
        if w.name not in stored:
            raise ValueError(
                f"load_weights: weight '{w.name}' of the model is not in {os.fspath(path)!r}, "
                f"which holds: {', '.join(stored) or 'nothing'}"
            )
        if stored[w.name].shape != w.shape:
            raise ValueError(
                f"load_weights: weight '{w.name}' has shape {stored[w.name].shape} in "
                f"{os.fspath(path)!r} but {w.shape} in the model"
            )
    extra = sorted(set(stored) - {w.name for w in weights})
    if extra:
        raise ValueError(
            f"load_weights: {os.fspath(path)!r} holds weights the model does not have: "
            f"{', '.join(extra)}"
        )
    for w in weights:
        w.data[...] = stored[w.name]
