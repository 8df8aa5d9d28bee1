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
from support import create_malmo, create_vagvalet, csrf_token_from, log_in
from test_postgresql_roles import _config, role_urls  # noqa: F401 - the fixture
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, HOTLINE, NEUTRAL, PUBLIC_URL, FakeTwilio, with_hotline

from crypto.codes import keypad_digits
from utvag.clock import utcnow
from utvag.console_keys import make_console_keys
from utvag.jobs import context as worker_context
from utvag.jobs.context import AppContext
from utvag.jobs.maintenance import Schedule, run_due_tasks
from utvag.store.db import make_engine, make_session_factory

CALLER = "+46701112233"


def _action(twiml: str, verb: str) -> str:
    found = re.search(rf'<{verb} action="([^"]+)"', twiml)
    assert found is not None, twiml
    return unescape(found.group(1))


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
    team = create_vagvalet(make_session_factory(owner), make_console_keys(tmp_path / "var")[0])
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
    machine = _twilio(
        hotline, "/telephony/menu", {"CallSid": message, "From": CALLER, "Digits": "2"}
    )
    recording = {"CallSid": message, "RecordingSid": "RE" + "5" * 32, "RecordingDuration": "4"}
    ending = _twilio(hotline, _action(machine, "Record"), {**recording, "From": CALLER})
    code = re.search(r"Din kod är: ([0-9A-Z, .]+?)\. Tryck 1", ending).group(1)  # type: ignore[union-attr]
    _twilio(hotline, "/telephony/recording-status", {**recording, "RecordingStatus": "completed"})
    # A forwarded call the duty phone took.
    _twilio(hotline, "/telephony/voice", {"CallSid": answered, "From": CALLER})
    _twilio(hotline, "/telephony/screen-answer", {"ParentCallSid": answered, "Digits": "1"})
    taken = {"CallSid": answered, "From": CALLER, "DialCallStatus": "completed"}
    _twilio(hotline, "/telephony/dial-status", taken)
    # A call-back request from the hotline's number (the worker records the
    # choice), then called through the switchboard: no answer.
    _twilio(hotline, "/telephony/voice", {"CallSid": callback, "From": CALLER})
    params = {"CallSid": callback, "From": CALLER}
    question = _twilio(hotline, "/telephony/menu", {**params, "Digits": "1"})
    _twilio(hotline, _action(question, "Gather"), {**params, "Digits": "2"})
    # The number that names nothing: the message-leaver's code typed, a call
    # again and another message.
    neutral_call = {"CallSid": "CA" + "6" * 32, "From": CALLER, "To": NEUTRAL}
    twilio_api.add_call(neutral_call["CallSid"])
    greeting = _twilio(hotline, "/telephony/neutral", neutral_call)
    digits = keypad_digits(re.sub(r"[^0-9A-Z]", "", code))
    menu = _twilio(hotline, _action(greeting, "Gather"), {**neutral_call, "Digits": digits})
    _twilio(hotline, _action(menu, "Gather"), {**neutral_call, "Digits": "1"})
    recorder = _twilio(hotline, _action(menu, "Gather"), {**neutral_call, "Digits": "2"})
    left = re.search(r'recordingStatusCallback="([^"]+)"', recorder).group(1)  # type: ignore[union-attr]
    twilio_api.recordings["RE" + "7" * 32] = b"ID3 more audio"
    left_recording = {**neutral_call, "RecordingSid": "RE" + "7" * 32, "RecordingDuration": "3"}
    _twilio(hotline, unescape(left).removeprefix(PUBLIC_URL), left_recording)

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
        from utvag.jobs.dispatch import relay

        relay(ctx.session_factory, ctx.redis_client)
        build_worker(ctx).work(burst=True)
        run_due_tasks(ctx.session_factory, ctx.config, Schedule())
    finally:
        worker_context.bind(None)
        ctx.engine.dispose()
    assert "Röstmeddelanden" in staff.get("/contacts/1").get_data(as_text=True)
    callback_page = staff.get("/contacts/3").get_data(as_text=True)
    assert "Personen låter oss ringa från telefonlinjens nummer." in callback_page
    message_page = staff.get("/contacts/1").get_data(as_text=True)
    assert "bad att bli uppringd igen" in message_page  # the follow-up, opened
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
        wants_a_call = connection.execute(
            text("SELECT wants_callback FROM contacts WHERE id = 1")
        ).scalar()
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
    assert voices == 2
    assert [tuple(row) for row in outcomes] == [(2, "reached"), (3, "no_answer")]
    assert wants_a_call  # asked on the number that names nothing
    assert twilio_api.recordings == {}
    assert twilio_api.calls == {}  # the hotline's, their legs and the switchboard's
    assert runs == {
        "staff_sessions",
        "retention",
        "throttle_windows",
        "unverified_cap",
        "staff_notices",
    }


@pytest.mark.usefixtures("during_office_hours")
def test_a_teams_own_number_is_read_and_set_under_each_processs_role(
    role_urls: dict[str, str],  # noqa: F811
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    twilio_api: FakeTwilio,
) -> None:
    """The intake role reads a team's own number to pick the team a call is
    for (and lists the numbers for the install-wide menu); the console role
    sets it."""
    from intake_web import create_app as create_intake
    from triage import create_app as create_console

    owner = make_engine(role_urls["owner"])
    # Malmö: the database is shared with the test above, which made Vägvalet.
    team = create_malmo(make_session_factory(owner), make_console_keys(tmp_path / "var")[0])
    owner.dispose()

    def config(process: str):  # type: ignore[no-untyped-def]
        return with_hotline(_config(tmp_path, role_urls[process], redis_url), twilio_api)

    console = create_console(config("console"), redis_client=redis_client)
    staff = console.test_client()
    assert log_in(staff, team).status_code == 302
    token = csrf_token_from(staff.get("/team").get_data(as_text=True))
    form = {"hours": "mon-fri 08:00-16:00", "max_call_attempts": "3", "retention_days": "180"}
    saved = staff.post(
        "/team/hours", data={"csrf_token": token, **form, "hotline_number": "+46101110001"}
    )
    assert saved.status_code == 302
    assert 'value="+46101110001"' in staff.get("/team").get_data(as_text=True)

    intake = create_intake(config("intake"), redis_client=redis_client)
    hotline = intake.test_client()
    own = _twilio(hotline, "/telephony/voice", {"CallSid": "CA" + "1" * 32, "To": "+46101110001"})
    assert '<Gather action="/telephony/menu?lang=sv"' in own
    install = _twilio(hotline, "/telephony/voice", {"CallSid": "CA" + "2" * 32, "To": HOTLINE})
    assert '<Gather action="/telephony/menu?lang=sv"' in install  # one team: no menu
    for app in (intake, console):
        app.extensions["utvag"].engine.dispose()
