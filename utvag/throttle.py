"""Slowing down guessing and flooding without keeping anyone's address.

Per network: a limit per hour and purpose (staff logins, receipt look-ups,
submissions) counted against an HMAC of the /24 (IPv4) or /64 (IPv6) under a
key that changes every day, so the table can say "too many from one network"
and never which network. Per account (staff only): after five failures in a
row the account is locked, for longer each further time.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import hmac
import ipaddress
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from utvag.models import NetworkThrottle, StaffMember

ACCOUNT_FAILURES_BEFORE_LOCK = 5
ACCOUNT_LOCK = timedelta(minutes=15)
ACCOUNT_LOCK_MAX = timedelta(hours=24)
WINDOW = timedelta(hours=1)
# Everyone behind a local proxy or the Tor daemon arrives from loopback and
# shares one bucket; it gets room for many people.
SHARED_BUCKET_FACTOR = 10


class Purpose(enum.StrEnum):
    """What is being counted, and how many an hour one network may do."""

    STAFF_LOGIN = "staff_login"
    RECEIPT_LOOKUP = "receipt_lookup"
    SUBMISSION = "submission"
    # Wrong receipt codes typed on the number that names nothing: one bucket
    # for the whole line (intake_web.neutral_line).
    KEYPAD_CODE = "keypad_code"

    @property
    def hourly_limit(self) -> int:
        return {
            Purpose.STAFF_LOGIN: 20,
            Purpose.RECEIPT_LOOKUP: 20,
            Purpose.SUBMISSION: 30,
            Purpose.KEYPAD_CODE: 30,
        }[self]


class Bucket:
    """The HMAC standing for one network today, and whether it is shared."""

    def __init__(self, digest: str, shared: bool) -> None:
        self.digest = digest
        self.shared = shared


def network_bucket(client_address: str | None, secret: bytes, now: datetime) -> Bucket | None:
    """The client's network as an HMAC under today's key, or None if unknown.

    The address itself is used only here, in memory.
    """
    if not client_address:
        return None
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 64
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    day_key = hmac.new(secret, b"network-throttle:" + now.date().isoformat().encode(), "sha256")
    digest = hmac.new(
        day_key.digest(), network.network_address.packed + bytes([prefix]), hashlib.sha256
    ).hexdigest()
    return Bucket(digest, shared=address.is_loopback)


def _window(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _limit(purpose: Purpose, bucket: Bucket) -> int:
    return purpose.hourly_limit * (SHARED_BUCKET_FACTOR if bucket.shared else 1)


def over_limit(session: Session, purpose: Purpose, bucket: Bucket | None, now: datetime) -> bool:
    if bucket is None:
        return False
    count = session.scalar(
        select(NetworkThrottle.count).where(
            NetworkThrottle.purpose == purpose.value,
            NetworkThrottle.bucket == bucket.digest,
            NetworkThrottle.window_start == _window(now),
        )
    )
    return (count or 0) >= _limit(purpose, bucket)


def count_one(session: Session, purpose: Purpose, bucket: Bucket | None, now: datetime) -> None:
    if bucket is None:
        return
    window = _window(now)
    for _ in range(3):
        row = session.scalar(
            select(NetworkThrottle)
            .where(
                NetworkThrottle.purpose == purpose.value,
                NetworkThrottle.bucket == bucket.digest,
                NetworkThrottle.window_start == window,
            )
            .with_for_update()
        )
        if row is not None:
            row.count += 1
            return
        try:
            with session.begin_nested():
                session.add(
                    NetworkThrottle(
                        purpose=purpose.value, bucket=bucket.digest, window_start=window, count=1
                    )
                )
        except IntegrityError:
            continue  # another request created it first; count on that row
        return
    # Give up counting rather than fail the request.


def count_and_check(
    session: Session, purpose: Purpose, bucket: Bucket | None, now: datetime
) -> bool:
    """Count one more for the network and say whether it is now over the limit.

    One statement (an upsert returning the new count) on both databases, in
    the caller's transaction: the count and what it admits commit together.
    """
    if bucket is None:
        return False
    window = _window(now)
    row = {"purpose": purpose.value, "bucket": bucket.digest, "window_start": window, "count": 1}
    count = int(
        session.execute(_count_statement(session.get_bind().dialect.name), row).scalar_one()
    )
    return count > _limit(purpose, bucket)


@functools.cache
def _count_statement(dialect: str) -> ReturningInsert[Any]:
    """The upsert, built once per dialect (built per request it cost more than
    running it): insert the window's row with 1, or add 1 to it."""
    table = cast(Table, NetworkThrottle.__table__)
    insert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    return insert.on_conflict_do_update(
        index_elements=["purpose", "bucket", "window_start"],
        set_={"count": table.c.count + 1},
    ).returning(table.c.count)


def submissions_this_hour(session: Session, now: datetime) -> int:
    """Everything counted for submissions across all networks this hour."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(NetworkThrottle.count), 0)).where(
                NetworkThrottle.purpose == Purpose.SUBMISSION.value,
                NetworkThrottle.window_start == _window(now),
            )
        )
        or 0
    )


def purge_old_windows(session: Session, now: datetime) -> None:
    session.execute(
        delete(NetworkThrottle).where(NetworkThrottle.window_start < now - timedelta(days=1))
    )


def account_locked(member: StaffMember, now: datetime) -> bool:
    return member.locked_until is not None and member.locked_until > now


def record_account_failure(member: StaffMember, now: datetime) -> None:
    member.failed_logins += 1
    over = member.failed_logins - ACCOUNT_FAILURES_BEFORE_LOCK
    if over >= 0:
        member.locked_until = now + min(ACCOUNT_LOCK * (2**over), ACCOUNT_LOCK_MAX)


def record_account_success(member: StaffMember) -> None:
    member.failed_logins = 0
    member.locked_until = None
