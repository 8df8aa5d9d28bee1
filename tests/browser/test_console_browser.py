"""The staff console in a real Chromium, with JavaScript on and off.

Logging in with password and TOTP, the queue and its due times, the news
link the queue script shows when the worker bumps the team's counter, taking
and logging a call by clicking, and axe-core on every page a lead sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from browser_support import (
    ARTIFACTS,
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    LiveServers,
    RequestLog,
    describe_violations,
    run_axe,
)
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select
from support import TeamFixture, add_member, create_malmo, csrf_token_from, lead_decides, post_form
from support import log_in as log_in_over_http

from utvag.store.db import transaction
from utvag.store.models import Case, Contact, ContactStatus, FundsApplication

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("team")]

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
POLL_EVERY_MS = 20_000  # triage/static/queue.js

# Console pages a logged-in lead can open, by name: path, or None for the
# pages a test reaches by clicking.
CONSOLE_PAGES_BEFORE_LOGIN = {"login": "/login", "recover": "/recover", "enrol": "/enrol"}
CONSOLE_PAGES = {
    "queue": "/queue",
    "queue-messages": "/queue?view=messages",
    "queue-news": "/queue?view=news",
    "queue-unverified": "/queue?view=unverified",
    "queue-closed": "/queue?view=closed",
    "contact": None,
    "contact-calling": None,
    "message-contact": None,
    "close-confirmation": None,
    "record-contact": "/contacts/new",
    "cases": "/cases",
    "case": None,
    "case-accepted": None,
    "case-closed": None,
    "followups": None,
    "retention": None,
    "handover": None,
    "call-log": "/reports/calls",
    "followup": None,
    "team-settings": "/team",
    "public-texts": "/team/public",
    "public-text-edit": None,
    "members": "/admin/members",
    "keys": "/keys",
    "key-confirmation": None,
    "audit": "/audit",
    "audit-refused-period": "/audit?from=2026-12-01&to=2026-11-01",
    "password": "/account/password",
    "phone": "/account/phone",
    "notices": "/account/notices",
    "not-found": "/contacts/999999",
}
SMALLEST_PHONE = 360
PHONE_RULES = frozenset({"scrollable-region-focusable"})


def send_callback(intake_app: Flask, **fields: str) -> int:
    """A call-back request through the public app; returns the contact id."""
    response = post_form(
        intake_app.test_client(), "/sv/callback", {"phone": "070-123 45 67", **fields}
    )
    assert response.status_code == 200, response.status_code
    with intake_app.extensions["utvag"].session_factory() as session:
        return int(max(session.scalars(select(Contact.id))))


def send_message(intake_app: Flask) -> int:
    response = post_form(intake_app.test_client(), "/sv/message", {"message": "Hej"})
    assert response.status_code == 200, response.status_code
    with intake_app.extensions["utvag"].session_factory() as session:
        return int(max(session.scalars(select(Contact.id))))


def log_in(page: Page, console_url: str, team: TeamFixture) -> None:
    """Username, password and the authenticator's code, typed into the form."""
    page.goto(f"{console_url}/login")
    page.locator("#username").fill(team.admin_username)
    page.locator("#password").fill(team.password)
    page.locator("#otp").fill(team.totp_now())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#queue-status")).to_be_attached()


def queue_row(page: Page, contact_id: int) -> Locator:
    return page.locator(f"table.queue tbody tr:has(a[href='/contacts/{contact_id}'])")


def _contact(intake_app: Flask, contact_id: int) -> Contact:
    with intake_app.extensions["utvag"].session_factory() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        return contact


