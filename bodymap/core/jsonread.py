"""Reading JSON that may be hostile: one line saying what is wrong, never a crash.

Python's decoder accepts what no bodymap file holds and then breaks on it: arrays nested a thousand
deep (RecursionError), whole numbers of 4,301 digits (ValueError) or of hundreds (OverflowError later,
in arithmetic), and NaN or Infinity, which are not JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MAX_DIGITS = 30  # no value bodymap reads is a whole number this long
MAX_BYTES = 512 * 1024 * 1024  # far beyond any bodymap file (a thousand visits of dense drawings)


class BadJSON(ValueError):
    """JSON that cannot be read, in one line (without the file's name: the caller adds it)."""


class _BadNumber(ValueError):
    pass


def _whole(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _BadNumber(f"it holds a whole number with {digits:,} digits")
    return int(text)


def _constant(name: str) -> float:
    raise _BadNumber(f"it holds {name}, which is not a JSON number")


def parse_json(text: str | bytes) -> object:
    """JSON text (str, or bytes in UTF-8) to data; BadJSON says what is wrong."""
    try:
        return json.loads(text, parse_int=_whole, parse_constant=_constant)
    except UnicodeDecodeError:
        raise BadJSON("it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadJSON(f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise BadJSON("it is nested too deeply to be a bodymap file") from None
    except _BadNumber as exc:
        raise BadJSON(str(exc)) from None


def read_json(path: str | os.PathLike[str]) -> object:
    """A JSON file's data; BadJSON for a file that cannot be read or parsed (OSError included)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise BadJSON(f"it is {size / 1e6:,.0f} MB, far more than any bodymap file")
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BadJSON(f"it cannot be read ({exc.strerror or exc})") from None
    return parse_json(data)


__all__ = ["BadJSON", "MAX_DIGITS", "parse_json", "read_json"]
