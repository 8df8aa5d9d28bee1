"""Without JavaScript (Tor Browser "Safest") a flood cannot lock a person out
for long: real floods sent through the public app, on SQLite and PostgreSQL.

- Zero-work posts fill the unverified list; the worker evicts the oldest of
  them past the cap, counted and audited; what a person waited for stays, and
  staff see it first. Whoever's entry went is told so on the receipt page.
- The wait ticket: ready after the wait, spent once, bound to its session;
  early, reused, forged or stale, it gets a clear answer with the form as
  typed and nothing stored.
- Receipt look-ups: a right code is never refused, however many wrong ones
  came first; a wrong one is told plainly that it was not found.
- Tor circuits: each has its own small allowance under a ceiling all of Tor
  shares, which one circuit alone cannot fill.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, csrf_token_from, log_in, receipt_code_from

from intake_web import wait_ticket
from utvag.clock import utcnow
from utvag.jobs import maintenance
from utvag.jobs.context import AppContext
from utvag.repo import eviction, throttle
from utvag.repo.throttle import Purpose
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Contact, NetworkThrottle

pytestmark = pytest.mark.usefixtures("during_office_hours")

SHARED = {"REMOTE_ADDR": "127.0.0.1"}  # the shared bucket
READING = timedelta(seconds=40)  # a person typing a short message


def circuit(number: int) -> dict[str, str]:
    """Where a Tor circuit comes from, as the onion service's nginx passes it on."""
    return {"REMOTE_ADDR": f"fc00:dead:beef:4dad::{number >> 16:x}:{number & 0xFFFF:x}"}


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"the form has no {name}"
    return found.group(1)


class NoScriptBrowser:
    """A person's browser with JavaScript off: it sends the hidden fields as
    the page gave them, and never solves the proof of work."""

    def __init__(self, client: FlaskClient, environ: dict[str, str]) -> None:
        self.client, self.environ = client, environ

    def open(self, path: str = "/sv/message") -> dict[str, str]:
        page = self.client.get(path, environ_base=self.environ).get_data(as_text=True)
        return self.fields_of(page)

    @staticmethod
    def fields_of(page: str) -> dict[str, str]:
        return {
            "csrf_token": csrf_token_from(page),
            "pow_challenge": _hidden(page, "pow_challenge"),
            "pow_solution": "",
            "wait_ticket": _hidden(page, "wait_ticket"),
        }

    def send(self, fields: dict[str, str], message: str, path: str = "/sv/message"):  # type: ignore[no-untyped-def]
        return self.client.post(
            path, data={**fields, "message": message}, environ_base=self.environ
        )


def _flood(client: FlaskClient, posts: int, first_circuit: int = 1) -> None:
    """Zero-work posts, five from each of many Tor circuits (a flooder with
    circuits to spare), as a script sends them: no wait ticket, no proof."""
    token = csrf_token_from(client.get("/sv/message", environ_base=SHARED).get_data(as_text=True))
    for number in range(posts):
        sent = client.post(
            "/sv/message",
            data={"csrf_token": token, "message": f"skräp {number}"},
            environ_base=circuit(first_circuit + number // 5),
        )
        assert sent.status_code == 200, sent.status_code


def _count(session_factory, *conditions) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Contact).where(*conditions)))


def _evict(app_context: AppContext) -> None:
    """The worker's minute: its schedule, as it runs it."""
    maintenance.run_due_tasks(
        app_context.session_factory, app_context.config, maintenance.Schedule()
    )


