"""One team's backup and restore, proven on both engines.

The backup holds that team's rows only, sealed as they are, and never the
console's own secrets. Restored into a new, empty install with the team's
copy of the console's secrets, staff log in and read a contact and the
person finds it with their receipt code; restored into an install in use
(sharing the console's secrets), every id is given anew and the team's key
opens its contacts. A slug already there and a different wrapping secret
are refused with nothing changed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select
from support import (
    TEST_PASSWORD,
    TeamFixture,
    create_malmo,
    log_in,
    post_form,
    receipt_code_from,
    sealed_submission,
)
from utvag_cli_support import UTVAG

from crypto.kdf import TEST_COST
from crypto.opening import open_sealed
from crypto.sealing import seal
from triage.keys.keyring import unwrap_team_keys
from utvag.config import Config
from utvag.console_keys import load_console_keys
from utvag.repo import audit
from utvag.repo.contacts import create_contact
from utvag.repo.team_setup import create_team
from utvag.repo.teams import active_team_key
from utvag.store.db import make_engine, make_session_factory, transaction
from utvag.store.models import Contact, StaffMember, Team


def _utvag(args: list[str], data_dir: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env.update(UTVAG_DATA_DIR=str(data_dir), UTVAG_DATABASE_URL=database_url)
    return subprocess.run(
        [UTVAG, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _sealed_contact(session_factory: Any, fixture: TeamFixture, words: str) -> int:
    with transaction(session_factory) as session:
        team = session.get_one(Team, fixture.created.team.id)
        key = active_team_key(session, team.id)
        contact, _ = create_contact(
            session,
            team,
            sealed_submission(
                key_id=key.key_id, sealed_content=seal(key.public_key, words.encode())
            ),
        )
        return contact.id


@pytest.fixture
def team_backup(
    config: Config,
    team: TeamFixture,
    client,  # type: ignore[no-untyped-def]
    session_factory: Any,
    tmp_path: Path,
) -> tuple[Path, Path, str]:
    """Vägvalet (with a message from the public site) and Malmö; Vägvalet
    backed up alone, and its copy of the console's secrets. Malmö's contact
    comes first, so Vägvalet's ids change on the way."""
    malmo = create_malmo(session_factory, team.keys)
    _sealed_contact(session_factory, malmo, "Malmös hemlighet")
    page = post_form(client, "/sv/message", {"message": "Jag vill ut, ring inte hem"})
    code = receipt_code_from(page.get_data(as_text=True))
    assert _utvag(["init"], config.data_dir, config.database_url).returncode == 0
    made = _utvag(
        ["backup", "--team", "vagvalet", str(tmp_path / "vagvalet.backup")],
        config.data_dir,
        config.database_url,
    )
    assert made.returncode == 0, made.stderr
    copy = tmp_path / "vagvalet-secrets.txt"
    exported = _utvag(
        ["console-secrets", "export", "--team", "vagvalet", str(copy)],
        config.data_dir,
        config.database_url,
    )
    assert exported.returncode == 0, exported.stderr
    return tmp_path / "vagvalet.backup", copy, code


def test_the_team_backup_holds_that_team_only_and_no_console_secret(
    team_backup: tuple[Path, Path, str], team: TeamFixture, session_factory: Any
) -> None:
    backup_file, copy, _ = team_backup
    assert backup_file.stat().st_mode & 0o077 == 0
    with tarfile.open(backup_file) as archive:
        names = set(archive.getnames())
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        rows = json.loads(archive.extractfile("rows.json").read())  # type: ignore[union-attr]
        carried = b"".join(
            archive.extractfile(name).read()  # type: ignore[union-attr]
            for name in names
        )
    assert names == {"manifest.json", "rows.json", "secrets/receipt-hmac.key"}
    assert manifest["team"]["slug"] == "vagvalet"
    assert manifest["revision"]
    assert [row[rows["teams"]["columns"].index("slug")] for row in rows["teams"]["rows"]] == [
        "vagvalet"
    ]
    team_ids = {
        row[rows["contacts"]["columns"].index("team_id")] for row in rows["contacts"]["rows"]
    }
    assert team_ids == {team.created.team.id}
    assert manifest["tables"]["contacts"] == 1
    assert "staff_sessions" not in rows
    # Never the console's wrapping secret nor a lock.
    assert team.keys.wrap_pepper.hex().encode() not in carried
    assert team.keys.wrap_pepper not in carried
    for key_id in team.keys.lock_ids():
        lock = team.keys.lock_secret(key_id)
        assert lock is not None
        assert lock not in carried
        assert lock.hex().encode() not in carried
    # The copy apart holds Vägvalet's locks only.
    with session_factory() as session:
        malmo_keys = set(
            session.scalars(
                select(Team.id).where(Team.slug == "malmo")  # the team exists
            )
        )
    assert malmo_keys
    text = copy.read_text()
    assert text.count("team-key ") == 1


