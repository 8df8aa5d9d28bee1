"""Nothing a person typed or said, nor their number, address or browser, nor
a staff member's password, code, address or browser, is kept anywhere.

Drives every flow that handles content in-process (both apps, the hotline,
the worker) with every logger at DEBUG, then searches every place something
could have been written:

- the database: SQLite's raw file and its WAL; on PostgreSQL the raw heap,
  TOAST and index files of every table (dead tuples included), then every row
  after ``VACUUM FULL``;
- every Redis key, value and RQ job;
- every file under the data dir;
- everything logged.

And every column the registry of sealed columns lists (``utvag.store.models.sealed``)
holds only envelopes of its kind; every column sealed to the team key was
filled by some flow (a sealed field no flow exercises fails here, so a new
one gets a flow).

How to add a flow: write a function ``flow_<what>(run: Run) -> None`` that
drives it through the apps' test clients (``run.person``, ``run.staff``,
``run.hotline``, always with ``run.person_request`` / ``run.staff_request``
so the addresses and user agents are in play), registers every secret it
types or is shown with ``run.secrets.add(...)``, and append it to ``FLOWS``.
The end-to-end twin (tests/test_end_to_end.py) does the same against real
``utvag serve all`` processes and their stdout/stderr.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from unittest.mock import patch
from urllib.parse import urlsplit

import pyotp
import pytest
import redis
from flask.testing import FlaskClient
from leak_support import (
    Secrets,
    address_forms,
    files_text,
    find_leaks,
    phone_forms,
    redis_text,
)
from sqlalchemy import Engine, select, text
from support import TeamFixture, create_malmo, csrf_token_from, log_in, receipt_code_from
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, NEUTRAL, PUBLIC_URL, FakeTwilio, with_hotline

import worker
from crypto.codes import RECEIPT_CODE_LENGTH, RECOVERY_CODE_LENGTH, keypad_digits, normalise_code
from intake_web import wait_ticket
from utvag.clock import utcnow
from utvag.config import Config
from utvag.jobs.context import AppContext
from utvag.repo import eviction
from utvag.repo.throttle import Purpose
from utvag.store.db import Base, transaction
from utvag.store.models import Case, CaseCheck, ChecklistItem, Contact, ContactKind, TeamKey
from utvag.store.models.sealed import SEALED_COLUMNS, SealedTo

PERSON_ADDRESS = "203.0.113.77"
STAFF_ADDRESS = "198.51.100.23"
PERSON_AGENT = "LeakCanaryBrowser/9.9"
STAFF_AGENT = "StaffDeskBrowser/1.1"
TWILIO_TOKEN = AUTH_TOKEN
VOICE_AUDIO = b"ID3 Ljud-Marker-Okapi-93 a voice message's mp3 bytes"


@dataclass
class Run:
    person: FlaskClient
    staff: FlaskClient
    hotline: FlaskClient
    twilio: FakeTwilio
    team: TeamFixture
    context: AppContext
    secrets: Secrets
    person_request: dict[str, Any]
    staff_request: dict[str, Any]
    # The time-machine fixture, to wait out the public form's wait.
    clock: Any = None

    def person_submits(self, path: str, fields: dict[str, str]) -> str:
        page = self.person.get(path, **self.person_request).get_data(as_text=True)
        response = self.person.post(
            path, data={"csrf_token": csrf_token_from(page), **fields}, **self.person_request
        )
        return response.get_data(as_text=True)

    def staff_posts(self, path: str, fields: dict[str, str], page: str = "/queue") -> str:
        token = csrf_token_from(self.staff.get(page, **self.staff_request).get_data(as_text=True))
        response = self.staff.post(path, data={"csrf_token": token, **fields}, **self.staff_request)
        assert response.status_code in (200, 302), (path, response.status_code)
        return response.get_data(as_text=True)

    def staff_gets(self, path: str) -> str:
        response = self.staff.get(path, **self.staff_request)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def contact_ids(self) -> list[int]:
        with self.context.session_factory() as session:
            return list(session.scalars(select(Contact.id).order_by(Contact.id)))

    def run_worker(self) -> None:
        worker.build_worker(self.context).work(burst=True)


def flow_web_message(run: Run) -> None:
    message = "Kvittrande-lodjur-4711 vill lämna gänget"
    run.secrets.add("a web message", message, "Kvittrande")
    page = run.person_submits("/sv/message", {"message": message})
    run.secrets.add_code("a receipt code", receipt_code_from(page), RECEIPT_CODE_LENGTH)


def flow_web_callback(run: Run) -> None:
    phone, name, note = "070-987 65 43", "Zebulon-Qwertz", "Ring-Efter-Skymning-55"
    run.secrets.add("a typed phone number", *phone_forms(phone))
    run.secrets.add("a name", name)
    run.secrets.add("a call-back note", note)
    page = run.person_submits(
        "/sv/callback", {"phone": phone, "name": name, "note": note, "window": "morning"}
    )
    run.secrets.add_code("a receipt code", receipt_code_from(page), RECEIPT_CODE_LENGTH)
    # A refused form must not leak what was typed either.
    refused_name = "Refuserad-Rut-314"
    run.secrets.add("a name in a refused form", refused_name)
    run.person_submits("/en/callback", {"phone": "12", "name": refused_name})


def flow_refused_numbers_and_tokens(run: Run) -> None:
    """A premium-rate number, and forms whose token was refused (the words
    come back on the page, to copy): nothing of either is kept."""
    premium, note = "0939 123 456", "Betalnummer-Kråka-61"
    run.secrets.add("a refused premium-rate number", *phone_forms(premium))
    run.secrets.add("a note beside a refused number", note)
    refused = run.person_submits("/sv/callback", {"phone": premium, "note": note})
    assert "Den sortens nummer kan vi inte ringa" in refused
    forged_text, forged_phone = "Förfalskad-Stare-27 ring mig", "070-313 27 27"
    run.secrets.add("text in a refused-token form", forged_text)
    run.secrets.add("a number in a refused-token form", *phone_forms(forged_phone))
    for path, fields in (
        ("/en/message", {"message": forged_text}),
        ("/sv/callback", {"phone": forged_phone, "note": forged_text}),
        ("/ar/receipt/message", {"code": "AAAA-BBBB-CCCC-DDDD", "message": forged_text}),
    ):
        page = run.person.post(path, data=fields, **run.person_request).get_data(as_text=True)
        assert forged_text in page  # shown to copy, only in the answer
    staff_note = "Förfalskad-Ejder-83 anteckning"
    run.secrets.add("a staff note in a refused-token form", staff_note)
    page = run.staff.post("/team/hours", data={"note": staff_note}, **run.staff_request).get_data(
        as_text=True
    )
    assert staff_note in page


def flow_relative_and_referral(run: Run) -> None:
    question = "Anhörig-Fråga-Blåbär-88 min son vill ut"
    run.secrets.add("a relative's message", question)
    run.person_submits("/sv/message", {"message": question, "kind": ContactKind.RELATIVE.value})
    relative = run.contact_ids()[-1]
    phone, note = "073-222 11 00", "Referral-Lingon-21 sonen heter"
    run.secrets.add("a referred person's number", *phone_forms(phone))
    run.secrets.add("a referral note", note)
    run.staff_gets(f"/contacts/{relative}")
    run.staff_posts(f"/contacts/{relative}/referral", {"phone": phone, "note": note})


def flow_follow_up_and_reply(run: Run) -> None:
    message = "Första-Hallon-7 hej"
    page = run.person_submits("/sv/message", {"message": message})
    run.secrets.add("a web message", message)
    code = receipt_code_from(page)
    run.secrets.add_code("a receipt code", code, RECEIPT_CODE_LENGTH)
    contact = run.contact_ids()[-1]
    reply = "Svar-Krusbär-12 vi hör av oss"
    run.secrets.add("a staff reply", reply)
    run.staff_gets(f"/contacts/{contact}")
    run.staff_posts(f"/contacts/{contact}/reply", {"reply": reply})
    status = run.person_submits("/sv/receipt", {"code": code})
    assert reply in status  # the person reads it
    follow_up = "Uppföljning-Vinbär-99 ring inte på kvällen"
    run.secrets.add("a follow-up", follow_up)
    token = csrf_token_from(status)
    # Not a London number any more: only the install's countries are called.
    new_number = "+46 31 758 20 94"
    run.secrets.add("a number given in a follow-up", *phone_forms(new_number))
    run.person.post(
        "/sv/receipt/message",
        data={
            "csrf_token": token,
            "code": code,
            "message": follow_up,
            "call_me": "new",
            "phone": new_number,
        },
        **run.person_request,
    )
    page = run.staff_gets(f"/contacts/{contact}")
    assert follow_up in page
    assert "031-758 20 94" in page  # the new number, as staff dial it


def _twilio_posts(run: Run, path: str, params: dict[str, str]) -> str:
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    response = run.hotline.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code in (200, 204), (path, response.status_code)
    return response.get_data(as_text=True)


def _code_heard(twiml: str) -> str:
    spoken = re.search(r"Din kod är: ([0-9A-Z, .]+?)\. Tryck 1", twiml)
    assert spoken is not None, twiml
    return spoken.group(1).replace(",", "").replace(" ", "").replace(".", "")


def _next_url(twiml: str, verb: str) -> str:
    found = re.search(rf'<{verb} action="([^"]+)"', twiml)
    assert found is not None, twiml
    parts = urlsplit(unescape(found.group(1)))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def flow_hotline(run: Run) -> None:
    caller = "+46701112233"
    call_sid = "CA" + "7" * 32
    run.secrets.add("a caller's number", *phone_forms(caller))
    run.secrets.add("Twilio's id of a call", call_sid)
    call = {"CallSid": call_sid, "From": caller, "To": "+46101234567"}
    _twilio_posts(run, "/telephony/voice", call)
    question = _twilio_posts(run, "/telephony/menu", {**call, "Digits": "1"})
    twiml = _twilio_posts(run, _next_url(question, "Gather"), {**call, "Digits": "2"})
    run.secrets.add_code("a receipt code read aloud", _code_heard(twiml), RECEIPT_CODE_LENGTH)
    callback = run.contact_ids()[-1]
    assert "070-111 22 33" in run.staff_gets(f"/contacts/{callback}")

    # A call the duty phone took after the whisper: a contact, number sealed.
    answered = "+46704445566"
    answered_sid = "CA" + "8" * 32
    run.secrets.add("an answered caller's number", *phone_forms(answered))
    run.secrets.add("Twilio's id of an answered call", answered_sid)
    leg = {"CallSid": "CA" + "6" * 32, "ParentCallSid": answered_sid, "Digits": "1"}
    _twilio_posts(run, "/telephony/screen-answer", leg)
    params = {
        "CallSid": answered_sid,
        "From": answered,
        "To": "+46101234567",
        "DialCallStatus": "completed",
    }
    _twilio_posts(run, "/telephony/dial-status", params)
    contact = run.contact_ids()[-1]
    assert "070-444 55 66" in run.staff_gets(f"/contacts/{contact}")

    # The answering machine: the audio is fetched, sealed, deleted at Twilio.
    messenger, message_sid, recording_sid = "+46706667788", "CA" + "5" * 32, "RE" + "4" * 32
    run.secrets.add("a messenger's number", *phone_forms(messenger))
    run.secrets.add("Twilio's ids of a message", message_sid, recording_sid)
    run.secrets.add("a voice message's audio", VOICE_AUDIO.decode())
    run.twilio.recordings[recording_sid] = VOICE_AUDIO
    call = {"CallSid": message_sid, "From": messenger, "To": "+46101234567"}
    twiml = _twilio_posts(run, "/telephony/menu", {**call, "Digits": "2"})
    recording = {**call, "RecordingSid": recording_sid, "RecordingDuration": "9"}
    ending = _twilio_posts(run, _next_url(twiml, "Record"), recording)
    run.secrets.add_code("a receipt code read aloud", _code_heard(ending), RECEIPT_CODE_LENGTH)
    _twilio_posts(run, "/telephony/recording-status", {**recording, "RecordingStatus": "completed"})
    run.run_worker()
    assert run.twilio.recordings == {}
    contact = run.contact_ids()[-1]
    page = run.staff_gets(f"/contacts/{contact}")
    [audio_url] = re.findall(r'<audio controls preload="none" src="([^"]+)"', page)
    played = run.staff.get(audio_url, **run.staff_request)
    assert played.data == VOICE_AUDIO

    # Calling back through the switchboard from the member's own phone.
    own = "+46709990011"
    run.secrets.add("a member's own phone", *phone_forms(own))
    run.staff_posts("/account/phone", {"phone": own}, page="/account/phone")
    run.staff_posts(f"/contacts/{callback}/claim", {})
    run.staff_posts(f"/contacts/{callback}/call-via-switchboard", {})
    assert run.twilio.created[-1]["To"] == own


def flow_the_number_that_names_nothing(run: Run) -> None:
    """A code typed on the keypad of the number that names nothing: a call
    again on the number called from, and a message left there."""
    page = run.person_submits("/sv/callback", {"phone": "0736660011", "call_from": "neutral"})
    run.secrets.add("a typed phone number", *phone_forms("0736660011"))
    code = receipt_code_from(page)
    run.secrets.add_code("a receipt code", code, RECEIPT_CODE_LENGTH)
    canonical = normalise_code(code, RECEIPT_CODE_LENGTH)
    assert canonical is not None
    digits = keypad_digits(canonical)
    run.secrets.add("a receipt code typed on a keypad", digits)
    caller, call_sid, recording_sid = "+46705554433", "CA" + "3" * 32, "RE" + "2" * 32
    run.secrets.add("a number ringing the number that names nothing", *phone_forms(caller))
    run.secrets.add("Twilio's ids of a call to it", call_sid, recording_sid)
    audio = b"ID3 Ljud-Neutral-Bergfink-17 a message left there"
    run.secrets.add("a voice message left there", audio.decode())
    run.twilio.recordings[recording_sid] = audio
    call = {"CallSid": call_sid, "From": caller, "To": NEUTRAL}
    greeting = _twilio_posts(run, "/telephony/neutral", call)
    menu = _twilio_posts(run, _next_url(greeting, "Gather"), {**call, "Digits": digits})
    assert "avhopparverksamheten" in menu
    _twilio_posts(run, _next_url(menu, "Gather"), {**call, "Digits": "1"})
    recorder = _twilio_posts(run, _next_url(menu, "Gather"), {**call, "Digits": "2"})
    status = re.search(r'recordingStatusCallback="([^"]+)"', recorder)
    assert status is not None
    recording = {**call, "RecordingSid": recording_sid, "RecordingDuration": "5"}
    _twilio_posts(run, unescape(status.group(1)).removeprefix(PUBLIC_URL), recording)
    run.run_worker()
    assert run.twilio.recordings == {}
    contact = run.contact_ids()[-1]
    page = run.staff_gets(f"/contacts/{contact}")
    assert "070-555 44 33" in page  # the number to call now, opened for staff
    [audio_url] = re.findall(r'<audio controls preload="none" src="([^"]+)"', page)
    assert run.staff.get(audio_url, **run.staff_request).data == audio

    # Staff change the person's choice, with a reason that is sealed.
    reason = "Skäl-Ringduva-58 personen bad om det"
    run.secrets.add("a reason for changing which number may call", reason)
    run.staff_posts(f"/contacts/{contact}/call-from", {"call_from": "hotline", "reason": reason})
    assert reason in run.staff_gets(f"/contacts/{contact}")


def flow_call_and_case(run: Run) -> None:
    run.person_submits("/sv/callback", {"phone": "0735550001"})
    run.secrets.add("a typed phone number", *phone_forms("0735550001"))
    contact = run.contact_ids()[-1]
    call_note = "Anteckning-Zebra-77 pappan lyssnar"
    run.secrets.add("a call note", call_note)
    run.staff_gets(f"/contacts/{contact}")
    run.staff_posts(f"/contacts/{contact}/claim", {})
    run.staff_posts(f"/contacts/{contact}/attempts", {"outcome": "reached", "note": call_note})
    run.staff_posts(f"/contacts/{contact}/case", {})
    with run.context.session_factory() as session:
        case = session.scalars(select(Case).where(Case.contact_id == contact)).one()
        item = session.scalars(
            select(ChecklistItem).where(ChecklistItem.team_id == case.team_id)
        ).first()
        assert item is not None
        case_id, item_id = case.id, item.id
    case_note, check_note = "Ärende-Murkla-31 hotbild", "Kriterium-Tranbär-64 samtycke"
    run.secrets.add("case notes", case_note)
    run.secrets.add("a criterion note", check_note)
    run.staff_posts(
        f"/cases/{case_id}",
        {f"check-{item_id}": "met", f"note-{item_id}": check_note, "notes": case_note},
        page=f"/cases/{case_id}",
    )
    page = run.staff_gets(f"/cases/{case_id}")
    assert case_note in page
    assert check_note in page
    flow_case_records(run, case_id)


def flow_case_records(run: Run, case_id: int) -> None:
    """Consent, assessments, meetings and register checks: every free text
    sealed, only the coarse fields the board report counts in clear."""
    today = "2026-11-24"
    written = {
        "consent covers": "Omfattar-Blåbär-12 boende och skola",
        "consent authorities": "Myndighet-Kantarell-90",
        "an assessment note": "Bedömning-Lingon-55 hot från bror",
        "a meeting note": "Möte-Hjortron-23 ny bostad",
        "a register check note": "Slagning-Nypon-81 inget nytt",
        "a partner meeting note": "Avstämning-Åkerbär-47 planen håller",
    }
    for what, value in written.items():
        run.secrets.add(what, value)
    case_page = f"/cases/{case_id}"
    run.staff_posts(
        f"{case_page}/consents",
        {
            "given_on": today,
            "covers": written["consent covers"],
            "authorities": written["consent authorities"],
        },
        page=case_page,
    )
    run.staff_posts(
        f"{case_page}/assessments",
        {
            "kind": "threat",
            "level": "concrete",
            "by": "police",
            "assessed_on": today,
            "note": written["an assessment note"],
        },
        page=case_page,
    )
    run.staff_posts(
        f"{case_page}/meetings",
        {"held_on": today, "roles": "police", "note": written["a meeting note"]},
        page=case_page,
    )
    run.staff_posts(
        f"{case_page}/partner-meetings",
        {
            "held_on": today,
            "partner_roles": "social_services",
            "outcome": "plan_changed",
            "note": written["a partner meeting note"],
        },
        page=case_page,
    )
    run.staff_posts(
        f"{case_page}/register-checks",
        {"checked_on": today, "relapse": "0", "note": written["a register check note"]},
        page=case_page,
    )
    page = run.staff_gets(case_page)
    for value in written.values():
        assert value in page
    flow_clock_exception(run, case_id)
    flow_keep_longer(run, case_id)


def flow_clock_exception(run: Run, case_id: int) -> None:
    """Social services grant, and the lead sets the agreement's mapping window
    aside on acceptance: both reasons sealed."""
    reason = "Skäl-Vitsippa-48 sitter i häkte"
    decision = "Beslutsskäl-Blåbär-31 beviljas"
    run.secrets.add("the lead's reason to set a clock aside", reason)
    run.secrets.add("a decision's reason", decision)
    case_page = f"/cases/{case_id}"
    admin_id = run.team.created.admin.id
    today = utcnow().date().isoformat()
    with run.context.session_factory() as session:
        items = session.scalars(select(CaseCheck.item_id).where(CaseCheck.case_id == case_id)).all()
    run.staff_posts(case_page, {f"check-{item}": "met" for item in items}, page=case_page)
    run.staff_posts(f"/admin/members/{admin_id}/decider", {"decider": "1"})
    run.staff_posts(f"{case_page}/investigation", {"opened_on": today, "opened_by": str(admin_id)})
    run.staff_posts(
        f"{case_page}/decision",
        {"outcome": "granted", "decided_on": today, "reason": decision, "confirm": "yes"},
    )
    run.staff_posts(
        f"{case_page}/accept",
        {
            "contact_person": str(admin_id),
            "mapping_due_on": "2027-06-24",
            "exception_reason": reason,
            "confirm": "yes",
        },
        page=case_page,
    )
    assert reason in run.staff_gets(case_page)


def flow_keep_longer(run: Run, case_id: int) -> None:
    """The case ends (declined) and the lead keeps it longer: the reason sealed."""
    reason = "Kvar-Vildhallon-64 utredningen pågår"
    run.secrets.add("a reason to keep a case longer", reason)
    with transaction(run.context.session_factory) as session:
        case = session.get(Case, case_id)
        case.status, case.decided_at, case.ended_at = "declined", utcnow(), utcnow()
    run.staff_posts(
        f"/retention/cases/{case_id}/keep",
        {"keep_until": "2026-12-24", "reason": reason},
        page="/retention",
    )
    assert reason in run.staff_gets(f"/cases/{case_id}")


def flow_handover(run: Run) -> None:
    """A contact with a reply, a call note and a case handed over to another
    team on the install: re-sealed to its key, opened there; nothing of it
    in clear in the audit, a log or Redis on the way."""
    malmo = create_malmo(run.context.session_factory, run.team.keys)
    run.secrets.add("the other team's admin's password", malmo.password)
    run.secrets.add("the other team's admin's TOTP secret", malmo.totp_secret)
    run.secrets.add_code(
        "the other team's recovery code", malmo.created.recovery_code, RECOVERY_CODE_LENGTH
    )
    phone, note = "0736661122", "Överlämnad-Fjällräv-45 flyttar till Malmö"
    run.secrets.add("a handed-over person's number", *phone_forms(phone))
    run.secrets.add("a handed-over person's note", note)
    page = run.person_submits("/sv/callback", {"phone": phone, "note": note})
    run.secrets.add_code("a receipt code", receipt_code_from(page), RECEIPT_CODE_LENGTH)
    contact = run.contact_ids()[-1]
    call_note, reply, case_note = (
        "Överlämnad-Samtal-Järv-12",
        "Överlämnad-Svar-Utter-34",
        "Överlämnad-Ärende-Lo-56",
    )
    for what, value in (("a call note", call_note), ("a reply", reply), ("case notes", case_note)):
        run.secrets.add(f"{what} of a handed-over contact", value)
    run.staff_gets(f"/contacts/{contact}")
    run.staff_posts(f"/contacts/{contact}/claim", {})
    run.staff_posts(f"/contacts/{contact}/attempts", {"outcome": "reached", "note": call_note})
    run.staff_posts(f"/contacts/{contact}/reply", {"reply": reply})
    run.staff_posts(f"/contacts/{contact}/case", {})
    with run.context.session_factory() as session:
        case_id = session.scalars(select(Case.id).where(Case.contact_id == contact)).one()
    run.staff_posts(f"/cases/{case_id}", {"notes": case_note}, page=f"/cases/{case_id}")
    choice = {
        "team": str(malmo.created.team.id),
        "consent": "yes",
        "consent_given_on": utcnow().date().isoformat(),
    }
    run.staff_posts(f"/contacts/{contact}/handover", choice)
    run.staff_posts(f"/contacts/{contact}/handover", {**choice, "confirm": "yes"})
    assert run.staff.get(f"/contacts/{contact}", **run.staff_request).status_code == 404
    mira = run.staff.application.test_client()
    assert log_in(mira, malmo, request=run.staff_request).status_code == 302
    opened = mira.get(f"/contacts/{contact}", **run.staff_request).get_data(as_text=True)
    for value in (note, call_note, reply, "073-666 11 22"):
        assert value in opened
    assert case_note in mira.get(f"/cases/{case_id}", **run.staff_request).get_data(as_text=True)


def flow_case_path(run: Run) -> None:
    """A case's path past the first meeting: the social services' decision
    (its reason sealed), acceptance, an application for avhopparmedel and a
    referral to victim support (their notes sealed)."""
    run.person_submits("/sv/callback", {"phone": "0735550091"})
    run.secrets.add("a typed phone number", *phone_forms("0735550091"))
    contact = run.contact_ids()[-1]
    run.staff_posts(f"/contacts/{contact}/claim", {})
    run.staff_posts(f"/contacts/{contact}/attempts", {"outcome": "reached"})
    run.staff_posts(f"/contacts/{contact}/case", {})
    with run.context.session_factory() as session:
        case = session.scalars(select(Case).where(Case.contact_id == contact)).one()
        items = session.scalars(
            select(ChecklistItem.id).where(ChecklistItem.team_id == case.team_id)
        ).all()
        case_id, admin_id = case.id, run.team.created.admin.id
    case_page = f"/cases/{case_id}"
    today = "2026-11-24"
    reason = "Beslutsskäl-Rönnbär-48 behöver skydd"
    run.secrets.add("a decision's reason", reason)
    run.staff_posts(f"/admin/members/{admin_id}/decider", {"decider": "1"})
    run.staff_posts(f"{case_page}/investigation", {"opened_on": today, "opened_by": str(admin_id)})
    run.staff_posts(
        f"{case_page}/decision",
        {"outcome": "granted", "decided_on": today, "reason": reason, "confirm": "yes"},
    )
    run.staff_posts(case_page, {f"check-{item}": "met" for item in items}, page=case_page)
    run.staff_posts(
        f"{case_page}/accept",
        {"contact_person": str(admin_id), "mapping_due_on": "2026-12-22", "confirm": "yes"},
    )
    funds_note = "Medelsnotis-Körsbär-57 hyra hos kusinen"
    run.secrets.add("a note on avhopparmedel", funds_note)
    run.staff_posts(
        f"{case_page}/funds",
        {"applied_on": today, "amount": "12 000 kr", "note": funds_note},
        page=case_page,
    )
    referral_note = "Hänvisning-Havtorn-62 brottsofferjouren i Västerås"
    run.secrets.add("a note on a referral out", referral_note)
    run.staff_posts(
        f"{case_page}/refer-out",
        {
            "kind": "victim_support",
            "referred_on": today,
            "consent": "yes",
            "note": referral_note,
            "confirm": "yes",
        },
        page=case_page,
    )
    page = run.staff_gets(case_page)
    assert reason in page
    assert funds_note in page
    assert referral_note in page
    with run.context.session_factory() as session:
        assert session.get(Case, case_id).status == "accepted"


def flow_recorded_contact(run: Run) -> None:
    """A walk-in recorded by staff: the number and what was said, sealed."""
    note = "Besök-Skogsstjärna-19 kom till receptionen"
    run.secrets.add("a recorded contact's note", note)
    run.secrets.add("a recorded contact's name", "Namnet-Gullviva")
    run.secrets.add("a recorded contact's number", *phone_forms("0709998877"))
    with run.context.session_factory() as session:
        from utvag.store.models import StaffMember

        me = session.scalars(select(StaffMember.id)).first()
    run.staff_posts(
        "/contacts/new",
        {
            "kind": "defector",
            "channel": "walk_in",
            "phone": "0709998877",
            "name": "Namnet-Gullviva",
            "wants_callback": "1",
            "note": note,
            "taken_by": str(me),
        },
        page="/contacts/new",
    )
    contact = run.contact_ids()[-1]
    assert note in run.staff_gets(f"/contacts/{contact}")


def flow_enrolment(run: Run) -> None:
    page = run.staff_posts("/admin/members", {"username": "cora", "role": "coordinator"})
    match = re.search(r'class="code"[^>]*><strong>([^<]+)</strong>', page)
    assert match
    code = match.group(1)
    run.secrets.add_code("an enrolment code", code, RECEIPT_CODE_LENGTH)
    newcomer = run.staff.application.test_client()
    options = run.staff_request
    first = newcomer.get("/enrol", **options).get_data(as_text=True)
    step_two = newcomer.post(
        "/enrol",
        data={"csrf_token": csrf_token_from(first), "username": "cora", "code": code},
        **options,
    ).get_data(as_text=True)
    secret_match = re.search(r'<code translate="no">([A-Z2-7]+)</code>', step_two)
    assert secret_match
    secret = secret_match.group(1)
    password = "Ny-Kollega-Näckros-2026"
    run.secrets.add("a TOTP secret shown at enrolment", secret)
    run.secrets.add("a password chosen at enrolment", password)
    done = newcomer.post(
        "/enrol",
        data={
            "csrf_token": csrf_token_from(step_two),
            "username": "cora",
            "code": code,
            "password": password,
            "password2": password,
            "otp": pyotp.TOTP(secret).now(),
        },
        **options,
    )
    assert done.status_code == 302


def flow_password_change(run: Run) -> None:
    new_password = "Nytt-Lösen-Fjällsippa-44"
    run.secrets.add("a changed password", new_password)
    run.staff_posts(
        "/account/password",
        {
            "password": run.team.password,
            "new_password": new_password,
            "new_password2": new_password,
        },
    )


def flow_recovery(run: Run) -> None:
    recovered_password = "Återställd-Smörblomma-77"
    run.secrets.add("a password set at recovery", recovered_password)
    rescuer = run.staff.application.test_client()
    form = rescuer.get("/recover", **run.staff_request).get_data(as_text=True)
    page = rescuer.post(
        "/recover",
        data={
            "csrf_token": csrf_token_from(form),
            "username": run.team.admin_username,
            "recovery_code": run.team.created.recovery_code,
            "password": recovered_password,
            "password2": recovered_password,
        },
        **run.staff_request,
    ).get_data(as_text=True)
    uri = re.search(r"otpauth://totp/[^\"<\s]+", page)
    assert uri, "the recovery page shows no new authenticator key"
    run.secrets.add("a TOTP secret shown at recovery", str(pyotp.parse_uri(uri.group(0)).secret))


def flow_flood_without_javascript(run: Run) -> None:
    """The person's network floods; they press Send too soon, wait, send; the
    oldest junk is evicted and its owner told so."""
    junk = "Skräp-Flod-Gädda-12"
    run.secrets.add("a flooder's message", junk)
    for _ in range(Purpose.SUBMISSION.hourly_limit + 1):
        run.person_submits("/sv/message", {"message": junk})
    page = run.person.get("/sv/message", **run.person_request).get_data(as_text=True)
    fields = {
        "csrf_token": csrf_token_from(page),
        "wait_ticket": re.search(r'name="wait_ticket" value="([^"]+)"', page).group(1),  # type: ignore[union-attr]
        "message": "Väntande-Ekorre-606 jag har ingen JavaScript",
    }
    run.secrets.add("a message sent after the wait", fields["message"], "Väntande-Ekorre")
    early = run.person.post("/sv/message", data=fields, **run.person_request)
    assert early.status_code == 429
    run.clock.shift(wait_ticket.WAIT * 2)
    sent = run.person.post("/sv/message", data=fields, **run.person_request)
    assert sent.status_code == 200
    run.secrets.add_code(
        "a receipt code", receipt_code_from(sent.get_data(as_text=True)), RECEIPT_CODE_LENGTH
    )
    with run.context.session_factory() as session:
        evictable = eviction.evictable_count(session, run.team.created.team.id)
    assert evictable > 0
    with (
        patch.object(eviction, "UNVERIFIED_CAP", 0),
        transaction(run.context.session_factory) as session,
    ):
        assert eviction.evict_oldest(session, utcnow()) == evictable


FLOWS: list[Callable[[Run], None]] = [
    flow_web_message,
    flow_web_callback,
    flow_refused_numbers_and_tokens,
    flow_relative_and_referral,
    flow_follow_up_and_reply,
    flow_hotline,
    flow_the_number_that_names_nothing,
    flow_call_and_case,
    flow_case_path,
    flow_recorded_contact,
    flow_enrolment,
    flow_password_change,
    flow_handover,
    flow_flood_without_javascript,
    # Last: it replaces the admin's password and key.
    flow_recovery,
]


def unsealed_values(engine: Engine) -> list[str]:
    """What in the registered columns is not an envelope of its kind, and
    which team-key column no flow filled."""
    from crypto.sealing import envelope_key_id

    problems = []
    with engine.connect() as connection:
        team_key_ids = set(connection.execute(select(TeamKey.key_id)).scalars())
        for entry in SEALED_COLUMNS:
            values = [bytes(v) for v in connection.execute(select(entry.attribute)).scalars() if v]
            if SealedTo.TEAM_KEY in entry.sealed_to and not values:
                problems.append(f"{entry.name}: no flow sealed anything into it")
            for value in values:
                if entry.magic is not None and value[: len(entry.magic)] != entry.magic:
                    problems.append(f"{entry.name}: a value that is not an envelope")
                elif (
                    entry.sealed_to == {SealedTo.TEAM_KEY}
                    and envelope_key_id(value) not in team_key_ids
                ):
                    problems.append(f"{entry.name}: sealed to a key that is not the team's")
    return problems


def database_text(engine: Engine, database_url: str) -> str:
    """Everything the database holds, live or dead, as text to search."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        return raw.decode("latin-1") + raw.decode("utf-8", "replace")
    parts = [_postgres_files_text(engine)]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM FULL"))
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name}")):  # noqa: S608
                parts.append(repr(tuple(row)))
                parts.extend(
                    value.decode("utf-8", "replace") for value in row if isinstance(value, bytes)
                )
    return "\n".join(parts)


