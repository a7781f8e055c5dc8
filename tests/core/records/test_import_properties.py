"""Any file handed to File → Import (or `bodymap import`) is imported whole or refused in one line, and a
refused one changes nothing (issue 10): property-based, over mutated exports and arbitrary JSON."""

import copy
import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bodymap.core.records import Drawing, Findings, Patient, RecordsError, Store, Treatment, Visit
from bodymap.core.records.exchange import export_record
from bodymap.core.records.importing import import_record

from .conftest import disc, inside


@pytest.fixture(scope="module")
def exported(tmp_path_factory, placer):
    with Store.open(tmp_path_factory.mktemp("src") / "source.sqlite", placer=placer) as source:
        p = source.add_patient(Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1)))
        v = source.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 3, 1), pain_before=6))
        m = source.add_mark(v.id, "back", *inside("back", "infraspinous", "right"), Findings(tenderness=5))
        source.update_mark(m.id, tenderness=7)
        source.add_mark(v.id, "back", *inside("back", "infraspinous", "left"), treatment=Treatment())
        source.add_drawing(
            Drawing(
                visit_id=v.id, symptom="ache", areas={"back": disc(*inside("back", "suprascapular", "left"))}
            )
        )
        return export_record(source, p.id)


@pytest.fixture(scope="module")
def target(tmp_path_factory, placer):
    with Store.open(tmp_path_factory.mktemp("target") / "target.sqlite", placer=placer) as store:
        yield store


def _paths(data, prefix=()):
    """Every place in the export: (path to the container, key or index)."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        ["", "2024-03-01", "9999-12-31T23:59:59-01:00", "\ud800", "x" * 25_000, "right", "back"]
    )
)
values = st.recursive(
    scalars,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
    max_leaves=12,
)


def _attempt(target, data):
    before = len(target.patients(include_deleted=True))
    try:
        import_record(target, data)
    except RecordsError as exc:  # MalformedImport and the database's refusals
        message = str(exc)
        assert "\n" not in message and len(message) < 500, message
        assert message.endswith("nothing was imported"), message
        assert len(target.patients(include_deleted=True)) == before
        return False
    assert len(target.patients(include_deleted=True)) == before + 1
    return True


@pytest.mark.fuzz
@given(st.data())
def test_an_export_changed_anywhere_imports_whole_or_is_refused_in_one_line(exported, target, data):
    changed = copy.deepcopy(exported)
    changed["patient"]["uid"] = ""  # a fresh uid each time: a clean import is taken, not refused as a repeat
    places = list(_paths(changed))
    for _ in range(data.draw(st.integers(1, 3))):
        *parent, last = data.draw(st.sampled_from(places))
        node = changed
        try:
            for key in parent:
                node = node[key]
            if data.draw(st.booleans()) and isinstance(node, dict):
                node.pop(last, None)
            else:
                node[last] = data.draw(values)
        except (KeyError, IndexError, TypeError):  # an earlier change removed or replaced the place
            continue
    _attempt(target, changed)
    _attempt(target, json.dumps(changed, ensure_ascii=False).encode("utf-8", "surrogatepass"))


@pytest.mark.fuzz
@given(values | st.binary(max_size=200) | st.text(max_size=200))
def test_anything_at_all_is_refused_in_one_line(target, anything):
    assert _attempt(target, anything) is False
