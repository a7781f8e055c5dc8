"""The QUndoStack adapter for the core's record commands (bodymap.core.records.commands).

A command is carried out *before* it goes on the stack, so a refused value (pain 11, a point off the
body) raises at once and never sits on the stack; QUndoStack's first redo() is then skipped."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from bodymap.core.records.commands import Command, MoveMark, UpdateMark

MERGE_IDS = {MoveMark: 1, UpdateMark: 2}  # command types whose consecutive steps merge (a drag)


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
        return MERGE_IDS.get(type(self.command), -1)

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
