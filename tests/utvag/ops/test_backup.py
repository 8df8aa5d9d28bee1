"""Backup and restore, proven: a restored backup, with the console's secrets
put back from their own copy, lets staff log in, opens contacts, and lets a
person come back with their receipt code. The backup itself never holds the
console's secrets; without them a restore says so loudly and the console
refuses to start. Bad input is refused with a clear message and changes
nothing."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, inspect
from support import TeamFixture, log_in, post_form, receipt_code_from
from utvag_cli_support import UTVAG

from utvag.config import Config


def _utvag(args: list[str], data_dir: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env.update(UTVAG_DATA_DIR=str(data_dir), UTVAG_DATABASE_URL=database_url)
    return subprocess.run(
        [UTVAG, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _tables(database_url: str) -> list[str]:
    if database_url.startswith("sqlite:///") and not Path(database_url[10:]).exists():
        return []  # not even created
    engine = create_engine(database_url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.fixture
def backed_up(
    config: Config,
    team: TeamFixture,
    client,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> tuple[Path, str]:
    """A team with one message in it, backed up; returns the file and the code."""
    page = post_form(client, "/sv/message", {"message": "Jag vill ut, ring inte hem"})
    code = receipt_code_from(page.get_data(as_text=True))
    assert _utvag(["init"], config.data_dir, config.database_url).returncode == 0
    made = _utvag(["backup", str(tmp_path / "utvag.backup")], config.data_dir, config.database_url)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "utvag.backup").stat().st_mode & 0o077 == 0
    return tmp_path / "utvag.backup", code


def test_a_restored_backup_lets_staff_in_and_a_person_back_with_their_code(
    backed_up: tuple[Path, str],
    config: Config,
    team: TeamFixture,
    empty_database_url: str,
    redis_client: redis.Redis,
    tmp_path: Path,
) -> None:
    from intake_web import create_app as create_intake
    from triage import create_app as create_console

    backup_file, code = backed_up
    restored_dir = tmp_path / "restored"
    copy = tmp_path / "console-secrets.txt"
    exported = _utvag(
        ["console-secrets", "export", str(copy)], config.data_dir, config.database_url
    )
    assert exported.returncode == 0, exported.stderr
    assert copy.stat().st_mode & 0o077 == 0

    done = _utvag(
        ["restore", str(backup_file), "--console-secrets", str(copy)],
        restored_dir,
        empty_database_url,
    )

    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    restored = dataclasses.replace(config, data_dir=restored_dir, database_url=empty_database_url)
    console = create_console(restored, redis_client=redis_client)
    intake = create_intake(restored, redis_client=redis_client)
    try:
        staff = console.test_client()
        assert log_in(staff, team).status_code == 302
        assert "Jag vill ut, ring inte hem" in staff.get("/contacts/1").get_data(as_text=True)
        person = intake.test_client()
        found = post_form(person, "/sv/receipt", {"code": code})
        assert found.status_code == 200
        wrong = post_form(person, "/sv/receipt", {"code": "0" * 16})
        assert found.get_data(as_text=True) != wrong.get_data(as_text=True)
    finally:
        console.extensions["utvag"].engine.dispose()
        intake.extensions["utvag"].engine.dispose()


def test_the_backup_holds_none_of_the_consoles_own_secrets(
    backed_up: tuple[Path, str], config: Config, team: TeamFixture
) -> None:
    """A backup plus a password must not be enough: the wrapping pepper and
    the key locks are not in it, in any form."""
    backup_file, _ = backed_up
    with tarfile.open(backup_file) as archive:
        names = archive.getnames()
    assert "secrets/receipt-hmac.key" in names  # the search below looks at a real backup
    assert not [name for name in names if "console-wrap" in name or "console-keys" in name]
    content = backup_file.read_bytes()
    held = {name: team.keys.lock_secret(name) for name in team.keys.lock_ids()}
    assert held
    for secret in (team.keys.wrap_pepper, *held.values()):
        assert secret is not None
        assert secret not in content
        assert secret.hex().encode() not in content


def test_a_restore_without_the_consoles_secrets_says_so_and_the_console_will_not_start(
    backed_up: tuple[Path, str],
    config: Config,
    team: TeamFixture,
    empty_database_url: str,
    redis_client: redis.Redis,
    tmp_path: Path,
) -> None:
    from triage import create_app as create_console
    from utvag.console_keys import ConsoleKeysMissing

    backup_file, _ = backed_up
    restored_dir = tmp_path / "restored"

    done = _utvag(["restore", str(backup_file)], restored_dir, empty_database_url)

    assert done.returncode == 0, done.stderr
    assert "WARNING: the console's wrapping secret is not in place" in done.stderr
    assert "utvag console-secrets import" in done.stderr
    restored = dataclasses.replace(config, data_dir=restored_dir, database_url=empty_database_url)
    with pytest.raises(ConsoleKeysMissing, match="console-secrets import"):
        create_console(restored, redis_client=redis_client)
    serve = _utvag(["serve", "console", "--port", "1"], restored_dir, empty_database_url)
    assert serve.returncode != 0
    assert "console-wrap.key is missing" in serve.stderr
    # `init` will not make a fresh pepper for a database that needs the old one.
    init = _utvag(["init"], restored_dir, empty_database_url)
    assert init.returncode != 0
    assert "a new secret would lock every member out" in init.stderr.replace("\n", " ")
    assert not (restored_dir / "secrets" / "console-wrap.key").exists()

    copy = tmp_path / "copy.txt"
    copy.write_text(_utvag_export(config))
    imported = _utvag(["console-secrets", "import", str(copy)], restored_dir, empty_database_url)
    assert imported.returncode == 0, imported.stderr
    assert "WARNING" not in imported.stderr
    console = create_console(restored, redis_client=redis_client)
    try:
        assert log_in(console.test_client(), team).status_code == 302
    finally:
        console.extensions["utvag"].engine.dispose()


def _utvag_export(config: Config) -> str:
    from utvag.console_keys import export_text, load_console_keys

    return export_text(load_console_keys(config.data_dir))


def test_a_restore_into_a_database_in_use_is_refused_and_changes_nothing(
    backed_up: tuple[Path, str], config: Config, tmp_path: Path
) -> None:
    backup_file, _ = backed_up
    before = _tables(config.database_url)

    refused = _utvag(["restore", str(backup_file)], tmp_path / "other", config.database_url)

    assert refused.returncode != 0
    assert "restore only into a new, empty database" in refused.stderr
    assert _tables(config.database_url) == before
    assert not (tmp_path / "other" / "secrets").exists()


def test_a_backup_without_its_secrets_is_refused_before_anything_is_restored(
    backed_up: tuple[Path, str], empty_database_url: str, tmp_path: Path
) -> None:
    backup_file, _ = backed_up
    stripped = tmp_path / "without-secrets.backup"
    with tarfile.open(backup_file) as source, tarfile.open(stripped, "w") as target:
        for member in source.getmembers():
            if not member.name.startswith("secrets/receipt"):
                target.addfile(member, source.extractfile(member))

    refused = _utvag(["restore", str(stripped)], tmp_path / "restored", empty_database_url)

    assert refused.returncode != 0
    assert "lacks its secrets (receipt-hmac.key)" in refused.stderr
    assert _tables(empty_database_url) == []
    assert not (tmp_path / "restored" / "secrets").exists()


def test_a_backup_of_a_newer_schema_is_refused(
    backed_up: tuple[Path, str], empty_database_url: str, tmp_path: Path
) -> None:
    backup_file, _ = backed_up
    newer = tmp_path / "newer.backup"
    with tarfile.open(backup_file) as source, tarfile.open(newer, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                data = data.replace(b'"revision": "', b'"revision": "9999_')
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    refused = _utvag(["restore", str(newer)], tmp_path / "restored", empty_database_url)

    assert refused.returncode != 0
    assert "made by a newer release" in refused.stderr
    assert _tables(empty_database_url) == []


def test_init_refuses_a_database_migrated_by_a_newer_release(
    config: Config,
    engine,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    try:
        refused = _utvag(["init"], tmp_path / "var", config.database_url)
        assert refused.returncode != 0
        assert "9999_from_the_future" in refused.stderr
        assert "Nothing was changed" in refused.stderr
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                "9999_from_the_future"
            )
    finally:
        from utvag.store.schema import ScriptDirectory, alembic_config

        head = ScriptDirectory.from_config(alembic_config(config.database_url)).get_current_head()
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
