"""The per-network counts and the account lockout, rule by rule."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from utvag.repo import throttle
from utvag.repo.throttle import Purpose
from utvag.store.db import transaction
from utvag.store.models import StaffMember

SECRET = b"s" * 32
NOW = datetime.fromisoformat("2026-11-24T10:15:00+00:00")


def _digest(address: str, now: datetime = NOW) -> str:
    return throttle.client_buckets(address, SECRET, now).own.digest


def _buckets(address: str | None, now: datetime = NOW) -> throttle.Buckets:
    return throttle.client_buckets(address, SECRET, now)


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


@pytest.mark.parametrize(
    "address",
    [None, "", "zzz", "unknown", "203.0.113.7, 198.51.100.9", " ", "1.2.3", "x" * 500, "::"],
)
def test_an_address_that_cannot_be_read_counts_in_the_shared_bucket(address: str | None) -> None:
    # Was: no bucket at all, which meant no limit: a forged "zzz" switched
    # every limit off for whoever sent it.
    buckets = _buckets(address)
    assert buckets.own.kind is throttle.BucketKind.SHARED
    assert buckets.own.digest == _digest("127.0.0.1")
    assert buckets.tor_ceiling is None


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "127.0.0.77"])
def test_loopback_is_the_shared_bucket_of_everyone_behind_a_local_proxy(address: str) -> None:
    assert _buckets(address).own.shared
    assert _digest(address) == _digest("::1")


def test_an_ipv4_address_written_as_ipv6_is_its_ipv4_network() -> None:
    assert _digest("::ffff:203.0.113.7") == _digest("203.0.113.200")


def test_each_tor_circuit_has_a_bucket_of_its_own_under_one_ceiling() -> None:
    first = _buckets("fc00:dead:beef:4dad::1")
    second = _buckets("fc00:dead:beef:4dad::2")
    assert first.own.kind is second.own.kind is throttle.BucketKind.TOR_CIRCUIT
    assert first.own.digest != second.own.digest
    assert first.tor_ceiling is not None
    assert first.tor_ceiling == second.tor_ceiling
    assert first.own.digest == _digest("fc00:dead:beef:4dad::0:1")  # one circuit, however written
    # Grouped by /64 they would all be one bucket again: every Tor user in one.
    assert first.own.digest != _digest("fc00:dead:beef:4dad::")


def test_an_address_outside_tors_range_is_a_network_even_in_the_same_64() -> None:
    assert _buckets("fc00:dead:beef:4dad:1::1").own.kind is throttle.BucketKind.NETWORK


def _fill(session_factory, address: str, times: int) -> bool:  # type: ignore[no-untyped-def]
    bucket = _buckets(address)
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
    bucket = _buckets("203.0.113.7")
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

    from utvag.store.models import NetworkThrottle

    bucket = _buckets("203.0.113.7")
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
    bucket = _buckets("203.0.113.7")
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
            throttle.count_and_check(session, Purpose.SUBMISSION, _buckets(address), NOW)
        throttle.count_one(session, Purpose.SUBMISSION, _buckets("192.0.2.1"), NOW)
        # A Tor circuit counts once, though its ceiling counts it too.
        throttle.count_one(session, Purpose.SUBMISSION, _buckets("fc00:dead:beef:4dad::9"), NOW)
        throttle.count_one(session, Purpose.STAFF_LOGIN, _buckets("192.0.2.1"), NOW)
        earlier = NOW - timedelta(hours=1)
        old = _buckets("192.0.2.200", earlier)
        throttle.count_one(session, Purpose.SUBMISSION, old, earlier)
    with session_factory() as session:
        assert throttle.submissions_this_hour(session, NOW) == 5


def test_an_address_that_cannot_be_read_is_held_back_with_the_shared_bucket(
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    # Was: count_and_check returned False for an unreadable address: no limit.
    limit = Purpose.SUBMISSION.hourly_limit * throttle.SHARED_BUCKET_FACTOR
    with transaction(session_factory) as session:
        answers = [
            throttle.count_and_check(session, Purpose.SUBMISSION, _buckets(garbage), NOW)
            for garbage in ["zzz", None, ""] * (limit // 3 + 1)
        ]
    assert answers[:limit] == [False] * limit
    assert all(answers[limit:])
    with session_factory() as session:
        assert throttle.over_limit(session, Purpose.SUBMISSION, _buckets("zzz"), NOW)


def test_a_tor_circuit_is_stopped_at_its_own_smaller_limit(session_factory) -> None:  # type: ignore[no-untyped-def]
    circuit = _buckets("fc00:dead:beef:4dad::7")
    with transaction(session_factory) as session:
        answers = [
            throttle.count_and_check(session, Purpose.SUBMISSION, circuit, NOW)
            for _ in range(Purpose.SUBMISSION.circuit_limit + 1)
        ]
    assert answers == [False] * Purpose.SUBMISSION.circuit_limit + [True]
    assert Purpose.SUBMISSION.circuit_limit < Purpose.SUBMISSION.hourly_limit


def test_the_tor_ceiling_counts_only_what_each_circuit_let_through(session_factory) -> None:  # type: ignore[no-untyped-def]
    ceiling = Purpose.SUBMISSION.tor_ceiling
    assert ceiling is not None
    per_circuit = Purpose.SUBMISSION.circuit_limit
    with transaction(session_factory) as session:
        # One circuit flooding fills only its own bucket, not everyone's.
        for _ in range(ceiling * 2):
            throttle.count_and_check(
                session, Purpose.SUBMISSION, _buckets("fc00:dead:beef:4dad::1"), NOW
            )
        assert not throttle.over_limit(
            session, Purpose.SUBMISSION, _buckets("fc00:dead:beef:4dad::2"), NOW
        )
        # Enough circuits, each within its own limit, fill the ceiling.
        admitted = per_circuit
        circuit = 2
        while admitted < ceiling:
            for _ in range(per_circuit):
                over = throttle.count_and_check(
                    session, Purpose.SUBMISSION, _buckets(f"fc00:dead:beef:4dad::{circuit:x}"), NOW
                )
                assert not over
                admitted += 1
            circuit += 1
        fresh = _buckets(f"fc00:dead:beef:4dad::{circuit:x}")
        assert throttle.over_limit(session, Purpose.SUBMISSION, fresh, NOW)
        assert throttle.count_and_check(session, Purpose.SUBMISSION, fresh, NOW)


def test_waited_submissions_have_no_tor_ceiling_to_fill(session_factory) -> None:  # type: ignore[no-untyped-def]
    assert Purpose.WAITED_SUBMISSION.tor_ceiling is None
    with transaction(session_factory) as session:
        for circuit in range(1, 500):
            buckets = _buckets(f"fc00:dead:beef:4dad::{circuit:x}")
            assert not throttle.count_and_check(session, Purpose.WAITED_SUBMISSION, buckets, NOW)
