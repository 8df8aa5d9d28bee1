"""The hotline and the switchboard under each process's own PostgreSQL role:
a grant missing from deploy/postgresql/roles.sql fails here, not in
production. The fake Twilio stands in for Twilio's REST API."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from support import create_vagvalet, csrf_token_from, log_in
from test_postgresql_roles import _config, role_urls  # noqa: F401 - the fixture
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, PUBLIC_URL, FakeTwilio, with_hotline

from utvag import context as worker_context
from utvag.context import AppContext
from utvag.db import make_engine, make_session_factory, utcnow
from utvag.maintenance import Schedule, run_due_tasks

CALLER = "+46701112233"


def _twilio(client: FlaskClient, path: str, params: dict[str, str]) -> str:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code in (200, 204), (path, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.usefixtures("during_office_hours")
def test_the_hotline_and_the_switchboard_work_under_each_processs_role(
    role_urls: dict[str, str],  # noqa: F811
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    twilio_api: FakeTwilio,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    from intake_web import create_app as create_intake
    from triage import create_app as create_console
    from worker import build_worker

    owner = make_engine(role_urls["owner"])
    team = create_vagvalet(make_session_factory(owner))
    owner.dispose()

    def config(process: str):  # type: ignore[no-untyped-def]
        return with_hotline(_config(tmp_path, role_urls[process], redis_url), twilio_api)

    intake = create_intake(config("intake"), redis_client=redis_client)
    hotline = intake.test_client()
    message, answered, callback = ("CA" + digit * 32 for digit in "123")
    twilio_api.add_call(message)
    twilio_api.add_call(answered, legs=("CA" + "4" * 32,))
    twilio_api.add_call(callback)
    twilio_api.recordings["RE" + "5" * 32] = b"ID3 audio"
    # The answering machine.
    _twilio(hotline, "/telephony/voice", {"CallSid": message, "From": CALLER})
    _twilio(hotline, "/telephony/menu", {"CallSid": message, "From": CALLER, "Digits": "2"})
    recording = {"CallSid": message, "RecordingSid": "RE" + "5" * 32, "RecordingDuration": "4"}
    _twilio(hotline, "/telephony/recording-status", {**recording, "RecordingStatus": "completed"})
    # A forwarded call the duty phone took.
    _twilio(hotline, "/telephony/voice", {"CallSid": answered, "From": CALLER})
    _twilio(hotline, "/telephony/screen-answer", {"ParentCallSid": answered, "Digits": "1"})
    taken = {"CallSid": answered, "From": CALLER, "DialCallStatus": "completed"}
    _twilio(hotline, "/telephony/dial-status", taken)
    # A call-back request, then called through the switchboard: no answer.
    _twilio(hotline, "/telephony/voice", {"CallSid": callback, "From": CALLER})
    _twilio(hotline, "/telephony/menu", {"CallSid": callback, "From": CALLER, "Digits": "1"})

    console = create_console(config("console"), redis_client=redis_client)
    staff = console.test_client()
    assert log_in(staff, team).status_code == 302
    token = csrf_token_from(staff.get("/queue").get_data(as_text=True))
    for path, data in [
        ("/account/phone", {"phone": "070-555 66 77"}),
        ("/contacts/3/claim", {}),
        ("/contacts/3/call-via-switchboard", {}),
    ]:
        response = staff.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 302, path
    assert "070-555 66 77" in staff.get("/account/phone").get_data(as_text=True)
    [made] = twilio_api.created
    status_url = unescape(re.search(r'statusCallback="([^"]+)"', made["Twiml"]).group(1))  # type: ignore[union-attr]
    _twilio(hotline, status_url.removeprefix(PUBLIC_URL), {"CallStatus": "no-answer"})

    time_machine.shift(timedelta(minutes=10))  # every call has ended
    ctx = AppContext.build(config("worker"), redis_client)
    worker_context.bind(ctx)
    try:
        from utvag.dispatch import relay

        relay(ctx.session_factory, ctx.redis_client)
        build_worker(ctx).work(burst=True)
        run_due_tasks(ctx.session_factory, ctx.config, Schedule())
    finally:
        worker_context.bind(None)
        ctx.engine.dispose()
    assert "Röstmeddelanden" in staff.get("/contacts/1").get_data(as_text=True)
    for app in (intake, console):
        app.extensions["utvag"].engine.dispose()

    check = create_engine(role_urls["owner"])
    with check.connect() as connection:
        # Due by now (a re-slotted contact's due notice waits for its time).
        pending = connection.execute(
            text(
                "SELECT job_name FROM outbox WHERE completed_at IS NULL"
                " AND (run_at IS NULL OR run_at <= :now)"
            ),
            {"now": utcnow().replace(tzinfo=None)},
        ).scalars()
        pending_jobs = list(pending)
        voices = connection.execute(text("SELECT count(*) FROM voice_messages")).scalar()
        outcomes = connection.execute(
            text("SELECT contact_id, outcome FROM call_attempts ORDER BY id")
        ).all()
        runs = set(
            connection.execute(
                text("SELECT task FROM maintenance_runs WHERE failures_in_a_row = 0")
            ).scalars()
        )
    check.dispose()
    assert pending_jobs == [], "a hotline job could not finish under the worker's role"
    assert voices == 1
    assert [tuple(row) for row in outcomes] == [(2, "reached"), (3, "no_answer")]
    assert twilio_api.recordings == {}
    assert twilio_api.calls == {}  # the hotline's, their legs and the switchboard's
    assert runs == {"staff_sessions", "retention", "throttle_windows", "unverified_cap"}
