import pytest

import nn


@pytest.fixture(autouse=True)
def fresh_session():
    """Every test starts with automatic names from `dense` and a fixed seed."""
    nn.clear_session()
    nn.set_seed(0)
