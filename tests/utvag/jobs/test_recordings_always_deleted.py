"""Every way a voice message can fail to be kept still ends with the
recording deleted at Twilio, the job retried until Twilio confirms: never a
job that gives up first and leaves the audio there. The worker talks to the
local fake of Twilio's REST API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from support import TeamFixture
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, PUBLIC_URL, FakeTwilio, with_hotline

import worker
from utvag.clock import utcnow
from utvag.config import Config
from utvag.jobs.context import AppContext
from utvag.jobs.dispatch import relay
from utvag.store.db import transaction
from utvag.store.models import Contact, OutboxEntry, TeamKey, VoiceMessage
from utvag.telephony.twilio_api import MAX_RECORDING_BYTES

CALL_SID = "CA" + "1" * 32
RECORDING_SID = "RE" + "5" * 32
AUDIO = b"ID3 a voice message" * 100

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    return with_hotline(config, twilio_api)


@pytest.fixture
def hotline(intake_app: Flask, team: TeamFixture) -> FlaskClient:
    return intake_app.test_client()


def _post(client: FlaskClient, path: str, params: dict[str, str]) -> int:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature}).status_code


def _leave_a_message(hotline: FlaskClient) -> None:
    call = {"CallSid": CALL_SID, "From": "+46701112233", "To": "+46101234567"}
    assert _post(hotline, "/telephony/menu", {**call, "Digits": "2"}) == 200
    recording = {
        **call,
        "RecordingSid": RECORDING_SID,
        "RecordingStatus": "completed",
        "RecordingDuration": "14",
    }
    assert _post(hotline, "/telephony/recording-status", recording) == 204


def _work(ctx: AppContext, time_machine, after: timedelta = timedelta(0)) -> None:  # type: ignore[no-untyped-def]
    if after:
        time_machine.shift(after)
    relay(ctx.session_factory, ctx.redis_client)
    worker.build_worker(ctx).work(burst=True)


def _job(session_factory) -> OutboxEntry:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.scalars(
            select(OutboxEntry).where(OutboxEntry.job_name == "store_voice_message")
        ).one()


def _deleted_at_twilio(twilio_api: FakeTwilio) -> bool:
    deletions = [path for method, path in twilio_api.requests if method == "DELETE"]
    return RECORDING_SID not in twilio_api.recordings and any(
        path.endswith(f"/Recordings/{RECORDING_SID}.json") for path in deletions
    )


def _too_large(twilio_api: FakeTwilio, session_factory) -> None:  # type: ignore[no-untyped-def]
    twilio_api.recordings[RECORDING_SID] = b"\0" * (MAX_RECORDING_BYTES + 1)


def _purged(twilio_api: FakeTwilio, session_factory) -> None:  # type: ignore[no-untyped-def]
    twilio_api.recordings[RECORDING_SID] = AUDIO
    with transaction(session_factory) as session:
        session.scalars(select(Contact)).one().purged_at = utcnow()


def _gone(twilio_api: FakeTwilio, session_factory) -> None:  # type: ignore[no-untyped-def]
    twilio_api.recordings[RECORDING_SID] = AUDIO
    with transaction(session_factory) as session:
        session.execute(delete(Contact))


def _not_at_twilio(twilio_api: FakeTwilio, session_factory) -> None:  # type: ignore[no-untyped-def]
    pass  # Twilio answers 404 to the fetch (and to the deletion: deleted already)


def _cannot_be_sealed(twilio_api: FakeTwilio, session_factory) -> None:  # type: ignore[no-untyped-def]
    twilio_api.recordings[RECORDING_SID] = AUDIO
    with transaction(session_factory) as session:
        for key in session.scalars(select(TeamKey)):
            key.retired_at = utcnow()  # no active key to seal to


@pytest.mark.parametrize(
    "trouble",
    [_too_large, _purged, _gone, _not_at_twilio, _cannot_be_sealed],
    ids=["too-large", "contact-purged", "contact-gone", "fetch-404", "sealing-error"],
)
def test_a_recording_that_cannot_be_kept_is_still_deleted_at_twilio(
    hotline: FlaskClient,
    app_context: AppContext,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
    trouble: Callable[..., None],
) -> None:
    _leave_a_message(hotline)
    trouble(twilio_api, session_factory)

    _work(app_context, time_machine)

    assert _deleted_at_twilio(twilio_api)
    job = _job(session_factory)
    assert job.completed_at is not None  # done on the first run, not retried forever
    assert job.job_args == []
    with session_factory() as session:
        assert session.scalars(select(VoiceMessage)).all() == []


def test_a_recording_twilio_will_not_hand_over_is_deleted_unheard_after_a_day(
    hotline: FlaskClient,
    app_context: AppContext,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    twilio_api.recordings[RECORDING_SID] = AUDIO
    twilio_api.unfetchable.add(RECORDING_SID)
    _leave_a_message(hotline)

    for _ in range(3):  # tried again and again, kept for the message's sake
        _work(app_context, time_machine, after=timedelta(minutes=6))
    assert RECORDING_SID in twilio_api.recordings
    assert _job(session_factory).completed_at is None

    _work(app_context, time_machine, after=timedelta(hours=24))

    assert _deleted_at_twilio(twilio_api)
    assert _job(session_factory).completed_at is not None
    with session_factory() as session:
        assert session.scalars(select(VoiceMessage)).all() == []


def test_while_twilio_refuses_even_the_deletion_the_job_never_gives_up(
    hotline: FlaskClient,
    app_context: AppContext,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    twilio_api.recordings[RECORDING_SID] = b"\0" * (MAX_RECORDING_BYTES + 1)
    _leave_a_message(hotline)
    twilio_api.failing = True

    _work(app_context, time_machine, after=timedelta(hours=30))
    assert RECORDING_SID in twilio_api.recordings
    assert _job(session_factory).completed_at is None
    assert _job(session_factory).job_args != []  # still able to name it

    twilio_api.failing = False
    _work(app_context, time_machine, after=timedelta(minutes=6))

    assert _deleted_at_twilio(twilio_api)
    assert _job(session_factory).completed_at is not None
