"""Which team this public site speaks for, and what it says about itself."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from intake_web.state import state
from intake_web.when import closed_today_until
from utvag.calendar.hours import OfficeCalendar, WeeklyHours
from utvag.calendar.hours_text import describe_hours
from utvag.clock import utcnow
from utvag.repo.teams import PublicTeam, TeamError, calendar_for, find_public_team


def public_team(session: Session) -> PublicTeam | None:
    """The configured team (``UTVAG_TEAM``), else the first one created."""
    return find_public_team(session, state().config.team_slug)


def team_calendar(session: Session, team: PublicTeam) -> OfficeCalendar:
    """The team's calendar from the process's cache (``team_facts``), as a
    submission reads it: the start page asks on every view."""
    try:
        return state().team_facts.get(session, team).calendar
    except TeamError:  # no active key: the calendar still stands
        return calendar_for(session, team)


@dataclass(frozen=True)
class PublicInfo:
    """What the public pages show about the programme: all of it public anyway."""

    name: str
    hours: list[tuple[str, str]]
    phone: str | None
    retention_days: int
    # "tisdag 1 december 08:00" when the team closed today (a closure):
    # when we call at the earliest. None on an ordinary day.
    closed_today_until: str | None = None


def public_info(lang: str) -> PublicInfo | None:
    with state().session_factory() as session:
        team = public_team(session)
        if team is None:
            return None
        return PublicInfo(
            name=team.name,
            hours=describe_hours(WeeklyHours.parse(team.hours_spec), lang),
            phone=team.public_phone,
            retention_days=team.retention_days,
            closed_today_until=closed_today_until(team_calendar(session, team), lang, utcnow()),
        )
