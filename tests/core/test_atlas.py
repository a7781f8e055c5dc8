"""The atlas loads, covers the required muscles, and its clinical facts and laterality are right."""

import csv
from pathlib import Path

import pytest
from shapely.geometry import Point, box

from bodymap.core.atlas import normalise
from bodymap.core.chart.frame import x_sign

# The muscles the atlas must cover (docs/reference/muscles.md), kept in the repository so that this test
# runs, and can fail, on any clone.
REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "muscles.csv"


@pytest.fixture(scope="module")
def atlas():
    from bodymap.core.atlas import load_atlas

    return load_atlas()


def test_ninety_plus_muscles_each_complete(atlas):
    assert len(atlas.muscles) >= 90
    for m in atlas.muscles.values():
        assert m.sources, m.id
        assert m.trps("right") and all(t.essential for t in m.trps("right")), m.id
        assert m.attachments and m.action and m.palpation and m.needling.get("depth"), m.id


def test_every_muscle_of_the_reference_list_is_found(atlas):
    with REFERENCE.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 90
    for row in rows:
        # By the name clinicians use, exactly the one entry the table names, in its body area.
        assert [m.id for m in atlas.find(row["name"])] == [row["id"]], row["name"]
        assert atlas.muscles[row["id"]].area == row["area"], row["id"]


# The synonyms and group names of docs/reference/muscles.md.
@pytest.mark.parametrize(
    "name, expected",
    [
        ("fibularis longus", {"peroneus_longus"}),
        ("SCM", {"sternocleidomastoid"}),
        ("trapezius (upper fibres)", {"upper_trapezius"}),
        ("rhomboid major", {"rhomboids"}),
        ("rhomboid minor", {"rhomboids"}),
        ("psoas major", {"iliopsoas"}),
        ("iliacus", {"iliopsoas"}),
        ("erector spinae", {"iliocostalis_thoracis", "iliocostalis_lumborum", "longissimus_thoracis"}),
        ("TFL", {"tensor_fasciae_latae"}),
        ("hamstrings", {"biceps_femoris", "semitendinosus", "semimembranosus"}),
        ("quadriceps", {"rectus_femoris", "vastus_medialis", "vastus_lateralis", "vastus_intermedius"}),
        ("calf", {"gastrocnemius", "soleus"}),
    ],
)
def test_synonyms_the_search_must_understand(atlas, name, expected):
    assert {m.id for m in atlas.find(name)} >= expected


def test_search_as_you_type(atlas):
    assert atlas.search("glut")[0].id.startswith("gluteus")
    assert "infraspinatus" in [m.id for m in atlas.search("infra")]
    assert atlas.search("")  # everything, sorted
    assert [m.id for m in atlas.suggest("trapz")][:1] != []


def _zone_regions(body, trp, kind):
    """The (region id, side) pairs a trigger point's zone covers more than a sliver of."""
    out = set()
    for view, g in trp.zone(kind).items():
        for r in body[view].regions:
            if (
                r.geometry.intersection(g).area > 0.2 * min(r.geometry.area, g.area)
                or r.geometry.intersection(g).area > 5e-5
            ):
                out.add((r.id, r.side))
    return out


def _covers(body, muscle, trp_filter, region, kinds=("essential",), side="right"):
    for t in muscle.trps(side):
        if trp_filter and not trp_filter(t):
            continue
        covered = set()
        for k in kinds:
            covered |= {rid for rid, s in _zone_regions(body, t, k) if s in (side, "midline")}
        if region in covered:
            return True
    return False


