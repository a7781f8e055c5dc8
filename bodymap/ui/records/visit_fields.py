"""Saving fields of the open visit from a form (the Visit tab, the Session tab's steps): each change is
made on the visit as the form shows it (session.Shown), so one made on a field someone changed since is
refused, saying who; a refused value is said under the form and the stored value comes back."""

from __future__ import annotations

from typing import Any, Protocol

from bodymap.core.records import commands as cmd

from ..text import PlainLabel
from .session import RecordsSession, Shown


class VisitFieldForm(Protocol):
    session: RecordsSession
    copy: Shown  # the visit as the form shows it
    error: PlainLabel  # where a refusal is said

    def load(self, keep_typing: bool = True) -> None: ...


def save_visit_fields(form: VisitFieldForm, **changes: Any) -> None:
    """Save these fields of the open visit (the first names the field the user finished with)."""
    field = next(iter(changes))
    seen = form.copy.seen(field)
    if seen is None:
        return
    changes = {k: v for k, v in changes.items() if getattr(seen, k) != v}
    form.error.setText("")
    typed = next((v for v in changes.values() if isinstance(v, str)), "")  # kept on the clipboard if refused
    if changes and not form.session.run(cmd.UpdateVisit(seen, **changes), typed):
        form.load(keep_typing=False)  # the stored value comes back
        reason = form.session.refused  # (the status bar has said it too)
        form.error.setText(reason[:1].upper() + reason[1:])
    form.copy.done(field)
