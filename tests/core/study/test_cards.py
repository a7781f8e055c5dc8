"""The cards generated from the atlas: four kinds for every trigger point and side, clinical cases,
what reverse and name cards accept and offer."""

import re

import pytest

from bodymap.core.chart.frame import PAIRED_SIDES
from bodymap.core.study import KINDS, UnknownCard


def test_four_kinds_for_every_trigger_point_and_side_and_a_case_per_condition(deck, atlas):
    trps = [t for s in PAIRED_SIDES for t in atlas.trigger_points(s)]
    assert len(deck.cards) == 4 * len(trps) + len(atlas.conditions)
    ids = {c.id for c in deck.cards}
    assert len(ids) == len(deck.cards)
    for t in trps:
        for kind in KINDS:
            assert f"{kind}:{t.muscle}:{t.id}:{t.side}" in ids
    for c in atlas.conditions:
        assert f"reverse:case:{c}" in ids


def test_card_fields(deck):
    for c in deck.cards:
        d = c.as_dict()
        assert {"id", "kind", "muscle", "trp", "side", "prompt"} <= d.keys()
        assert re.fullmatch(r"[a-z]+:[a-z0-9_]+:[a-z0-9_]+(:(right|left))?", c.id)
        assert c.prompt and "\n" not in c.prompt
        if c.condition is None:
            assert c.side in ("right", "left") and f"patient's {c.side}" in c.prompt
            assert deck.trigger_point(c).side == c.side


def test_unknown_card(deck):
    with pytest.raises(UnknownCard, match="no study card 'zone:nope'"):
        deck.card("zone:nope")


def test_reverse_accepts_the_source_muscle_and_offers_look_alikes(deck):
    for c in deck.select("reverse"):
        ch = deck.choices(c)
        assert set(ch.accepted) <= set(ch.options)
        assert len(ch.options) > len(ch.accepted), c.id  # look-alikes are mixed in
        if c.muscle:
            assert c.muscle in ch.accepted


def test_name_offers_four_look_alikes_chosen_by_pattern_similarity(deck):
    for c in deck.select("name"):
        ch = deck.choices(c)
        assert c.muscle in ch.accepted and len(ch.options) == len(ch.accepted) + 4, c.id
    # The jaw: masseter's look-alikes are the muscles that also refer to the cheek and jaw.
    masseter = deck.choices(deck.card("name:masseter:superficial_upper:right"))
    assert {"lateral_pterygoid", "temporalis"} <= set(masseter.options)


def test_a_clinical_case_accepts_the_conditions_muscles(deck, atlas):
    c = deck.card("reverse:case:tennis_elbow")
    ch = deck.choices(c)
    assert set(ch.accepted) == set(atlas.conditions["tennis_elbow"].muscles)
    assert "elbow" in c.prompt.lower() and c.area == "arm_hand"


def test_select_by_kind_and_muscle(deck):
    cards = deck.select("zone", {"infraspinatus"})
    assert {c.kind for c in cards} == {"zone"} and {c.muscle for c in cards} == {"infraspinatus"}
    assert len(cards) == 2 * 3
    cases = [c for c in deck.select("reverse", {"supinator"}) if c.condition]
    assert any(c.condition == "tennis_elbow" for c in cases)


def test_reverse_and_name_show_their_pattern_on_the_views_of_the_zone(deck):
    c = deck.card("name:upper_trapezius:trp1:right")
    essential, spillover = deck.shown(c)
    t = deck.trigger_point(c)
    assert set(essential) == set(t.essential) and set(spillover) == set(t.spillover)
    e, s = deck.shown(deck.card("reverse:upper_trapezius:trp1:right"))
    assert set(e) == set(t.essential) and s == {}
    assert deck.shown(deck.card("zone:upper_trapezius:trp1:right")) == ({}, {})
