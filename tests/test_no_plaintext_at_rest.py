"""Nothing a person typed, nor their number, address or browser, is kept anywhere.

Drives the whole path in-process (both apps, the worker) with every logger
turned up to DEBUG, then searches the database (raw file or every row), every
Redis key and job, every file under the data dir, and the captured logs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient
from rq.job import Job
from sqlalchemy import Engine, select, text
from support import TEST_PASSWORD, TeamFixture, csrf_token_from, post_form

import worker
from utvag.context import AppContext
from utvag.db import Base
from utvag.models import Contact

MESSAGE = "Kvittrande-lodjur-4711 vill lämna gänget"
NAME = "Zebulon-Qwertz"
PHONE_TYPED = "070-987 65 43"
PHONE_FORMS = ["709876543", "0709876543", "+46709876543", "070-987 65 43", "987 65 43", "9876543"]
PERSON_ADDRESS = "203.0.113.77"
PERSON_AGENT = "LeakCanaryBrowser/9.9"
STAFF_ADDRESS = "198.51.100.23"
STAFF_AGENT = "StaffDeskBrowser/1.1"
STAFF_NOTE = "Anteckning-Zebra-77 pappan lyssnar"
FORBIDDEN = [
    STAFF_NOTE,
    "Zebra-77",
    TEST_PASSWORD,
    MESSAGE,
    "Kvittrande",
    NAME,
    *PHONE_FORMS,
    PERSON_ADDRESS,
    PERSON_AGENT,
    STAFF_ADDRESS,
    STAFF_AGENT,
]


def _database_text(engine: Engine, database_url: str) -> str:
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        return raw.decode("latin-1") + raw.decode("utf-8", "replace")
    parts = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name}")):  # noqa: S608
                parts.append(repr(tuple(row)))
                parts.extend(
                    value.decode("utf-8", "replace") for value in row if isinstance(value, bytes)
                )
    return "\n".join(parts)


def _redis_text(client: redis.Redis) -> str:
    parts = []
    for key in client.scan_iter():
        parts.append(key.decode("utf-8", "replace"))
        kind = client.type(key).decode()
        if kind == "string":
            parts.append(repr(client.get(key)))
        elif kind == "hash":
            parts.append(repr(client.hgetall(key)))
        elif kind == "list":
            parts.append(repr(client.lrange(key, 0, -1)))
        elif kind == "set":
            parts.append(repr(client.smembers(key)))
        elif kind == "zset":
            parts.append(repr(client.zrange(key, 0, -1)))
        if key.startswith(b"rq:job:") and kind == "hash":
            job = Job.fetch(key.decode().removeprefix("rq:job:"), connection=client)
            parts.append(repr((job.func_name, job.args, job.kwargs)))
    return "\n".join(parts)


def _files_text(directory: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace")
        for path in directory.rglob("*")
        if path.is_file()
    )


@pytest.mark.usefixtures("team")
def test_nothing_typed_nor_any_address_is_stored_or_logged(
    client: FlaskClient,
    console_client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    engine: Engine,
    database_url: str,
    redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
    config,  # type: ignore[no-untyped-def]
) -> None:
    caplog.set_level(logging.DEBUG)
    person = {"REMOTE_ADDR": PERSON_ADDRESS}
    person_headers = {"User-Agent": PERSON_AGENT, "X-Forwarded-For": PERSON_ADDRESS}
    staff = {"REMOTE_ADDR": STAFF_ADDRESS}
    staff_headers = {"User-Agent": STAFF_AGENT, "X-Forwarded-For": STAFF_ADDRESS}

    assert (
        post_form(
            client, "/sv/message", {"message": MESSAGE}, environ_base=person, headers=person_headers
        ).status_code
        == 200
    )
    assert (
        post_form(
            client,
            "/sv/callback",
            {"phone": PHONE_TYPED, "name": NAME, "note": MESSAGE},
            environ_base=person,
            headers=person_headers,
        ).status_code
        == 200
    )
    # A rejected form must not leak what was typed either.
    post_form(
        client,
        "/sv/callback",
        {"phone": "12", "name": NAME},
        environ_base=person,
        headers=person_headers,
    )
    worker.build_worker(app_context).work(burst=True)

    login = post_form(
        console_client,
        "/login",
        {"username": team.admin_username, "password": team.password, "otp": team.totp_now()},
        environ_base=staff,
        headers=staff_headers,
    )
    assert login.status_code == 302
    with app_context.session_factory() as session:
        contact_ids = list(session.scalars(select(Contact.id)))
    pages = [
        console_client.get(f"/contacts/{contact_id}", environ_base=staff, headers=staff_headers)
        for contact_id in contact_ids
    ]
    assert MESSAGE in "".join(page.get_data(as_text=True) for page in pages)  # staff can read it
    # A staff note about the call is sealed like what the person typed.
    callback_id = max(contact_ids)
    token = csrf_token_from(pages[-1].get_data(as_text=True))
    console_client.post(
        f"/contacts/{callback_id}/claim",
        data={"csrf_token": token},
        environ_base=staff,
        headers=staff_headers,
    )
    console_client.post(
        f"/contacts/{callback_id}/attempts",
        data={"csrf_token": token, "outcome": "unsafe", "note": STAFF_NOTE},
        environ_base=staff,
        headers=staff_headers,
    )
    assert STAFF_NOTE in console_client.get(f"/contacts/{callback_id}").get_data(as_text=True)

    places = {
        "database": _database_text(engine, database_url),
        "redis": _redis_text(redis_client),
        "data dir": _files_text(config.data_dir),
        "logs": caplog.text,
    }
    for place, content in places.items():
        for secret in FORBIDDEN:
            assert secret not in content, f"{secret!r} found in the {place}"
