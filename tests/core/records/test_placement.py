"""Where a mark lies (the patient's side, region, nearest trigger point) and clipping drawings to the body."""

import subprocess
import sys

import pytest
import shapely
from shapely.geometry import Point, box

from bodymap.core.chart.body import ON_SKIN as EDGE_TOLERANCE
from bodymap.core.records import InvalidValue

from .conftest import inside, region


@pytest.mark.parametrize(
    "view, region_id", [("front", "pectoral"), ("back", "infraspinous"), ("plantar", None)]
)
def test_side_is_the_patients_on_every_view(placer, view, region_id):
    for side in ("right", "left"):
        if region_id is None:  # the plantar view: any region of that side
            r = next(r for r in placer.body[view].regions if r.side == side)
            p = r.geometry.representative_point()
            x, y = p.x, p.y
        else:
            x, y = inside(view, region_id, side)
        placed = placer.place(view, x, y)
        assert placed.side == side and placed.trp_side in (side, None)
        # The front view mirrors: the patient's right is the viewer's left (x < 0); back and soles do not.
        assert (x < 0) == ((view == "front") == (side == "right"))


def test_region_and_nearest_trigger_point(placer):
    x, y = inside("back", "suprascapular", "left")
    placed = placer.place("back", x, y)
    assert placed.region_id == "suprascapular"
    trps = [t for t in placer.atlas.trigger_points("left") if t.view == "back"]
    nearest = min(trps, key=lambda t: Point(t.point).distance(Point(x, y)))
    assert (placed.trp_muscle, placed.trp_id) == (nearest.muscle, nearest.id)
    assert placed.trp_distance == pytest.approx(Point(nearest.point).distance(Point(x, y)))


def test_a_tap_on_the_edge_of_the_skin_counts(placer):
    outline = placer.body["front"].outline
    edge = shapely.get_coordinates(outline.exterior)[100]
    out = Point(edge).buffer(EDGE_TOLERANCE / 2).difference(outline).representative_point()
    assert not outline.covers(out)
    assert placer.place("front", out.x, out.y).region_id
    far = (
        Point(edge)
        .buffer(EDGE_TOLERANCE * 5)
        .difference(outline.buffer(EDGE_TOLERANCE * 2))
        .representative_point()
    )
    with pytest.raises(InvalidValue, match="outside the body"):
        placer.place("front", far.x, far.y)


def test_clipping_keeps_only_the_body_and_is_idempotent(placer):
    r = region("back", "lumbar", "right")
    wide = r.geometry.buffer(0.03)
    once = placer.clip("back", wide)
    assert once.geom_type == "MultiPolygon"
    assert once.difference(placer.body["back"].outline).area < 1e-9
    assert placer.clip("back", once).equals_exact(once, 0)
    assert shapely.to_geojson(placer.clip("back", once)) == shapely.to_geojson(once)
    assert placer.clip("back", box(0.5, 0.5, 0.6, 0.6)) is None
    bow_tie = shapely.Polygon([(0, 0.5), (0.02, 0.52), (0.02, 0.5), (0, 0.52)])  # self-crossing: repaired
    assert placer.clip("front", bow_tie).area > 0


def test_records_never_import_qt():
    code = (
        "import sys\n"
        "import bodymap.core.records.commands\n"
        "from bodymap.core.records import database, exchange, metrics, model, paths, placement, rows\n"
        "from bodymap.core.records import safety, schema, store\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
