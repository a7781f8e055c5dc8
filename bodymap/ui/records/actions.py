"""File menu actions for patient records: visit reports (PDF, print), marks (CSV), the whole record
(JSON) and importing one. Long exports show progress and can be cancelled."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog


class RecordsActions:
    def __init__(self, window, store, panel):
        self.window, self.store, self.panel = window, store, panel
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
            ("csv", "Export marks (CSV)…", None, lambda: self.export("csv")),
            ("json", "Export record (JSON)…", None, lambda: self.export("json")),
            ("import", "Import record (JSON)…", None, self.import_json),
            ("lookup", "Look up this visit's drawing", "Ctrl+L", self.lookup_visit),
        ):
            act = QAction(text, window)
            if key is not None:
                act.setShortcut(QKeySequence(key))
            act.triggered.connect(slot)
            menu.insertAction(first, act)
            self.actions[name] = act
        menu.insertSeparator(first)

    def tell(self, title: str, text: str) -> None:
        """A message the user must see, in a window that does not stop their work (or a test)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setModal(False)
        box.show()
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

    def _folder(self) -> str:
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(
            Path.home()
        )

    def _need(self, visit: bool = True) -> bool:
        if self.panel.patient_id is None or (visit and self.panel.visit_id is None):
            self.window.statusBar().showMessage(
                "Open a patient" + (" and a visit" if visit else "") + " first.", 5000
            )
            return False
        return True

    def _visit_number(self) -> int:
        ids = [v.id for v in self.store.visits(self.panel.patient_id)]
        return ids.index(self.panel.visit_id) + 1

    def _name(self, suffix: str) -> str:
        p = self.store.patient(self.panel.patient_id)
        return f"{self._folder()}/{p.family_name}_{p.given_name}{suffix}".replace(" ", "_")

    def export_pdf(self, all_visits: bool = False, path: str | None = None) -> Path | None:
        if not self._need(visit=not all_visits):
            return None
        from .report import ReportCancelled, write_report

        suffix = "_visits.pdf" if all_visits else f"_visit{self._visit_number()}.pdf"
        path = (
            path
            or QFileDialog.getSaveFileName(
                self.window, "Export visit report", self._name(suffix), "PDF (*.pdf)"
            )[0]
        )
        if not path:
            return None
        dialog, progress = self._progress("Writing the report…")
        try:
            out = write_report(
                self.store,
                self.panel.patient_id,
                Path(path),
                visit_number=None if all_visits else self._visit_number(),
                progress=progress,
            )
        except ReportCancelled:
            self.window.statusBar().showMessage("Export cancelled; no file was written.", 6000)
            return None
        except OSError as exc:
            self.tell("Export", f"Could not write {path}: {exc.strerror or exc}")
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
            print_report(self.store, self.panel.patient_id, printer, [self.panel.visit_id], progress=progress)
        except ReportCancelled:
            self.window.statusBar().showMessage("Printing cancelled.", 6000)
        except OSError as exc:
            self.tell("Print", f"Could not print: {exc.strerror or exc}")
        finally:
            dialog.close()

    def export(self, fmt: str, path: str | None = None) -> Path | None:
        if not self._need(visit=False):
            return None
        from bodymap.core.records.exchange import export_file

        path = (
            path
            or QFileDialog.getSaveFileName(
                self.window, f"Export {fmt.upper()}", self._name(f".{fmt}"), f"{fmt.upper()} (*.{fmt})"
            )[0]
        )
        if not path:
            return None
        try:
            out = export_file(self.store, self.panel.patient_id, path, fmt)
        except (OSError, ValueError) as exc:
            self.tell("Export", str(exc))
            return None
        self.window.statusBar().showMessage(f"Written to {out}", 8000)
        return out

    def import_json(self, path: str | None = None):
        from bodymap.core.records.exchange import import_record

        path = (
            path
            or QFileDialog.getOpenFileName(self.window, "Import record", self._folder(), "JSON (*.json)")[0]
        )
        if not path:
            return None
        try:
            patient = import_record(self.store, Path(path))
        except (OSError, ValueError) as exc:  # a malformed file imports nothing and says why
            self.tell("Import", f"Nothing was imported.\n\n{exc}")
            return None
        self.panel.refresh_patients()
        self.panel.open_patient(patient.id)
        self.window.statusBar().showMessage(f"Imported {patient.given_name} {patient.family_name}", 8000)
        return patient

    def lookup_visit(self) -> None:
        pain = self.panel.visit_pain()
        if not pain:
            self.window.statusBar().showMessage("This visit has no pain drawing yet.", 5000)
            return
        from bodymap.core.pain import PainArea

        self.window.lookup_panel.use_pain(PainArea(pain))
        dock = self.window.findChild(type(self.window.records_dock), "Where does it hurt?")
        if dock is not None:
            dock.raise_()