# Clinically known patterns, each from a cited source (Simons 1999 = Travell, Simons & Simons vol. 1;
# Travell 1992 = vol. 2). Checked on both sides.
FACTS = [
    ("upper_trapezius", "temple", ("essential",), "Simons 1999 ch. 6: TrP1 refers to the temple"),
    ("upper_trapezius", "mastoid", ("essential",), "Simons 1999 ch. 6: posterolateral neck to the mastoid"),
    ("upper_trapezius", "angle_of_jaw", ("essential", "spillover"), "Simons 1999 ch. 6: angle of the jaw"),
    ("sternocleidomastoid", "forehead", ("essential", "spillover"), "Simons 1999 ch. 7: clavicular division"),
    ("temporalis", "temple", ("essential",), "Simons 1999 ch. 9"),
    ("masseter", "mandible", ("essential",), "Simons 1999 ch. 8"),
    ("suboccipitals", "orbit", ("essential", "spillover"), "Simons 1999 ch. 17: occiput to the orbit"),
    ("levator_scapulae", "neck_base", ("essential",), "Simons 1999 ch. 19: angle of the neck"),
    ("infraspinatus", "anterior_shoulder", ("essential",), "Simons 1999 ch. 22: deep front of the shoulder"),
    ("supraspinatus", "lateral_shoulder", ("essential",), "Simons 1999 ch. 21: mid-deltoid region"),
    ("rhomboids", "interscapular", ("essential",), "Simons 1999 ch. 27: medial border of the scapula"),
    ("scalenes", "pectoral", ("essential", "spillover"), "Simons 1999 ch. 20: anterior chest"),
    ("supinator", "lateral_epicondyle", ("essential",), "Simons 1999 ch. 36: lateral epicondyle"),
    ("extensor_carpi_radialis_longus", "lateral_epicondyle", ("essential",), "Simons 1999 ch. 34"),
    (
        "gluteus_minimus",
        "lateral_leg",
        ("essential", "spillover"),
        "Travell 1992 ch. 9: down the lateral leg",
    ),
    ("gluteus_minimus", "lateral_thigh", ("essential",), "Travell 1992 ch. 9: lateral thigh"),
    ("quadratus_lumborum", "sacroiliac", ("essential",), "Simons 1999 ch. 4 (vol. 2): SI joint"),
    (
        "quadratus_lumborum",
        "lateral_hip",
        ("essential", "spillover"),
        "Travell 1992 ch. 4: greater trochanter",
    ),
    ("piriformis", "sacroiliac", ("essential", "spillover"), "Travell 1992 ch. 10"),
    ("soleus", "heel_pad", ("essential",), "Travell 1992 ch. 22: heel"),
    ("gastrocnemius", "medial_arch", ("essential",), "Travell 1992 ch. 21: instep"),
    ("tibialis_anterior", "dorsal_hallux", ("essential",), "Travell 1992 ch. 19: great toe"),
    ("vastus_medialis", "medial_knee", ("essential",), "Travell 1992 ch. 14: medial knee"),
    ("quadratus_plantae", "heel_pad", ("essential",), "Travell 1992 ch. 27: plantar heel"),
    ("peroneus_longus", "lateral_ankle", ("essential",), "Travell 1992 ch. 20: lateral malleolus"),
    ("biceps_femoris", "popliteal_fossa", ("essential",), "Travell 1992 ch. 16: back of the knee"),
]


@pytest.mark.parametrize("muscle, region, kinds, source", FACTS, ids=[f"{m}->{r}" for m, r, *_ in FACTS])
@pytest.mark.parametrize("side", ["right", "left"])
def test_known_referral_patterns(atlas, body, muscle, region, kinds, source, side):
    assert _covers(body, atlas.muscles[muscle], None, region, kinds, side), source


def test_no_zone_leaks_to_the_wrong_side(atlas, body):
    """A zone on one side stays on that side, except parts the data marks as crossing the midline
    and regions that are themselves on the midline."""
    for m in atlas.muscles.values():
        for side in ("right", "left"):
            for t in m.trps(side):
                for kind in ("essential", "spillover"):
                    for view, g in t.zone(kind).items():
                        other = box(-5, -1, 0, 2) if x_sign(view, side) > 0 else box(0, -1, 5, 2)
                        leak = g.intersection(other)
                        if leak.area < 1e-9:
                            continue
                        allowed = [r.geometry for r in body[view].regions if r.side == "midline"]
                        crossing = m.id in CROSSES_MIDLINE
                        rest = leak
                        for a in allowed:
                            rest = rest.difference(a)
                        assert crossing or rest.area < 1e-7, (m.id, t.id, side, kind, view, rest.area)


