"""Where does it hurt? From a pain point or area to the trigger points that may cause it, ranked, with
the reason for each (ranking.py)."""

from .ranking import Candidate, Contribution, Lookup, LookupInputError, Result, pain_from_geojson

__all__ = ["Candidate", "Contribution", "Lookup", "LookupInputError", "Result", "pain_from_geojson"]
