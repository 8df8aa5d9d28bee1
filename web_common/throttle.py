"""The network throttle from inside a request, for both web apps.

The client address is read here (``web_common.forwarded`` behind a proxy, the
peer's address without one), hashed with the app's secret under today's key
(see utvag.repo.throttle), and dropped; it is never stored or logged.
"""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy.orm import Session, sessionmaker

from utvag.clock import utcnow
from utvag.repo import throttle
from utvag.repo.throttle import Buckets, Purpose
from utvag.store.db import transaction
from web_common.forwarded import CLIENT_ADDRESS


def client_address() -> str | None:
    """What the request says about its client: the forwarded entry behind a
    proxy (None if it could not be read), else the peer's address."""
    if CLIENT_ADDRESS in request.environ:
        forwarded: str | None = request.environ[CLIENT_ADDRESS]
        return forwarded
    return request.remote_addr


def client_buckets() -> Buckets:
    secret: bytes = current_app.config["SECRET_KEY"]
    return throttle.client_buckets(client_address(), secret, utcnow())


def over_limit(session_factory: sessionmaker[Session], purpose: Purpose) -> bool:
    with session_factory() as session:
        return throttle.over_limit(session, purpose, client_buckets(), utcnow())


def count(session_factory: sessionmaker[Session], purpose: Purpose) -> None:
    with transaction(session_factory) as session:
        throttle.count_one(session, purpose, client_buckets(), utcnow())
