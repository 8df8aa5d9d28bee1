"""The per-network throttle, for every form that takes a secret: login,
enrolment, recovery. See triage.throttle for how networks are kept."""

from __future__ import annotations

from flask import current_app, request

from triage import throttle
from triage.state import state
from utvag.db import transaction, utcnow


def client_network() -> str | None:
    # The address is used here, in memory, only to compute the network's HMAC;
    # it is never stored or logged.
    secret: bytes = current_app.config["SECRET_KEY"]
    return throttle.network_bucket(request.remote_addr, secret, utcnow())


def network_refused() -> bool:
    with state().session_factory() as db:
        return throttle.network_blocked(db, client_network(), utcnow())


def note_network_failure() -> None:
    with transaction(state().session_factory) as db:
        throttle.record_network_failure(db, client_network(), utcnow())
