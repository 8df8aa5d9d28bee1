"""Looking up teams and their public keys (all the public app needs)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from typing import Protocol, cast

import pyotp
from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from utvag.calendar.hours import OfficeCalendar
from utvag.store.models import ClosedDay, Team, TeamKey

TOTP_ISSUER = "Utväg"


class TeamProblem(enum.StrEnum):
    """Why a team or staff request was refused; the console's labels say it in Swedish."""

    NO_ACTIVE_KEY = "no_active_key"
    BAD_USERNAME = "bad_username"
    USERNAME_TAKEN = "username_taken"
    # A new password that is refused: too short, too long, too easy, has the username.
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_EASY = "too_easy"
    HAS_USERNAME = "has_username"
    PASSWORDS_DIFFER = "passwords_differ"
    WRONG_APP_CODE = "wrong_app_code"
    BAD_CALL_ATTEMPTS = "bad_call_attempts"
    BAD_RETENTION = "bad_retention"
    BAD_PHONE = "bad_phone"
    EMPTY_CRITERION = "empty_criterion"
    BAD_SLUG = "bad_slug"
    NO_TEAM_NAME = "no_team_name"
    UNKNOWN_CHECKLIST = "unknown_checklist"
    TEAM_EXISTS = "team_exists"
    BAD_HOTLINE_NUMBER = "bad_hotline_number"
    HOTLINE_NUMBER_TAKEN = "hotline_number_taken"


# In English, for the command line and logs; staff read the console's
# Swedish labels, looked up by the problem, never by these words.
TEAM_PROBLEM_WORDS = {
    TeamProblem.NO_ACTIVE_KEY: "the team has no active key",
    TeamProblem.BAD_USERNAME: (
        "the username must be 2-64 lower-case letters, digits, '.', '_' or '-'"
    ),
    TeamProblem.USERNAME_TAKEN: "that username is taken",
    TeamProblem.TOO_SHORT: "the password must be at least 12 characters",
    TeamProblem.TOO_LONG: "the password is too long",
    TeamProblem.TOO_EASY: "that password is too easy to guess",
    TeamProblem.HAS_USERNAME: "the password must not contain the username",
    TeamProblem.PASSWORDS_DIFFER: "the passwords differ",
    TeamProblem.WRONG_APP_CODE: (
        "the code from the app is wrong; check the app's time and try again"
    ),
    TeamProblem.BAD_CALL_ATTEMPTS: "call attempts must be between 1 and 10",
    TeamProblem.BAD_RETENTION: "keep closed contacts between 30 and 3650 days",
    TeamProblem.BAD_PHONE: "that phone number does not look right",
    TeamProblem.EMPTY_CRITERION: "the criterion needs a text",
    TeamProblem.BAD_SLUG: "the team slug must be lower-case letters, digits and hyphens",
    TeamProblem.NO_TEAM_NAME: "the team needs a name",
    TeamProblem.UNKNOWN_CHECKLIST: "unknown checklist",
    TeamProblem.TEAM_EXISTS: "a team with that slug already exists",
    TeamProblem.BAD_HOTLINE_NUMBER: "the hotline number must be a phone number, e.g. +46101234567",
    TeamProblem.HOTLINE_NUMBER_TAKEN: (
        "that number is already another team's hotline, or the install's own"
    ),
}


class TeamError(ValueError):
    """A team or staff request that cannot be carried out; ``problem`` says
    which, the message says it in English (with the name concerned, if any)."""

    def __init__(self, problem: TeamProblem, message: str | None = None) -> None:
        super().__init__(message or TEAM_PROBLEM_WORDS[problem])
        self.problem = problem


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
        raise TeamError(TeamProblem.NO_ACTIVE_KEY)
    return key


def closed_days(session: Session, team_id: int) -> list[ClosedDay]:
    return list(
        session.scalars(
            select(ClosedDay).where(ClosedDay.team_id == team_id).order_by(ClosedDay.day)
        )
    )


@dataclass(frozen=True)
class PublicTeam:
    """What the public app reads of its team, on every request that needs it
    (a rotated key or a changed calendar counts from the next request, in
    every process): the team's row, never its staff or keys."""

    id: int
    name: str
    timezone: str
    hours_spec: str
    facts_version: int
    public_phone: str | None
    duty_phone: str | None
    retention_days: int
    # The team's own Twilio number (E.164), or None.
    hotline_number: str | None


_TEAMS = cast(Table, Team.__table__)
# Built once: the team is read on every submission, and building the
# statement and loading an ORM object for it cost more than the read.
_SELECT = select(*(_TEAMS.c[field.name] for field in fields(PublicTeam)))
_BY_SLUG = _SELECT.where(_TEAMS.c.slug == bindparam("slug"))
_FIRST = _SELECT.order_by(_TEAMS.c.id).limit(1)
_BY_ID = _SELECT.where(_TEAMS.c.id == bindparam("team_id"))
_BY_HOTLINE_NUMBER = _SELECT.where(_TEAMS.c.hotline_number == bindparam("number"))
_WITH_HOTLINE_NUMBER = _SELECT.where(_TEAMS.c.hotline_number.is_not(None)).order_by(
    _TEAMS.c.name, _TEAMS.c.id
)


def find_public_team(session: Session, slug: str | None) -> PublicTeam | None:
    """The team with this slug, else (no slug configured) the first one created."""
    row = session.execute(_BY_SLUG, {"slug": slug}) if slug else session.execute(_FIRST)
    found = row.first()
    return PublicTeam(*found) if found is not None else None


def find_public_team_by_id(session: Session, team_id: int) -> PublicTeam | None:
    found = session.execute(_BY_ID, {"team_id": team_id}).first()
    return PublicTeam(*found) if found is not None else None


def find_team_by_hotline_number(session: Session, number: str) -> PublicTeam | None:
    """The team whose own Twilio number this is (E.164), if any."""
    found = session.execute(_BY_HOTLINE_NUMBER, {"number": number}).first()
    return PublicTeam(*found) if found is not None else None


def teams_with_hotline_numbers(session: Session) -> list[PublicTeam]:
    """Every team with its own Twilio number, by name: the teams the
    install-wide number's menu offers."""
    return [PublicTeam(*row) for row in session.execute(_WITH_HOTLINE_NUMBER)]


class HasHours(Protocol):
    """A team as its calendar needs it: the ORM row, or the public app's
    read-only copy (``PublicTeam``)."""

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
