"""The console's queue page at a thousand open contacts and at a hundred
thousand, and what unlocking a staff member's keys costs."""

from __future__ import annotations

import re
import secrets
import statistics
import time
from datetime import timedelta

from sqlalchemy import insert, text

from bench.environment import ADMIN_PASSWORD, Database, gunicorn
from bench.load import _request
from utvag.clock import utcnow
from utvag.store.db import make_engine
from utvag.store.models import Contact

BATCH = 5000


def fill(database: Database, up_to: int, already: int) -> None:
    """Open contacts, as a flood leaves them (sealed bytes, clear queue fields)."""
    engine = make_engine(database.url)
    now = utcnow()
    with engine.begin() as connection:
        team_id = connection.execute(text("SELECT min(id) FROM teams")).scalar_one()
        for start in range(already, up_to, BATCH):
            rows = []
            for number in range(start, min(up_to, start + BATCH)):
                due = now - timedelta(minutes=number % 600)
                rows.append(
                    {
                        "team_id": team_id,
                        "kind": "defector" if number % 3 else "relative",
                        "channel": "web",
                        "wants_callback": number % 4 != 0,
                        "status": "received",
                        "created_at": due,
                        "due_at": due,
                        "queue_due_at": due,
                        "attempt_count": 0,
                        "key_id": "0" * 16,
                        "sealed_content": secrets.token_bytes(64),
                        "receipt_digest": secrets.token_hex(32),
                    }
                )
            connection.execute(insert(Contact), rows)
    if database.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE contacts"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()


class Staff:
    """A logged-in member, over HTTP."""

    def __init__(self, port: int, database: Database) -> None:
        self.port = port
        status, page, headers = _request(port, "GET", "/login", None, {})
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert status == 200
        assert token
        self.cookie = _cookies(headers)
        import urllib.parse

        body = urllib.parse.urlencode(
            {
                "csrf_token": token.group(1),
                "username": "bench",
                "password": ADMIN_PASSWORD,
                "otp": database.admin_totp.now(),
            }
        )
        status, _, headers = _request(
            port,
            "POST",
            "/login",
            body,
            {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302, f"the bench could not log in ({status})"
        self.cookie = _cookies(headers) or self.cookie

    def queue_page(self) -> float:
        started = time.perf_counter()
        status, page, _ = _request(self.port, "GET", "/queue", None, {"Cookie": self.cookie})
        elapsed = time.perf_counter() - started
        if status != 200 or len(re.findall(r'href="/contacts/\d', page)) < 50:
            raise AssertionError(
                f"the queue page answered {status} without a full page of contacts"
            )
        return elapsed


def _cookies(headers: list[tuple[str, str]]) -> str:
    return "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")


def queue_p95(database: Database, samples: int, sizes: tuple[int, int]) -> dict[int, float]:
    """p95 of the queue page (ms) at each number of open contacts."""
    results = {}
    with gunicorn("triage:create_app()", database.env()) as port:
        staff = Staff(port, database)
        filled = 0
        for size in sizes:
            fill(database, size, filled)
            filled = size
            for _ in range(5):
                staff.queue_page()  # warm
            times = sorted(staff.queue_page() for _ in range(samples))
            results[size] = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
    return results


def unlock_seconds(repeat: int = 5) -> float:
    """Unwrapping a staff member's key at the production Argon2id cost."""
    from crypto.kdf_cost import PRODUCTION_COST
    from crypto.keys import generate_team_keypair
    from crypto.unwrapping import unwrap_private_key
    from crypto.wrapping import wrap_private_key

    private_key, _ = generate_team_keypair()
    pepper = bytes(32)  # the bench measures the work, not the secret
    wrapped = wrap_private_key(private_key, ADMIN_PASSWORD, PRODUCTION_COST, pepper=pepper)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert unwrap_private_key(wrapped, ADMIN_PASSWORD, pepper=pepper) == private_key
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def plans(database: Database) -> list[str]:
    """How the database answers the queue page's queries, as filled now."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.orm import Session

    from utvag.repo import queue as queue_repo

    engine = make_engine(database.url)
    dialect = sqlite.dialect() if database.name == "sqlite" else postgresql.dialect()
    captured: list[str] = []

    def capture(_conn, _cursor, statement, parameters, context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "contacts" in statement:
            compiled = context.compiled
            captured.append(
                str(
                    compiled.statement.compile(
                        dialect=dialect, compile_kwargs={"literal_binds": True}
                    )
                )
            )

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", capture)
    with Session(engine) as session:
        team_id = session.execute(text("SELECT min(id) FROM teams")).scalar_one()
        queue_repo.summary(session, team_id, utcnow())
        queue_repo.page(session, team_id, to_call=True)
    event.remove(engine, "before_cursor_execute", capture)
    lines = []
    with engine.connect() as connection:
        for statement in captured:
            if database.name == "sqlite":
                rows = connection.execute(text(f"EXPLAIN QUERY PLAN {statement}")).all()
                plan = "; ".join(str(row[-1]) for row in rows)
            else:
                rows = connection.execute(text(f"EXPLAIN {statement}")).all()
                plan = "; ".join(str(row[0]).strip() for row in rows)
            lines.append(f"`{' '.join(statement.split())[:160]}…` → {plan}")
    engine.dispose()
    return lines
