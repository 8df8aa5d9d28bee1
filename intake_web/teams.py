"""Which team a public page speaks for, and what it says about itself.

A page with a team in its path (``/sv/<team>/…``) speaks for that team; a
page without one for the home team: the team marked regional, else (as with
one team) ``UTVAG_TEAM``, else the first one created. A team the path names
that does not exist, or that its lead keeps hidden, is one and the same 404,
so the public site never tells whether a hidden team exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from intake_web.state import state
from intake_web.when import closed_today_until
from utvag.calendar.hours import OfficeCalendar, WeeklyHours
from utvag.calendar.hours_text import describe_hours
from utvag.clock import utcnow
from utvag.markup import clean
from utvag.repo.public_texts import current_texts
from utvag.repo.teams import (
    PublicTeam,
    TeamError,
    calendar_for,
    find_home_team,
    find_public_team,
    find_team_by_id,
    find_team_by_slug,
    listed_teams,
)
from utvag.store.models import PublicListing


def team_calendar(session: Session, team: PublicTeam) -> OfficeCalendar:
    """The team's calendar from the process's cache (``team_facts``), as a
    submission reads it: the start page asks on every view."""
    try:
        return state().team_facts.get(session, team).calendar
    except TeamError:  # no active key: the calendar still stands
        return calendar_for(session, team)


def public_team(session: Session) -> PublicTeam | None:
    """The configured team (``UTVAG_TEAM``), else the first one created: the
    team the hotline speaks for."""
    return find_public_team(session, state().config.team_slug)


def home_team(session: Session) -> PublicTeam | None:
    """The team of the pages with no team in their path (module docstring)."""
    return find_home_team(session, state().config.team_slug)


def team_at_path(session: Session, slug: str) -> PublicTeam | None:
    """The team a path names, if a person may reach it there: listed, direct,
    or the home team (where "I don't know" leads). None for anything else."""
    found = find_team_by_slug(session, slug)
    if found is None:
        return None
    if found.public_listing != PublicListing.HIDDEN.value or found.regional:
        return found
    home = home_team(session)
    return found if home is not None and home.id == found.id else None


def page_team(session: Session, slug: str | None) -> PublicTeam | None:
    """The team a page speaks for: the one its path names, else the home team."""
    return home_team(session) if slug is None else team_at_path(session, slug)


class UnknownTeam(NotFound):
    """A path that names no team a person may reach: a 404 in the page's
    language that leads to the region's start page."""

    advice = _l(
        "We could not find that programme. On the start page you can choose a programme,"
        " or get in touch without choosing one."
    )


def resolve_team_in_path(endpoint: str | None, values: dict[str, object] | None) -> None:
    """Before any view: a ``team`` in the path must be a team a person may
    reach; it is kept on ``g`` for the templates' links."""
    g.team_slug = None
    if values is None or values.get("team") is None:
        return
    slug = str(values["team"])
    with state().session_factory() as session:
        found = team_at_path(session, slug)
    if found is None:
        raise UnknownTeam()
    g.team_slug = found.slug


def current_team_slug() -> str | None:
    """The team in this page's path, for its links (None: the home team)."""
    slug: str | None = g.get("team_slug")
    return slug


@dataclass(frozen=True)
class PublicInfo:
    """What the public pages show about the programme: all of it public anyway."""

    team_id: int
    name: str
    hours: list[tuple[str, str]]
    phone: str | None
    retention_days: int
    # The team's own words in this language, by place (PublicTextSlot); a
    # place not in it shows the catalogue's text.
    texts: dict[str, Markup]
    # "tisdag 1 december 08:00" when the team closed today (a closure):
    # when we call at the earliest. None on an ordinary day.
    closed_today_until: str | None = None


def team_texts(session: Session, team_id: int, lang: str) -> dict[str, Markup]:
    """The team's own texts, through the sanitiser once more on the way out:
    whatever is in the database, only the allowed subset reaches a page."""
    return {
        slot: Markup(clean(stored))  # noqa: S704  # nosec B704 - nh3 has just cleaned it
        for slot, stored in current_texts(session, team_id, lang).items()
    }


def info_of(session: Session, team: PublicTeam, lang: str) -> PublicInfo:
    return PublicInfo(
        team_id=team.id,
        name=team.name,
        hours=describe_hours(WeeklyHours.parse(team.hours_spec), lang),
        phone=team.public_phone,
        retention_days=team.retention_days,
        texts=team_texts(session, team.id, lang),
        closed_today_until=closed_today_until(team_calendar(session, team), lang, utcnow()),
    )


def public_info(lang: str, slug: str | None = None) -> PublicInfo | None:
    with state().session_factory() as session:
        team = page_team(session, slug)
        return info_of(session, team, lang) if team is not None else None


@dataclass(frozen=True)
class Region:
    """The region's start page: the listed programmes, and where "I don't
    know / would rather not say" goes (the home team's own path)."""

    programmes: list[PublicTeam]
    unsure: PublicTeam | None


def region_choice() -> Region | None:
    """The region's choice, when more than one programme is listed; None
    otherwise, and the start page is the home team's, as with one team."""
    with state().session_factory() as session:
        programmes = listed_teams(session)
        if len(programmes) < 2:
            return None
        return Region(programmes, home_team(session))


def path_slug_of(session: Session, team_id: int) -> str | None:
    """The path a contact's team is reached by, for links from the receipt
    pages: None for the home team (and for a team since hidden)."""
    home = home_team(session)
    if home is not None and home.id == team_id:
        return None
    team = find_team_by_id(session, team_id)
    if team is None or team_at_path(session, team.slug) is None:
        return None
    return team.slug


def team_info_by_id(session: Session, team_id: int, lang: str) -> PublicInfo | None:
    """A contact's own team, for the receipt pages (whatever path it came by)."""
    team = find_team_by_id(session, team_id)
    return info_of(session, team, lang) if team is not None else None
