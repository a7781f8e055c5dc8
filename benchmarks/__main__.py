"""Run every benchmark: `make bench` (or `python -m benchmarks`)."""

from . import atlas, chart, drawings, lookup, study

chart.main()
atlas.main()
lookup.main()
drawings.main()
study.main()
try:
    from . import records
except ImportError:  # pragma: no cover
    records = None
if records is not None and hasattr(records, "main"):
    records.main()
