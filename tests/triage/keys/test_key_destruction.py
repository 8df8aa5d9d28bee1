"""Crypto-shredding holds against an older backup, and a backup plus a
password is not enough without the console's secrets.

The adversary here has a backup (``utvag.ops.backup``), as any thief of the
backup store would, and a staff member's password. They restore it into a
fresh database and run the console against it.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, post_form

from crypto.errors import WrongSecretError
from crypto.unwrapping import unwrap_private_key
from triage.keys.keyring import open_grants
from utvag.clock import utcnow
from utvag.config import Config
from utvag.console_keys import ConsoleKeys, export_text, import_secrets, parse_export
from utvag.ops.backup import backup, restore
from utvag.repo.retention import purge_expired
from utvag.server_secrets import console_session_key, intake_secrets
from utvag.store.db import make_engine, make_session_factory, transaction
from utvag.store.models import Contact, ContactStatus, KeyWrap, StaffMember, TeamKey
from utvag.store.schema import upgrade_to_head

OLD_WORDS = "Skrivet-under-den-gamla-nyckeln 17"
NEW_WORDS = "Skrivet-under-den-nya-nyckeln 42"


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


@dataclasses.dataclass(frozen=True)
class History:
    older_backup: Path
    copy_before: str  # the console's secrets as copied before the destruction
    old_contact: int
    new_contact: int
    old_key_id: str


@pytest.fixture
def history(
    config: Config,
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> History:
    """A contact under the first key, a rotation, a contact under the second,
    a backup; then the first contact purged by retention, everything re-sealed
    and the first key destroyed."""
    post_form(client, "/sv/message", {"message": OLD_WORDS})
    with session_factory() as session:
        old_key = session.scalars(select(TeamKey)).one()
        old_key_id, old_key_row = old_key.key_id, old_key.id
    assert _post(logged_in_staff, "/admin/keys/rotate", {"confirm": "yes"}).status_code == 302
    post_form(client, "/sv/message", {"message": NEW_WORDS})
    with session_factory() as session:
        old_contact, new_contact = session.scalars(select(Contact.id).order_by(Contact.id)).all()
    intake_secrets(config.data_dir)
    console_session_key(config.data_dir)
    older_backup = tmp_path / "older.backup"
    backup(config.database_url, config.data_dir, older_backup)
    copy_before = export_text(team.keys)

    with transaction(session_factory) as session:
        contact = session.get(Contact, old_contact)
        assert contact is not None
        contact.status = ContactStatus.CLOSED.value
        contact.closed_at = utcnow() - timedelta(days=400)
        assert purge_expired(session) == 1
    assert _post(logged_in_staff, "/admin/keys/reseal").status_code == 302
    destroyed = _post(logged_in_staff, f"/keys/{old_key_row}/destroy", {"confirm": "yes"})
    assert destroyed.status_code == 302
    with session_factory() as session:
        assert session.get(TeamKey, old_key_row).destroyed_at is not None  # type: ignore[union-attr]
    return History(older_backup, copy_before, old_contact, new_contact, old_key_id)


@pytest.fixture
def restored(history: History, config: Config, empty_database_url: str, tmp_path: Path) -> Config:
    """The older backup restored into a fresh database and data dir, as a
    thief (or an honest restore) would; without the console's secrets yet."""
    data_dir = tmp_path / "restored"
    restore(history.older_backup, empty_database_url, data_dir)
    upgrade_to_head(empty_database_url)
    return dataclasses.replace(config, data_dir=data_dir, database_url=empty_database_url)


def _console(config: Config, redis_client: redis.Redis) -> Flask:
    from triage import create_app

    return create_app(config, redis_client=redis_client)


def _log_in(app: Flask, team: TeamFixture) -> FlaskClient:
    browser = app.test_client()
    # The backup remembers the last code used; the next time step is new to it.
    code = pyotp.TOTP(team.totp_secret).at(time.time() + 30)
    answer = post_form(
        browser,
        "/login",
        {"username": team.admin_username, "password": team.password, "otp": code},
    )
    assert answer.status_code == 302, "the password and the console's secrets did not log in"
    return browser


