"""Content-free staff notices, against a local fake of Twilio's REST API:
the fixed text only, only at the team's notice times and only when
something waits, only to members who asked, deleted at Twilio afterwards,
and never twice whatever fails in between."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support import TeamFixture, add_member, post_form
from twilio_fake import HOTLINE, FakeTwilio, with_hotline

import worker
from utvag.clock import utcnow
from utvag.config import Config
from utvag.jobs import staff_notices as notice_job
from utvag.jobs.context import AppContext
from utvag.jobs.dispatch import relay
from utvag.jobs.maintenance import Schedule, run_due_tasks
from utvag.repo.staff_notices import NOTICE_TEXT
from utvag.repo.team_settings import add_closure
from utvag.store.db import transaction
from utvag.store.models import (
    MaintenanceRun,
    NoticeRound,
    OutboxEntry,
    StaffMember,
    StaffNotice,
    Team,
)
from utvag.telephony.twilio_api import TwilioUnavailable

ANNA_PHONE = "+46701234599"
BO_PHONE = "+46702223344"
Factory = sessionmaker[Session]


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    """The worker (and the public app) talk to the fake Twilio."""
    return with_hotline(config, twilio_api)


@pytest.fixture
def anna_asked(session_factory: Factory, team: TeamFixture) -> None:
    """Vägvalet's notice times are the default, at opening and at 12:00;
    anna turned notices on."""
    with transaction(session_factory) as session:
        session.get(StaffMember, team.created.admin.id).notice_phone = ANNA_PHONE
        assert session.get(Team, team.created.team.id).notice_times == "öppning, 12:00"


def _at(time_machine, local: str) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(f"{local}+01:00", tick=False)


def _waiting_contact(client: FlaskClient) -> None:
    """A call-back request, due at once (it is asked for in office hours)."""
    assert post_form(client, "/sv/callback", {"phone": "0731234567"}).status_code == 200


def _schedule(ctx: AppContext) -> None:
    """What the running worker does each minute: its schedule, the outbox, its jobs."""
    run_due_tasks(ctx.session_factory, ctx.config, Schedule(), utcnow())
    relay(ctx.session_factory, ctx.redis_client)
    worker.build_worker(ctx).work(burst=True)


def _notices(session_factory: Factory) -> list[StaffNotice]:
    with session_factory() as session:
        return list(session.scalars(select(StaffNotice).order_by(StaffNotice.id)))


@pytest.mark.usefixtures("anna_asked")
def test_at_noon_with_a_call_back_due_the_member_gets_the_fixed_text_and_it_is_deleted(
    app_context: AppContext,
    client: FlaskClient,
    twilio_api: FakeTwilio,
    session_factory: Factory,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    _at(time_machine, "2026-11-24T11:20:00")
    _waiting_contact(client)
    _schedule(app_context)  # 11:20 is no notice time
    assert twilio_api.sent_messages == []

    _at(time_machine, "2026-11-24T12:00:30")
    _schedule(app_context)
    assert twilio_api.sent_messages == [
        {
            "To": ANNA_PHONE,
            "From": HOTLINE,
            "Body": "Det finns ärenden att titta på i Utväg",
            "DateCreated": twilio_api.sent_messages[0]["DateCreated"],
        }
    ]
    assert twilio_api.messages == {}, "the message is still at Twilio"
    [notice] = _notices(session_factory)
    assert notice.done_at is not None
    assert notice.locked_message_sid is None
    with session_factory() as session:
        assert session.scalars(select(OutboxEntry.completed_at)).all()[-1] is not None

    # The next minutes: the same time is not decided again.
    for minute in (1, 5, 14):
        time_machine.shift(timedelta(minutes=1 if minute == 1 else minute - 1))
        _schedule(app_context)
    assert len(twilio_api.sent_messages) == 1
    with session_factory() as session:
        run = session.get(MaintenanceRun, "staff_notices")
        assert run is not None
        assert run.failures_in_a_row == 0
        assert run.last_failed_at is None


@pytest.mark.usefixtures("anna_asked")
def test_the_text_is_the_same_whatever_waits(
    app_context: AppContext,
    client: FlaskClient,
    twilio_api: FakeTwilio,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    _at(time_machine, "2026-11-23T15:00:00")
    assert post_form(client, "/sv/message", {"message": "Hej, jag heter Kim"}).status_code == 200
    for _ in range(3):
        _waiting_contact(client)
    _at(time_machine, "2026-11-24T08:00:10")  # Tuesday's opening
    _schedule(app_context)
    assert [sms["Body"] for sms in twilio_api.sent_messages] == [NOTICE_TEXT]
    assert NOTICE_TEXT == "Det finns ärenden att titta på i Utväg"


@pytest.mark.usefixtures("anna_asked")
def test_nothing_is_sent_when_nothing_waits_and_a_contact_between_times_waits_for_the_next(
    app_context: AppContext,
    client: FlaskClient,
    twilio_api: FakeTwilio,
    session_factory: Factory,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    _at(time_machine, "2026-11-24T12:00:00")
    _schedule(app_context)
    assert twilio_api.sent_messages == []
    with session_factory() as session:
        assert len(session.scalars(select(NoticeRound)).all()) == 1  # decided, once
    _at(time_machine, "2026-11-24T12:05:00")
    _waiting_contact(client)
    _schedule(app_context)
    _at(time_machine, "2026-11-24T15:00:00")
    _schedule(app_context)
    assert twilio_api.sent_messages == [], "a notice went out at a time nobody scheduled"
    _at(time_machine, "2026-11-25T08:00:00")  # Wednesday's opening
    _schedule(app_context)
    assert len(twilio_api.sent_messages) == 1


def test_only_members_who_asked_get_it_and_one_who_turned_it_off_gets_nothing(
    app_context: AppContext,
    client: FlaskClient,
    twilio_api: FakeTwilio,
    session_factory: Factory,
    team: TeamFixture,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    _at(time_machine, "2026-11-24T11:00:00")
    bo = add_member(session_factory, team, "bo", "coordinator")
    cora = add_member(session_factory, team, "cora", "coordinator")
    with transaction(session_factory) as session:
        session.get(StaffMember, bo.created.admin.id).notice_phone = BO_PHONE
        session.get(StaffMember, cora.created.admin.id).notice_phone = "+46703334455"
    _waiting_contact(client)
    _at(time_machine, "2026-11-24T12:00:00")
    run_due_tasks(app_context.session_factory, app_context.config, Schedule(), utcnow())
    # Cora turns notices off before the worker gets to send hers.
    with transaction(session_factory) as session:
        session.get(StaffMember, cora.created.admin.id).notice_phone = None
    relay(app_context.session_factory, app_context.redis_client)
    worker.build_worker(app_context).work(burst=True)
    assert [sms["To"] for sms in twilio_api.sent_messages] == [BO_PHONE]
    notices = _notices(session_factory)
    # Anna never asked: no notice made for her at all.
    assert [notice.staff_id for notice in notices] == [bo.created.admin.id, cora.created.admin.id]
    assert all(notice.done_at is not None for notice in notices)


@pytest.mark.usefixtures("anna_asked")
@pytest.mark.parametrize(
    "local",
    [
        "2026-11-24T11:59:00",  # before the time
        "2026-11-24T12:16:00",  # the worker was down past the time: let go
        "2026-11-28T12:00:00",  # a Saturday
        "2026-12-24T12:00:00",  # julafton
        "2026-11-24T15:30:00",  # open, but no notice time
    ],
)
def test_nothing_is_sent_outside_the_notice_times_on_open_days(
    app_context: AppContext,
    client: FlaskClient,
    twilio_api: FakeTwilio,
    time_machine,  # type: ignore[no-untyped-def]
    local: str,
) -> None:
    _at(time_machine, "2026-11-24T10:00:00")
    _waiting_contact(client)
    _at(time_machine, local)
    _schedule(app_context)
    assert twilio_api.sent_messages == []


@pytest.mark.usefixtures("anna_asked")
def test_a_closure_sends_nothing_and_an_extra_open_day_sends_at_its_opening(
    app_context: AppContext,
    client: FlaskClient,
    twilio_api: FakeTwilio,
    session_factory: Factory,
    team: TeamFixture,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import time

    from utvag.repo.team_settings import add_extra_open_day

    _at(time_machine, "2026-11-24T10:00:00")
    _waiting_contact(client)
    with transaction(session_factory) as session:
        found = session.get(Team, team.created.team.id)
        add_closure(session, found, date(2026, 11, 25), None, "personalbrist", "")
        add_extra_open_day(session, found, date(2026, 11, 28), time(10), time(14))
    _at(time_machine, "2026-11-25T12:00:00")
    _schedule(app_context)
    assert twilio_api.sent_messages == []
    _at(time_machine, "2026-11-28T10:00:00")
    _schedule(app_context)
    assert len(twilio_api.sent_messages) == 1


@pytest.fixture
def one_notice_queued(
    anna_asked: None,
    app_context: AppContext,
    client: FlaskClient,
    time_machine,  # type: ignore[no-untyped-def]
) -> tuple[int, int]:
    """A notice decided at 12:00, its outbox entry written: (outbox id, notice id)."""
    _at(time_machine, "2026-11-24T11:00:00")
    _waiting_contact(client)
    _at(time_machine, "2026-11-24T12:00:00")
    run_due_tasks(app_context.session_factory, app_context.config, Schedule(), utcnow())
    with app_context.session_factory() as session:
        entry = session.scalars(
            select(OutboxEntry).where(OutboxEntry.job_name == "send_staff_notice")
        ).one()
        return entry.id, int(entry.job_args[0])


def test_twilios_lost_answer_does_not_send_twice_and_the_message_is_still_deleted(
    one_notice_queued: tuple[int, int],
    app_context: AppContext,
    twilio_api: FakeTwilio,
) -> None:
    outbox_id, notice_id = one_notice_queued
    twilio_api.lose_message_answer = True  # Twilio made it, but we never heard
    with pytest.raises(TwilioUnavailable):
        notice_job.send_staff_notice(outbox_id, notice_id)
    assert len(twilio_api.messages) == 1
    notice_job.send_staff_notice(outbox_id, notice_id)  # the outbox runs it again
    assert len(twilio_api.sent_messages) == 1, "the member got the notice twice"
    assert twilio_api.messages == {}


def test_a_worker_killed_after_sending_does_not_send_twice(
    one_notice_queued: tuple[int, int],
    app_context: AppContext,
    twilio_api: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outbox_id, notice_id = one_notice_queued

    def killed(_notice_id: int, _locked: str) -> None:
        raise SystemExit("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(notice_job, "_mark_sent", killed)
        with pytest.raises(SystemExit):
            notice_job.send_staff_notice(outbox_id, notice_id)
    notice_job.send_staff_notice(outbox_id, notice_id)
    notice_job.send_staff_notice(outbox_id, notice_id)  # and once more, already done
    assert len(twilio_api.sent_messages) == 1
    assert twilio_api.messages == {}


def test_a_twilio_fault_before_sending_sends_once_on_the_retry(
    one_notice_queued: tuple[int, int],
    app_context: AppContext,
    twilio_api: FakeTwilio,
) -> None:
    outbox_id, notice_id = one_notice_queued
    twilio_api.failing = True
    with pytest.raises(TwilioUnavailable):
        notice_job.send_staff_notice(outbox_id, notice_id)
    twilio_api.failing = False
    notice_job.send_staff_notice(outbox_id, notice_id)
    assert len(twilio_api.sent_messages) == 1
    assert twilio_api.messages == {}


def test_a_message_still_on_its_way_is_deleted_on_a_later_try_and_not_sent_again(
    one_notice_queued: tuple[int, int],
    app_context: AppContext,
    twilio_api: FakeTwilio,
    session_factory: Factory,
) -> None:
    twilio_api.messages_in_flight = True
    with pytest.raises(TwilioUnavailable):
        notice_job.send_staff_notice(*one_notice_queued)
    [notice] = _notices(session_factory)
    assert notice.sent_at is not None
    assert notice.done_at is None
    assert notice.locked_message_sid is not None
    [sid] = twilio_api.messages
    assert sid not in notice.locked_message_sid  # Twilio's id is kept only locked
    twilio_api.messages_in_flight = False
    notice_job.send_staff_notice(*one_notice_queued)
    assert len(twilio_api.sent_messages) == 1
    assert twilio_api.messages == {}
    assert _notices(session_factory)[0].locked_message_sid is None


def test_a_job_redelivered_after_redis_lost_it_sends_once(
    one_notice_queued: tuple[int, int],
    app_context: AppContext,
    twilio_api: FakeTwilio,
    redis_client: redis.Redis,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    relay(app_context.session_factory, app_context.redis_client)
    worker.build_worker(app_context).work(burst=True)
    # Redis forgets everything; the relay delivers the entry again later.
    redis_client.flushdb()
    with transaction(app_context.session_factory) as session:
        session.get(OutboxEntry, one_notice_queued[0]).completed_at = None
    time_machine.shift(timedelta(minutes=10))
    relay(app_context.session_factory, app_context.redis_client)
    worker.build_worker(app_context).work(burst=True)
    assert len(twilio_api.sent_messages) == 1


def test_a_notice_the_worker_reaches_too_late_is_not_sent(
    one_notice_queued: tuple[int, int],
    app_context: AppContext,
    twilio_api: FakeTwilio,
    session_factory: Factory,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    time_machine.shift(notice_job.SEND_WITHIN + timedelta(minutes=1))
    notice_job.send_staff_notice(*one_notice_queued)
    assert twilio_api.sent_messages == []
    assert _notices(session_factory)[0].done_at is not None
