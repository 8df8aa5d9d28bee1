"""The answering machine and leaving no trace at Twilio: webhooks signed as
Twilio signs them, the worker talking to a local fake of Twilio's REST API."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from leak_support import redis_text
from sqlalchemy import select
from support import TeamFixture
from twilio.request_validator import RequestValidator
from twilio_fake import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, FakeTwilio, with_hotline

import worker
from utvag.config import Config
from utvag.jobs import context as worker_context
from utvag.jobs.context import AppContext
from utvag.jobs.dispatch import relay
from utvag.store.models import AuditEvent, Contact, OutboxEntry, VoiceMessage

CALLER = "+46701112233"
CALL_SID = "CA" + "1" * 32
LEG_SID = "CA" + "9" * 32
RECORDING_SID = "RE" + "5" * 32
AUDIO = b"ID3\x03fake mp3 audio of a voice message" * 200

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    """Every process of this test (intake, worker) talks to the fake Twilio."""
    return with_hotline(config, twilio_api)


@pytest.fixture
def hotline(intake_app: Flask, team: TeamFixture) -> Flask:
    """The public app, with a team to answer for."""
    return intake_app


@pytest.fixture
def hotline_worker(app_context: AppContext) -> AppContext:
    return app_context


def _post(client: FlaskClient, path: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def _call(**extra: str) -> dict[str, str]:
    return {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "From": CALLER, **extra}


def _recording(**extra: str) -> dict[str, str]:
    return _call(
        RecordingSid=RECORDING_SID,
        RecordingStatus="completed",
        RecordingDuration="14",
        **extra,
    )


def _work(ctx: AppContext, time_machine, after: timedelta = timedelta(0)) -> None:  # type: ignore[no-untyped-def]
    """What the running worker does over time: relay the outbox, run jobs."""
    if after:
        time_machine.shift(after)
    relay(ctx.session_factory, ctx.redis_client)
    worker.build_worker(ctx).work(burst=True)


def _leave_a_message(client: FlaskClient) -> str:
    """The whole call; returns what the caller heard at the end."""
    assert _post(client, "/telephony/voice", _call()).status_code == 200
    twiml = _post(client, "/telephony/menu", _call(Digits="2")).get_data(as_text=True)
    action = unescape(re.search(r'<Record action="([^"]+)"', twiml).group(1))  # type: ignore[union-attr]
    parts = urlsplit(action)
    end = _post(client, f"{parts.path}?{parts.query}", _recording())
    assert end.status_code == 200
    assert _post(client, "/telephony/recording-status", _recording()).status_code == 204
    return end.get_data(as_text=True)


def test_pressing_2_records_a_message_without_transcription(
    hotline: Flask,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    twiml = _post(hotline.test_client(), "/telephony/menu", _call(Digits="2")).get_data(
        as_text=True
    )

    assert "Tala in ditt meddelande efter tonen" in twiml
    assert 'maxLength="120"' in twiml
    assert 'transcribe="false"' in twiml
    assert f'recordingStatusCallback="{PUBLIC_URL}/telephony/recording-status"' in twiml
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
    assert (contact.channel, contact.wants_callback) == ("phone", False)
    assert b"701112233" not in contact.sealed_content


def test_the_greeting_offers_to_leave_a_message(hotline: Flask) -> None:
    twiml = _post(hotline.test_client(), "/telephony/voice", _call()).get_data(as_text=True)
    assert "Tryck 2 om du vill lämna ett meddelande" in twiml


def test_a_hidden_number_is_offered_the_answering_machine_and_can_use_it(
    hotline: Flask,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    client = hotline.test_client()
    hidden = _post(client, "/telephony/menu", _call(Digits="1", From="anonymous"))
    assert "Tryck 2 om du vill lämna ett meddelande i stället" in hidden.get_data(as_text=True)
    assert '<Gather action="/telephony/menu?lang=sv"' in hidden.get_data(as_text=True)

    recording = _post(client, "/telephony/menu", _call(Digits="2", From="anonymous"))
    assert "<Record" in recording.get_data(as_text=True)
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
    assert contact.wants_callback is False


def test_a_message_is_fetched_sealed_stored_deleted_at_twilio_and_played_by_staff(
    hotline: Flask,
    hotline_worker: AppContext,
    twilio_api: FakeTwilio,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    redis_client: redis.Redis,
    time_machine,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    twilio_api.add_call(CALL_SID)
    twilio_api.recordings[RECORDING_SID] = AUDIO

    heard = _leave_a_message(hotline.test_client())
    _work(hotline_worker, time_machine)

    assert "Tack, vi har fått ditt meddelande" in heard
    assert "Din kod är:" in heard  # to read our replies on the site later
    assert twilio_api.recordings == {}  # fetched, then deleted at Twilio
    assert twilio_api.unauthorised == 0
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
        [voice] = session.scalars(select(VoiceMessage))
        entries = session.scalars(select(OutboxEntry)).all()
    assert voice.contact_id == contact.id
    assert voice.duration_seconds == 14
    assert AUDIO[:40] not in voice.sealed_audio
    page = logged_in_staff.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Röstmeddelanden" in page
    assert "14 sekunder" in page
    played = logged_in_staff.get(f"/contacts/{contact.id}/voice/{voice.id}.mp3")
    assert (played.status_code, played.mimetype, played.data) == (200, "audio/mpeg", AUDIO)
    assert played.headers["Cache-Control"] == "no-store"
    with session_factory() as session:
        assert "voice_played" in session.scalars(select(AuditEvent.action)).all()

    # The call itself goes once it has ended (the job waits two minutes).
    assert CALL_SID in twilio_api.calls
    _work(hotline_worker, time_machine, after=timedelta(minutes=8))
    assert twilio_api.calls == {}
    with session_factory() as session:
        entries = session.scalars(select(OutboxEntry)).all()
    assert all(entry.completed_at is not None for entry in entries)
    assert all(entry.job_args == [] for entry in entries if entry.job_name != "notify_new_contact")

    # Twilio's ids and the number are nowhere: not the log, not Redis (every
    # key of every type: the jobs live in hashes).
    in_redis = redis_text(redis_client)
    assert in_redis, "Redis is empty: the search would prove nothing"
    for secret in (CALL_SID, RECORDING_SID, "701112233"):
        assert secret not in caplog.text
        assert secret not in in_redis


def test_a_message_from_another_team_member_cannot_be_played_across_contacts(
    hotline: Flask,
    hotline_worker: AppContext,
    twilio_api: FakeTwilio,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    twilio_api.recordings[RECORDING_SID] = AUDIO
    _leave_a_message(hotline.test_client())
    _work(hotline_worker, time_machine)
    with session_factory() as session:
        [voice] = session.scalars(select(VoiceMessage))
    assert (
        logged_in_staff.get(f"/contacts/{voice.contact_id + 1}/voice/{voice.id}.mp3").status_code
        == 404
    )


def test_while_twilio_fails_the_worker_keeps_trying_and_stores_the_message_once(
    hotline: Flask,
    hotline_worker: AppContext,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    twilio_api.recordings[RECORDING_SID] = AUDIO
    twilio_api.failing = True
    client = hotline.test_client()
    _leave_a_message(client)
    # Twilio sends the status callback again, as it may.
    assert _post(client, "/telephony/recording-status", _recording()).status_code == 204

    _work(hotline_worker, time_machine)
    with session_factory() as session:
        assert session.scalars(select(VoiceMessage)).all() == []
        pending = session.scalars(
            select(OutboxEntry).where(OutboxEntry.job_name == "store_voice_message")
        ).all()
    assert [entry.completed_at for entry in pending] == [None, None]
    assert RECORDING_SID in twilio_api.recordings

    twilio_api.failing = False
    _work(hotline_worker, time_machine, after=timedelta(minutes=6))

    assert twilio_api.recordings == {}
    with session_factory() as session:
        assert len(session.scalars(select(VoiceMessage)).all()) == 1
        pending = session.scalars(
            select(OutboxEntry).where(OutboxEntry.job_name == "store_voice_message")
        ).all()
    assert all(entry.completed_at is not None for entry in pending)


def test_a_call_still_in_progress_is_deleted_once_it_has_ended_legs_first(
    hotline: Flask,
    hotline_worker: AppContext,
    twilio_api: FakeTwilio,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    twilio_api.add_call(CALL_SID, legs=(LEG_SID,))
    twilio_api.in_progress.add(CALL_SID)
    _post(hotline.test_client(), "/telephony/voice", _call())

    _work(hotline_worker, time_machine, after=timedelta(minutes=8))
    assert CALL_SID in twilio_api.calls
    assert LEG_SID not in twilio_api.calls  # the ended leg went first

    twilio_api.in_progress.clear()
    _work(hotline_worker, time_machine, after=timedelta(minutes=6))
    assert twilio_api.calls == {}
    deletions = [path for method, path in twilio_api.requests if method == "DELETE"]
    assert deletions[-1].endswith(f"/Calls/{CALL_SID}.json")


def test_twilio_unreachable_is_retried_without_naming_the_call(
    config: Config,
    redis_client: redis.Redis,
    hotline: Flask,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    from dataclasses import replace

    assert config.twilio is not None
    unreachable = config.with_changes(twilio=replace(config.twilio, api_url="http://127.0.0.1:1"))
    ctx = AppContext.build(unreachable, redis_client)
    worker_context.bind(ctx)
    caplog.set_level(logging.DEBUG)
    try:
        _post(hotline.test_client(), "/telephony/voice", _call())
        _work(ctx, time_machine, after=timedelta(minutes=8))
    finally:
        worker_context.bind(None)
        ctx.engine.dispose()
    with session_factory() as session:
        [entry] = session.scalars(select(OutboxEntry).where(OutboxEntry.job_name == "forget_call"))
    assert entry.completed_at is None
    assert entry.job_args != []
    assert CALL_SID not in str(entry.job_args)
    assert "Twilio could not be reached" in caplog.text
    assert CALL_SID not in caplog.text


def test_a_twilio_that_hangs_is_given_up_on_and_the_job_retried(
    hotline: Flask,
    hotline_worker: AppContext,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from utvag.telephony import twilio_api as twilio_module

    monkeypatch.setattr(twilio_module, "REQUEST_TIMEOUT_SECONDS", 0.3)
    twilio_api.recordings[RECORDING_SID] = AUDIO
    twilio_api.hanging = 1.0
    _leave_a_message(hotline.test_client())

    _work(hotline_worker, time_machine)
    with session_factory() as session:
        assert session.scalars(select(VoiceMessage)).all() == []

    twilio_api.hanging = 0.0
    _work(hotline_worker, time_machine, after=timedelta(minutes=6))
    with session_factory() as session:
        assert len(session.scalars(select(VoiceMessage)).all()) == 1
    assert twilio_api.recordings == {}


def test_a_recording_of_a_call_we_never_saw_is_refused(
    hotline: Flask,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = _post(hotline.test_client(), "/telephony/recording-status", _recording())
    assert response.status_code == 404
    with session_factory() as session:
        assert session.scalars(select(OutboxEntry)).all() == []


def test_a_forged_recording_callback_is_refused(hotline: Flask) -> None:
    client = hotline.test_client()
    params = _recording()
    forged = RequestValidator("not-the-token").compute_signature(
        f"{PUBLIC_URL}/telephony/recording-status", params
    )
    response = client.post(
        "/telephony/recording-status", data=params, headers={"X-Twilio-Signature": forged}
    )
    assert response.status_code == 403
