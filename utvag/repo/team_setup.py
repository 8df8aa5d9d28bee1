"""Setting up a team: key pair, first admin, recovery wrap.

Kept apart from ``utvag.repo.teams`` because it wraps private keys: the public
app imports the lookups, never this (import-linter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyotp
from sqlalchemy.orm import Session

from crypto.codes import RECOVERY_CODE_LENGTH, new_recovery_code, normalise_code
from crypto.kdf_cost import KdfCost
from crypto.keys import generate_team_keypair, key_id
from crypto.wrapping import wrap_private_key
from utvag.calendar.hours import OfficeCalendar
from utvag.console_keys import ConsoleKeys
from utvag.repo.checklists import CLOCKS, DECIDED_BY_SOCIAL_SERVICES, DEFAULT_PRESET, PRESETS
from utvag.repo.public_pages import PAGE_NAMES
from utvag.repo.staff import (
    check_new_password,
    check_username,
    create_member,
    grant_team_keys,
    username_taken,
)
from utvag.repo.team_rows import fresh_team_id
from utvag.repo.teams import TeamError, TeamProblem, team_by_slug, totp_uri
from utvag.store.models import ChecklistItem, Role, StaffMember, Team, TeamKey

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


@dataclass(frozen=True)
class NewTeam:
    team: Team
    admin: StaffMember
    totp_uri: str
    recovery_code: str


def create_team(
    session: Session,
    *,
    slug: str,
    name: str,
    admin_username: str,
    admin_password: str,
    hours_spec: str,
    timezone: str,
    cost: KdfCost,
    keys: ConsoleKeys,
    checklist_preset: str = DEFAULT_PRESET,
) -> NewTeam:
    """Create a team with a fresh key pair, its first admin and a recovery wrap.

    The private key exists in clear only inside this call: it leaves sealed
    to the admin's key pair (wrapped under their password and the console's
    pepper) and to the recovery key (wrapped under the recovery code and the
    pepper), each grant locked under the key's new lock in the key store.
    """
    if not SLUG_PATTERN.match(slug):
        raise TeamError(TeamProblem.BAD_SLUG)
    if slug in PAGE_NAMES:
        raise TeamError(
            TeamProblem.BAD_SLUG, f"{slug!r} is the name of a public page; choose another slug"
        )
    if not name.strip():
        raise TeamError(TeamProblem.NO_TEAM_NAME)
    check_username(admin_username)
    check_new_password(admin_password, admin_username)
    OfficeCalendar.build(hours_spec, timezone)  # raises HoursSpecError on bad input
    if checklist_preset not in PRESETS:
        raise TeamError(
            TeamProblem.UNKNOWN_CHECKLIST,
            f"unknown checklist {checklist_preset!r}; known: {', '.join(PRESETS)}",
        )
    if team_by_slug(session, slug) is not None:
        raise TeamError(TeamProblem.TEAM_EXISTS, f"a team called {slug!r} already exists")
    if username_taken(session, admin_username):
        raise TeamError(TeamProblem.USERNAME_TAKEN, f"the username {admin_username!r} is taken")

    clocks = CLOCKS[checklist_preset]
    team = Team(
        slug=slug,
        name=name.strip(),
        hours_spec=hours_spec,
        timezone=timezone,
        decision_needs_decider=checklist_preset in DECIDED_BY_SOCIAL_SERVICES,
        mapping_min_days=clocks.mapping_min_days,
        mapping_max_days=clocks.mapping_max_days,
        register_check_days=clocks.register_check_days,
        adults_only=clocks.adults_only,
    )
    if (team_id := fresh_team_id(session)) is not None:
        team.id = team_id
    session.add(team)
    session.flush()

    private_key, public_key = generate_team_keypair()
    team_key = TeamKey(team_id=team.id, key_id=key_id(public_key), public_key=public_key)
    keys.new_lock_secret(team_key.key_id)
    session.add(team_key)
    session.add_all(
        ChecklistItem(
            team_id=team.id,
            position=position,
            label=criterion.label,
            kind=criterion.kind.value if criterion.kind else None,
        )
        for position, criterion in enumerate(PRESETS[checklist_preset])
    )
    session.flush()
    team_keys = {team_key.key_id: private_key}

    totp_secret = pyotp.random_base32()
    admin = create_member(
        session,
        team,
        username=admin_username,
        role=Role.ADMIN,
        password=admin_password,
        totp_secret=totp_secret,
        team_private_keys=team_keys,
        cost=cost,
        keys=keys,
    )

    recovery_code = new_recovery_code()
    recovery_private, recovery_public = generate_team_keypair()
    team.recovery_public_key = recovery_public
    # Wrapped under the canonical form, so any way of typing it back unwraps.
    team.wrapped_recovery_key = wrap_private_key(
        recovery_private,
        normalise_code(recovery_code, RECOVERY_CODE_LENGTH) or "",
        cost,
        pepper=keys.wrap_pepper,
    )
    grant_team_keys(session, recovery_public, None, team_keys, keys)
    return NewTeam(
        team=team,
        admin=admin,
        totp_uri=totp_uri(admin.username, team, totp_secret),
        recovery_code=recovery_code,
    )
