"""The clinic's settings: one typed object with its defaults in one place.

The window keeps them (QSettings, ui/settings.py); the command line reads the same stored values. They
are what every part needs about the clinic and the person at the keyboard: the therapist's name (for new
visits and the records' history), the clinic's name and contact line (on the patient's aftercare sheet),
the needles the therapist keeps (the list a treated point picks from) and the one used last (preselected).

Stored values are read with `from_stored`, which never fails: a value that is missing or unreadable
falls back to its default (settings written by an older or newer version must not stop the app), and
the reasons are returned for the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from bodymap.core.records.checks import check_text
from bodymap.core.records.model import InvalidValue, Needle
from bodymap.core.records.vocabulary import MAX_NAME

# The needles a clinic typically stocks for dry needling, thin and short to long (diameter × length, mm):
# 0.16 × 15 for the face and hand, 0.25 × 25-30 for the neck and shoulder, 0.30 × 40-75 for the back,
# gluteals and thigh.
DEFAULT_NEEDLES = (
    Needle(0.16, 15),
    Needle(0.25, 25),
    Needle(0.25, 30),
    Needle(0.30, 40),
    Needle(0.30, 50),
    Needle(0.30, 60),
    Needle(0.30, 75),
)
MAX_NEEDLES = 40
MAX_LOCATION = 2000  # characters of a file path or a server URL


def check_location(value: object) -> str:
    """Where the records are, as the settings keep it: one line (a file path or a server URL)."""
    text = check_text("records", value, limit=MAX_LOCATION).strip()
    if any(c in text for c in "\r\n\t"):
        raise InvalidValue("records must be one line: a file, or a server URL")
    return text


def check_typed_location(value: object) -> str:
    """Where the records are, as typed into the settings: one line, and no password in a server URL.
    The settings are stored as plain text; the server's driver (libpq) reads the password from ~/.pgpass
    or $PGPASSWORD instead (docs/clinic.md). A setting stored before this check still opens."""
    text = check_location(value)
    try:
        password = urlsplit(text).password if "://" in text else None
    except ValueError:  # not a URL that could be opened either: opening it says why
        password = None
    if password is not None:
        raise InvalidValue(
            "records: keep the password out of the server URL, since the settings are stored as plain "
            "text; put it in ~/.pgpass (docs/clinic.md)"
        )
    return text


@dataclass(frozen=True)
class Settings:
    therapist: str = ""  # the name new visits and the records' history carry
    clinic: str = ""  # the clinic's name, on the aftercare sheet
    contact: str = ""  # the clinic's contact line (phone, hours), on the aftercare sheet
    needles: tuple[Needle, ...] = DEFAULT_NEEDLES
    last_needle: Needle | None = None  # the needle of the last treated point recorded
    # Where the records are: a file, or a clinic's server URL (docs/clinic.md); "" for $BODYMAP_DB, else
    # the file in the data folder. `--db` and $BODYMAP_DB come first (core/records/paths.py).
    records: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "therapist", check_text("therapist", self.therapist, limit=MAX_NAME))
        object.__setattr__(self, "clinic", check_text("clinic name", self.clinic, limit=MAX_NAME))
        object.__setattr__(self, "contact", check_text("contact line", self.contact, limit=MAX_NAME))
        object.__setattr__(self, "records", check_location(self.records))
        if not all(isinstance(n, Needle) for n in self.needles):
            raise InvalidValue("the needle list must hold needles")
        if len(self.needles) > MAX_NEEDLES:
            raise InvalidValue(f"the needle list holds at most {MAX_NEEDLES} needles")
        # One of each, thinnest then shortest first: the order a therapist scans a list in.
        object.__setattr__(
            self, "needles", tuple(sorted(set(self.needles), key=lambda n: (n.gauge_mm, n.length_mm)))
        )

    def used(self, needle: Needle) -> Settings:
        """After a treated point with `needle`: it is preselected next time, and in the list."""
        needles = self.needles if needle in self.needles else (*self.needles, needle)
        return replace(self, last_needle=needle, needles=needles[-MAX_NEEDLES:])

    def preselected(self) -> Needle | None:
        """The needle a new treated point starts with: the last one used, else the first in the list."""
        return self.last_needle or (self.needles[0] if self.needles else None)

    def stored(self) -> dict[str, str]:
        """As text values, for a settings store (QSettings)."""
        return {
            "therapist": self.therapist,
            "clinic": self.clinic,
            "contact": self.contact,
            "needles": "; ".join(n.label for n in self.needles),
            "last_needle": self.last_needle.label if self.last_needle else "",
            "records": self.records,
        }

    @classmethod
    def from_stored(cls, values: Mapping[str, object]) -> tuple[Settings, list[str]]:
        """Settings from stored text values; anything unreadable takes its default, with the reason."""
        problems: list[str] = []
        kept: dict[str, object] = {}
        for key in ("therapist", "clinic", "contact", "records"):
            value = values.get(key)
            if value is None:
                continue
            try:
                kept[key] = (
                    check_location(value) if key == "records" else check_text(key, value, limit=MAX_NAME)
                )
            except InvalidValue as exc:
                problems.append(str(exc))
        text = values.get("needles")
        if isinstance(text, str):
            needles = []
            for part in text.split(";"):
                if part.strip():
                    try:
                        needles.append(Needle.parse(part))
                    except InvalidValue as exc:
                        problems.append(str(exc))
            kept["needles"] = tuple(needles[:MAX_NEEDLES])
        last = values.get("last_needle")
        if isinstance(last, str) and last.strip():
            try:
                kept["last_needle"] = Needle.parse(last)
            except InvalidValue as exc:
                problems.append(str(exc))
        return cls(**kept), problems  # type: ignore[arg-type]  # each value was checked above


__all__ = ["Settings", "DEFAULT_NEEDLES", "MAX_NEEDLES"]
