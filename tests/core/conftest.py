import pytest

from bodymap.core.body import load_body


@pytest.fixture(scope="session")
def body():
    return load_body()
