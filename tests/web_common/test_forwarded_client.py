"""Behind a proxy, the client is read from X-Forwarded-For, strictly: one
entry per proxy, or the request counts in the shared bucket. Never "no
limit", and a header the client wrote never picks another client's bucket.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, log_in

from utvag.clock import utcnow
from utvag.config import Config
from utvag.console_keys import ConsoleKeys
from utvag.repo import throttle
from utvag.repo.throttle import Purpose
from utvag.store.models import NetworkThrottle
from web_common.forwarded import forwarded_client

NETWORK = "203.0.113.0"  # what nginx's map hands on for 203.0.113.77


@pytest.mark.parametrize(
    ("header", "hops", "client"),
    [
        ("203.0.113.0", 1, "203.0.113.0"),
        (" 203.0.113.0 ", 1, "203.0.113.0"),
        ("203.0.113.0, 10.0.0.5", 2, "203.0.113.0"),
        (None, 1, None),  # missing
        ("", 1, None),  # empty
        ("zzz", 1, "zzz"),  # one entry: read, then found to be no address (shared)
        ("198.51.100.7, 203.0.113.0", 1, None),  # a forged entry in front of the proxy's
        ("203.0.113.0,", 1, None),
        (",", 1, None),
        ("203.0.113.0", 2, None),  # fewer than the proxies
        ("203.0.113.0", 0, None),
    ],
)
def test_the_client_entry_is_read_only_from_exactly_one_entry_per_proxy(
    header: str | None, hops: int, client: str | None
) -> None:
    assert forwarded_client(header, hops) == client


@pytest.fixture
def proxied_app(config: Config, redis_client: redis.Redis) -> Iterator[Flask]:
    from intake_web import create_app

    app = create_app(config.with_changes(public_proxy_hops=1), redis_client=redis_client)
    yield app
    app.extensions["utvag"].engine.dispose()


def _counted(app: Flask, purpose: Purpose) -> dict[str, int]:
    with app.extensions["utvag"].session_factory() as session:
        rows = session.execute(
            select(NetworkThrottle.bucket, NetworkThrottle.count).where(
                NetworkThrottle.purpose == purpose.value
            )
        )
        return {bucket: count for bucket, count in rows}


def _bucket(app: Flask, address: str | None) -> str:
    return throttle.client_buckets(address, app.config["SECRET_KEY"], utcnow()).own.digest


@pytest.mark.parametrize(
    "sent",
    [
        {},  # no header at all
        {"X-Forwarded-For": ""},
        {"X-Forwarded-For": "zzz"},
        {"X-Forwarded-For": "unknown"},
        {"X-Forwarded-For": "198.51.100.7, 203.0.113.0"},  # a chain longer than the hops
        {"X-Forwarded-For": "203.0.113.0,203.0.113.0"},
    ],
)
def test_a_missing_or_unreadable_forwarded_client_counts_in_the_shared_bucket(
    proxied_app: Flask, team: TeamFixture, sent: dict[str, str]
) -> None:
    client = proxied_app.test_client()
    token = csrf_token_from(client.get("/sv/receipt").get_data(as_text=True))
    response = client.post(
        "/sv/receipt",
        data={"csrf_token": token, "code": "AAAA-BBBB-CCCC-DDDD"},
        headers=sent,
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    assert response.status_code == 404
    assert _counted(proxied_app, Purpose.RECEIPT_LOOKUP) == {_bucket(proxied_app, None): 1}


def test_the_proxys_entry_picks_the_bucket_not_the_peer_address(
    proxied_app: Flask, team: TeamFixture
) -> None:
    client = proxied_app.test_client()
    token = csrf_token_from(client.get("/sv/receipt").get_data(as_text=True))
    for network in (NETWORK, "198.51.100.0", "fc00:dead:beef:4dad::2a"):
        client.post(
            "/sv/receipt",
            data={"csrf_token": token, "code": "AAAA-BBBB-CCCC-DDDD"},
            headers={"X-Forwarded-For": network},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
    assert _counted(proxied_app, Purpose.RECEIPT_LOOKUP) == {
        _bucket(proxied_app, NETWORK): 1,
        _bucket(proxied_app, "198.51.100.0"): 1,
        _bucket(proxied_app, "fc00:dead:beef:4dad::2a"): 1,
    }


@pytest.fixture
def proxied_console(
    config: Config, redis_client: redis.Redis, console_keys: ConsoleKeys
) -> Iterator[FlaskClient]:
    from triage import create_app

    app = create_app(config.with_changes(console_proxy_hops=1), redis_client=redis_client)
    yield app.test_client()
    app.extensions["utvag"].engine.dispose()


def test_a_garbage_header_at_the_console_still_meets_the_login_limit(
    proxied_console: FlaskClient, team: TeamFixture
) -> None:
    """Every failed login with a header the app cannot read counts in the
    shared bucket; past its limit even the right password is refused."""
    limit = Purpose.STAFF_LOGIN.hourly_limit * throttle.SHARED_BUCKET_FACTOR
    headers = ["zzz", "", "1.2.3.4, 5.6.7.8", "unknown"]
    for attempt in range(limit):
        wrong = log_in(
            proxied_console,
            team,
            username=f"nobody{attempt}",  # no account lock: only the network counts
            request={"headers": {"X-Forwarded-For": headers[attempt % len(headers)]}},
        )
        assert wrong.status_code == 401
    refused = log_in(proxied_console, team, request={"headers": {"X-Forwarded-For": "zzz"}})
    assert refused.status_code == 429
    elsewhere = log_in(proxied_console, team, request={"headers": {"X-Forwarded-For": NETWORK}})
    assert elsewhere.status_code == 302
