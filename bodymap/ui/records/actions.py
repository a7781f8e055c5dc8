"""File menu actions for patient records: visit reports (PDF, print), the patient's aftercare sheet
(PDF, print), marks (CSV), the whole record (JSON, FHIR), importing one, and the clinic's settings.
They are enabled only while there is something to export; file dialogs open in the folder used last;
long exports show progress and can be cancelled; every failure is one plain line, and nothing is half
written."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from ..text import tell
from .session import RecordsSession

LAST_FOLDER = "files/last_folder"

log = logging.getLogger(__name__)


class RecordsActions:
    def __init__(self, window, session: RecordsSession):
        self.window, self.session = window, session
        self.last_message = ""
        self.history_view = None  # the open History of changes, for tests
        menu = window.file_menu
        first = menu.actions()[0] if menu.actions() else None
        self.actions: dict[str, QAction] = {}
        for name, text, key, slot in (
            ("report", "Export visit report (PDF)…", "Ctrl+E", self.export_pdf),
            (
                "report_all",
                "Export all visits (PDF)…",
                "Ctrl+Shift+E",
                lambda: self.export_pdf(all_visits=True),
            ),
            ("print", "Print visit report…", QKeySequence.StandardKey.Print, self.print_report),
            ("handout", "Aftercare sheet (PDF)…", "Ctrl+Shift+H", self.export_handout),
            ("print_handout", "Print aftercare sheet…", None, self.print_handout),
            ("csv", "Export marks (CSV)…", None, lambda: self.export("csv")),
            ("json", "Export record (JSON)…", None, lambda: self.export("json")),
            ("fhir", "Export record (FHIR R4 bundle)…", None, lambda: self.export("fhir")),
            ("import", "Import record (JSON)…", None, self.import_json),
            ("history", "History of changes…", None, self.show_history),
            ("lookup", "Rank this visit's drawing", "Ctrl+L", self.lookup_visit),
        ):
            act = QAction(text, window)
            if key is not None:
                act.setShortcut(QKeySequence(key))
            act.triggered.connect(lambda _checked=False, slot=slot: slot())  # not slot(checked)
            menu.insertAction(first, act)
            self.actions[name] = act
            window.actions_by_name[f"file:{name}"] = act
        menu.insertSeparator(first)
        window.records.session_form.handout.connect(self.export_handout)
        session.patientOpened.connect(lambda _p: self._enable())
        session.visitOpened.connect(lambda _v: self._enable())
        self._enable()

    def _enable(self) -> None:
        patient, visit = self.session.patient_id is not None, self.session.visit_id is not None
        for name in ("csv", "json", "fhir", "report_all", "history"):
            self.actions[name].setEnabled(patient)
        for name in ("report", "print", "lookup", "handout", "print_handout"):
            self.actions[name].setEnabled(visit)

    def tell(self, title: str, text: str) -> None:
        tell(self.window, title, text)
        self.last_message = text

    def _progress(self, text: str):
        """A progress dialog for long work (it appears only if the work takes a moment) and the
        callback the report calls: it returns False once the user cancels."""
        dialog = QProgressDialog(text, "Cancel", 0, 1, self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)

        def progress(done: int, total: int) -> bool:
            dialog.setMaximum(total)
            dialog.setValue(done)
            return not dialog.wasCanceled()

        return dialog, progress

    # -- files -------------------------------------------------------------------------------------

    def _folder(self) -> str:
        """The folder used last for an export or import, else the user's documents."""
        last = self.window.settings.value(LAST_FOLDER)
        if last and Path(str(last)).is_dir():
            return str(last)
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(
            Path.home()
        )

    def _remember(self, path: str | Path) -> None:
        self.window.settings.setValue(LAST_FOLDER, str(Path(path).parent))

    def _name(self, suffix: str) -> str:
        p = self.session.patient()
        return str(Path(self._folder()) / f"{p.family_name}_{p.given_name}{suffix}".replace(" ", "_"))

    def _need(self, visit: bool = True) -> bool:
        s = self.session
        if s.patient_id is None or (visit and s.visit_id is None):
            self.window.statusBar().showMessage(
                "Open a patient" + (" and a visit" if visit else "") + " first.", 5000
            )
            return False
        return True

    # -- exports -----------------------------------------------------------------------------------

    def show_history(self) -> None:
        if not self._need(visit=False):
            return
        from .history_view import HistoryView

        view = HistoryView(self.session, lambda: self.export_pdf(all_visits=True, history=True), self.window)
        view.show()
        self.history_view = view

    def export_pdf(
        self, all_visits: bool = False, path: str | None = None, history: bool = False
    ) -> Path | None:
        if not self._need(visit=not all_visits):
            return None
        from .report import ReportCancelled, write_report

        number = self.session.visit_number()
        suffix = ("_visits" if all_visits else f"_visit{number}") + ("_history.pdf" if history else ".pdf")
        path = (
            path
            or QFileDialog.getSaveFileName(
                self.window, "Export visit report", self._name(suffix), "PDF (*.pdf)"
            )[0]
        )
        if not path:
            return None
        self._remember(path)
        dialog, progress = self._progress("Writing the report…")
        try:
            out = write_report(
                self.session.store,
                self.session.patient_id,
                Path(path),
                visit_number=None if all_visits else number,
                progress=progress,
                history=history,
            )
        except ReportCancelled:
            self.window.statusBar().showMessage("Export cancelled; no file was written.", 6000)
            return None
        except (OSError, ValueError) as exc:
            self.tell("Export", f"Could not write {path}: {getattr(exc, 'strerror', None) or exc}")
            return None
        finally:
            dialog.close()
        self.window.statusBar().showMessage(f"Report written to {out}", 8000)
        return out

    def print_report(self) -> None:
        if not self._need():
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from .report import ReportCancelled, print_report

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not QPrintDialog(printer, self.window).exec():
            return
        dialog, progress = self._progress("Printing…")
        try:
            print_report(
                self.session.store,
                self.session.patient_id,
                printer,
                [self.session.visit_id],
                progress=progress,
            )
        except ReportCancelled:
            self.window.statusBar().showMessage("Printing cancelled.", 6000)
        except (OSError, ValueError) as exc:
            self.tell("Print", f"Could not print: {getattr(exc, 'strerror', None) or exc}")
        finally:
            dialog.close()

    # -- the aftercare sheet -------------------------------------------------------------------------

    def _clinic(self) -> dict[str, str]:
        value = self.session.settings.value
        return {"clinic": value.clinic, "contact": value.contact}

    def _advice_given(self) -> None:
        """The sheet went to the patient: the visit's aftercare advice is given (an undo step)."""
        from bodymap.core.records import commands as cmd

        visit = self.session.visit()
        if visit is not None and not visit.advice_given:
            self.session.run(cmd.UpdateVisit(visit, advice_given=True))

    def export_handout(self, path: str | None = None) -> Path | None:
        if not self._need():
            return None
        from .handout import write_handout

        number = self.session.visit_number()
        if not self.session.settings.value.contact:
            self.window.statusBar().showMessage(
                "The clinic's contact line is not set (File > Clinic settings): the sheet asks the "
                "patient to ask for it.",
                8000,
            )
        path = (
            path
            or QFileDialog.getSaveFileName(
                self.window, "Aftercare sheet", self._name(f"_aftercare{number}.pdf"), "PDF (*.pdf)"
            )[0]
        )
        if not path:
            return None
        self._remember(path)
        try:
            out = write_handout(
                self.session.store, self.session.patient_id, number, Path(path), **self._clinic()
            )
        except (OSError, ValueError) as exc:
            self.tell("Aftercare sheet", f"Could not write {path}: {getattr(exc, 'strerror', None) or exc}")
            return None
        self._advice_given()
        self.window.statusBar().showMessage(f"Aftercare sheet written to {out}", 8000)
        return out

    def print_handout(self) -> None:
        if not self._need():
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from .handout import print_handout

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not QPrintDialog(printer, self.window).exec():
            return
        try:
            print_handout(
                self.session.store,
                self.session.patient_id,
                self.session.visit_number(),
                printer,
                **self._clinic(),
            )
        except (OSError, ValueError) as exc:
            self.tell("Print", f"Could not print: {getattr(exc, 'strerror', None) or exc}")
            return
        self._advice_given()

    def export(self, fmt: str, path: str | None = None) -> Path | None:
        if not self._need(visit=False):
            return None
        from bodymap.core.records.exchange import export_file

        kind = {"csv": "CSV", "json": "JSON", "fhir": "FHIR JSON"}[fmt]
        suffix = ".fhir.json" if fmt == "fhir" else f".{fmt}"
        path = (
            path
            or QFileDialog.getSaveFileName(
                self.window,
                f"Export {kind}",
                self._name(suffix),
                f"{kind} (*{'.json' if fmt == 'fhir' else suffix})",
            )[0]
        )
        if not path:
            return None
        self._remember(path)
        try:
            out = export_file(self.session.store, self.session.patient_id, path, fmt)
        except (OSError, ValueError) as exc:
            self.tell("Export", str(exc))
            return None
        self.window.statusBar().showMessage(f"Written to {out}", 8000)
        return out

    def import_json(self, path: str | None = None):
        from bodymap.core.records.importing import import_record

        path = (
            path
            or QFileDialog.getOpenFileName(self.window, "Import record", self._folder(), "JSON (*.json)")[0]
        )
        if not path:
            return None
        self._remember(path)
        try:
            patient = import_record(self.session.store, Path(path))
        except (OSError, ValueError) as exc:  # a malformed file imports nothing and says why
            self.tell("Import", f"Nothing was imported.\n\n{exc}")
            return None
        except Exception as exc:  # noqa: BLE001 - whatever a hostile file finds: one line, nothing imported
            log.exception("import of %s failed", path)  # a bug: the user sees one line, the log the rest
            self.tell("Import", f"Nothing was imported: the file could not be read ({type(exc).__name__}).")
            return None
        self.session.open_patient(patient.id)  # the list, title, panel and status bar all follow
        self.window.statusBar().showMessage(f"Imported {patient.given_name} {patient.family_name}", 8000)
        return patient

    def lookup_visit(self) -> None:
        """Let the lookup rank the open visit's drawing (it is not an undo step: nothing is changed)."""
        from ..lookup_panel import VISIT

        if not self._need():
            return
        panel = self.window.lookup_panel
        panel.source.setCurrentIndex(max(0, panel.source.findData(VISIT)))
        if not panel.ranked_pain():
            self.window.statusBar().showMessage("This visit has no pain drawing yet.", 5000)
        self.window.dock("lookup").raise_()