@pytest.mark.slow
def test_after_6000_zero_work_posts_a_person_without_javascript_is_kept_and_seen(
    client: FlaskClient,
    console_client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    # Was: past 5,000 unverified, everyone without a proof of work was
    # refused until staff cleared the list: ~5,300 zero-work posts, 30 s.
    ceiling = Purpose.SUBMISSION.tor_ceiling
    assert ceiling is not None
    _flood(client, 6000)
    into_the_queue = _count(session_factory, Contact.status == "received")
    assert into_the_queue == ceiling  # the most all of Tor gets past without effort
    _evict(app_context)
    kept = _count(session_factory, Contact.status == "unverified")
    assert kept == eviction.UNVERIFIED_CAP
    assert _count(session_factory, Contact.status == "evicted") == 6000 - ceiling - kept

    person = NoScriptBrowser(client, circuit(99_999))
    fields = person.open()
    time_machine.shift(READING)
    sent = person.send(fields, "jag vill ut men kan inte ringa")
    page = sent.get_data(as_text=True)
    assert sent.status_code == 200
    assert "receipt-code" in page
    assert "för hand" in page
    assert "spara alla" not in page  # not told it may be evicted: it will not be
    code = receipt_code_from(page)

    _flood(client, 2000, first_circuit=2000)  # the flood goes on
    _evict(app_context)

    with session_factory() as session:
        waited = session.scalars(select(Contact).where(Contact.waited.is_(True))).one()
    assert waited.status == "unverified"
    assert _count(session_factory, Contact.status == "evicted") == 6000 - ceiling - kept + 2000
    log_in(console_client, team)
    listed = console_client.get("/queue?view=unverified").get_data(as_text=True)
    rows = re.findall(r'href="/contacts/(\d+)"', listed[listed.index("<tbody>") :])
    assert rows[0] == str(waited.id)  # staff see it first
    assert "väntade" in listed
    assert "sparades inte det senaste dygnet" in listed
    opened = console_client.get(f"/contacts/{waited.id}").get_data(as_text=True)
    assert "jag vill ut men kan inte ringa" in opened
    # And the person, with their code, reads that we have it.
    status = _look_up(client, code, circuit(99_999))
    assert status.status_code == 200
    assert "för hand" in status.get_data(as_text=True)


def _zero_work_receipt(client: FlaskClient, environ: dict[str, str]) -> str:
    token = csrf_token_from(client.get("/sv/message", environ_base=environ).get_data(as_text=True))
    page = client.post(
        "/sv/message", data={"csrf_token": token, "message": "utan skript"}, environ_base=environ
    ).get_data(as_text=True)
    return receipt_code_from(page)


def _fill_the_tor_ceiling(client: FlaskClient, purpose: Purpose = Purpose.SUBMISSION) -> None:
    """All of Tor has had its hour's room (counted as the app counts)."""
    app = client.application
    now = utcnow()
    buckets = throttle.client_buckets(circuit(1)["REMOTE_ADDR"], app.config["SECRET_KEY"], now)
    assert buckets.tor_ceiling is not None
    window = now.replace(minute=0, second=0, microsecond=0)
    with transaction(app.extensions["utvag"].session_factory) as session:
        row = session.scalar(
            select(NetworkThrottle).where(
                NetworkThrottle.purpose == purpose.ceiling_row,
                NetworkThrottle.bucket == buckets.tor_ceiling,
                NetworkThrottle.window_start == window,
            )
        )
        if row is None:
            row = NetworkThrottle(
                purpose=purpose.ceiling_row, bucket=buckets.tor_ceiling, window_start=window
            )
            session.add(row)
        row.count = purpose.tor_ceiling


def test_eviction_takes_the_oldest_junk_and_never_what_a_person_waited_for(
    client: FlaskClient,
    console_client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(eviction, "UNVERIFIED_CAP", 3)
    _fill_the_tor_ceiling(client)
    first_junk = _zero_work_receipt(client, circuit(1))
    person = NoScriptBrowser(client, circuit(2))
    fields = person.open()
    time_machine.shift(READING)
    assert person.send(fields, "vänta på mig").status_code == 200
    _flood(client, 5, first_circuit=3)
    _evict(app_context)

    assert _count(session_factory, Contact.status == "evicted") == 3
    assert _count(session_factory, Contact.status == "unverified", Contact.waited.is_(False)) == 3
    assert _count(session_factory, Contact.waited.is_(True), Contact.status == "unverified") == 1
    with session_factory() as session:
        [evicted] = session.scalars(select(Contact).where(Contact.status == "evicted").limit(1))
        assert evicted.sealed_content == b""
        assert evicted.purged_at is not None
        [audit] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "unverified_evicted")
        )
    assert audit.details["count"] == 3

    # The person whose entry went is told plainly, in their language.
    token = csrf_token_from(client.get("/ar/receipt").get_data(as_text=True))
    told = client.post("/ar/receipt", data={"csrf_token": token, "code": first_junk})
    assert told.status_code == 200
    assert "لم نحتفظ بما أرسلته" in told.get_data(as_text=True)
    log_in(console_client, team)
    listed = console_client.get("/queue?view=unverified").get_data(as_text=True)
    assert "3 ej granskade kontakter sparades inte" in listed
    with session_factory() as session:
        waited_id = session.scalars(select(Contact.id).where(Contact.waited.is_(True))).one()
    rows = re.findall(r'href="/contacts/(\d+)"', listed[listed.index("<tbody>") :])
    assert rows[0] == str(waited_id)  # the oldest, and still first: staff see it first
    assert "väntade" in listed


