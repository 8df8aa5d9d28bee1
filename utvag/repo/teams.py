"""Looking up teams and their public keys (all the public app needs)."""

from __future__ import annotations

from typing import Protocol

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.hours import OfficeCalendar
from utvag.models import ClosedDay, Team, TeamKey

TOTP_ISSUER = "Utväg"


class TeamError(ValueError):
    """A team or staff request that cannot be carried out; one line for people."""


def team_by_slug(session: Session, slug: str) -> Team | None:
    return session.scalar(select(Team).where(Team.slug == slug))


def active_team_key(session: Session, team_id: int) -> TeamKey:
    key = session.scalar(
        select(TeamKey)
        .where(TeamKey.team_id == team_id, TeamKey.retired_at.is_(None))
        .order_by(TeamKey.id.desc())
        .limit(1)
    )
    if key is None:
        raise TeamError("the team has no active key")
    return key


def closed_days(session: Session, team_id: int) -> list[ClosedDay]:
    return list(
        session.scalars(
            select(ClosedDay).where(ClosedDay.team_id == team_id).order_by(ClosedDay.day)
        )
    )


class HasHours(Protocol):
    """A team as its calendar needs it: the ORM row, or the public app's
    read-only copy (``intake_web.teams.PublicTeam``)."""

    @property
    def id(self) -> int: ...
    @property
    def hours_spec(self) -> str: ...
    @property
    def timezone(self) -> str: ...


def calendar_for(session: Session, team: HasHours) -> OfficeCalendar:
    """The team's hours, minus holidays and its own closed days."""
    return OfficeCalendar.build(
        team.hours_spec, team.timezone, [closed.day for closed in closed_days(session, team.id)]
    )


def totp_uri(username: str, team: Team, totp_secret: str) -> str:
    """What an authenticator app scans; shown once, never stored."""
    return pyotp.TOTP(totp_secret).provisioning_uri(
        name=f"{username}@{team.slug}", issuer_name=TOTP_ISSUER
    )
