"""The clinic's settings (core/settings.py) kept in QSettings under "clinic/": the therapist's name, the
clinic's name and contact line, the needle list and the last needle used. The window and the command
line read them through `load`; a stored value that cannot be read falls back to its default (logged)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSettings, Signal

from bodymap.core.settings import Settings

log = logging.getLogger(__name__)
GROUP = "clinic"


def load(store: QSettings | None = None) -> Settings:
    qs = store or QSettings()
    values = {key: qs.value(f"{GROUP}/{key}") for key in Settings().stored() if qs.contains(f"{GROUP}/{key}")}
    settings, problems = Settings.from_stored(values)
    for problem in problems:
        log.warning("clinic settings: %s; the default is used", problem)
    return settings


def save(settings: Settings, store: QSettings | None = None) -> None:
    qs = store or QSettings()
    for key, value in settings.stored().items():
        qs.setValue(f"{GROUP}/{key}", value)
    qs.sync()


class ClinicSettings(QObject):
    """The settings of this window, saved as they change; `changed` after each change."""

    changed = Signal(object)  # the new Settings

    def __init__(self, store: QSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store or QSettings()
        self.value = load(self.store)

    def set(self, settings: Settings) -> None:
        if settings == self.value:
            return
        self.value = settings
        save(settings, self.store)
        self.changed.emit(settings)
