"""A team's own public words, per place and language, kept as versions.

Each save adds a row; the newest per (team, place, language) is the one the
public site shows, the older ones are its history. An empty text gives the
place back to the catalogue's own words. What is stored as HTML has passed
``utvag.markup`` (nh3); the public site passes it through nh3 again.
"""

from __future__ import annotations

import enum
import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from utvag.markup import MAX_SOURCE_LENGTH, render
from utvag.store.models import PublicTextSlot, PublicTextVersion, Team

# The public site's languages (intake_web.i18n.LANGUAGES; a test keeps them in step).
PUBLIC_LANGUAGES = ("sv", "en", "ar")
STATUS_SLOTS = (
    PublicTextSlot.STATUS_RECEIVED,
    PublicTextSlot.STATUS_TRIED,
    PublicTextSlot.STATUS_TALKED,
    PublicTextSlot.STATUS_CLOSED,
)
HISTORY_SHOWN = 50


class PublicTextProblem(enum.StrEnum):
    TOO_LONG = "too_long"
    NOT_CONFIRMED = "not_confirmed"


class PublicTextError(ValueError):
    def __init__(self, problem: PublicTextProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def current_texts(session: Session, team_id: int, lang: str) -> dict[str, str]:
    """The team's own texts in one language, place by place; a place whose
    newest version is empty is left out (the catalogue speaks there)."""
    newest = (
        select(func.max(PublicTextVersion.id))
        .where(PublicTextVersion.team_id == team_id, PublicTextVersion.lang == lang)
        .group_by(PublicTextVersion.slot)
    )
    rows = session.execute(
        select(PublicTextVersion.slot, PublicTextVersion.html).where(
            PublicTextVersion.id.in_(newest)
        )
    )
    return {slot: stored_html for slot, stored_html in rows if stored_html}


def current_version(
    session: Session, team_id: int, slot: PublicTextSlot, lang: str
) -> PublicTextVersion | None:
    return session.scalar(
        select(PublicTextVersion)
        .where(
            PublicTextVersion.team_id == team_id,
            PublicTextVersion.slot == slot.value,
            PublicTextVersion.lang == lang,
        )
        .order_by(PublicTextVersion.id.desc())
        .limit(1)
    )


def history(
    session: Session, team_id: int, slot: PublicTextSlot, lang: str
) -> list[PublicTextVersion]:
    """The newest versions first, the current one among them."""
    return list(
        session.scalars(
            select(PublicTextVersion)
            .where(
                PublicTextVersion.team_id == team_id,
                PublicTextVersion.slot == slot.value,
                PublicTextVersion.lang == lang,
            )
            .order_by(PublicTextVersion.id.desc())
            .limit(HISTORY_SHOWN)
        )
    )


def save_text(
    session: Session,
    team: Team,
    slot: PublicTextSlot,
    lang: str,
    source: str,
    *,
    written_by: str,
    sanitiser_changes_seen: bool,
) -> PublicTextVersion | None:
    """Add a version; None when it is the text already shown. A text the
    sanitiser changes is refused (NOT_CONFIRMED) unless the lead has seen
    what it changes (``sanitiser_changes_seen``)."""
    source = normalised(source)
    if len(source) > MAX_SOURCE_LENGTH:
        raise PublicTextError(PublicTextProblem.TOO_LONG)
    rendered = render(source)
    if rendered.changed and not sanitiser_changes_seen:
        raise PublicTextError(PublicTextProblem.NOT_CONFIRMED)
    existing = current_version(session, team.id, slot, lang)
    if existing is None and not source:
        return None
    if existing is not None and existing.source == source:
        return None
    version = PublicTextVersion(
        team_id=team.id,
        slot=slot.value,
        lang=lang,
        source=source,
        html=rendered.html if source else "",
        written_by=written_by,
    )
    session.add(version)
    session.flush()
    return version


def normalised(source: str) -> str:
    """The text as it is stored and compared."""
    return source.replace("\r\n", "\n").strip()


def seen_digest(source: str) -> str:
    """Names the exact text whose sanitiser changes the lead was shown, so a
    "save anyway" saves that text and no other."""
    return hashlib.sha256(normalised(source).encode()).hexdigest()
