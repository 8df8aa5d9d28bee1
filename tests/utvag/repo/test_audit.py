"""The audit trail is a hash chain: any altered, removed or reordered row shows."""

from __future__ import annotations

from sqlalchemy import Engine, text

from utvag.repo import audit
from utvag.store.db import transaction


def _write_three(session_factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        audit.record(session, "login", actor_id=1, actor_name="anna")
        audit.record(session, "decrypt", actor_id=1, actor_name="anna", contact_id=7)
        audit.record(session, "logout", actor_id=1, actor_name="anna")


def _problems(session_factory) -> list[audit.ChainProblem]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return audit.verify_chain(session)


def test_an_untouched_chain_verifies(session_factory) -> None:  # type: ignore[no-untyped-def]
    _write_three(session_factory)
    assert _problems(session_factory) == []


def test_an_altered_row_is_caught(session_factory, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    _write_three(session_factory)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET contact_id = 8 WHERE id = 2"))
    assert [p.event_id for p in _problems(session_factory)] == [2]


def test_a_removed_row_is_caught(session_factory, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    _write_three(session_factory)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = 2"))
    assert [p.event_id for p in _problems(session_factory)] == [3]


def test_reordered_rows_are_caught(session_factory, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    _write_three(session_factory)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET id = 99 WHERE id = 1"))
    assert _problems(session_factory) != []
