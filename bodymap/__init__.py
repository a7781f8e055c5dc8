"""bodymap: an interactive trigger-point body map for myofascial pain."""

__version__ = "0.1.0"
