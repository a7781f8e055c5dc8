import pytest

from bodymap.core.chart.body import load_body


@pytest.fixture(scope="session")
def body():
    return load_body()
