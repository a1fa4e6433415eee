import pytest

import nn

# the Keras generators need TensorFlow, which the test environment does not have
collect_ignore = [
    "data/make_keras_reference.py",
    "data/make_keras_epochs.py",
    "data/make_keras_conv.py",
    "data/make_keras_pool_bn.py",
]


@pytest.fixture(autouse=True)
def fresh_session():
    """Every test starts with automatic names from `dense` and a fixed seed."""
    nn.clear_session()
    nn.set_seed(0)
