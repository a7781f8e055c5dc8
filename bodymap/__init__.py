"""bodymap: an interactive trigger-point body map for myofascial pain."""

from pathlib import Path

__version__ = "0.1.0"
DATA = Path(__file__).resolve().parent / "data"  # the data files shipped in the package (core/data.py)
