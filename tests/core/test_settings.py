"""The clinic's settings: defaults in one place, stored as text, and never a failure to start when a
stored value is unreadable (it falls back to its default, with the reason)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bodymap.core.records import Needle
from bodymap.core.settings import DEFAULT_NEEDLES, Settings


def test_defaults_are_a_clinics_usual_needles():
    s = Settings()
    assert s.needles == DEFAULT_NEEDLES and s.preselected() == Needle(0.16, 15)
    assert s.therapist == s.clinic == s.contact == ""


def test_stored_and_read_back():
    s = Settings(therapist="J. Brown", clinic="Northside Physio", contact="555 0199").used(Needle(0.35, 100))
    again, problems = Settings.from_stored(s.stored())
    assert again == s and problems == []
    assert again.preselected() == Needle(0.35, 100) and Needle(0.35, 100) in again.needles
    server = Settings(records=" postgresql+psycopg://anna@server.clinic.lan/bodymap ")
    assert server.records == "postgresql+psycopg://anna@server.clinic.lan/bodymap"  # where the records are
    assert Settings.from_stored(server.stored()) == (server, [])


def test_records_are_one_line():
    import pytest

    from bodymap.core.records import InvalidValue

    with pytest.raises(InvalidValue, match="records must be one line"):
        Settings(records="postgresql://a@b/c\nDROP")
    s, problems = Settings.from_stored({"records": "x" * 3000, "therapist": "J. Brown"})
    assert s.records == "" and s.therapist == "J. Brown" and "at most 2,000" in problems[0]


def test_a_password_is_kept_out_of_a_typed_server_url():
    import pytest

    from bodymap.core.records import InvalidValue
    from bodymap.core.settings import check_typed_location

    with pytest.raises(InvalidValue, match="keep the password out"):
        check_typed_location("postgresql+psycopg://anna:s3cret@server.clinic.lan/bodymap")
    with pytest.raises(InvalidValue, match="keep the password out"):
        check_typed_location("postgresql://anna:@server/bodymap")  # an empty one is still one
    for fine in ("postgresql+psycopg://anna@server/bodymap", "/home/anna/records.sqlite", "", "x://[::1"):
        assert check_typed_location(fine) == fine
    # One stored before the check still opens (a clinic's copy must not lose its server at an update).
    stored = Settings.from_stored({"records": "postgresql://anna:s3cret@server/bodymap"})
    assert stored == (Settings(records="postgresql://anna:s3cret@server/bodymap"), [])


def test_unreadable_values_fall_back_with_the_reason():
    s, problems = Settings.from_stored(
        {"needles": "0.25 x 30; seven; 0.3x50", "last_needle": "big", "clinic": 7}
    )
    assert s.needles == (Needle(0.25, 30), Needle(0.30, 50)) and s.last_needle is None
    assert len(problems) == 3 and all("\n" not in p for p in problems)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["therapist", "clinic", "contact", "needles", "last_needle", "records", "x"]),
        st.text(max_size=60) | st.integers() | st.none(),
    )
)
def test_any_stored_values_give_settings(values):
    s, problems = Settings.from_stored(values)
    assert isinstance(s, Settings) and all(isinstance(p, str) for p in problems)
