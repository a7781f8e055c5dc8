"""Access to the data files shipped inside the package, with errors that name file, item and field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bodymap import DATA

# A JSON object as read from a data or record file. Its values are whatever the file holds, so they
# are checked where they are read (require(), the loaders' own checks) rather than typed here.
JsonObject = dict[str, Any]


class DataError(ValueError):
    """A data file is missing or malformed. The message names the file, the item and the field."""

    def __init__(self, file: str, message: str, item: str | None = None, field: str | None = None):
        self.file, self.item, self.field = file, item, field
        where = file
        if item:
            where += f": {item}"
        if field:
            where += f": {field}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Where:
    """Where in the data something is: file, item (a muscle, a region...) and field."""

    file: str
    item: str | None = None
    field: str | None = None

    def error(self, message: str) -> DataError:
        return DataError(self.file, message, self.item, self.field)

    def at(self, field: str) -> Where:
        """The same item, one field deeper (`essential[2]`, `at`...)."""
        return Where(self.file, self.item, f"{self.field}.{field}" if self.field else field)


def data_root() -> Path:
    """The folder that holds bodymap's data (inside the installed package)."""
    return DATA


def load_json(relative: str, root: Path | None = None) -> Any:
    """Load a JSON data file; raise DataError naming it if it is missing or not valid JSON."""
    path = (root or data_root()) / relative
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise DataError(relative, "file not found") from None
    except json.JSONDecodeError as exc:
        raise DataError(
            relative, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def require(obj: Any, key: str, kind: type | tuple[type, ...], file: str, item: str | None) -> Any:
    """obj[key], checked to be of `kind`; DataError naming the file, item and field otherwise."""
    if not isinstance(obj, dict):
        raise DataError(file, "expected an object", item)
    if key not in obj:
        raise DataError(file, "missing", item, key)
    value = obj[key]
    if not isinstance(value, kind) or (
        kind is not bool and isinstance(value, bool) and bool not in _kinds(kind)
    ):
        names = " or ".join(k.__name__ for k in _kinds(kind))
        raise DataError(file, f"expected {names}, got {type(value).__name__}", item, key)
    return value


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