def open_console_page(page: Page, base: str, name: str, ids: dict[str, int]) -> None:
    path = CONSOLE_PAGES.get(name) or CONSOLE_PAGES_BEFORE_LOGIN.get(name)
    if path is not None:
        page.goto(f"{base}{path}")
    elif name == "contact":
        page.goto(f"{base}/contacts/{ids['callback']}")
        expect(page.get_by_role("button", name="Jag ringer nu")).to_be_visible()
    elif name == "contact-calling":
        page.goto(f"{base}/contacts/{ids['callback']}")
        page.get_by_role("button", name="Jag ringer nu").click()
        expect(page.get_by_role("button", name="Logga samtalet")).to_be_visible()
    elif name == "message-contact":
        page.goto(f"{base}/contacts/{ids['message']}")
    elif name == "close-confirmation":
        page.goto(f"{base}/contacts/{ids['message']}")
        page.locator("form[action$='/close'] button[type=submit]").first.click()
        expect(page.locator("input[name=confirm]")).to_be_attached()
    elif name == "case":
        page.goto(f"{base}/cases/{ids['case']}")
        expect(page.locator("form[action$='/decision']")).to_be_visible()
    elif name == "case-accepted":
        page.goto(f"{base}/cases/{ids['accepted_case']}")
        for form in ("/funds", "/answer", "/mapping", "/mapping-done", "/close"):
            expect(page.locator(f"form[action$='{form}']")).to_be_visible()
        expect(page.locator("#referral-out + ul")).to_contain_text("hemmaplansvården")
    elif name == "case-closed":
        page.goto(f"{base}/cases/{ids['closed_case']}")
        expect(page.locator("#decision ~ dl").first).to_contain_text("bifall")
        expect(page.locator("#funds + p + ul")).to_contain_text("bifall")
        expect(page.locator("#referral-out + ul")).to_contain_text("hemmaplansvården")
        expect(page.locator("#partner-meetings + p + ul")).to_contain_text("planeringen fortsätter")
        expect(page.locator("#outcome-checks ~ table")).to_contain_text("6 månader")
    elif name == "followups":
        page.goto(f"{base}/followups")
        expect(page.locator("main table")).to_contain_text("12 månader efter avslut")
    elif name == "retention":
        page.goto(f"{base}/retention")
        expect(page.locator("form[action$='/keep']")).to_be_visible()
    elif name == "followup":
        page.goto(f"{base}/reports/followup")
        expect(page.locator("svg[role=img]")).not_to_have_count(0)
    elif name == "handover":
        page.goto(f"{base}/contacts/{ids['message']}/handover")
        expect(page.locator("#handover-team")).to_be_visible()
    elif name == "public-text-edit":
        page.goto(f"{base}/team/public")
        page.locator("a[href^='/team/public/texts/']").first.click()
        expect(page.locator("main form textarea")).to_be_visible()
    elif name == "key-confirmation":
        page.goto(f"{base}/keys")
        page.locator("form[action$='/keys/rotate'] button[type=submit]").click()
        expect(page.locator("input[name=confirm]")).to_be_attached()
    else:  # pragma: no cover - a typo in a name
        raise AssertionError(name)
    expect(page.locator("main")).to_be_attached()


def _pending_case(intake_app: Flask, team: TeamFixture) -> int:
    """A reached person's pending case, made through the data layer."""
    from utvag.repo.cases import open_case
    from utvag.store.db import transaction
    from utvag.store.models import StaffMember

    contact_id = send_callback(intake_app)
    factory = intake_app.extensions["utvag"].session_factory
    with transaction(factory) as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        contact.status = ContactStatus.REACHED.value
        member = session.get(StaffMember, team.created.admin.id)
        assert member is not None
        return open_case(session, contact.team_id, contact_id, member).id


