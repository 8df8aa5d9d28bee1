"""Setting up a team: key pair, first admin, recovery wrap.

Kept apart from ``utvag.repo.teams`` because it wraps private keys: the public
app imports the lookups, never this (import-linter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto.codes import RECOVERY_CODE_LENGTH, new_recovery_code, normalise_code
from crypto.kdf_cost import KdfCost
from crypto.keys import generate_team_keypair, key_id
from crypto.wrapping import wrap_private_key
from utvag.checklists import DEFAULT_PRESET, PRESETS
from utvag.hours import OfficeCalendar
from utvag.models import ChecklistItem, KeyWrap, Role, StaffMember, Team, TeamKey
from utvag.repo.teams import TeamError, team_by_slug, totp_uri

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class NewTeam:
    team: Team
    admin: StaffMember
    totp_uri: str
    recovery_code: str


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise TeamError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")


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
    checklist_preset: str = DEFAULT_PRESET,
) -> NewTeam:
    """Create a team with a fresh key pair, its first admin and a recovery wrap.

    The private key exists in clear only inside this call: it leaves wrapped
    under the admin's password and under the recovery code.
    """
    if not SLUG_PATTERN.match(slug):
        raise TeamError("the team slug must be lower-case letters, digits and hyphens")
    if not name.strip():
        raise TeamError("the team needs a name")
    if not USERNAME_PATTERN.match(admin_username):
        raise TeamError("the username must be 2-64 lower-case letters, digits, '.', '_' or '-'")
    check_new_password(admin_password)
    OfficeCalendar.build(hours_spec, timezone)  # raises HoursSpecError on bad input
    if checklist_preset not in PRESETS:
        raise TeamError(f"unknown checklist {checklist_preset!r}; known: {', '.join(PRESETS)}")
    if team_by_slug(session, slug) is not None:
        raise TeamError(f"a team called {slug!r} already exists")
    if session.scalar(select(StaffMember).where(StaffMember.username == admin_username)):
        raise TeamError(f"the username {admin_username!r} is taken")

    team = Team(slug=slug, name=name.strip(), hours_spec=hours_spec, timezone=timezone)
    session.add(team)
    session.flush()

    private_key, public_key = generate_team_keypair()
    team_key = TeamKey(team_id=team.id, key_id=key_id(public_key), public_key=public_key)
    admin = StaffMember(
        team_id=team.id,
        username=admin_username,
        role=Role.ADMIN.value,
        totp_secret=pyotp.random_base32(),
    )
    session.add_all([team_key, admin])
    session.add_all(
        ChecklistItem(team_id=team.id, position=position, label=label)
        for position, label in enumerate(PRESETS[checklist_preset])
    )
    session.flush()

    recovery_code = new_recovery_code()
    # Wrapped under the canonical form, so any way of typing it back unwraps.
    canonical_recovery = normalise_code(recovery_code, RECOVERY_CODE_LENGTH) or ""
    session.add_all(
        [
            KeyWrap(
                team_key_id=team_key.id,
                staff_member_id=admin.id,
                wrapped_private_key=wrap_private_key(private_key, admin_password, cost),
            ),
            KeyWrap(
                team_key_id=team_key.id,
                staff_member_id=None,
                wrapped_private_key=wrap_private_key(private_key, canonical_recovery, cost),
            ),
        ]
    )
    session.flush()
    return NewTeam(
        team=team, admin=admin, totp_uri=totp_uri(admin, team), recovery_code=recovery_code
    )
