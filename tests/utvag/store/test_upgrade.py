"""A database made by the previous release (schema 0001, with data in it)
migrates to head, and everything in it still works: staff log in, contacts
open, a person's receipt code finds their contact, nothing was lost.

The rows are written as release 0001 wrote them: raw SQL at that schema,
envelopes without padding, the TOTP secret in clear, the member's key
wrapped without the console's pepper and the team key granted without a lock.
``utvag init`` makes the pepper and locks the grant; the member's first
login re-wraps their key with the pepper.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import nacl.public
import pyotp
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from support import csrf_token_from, post_form

from crypto.codes import RECEIPT_CODE_LENGTH, group_code, new_receipt_code, normalise_code
from crypto.kdf import TEST_COST, derive_wrapping_key
from crypto.kdf_cost import KdfCost
from crypto.keys import generate_team_keypair, key_id
from crypto.receipts import receipt_digest, reply_keypair
from crypto.wrapping import wrapping_version
from utvag.config import Config
from utvag.ops.cli import cli
from utvag.server_secrets import intake_secrets
from utvag.store.db import make_engine
from utvag.store.schema import alembic_config

PASSWORD = "the previous release's password"
TOTP_SECRET = pyotp.random_base32()
MESSAGE = "Skrivet före uppgraderingen"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    admin_url = os.environ.get(
        "UTVAG_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ).strip()
    if not admin_url:
        pytest.skip("UTVAG_TEST_DATABASE_URL is empty: PostgreSQL tests switched off")
    name = f"utvag_upgrade_{secrets.token_hex(4)}"
    server = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _old_envelope(public_key: bytes, fields: dict[str, str]) -> bytes:
    """An envelope as release 0001 sealed it: version 1, no padding."""
    document = json.dumps({"v": 1, "fields": fields}).encode()
    box = nacl.public.SealedBox(nacl.public.PublicKey(public_key))
    return b"US\x01" + bytes.fromhex(key_id(public_key)) + box.encrypt(document)


def _fill_release_0001(url: str, receipt_key: bytes) -> str:
    """One team, its admin, a contact with a call, a follow-up and a case; the receipt code."""
    from alembic import command

    command.upgrade(alembic_config(url), "0001")
    team_private, team_public = generate_team_keypair()
    member_private, member_public = generate_team_keypair()
    code = normalise_code(new_receipt_code(), RECEIPT_CODE_LENGTH)
    assert code is not None
    _, reply_public = reply_keypair(code)
    engine = make_engine(url)
    now = "2026-11-20 09:00:00"
    with engine.begin() as connection:
        run = connection.execute
        run(
            text(
                "INSERT INTO teams (id, slug, name, hours_spec, timezone, retention_days,"
                " max_call_attempts, created_at) VALUES (1, 'vagvalet', 'Vägvalet',"
                " 'mon-fri 08:00-16:00', 'Europe/Stockholm', 180, 3, :now)"
            ),
            {"now": now},
        )
        run(
            text(
                "INSERT INTO team_keys (id, team_id, key_id, public_key, created_at)"
                " VALUES (1, 1, :kid, :pub, :now)"
            ),
            {"kid": key_id(team_public), "pub": team_public, "now": now},
        )
        run(
            text(
                "INSERT INTO staff_members (id, team_id, username, role, public_key,"
                " wrapped_private_key, totp_secret, failed_logins, created_at)"
                " VALUES (1, 1, 'anna', 'admin', :pub, :wrapped, :totp, 0, :now)"
            ),
            {
                "pub": member_public,
                "wrapped": _wrapped_without_pepper(member_private, PASSWORD, TEST_COST),
                "totp": TOTP_SECRET,
                "now": now,
            },
        )
        run(
            text(
                "INSERT INTO key_wraps (id, team_key_id, staff_member_id, sealed_private_key,"
                " created_at) VALUES (1, 1, 1, :sealed, :now)"
            ),
            {"sealed": _old_envelope_raw(member_public, team_private), "now": now},
        )
        run(
            text(
                "INSERT INTO contacts (id, team_id, kind, channel, wants_callback, status,"
                " created_at, due_at, attempt_count, key_id, sealed_content, receipt_digest,"
                " reply_public_key) VALUES (1, 1, 'defector', 'web', true, 'case_opened', :now,"
                " :now, 1, :kid, :sealed, :digest, :reply)"
            ),
            {
                "now": now,
                "kid": key_id(team_public),
                "sealed": _old_envelope(team_public, {"message": MESSAGE, "phone": "0701234567"}),
                "digest": receipt_digest(receipt_key, code),
                "reply": reply_public,
            },
        )
        run(
            text(
                "INSERT INTO call_attempts (id, contact_id, team_id, staff_member_id, outcome, at)"
                " VALUES (1, 1, 1, 1, 'reached', :now)"
            ),
            {"now": now},
        )
        run(
            text(
                "INSERT INTO contact_messages (id, contact_id, direction, sealed_content,"
                " created_at) VALUES (1, 1, 'from_person', :sealed, :now)"
            ),
            {"sealed": _old_envelope(team_public, {"message": "igen"}), "now": now},
        )
        run(
            text(
                "INSERT INTO cases (id, team_id, contact_id, opened_by_id, opened_at, status)"
                " VALUES (1, 1, 1, 1, :now, 'pending')"
            ),
            {"now": now},
        )
    engine.dispose()
    return group_code(code)


def _wrapped_without_pepper(private_key: bytes, secret: str, cost: KdfCost) -> bytes:
    """A key wrapped as releases before the console's pepper wrapped it (version 1)."""
    import nacl.secret
    import nacl.utils

    salt = nacl.utils.random(16)
    box = nacl.secret.SecretBox(derive_wrapping_key(secret, salt, cost))
    header = b"UW\x01" + cost.opslimit.to_bytes(4, "big") + cost.memlimit.to_bytes(8, "big")
    return header + salt + bytes(box.encrypt(private_key))


