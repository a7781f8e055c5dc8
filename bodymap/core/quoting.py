"""Bad values in one-line messages: named by what they are, and quoted only as a short prefix.

A message that echoes the value it refuses must stay one short line whatever came in: a 10 MB text,
a number with thousands of digits (Python refuses to even print one past 4,300), an array nested a
thousand deep (whose repr() would overflow the stack), a lone surrogate that no terminal can show.
"""

from __future__ import annotations

import math

LIMIT = 40  # characters of a text quoted in a message


def quote(value: object, limit: int = LIMIT) -> str:
    """A short, printable description of `value` for an error message: `'abc…'`, `12.5`, `a list`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        digits = digits_of(value)
        return str(value) if digits <= 20 else f"a number with {digits:,} digits"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("not a number" if math.isnan(value) else "infinity")
    if isinstance(value, str):
        head = value[:limit]
        # repr() escapes what cannot be shown (control characters, lone surrogates) and adds the quotes.
        return repr(head) + ("…" if len(value) > limit else "")
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def point_text(x: float, y: float) -> str:
    """A point in the body frame for a message: "(0.120, 0.845)"; far-off values in short form."""
    return f"({_coordinate(x)}, {_coordinate(y)})"


def _coordinate(v: float) -> str:
    return f"{v:.3f}" if abs(v) < 1e4 else f"{v:.3g}"


def digits_of(n: int) -> int:
    """The number of decimal digits of a whole number, without converting it to text."""
    n = abs(n)
    if n < 10**18:
        return len(str(n))
    estimate = int(n.bit_length() * math.log10(2))  # within one of the true count
    return estimate + 1 if n >= 10**estimate else estimate


__all__ = ["LIMIT", "quote", "point_text", "digits_of"]
