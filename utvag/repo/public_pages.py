"""A team's place on the region's public site: whether it is listed, and
which team is the region's triage team (README, "Several programmes on one
install")."""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.store.models import PublicListing, Team

# The public pages whose name follows the language in a path (``/sv/receipt``):
# a team's slug may not be one of them, or its pages could not be reached.
PAGE_NAMES = frozenset({"callback", "message", "relatives", "privacy", "receipt"})


class PublicPageProblem(enum.StrEnum):
    """Why a change to a team's public place was refused; the console's labels
    say it in Swedish, the command line in English."""

    UNKNOWN_LISTING = "unknown_listing"
    ANOTHER_IS_REGIONAL = "another_is_regional"


PUBLIC_PAGE_PROBLEM_WORDS = {
    PublicPageProblem.UNKNOWN_LISTING: "the listing must be hidden, direct or listed",
    PublicPageProblem.ANOTHER_IS_REGIONAL: "another team is already the regional team",
}


class PublicPageError(ValueError):
    def __init__(self, problem: PublicPageProblem, message: str | None = None) -> None:
        super().__init__(message or PUBLIC_PAGE_PROBLEM_WORDS[problem])
        self.problem = problem


def set_public_listing(team: Team, listing: str) -> bool:
    """Hidden, direct or listed (``PublicListing``); True if it changed."""
    try:
        chosen = PublicListing(listing)
    except ValueError:
        raise PublicPageError(PublicPageProblem.UNKNOWN_LISTING) from None
    changed = team.public_listing != chosen.value
    team.public_listing = chosen.value
    return changed


def regional_team(session: Session) -> Team | None:
    return session.scalar(select(Team).where(Team.regional.is_(True)).order_by(Team.id).limit(1))


def set_regional(session: Session, team: Team, regional: bool) -> bool:
    """Mark (or unmark) the region's triage team; True if it changed. There
    is one: marking a second is refused with the first one's slug, so no
    contact's way in moves without someone saying so."""
    if regional:
        current = regional_team(session)
        if current is not None and current.id != team.id:
            raise PublicPageError(
                PublicPageProblem.ANOTHER_IS_REGIONAL,
                f"{current.slug!r} is already the regional team; unmark it first"
                f" (utvag team regional {current.slug} --off)",
            )
    changed = team.regional != regional
    team.regional = regional
    return changed
