"""Two intake and two console processes on one PostgreSQL and one Redis,
as deploy/README.md describes for more than one machine: a person's
submissions through either intake land in one queue, a staff session made on
one console works on the other, the call-back lease holds across them, and
the audit chain stays whole."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from http_support import Browser, wait_until_up
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from utvag_cli_support import UTVAG

PASSWORD = "several instances password"

pytestmark = pytest.mark.slow


@pytest.fixture
def shared_database(postgresql_url: str) -> Iterator[str]:
    admin = create_engine(postgresql_url, isolation_level="AUTOCOMMIT")
    name = f"utvag_instances_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgresql_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for each in sockets:
            each.bind(("127.0.0.1", 0))
        return [int(each.getsockname()[1]) for each in sockets]
    finally:
        for each in sockets:
            each.close()


def test_two_intakes_and_two_consoles_work_one_queue(
    shared_database: str, redis_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env.update(
        UTVAG_DATA_DIR=str(tmp_path / "var"),
        UTVAG_DATABASE_URL=shared_database,
        UTVAG_REDIS_URL=redis_url,
    )
    run = dict(env=env, capture_output=True, text=True, timeout=120, check=True)
    subprocess.run([UTVAG, "init"], **run)  # type: ignore[call-overload]
    created = subprocess.run(  # type: ignore[call-overload]
        [UTVAG, "team", "create", "vagvalet", "--name", "Vägvalet", "--admin", "anna"]
        + ["--password-stdin"],
        input=PASSWORD,
        **run,
    )
    totp = pyotp.TOTP(
        str(
            pyotp.parse_uri(
                next(line for line in created.stdout.splitlines() if line.startswith("otpauth"))
            ).secret
        )
    )

    intake_ports, console_ports = _ports(2), _ports(2)
    processes = []
    log = (tmp_path / "serve.log").open("wb")
    for part, ports in (("intake", intake_ports), ("console", console_ports)):
        for port in ports:
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [UTVAG, "serve", part, "--port", str(port)], env=env, stdout=log, stderr=log
                )
            )
    try:
        for process, port in zip(processes, intake_ports + console_ports, strict=True):
            wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        intakes = [f"http://127.0.0.1:{port}" for port in intake_ports]
        consoles = [f"http://127.0.0.1:{port}" for port in console_ports]

        person = Browser("127.0.0.1", "Person/1.0")
        for number, intake in enumerate(intakes * 2):
            person.submit(
                f"{intake}/sv/callback",
                {"phone": f"070-123 45 6{number}"},
                form_page=f"{intakes[0]}/sv/callback",
            )

        anna = Browser("127.0.0.1", "Desk/1.0")
        queue = anna.submit(
            f"{consoles[0]}/login", {"username": "anna", "password": PASSWORD, "otp": totp.now()}
        )
        listed = re.findall(r'href="/contacts/(\d+)"', queue)
        assert sorted(map(int, listed)) == [1, 2, 3, 4]
        # The same session on the other console: sessions live in the database.
        other_queue = anna.get(f"{consoles[1]}/queue")
        assert re.findall(r'href="/contacts/(\d+)"', other_queue) == listed
        assert "070-123 45 60" in anna.get(f"{consoles[1]}/contacts/1")

        # A lease taken through one console is the lease the other one sees.
        anna.submit(f"{consoles[0]}/contacts/1/claim", {}, form_page=f"{consoles[0]}/contacts/1")
        assert "Logga samtalet" in anna.get(f"{consoles[1]}/contacts/1")
        anna.submit(
            f"{consoles[1]}/contacts/1/attempts",
            {"outcome": "no_answer"},
            form_page=f"{consoles[1]}/contacts/1",
        )
        assert "Inget svar" in anna.get(f"{consoles[0]}/contacts/1")
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        log.close()

    verified = subprocess.run([UTVAG, "audit", "verify"], **run)  # type: ignore[call-overload]
    assert "audit chain intact" in verified.stdout
