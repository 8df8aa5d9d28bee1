"""`make loadtest`: 200 people submitting at once for 60 seconds against
gunicorn and PostgreSQL, then proof that nothing went wrong and nothing was
lost: every request answered with a receipt, and every receipt code finds
its contact (checked against the database with the server's own receipt
key). Bounded and self-stopping; not part of `make test`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.environment import database, gunicorn
from bench.load import Person
from crypto.codes import RECEIPT_CODE_LENGTH, normalise_code
from crypto.receipts import receipt_digest
from utvag.server_secrets import intake_secrets
from utvag.store.db import make_engine, make_session_factory
from utvag.store.models import Contact


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", default="4", help="gunicorn workers for the public app")
    options = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="utvag-loadtest-") as directory,
        database("postgresql", Path(directory) / "postgresql") as db,
    ):
        with gunicorn("intake_web:create_app()", db.env(), options.workers) as port:
            receipts, errors, elapsed = _load(port, options.people, options.seconds)
        print(
            f"{len(receipts)} submissions in {elapsed:.1f} s from {options.people} people:"
            f" {len(receipts) / elapsed:.0f} per second, {len(errors)} errors"
        )
        for error in errors[:10]:
            print(f"  error: {error}")
        lost = _lost(db.url, db.data_dir, receipts)
        print(f"{lost} receipts without their contact")
    return 0 if not errors and not lost and receipts else 1


def _load(port: int, people: int, seconds: float) -> tuple[list[str], list[str], float]:
    receipts: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def person(number: int) -> None:
        try:
            client = Person(port, number, needs_form=True)
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
                receipts.append(code)

    threads = [threading.Thread(target=person, args=(n,)) for n in range(people)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return receipts, errors, time.monotonic() - started


def _lost(url: str, data_dir: Path, receipts: list[str]) -> int:
    """Receipts whose contact is not in the database, by the receipt's digest."""
    key = intake_secrets(data_dir).receipt_key
    digests = []
    for code in receipts:
        canonical = normalise_code(code, RECEIPT_CODE_LENGTH)
        assert canonical is not None, f"a malformed receipt code: {code!r}"
        digests.append(receipt_digest(key, canonical))
    engine = make_engine(url)
    found = 0
    with make_session_factory(engine)() as session:
        for start in range(0, len(digests), 1000):
            chunk = digests[start : start + 1000]
            found += int(
                session.scalar(
                    select(func.count())
                    .select_from(Contact)
                    .where(Contact.receipt_digest.in_(chunk))
                )
                or 0
            )
        total = int(session.scalar(select(func.count()).select_from(Contact)) or 0)
    engine.dispose()
    if total != len(receipts):
        print(f"  {total} contacts stored for {len(receipts)} receipts")
    return len(digests) - found + abs(total - len(receipts))


if __name__ == "__main__":
    sys.exit(main())
