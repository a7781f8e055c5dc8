"""The QUndoStack adapter for the core's record commands (bodymap.core.records.commands).

A command is carried out *before* it goes on the stack, so a refused value (pain 11, a point off the
body) raises at once and never sits on the stack; QUndoStack's first redo() is then skipped.

Undo and redo work the same way round (step()): the command's undo or redo is carried out first, and
only once it has succeeded is the stack told to move. QUndoStack moves its index even when a command's
undo fails, so a refused undo (someone changed the record since, the server is away) would otherwise
leave the history claiming a step was undone that was not. The window's Undo and Redo (UndoActions) go
through step().

Which steps merge into one (a drag, typing in a field, ticks of a number) is the core's decision
(Command.merge): every command here has the same merge id, so QUndoStack asks the core each time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoGroup, QUndoStack

from bodymap.core.records.commands import Command

MERGE_ID = 1


class StoreCommand(QUndoCommand):
    def __init__(self, store, command: Command):
        super().__init__(command.text)
        self.store, self.command = store, command
        self._skip_redo = True  # done already: by run() when pushed, by step() before a redo
        self._skip_undo = False  # undone already, by step()

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.command.do(self.store)

    def undo(self) -> None:
        if self._skip_undo:
            self._skip_undo = False
            return
        self.command.undo(self.store)

    def id(self) -> int:
        return MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, StoreCommand) or other.store is not self.store:
            return False
        if self.command.merge(other.command):
            self.setText(self.command.text)
            return True
        return False


def run(stack: QUndoStack, store, command: Command) -> Command:
    """Carry out a record command and put it on the undo stack; raises (and pushes nothing) if refused."""
    command.do(store)
    stack.push(StoreCommand(store, command))
    return command


def step(stack: QUndoStack, back: bool) -> None:
    """Undo (back) or redo the stack's next step. A record command is carried out first: if the store
    refuses it, this raises and the stack stays exactly as it was."""
    if back:
        if not stack.canUndo():
            return
        command = stack.command(stack.index() - 1)
        if isinstance(command, StoreCommand):
            command.command.undo(command.store)
            command._skip_undo = True
        stack.undo()
    else:
        if not stack.canRedo():
            return
        command = stack.command(stack.index())
        if isinstance(command, StoreCommand):
            command.command.do(command.store)
            command._skip_redo = True
        stack.redo()


class UndoActions(QObject):
    """The window's Undo and Redo: the active stack's next step through step(), so that a refused undo
    moves nothing; `refused(exception, what)` is told why. Their text and enabled state follow the
    group's active stack, as QUndoGroup's own actions do."""

    def __init__(self, group: QUndoGroup, parent: QObject, refused: Callable[[Exception, str], None]):
        super().__init__(parent)
        self.group, self._refused = group, refused
        self.undo = QAction("&Undo", parent)
        self.undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo = QAction("&Redo", parent)
        self.redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.undo.triggered.connect(lambda: self.trigger(True))
        self.redo.triggered.connect(lambda: self.trigger(False))
        group.canUndoChanged.connect(self.undo.setEnabled)
        group.canRedoChanged.connect(self.redo.setEnabled)
        group.undoTextChanged.connect(lambda t: self.undo.setText(f"&Undo {t}".rstrip()))
        group.redoTextChanged.connect(lambda t: self.redo.setText(f"&Redo {t}".rstrip()))
        self.undo.setEnabled(group.canUndo())
        self.redo.setEnabled(group.canRedo())

    def trigger(self, back: bool) -> None:
        stack = self.group.activeStack()
        if stack is None:
            return
        what = f"{'Undo' if back else 'Redo'} {stack.undoText() if back else stack.redoText()}"
        try:
            step(stack, back)
        except ValueError as exc:  # InvalidValue, Conflict, Unreachable...: nothing moved
            self._refused(exc, what)