def test_a_person_who_presses_send_too_soon_is_asked_to_wait_and_nothing_is_stored(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    _fill_the_tor_ceiling(client)
    person = NoScriptBrowser(client, circuit(7))
    fields = person.open()
    time_machine.shift(timedelta(seconds=5))
    early = person.send(fields, "snabbt skrivet")
    page = early.get_data(as_text=True)
    assert early.status_code == 429
    assert re.search(r"Vänta 1[0-9] sekunder", page)
    assert "snabbt skrivet" in page  # what they wrote is still there
    assert _count(session_factory) == 0
    # The same ticket comes back: the wait goes on where it was.
    again = NoScriptBrowser.fields_of(page)
    assert again["wait_ticket"] == fields["wait_ticket"]
    time_machine.shift(wait_ticket.WAIT)
    sent = person.send(again, "snabbt skrivet")
    assert sent.status_code == 200
    assert _count(session_factory, Contact.waited.is_(True)) == 1


@pytest.mark.parametrize(
    "tamper", ["reused", "forged", "another session", "stale", "garbage", "not ascii"]
)
def test_a_bad_wait_ticket_gets_a_clear_answer_and_nothing_is_stored(
    client: FlaskClient,
    intake_app,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
    tamper: str,
) -> None:
    _fill_the_tor_ceiling(client)
    person = NoScriptBrowser(client, circuit(8))
    fields = person.open()
    ticket = fields["wait_ticket"]
    if tamper == "reused":
        time_machine.shift(READING)
        assert person.send(fields, "första gången").status_code == 200
    elif tamper == "forged":
        ticket = ticket[:-4] + ("0000" if not ticket.endswith("0000") else "1111")
    elif tamper == "another session":
        other = NoScriptBrowser(intake_app.test_client(), circuit(9)).open()
        ticket = other["wait_ticket"]
    elif tamper == "stale":
        time_machine.shift(wait_ticket.VALID_FOR + timedelta(minutes=1))
        fields = {**fields, "csrf_token": NoScriptBrowser(client, circuit(8)).open()["csrf_token"]}
    elif tamper == "garbage":
        ticket = "w1.9999999999.1.x.zzz"
    elif tamper == "not ascii":
        ticket = ticket[:-1] + "é"
    time_machine.shift(READING)
    before = _count(session_factory)
    response = person.send({**fields, "wait_ticket": ticket}, "det jag skrev")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    expected = "redan skickats" if tamper == "reused" else "kunde inte kontrollera"
    assert expected in page
    assert "det jag skrev" in page
    assert _count(session_factory) == before
    # And it can be sent from there, with the fresh ticket the page carries.
    fresh = NoScriptBrowser.fields_of(page)
    assert fresh["wait_ticket"] != ticket
    time_machine.shift(READING)
    assert person.send(fresh, "det jag skrev").status_code == 200
    assert _count(session_factory) == before + 1


def test_a_circuit_keeps_only_a_few_waited_entries_an_hour(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    """What bounds a flooder who waits: the per-circuit allowance, not the wait."""
    _fill_the_tor_ceiling(client)
    flooder = NoScriptBrowser(client, circuit(11))
    forms = [flooder.open() for _ in range(Purpose.WAITED_SUBMISSION.circuit_limit + 2)]
    time_machine.shift(READING)  # waited in parallel
    for number, fields in enumerate(forms):
        assert flooder.send(fields, f"väntat skräp {number}").status_code == 200
    allowance = Purpose.WAITED_SUBMISSION.circuit_limit
    assert _count(session_factory, Contact.waited.is_(True)) == allowance
    assert _count(session_factory, Contact.waited.is_(False)) == 2  # evictable, like no effort
    # Another circuit (another person) still has its own.
    person = NoScriptBrowser(client, circuit(12))
    fields = person.open()
    time_machine.shift(READING)
    assert person.send(fields, "min tur").status_code == 200
    assert _count(session_factory, Contact.waited.is_(True)) == allowance + 1


def test_one_circuit_cannot_use_up_the_room_all_of_tor_shares(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _flood(client, 200)  # 200 zero-work posts from 40 circuits: 5 each let in
    one = circuit(5000)
    token = csrf_token_from(client.get("/sv/message", environ_base=one).get_data(as_text=True))
    for number in range(100):  # one circuit, many posts
        client.post(
            "/sv/message", data={"csrf_token": token, "message": f"m {number}"}, environ_base=one
        )
    limit = Purpose.SUBMISSION.circuit_limit
    assert _count(session_factory, Contact.status == "received") == 200 + limit
    fresh = _zero_work_receipt(client, circuit(5001))
    assert fresh
    assert _count(session_factory, Contact.status == "received") == 200 + limit + 1


def _code_with_a_reply(client: FlaskClient, console_client: FlaskClient, team: TeamFixture) -> str:
    token = csrf_token_from(client.get("/sv/message").get_data(as_text=True))
    code = receipt_code_from(
        client.post("/sv/message", data={"csrf_token": token, "message": "hej"}).get_data(
            as_text=True
        )
    )
    log_in(console_client, team)
    staff_token = csrf_token_from(console_client.get("/contacts/1").get_data(as_text=True))
    console_client.post(
        "/contacts/1/reply", data={"csrf_token": staff_token, "reply": "Vi hör av oss i dag."}
    )
    return code


def _look_up(client: FlaskClient, code: str, environ: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/sv/receipt", environ_base=environ).get_data(as_text=True))
    return client.post(
        "/sv/receipt", data={"csrf_token": token, "code": code}, environ_base=environ
    )


def test_after_500_wrong_codes_a_right_one_still_reads_its_replies(
    client: FlaskClient,
    console_client: FlaskClient,
    team: TeamFixture,
) -> None:
    # Was: 201 wrong look-ups locked every no-JS Tor user out of their
    # replies for an hour: the look-up refused before checking the code.
    code = _code_with_a_reply(client, console_client, team)
    token = csrf_token_from(client.get("/sv/receipt", environ_base=SHARED).get_data(as_text=True))
    answers = set()
    for number in range(500):
        wrong = client.post(
            "/sv/receipt",
            data={"csrf_token": token, "code": f"AAAA-BBBB-CCCC-{number:04d}"},
            environ_base=circuit(1 + number // 20) if number % 2 else SHARED,
        )
        answers.add(wrong.status_code)
    assert answers == {404, 429}
    for where in (SHARED, circuit(1), circuit(77)):
        right = _look_up(client, code, where)
        assert right.status_code == 200
        assert "Vi hör av oss i dag." in right.get_data(as_text=True)


def test_a_person_who_mistypes_in_a_flood_of_wrong_codes_is_told_it_was_not_found(
    client: FlaskClient, team: TeamFixture
) -> None:
    flooder = circuit(3)
    token = csrf_token_from(client.get("/sv/receipt", environ_base=flooder).get_data(as_text=True))
    for number in range(300):
        client.post(
            "/sv/receipt",
            data={"csrf_token": token, "code": f"AAAA-BBBB-CCCC-{number:04d}"},
            environ_base=flooder,
        )
    # Another circuit: its own count, and one circuit cannot fill Tor's ceiling.
    mistyped = _look_up(client, "7K3M-Q9XD-2HPA-T4WX", circuit(4))
    assert mistyped.status_code == 404
    assert "Vi hittade inte koden. Kontrollera den" in mistyped.get_data(as_text=True)
    # Even once all of Tor is over its ceiling, the answer still says it plainly.
    _fill_the_tor_ceiling(client, Purpose.RECEIPT_LOOKUP)
    over = _look_up(client, "7K3M-Q9XD-2HPA-T4WX", circuit(5))
    assert over.status_code == 429
    assert "Vi hittade inte koden" in over.get_data(as_text=True)
