"""The chart's commands: which views to show (1-4), region borders and landmarks (R, L), zoom (+, -, 0)
and the tools (P, M, B, S, E). Their single keys act only while the chart has the keyboard focus
(ui/shortcuts.py); the menus and the toolbar show them all."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from bodymap.core.chart.frame import View

from ..shortcuts import scope
from .scene import ChartScene
from .tools import TOOL_CHOICES, Tool
from .view import ChartView

VIEW_CHOICES: tuple[tuple[str, str, tuple[View, ...]], ...] = (
    ("All views", "1", ("front", "back", "plantar", "head")),
    ("Front", "2", ("front",)),
    ("Back", "3", ("back",)),
    ("Soles", "4", ("plantar",)),
    ("Head (sides)", "5", ("head",)),
)


def action(
    parent, text: str, keys=(), slot: Callable | None = None, checkable: bool = False, tip: str = ""
) -> QAction:
    """A QAction with its shortcuts, its tooltip naming the first one, and its slot."""
    act = QAction(text, parent, checkable=checkable)
    act.setShortcuts([k if isinstance(k, QKeySequence) else QKeySequence(k) for k in keys])
    if tip:
        key = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        act.setToolTip(f"{tip} ({key})" if key else tip)
    if slot is not None:
        (act.toggled if checkable else act.triggered).connect(slot)
    return act


class ChartActions:
    """Builds the chart's actions into `menus` (view, tools) and `toolbar`; `by_name` holds them."""

    def __init__(
        self,
        chart: ChartView,
        scene: ChartScene,
        view_menu: QMenu,
        tools_menu: QMenu,
        toolbar: QToolBar,
        set_tool: Callable[[Tool], None],
    ):
        self.chart, self.scene = chart, scene
        self.by_name: dict[str, QAction] = {}
        parent = chart.window()
        views = QActionGroup(parent)
        for label, key, shown in VIEW_CHOICES:
            act = self._add(
                label,
                action(
                    parent,
                    label,
                    [key],
                    lambda on, v=shown: on and chart.show_views(v),
                    checkable=True,
                    tip=f"Show {label.lower()}",
                ),
            )
            views.addAction(act)
            toolbar.addAction(act)
            view_menu.addAction(act)
        self.by_name["All views"].setChecked(True)
        toolbar.addSeparator()
        view_menu.addSeparator()
        for name, label, key, on in (
            ("regions", "Regions", "R", True),
            ("landmarks", "Landmarks", "L", False),
        ):
            act = self._add(
                label,
                action(
                    parent,
                    label,
                    [key],
                    lambda visible, n=name: scene.set_layer_visible(n, visible),
                    checkable=True,
                    tip=f"Show or hide {label.lower()}",
                ),
            )
            act.setChecked(on)
            toolbar.addAction(act)
            view_menu.addAction(act)
        toolbar.addSeparator()
        view_menu.addSeparator()
        for label, keys, slot in (
            ("Zoom in", [QKeySequence.StandardKey.ZoomIn, "+"], chart.zoom_in),
            ("Zoom out", [QKeySequence.StandardKey.ZoomOut, "-"], chart.zoom_out),
            ("Fit", ["0"], chart.fit),
        ):
            act = self._add(label, action(parent, label, keys, slot, tip=label))
            toolbar.addAction(act)
            view_menu.addAction(act)
        toolbar.addSeparator()
        tools = QActionGroup(parent)
        for tool, label, key, tip in TOOL_CHOICES:
            act = self._add(
                f"tool:{tool.value}",
                action(parent, label, [key], lambda on, t=tool: on and set_tool(t), checkable=True, tip=tip),
            )
            tools.addAction(act)
            toolbar.addAction(act)
            tools_menu.addAction(act)
        self.by_name["tool:navigate"].setChecked(True)
        # All of them act on the chart, and most are single keys: they fire only while it has the focus.
        scope(self.by_name.values(), chart)

    def _add(self, name: str, act: QAction) -> QAction:
        self.by_name[name] = act
        return act
