"""Keras 3's serialized form of an object, shared by every `get_config` that nests another.

An object with `get_config()` (a layer, loss, optimizer, initializer, regularizer or
learning-rate schedule) is written as Keras 3's `serialize_keras_object` writes it:

    {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01},
     "registered_name": None}

and `deserialize` reads such a dict back through the class's `from_config`. The dicts hold
only JSON types, so `json.dumps` writes them and Keras 3 reads them (`.keras` files keep
them in config.json).

    >>> class Halve:
    ...     def __init__(self, factor=0.5): self.factor = factor
    ...     def get_config(self): return {"factor": self.factor}
    ...     @classmethod
    ...     def from_config(cls, config): return cls(**config)
    >>> record = serialize(Halve(0.25), "keras.examples")
    >>> record["class_name"], record["config"]
    ('Halve', {'factor': 0.25})
    >>> deserialize(record, {"Halve": Halve}, "example").factor
    0.25
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Configurable:
    """The small objects whose constructor arguments are their whole config (initializers,
    regularizers, learning-rate schedules): `from_config` calls the constructor with it, and
    `repr` shows it, e.g. `L2(l2=0.01)`."""

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Any:
        """The object `get_config` describes."""
        return cls(**config)

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({settings})"


def serialize(obj: Any, module: str) -> dict[str, Any]:
    """`obj` as Keras 3's record: its module, class name and `get_config()`."""
    return {
        "module": module,
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


def deserialize(record: Any, classes: Mapping[str, type], kind: str) -> Any:
    """The object a `serialize` record describes, made by its class's `from_config`.

    `classes` maps the class names this project has to their classes; any other class name,
    or a record that is not such a dict, is an error naming `kind` and what was received."""
    if not isinstance(record, Mapping) or not {"class_name", "config"} <= record.keys():
        raise ValueError(
            f"Cannot read a {kind} from {record!r:.120}: expected a dict with 'class_name' and "
            "'config', as get_config records are written"
        )
    name = record["class_name"]
    cls = classes.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(
            f"Unknown {kind} class {name!r} in a config; nn has {', '.join(sorted(classes))}"
        )
    config = record["config"]
    if not isinstance(config, Mapping):
        raise TypeError(f"{kind} {name!r}: its 'config' must be a dict, got {config!r:.120}")
    return cls.from_config(dict(config))