def _postgres_files_text(engine: Engine) -> str:
    """The raw files of every table, its TOAST table and its indexes, read
    from the server's data directory (the tests run on the server's machine)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CHECKPOINT"))
        data_directory = Path(connection.execute(text("SHOW data_directory")).scalar_one())
        paths = connection.execute(
            text(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 't', 'i')"
                " AND pg_relation_filepath(c.oid) IS NOT NULL"
            )
        ).scalars()
        files = [data_directory / relative for relative in paths]
    raw = b"".join(
        segment.read_bytes()
        for path in files
        for segment in path.parent.glob(path.name + "*")
        if segment.is_file()
    )
    assert raw, "no PostgreSQL file could be read"
    return raw.decode("latin-1") + raw.decode("utf-8", "replace")


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    """Every process here (intake, console, worker) has the hotline, talking
    to a local fake of Twilio's REST API."""
    return with_hotline(config, twilio_api, TWILIO_TOKEN)


@pytest.mark.usefixtures("during_office_hours")
def test_nothing_typed_nor_any_address_nor_any_staff_secret_is_kept(
    client: FlaskClient,
    console_client: FlaskClient,
    twilio_api: FakeTwilio,
    team: TeamFixture,
    app_context: AppContext,
    engine: Engine,
    database_url: str,
    redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
    config: Config,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    secrets = Secrets()
    secrets.add("the person's address", *address_forms(PERSON_ADDRESS))
    secrets.add("the staff member's address", *address_forms(STAFF_ADDRESS))
    secrets.add("the person's browser", PERSON_AGENT)
    secrets.add("the staff member's browser", STAFF_AGENT)
    secrets.add("the admin's password", team.password)
    secrets.add("the admin's TOTP secret", team.totp_secret)
    secrets.add_code("the recovery code", team.created.recovery_code, RECOVERY_CODE_LENGTH)
    run = Run(
        person=client,
        staff=console_client,
        hotline=client,
        twilio=twilio_api,
        team=team,
        context=app_context,
        secrets=secrets,
        person_request={
            "environ_base": {"REMOTE_ADDR": PERSON_ADDRESS},
            "headers": {"User-Agent": PERSON_AGENT, "X-Forwarded-For": PERSON_ADDRESS},
        },
        staff_request={
            "environ_base": {"REMOTE_ADDR": STAFF_ADDRESS},
            "headers": {"User-Agent": STAFF_AGENT, "X-Forwarded-For": STAFF_ADDRESS},
        },
        clock=time_machine,
    )
    login = console_client.post(
        "/login",
        data={
            "csrf_token": csrf_token_from(
                console_client.get("/login", **run.staff_request).get_data(as_text=True)
            ),
            "username": team.admin_username,
            "password": team.password,
            "otp": team.totp_now(),
        },
        **run.staff_request,
    )
    assert login.status_code == 302

    for flow in FLOWS:
        flow(run)
        run.run_worker()

    assert len(run.contact_ids()) >= 6  # the flows really made contacts
    assert unsealed_values(engine) == []
    places = {
        "database": database_text(engine, database_url),
        "redis": redis_text(redis_client),
        "data dir": files_text(config.data_dir),
        "logs": caplog.text,
    }
    assert all(places.values()), "a place to search is empty: the search would prove nothing"
    assert find_leaks(places, secrets) == []
