import pytest

import nn

# the Keras generators need TensorFlow, which the test environment does not have
collect_ignore_glob = ["data/make_keras_*.py"]


@pytest.fixture(autouse=True)
def fresh_session():
    """Every test starts with automatic names from `dense` and a fixed seed."""
    nn.clear_session()
    nn.set_seed(0)
