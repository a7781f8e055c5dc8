"""Visit reports: a patient's visits as printed pages (PDF or a printer).

Each visit starts on a new page: who and when (patient, date of birth and age, visit number and date,
therapist), the precautions box (the precaution screen and the consent in force at the visit, i.e. the
latest on or before its date, else the first one after it, said so; highlighted when they call for
care), pain before and after, the chief complaint and the after-effects of the last visit, the charts
(front, back and soles) with the visit's marks and pain drawings and a legend, the pain extent, and the
findings table (continued on further pages when it is long). With more than one visit on record the
report ends with the course of care (chart and table).

Laterality is always the patient's: the chart labels R and L on every view, the table says "right" and
"left", and the legend says so.

The page is laid out first (text measured with the device's fonts; nothing drawn) so that every page can
say "page i of n", then painted page by page; `progress(done, total)` is called after each page and may
return False to cancel (`ReportCancelled`). The charts are drawn into an image at up to 300 dpi, with
the marks at a fixed size on paper (3 mm across, their numbers about 7 pt), and placed on the page.

    write_report(store, patient_id, Path("ann.pdf"))                 # every visit, then the course of care
    write_report(store, patient_id, Path("ann-2.pdf"), visit_number=2)
    print_report(store, patient_id, printer, [visit.id])             # from a QPrintDialog
"""

from .charts import Chart, DrawingLayer
from .output import print_report, render_report, report_title, write_report
from .style import ReportCancelled

__all__ = [
    "Chart",
    "DrawingLayer",
    "ReportCancelled",
    "print_report",
    "render_report",
    "report_title",
    "write_report",
]
