"""The QUndoStack adapter for the core's record commands (bodymap.core.records.commands).

A command is carried out *before* it goes on the stack, so a refused value (pain 11, a point off the
body) raises at once and never sits on the stack; QUndoStack's first redo() is then skipped.

Which steps merge into one (a drag, typing in a field, ticks of a number) is the core's decision
(Command.merge): every command here has the same merge id, so QUndoStack asks the core each time."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from bodymap.core.records.commands import Command

MERGE_ID = 1


class StoreCommand(QUndoCommand):
    def __init__(self, store, command: Command):
        super().__init__(command.text)
        self.store, self.command = store, command
        self._skip_redo = True

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.command.do(self.store)

    def undo(self) -> None:
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
