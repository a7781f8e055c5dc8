"""The body charts: the body frame and laterality rule, the figure, its named regions, landmarks and
orientation lines per view, hit-testing and GeoJSON. Nothing here is imported on the way to the
window's first paint except frame.py, so this package's __init__ stays empty."""
