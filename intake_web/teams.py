"""Which team this public site speaks for, and what it says about itself."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from intake_web.state import state
from utvag.hours import WeeklyHours
from utvag.hours_text import describe_hours
from utvag.models import Team


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


_TEAMS = cast(Table, Team.__table__)
# Built once: the team is read on every submission, and building the
# statement and loading an ORM object for it cost more than the read.
_SELECT = select(*(_TEAMS.c[field.name] for field in fields(PublicTeam)))
_BY_SLUG = _SELECT.where(_TEAMS.c.slug == bindparam("slug"))
_FIRST = _SELECT.order_by(_TEAMS.c.id).limit(1)


def public_team(session: Session) -> PublicTeam | None:
    """The configured team (``UTVAG_TEAM``), else the first one created."""
    slug = state().config.team_slug
    row = session.execute(_BY_SLUG, {"slug": slug}) if slug else session.execute(_FIRST)
    found = row.first()
    return PublicTeam(*found) if found is not None else None


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
