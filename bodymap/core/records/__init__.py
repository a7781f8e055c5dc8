"""Patient records: patients, precaution screens, consents, visits, marks and pain drawings.

    from bodymap.core.records import Store
    store = Store.open()          # the user's own database ($BODYMAP_DB, else the data folder)
    store.subscribe(print)        # Change(kind='mark', ids=(12,)) after each committed change

Every change is committed when it is made (no save); changes the user makes go through
bodymap.core.records.commands so that undo and redo cover them. See docs/records.md.
"""

from .model import (
    AfterEffects,
    Conflict,
    Consent,
    Drawing,
    Findings,
    InvalidValue,
    Mark,
    Needle,
    NotFound,
    Patient,
    Plan,
    ReadOnly,
    Record,
    RecordsError,
    Screen,
    Treatment,
    Visit,
    VisitRecord,
)
from .store import Change, Store

__all__ = [
    "Store",
    "Change",
    "Patient",
    "Screen",
    "Consent",
    "Visit",
    "AfterEffects",
    "Mark",
    "Findings",
    "Treatment",
    "Needle",
    "Plan",
    "Drawing",
    "Record",
    "VisitRecord",
    "RecordsError",
    "InvalidValue",
    "ReadOnly",
    "NotFound",
    "Conflict",
]
