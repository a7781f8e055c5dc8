"""A treated point deeper than the atlas's safe depth for its muscle warns, naming the depth, the limit
and its source; at or under it, or with the depth not recorded, it does not.

The limits, from the atlas (needling.safe_depth, docs/atlas-format.md), for the muscles over the thorax
and neck, where a needle too deep can reach the pleura or the brachial plexus:

- upper trapezius 30 mm: Kearns GA et al., Musculoskelet Sci Pract 2022;62:102622 (cadavers, prone: a
  30 mm needle perpendicular to the skin never reached the pleura; 40-60 mm sometimes did);
- rhomboids 17 mm: Seol SJ et al., Ann Rehabil Med 2014;38(1):72-76 (ultrasound, 62 patients: safe
  margin 1.4-1.7 cm with BMI under 23);
- serratus anterior 10 mm and intercostals 10 mm: estimates, said so in the warning (Dommerholt &
  Fernández-de-las-Peñas 2019; McCutcheon & Yelland, Phys Ther Rev 2011;16(2):126-132): the rib and
  the pleura lie within a centimetre;
- scalenes 25 mm: Dommerholt & Fernández-de-las-Peñas 2019, ch. 7 (the muscle lies about 1-2.5 cm deep).
"""

import pytest

from bodymap.core.atlas import load_atlas
from bodymap.core.records import Mark, Needle, Treatment
from bodymap.core.records.safety import depth_warning, needling_warnings

ATLAS = load_atlas()

LIMITS = [
    ("upper_trapezius", 30, "Kearns et al. 2022", False),
    ("rhomboids", 17, "Seol et al. 2014", False),
    ("serratus_anterior", 10, "Dommerholt et al. 2019", True),
    ("intercostals", 10, "McCutcheon et al. 2011", True),
    ("scalenes", 25, "Dommerholt et al. 2019", False),
]


def _point(muscle: str, depth: float | None, *, named: bool = True) -> Mark:
    """A treated point at one of the muscle's own trigger points (its nearest), needled to `depth`."""
    trp = ATLAS.muscles[muscle].trps("right")[0]
    x, y = trp.point
    return Mark(
        visit_id=1,
        view=trp.view,
        x=x,
        y=y,
        side="right",
        region_id="test",
        trp_muscle=muscle,
        trp_id=trp.id,
        trp_side="right",
        trp_distance=0.0,
        treatment=Treatment(muscle=muscle if named else None, needle=Needle(0.30, 60), depth_mm=depth),
    )


@pytest.mark.parametrize(("muscle", "limit", "source", "estimate"), LIMITS)
def test_the_atlas_gives_the_sourced_limit(muscle, limit, source, estimate):
    safe = ATLAS.muscles[muscle].safe_depth
    assert safe is not None and safe.mm == limit and safe.estimate is estimate
    assert safe.source.short == source and safe.source.where and safe.note


@pytest.mark.parametrize(("muscle", "limit", "source", "estimate"), LIMITS)
def test_beyond_the_limit_warns_with_depth_limit_and_source(muscle, limit, source, estimate):
    warning = depth_warning(_point(muscle, limit + 1), ATLAS)
    assert warning is not None and warning.kind == "depth" and warning.id == muscle
    name = ATLAS.muscles[muscle].name
    assert f"Depth {limit + 1:g} mm is beyond the safe depth of {limit:g} mm for {name}" in warning.message
    assert source in warning.message
    assert ("an estimate" in warning.message) is estimate
    assert ATLAS.muscles[muscle].safe_depth.source.citation in warning.advice
    # ...and it is among the point's needling warnings, kept with it wherever they are shown.
    assert warning in needling_warnings(_point(muscle, limit + 1), None, None, ATLAS)


@pytest.mark.parametrize(("muscle", "limit", "source", "estimate"), LIMITS)
def test_at_or_under_the_limit_or_unrecorded_does_not(muscle, limit, source, estimate):
    assert depth_warning(_point(muscle, limit), ATLAS) is None
    assert depth_warning(_point(muscle, limit / 2), ATLAS) is None
    assert depth_warning(_point(muscle, None), ATLAS) is None


def test_the_nearest_trigger_points_muscle_stands_in_when_none_is_named():
    warning = depth_warning(_point("rhomboids", 25, named=False), ATLAS)
    assert warning is not None and warning.id == "rhomboids"


def test_the_named_muscle_wins_over_the_nearest_trigger_point():
    # Needled through the rhomboid area but into a muscle with no safe depth in the atlas: no depth warning.
    mark = _point("rhomboids", 25)
    other = Mark(**{**mark.__dict__, "treatment": Treatment(muscle="infraspinatus", depth_mm=25)})
    assert ATLAS.muscles["infraspinatus"].safe_depth is None
    assert depth_warning(other, ATLAS) is None


def test_a_point_not_needled_has_no_warning_at_all():
    mark = _point("rhomboids", 25)
    untreated = Mark(**{**mark.__dict__, "treatment": None})
    assert needling_warnings(untreated, None, None, ATLAS) == []
