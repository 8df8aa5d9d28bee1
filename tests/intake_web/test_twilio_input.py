"""What Twilio sends is checked before it is used, even under a valid
signature: an id that is not in Twilio's format never reaches a URL, an HMAC
or a job, and an impossible recording length queues nothing (400)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, PUBLIC_URL, FakeTwilio, with_hotline

from utvag.config import Config
from utvag.store.models import AnsweredCall, Contact, OutboxEntry

CALL_SID = "CA" + "1" * 32
RECORDING_SID = "RE" + "5" * 32
MALFORMED_SIDS = [
    "",
    "CA" + "1" * 31,
    "CA" + "1" * 33,
    "CA" + "g" * 32,
    "RE" + "1" * 32,  # a recording's id where a call's belongs
    "CA" + "1" * 30 + "/x",
    "CA../../Recordings/RE" + "5" * 10,
    "CA" + "1" * 32 + "\n",
    "ca" + "1" * 32,
]
MALFORMED_RECORDING_SIDS = [
    "",
    "RE" + "5" * 31,
    "CA" + "5" * 32,
    "RE" + "5" * 30 + "?x",
    "RE" + "5" * 32 + ".json",
]

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    return with_hotline(config, twilio_api)


@pytest.fixture
def hotline(intake_app: Flask, team: TeamFixture) -> FlaskClient:
    return intake_app.test_client()


def _post(client: FlaskClient, path: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def _nothing_stored(session_factory) -> None:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        assert session.scalars(select(Contact)).all() == []
        assert session.scalars(select(OutboxEntry)).all() == []
        assert session.scalars(select(AnsweredCall)).all() == []


@pytest.mark.parametrize(
    ("path", "extra", "call_sid"),
    [("/telephony/voice", {}, call_sid) for call_sid in MALFORMED_SIDS]
    + [
        (path, extra, call_sid)
        for path, extra in [
            ("/telephony/menu", {"Digits": "1"}),
            ("/telephony/menu", {"Digits": "2"}),
            ("/telephony/dial-status", {"DialCallStatus": "completed"}),
            ("/telephony/neutral", {}),
        ]
        for call_sid in ("CA../../Recordings/RE" + "5" * 10, "RE" + "1" * 32)
    ],
)
def test_a_malformed_call_id_is_refused_and_nothing_is_stored(
    hotline: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    path: str,
    extra: dict[str, str],
    call_sid: str,
) -> None:
    params = {"CallSid": call_sid, "From": "+46701112233", "To": "+46101234567", **extra}
    assert _post(hotline, path, params).status_code == 400
    _nothing_stored(session_factory)


@pytest.mark.parametrize("parent", ["", "CA" + "1" * 30 + "/x", "RE" + "1" * 32])
def test_a_malformed_parent_call_id_is_refused_and_nothing_is_noted(
    hotline: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    parent: str,
) -> None:
    params = {"CallSid": "CA" + "8" * 32, "ParentCallSid": parent, "Digits": "1"}
    assert _post(hotline, "/telephony/screen-answer", params).status_code == 400
    _nothing_stored(session_factory)


def _a_message_left(hotline: FlaskClient) -> None:
    params = {"CallSid": CALL_SID, "From": "+46701112233", "To": "+46101234567", "Digits": "2"}
    assert _post(hotline, "/telephony/menu", params).status_code == 200


def _voice_jobs(session_factory) -> list[OutboxEntry]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(
            session.scalars(
                select(OutboxEntry).where(OutboxEntry.job_name == "store_voice_message")
            )
        )


@pytest.mark.parametrize("recording_sid", MALFORMED_RECORDING_SIDS)
def test_a_malformed_recording_id_is_refused_and_nothing_is_queued(
    hotline: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    recording_sid: str,
) -> None:
    _a_message_left(hotline)
    params = {
        "CallSid": CALL_SID,
        "RecordingSid": recording_sid,
        "RecordingStatus": "completed",
        "RecordingDuration": "14",
    }
    assert _post(hotline, "/telephony/recording-status", params).status_code == 400
    assert _voice_jobs(session_factory) == []


@pytest.mark.parametrize(
    "duration", ["-5", "abc", "", "1e3", "14.5", " 14", "131", "99999999999", "١٤"]
)
def test_an_impossible_recording_length_is_refused_and_nothing_is_queued(
    hotline: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    duration: str,
) -> None:
    _a_message_left(hotline)
    params = {
        "CallSid": CALL_SID,
        "RecordingSid": RECORDING_SID,
        "RecordingStatus": "completed",
        "RecordingDuration": duration,
    }
    assert _post(hotline, "/telephony/recording-status", params).status_code == 400
    assert _voice_jobs(session_factory) == []


@pytest.mark.parametrize("duration", ["0", "14", "120", "130"])
def test_a_possible_recording_length_is_queued(
    hotline: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    duration: str,
) -> None:
    """Up to the answering machine's two minutes, and ten seconds' margin
    for the beep and Twilio's rounding."""
    _a_message_left(hotline)
    params = {
        "CallSid": CALL_SID,
        "RecordingSid": RECORDING_SID,
        "RecordingStatus": "completed",
        "RecordingDuration": duration,
    }
    assert _post(hotline, "/telephony/recording-status", params).status_code == 204
    [job] = _voice_jobs(session_factory)
    assert job.job_args[-1] == int(duration)
    assert RECORDING_SID not in str(job.job_args)  # locked, as ever