def _cases_through_the_console(
    intake_app: Flask, console_app: Flask, team: TeamFixture, pending_case: int
) -> dict[str, int]:
    """Cases worked through the console's own forms (HTTP, not the browser:
    the browser walk is in test_case_path_browser.py), all dated today, so
    that every new form and record shows on some case page: the pending case
    gets its investigation (the decision form shows); an accepted case has
    an avhopparmedel application waiting and a referral out; a closed case
    went the whole way (decision, avhopparmedel granted, a referral out, a
    partner meeting, its 6-month outcome check)."""
    factory = intake_app.extensions["utvag"].session_factory
    lead_decides(factory, team)
    # Another lead, so that the test's own login does not reuse a TOTP code.
    lena = add_member(factory, team, "lena", "lead")
    staff = console_app.test_client()
    log_in_over_http(staff, lena)
    token = csrf_token_from(staff.get("/queue").get_data(as_text=True))
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat()
    me = str(lena.created.admin.id)

    def post(path: str, data: dict[str, str | list[str]]) -> None:
        response = staff.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 302, (path, response.status_code)
        shown = staff.get(response.headers["Location"]).get_data(as_text=True)
        assert "error-summary" not in shown, (path, shown)

    def accepted_case() -> str:
        contact_id = send_callback(intake_app)
        post(f"/contacts/{contact_id}/claim", {})
        post(f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
        post(f"/contacts/{contact_id}/case", {})
        with factory() as session:
            case_id = session.scalars(select(Case.id).where(Case.contact_id == contact_id)).one()
        case = f"/cases/{case_id}"
        post(f"{case}/investigation", {"opened_on": today, "opened_by": me})
        post(
            f"{case}/decision",
            {"outcome": "granted", "decided_on": today, "reason": "Motiverad", "confirm": "yes"},
        )
        form = staff.get(case).get_data(as_text=True)
        checks = set(re.findall(r'name="check-(\d+)"', form))
        post(case, {f"check-{item}": "met" for item in checks})
        due = re.findall(r'id="mapping_due_on" name="mapping_due_on" value="([\d-]+)"', form)
        post(f"{case}/accept", {"contact_person": me, "mapping_due_on": due[0], "confirm": "yes"})
        post(f"{case}/funds", {"applied_on": today, "amount": "25000", "note": "Boende"})
        post(
            f"{case}/refer-out",
            {"kind": "home_care", "referred_on": today, "consent": "yes", "confirm": "yes"},
        )
        return case

    post(f"/cases/{pending_case}/investigation", {"opened_on": today, "opened_by": me})
    accepted = accepted_case()
    closed = accepted_case()
    with factory() as session:
        application = max(session.scalars(select(FundsApplication.id)))
    post(
        f"{closed}/funds/{application}/answer",
        {"outcome": "granted", "decided_on": today, "amount": "20000"},
    )
    post(
        f"{closed}/partner-meetings",
        {"held_on": today, "partner_roles": ["police"], "outcome": "plan_continues"},
    )
    post(f"{closed}/close", {"reason": "established", "closed_on": today, "confirm": "yes"})
    post(
        f"{closed}/outcome-checks",
        {
            "months": "6",
            "checked_on": today,
            "left_group": "yes",
            "no_new_sanction": "yes",
            "housing": "yes",
            "work_or_studies": "unknown",
        },
    )
    closed_id = int(closed.rsplit("/", 1)[1])
    # Closed 400 days ago (as if): its 12-month check is due on /followups,
    # and retention lists it with the form to keep it longer.
    with transaction(factory) as session:
        case_row = session.get(Case, closed_id)
        assert case_row is not None
        assert case_row.closed_on is not None
        assert case_row.ended_at is not None
        case_row.closed_on -= timedelta(days=400)
        case_row.ended_at -= timedelta(days=400)
    return {"accepted_case": int(accepted.rsplit("/", 1)[1]), "closed_case": closed_id}


def test_console_pages_pass_axe_fit_a_phone_and_are_photographed(
    page: Page,
    live_servers: LiveServers,
    team: TeamFixture,
    intake_app: Flask,
    console_app: Flask,
    js: bool,
) -> None:
    """Every page a lead can reach passes axe-core, fits a 360 px wide phone
    without sideways scrolling, and (JavaScript on) leaves a phone and a
    desktop screenshot under test-artifacts/screenshots/."""
    base = live_servers.console.url
    ids = {
        "callback": send_callback(intake_app),
        "message": send_message(intake_app),
        "case": _pending_case(intake_app, team),
    }
    ids |= _cases_through_the_console(intake_app, console_app, team, ids["case"])
    create_malmo(intake_app.extensions["utvag"].session_factory, team.keys)

    problems = []
    screenshots = ARTIFACTS / "screenshots" if js else None
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)

    def check(name: str) -> None:
        page.set_viewport_size(DESKTOP_VIEWPORT)
        open_console_page(page, base, name, ids)
        if violations := run_axe(page, js=js):
            problems.append(f"{name} ({page.url}):\n{describe_violations(violations)}")
        if screenshots:
            page.screenshot(path=screenshots / f"console-desktop-{name}.png", full_page=True)
        page.set_viewport_size({"width": SMALLEST_PHONE, "height": 780})
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > SMALLEST_PHONE:
            problems.append(f"{name}: {width} px wide on a {SMALLEST_PHONE} px phone")
        # On a phone a wide table scrolls inside its box: the keyboard must reach it.
        if violations := run_axe(page, js=js, only=PHONE_RULES):
            problems.append(f"{name} on a phone:\n{describe_violations(violations)}")
        if screenshots:
            page.screenshot(path=screenshots / f"console-phone-{name}.png", full_page=True)

    for name in CONSOLE_PAGES_BEFORE_LOGIN:
        check(name)
    log_in(page, base, team)
    for name in CONSOLE_PAGES:
        check(name)

    assert problems == [], "\n".join(problems)


