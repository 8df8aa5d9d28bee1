"""Helpers the tests share: driving forms like a browser, reading pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyotp
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from utvag.console_keys import ConsoleKeys
from utvag.repo.team_setup import NewTeam

TEST_PASSWORD = "a long test password"


@dataclass(frozen=True)
class TeamFixture:
    created: NewTeam
    password: str
    # The console's own secrets (pepper, key store) the team's keys need.
    keys: ConsoleKeys

    @property
    def slug(self) -> str:
        return self.created.team.slug

    @property
    def admin_username(self) -> str:
        return self.created.admin.username

    @property
    def totp_secret(self) -> str:
        """The member's TOTP secret, as their app holds it (from the shown URI)."""
        return str(pyotp.parse_uri(self.created.totp_uri).secret)

    def totp_now(self) -> str:
        return pyotp.TOTP(self.totp_secret).now()


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict[str, str], **kwargs: Any) -> TestResponse:
    """GET the form page for its CSRF token, then POST ``data`` like a browser."""
    page = client.get(path, **kwargs)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def log_in(
    console_client: FlaskClient,
    team: TeamFixture,
    *,
    request: dict[str, Any] | None = None,
    **overrides: str,
) -> TestResponse:
    """Log in through the form; ``overrides`` replace form fields, ``request``
    holds test-client options (environ_base, base_url)."""
    data = {
        "username": team.admin_username,
        "password": team.password,
        "otp": team.totp_now(),
        **overrides,
    }
    return post_form(console_client, "/login", data, **(request or {}))


RECEIPT_PATTERN = re.compile(r'class="receipt-code"[^>]*><strong>([^<]+)</strong>')


def receipt_code_from(html: str) -> str:
    match = RECEIPT_PATTERN.search(html)
    assert match, "the page shows no receipt code"
    return match.group(1)


def team_keys(session_factory: Any, team: TeamFixture) -> dict[str, bytes]:
    """The team's private keys, opened the way the console opens them at login."""
    from triage.keys.keyring import unwrap_team_keys
    from utvag.store.models import StaffMember

    with session_factory() as session:
        admin = session.get(StaffMember, team.created.admin.id)
        return unwrap_team_keys(session, admin, team.password, team.keys)


def add_member(session_factory: Any, team: TeamFixture, username: str, role: str) -> TeamFixture:
    """Another member of the team, holding their own grant of the team keys."""
    from crypto.kdf import TEST_COST
    from utvag.repo.staff import create_member
    from utvag.repo.teams import totp_uri
    from utvag.store.db import transaction
    from utvag.store.models import Role, Team

    password = "another long test password"
    keys = team_keys(session_factory, team)
    secret = pyotp.random_base32()
    with transaction(session_factory) as session:
        the_team = session.get(Team, team.created.team.id)
        member = create_member(
            session,
            the_team,
            username=username,
            role=Role(role),
            password=password,
            totp_secret=secret,
            team_private_keys=keys,
            cost=TEST_COST,
            keys=team.keys,
        )
        uri = totp_uri(username, the_team, secret)
    created = NewTeam(
        team=team.created.team, admin=member, totp_uri=uri, recovery_code=team.created.recovery_code
    )
    return TeamFixture(created=created, password=password, keys=team.keys)


def create_vagvalet(session_factory: Any, keys: ConsoleKeys) -> TeamFixture:
    """Vägvalet with its first admin, anna, the way `utvag team create` makes it."""
    from crypto.kdf import TEST_COST
    from utvag.repo.team_setup import create_team
    from utvag.store.db import transaction

    with transaction(session_factory) as session:
        created = create_team(
            session,
            slug="vagvalet",
            name="Vägvalet",
            admin_username="anna",
            admin_password=TEST_PASSWORD,
            hours_spec="mon-fri 08:00-16:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=keys,
        )
    return TeamFixture(created=created, password=TEST_PASSWORD, keys=keys)


def sealed_submission(**overrides: Any) -> Any:
    """A contact as the public site would store it: opaque bytes where the
    sealed fields go, a fresh receipt digest each time."""
    import secrets

    from utvag.repo.contacts import SealedSubmission

    fields: dict[str, Any] = {
        "kind": "defector",
        "channel": "web",
        "wants_callback": False,
        "callback_window": None,
        "key_id": "k" * 16,
        "sealed_content": b"sealed words",
        "receipt_digest": secrets.token_hex(32),
        "reply_public_key": b"r" * 32,
    }
    fields.update(overrides)
    return SealedSubmission(**fields)


def create_malmo(session_factory: Any, keys: ConsoleKeys) -> TeamFixture:
    """A second team on the same database: Malmö, with its admin mira."""
    from crypto.kdf import TEST_COST
    from utvag.repo.team_setup import create_team
    from utvag.store.db import transaction

    password = "another long password here"
    with transaction(session_factory) as session:
        created = create_team(
            session,
            slug="malmo",
            name="Malmö",
            admin_username="mira",
            admin_password=password,
            hours_spec="mon-fri 08:00-16:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=keys,
        )
    return TeamFixture(created=created, password=password, keys=keys)


def lead_decides(session_factory: Any, team: TeamFixture) -> None:
    """The team's lead accepts and declines a case on their own (Malmö's and
    Linköping's way), not after a decision by social services (Vägvalet's
    preset, which ``create_vagvalet`` follows)."""
    from utvag.store.db import transaction
    from utvag.store.models import Team

    with transaction(session_factory) as session:
        the_team = session.get(Team, team.created.team.id)
        the_team.decision_needs_decider = False