def _put_back(text: str, data_dir: Path) -> None:
    import_secrets(data_dir, parse_export(text))


def test_an_older_backup_with_todays_secrets_and_a_password_does_not_open_a_shredded_contact(
    history: History,
    restored: Config,
    team: TeamFixture,
    redis_client: redis.Redis,
) -> None:
    _put_back(export_text(team.keys), restored.data_dir)
    app = _console(restored, redis_client)
    try:
        staff = _log_in(app, team)
        old_page = staff.get(f"/contacts/{history.old_contact}").get_data(as_text=True)
        new_page = staff.get(f"/contacts/{history.new_contact}").get_data(as_text=True)
    finally:
        app.extensions["utvag"].engine.dispose()
    assert NEW_WORDS in new_page  # what lives opens
    assert OLD_WORDS not in old_page  # what was purged under the destroyed key does not
    assert "krypterad med en nyckel som du inte har" in old_page


def test_the_same_backup_with_a_copy_from_before_the_destruction_still_opens_it(
    history: History,
    restored: Config,
    team: TeamFixture,
    redis_client: redis.Redis,
) -> None:
    """Why the copy kept apart must be replaced after a destruction: an old
    copy holds the lock, and the shred is undone. (Also: the test above can
    fail; it is the lock that makes the difference.)"""
    _put_back(history.copy_before, restored.data_dir)
    app = _console(restored, redis_client)
    try:
        staff = _log_in(app, team)
        old_page = staff.get(f"/contacts/{history.old_contact}").get_data(as_text=True)
    finally:
        app.extensions["utvag"].engine.dispose()
    assert OLD_WORDS in old_page


def test_a_backup_and_a_password_without_the_consoles_secrets_open_nothing(
    history: History, restored: Config, team: TeamFixture, redis_client: redis.Redis
) -> None:
    """Offline, as a thief would try: the member's key does not unwrap with
    the password and any pepper but the console's; the console will not even
    start without it."""
    from utvag.console_keys import ConsoleKeysMissing

    with pytest.raises(ConsoleKeysMissing):
        _console(restored, redis_client)
    engine = make_engine(restored.database_url)
    try:
        with make_session_factory(engine)() as session:
            member = session.scalars(select(StaffMember)).one()
            wrapped = member.wrapped_private_key
    finally:
        engine.dispose()
    assert wrapped is not None
    for guess in (bytes(32), team.keys.wrap_pepper[::-1]):
        with pytest.raises(WrongSecretError):
            unwrap_private_key(wrapped, team.password, pepper=guess)


def test_a_backup_a_password_and_the_pepper_without_the_key_store_open_nothing(
    history: History, restored: Config, team: TeamFixture, redis_client: redis.Redis
) -> None:
    """Half the console's secrets is not enough either: every grant is locked."""
    copy = parse_export(export_text(team.keys))
    pepper_only = dataclasses.replace(copy, locks={})
    import_secrets(restored.data_dir, pepper_only)
    keys = ConsoleKeys(wrap_pepper=team.keys.wrap_pepper, key_store=restored.data_dir / "none")
    engine = make_engine(restored.database_url)
    try:
        with make_session_factory(engine)() as session:
            member = session.scalars(select(StaffMember)).one()
            assert member.wrapped_private_key is not None
            private = unwrap_private_key(
                member.wrapped_private_key, team.password, pepper=keys.wrap_pepper
            )
            assert session.scalars(select(KeyWrap)).all()  # the grants are there...
            assert open_grants(session, private, member.id, member.team_id, keys) == {}
    finally:
        engine.dispose()
    app = _console(restored, redis_client)
    try:
        refused = post_form(
            app.test_client(),
            "/login",
            {
                "username": team.admin_username,
                "password": team.password,
                "otp": pyotp.TOTP(team.totp_secret).at(time.time() + 30),
            },
        )
    finally:
        app.extensions["utvag"].engine.dispose()
    assert refused.status_code == 401
