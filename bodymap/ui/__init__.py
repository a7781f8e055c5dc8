"""The Qt side of bodymap (PySide6): windows, the chart scene, panels, undo adapter, printing."""
