"""Slowing down password guessing without keeping anyone's address.

Per account: after five failures in a row the account is locked, for longer
each further time. Per network: at most twenty failures an hour from one /24
(IPv4) or /64 (IPv6). The network is only ever kept as an HMAC under a key
that changes every day, so the table can say "too many from one network"
and never which network.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from utvag.models import LoginThrottle, StaffMember

ACCOUNT_FAILURES_BEFORE_LOCK = 5
ACCOUNT_LOCK = timedelta(minutes=15)
ACCOUNT_LOCK_MAX = timedelta(hours=24)
NETWORK_FAILURES_PER_WINDOW = 20
NETWORK_WINDOW = timedelta(hours=1)


def network_bucket(client_address: str | None, secret: bytes, now: datetime) -> str | None:
    """The HMAC standing for the client's network today, or None if unknown."""
    if not client_address:
        return None
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 64
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    day_key = hmac.new(secret, b"login-throttle:" + now.date().isoformat().encode(), hashlib.sha256)
    return hmac.new(
        day_key.digest(), network.network_address.packed + bytes([prefix]), hashlib.sha256
    ).hexdigest()


def _window(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def network_blocked(session: Session, bucket: str | None, now: datetime) -> bool:
    if bucket is None:
        return False
    failures = session.scalar(
        select(LoginThrottle.failures).where(
            LoginThrottle.bucket == bucket, LoginThrottle.window_start == _window(now)
        )
    )
    return (failures or 0) >= NETWORK_FAILURES_PER_WINDOW


def record_network_failure(session: Session, bucket: str | None, now: datetime) -> None:
    if bucket is None:
        return
    window = _window(now)
    for _ in range(3):
        row = session.scalar(
            select(LoginThrottle)
            .where(LoginThrottle.bucket == bucket, LoginThrottle.window_start == window)
            .with_for_update()
        )
        if row is not None:
            row.failures += 1
            return
        try:
            with session.begin_nested():
                session.add(LoginThrottle(bucket=bucket, window_start=window, failures=1))
        except IntegrityError:
            continue  # another request created it first; count on that row
        return
    # Give up counting rather than fail the request: the account lock still holds.


def purge_old_windows(session: Session, now: datetime) -> None:
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.window_start < now - timedelta(days=1))
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
