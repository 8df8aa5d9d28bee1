"""Slowing down guessing and flooding without keeping anyone's address.

Every request counts in a *bucket*, an HMAC under a key that changes every
day, so the table can say "too many from one place" and never which place:

- a clearnet client: its /24 (IPv4) or /64 (IPv6) network;
- a Tor client: its Tor *circuit* (the onion service's nginx passes on the
  address Tor's ``HiddenServiceExportCircuitID haproxy`` gives each circuit,
  ``fc00:dead:beef:4dad::<circuit id>``; deploy/tor/torrc.snippet), with a
  smaller limit of its own, under a *ceiling* all of Tor shares. The ceiling
  counts only what a circuit's own limit let through, so one circuit cannot
  fill it: a flooder needs new circuits, and under attack each new circuit
  costs them Tor's own onion proof of work;
- anything else, or nothing (no forwarded address, an empty one, garbage,
  loopback): the *shared* bucket, with ten times a network's room. Never no
  bucket: an address that cannot be read is never a way past the limits.

Per account (staff only): after five failures in a row the account is
locked, for longer each further time.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from utvag.store.models import NetworkThrottle, StaffMember

ACCOUNT_FAILURES_BEFORE_LOCK = 5
ACCOUNT_LOCK = timedelta(minutes=15)
ACCOUNT_LOCK_MAX = timedelta(hours=24)
WINDOW = timedelta(hours=1)
# The shared bucket and the Tor ceiling stand for many people at once.
SHARED_BUCKET_FACTOR = 10
# Where C tor puts the circuit id when it speaks the PROXY protocol: the low
# 32 bits of an address in this /96 (tor(1), HiddenServiceExportCircuitID).
TOR_CIRCUITS = ipaddress.ip_network("fc00:dead:beef:4dad::/96")


class Purpose(enum.StrEnum):
    """What is being counted, and how many an hour one bucket may do."""

    STAFF_LOGIN = "staff_login"
    # Wrong receipt codes only: a right code is never counted or refused.
    RECEIPT_LOOKUP = "receipt_lookup"
    # Submissions without a proof of work let into the queue.
    SUBMISSION = "submission"
    # Submissions that waited out the no-JavaScript wait (intake_web.wait_ticket),
    # kept in the unverified list where no flood can evict them.
    WAITED_SUBMISSION = "waited_submission"
    # Wrong receipt codes typed on the number that names nothing: one bucket
    # for the whole line (intake_web.views.neutral_line).
    KEYPAD_CODE = "keypad_code"

    @property
    def hourly_limit(self) -> int:
        """For one network (a /24 or /64); the shared bucket has ten times this."""
        return _LIMITS[self][0]

    @property
    def circuit_limit(self) -> int:
        """For one Tor circuit: one person, who needs one or two."""
        return _LIMITS[self][1]

    @property
    def tor_ceiling(self) -> int | None:
        """For all Tor circuits together, or None: no ceiling, since a ceiling
        a flooder can fill would lock out the people the limit is for."""
        return _LIMITS[self][2]

    @property
    def ceiling_row(self) -> str:
        """The ``purpose`` under which the Tor ceiling is counted (apart, so
        the hour's load is not counted twice)."""
        return f"tor:{self.value}"


_LIMITS: dict[Purpose, tuple[int, int, int | None]] = {
    Purpose.STAFF_LOGIN: (20, 20, 20 * SHARED_BUCKET_FACTOR),
    Purpose.RECEIPT_LOOKUP: (20, 20, 20 * SHARED_BUCKET_FACTOR),
    Purpose.SUBMISSION: (30, 5, 30 * SHARED_BUCKET_FACTOR),
    Purpose.WAITED_SUBMISSION: (10, 2, None),
    # One bucket for the whole neutral line (a network bucket: 30 an hour).
    Purpose.KEYPAD_CODE: (30, 30, None),
}


class BucketKind(enum.Enum):
    NETWORK = "network"
    TOR_CIRCUIT = "tor_circuit"
    # Unknown, unreadable or loopback: everyone whose address says nothing.
    SHARED = "shared"


@dataclass(frozen=True)
class Bucket:
    """The HMAC standing for one network, circuit or the shared bucket today."""

    digest: str
    kind: BucketKind

    @property
    def shared(self) -> bool:
        return self.kind is BucketKind.SHARED

    def limit(self, purpose: Purpose) -> int:
        if self.kind is BucketKind.TOR_CIRCUIT:
            return purpose.circuit_limit
        return purpose.hourly_limit * (SHARED_BUCKET_FACTOR if self.shared else 1)


@dataclass(frozen=True)
class Buckets:
    """Where one request counts: its own bucket and, for a Tor circuit, the
    ceiling all of Tor shares."""

    own: Bucket
    tor_ceiling: str | None = None


def _day_key(secret: bytes, now: datetime) -> bytes:
    return hmac.new(
        secret, b"network-throttle:" + now.date().isoformat().encode(), "sha256"
    ).digest()


def _digest(day_key: bytes, name: bytes) -> str:
    return hmac.new(day_key, name, hashlib.sha256).hexdigest()


def client_buckets(client_address: str | None, secret: bytes, now: datetime) -> Buckets:
    """The buckets for a client address as the app received it (a network
    from nginx's map, a Tor circuit's address, or a direct peer's address).

    The address itself is used only here, in memory. Whatever cannot be read
    as one address counts in the shared bucket.
    """
    day_key = _day_key(secret, now)
    address = _parse(client_address)
    if address is None or address.is_loopback or address.is_unspecified:
        return Buckets(Bucket(_digest(day_key, b"shared"), BucketKind.SHARED))
    if address in TOR_CIRCUITS:
        return Buckets(
            Bucket(_digest(day_key, b"circuit:" + address.packed), BucketKind.TOR_CIRCUIT),
            tor_ceiling=_digest(day_key, b"tor"),
        )
    prefix = 24 if address.version == 4 else 64
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    return Buckets(
        Bucket(
            _digest(day_key, network.network_address.packed + bytes([prefix])), BucketKind.NETWORK
        )
    )


def _parse(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text or len(text) > 64:
        return None
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _window(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _count_now(session: Session, row_purpose: str, digest: str, now: datetime) -> int:
    return int(
        session.scalar(
            select(NetworkThrottle.count).where(
                NetworkThrottle.purpose == row_purpose,
                NetworkThrottle.bucket == digest,
                NetworkThrottle.window_start == _window(now),
            )
        )
        or 0
    )


def over_limit(session: Session, purpose: Purpose, buckets: Buckets, now: datetime) -> bool:
    """Whether the client's own bucket, or the Tor ceiling above it, is full."""
    if _count_now(session, purpose.value, buckets.own.digest, now) >= buckets.own.limit(purpose):
        return True
    ceiling = purpose.tor_ceiling
    if buckets.tor_ceiling is None or ceiling is None:
        return False
    return _count_now(session, purpose.ceiling_row, buckets.tor_ceiling, now) >= ceiling


def count_one(session: Session, purpose: Purpose, buckets: Buckets, now: datetime) -> None:
    """Count one more (a failed login, a wrong code) in the caller's transaction."""
    count_and_check(session, purpose, buckets, now)


def count_and_check(session: Session, purpose: Purpose, buckets: Buckets, now: datetime) -> bool:
    """Count one more and say whether it is now over the limit.

    The client's own bucket counts everything; the Tor ceiling only what the
    circuit's own limit let through. One statement per bucket (an upsert
    returning the new count) on both databases, in the caller's transaction:
    the count and what it admits commit together.
    """
    if _add_one(session, purpose.value, buckets.own.digest, now) > buckets.own.limit(purpose):
        return True
    ceiling = purpose.tor_ceiling
    if buckets.tor_ceiling is None or ceiling is None:
        return False
    return _add_one(session, purpose.ceiling_row, buckets.tor_ceiling, now) > ceiling


def _add_one(session: Session, row_purpose: str, digest: str, now: datetime) -> int:
    row = {"purpose": row_purpose, "bucket": digest, "window_start": _window(now), "count": 1}
    return int(session.execute(_count_statement(session.get_bind().dialect.name), row).scalar_one())


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
