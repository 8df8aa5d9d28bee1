"""The logged-in member, their team, and their keys, for the length of a request."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, g
from sqlalchemy.orm import Session

from crypto.errors import CryptoError
from crypto.opening import open_sealed
from triage.keys.keyring import OpenSession
from utvag.repo import audit
from utvag.repo.teams import active_team_key
from utvag.sealed_fields import seal_fields
from utvag.store.models import StaffMember, Team


def staff() -> OpenSession:
    current: OpenSession | None = g.get("staff")
    if current is None:
        abort(401)
    return current


def member() -> StaffMember:
    return staff().member


def team(db: Session) -> Team:
    found = db.get(Team, member().team_id)
    if found is None:
        abort(404)
    return found


def zone(found: Team) -> ZoneInfo:
    return ZoneInfo(found.timezone)


def zone_of_member() -> ZoneInfo:
    """The member's team's time zone (looked up once per request)."""
    cached: ZoneInfo | None = g.get("member_zone")
    if cached is None:
        from triage.state import state

        with state().session_factory() as db:
            cached = zone(team(db))
        g.member_zone = cached
    return cached


def open_fields(sealed: bytes | None) -> dict[str, Any] | None:
    """The sealed fields, or None if no key this member holds opens them."""
    if sealed is None:
        return None
    try:
        document = json.loads(open_sealed(staff().team_private_keys, sealed))
    except CryptoError:
        return None
    fields = document.get("fields", {})
    return fields if isinstance(fields, dict) else {}


def seal_note(db: Session, text: str) -> bytes | None:
    """A note staff typed, sealed to the team key like everything a person said."""
    text = text.strip()
    if not text:
        return None
    return seal_fields(active_team_key(db, member().team_id).public_key, {"note": text})


def seal_for_team(db: Session, fields: dict[str, str]) -> tuple[str, bytes]:
    key = active_team_key(db, member().team_id)
    return key.key_id, seal_fields(key.public_key, fields)


def record(db: Session, action: str, **kwargs: Any) -> None:
    """Audit an action of the current member (never with content)."""
    current = member()
    audit.record(
        db,
        action,
        team_id=current.team_id,
        actor_id=current.id,
        actor_name=current.username,
        **kwargs,
    )
