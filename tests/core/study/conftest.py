from datetime import datetime, timedelta, timezone

import pytest

from bodymap.core.atlas import load_atlas
from bodymap.core.chart.body import load_body
from bodymap.core.lookup import Lookup
from bodymap.core.study import Deck, Grader, StudyStore
from bodymap.core.study.schedule import scheduler


@pytest.fixture(scope="session")
def atlas():
    return load_atlas()


@pytest.fixture(scope="session")
def deck(atlas):
    return Deck.build(atlas, Lookup(atlas, load_body()))


@pytest.fixture(scope="session")
def grader(deck):
    return Grader(deck)


class Clock:
    """A clock the test moves by hand (UTC)."""

    def __init__(self, start=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def study_path(tmp_path):
    return tmp_path / "study.sqlite"


@pytest.fixture
def store(study_path):
    s = StudyStore.open(study_path, scheduler(fuzz=False))
    yield s
    s.close()
