"""`make loadtest`: 200 people submitting at once for 60 seconds against
gunicorn and PostgreSQL, spread over 50 programmes on one install (each
person on their programme's own path, ``/en/<team>/message``), then proof
that nothing went wrong and nothing was lost: every request answered with a
receipt, every receipt code finds its contact (checked against the database
with the server's own receipt key), and every contact is in the queue of the
programme whose path the person used. Bounded and self-stopping; not part of
`make test`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select, update

from bench.environment import database, gunicorn
from bench.load import Person
from bench.region import add_teams
from crypto.codes import RECEIPT_CODE_LENGTH, normalise_code
from crypto.receipts import receipt_digest
from utvag.server_secrets import intake_secrets
from utvag.store.db import make_engine, make_session_factory
from utvag.store.models import Contact, PublicListing, Team


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", default="4", help="gunicorn workers for the public app")
    parser.add_argument("--teams", type=int, default=50, help="programmes on the install")
    options = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="utvag-loadtest-") as directory,
        database("postgresql", Path(directory) / "postgresql") as db,
    ):
        add_teams(db, options.teams - 1)
        slugs = _list_every_team(db.url)
        with gunicorn("intake_web:create_app()", db.env(), options.workers) as port:
            receipts, errors, elapsed = _load(port, options.people, options.seconds, slugs)
        print(
            f"{len(receipts)} submissions in {elapsed:.1f} s from {options.people} people"
            f" over {len(slugs)} programmes: {len(receipts) / elapsed:.0f} per second,"
            f" {len(errors)} errors"
        )
        for error in errors[:10]:
            print(f"  error: {error}")
        lost = _lost(db.url, db.data_dir, receipts)
        print(f"{lost} receipts without their contact in the programme they wrote to")
    return 0 if not errors and not lost and receipts else 1


def _list_every_team(url: str) -> dict[str, int]:
    """Every team listed on the public site (its own path answers); slug -> id."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(update(Team).values(public_listing=PublicListing.LISTED.value))
        slugs = {slug: team_id for team_id, slug in connection.execute(select(Team.id, Team.slug))}
    engine.dispose()
    return slugs


def _load(
    port: int, people: int, seconds: float, teams: dict[str, int]
) -> tuple[list[tuple[str, int]], list[str], float]:
    """Each person writes to one programme, the people spread evenly; every
    receipt is kept with the team it must land in."""
    receipts: list[tuple[str, int]] = []
    slugs = sorted(teams)
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def person(number: int) -> None:
        try:
            slug = slugs[number % len(slugs)]
            client = Person(port, number, needs_form=True, team=slug)
        except Exception as error:  # noqa: BLE001 - counted, reported
            with lock:
                errors.append(f"form page: {error}")
            return
        while time.monotonic() < deadline:
            try:
                code = client.submit(expect_queued=True)
            except Exception as error:  # noqa: BLE001 - counted, reported
                with lock:
                    errors.append(str(error))
                continue
            with lock:
                receipts.append((code, teams[slug]))

    threads = [threading.Thread(target=person, args=(n,)) for n in range(people)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return receipts, errors, time.monotonic() - started


def _lost(url: str, data_dir: Path, receipts: list[tuple[str, int]]) -> int:
    """Receipts whose contact is not in the database, found by the receipt's
    digest, in the team the person wrote to."""
    key = intake_secrets(data_dir).receipt_key
    expected: dict[str, int] = {}
    for code, team_id in receipts:
        canonical = normalise_code(code, RECEIPT_CODE_LENGTH)
        assert canonical is not None, f"a malformed receipt code: {code!r}"
        expected[receipt_digest(key, canonical)] = team_id
    digests = list(expected)
    engine = make_engine(url)
    found = 0
    with make_session_factory(engine)() as session:
        for start in range(0, len(digests), 1000):
            chunk = digests[start : start + 1000]
            rows = session.execute(
                select(Contact.receipt_digest, Contact.team_id).where(
                    Contact.receipt_digest.in_(chunk)
                )
            )
            found += len([1 for digest, team_id in rows if digest and expected[digest] == team_id])
        total = int(session.scalar(select(func.count()).select_from(Contact)) or 0)
    engine.dispose()
    if total != len(receipts):
        print(f"  {total} contacts stored for {len(receipts)} receipts")
    return len(digests) - found + abs(total - len(receipts))


if __name__ == "__main__":
    sys.exit(main())
