"""The network throttle from inside a request, for both web apps.

The client address is read here, hashed with the app's secret under today's
key (see utvag.throttle), and dropped; it is never stored or logged.
"""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy.orm import Session, sessionmaker

from utvag import throttle
from utvag.db import transaction, utcnow
from utvag.throttle import Bucket, Purpose


def client_bucket() -> Bucket | None:
    secret: bytes = current_app.config["SECRET_KEY"]
    return throttle.network_bucket(request.remote_addr, secret, utcnow())


def over_limit(session_factory: sessionmaker[Session], purpose: Purpose) -> bool:
    with session_factory() as session:
        return throttle.over_limit(session, purpose, client_bucket(), utcnow())


def count(session_factory: sessionmaker[Session], purpose: Purpose) -> None:
    with transaction(session_factory) as session:
        throttle.count_one(session, purpose, client_bucket(), utcnow())
