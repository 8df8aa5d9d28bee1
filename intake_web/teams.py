"""Which team this public site speaks for, and what it says about itself."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake_web.state import state
from utvag.hours import WeeklyHours
from utvag.hours_text import describe_hours
from utvag.models import Team
from utvag.repo.teams import team_by_slug


def public_team(session: Session) -> Team | None:
    """The configured team (``UTVAG_TEAM``), else the first one created."""
    slug = state().config.team_slug
    if slug:
        return team_by_slug(session, slug)
    return session.scalar(select(Team).order_by(Team.id).limit(1))


@dataclass(frozen=True)
class PublicInfo:
    """What the public pages show about the programme: all of it public anyway."""

    name: str
    hours: list[tuple[str, str]]
    phone: str | None
    retention_days: int


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
        )
