"""While a card is open, whatever could give its answer away is hidden: the chart's other layers (atlas
zones and trigger points, hazards, muscle outlines, pain drawings, the lookup's point, patient marks)
and the panels given as spoilers; when the student stops, they come back as they were, with the views
that were shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QWidget

from bodymap.core.chart.frame import View

from ..chart.scene import ChartScene

# Layers of other parts that could give an answer away (style.Layer names); the study's own layers
# ("study", "answer") and the body's stay.
SPOILER_LAYERS = ("zones", "hazards", "muscles", "trps", "previous", "pain", "unexplained", "marks", "point")


class Spoilers:
    def __init__(
        self,
        scene: ChartScene,
        window: QWidget,
        panels: Sequence[QWidget],
        show_views: Callable[[tuple[View, ...]], None],
    ):
        self.scene, self.window, self.panels, self.show_views = scene, window, list(panels), show_views
        self._views_before: tuple[View, ...] | None = None
        self._layers: list[str] = []
        self._widgets: list[QWidget] = []

    def add(self, panel: QWidget) -> None:
        """One more panel that could give an answer away (the records' marks name trigger points)."""
        self.panels.append(panel)

    @property
    def hidden(self) -> bool:
        return self._views_before is not None

    def hide(self) -> bool:
        """Hide them (True), or nothing if they are hidden already (False)."""
        if self.hidden:
            return False
        self._views_before = tuple(self.scene.shown_views)
        self._layers = [n for n in SPOILER_LAYERS if self.scene.layer_visible(n)]
        for name in self._layers:
            self.scene.set_layer_visible(name, False)
        self._widgets = [w for w in self.panels if w.isVisibleTo(self.window)]  # or a tab behind
        for w in self._widgets:
            w.hide()
        return True

    def show(self) -> bool:
        """Show again what was hidden, and the views shown before (True); False if nothing was hidden."""
        if self._views_before is None:
            return False
        for name in self._layers:
            self.scene.set_layer_visible(name, True)
        for w in self._widgets:
            w.show()
        views, self._views_before = self._views_before, None
        self._layers, self._widgets = [], []
        if tuple(self.scene.shown_views) != views:
            self.show_views(views)
        return True