# Muscles whose sources describe referral across the midline (written with "side": "both"/"opposite").
CROSSES_MIDLINE = {
    "sternocleidomastoid",
    "rectus_abdominis",
    "lumbar_multifidi",
    "gluteus_medius",
    "quadratus_lumborum",
    "sternalis",
    "levator_ani",
    "external_oblique",
    "iliopsoas",
    "frontalis",
    "occipitalis",
    "pectoralis_major",
    "gluteus_maximus",
    "diaphragm",
    "semispinalis_capitis",
    "splenius_capitis",
    "orbicularis_oculi",
    "digastric",
    "adductor_magnus",
    "suboccipitals",
    "lower_trapezius",
    "iliocostalis_lumborum",
    "longissimus_thoracis",
    "intercostals",
    "serratus_posterior_inferior",
    "piriformis",
}


def test_trps_are_on_their_side_and_inside_the_body(atlas, body):
    for t in atlas.trigger_points():
        x = t.point[0]
        assert x * x_sign(t.view, t.side) >= 0, t.key
        assert body[t.view].outline.buffer(0.003).contains(Point(t.point)), t.key


def test_trps_lie_in_their_muscle(atlas):
    misses = []
    for m in atlas.muscles.values():
        for t in m.trps("right"):
            outline = m.outlines["right"].get(t.view)
            if outline is not None and outline.distance(Point(t.point)) > 0.01:
                misses.append(t.key)
    assert not misses


def test_muscles_over_a_hazard_say_so(atlas):
    # The upper trapezius lies over the lung apex; the piriformis over the sciatic nerve.
    assert (
        "lung_apex" in atlas.muscles["upper_trapezius"].hazards_under_trps
        or "lung_apex" in atlas.muscles["upper_trapezius"].needling["hazards"]
    )
    assert any("sciatic" in h for h in atlas.muscles["piriformis"].hazards_under_trps)


def test_every_condition_lists_sourced_muscles(atlas):
    required = [
        "neck_tension",
        "tension_headache",
        "migraine",
        "tmj_pain",
        "shoulder_pain",
        "rotator_cuff_pain",
        "tennis_elbow",
        "golfers_elbow",
        "low_back_pain",
        "sciatica_like_pain",
        "hip_buttock_pain",
        "knee_pain",
        "shin_pain",
        "plantar_fasciitis",
    ]
    for c in required:
        cond = atlas.conditions[c]
        assert cond.muscles and cond.sources, c
    assert "gluteus_minimus" in atlas.conditions["sciatica_like_pain"].muscles
    assert "extensor_carpi_radialis_brevis" in atlas.conditions["tennis_elbow"].muscles


def test_normalise():
    assert normalise("Fibularis (peroneus) Longus!") == "fibularis peroneus longus"
    assert normalise("Fernández") == "fernandez"


def test_every_trigger_point_lies_on_the_body_where_a_mark_can_be_placed(atlas, body):
    """A trigger point is in a muscle: one written just outside the outline (the chart is a drawing) is
    placed just inside it, so a mark tapped on it is on the body and finds it as its nearest."""
    from shapely.geometry import Point

    from bodymap.core.records.placement import Placer

    placer = Placer(body, atlas)
    for t in atlas.trigger_points():
        assert body[t.view].outline.covers(Point(t.point)), t.key
    t = next(t for t in atlas.muscles["upper_trapezius"].trps("right") if t.id == "trp1")
    placed = placer.place(t.view, *t.point)
    assert (placed.trp_muscle, placed.trp_id, placed.trp_side) == ("upper_trapezius", "trp1", "right")
    assert placed.trp_distance == 0.0
