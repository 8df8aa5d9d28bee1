"""The ``utvag`` command as deployment scripts call it: real processes, real stdio."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from utvag_cli_support import UTVAG


def run_utvag(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [UTVAG, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, engine: Engine) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env["UTVAG_DATA_DIR"] = str(tmp_path / "var")
    env["UTVAG_DATABASE_URL"] = database_url
    return env


def test_team_create_prints_the_totp_uri_and_recovery_code_once(cli_env: dict[str, str]) -> None:
    assert run_utvag(["init"], cli_env).returncode == 0

    result = run_utvag(
        ["team", "create", "vagvalet", "--name", "Vägvalet", "--admin", "anna", "--password-stdin"],
        cli_env,
        stdin="correct horse battery staple\n",
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("otpauth://totp/") for line in lines) == 1
    recovery = [line for line in lines if re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{1,4}){6}", line)]
    assert len(recovery) == 1
    assert "correct horse" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["team", "create", "Bad Slug", "--name", "x", "--admin", "anna"], "slug"),
        (
            [
                "team",
                "create",
                "ok",
                "--name",
                "x",
                "--admin",
                "anna",
                "--hours",
                "fri-mon 08:00-16:00",
            ],
            "fri-mon",
        ),
        (
            ["team", "create", "ok", "--name", "x", "--admin", "anna", "--timezone", "Mars/Base"],
            "Mars/Base",
        ),
    ],
)
def test_bad_team_requests_fail_with_one_line(
    cli_env: dict[str, str], args: list[str], reason: str
) -> None:
    run_utvag(["init"], cli_env)
    result = run_utvag([*args, "--password-stdin"], cli_env, stdin="correct horse battery staple")

    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert reason in result.stderr


def test_short_password_is_refused(cli_env: dict[str, str]) -> None:
    run_utvag(["init"], cli_env)
    result = run_utvag(
        ["team", "create", "t", "--name", "T", "--admin", "anna", "--password-stdin"],
        cli_env,
        stdin="short",
    )
    assert result.returncode != 0
    assert "at least 12 characters" in result.stderr


def test_commands_before_init_say_to_run_init(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env["UTVAG_DATA_DIR"] = str(tmp_path / "fresh")
    result = run_utvag(["hours", "next-open", "vagvalet", "--at", "2026-12-24T09:00"], env)
    assert result.returncode != 0
    assert "utvag init" in result.stderr


def test_hours_next_open_answers_in_team_time(cli_env: dict[str, str]) -> None:
    run_utvag(["init"], cli_env)
    run_utvag(
        ["team", "create", "vagvalet", "--name", "Vägvalet", "--admin", "anna", "--password-stdin"],
        cli_env,
        stdin="correct horse battery staple",
    )

    cases = {
        "2026-12-24T09:00": "2026-12-28T08:00:00+01:00",  # julafton, then juldagen, weekend
        "2026-06-19T12:00:00+02:00": "2026-06-22T08:00:00+02:00",  # midsommarafton
        "2026-11-23T07:30:00Z": "2026-11-23T08:30:00+01:00",  # already open
    }
    for at, expected in cases.items():
        result = run_utvag(["hours", "next-open", "vagvalet", "--at", at], cli_env)
        assert result.stdout.strip() == expected, (at, result.stderr)

    unknown = run_utvag(["hours", "next-open", "nope", "--at", "2026-01-01"], cli_env)
    assert unknown.returncode != 0
    assert "no team" in unknown.stderr


def test_audit_verify_catches_a_tampered_row(cli_env: dict[str, str], engine: Engine) -> None:
    run_utvag(["init"], cli_env)
    run_utvag(
        ["team", "create", "vagvalet", "--name", "Vägvalet", "--admin", "anna", "--password-stdin"],
        cli_env,
        stdin="correct horse battery staple",
    )
    assert run_utvag(["audit", "verify"], cli_env).returncode == 0

    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor_name = 'mallory' WHERE id = 1"))

    result = run_utvag(["audit", "verify"], cli_env)
    assert result.returncode != 0
    assert "event 1 was altered" in result.stderr


def test_audit_verify_catches_rows_cut_off_the_end_with_a_recorded_head(
    cli_env: dict[str, str], engine: Engine
) -> None:
    run_utvag(["init"], cli_env)
    run_utvag(
        ["team", "create", "vagvalet", "--name", "Vägvalet", "--admin", "anna", "--password-stdin"],
        cli_env,
        stdin="correct horse battery staple",
    )
    first = run_utvag(["audit", "verify"], cli_env)
    assert first.returncode == 0
    head = first.stdout.strip().rsplit(" ", 1)[1]
    assert "2 events" in first.stdout

    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = 2"))

    assert run_utvag(["audit", "verify"], cli_env).returncode == 0  # the chain alone cannot tell
    result = run_utvag(["audit", "verify", "--head", head], cli_env)
    assert result.returncode != 0
    assert "recorded head" in result.stderr


def test_a_team_can_start_from_goteborgs_checklist_and_hours(
    cli_env: dict[str, str], engine: Engine
) -> None:
    run_utvag(["init"], cli_env)
    result = run_utvag(
        [
            "team",
            "create",
            "goteborg",
            "--name",
            "Kunskapscentrum",
            "--admin",
            "kim",
            "--password-stdin",
            "--hours",
            "mon-fri 09:00-15:00",
            "--checklist",
            "kunskapscentrum",
        ],
        cli_env,
        stdin="correct horse battery staple",
    )
    assert result.returncode == 0, result.stderr
    with engine.connect() as connection:
        labels = connection.execute(text("SELECT label FROM checklist_items ORDER BY position"))
        assert next(iter(labels))[0] == "Är över 18 år"
    opens = run_utvag(["hours", "next-open", "goteborg", "--at", "2026-11-24T15:00"], cli_env)
    assert opens.stdout.strip() == "2026-11-25T09:00:00+01:00"


def test_team_hotline_number_gives_the_team_its_own_number_once(cli_env: dict[str, str]) -> None:
    run_utvag(["init"], cli_env)
    for slug in ("vagvalet", "malmo"):
        made = run_utvag(
            [
                "team",
                "create",
                slug,
                "--name",
                slug,
                "--admin",
                f"admin-{slug}",
                "--password-stdin",
            ],
            cli_env,
            stdin="correct horse battery staple",
        )
        assert made.returncode == 0, made.stderr

    given = run_utvag(["team", "hotline-number", "vagvalet", "010-111 00 01"], cli_env)
    assert given.returncode == 0, given.stderr
    assert "+46101110001" in given.stdout
    taken = run_utvag(["team", "hotline-number", "malmo", "+46101110001"], cli_env)
    assert taken.returncode != 0
    assert "already another team's hotline" in taken.stderr
    malformed = run_utvag(["team", "hotline-number", "malmo", "hem"], cli_env)
    assert malformed.returncode != 0
    assert "must be a phone number" in malformed.stderr
    removed = run_utvag(["team", "hotline-number", "vagvalet"], cli_env)
    assert "no hotline number of its own" in removed.stdout
    assert run_utvag(["team", "hotline-number", "malmo", "+46101110001"], cli_env).returncode == 0
