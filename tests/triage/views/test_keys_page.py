"""The team keys page and the command line's key commands: what a lead sees,
and what they can do on a schedule (rotate, re-seal, destroy)."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, post_form
from utvag_cli_support import UTVAG

from utvag.clock import utcnow
from utvag.config import Config
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, KeyWrap, StaffSession, TeamKey

OUT_OF_DATE = "Kopian av konsolens hemligheter som förvaras separat stämmer inte"
TOO_OLD = "Den äldsta nyckeln som finns kvar är äldre än lagringstiden"


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _utvag(args: list[str], config: Config) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env.update(UTVAG_DATA_DIR=str(config.data_dir), UTVAG_DATABASE_URL=config.database_url)
    return subprocess.run(
        [UTVAG, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_page_says_when_the_oldest_live_key_outlives_the_retention_period(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    assert TOO_OLD not in logged_in_staff.get("/keys").get_data(as_text=True)
    with transaction(session_factory) as session:
        key = session.scalars(select(TeamKey)).one()
        key.created_at = utcnow() - timedelta(days=181)  # the default period is 180
    assert TOO_OLD in logged_in_staff.get("/keys").get_data(as_text=True)

    # Rotate, re-seal, destroy: then the oldest live key is the new one.
    _post(logged_in_staff, "/admin/keys/rotate", {"confirm": "yes"})
    assert TOO_OLD in logged_in_staff.get("/keys").get_data(as_text=True)
    _post(logged_in_staff, "/admin/keys/reseal")
    _post(logged_in_staff, f"/keys/{key.id}/destroy", {"confirm": "yes"})
    assert TOO_OLD not in logged_in_staff.get("/keys").get_data(as_text=True)


def test_the_page_says_when_the_copy_of_the_consoles_secrets_is_out_of_date(
    config: Config,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    tmp_path: Path,
) -> None:
    assert OUT_OF_DATE in logged_in_staff.get("/keys").get_data(as_text=True)  # never copied
    exported = _utvag(["console-secrets", "export", str(tmp_path / "copy-1.txt")], config)
    assert exported.returncode == 0, exported.stderr
    assert OUT_OF_DATE not in logged_in_staff.get("/keys").get_data(as_text=True)

    rotated = _post(logged_in_staff, "/admin/keys/rotate", {"confirm": "yes"})
    assert "utvag console-secrets export" in logged_in_staff.get(
        rotated.headers["Location"]
    ).get_data(as_text=True)
    assert OUT_OF_DATE in logged_in_staff.get("/keys").get_data(as_text=True)
    _utvag(["console-secrets", "export", str(tmp_path / "copy-2.txt")], config)
    assert OUT_OF_DATE not in logged_in_staff.get("/keys").get_data(as_text=True)
    # The copy holds every lock; the first one lacks the new key's.
    assert (tmp_path / "copy-2.txt").read_text().count("team-key ") == 2
    assert (tmp_path / "copy-1.txt").read_text().count("team-key ") == 1


def test_a_coordinator_cannot_destroy_a_key(
    console_app,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from support import add_member, log_in

    cora = add_member(session_factory, team, "cora", "coordinator")
    browser = console_app.test_client()
    assert log_in(browser, cora).status_code == 302
    assert browser.get("/keys").status_code == 403
    refused = _post(browser, "/keys/1/destroy", {"confirm": "yes"})
    assert refused.status_code == 403


def test_the_command_line_lists_and_destroys_keys_with_the_same_checks(
    config: Config,
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "före bytet"})
    with session_factory() as session:
        old = session.scalars(select(TeamKey)).one().key_id
    _post(logged_in_staff, "/admin/keys/rotate", {"confirm": "yes"})

    listed = _utvag(["keys", "list", "vagvalet"], config)
    assert listed.returncode == 0, listed.stderr
    assert f"{old}  created" in listed.stdout
    assert "retired, 1 item(s) still sealed to it" in listed.stdout

    refused = _utvag(["keys", "destroy", "vagvalet", old, "--yes"], config)
    assert refused.returncode != 0
    assert "something is still sealed to it" in refused.stderr
    assert "contacts.sealed_content 1" in refused.stderr
    assert team.keys.lock_secret(old) is not None

    _post(logged_in_staff, "/admin/keys/reseal")
    unasked = _utvag(["keys", "destroy", "vagvalet", old], config)  # no --yes, no terminal
    assert unasked.returncode != 0
    assert team.keys.lock_secret(old) is not None
    done = _utvag(["keys", "destroy", "vagvalet", old, "--yes"], config)
    assert done.returncode == 0, done.stderr
    assert "replace the copy of the console's secrets" in done.stdout
    assert team.keys.lock_secret(old) is None
    with session_factory() as session:
        key = session.scalars(select(TeamKey).where(TeamKey.key_id == old)).one()
        assert key.destroyed_at is not None
        assert not session.scalars(select(KeyWrap).where(KeyWrap.team_key_id == key.id)).all()
        assert not session.scalars(select(StaffSession)).all()  # every session ended
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "key_destroyed" in actions
    assert "destroyed" in _utvag(["keys", "list", "vagvalet"], config).stdout
    again = _utvag(["keys", "destroy", "vagvalet", old, "--yes"], config)
    assert "already destroyed" in again.stderr
