"""Many writers append to the audit trail at once, and no business action fails.

Each thread has an engine of its own (as separate console, intake and worker
processes would) and runs transactions shaped like the real ones: read first
(open a contact), record an event, commit; or write first (claim), record,
commit. Every transaction must succeed and the chain must verify.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from utvag.repo import audit
from utvag.store.db import make_engine, make_session_factory, transaction
from utvag.store.models import AuditEvent, Team

THREADS = 4
TRANSACTIONS_EACH = 40


def _writer(database_url: str, number: int, failures: list[BaseException]) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        for round_number in range(TRANSACTIONS_EACH):
            with transaction(factory) as session:
                if round_number % 2:
                    # Read first, then only the audit row is written (like
                    # opening a contact): the upgrade from reader to writer
                    # must not fail when another writer got in between.
                    session.scalar(select(func.count()).select_from(Team))
                else:
                    session.add(
                        Team(
                            slug=f"t{number}-{round_number}",
                            name="x",
                            hours_spec="mon-fri 08:00-16:00",
                            timezone="Europe/Stockholm",
                        )
                    )
                    session.flush()
                audit.record(session, "decrypt", actor_id=number, contact_id=round_number)
                audit.record(session, "claimed", actor_id=number, contact_id=round_number)
    except BaseException as error:  # noqa: BLE001 - reported to the main thread
        failures.append(error)
    finally:
        engine.dispose()


def test_concurrent_appends_all_succeed_and_chain(database_url: str, session_factory) -> None:  # type: ignore[no-untyped-def]
    failures: list[BaseException] = []
    threads = [
        threading.Thread(target=_writer, args=(database_url, number, failures))
        for number in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with session_factory() as session:
        count = session.scalar(select(func.count()).select_from(AuditEvent))
        assert count == THREADS * TRANSACTIONS_EACH * 2
        assert audit.verify_chain(session) == []


def test_a_rolled_back_action_leaves_no_audit_row(session_factory) -> None:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        with session.begin():
            audit.record(session, "decrypt", actor_id=1, contact_id=1)
            session.rollback()
        # The same session, a new transaction: only its own event is written.
        with session.begin():
            audit.record(session, "login", actor_id=1)
    with session_factory() as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    assert actions == ["login"]
