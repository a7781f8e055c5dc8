"""The FSRS wiring: ratings from scores, a failed card comes back sooner, everything survives a
restart; Learn, Quiz and Exam pick the right cards."""

from datetime import timedelta

import pytest
from fsrs import Rating, State

from bodymap.core.study import Choice, PainArea, Score, Study, StudyStore
from bodymap.core.study.schedule import rating_for, scheduler
from bodymap.core.study.session import interleave

FAIL = Score(0.2, False, False, "x")
HARD = Score(0.6, True, False, "x")
GOOD = Score(0.9, True, True, "x")


def test_ratings_a_failed_answer_is_always_again():
    for kind in ("zone", "point", "reverse", "name"):
        for ms in (None, 100, 10**7):
            for mode in ("learn", "quiz", "exam"):
                assert rating_for(kind, FAIL, ms, mode) is Rating.Again
                assert rating_for(kind, HARD, ms, mode) is Rating.Hard
    assert rating_for("zone", GOOD, 60_000) is Rating.Good
    assert rating_for("zone", GOOD, 5_000) is Rating.Easy
    assert rating_for("zone", GOOD, 5_000, "learn") is Rating.Good  # the pattern was just shown


def test_a_failed_card_comes_back_sooner_than_a_passed_one(store, clock):
    a, b = "zone:masseter:deep:right", "zone:masseter:deep:left"
    for _ in range(3):  # both well learnt
        store.record(a, GOOD, Rating.Good, "quiz", clock())
        store.record(b, GOOD, Rating.Good, "quiz", clock())
        clock.advance(days=store.state(a).stability or 1)
    failed = store.record(a, FAIL, Rating.Again, "quiz", clock(), 9000)
    passed = store.record(b, GOOD, Rating.Good, "quiz", clock(), 9000)
    assert failed.due < passed.due
    assert failed.state is State.Relearning
    assert failed.due - clock() <= timedelta(minutes=10)


def test_progress_is_persisted_across_a_restart(study_path, clock, deck):
    first = StudyStore.open(study_path, scheduler(fuzz=False))
    study = Study(deck, first, clock=clock)
    card = study.next_card("learn")
    t = deck.trigger_point(card)
    study.answer(card, PainArea(t.essential), "learn", 4200)
    before = first.states()
    first.close()

    again = StudyStore.open(study_path, scheduler(fuzz=False))
    assert again.states() == before
    (review,) = again.reviews(card.id)
    assert review.duration_ms == 4200 and review.mode == "learn" and review.rating == Rating.Good
    assert review.score >= 0.95 and review.passed
    clock.advance(hours=1)
    assert Study(deck, again, clock=clock).next_card("quiz").id == card.id  # due again after its step
    again.close()


def test_rebuild_recomputes_the_same_states_from_the_reviews(store, clock):
    for rating in (Rating.Good, Rating.Again, Rating.Good, Rating.Hard, Rating.Good):
        store.record("point:soleus:trp1:left", GOOD if rating > 1 else FAIL, rating, "quiz", clock(), 3000)
        clock.advance(days=2)
    before = store.states()
    assert store.rebuild() == 1
    after = store.states()
    for key in before:
        assert after[key].state == before[key].state and after[key].due == before[key].due
        assert after[key].stability == pytest.approx(before[key].stability)


def test_record_refuses_impossible_values(store, clock):
    with pytest.raises(ValueError):
        store.record("x", Score(1.5, True, True, ""), Rating.Good, "quiz", clock())
    with pytest.raises(ValueError):
        store.record("x", GOOD, Rating.Good, "cram", clock())
    with pytest.raises(ValueError):
        store.record("x", GOOD, Rating.Good, "quiz", clock(), -5)
    with pytest.raises(ValueError):
        store.record("x", GOOD, Rating.Good, "quiz", clock().replace(tzinfo=None))
    assert store.states() == {}


def test_learn_brings_new_cards_then_their_learning_steps_and_stops_at_the_daily_limit(store, clock, deck):
    study = Study(deck, store, clock=clock, new_per_day=3)
    seen = []
    previous = None
    for _ in range(3):
        card = study.next_card("learn", previous)
        assert study.is_new(card)
        study.answer(card, None, "learn", 1000)  # "I don't know": Again
        seen.append(card)
        previous = card
    assert len({c.area for c in seen}) == 3  # interleaved across body areas
    assert study.next_card("learn", previous) is None  # three new cards a day, none due yet
    clock.advance(minutes=2)
    back = study.next_card("learn", previous)
    assert back is not None and back.id in {c.id for c in seen}  # a failed card's learning step
    assert study.counts().new_left == 0


