"""The write path does the least work: one mark is recorded in at most 3 SQL statements and one
transaction, a finding in at most 2 (issue 11: it took 24 and 26). Counted on the driver's cursor
(SQLAlchemy's before_cursor_execute), so that it cannot creep back up."""

from contextlib import contextmanager

from sqlalchemy import event

from bodymap.core.records import Findings

from .conftest import inside

_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def counted(store):
    """The SQL statements sent (transaction control aside) and the transactions begun, while inside."""
    statements: list[str] = []
    transactions: list[object] = []

    def execute(_conn, _cursor, statement, _params, _context, _many):
        if not statement.lstrip().upper().startswith(_CONTROL):
            statements.append(statement)

    def begin(conn):
        transactions.append(conn)

    engine = store.engine
    event.listen(engine, "before_cursor_execute", execute)
    event.listen(engine, "begin", begin)
    try:
        yield statements, transactions
    finally:
        event.remove(engine, "before_cursor_execute", execute)
        event.remove(engine, "begin", begin)


def test_a_mark_is_three_statements_in_one_transaction(store, visit):
    point = inside("back", "infraspinous", "right")
    store.placer.place("back", *point)  # the body and atlas are loaded once, before counting
    with counted(store) as (statements, transactions):
        store.add_mark(visit.id, "back", *point)
    assert 0 < len(statements) <= 3, statements
    assert len(transactions) == 1


def test_a_finding_is_two_statements_in_one_transaction(store, visit):
    mark = store.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"))
    with counted(store) as (statements, transactions):
        mark = store.update_mark(mark.id, status="active", seen=mark)
    assert 0 < len(statements) <= 2, statements
    assert len(transactions) == 1
    assert store.mark(mark.id).findings == Findings(status="active") and mark.version == 2
