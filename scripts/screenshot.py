"""Make the README's screenshot from the real main window (offscreen): `make screenshot`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bodymap.core.body import load_body  # noqa: E402
from bodymap.ui.mainwindow import MainWindow  # noqa: E402


def main(out: str) -> int:
    app = QApplication.instance() or QApplication(["bodymap"])
    settings = QSettings(str(Path(out).with_suffix(".ini")), QSettings.Format.IniFormat)
    window = MainWindow.for_body(load_body(), settings)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    window.chart.fit()
    # Hover the right temple so the screenshot shows the naming of regions.
    bv = load_body()["front"]
    region = bv.region("temple", "right")
    window.scene.set_hover(region)
    window.hover_label.setText(region.label)
    app.processEvents()
    ok = window.grab().save(out)
    Path(out).with_suffix(".ini").unlink(missing_ok=True)
    print(out if ok else f"could not write {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "assets/screenshot.png"))
