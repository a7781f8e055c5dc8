"""A database made by the release before treated points (schema 0002, tests/core/records/fixtures/
release-0002.sqlite, made with make_release_0002.py from main at f7bd016) opens with today's code:
every record is carried forward, and each needled mark becomes a treated point with the needle, depth
and everything else unknown (None), never a guess."""

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bodymap.core.records import Needle, Store, Treatment, schema
from bodymap.core.records.steps import visit_steps

FIXTURE = Path(__file__).parent / "fixtures" / "release-0002.sqlite"


@pytest.fixture
def old(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, path)
    return path


def _rows(path, sql):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_the_fixture_is_what_the_release_wrote(old):
    assert _rows(old, "SELECT version_num FROM bodymap_version") == [("0002",)]
    assert _rows(old, "SELECT count(*) FROM marks WHERE needled") == [(3,)]


def test_needled_marks_become_treated_points_with_unknown_details(old, placer):
    before = _rows(old, "SELECT id, needled FROM marks ORDER BY id")
    with Store.open(old, placer=placer) as store:
        record = store.record(store.patients()[0].id)
        marks = {m.id: m for vr in record.visits for m in vr.marks}
        for mark_id, needled in before:
            m = marks[mark_id]
            if needled:
                assert m.treatment == Treatment()  # muscle, needle, depth, technique...: all unknown
                assert m.treatment.missing == ("needle", "depth", "technique")
            else:
                assert m.treatment is None
    assert _rows(old, "SELECT version_num FROM bodymap_version") == [(schema.REVISION,)]


def test_everything_else_is_carried_forward(old, placer):
    with Store.open(old, placer=placer) as store:
        ann, bo = store.patients()
        assert (ann.name, ann.contact, bo.name) == ("Ann Lee", "555 0101", "Bo Nilsson")
        record = store.record(ann.id)
        first, second = record.visits
        assert (first.visit.therapist, first.visit.pain_before, first.visit.pain_after) == ("J. Smith", 7, 4)
        assert second.visit.after is not None and second.visit.after.soreness_hours == 24
        m1 = first.marks[0]
        assert (m1.findings.status, m1.findings.twitch, m1.findings.tenderness) == ("active", True, 8)
        assert m1.findings.notes == "pincer grip" and (m1.view, m1.side) == ("back", "right")
        assert first.marks[1].deleted_at is not None  # a deleted mark stays deleted
        assert len(first.drawings) == 1 and record.screens[0].anticoagulant and record.consents[0].given
        # The new steps start as "not recorded" on old visits, and there is no course plan.
        v = first.visit
        assert (v.positioned, v.skin_prepared, v.needle, v.reactions, v.advice_given, v.next_visit) == (
            False,
            False,
            None,
            "",
            False,
            None,
        )
        assert record.plans == ()
        insertion = visit_steps(record, first)[2]
        assert insertion.missing[:3] == ("needle of point 1", "depth of point 1", "technique of point 1")


def test_carried_forward_records_can_be_completed(old, placer):
    with Store.open(old, placer=placer) as store:
        mark = store.record(store.patients()[0].id).visits[0].marks[0]
        done = store.treat_mark(mark.id, Treatment(needle=Needle(0.25, 30), depth_mm=12, technique="static"))
        assert store.mark(mark.id).treatment == done.treatment
        visit = store.update_visit(mark.visit_id, next_visit=date(2026, 3, 9), advice_given=True)
        assert visit.next_visit == date(2026, 3, 9)
