"""The aftercare sheet's words: what to expect, what helps, and the red flags, each with its source.

Sources (bodymap/core/records/aftercare.py, SOURCES): soreness for 24-48 hours (Martín-Pintado-Zugasti
et al. 2018); bruising, bleeding, drowsiness and a flare of the usual pain as the common mild events
(Brady et al. 2014, 7629 treatments); shortness of breath, chest pain on breathing or a dry cough, in
the hours or days after needling near the chest or upper back, as the signs of a pneumothorax that need
urgent care (Halle & Halle 2016 part one; McCutcheon & Yelland 2011; Cummings et al. 2014, symptoms
hours later); infection, bleeding that does not stop, and lasting numbness or weakness as reasons to
call the same day (Halle & Halle 2016 part two)."""

import pytest

from bodymap.core.atlas import load_atlas
from bodymap.core.records import Treatment
from bodymap.core.records.aftercare import BREATHING, FAINT, SOON, SOURCES, aftercare

from .conftest import inside

ATLAS = load_atlas()


def _sheet(store, patient, visit, where):
    store.add_mark(visit.id, *where, treatment=Treatment())
    record = store.record(patient.id)
    return aftercare(record, record.visits[0], ATLAS, contact="  Clinic 555 0199 (Mon-Fri 8-18) ")


@pytest.mark.parametrize(
    "where",
    [
        ("back", *inside("back", "suprascapular", "right")),  # upper back, over the lung apex
        ("front", *inside("front", "pectoral", "left")),  # chest wall
        ("back", *inside("back", "interscapular", "left")),  # between the shoulder blades
    ],
)
def test_needling_near_the_chest_or_upper_back_puts_the_breathing_warning_first(store, patient, visit, where):
    sheet = _sheet(store, patient, visit, where)
    assert sheet.chest and sheet.urgent[0] == BREATHING
    words = BREATHING.text.lower()
    for sign in ("short of breath", "chest", "breathe", "dry cough", "hours or days", "emergency"):
        assert sign in words
    assert {"halle_2016a", "mccutcheon_2011", "cummings_2014"} <= set(BREATHING.sources)


def test_needling_a_calf_has_no_breathing_warning(store, patient, visit):
    sheet = _sheet(store, patient, visit, ("back", *inside("back", "calf", "right")))
    assert not sheet.chest and sheet.urgent == (FAINT,)
    assert sheet.treated and "right side" in sheet.treated[0]


def test_what_to_expect_says_soreness_for_a_day_or_two(store, patient, visit):
    sheet = _sheet(store, patient, visit, ("back", *inside("back", "calf", "right")))
    first = sheet.expect[0]
    assert "1 to 2 days" in first.text and "martin_pintado_2018" in first.sources
    texts = " ".join(a.text for a in sheet.expect).lower()
    assert "bruise" in texts and "tired" in texts
    assert sheet.contact == "Clinic 555 0199 (Mon-Fri 8-18)"


def test_same_day_signs_cover_infection_bleeding_and_nerves():
    texts = " ".join(a.text for a in SOON).lower()
    for sign in ("redness", "fever", "bleeding", "numbness", "weakness"):
        assert sign in texts


def test_every_piece_of_advice_has_a_known_source(store, patient, visit):
    sheet = _sheet(store, patient, visit, ("back", *inside("back", "suprascapular", "right")))
    for advice in (*sheet.expect, *sheet.helps, *sheet.urgent, *sheet.soon):
        assert advice.sources and all(s in SOURCES for s in advice.sources), advice.text
    assert len(sheet.sources) == len(set(sheet.sources)) >= 5


def test_plain_words_short_sentences():
    # Plain language: no sentence of the advice is longer than 30 words, and no Latin muscle jargon.
    from bodymap.core.records.aftercare import EXPECT, HELPS

    for advice in (*EXPECT, *HELPS, BREATHING, FAINT, *SOON):
        for sentence in advice.text.split(". "):
            assert len(sentence.split()) <= 30, sentence
        assert "pneumothorax" not in advice.text.lower()
