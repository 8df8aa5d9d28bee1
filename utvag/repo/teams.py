"""Looking up teams and their public keys (all the public app needs)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from typing import Protocol, cast

import pyotp
from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from utvag.calendar.hours import OfficeCalendar
from utvag.store.models import ClosedDay, ExtraOpenDay, PublicListing, Team, TeamKey

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
    BAD_CLOCKS = "bad_clocks"
    BAD_PHONE = "bad_phone"
    EMPTY_CRITERION = "empty_criterion"
    BAD_SLUG = "bad_slug"
    NO_TEAM_NAME = "no_team_name"
    UNKNOWN_CHECKLIST = "unknown_checklist"
    TEAM_EXISTS = "team_exists"
    # Hours with exceptions (``utvag.repo.team_settings``).
    CLOSURE_IN_PAST = "closure_in_past"
    CLOSURE_BACKWARDS = "closure_backwards"
    CLOSURE_TOO_LONG = "closure_too_long"
    CLOSURE_OVERLAPS = "closure_overlaps"
    CLOSURE_HAS_OPEN_DAY = "closure_has_open_day"
    BAD_CLOSURE_REASON = "bad_closure_reason"
    NOTE_TOO_LONG = "note_too_long"
    OPEN_DAY_IN_PAST = "open_day_in_past"
    OPEN_DAY_CLOSED = "open_day_closed"
    OPEN_DAY_TWICE = "open_day_twice"
    OPEN_DAY_HOURS = "open_day_hours"
    NOT_MOBILE = "not_mobile"
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
    TeamProblem.BAD_CLOCKS: (
        "the mapping window must run from 1 day up to 365, its usual length inside it, and "
        "register checks every 7 to 365 days"
    ),
    TeamProblem.BAD_PHONE: "that phone number does not look right",
    TeamProblem.EMPTY_CRITERION: "the criterion needs a text",
    TeamProblem.BAD_SLUG: "the team slug must be lower-case letters, digits and hyphens",
    TeamProblem.NO_TEAM_NAME: "the team needs a name",
    TeamProblem.UNKNOWN_CHECKLIST: "unknown checklist",
    TeamProblem.TEAM_EXISTS: "a team with that slug already exists",
    TeamProblem.CLOSURE_IN_PAST: "a closure cannot start in the past",
    TeamProblem.CLOSURE_BACKWARDS: "a closure must end on or after its first day",
    TeamProblem.CLOSURE_TOO_LONG: "a closure may last at most 90 days",
    TeamProblem.CLOSURE_OVERLAPS: "the closure overlaps another closure",
    TeamProblem.CLOSURE_HAS_OPEN_DAY: "the closure covers an extra open day",
    TeamProblem.BAD_CLOSURE_REASON: "unknown reason for a closure",
    TeamProblem.NOTE_TOO_LONG: "the note may be at most 80 characters",
    TeamProblem.OPEN_DAY_IN_PAST: "an extra open day cannot be in the past",
    TeamProblem.OPEN_DAY_CLOSED: "the team is closed that day",
    TeamProblem.OPEN_DAY_TWICE: "that day is already an extra open day",
    TeamProblem.OPEN_DAY_HOURS: "the hours must end after they start, within the day",
    TeamProblem.NOT_MOBILE: "an SMS needs a mobile number",
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
    """The team's closures, single days and runs of days, first one first."""
    return list(
        session.scalars(
            select(ClosedDay).where(ClosedDay.team_id == team_id).order_by(ClosedDay.day)
        )
    )


def extra_open_days(session: Session, team_id: int) -> list[ExtraOpenDay]:
    return list(
        session.scalars(
            select(ExtraOpenDay).where(ExtraOpenDay.team_id == team_id).order_by(ExtraOpenDay.day)
        )
    )


@dataclass(frozen=True)
class PublicTeam:
    """What the public app reads of its team, on every request that needs it
    (a rotated key or a changed calendar counts from the next request, in
    every process): the team's row, never its staff or keys."""

    id: int
    slug: str
    name: str
    timezone: str
    hours_spec: str
    facts_version: int
    public_phone: str | None
    duty_phone: str | None
    retention_days: int
    # PublicListing: hidden, direct or listed.
    public_listing: str
    # The region's triage team ("I don't know", and the pages with no team in their path).
    regional: bool
    # The team's own Twilio number (E.164), or None.
    hotline_number: str | None