def test_the_queue_reads_on_a_390_px_phone_without_sideways_scrolling(
    page: Page, live_servers: LiveServers, team: TeamFixture, intake_app: Flask, js: bool
) -> None:
    """Issue 21: the queue table needed sideways scrolling inside its box at
    390 px; now each row is a card (console.css), and neither the page nor
    the table is wider than the phone."""
    contact_id = send_callback(intake_app)
    page.set_viewport_size(PHONE_VIEWPORT)
    log_in(page, live_servers.console.url, team)
    expect(queue_row(page, contact_id)).to_have_count(1)
    table = page.locator("table.queue")
    assert table.evaluate("table => table.scrollWidth - table.clientWidth") <= 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def test_the_queue_lists_a_call_back_with_its_due_time(
    page: Page, live_servers: LiveServers, team: TeamFixture, intake_app: Flask, js: bool
) -> None:
    contact_id = send_callback(intake_app)

    log_in(page, live_servers.console.url, team)

    row = queue_row(page, contact_id)
    expect(row).to_have_count(1)
    due = row.locator("time[datetime]").first.get_attribute("datetime") or ""
    assert ISO_WITH_OFFSET.match(due), due
    # Shown to the second, in the team's zone.
    due_at = _contact(intake_app, contact_id).due_at
    assert datetime.fromisoformat(due) == due_at.replace(microsecond=0)
    # No timed reload is imposed. Without JavaScript a member may turn one on
    # (and off again); with JavaScript the script polls instead.
    refresh = page.locator('meta[http-equiv="refresh"]')
    expect(refresh).to_have_count(0)
    turn_on = page.locator("a[href='/queue?auto=1']")
    if js:
        expect(turn_on).to_have_count(0)
    else:
        turn_on.click()
        expect(refresh).to_have_attribute("content", re.compile(r"^\d+$"))
        page.locator(".auto-refresh a").click()
        expect(refresh).to_have_count(0)


@pytest.mark.parametrize("js", ["js"], indirect=True)
def test_the_queue_shows_news_once_the_worker_bumps_the_counter(
    page: Page,
    live_servers: LiveServers,
    team: TeamFixture,
    intake_app: Flask,
    queue_bump: Callable[[int], None],
) -> None:
    """The script polls every 20 s; Playwright's clock runs those 20 s at once."""
    first = send_callback(intake_app)
    page.clock.install()
    log_in(page, live_servers.console.url, team)
    # The script sets its 20 s timer once the page has loaded: on a busy
    # machine running the clock before that would fire nothing.
    page.wait_for_load_state("load")
    news = page.locator("#queue-refresh")
    status = page.locator("#queue-status")
    expect(news).to_be_hidden()

    def poll() -> dict[str, object]:
        with page.expect_response(lambda r: r.url.endswith("/queue/poll")) as answer:
            page.clock.run_for(POLL_EVERY_MS)
        assert answer.value.ok
        data: dict[str, object] = answer.value.json()
        return data

    unchanged = poll()
    assert str(unchanged["version"]) == status.get_attribute("data-version")
    assert str(unchanged["due_now"]) == status.get_attribute("data-due")
    expect(news).to_be_hidden()

    second = send_callback(intake_app)
    queue_bump(team.created.team.id)
    bumped = poll()
    assert str(bumped["version"]) != status.get_attribute("data-version")
    expect(news).to_be_visible()
    expect(news).to_have_text("Nytt i kön – visa")

    news.click()
    expect(queue_row(page, second)).to_have_count(1)
    expect(queue_row(page, first)).to_have_count(1)
    expect(page.locator("#queue-refresh")).to_be_hidden()


def test_a_call_is_taken_and_logged_by_clicking(
    page: Page,
    live_servers: LiveServers,
    team: TeamFixture,
    intake_app: Flask,
    requests_made: RequestLog,
) -> None:
    contact_id = send_callback(intake_app)
    log_in(page, live_servers.console.url, team)

    queue_row(page, contact_id).get_by_role("link", name=f"#{contact_id}").click()
    page.get_by_role("button", name="Jag ringer nu").click()
    page.get_by_label("Inget svar").check()
    page.get_by_role("button", name="Logga samtalet").click()

    expect(page).to_have_url(re.compile(r"/queue$"))
    row = queue_row(page, contact_id)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("ring igen")
    contact = _contact(intake_app, contact_id)
    assert contact.status == ContactStatus.WAITING
    assert contact.attempt_count == 1
    assert requests_made.foreign(live_servers.origins) == []
