"""The per-network counts and the account lockout, rule by rule."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from utvag import throttle
from utvag.db import transaction
from utvag.models import StaffMember
from utvag.throttle import Purpose

SECRET = b"s" * 32
NOW = datetime.fromisoformat("2026-11-24T10:15:00+00:00")


def _digest(address: str, now: datetime = NOW) -> str:
    bucket = throttle.network_bucket(address, SECRET, now)
    assert bucket is not None
    return bucket.digest


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("203.0.113.7", "203.0.113.250"),  # one IPv4 /24
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe"),  # one IPv6 /64
    ],
)
def test_addresses_in_one_network_share_a_bucket(first: str, second: str) -> None:
    assert _digest(first) == _digest(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("203.0.113.7", "203.0.114.7"),  # neighbouring /24s
        ("2001:db8:1:2::1", "2001:db8:1:3::1"),  # neighbouring /64s
    ],
)
def test_neighbouring_networks_are_counted_apart(first: str, second: str) -> None:
    assert _digest(first) != _digest(second)


def test_the_bucket_changes_every_day() -> None:
    assert _digest("203.0.113.7") != _digest("203.0.113.7", NOW + timedelta(days=1))


def test_an_unreadable_address_has_no_bucket() -> None:
    assert throttle.network_bucket(None, SECRET, NOW) is None
    assert throttle.network_bucket("not an address", SECRET, NOW) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_loopback_is_the_shared_bucket_of_everyone_behind_a_local_proxy(address: str) -> None:
    bucket = throttle.network_bucket(address, SECRET, NOW)
    assert bucket is not None
    assert bucket.shared


def _fill(session_factory, address: str, times: int) -> bool:  # type: ignore[no-untyped-def]
    bucket = throttle.network_bucket(address, SECRET, NOW)
    with transaction(session_factory) as session:
        for _ in range(times):
            throttle.count_one(session, Purpose.SUBMISSION, bucket, NOW)
    with session_factory() as session:
        return throttle.over_limit(session, Purpose.SUBMISSION, bucket, NOW)


def test_one_network_is_stopped_at_its_hourly_limit(session_factory) -> None:  # type: ignore[no-untyped-def]
    limit = Purpose.SUBMISSION.hourly_limit
    assert _fill(session_factory, "203.0.113.7", limit - 1) is False
    assert _fill(session_factory, "203.0.113.8", 1) is True


def test_the_shared_loopback_bucket_has_room_for_many_people(session_factory) -> None:  # type: ignore[no-untyped-def]
    limit = Purpose.SUBMISSION.hourly_limit * throttle.SHARED_BUCKET_FACTOR
    assert throttle.SHARED_BUCKET_FACTOR > 1
    assert _fill(session_factory, "127.0.0.1", limit - 1) is False
    assert _fill(session_factory, "127.0.0.1", 1) is True


def test_the_count_starts_again_each_hour(session_factory) -> None:  # type: ignore[no-untyped-def]
    bucket = throttle.network_bucket("203.0.113.7", SECRET, NOW)
    with transaction(session_factory) as session:
        for _ in range(Purpose.SUBMISSION.hourly_limit):
            throttle.count_one(session, Purpose.SUBMISSION, bucket, NOW)
    with session_factory() as session:
        assert throttle.over_limit(session, Purpose.SUBMISSION, bucket, NOW)
        assert not throttle.over_limit(
            session, Purpose.SUBMISSION, bucket, NOW + timedelta(hours=1)
        )


def _member() -> StaffMember:
    return StaffMember(failed_logins=0, locked_until=None)


def test_five_failures_lock_an_account_for_fifteen_minutes() -> None:
    member = _member()
    for _ in range(throttle.ACCOUNT_FAILURES_BEFORE_LOCK - 1):
        throttle.record_account_failure(member, NOW)
    assert not throttle.account_locked(member, NOW)
    throttle.record_account_failure(member, NOW)
    assert member.locked_until == NOW + timedelta(minutes=15)


def test_each_further_lock_lasts_twice_as_long_up_to_a_day() -> None:
    member = _member()
    at = NOW
    lengths = []
    for _ in range(throttle.ACCOUNT_FAILURES_BEFORE_LOCK - 1):
        throttle.record_account_failure(member, at)
    for _ in range(9):
        throttle.record_account_failure(member, at)
        assert member.locked_until is not None
        lengths.append(member.locked_until - at)
        at = member.locked_until  # the lock runs out, and the next try fails again
    minutes = [int(length.total_seconds() // 60) for length in lengths]
    assert minutes == [15, 30, 60, 120, 240, 480, 960, 1440, 1440]


def test_a_success_clears_the_count() -> None:
    member = _member()
    for _ in range(throttle.ACCOUNT_FAILURES_BEFORE_LOCK):
        throttle.record_account_failure(member, NOW)
    throttle.record_account_success(member)
    assert member.failed_logins == 0
    assert not throttle.account_locked(member, NOW)


def test_old_windows_go_and_the_current_hour_stays(session_factory) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from utvag.models import NetworkThrottle

    bucket = throttle.network_bucket("203.0.113.7", SECRET, NOW)
    with transaction(session_factory) as session:
        for hours_ago in (0, 23, 25):
            throttle.count_one(
                session, Purpose.SUBMISSION, bucket, NOW - timedelta(hours=hours_ago)
            )
    with transaction(session_factory) as session:
        throttle.purge_old_windows(session, NOW)
    with session_factory() as session:
        kept = sorted(session.scalars(select(NetworkThrottle.window_start)))
    hour = NOW.replace(minute=0, second=0, microsecond=0)
    assert kept == [hour - timedelta(hours=23), hour]


def test_each_purpose_is_counted_apart_for_the_same_network(session_factory) -> None:  # type: ignore[no-untyped-def]
    bucket = throttle.network_bucket("203.0.113.7", SECRET, NOW)
    with transaction(session_factory) as session:
        for _ in range(Purpose.STAFF_LOGIN.hourly_limit):
            throttle.count_one(session, Purpose.STAFF_LOGIN, bucket, NOW)
        throttle.count_one(session, Purpose.RECEIPT_LOOKUP, bucket, NOW)
    with session_factory() as session:
        assert throttle.over_limit(session, Purpose.STAFF_LOGIN, bucket, NOW)
        assert not throttle.over_limit(session, Purpose.RECEIPT_LOOKUP, bucket, NOW)


def test_the_hours_load_counts_submissions_of_this_hour_only(session_factory) -> None:  # type: ignore[no-untyped-def]
    """What the proof of work's difficulty is set from."""
    with transaction(session_factory) as session:
        for address in ("203.0.113.7", "198.51.100.9", "198.51.100.10"):
            bucket = throttle.network_bucket(address, SECRET, NOW)
            throttle.count_and_check(session, Purpose.SUBMISSION, bucket, NOW)
        throttle.count_one(
            session, Purpose.SUBMISSION, throttle.network_bucket("192.0.2.1", SECRET, NOW), NOW
        )
        login = throttle.network_bucket("192.0.2.1", SECRET, NOW)
        throttle.count_one(session, Purpose.STAFF_LOGIN, login, NOW)
        earlier = NOW - timedelta(hours=1)
        old = throttle.network_bucket("192.0.2.200", SECRET, earlier)
        throttle.count_one(session, Purpose.SUBMISSION, old, earlier)
    with session_factory() as session:
        assert throttle.submissions_this_hour(session, NOW) == 4


def test_an_address_that_cannot_be_read_is_not_held_back(session_factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        assert throttle.count_and_check(session, Purpose.SUBMISSION, None, NOW) is False
