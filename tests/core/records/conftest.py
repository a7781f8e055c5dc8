from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from shapely.geometry import Point

from bodymap.core.atlas import load_atlas
from bodymap.core.chart.body import load_body
from bodymap.core.chart.frame import x_sign
from bodymap.core.records import Patient, Store, Visit
from bodymap.core.records.placement import Placer


@pytest.fixture(scope="session")
def placer():
    return Placer(load_body(), load_atlas())


def engine_for(location) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{location}" if isinstance(location, Path) else location)


@pytest.fixture
def db_path(location):
    """The SQLite file, for tests of the file itself (skipped on a database server)."""
    if not isinstance(location, Path):
        pytest.skip("a test of the SQLite file")
    return location


@pytest.fixture
def store(location, placer):
    s = Store.open(location, placer=placer)
    yield s
    s.close()


@pytest.fixture
def other(location, placer, store):
    """A second client on the same database (its own store and connections), with a therapist of its
    own."""
    s = Store.open(location, placer=placer, recorder="B. Brown")
    yield s
    s.close()


@pytest.fixture
def patient(store):
    return store.add_patient(
        Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1), sex="female")
    )


@pytest.fixture
def visit(store, patient):
    return store.add_visit(
        Visit(
            patient_id=patient.id,
            visited_on=date(2024, 3, 1),
            therapist="J. Brown",
            complaint="neck pain",
            pain_before=6,
        )
    )


def region(view, region_id, side):
    """A region of the body charts (for points and drawings that lie where a test says)."""
    r = load_body()[view].region(region_id, side)
    assert r is not None, (view, region_id, side)
    # On the patient's `side` by the laterality rule, not just found under that side (a lookup by side
    # answers a midline region for any side, and half of a paired one for the midline).
    x = r.geometry.centroid.x
    assert abs(x) < 1e-6 if side == "midline" else x * x_sign(view, side) > 0, (view, region_id, side)
    return r


def inside(view, region_id, side) -> tuple[float, float]:
    """A point well inside a region."""
    p = region(view, region_id, side).geometry.representative_point()
    return p.x, p.y


def disc(x, y, r=0.01):
    return Point(x, y).buffer(r)
