from bodymap.core.chart.hittest import HitTester


def test_region_and_landmark_under_a_point(body):
    tester = HitTester(body["back"])
    mastoid = body["back"].landmark("mastoid_process", "right")
    hit = tester.hit(*mastoid.point, tolerance=0.005)
    assert hit.region.id == "mastoid" and hit.region.side == "right"
    assert hit.landmark.id == "mastoid_process"
    assert "Mastoid (behind the ear) (right)" in hit.describe()


def test_outside_the_body(body):
    tester = HitTester(body["front"])
    assert tester.region_at(0.4, 0.5) is None
    assert tester.landmark_near(0.4, 0.5, 0.01) is None


def test_front_left_of_viewer_is_patient_right(body):
    tester = HitTester(body["front"])
    r = tester.region_at(-0.05, 0.73)
    assert r.id == "pectoral" and r.side == "right"