def _old_envelope_raw(public_key: bytes, plaintext: bytes) -> bytes:
    box = nacl.public.SealedBox(nacl.public.PublicKey(public_key))
    return b"US\x01" + bytes.fromhex(key_id(public_key)) + box.encrypt(plaintext)


def test_a_release_0001_database_migrates_to_head_and_keeps_working(
    empty_database_url: str,
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    from intake_web import create_app as create_intake
    from triage import create_app as create_console

    time_machine.move_to("2026-11-24T10:00:00+01:00", tick=True)
    config = Config(
        data_dir=tmp_path / "var",
        database_url=empty_database_url,
        redis_url=redis_url,
        public_url="http://127.0.0.1:8000",
        twilio=None,
        kdf_cost=TEST_COST,
        testing=True,
    )
    receipt = _fill_release_0001(empty_database_url, intake_secrets(config.data_dir).receipt_key)

    from click.testing import CliRunner

    initialised = CliRunner().invoke(cli, ["init"], obj=config)
    assert initialised.exit_code == 0, initialised.output
    assert "locked 1 key grant(s) under the console's key store" in initialised.output
    assert "made the console's wrapping secret" in initialised.output

    engine = make_engine(empty_database_url)
    with engine.connect() as connection:
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
            for table in ("contacts", "call_attempts", "contact_messages", "cases", "key_wraps")
        }
        queue_due_at, unseen = connection.execute(
            text("SELECT queue_due_at, unseen_follow_up_at FROM contacts WHERE id = 1")
        ).one()
        sealed_totp = connection.execute(
            text("SELECT sealed_totp_secret FROM staff_members WHERE id = 1")
        ).scalar()
    engine.dispose()
    assert counts == dict.fromkeys(counts, 1), "the migration lost rows"
    assert queue_due_at is None  # a case is not in the queue
    assert unseen is not None  # its follow-up was never opened
    assert TOTP_SECRET.encode() not in bytes(sealed_totp)
    assert _member_wrap_version(empty_database_url) == 1
    assert _grant(empty_database_url)[:3] == b"UL\x01"  # locked by init, unopened

    console = create_console(config, redis_client=redis_client)
    staff = console.test_client()
    login = post_form(
        staff,
        "/login",
        {"username": "anna", "password": PASSWORD, "otp": pyotp.TOTP(TOTP_SECRET).now()},
    )
    assert login.status_code == 302, "the admin cannot log in after the upgrade"
    # The first login re-wrapped the key with the console's pepper.
    assert _member_wrap_version(empty_database_url) == 2
    page = staff.get("/contacts/1").get_data(as_text=True)
    assert MESSAGE in page
    assert "igen" in page

    intake = create_intake(config, redis_client=redis_client)
    person = intake.test_client()
    status = post_form(person, "/sv/receipt", {"code": receipt})
    assert status.status_code == 200
    token = csrf_token_from(status.get_data(as_text=True))
    assert token
    for app in (console, intake):
        app.extensions["utvag"].engine.dispose()

    # Logging in again opens the re-wrapped key; a second init changes nothing.
    again = create_console(config, redis_client=redis_client)
    try:
        second = post_form(
            again.test_client(),
            "/login",
            {
                "username": "anna",
                "password": PASSWORD,
                "otp": pyotp.TOTP(TOTP_SECRET).at(time.time() + 30),
            },
        )
        assert second.status_code == 302
    finally:
        again.extensions["utvag"].engine.dispose()
    rerun = CliRunner().invoke(cli, ["init"], obj=config)
    assert rerun.exit_code == 0, rerun.output
    assert "locked" not in rerun.output
    assert "made the console's wrapping secret" not in rerun.output


def _member_wrap_version(url: str) -> int | None:
    engine = make_engine(url)
    with engine.connect() as connection:
        wrapped = connection.execute(
            text("SELECT wrapped_private_key FROM staff_members WHERE id = 1")
        ).scalar()
    engine.dispose()
    return wrapping_version(bytes(wrapped))


def _grant(url: str) -> bytes:
    engine = make_engine(url)
    with engine.connect() as connection:
        grant = connection.execute(text("SELECT sealed_private_key FROM key_wraps")).scalar()
    engine.dispose()
    return bytes(grant)