def test_a_team_restored_into_a_new_install_lets_staff_in_and_the_person_back(
    team_backup: tuple[Path, Path, str],
    config: Config,
    team: TeamFixture,
    empty_database_url: str,
    redis_client: redis.Redis,
    tmp_path: Path,
) -> None:
    from intake_web import create_app as create_intake
    from triage import create_app as create_console

    backup_file, copy, code = team_backup
    new_dir = tmp_path / "new-install"

    done = _utvag(
        ["restore", "--team", str(backup_file), "--console-secrets", str(copy)],
        new_dir,
        empty_database_url,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    assert _utvag(["init"], new_dir, empty_database_url).returncode == 0
    assert _utvag(["audit", "verify"], new_dir, empty_database_url).returncode == 0

    engine = make_engine(empty_database_url)
    try:
        with make_session_factory(engine)() as session:
            assert session.scalars(select(Team.slug)).all() == ["vagvalet"]
            (contact_id,) = session.scalars(select(Contact.id)).all()
    finally:
        engine.dispose()
    restored = dataclasses.replace(config, data_dir=new_dir, database_url=empty_database_url)
    console = create_console(restored, redis_client=redis_client)
    intake = create_intake(restored, redis_client=redis_client)
    try:
        staff = console.test_client()
        assert log_in(staff, team).status_code == 302
        page = staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
        assert "Jag vill ut, ring inte hem" in page
        person = intake.test_client()
        found = post_form(person, "/sv/receipt", {"code": code})
        wrong = post_form(person, "/sv/receipt", {"code": "0" * 16})
        assert found.status_code == 200
        assert found.get_data(as_text=True) != wrong.get_data(as_text=True)
    finally:
        console.extensions["utvag"].engine.dispose()
        intake.extensions["utvag"].engine.dispose()


def test_a_team_restored_into_an_install_in_use_gets_new_ids_and_its_key_opens(
    team_backup: tuple[Path, Path, str],
    config: Config,
    team: TeamFixture,
    empty_database_url: str,
) -> None:
    """An install sharing the console's secrets (the same data dir), with a
    team of its own whose ids are the ones Vägvalet had."""
    backup_file, copy, _ = team_backup
    if empty_database_url.startswith("sqlite:///"):
        Path(empty_database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True)
    assert _utvag(["init"], config.data_dir, empty_database_url).returncode == 0
    engine = make_engine(empty_database_url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            create_team(
                session,
                slug="orebro",
                name="Örebro",
                admin_username="olle",
                admin_password=TEST_PASSWORD,
                hours_spec="mon-fri 08:00-16:00",
                timezone="Europe/Stockholm",
                cost=TEST_COST,
                keys=team.keys,
            )
            audit.record(session, "team_created", details={"slug": "orebro"})
        for _ in range(2):
            with transaction(factory) as session:
                orebro = session.scalars(select(Team).where(Team.slug == "orebro")).one()
                key = active_team_key(session, orebro.id)
                create_contact(
                    session,
                    orebro,
                    sealed_submission(key_id=key.key_id, sealed_content=seal(key.public_key, b"x")),
                )

        done = _utvag(
            ["restore", "--team", str(backup_file), "--console-secrets", str(copy)],
            config.data_dir,
            empty_database_url,
        )
        assert done.returncode == 0, done.stderr
        again = _utvag(["restore", "--team", str(backup_file)], config.data_dir, empty_database_url)
        assert again.returncode != 0
        assert "already has a team called 'vagvalet'" in again.stderr
        assert _utvag(["audit", "verify"], config.data_dir, empty_database_url).returncode == 0

        with factory() as session:
            vagvalet = session.scalars(select(Team).where(Team.slug == "vagvalet")).one()
            assert vagvalet.id != team.created.team.id
            anna = session.scalars(select(StaffMember).where(StaffMember.username == "anna")).one()
            assert anna.team_id == vagvalet.id
            envelope = session.scalars(
                select(Contact.sealed_content).where(Contact.team_id == vagvalet.id)
            ).one()
            assert session.scalar(select(func.count()).select_from(Team)) == 2
            opened = unwrap_team_keys(
                session, anna, TEST_PASSWORD, load_console_keys(config.data_dir)
            )
        assert "Jag vill ut, ring inte hem" in open_sealed(opened, envelope).decode()
    finally:
        engine.dispose()


def test_a_copy_of_another_wrapping_secret_is_refused_and_nothing_changes(
    team_backup: tuple[Path, Path, str], empty_database_url: str, tmp_path: Path
) -> None:
    backup_file, copy, _ = team_backup
    other_dir = tmp_path / "other-install"
    if empty_database_url.startswith("sqlite:///"):
        Path(empty_database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True)
    assert _utvag(["init"], other_dir, empty_database_url).returncode == 0

    refused = _utvag(
        ["restore", "--team", str(backup_file), "--console-secrets", str(copy)],
        other_dir,
        empty_database_url,
    )

    assert refused.returncode != 0
    assert "wrapping secret differs" in refused.stderr
    engine = make_engine(empty_database_url)
    try:
        with make_session_factory(engine)() as session:
            assert session.scalar(select(func.count()).select_from(Team)) == 0
    finally:
        engine.dispose()
