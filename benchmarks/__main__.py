"""Run every benchmark: `make bench` (or `python -m benchmarks`)."""

from . import atlas, chart, clinic, drawings, lookup, study

chart.main()
atlas.main()
lookup.main()
drawings.main()
study.main()
clinic.main([])  # a private PostgreSQL server when the machine has one (else said and skipped)
try:
    from . import records
except ImportError:  # pragma: no cover
    records = None
if records is not None and hasattr(records, "main"):
    records.main()