_TEAMS = cast(Table, Team.__table__)
# Built once: the team is read on every submission, and building the
# statement and loading an ORM object for it cost more than the read.
_SELECT = select(*(_TEAMS.c[field.name] for field in fields(PublicTeam)))
_BY_SLUG = _SELECT.where(_TEAMS.c.slug == bindparam("slug"))
_BY_ID = _SELECT.where(_TEAMS.c.id == bindparam("team_id"))
_FIRST = _SELECT.order_by(_TEAMS.c.id).limit(1)
_REGIONAL = _SELECT.where(_TEAMS.c.regional.is_(True)).order_by(_TEAMS.c.id).limit(1)
_LISTED = _SELECT.where(
    _TEAMS.c.public_listing == PublicListing.LISTED.value, _TEAMS.c.regional.is_(False)
).order_by(_TEAMS.c.name, _TEAMS.c.id)
_BY_ID = _SELECT.where(_TEAMS.c.id == bindparam("team_id"))
_BY_HOTLINE_NUMBER = _SELECT.where(_TEAMS.c.hotline_number == bindparam("number"))
# The menu names only programmes listed on the public site: a team its lead
# keeps hidden or reachable by direct link only is never named to a caller.
_WITH_HOTLINE_NUMBER = _SELECT.where(
    _TEAMS.c.hotline_number.is_not(None),
    _TEAMS.c.public_listing == PublicListing.LISTED.value,
    _TEAMS.c.regional.is_(False),
).order_by(_TEAMS.c.name, _TEAMS.c.id)


def find_public_team(session: Session, slug: str | None) -> PublicTeam | None:
    """The team with this slug, else (no slug configured) the first one created."""
    row = session.execute(_BY_SLUG, {"slug": slug}) if slug else session.execute(_FIRST)
    found = row.first()
    return PublicTeam(*found) if found is not None else None


def find_home_team(session: Session, configured_slug: str | None) -> PublicTeam | None:
    """The team the public pages without a team in their path speak for, and
    where "I don't know / would rather not say" goes: the team marked
    regional, else (none marked) ``find_public_team``, as with one team."""
    found = session.execute(_REGIONAL).first()
    if found is not None:
        return PublicTeam(*found)
    return find_public_team(session, configured_slug)


def find_team_by_slug(session: Session, slug: str) -> PublicTeam | None:
    """The team with this slug, whatever its listing (the caller decides)."""
    found = session.execute(_BY_SLUG, {"slug": slug}).first()
    return PublicTeam(*found) if found is not None else None


def find_team_by_id(session: Session, team_id: int) -> PublicTeam | None:
    found = session.execute(_BY_ID, {"team_id": team_id}).first()
    return PublicTeam(*found) if found is not None else None


def listed_teams(session: Session) -> list[PublicTeam]:
    """The programmes a person can pick on the region's start page, by name;
    the regional team is not one of them (it is "I don't know")."""
    return [PublicTeam(*row) for row in session.execute(_LISTED)]


def find_team_by_hotline_number(session: Session, number: str) -> PublicTeam | None:
    """The team whose own Twilio number this is (E.164), if any."""
    found = session.execute(_BY_HOTLINE_NUMBER, {"number": number}).first()
    return PublicTeam(*found) if found is not None else None


def teams_with_hotline_numbers(session: Session) -> list[PublicTeam]:
    """The listed teams with their own Twilio number, by name: the teams the
    install-wide number's menu offers (the regional team is its 0)."""
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
    """The team's hours, minus holidays and its own closures, plus its extra open days."""
    return OfficeCalendar.build(
        team.hours_spec,
        team.timezone,
        [day for closed in closed_days(session, team.id) for day in closed.days()],
        [(extra.day, extra.opens, extra.closes) for extra in extra_open_days(session, team.id)],
    )


def totp_uri(username: str, team: Team, totp_secret: str) -> str:
    """What an authenticator app scans; shown once, never stored."""
    return pyotp.TOTP(totp_secret).provisioning_uri(
        name=f"{username}@{team.slug}", issuer_name=TOTP_ISSUER
    )
