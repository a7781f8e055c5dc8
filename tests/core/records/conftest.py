from datetime import date

import pytest
from shapely.geometry import Point

from bodymap.core.atlas import load_atlas
from bodymap.core.body import load_body
from bodymap.core.records import Patient, Store, Visit
from bodymap.core.records.placement import Placer


@pytest.fixture(scope="session")
def placer():
    return Placer(load_body(), load_atlas())


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "records.sqlite"


@pytest.fixture
def store(db_path, placer):
    s = Store.open(db_path, placer=placer)
    yield s
    s.close()


@pytest.fixture
def patient(store):
    return store.add_patient(Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1),
                                     sex="female"))


@pytest.fixture
def visit(store, patient):
    return store.add_visit(Visit(patient_id=patient.id, visited_on=date(2024, 3, 1), therapist="J. Brown",
                                 complaint="neck pain", pain_before=6))


def region(view, region_id, side):
    """A region of the body charts (for points and drawings that lie where a test says)."""
    r = load_body()[view].region(region_id, side)
    assert r is not None and r.side == side, (view, region_id, side)
    return r


def inside(view, region_id, side) -> tuple[float, float]:
    """A point well inside a region."""
    p = region(view, region_id, side).geometry.representative_point()
    return p.x, p.y


def disc(x, y, r=0.01):
    return Point(x, y).buffer(r)
