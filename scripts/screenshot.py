"""Make the README's screenshot from the real main window (offscreen): `make screenshot`.

It shows what the app is for: a pain drawing over the right lateral thigh and leg, the ranked
candidate muscles, and the first candidate's referral pattern on the chart."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bodymap.core.chart.body import load_body  # noqa: E402
from bodymap.ui.mainwindow import MainWindow  # noqa: E402


def main(out: str) -> int:
    app = QApplication.instance() or QApplication(["bodymap"])
    settings = QSettings(str(Path(out).with_suffix(".ini")), QSettings.Format.IniFormat)
    body = load_body()
    window = MainWindow.for_body(body, settings)
    window.resize(1500, 940)
    window.show()
    window.load_atlas()
    app.processEvents()
    window.actions_by_name["Front"].trigger()
    lookup = window.lookup_panel
    leg = body["front"].region("lateral_leg", "right").geometry
    thigh = body["front"].region("lateral_thigh", "right").geometry
    lookup.apply_gesture("lasso", "front", leg.union(thigh).buffer(-0.002))
    lookup.table.setCurrentItem(lookup.table.topLevelItem(0))
    window.chart.fit()
    window.hover_label.setText(body["front"].region("lateral_leg", "right").label)
    app.processEvents()
    ok = window.grab().save(out)
    Path(out).with_suffix(".ini").unlink(missing_ok=True)
    print(out if ok else f"could not write {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "assets/screenshot.png"))
