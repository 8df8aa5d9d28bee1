"""Which team this public site speaks for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake_web.state import state
from utvag.models import Team
from utvag.repo.teams import team_by_slug


def public_team(session: Session) -> Team | None:
    """The configured team (``UTVAG_TEAM``), else the first one created."""
    slug = state().config.team_slug
    if slug:
        return team_by_slug(session, slug)
    return session.scalar(select(Team).order_by(Team.id).limit(1))
