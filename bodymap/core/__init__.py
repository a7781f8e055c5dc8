"""The pure-Python core of bodymap (shapely + numpy). It never imports Qt."""