def test_quiz_shows_only_due_cards_most_overdue_first_across_areas(store, clock, deck):
    study = Study(deck, store, clock=clock)
    assert study.next_card("quiz") is None
    ids = ["zone:masseter:deep:right", "zone:temporalis:anterior:right", "point:soleus:trp1:right"]
    for cid in ids:
        store.record(cid, FAIL, Rating.Again, "quiz", clock())
        clock.advance(seconds=10)
    clock.advance(hours=1)
    first = study.next_card("quiz")
    assert first.id == ids[0]
    # After a head-and-neck card, a card from another area comes before the next head-and-neck one.
    assert study.next_card("quiz", first).id == ids[2]


def test_interleave_round_robins_groups():
    class C:
        def __init__(self, a):
            self.area = a

    cards = [C("a"), C("a"), C("a"), C("b"), C("c")]
    assert [c.area for c in interleave(cards, lambda c: c.area)] == ["a", "b", "c", "a", "a"]


def test_an_exam_is_mixed_timed_and_reports_by_area_and_kind(store, clock, deck, grader):
    study = Study(deck, store, clock=clock)
    run = study.start_exam(n=12, minutes=10, seed=7)
    assert len(run.cards) == 12 and len({c.id for c in run.cards}) == 12
    assert {c.kind for c in run.cards} == {"zone", "point", "reverse", "name"}
    assert len({c.area for c in run.cards}) >= 4
    answered = 0
    while (card := run.next_card()) is not None and answered < 8:
        if card.kind in ("reverse", "name"):
            run.answer(card, Choice(frozenset(deck.choices(card).accepted[:1])), 5000)
        else:
            run.answer(card, None, 5000)
        answered += 1
        clock.advance(seconds=30)
    clock.advance(minutes=10)
    assert run.next_card() is None  # time is up
    results = run.finish()
    assert results.overall.asked == 12 and results.overall.answered == 8
    assert sum(t.asked for t in results.by_kind.values()) == 12
    assert sum(t.asked for t in results.by_area.values()) == 12
    assert len(store.reviews(exam_id=run.id)) == 8  # answers were recorded (and scheduled) at once
    exam = store.exam(run.id)
    assert exam.finished_at is not None and list(exam.cards) == [c.id for c in run.cards]
    with pytest.raises(ValueError):
        run.answer(run.cards[-1], None)


def test_exam_prefers_cards_already_studied(store, clock, deck):
    studied = [c.id for c in deck.select("zone")[:30]]
    for cid in studied:
        store.record(cid, GOOD, Rating.Good, "quiz", clock())
    run = Study(deck, store, clock=clock).start_exam(n=8, seed=1)
    zones = [c for c in run.cards if c.kind == "zone"]
    assert zones and all(c.id in studied for c in zones)


def test_retrievability_tells_todays_failed_card_from_a_passed_one(store, clock, deck):
    from bodymap.core.study import progress
    from bodymap.core.study.progress import retrievability

    failed = store.record("zone:masseter:deep:right", FAIL, Rating.Again, "quiz", clock())
    passed = store.record("zone:soleus:trp1:right", GOOD, Rating.Good, "quiz", clock())
    tonight = clock() + timedelta(hours=10)
    r_failed = retrievability(store.scheduler, failed, tonight)
    r_passed = retrievability(store.scheduler, passed, tonight)
    assert 0.7 < r_failed < r_passed < 1.0  # py-fsrs's own (whole days) says 1.0 for both
    # It agrees with py-fsrs on whole days.
    later = clock() + timedelta(days=3)
    assert retrievability(store.scheduler, passed, later) == pytest.approx(
        store.scheduler.get_card_retrievability(passed, later)
    )
    p = progress(deck, store, tonight)
    assert p.of("masseter", "right").retrievability < p.of("soleus", "right").retrievability
    assert p.weakest(1)[0].muscle == "masseter" and p.of("masseter", "left").retrievability is None
