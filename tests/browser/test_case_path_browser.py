"""A case's whole path in a real Chromium, clicked and typed as a lead does it
(issue 21: every step works in the browser), and a contact handed over to
another team (issue 22).

The person asks for a call on the public site; the lead reaches them, opens a
case, gives herself the decider right, records social services' decision,
meets the criteria, accepts with a mapping day inside the agreement's window,
applies for avhopparmedel and records the grant, holds a partner meeting,
closes the case, records the 6-month outcome check half a year later, and
finds it all in the yearly report.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from browser_support import RECEIPT_CODE, LiveServers, tab_to
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select
from support import TeamFixture, create_malmo
from test_console_browser import log_in, queue_row, send_message

from utvag.store.models import Case, Contact

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("team")]

TODAY = date(2026, 11, 24)  # during_office_hours: a Tuesday morning
HALF_A_YEAR_LATER = "2027-05-26T10:00:00+02:00"  # a Wednesday, the check is due


def _done(page: Page) -> Locator:
    return page.locator(".notification-banner--success")


def _report_figures(page: Page, year: int) -> dict[str, str]:
    """The report table's figures for ``year`` (this year's column or last year's), by row name."""
    this_year = int(page.locator("table.report thead th").nth(1).inner_text())
    column = 0 if year == this_year else 1
    figures = {}
    for row in page.locator("table.report tbody tr").all():
        figures[row.locator("th").inner_text().strip()] = row.locator("td").nth(column).inner_text()
    return figures


WALKED = (
    "Ärenden öppnade",
    "Ärenden antagna",
    "Ärenden avslutade",
    "Ansökningar om avhopparmedel",
    "Avhopparmedel beviljade (svar under året)",
)


def _ask_for_a_call(page: Page, intake_url: str) -> None:
    page.goto(f"{intake_url}/sv/callback")
    page.locator("#phone").fill("070-123 45 67")
    page.locator("#phone").press("Enter")
    expect(page.locator("h1")).to_have_text("Vi ringer dig")
    expect(page.locator(".receipt-code strong")).to_have_text(RECEIPT_CODE)


def _the_contact(intake_app: Flask) -> int:
    with intake_app.extensions["utvag"].session_factory() as session:
        return int(max(session.scalars(select(Contact.id))))


@pytest.mark.parametrize("js", ["js"], indirect=True)
def test_a_lead_walks_a_case_from_call_back_to_the_yearly_report(
    page: Page,
    live_servers: LiveServers,
    team: TeamFixture,
    intake_app: Flask,
    during_office_hours: None,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    console = live_servers.console.url
    log_in(page, console, team)
    page.get_by_role("link", name="Årlig uppföljning").click()
    before = _report_figures(page, 2026)
    assert {before[figure] for figure in WALKED} == {"0"}, before
    page.context.clear_cookies()

    _ask_for_a_call(page, live_servers.intake.url)
    contact_id = _the_contact(intake_app)

    # The lead logs in again (the authenticator shows a new code), takes the
    # call from the queue and reaches the person.
    time_machine.shift(timedelta(seconds=31))
    log_in(page, console, team)
    queue_row(page, contact_id).get_by_role("link", name=f"#{contact_id}").click()
    page.get_by_role("button", name="Jag ringer nu").click()
    expect(_done(page)).to_contain_text("Du ringer nu")
    page.get_by_label("Nådd", exact=True).check()
    page.get_by_role("button", name="Logga samtalet").click()
    expect(_done(page)).to_contain_text("Samtalet är loggat")

    # They want to go on: a pending case.
    page.goto(f"{console}/contacts/{contact_id}")
    page.locator(f"form[action='/contacts/{contact_id}/case'] button").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_contain_text(f"Ärende {case_id}")

    # The team's rule: social services decide. The admin turns it on and gives
    # herself the right to decide, on the members page.
    page.get_by_role("navigation").get_by_role("link", name="Personal och nycklar").click()
    page.locator("#needed").check()
    page.locator("form[action='/admin/decider-rule'] button[type=submit]").click()
    expect(_done(page)).to_contain_text("Sparat.")
    expect(page.locator("#needed")).to_be_checked()
    page.get_by_role("button", name="Ge rätt att fatta beslut").click()
    expect(_done(page)).to_contain_text("Sparat.")
    expect(page.get_by_role("button", name="Ta bort rätten")).to_be_visible()

    # The investigation, then the decision "granted" with a reason.
    page.goto(f"{console}/cases/{case_id}")
    expect(page.get_by_role("button", name="Anta i verksamheten …")).to_have_count(0)
    page.get_by_role("button", name="Registrera att utredningen är inledd").click()
    expect(_done(page)).to_contain_text("Sparat.")
    # With the keyboard: Space chooses "bifall", Tab on to the reason (every
    # stop shows its focus), type it, Tab to the button, Enter.
    page.get_by_label("bifall").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("bifall")).to_be_checked()
    tab_to(page, "#decision-reason", max_presses=8)
    page.keyboard.type("Motiverad, hotbild utredd")
    tab_to(page, "form[action$='/decision'] button[type=submit]", max_presses=2)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Beslut: bifall.")
    tab_to(page, "main form button[type=submit]")
    expect(page.locator("main form button[type=submit]")).to_have_text("Ja, registrera beslutet")
    page.keyboard.press("Enter")
    decision = page.locator("#decision ~ dl.summary-list").first
    expect(decision).to_contain_text("bifall 2026-11-24")
    expect(decision).to_contain_text("Motiverad, hotbild utredd")

    # Every criterion met.
    for radio in page.locator("fieldset.check input[type=radio][id$='-met']").all():
        radio.check()
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(_done(page)).to_contain_text("Sparat.")
    expect(page.locator(".task-list .status-tag--open")).to_have_count(2)  # the police meeting

    # Accepted, the mapping due inside the agreement's window.
    window = page.locator("#mapping-window").inner_text()
    first, last = re.findall(r"\d{4}-\d\d-\d\d", window)
    due = date.fromisoformat(first) + timedelta(days=3)
    assert due <= date.fromisoformat(last)
    page.locator("#mapping_due_on").fill(due.isoformat())
    page.get_by_role("button", name="Anta i verksamheten …").click()
    page.get_by_role("button", name="Ja, anta").click()
    expect(page.locator("h1")).to_contain_text("Antagen till verksamheten")
    expect(page.locator(".summary-list").first).to_contain_text(f"ska vara klar {due.isoformat()}")

    # Avhopparmedel: the application, then the police's grant.
    page.locator("#funds-amount").fill("25000")
    page.get_by_role("button", name="Registrera ansökan").click()
    expect(_done(page)).to_contain_text("Sparat.")
    funds = page.locator("#funds + p + ul")
    expect(funds).to_contain_text("väntar på svar")
    funds.get_by_label("bifall").check()
    funds.get_by_label("Beviljat belopp, i hela kronor").fill("20000")
    funds.get_by_role("button", name="Registrera svaret").click()
    expect(_done(page)).to_contain_text("Sparat.")
    expect(page.locator("#funds + p + ul")).to_contain_text(
        re.compile(r"bifall 2026-11-24: 20\W000\Wkr")
    )

    # A partner meeting with the police and social services.
    page.locator("#partner-role-police").check()
    page.locator("#partner-role-social_services").check()
    page.locator("#partner-outcome-plan_continues").check()
    page.locator("#partner-note").fill("Boende ordnat")
    page.get_by_role("button", name="Registrera avstämningsmötet").click()
    expect(_done(page)).to_contain_text("Sparat.")
    expect(page.locator("#partner-meetings ~ ul").first).to_contain_text("planeringen fortsätter")

    # The case closes.
    page.locator("form[action$='/close'] input[name=reason]").first.check()
    page.get_by_role("button", name="Avsluta ärendet …").click()
    page.get_by_role("button", name="Ja, avsluta ärendet").click()
    expect(page.locator("h1")).to_contain_text("avslutad")
    expect(page.locator(".summary-list").first).to_contain_text("2026-11-24")

    # Half a year on: the 6-month outcome check is due on /followups.
    time_machine.move_to(HALF_A_YEAR_LATER, tick=True)
    log_in(page, console, team)
    page.goto(f"{console}/followups")
    page.get_by_role("link", name=re.compile(f"{case_id}")).first.click()
    expect(page).to_have_url(re.compile(f"/cases/{case_id}"))
    for question in page.locator("#outcome-checks ~ form fieldset").all():
        question.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Registrera uppföljningen").click()
    expect(_done(page)).to_contain_text("Sparat.")
    checks = page.locator("#outcome-checks ~ table")
    expect(checks).to_contain_text("6 månader")

    # The yearly report counts the case (counts under 5 show as <5).
    page.get_by_role("link", name="Årlig uppföljning").click()
    expect(page.locator("h1")).to_contain_text("2027")
    after = _report_figures(page, 2026)
    assert {after[figure] for figure in WALKED} == {"<5"}, after
    outcome_chart = page.locator("svg[aria-labelledby='outcome-6-title']")
    expect(outcome_chart).to_be_visible()
    expect(outcome_chart.locator("text", has_text="<5").first).to_be_visible()
    with intake_app.extensions["utvag"].session_factory() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert case.closed_on == TODAY


def test_a_lead_hands_a_contact_over_to_another_team_which_finds_it_in_its_queue(
    page: Page,
    live_servers: LiveServers,
    team: TeamFixture,
    intake_app: Flask,
    during_office_hours: None,
    js: bool,
) -> None:
    """With the person's consent and a confirmation; Malmö's admin then sees
    it marked as handed over, and Vägvalet can no longer open it."""
    console = live_servers.console.url
    malmo = create_malmo(intake_app.extensions["utvag"].session_factory, team.keys)
    contact_id = send_message(intake_app)

    log_in(page, console, team)
    page.goto(f"{console}/queue?view=messages")
    queue_row(page, contact_id).get_by_role("link", name=f"#{contact_id}").click()
    page.get_by_role("link", name="Lämna över till ett annat team").click()
    expect(page.locator("h1")).to_have_text(f"Lämna över kontakt {contact_id} till ett annat team")
    page.get_by_label("Mottagande team").select_option(label="Malmö")
    page.get_by_label("Personen har sagt ja till att lämnas över till det här teamet").check()
    day = page.get_by_label("Dagen personen sa ja (år-månad-dag)")
    day.fill("2026-11-24")
    day.press("Enter")
    expect(page.locator("main")).to_contain_text(f"Lämna över kontakt {contact_id} till Malmö?")
    page.get_by_role("button", name="Ja, lämna över").click()
    expect(_done(page)).to_contain_text(f"Kontakt {contact_id} är överlämnad till Malmö.")

    response = page.goto(f"{console}/contacts/{contact_id}")
    assert response is not None
    assert response.status == 404
    page.goto(f"{console}/queue?view=messages")
    expect(queue_row(page, contact_id)).to_have_count(0)
    page.goto(f"{console}/queue?view=closed")
    expect(page.locator("[aria-labelledby=handed-away-heading]")).to_contain_text(
        f"Kontakt {contact_id}: överlämnat till Malmö"
    )
    page.get_by_role("button", name="Logga ut").click()

    log_in(page, console, malmo)
    page.goto(f"{console}/queue?view=messages")
    row = queue_row(page, contact_id)
    expect(row).to_contain_text("överlämnad från Vägvalet")
    row.get_by_role("link", name=f"#{contact_id}").click()
    expect(page.locator(".summary-list").first).to_contain_text("Vägvalet")
    expect(page.locator(".summary-list").first).to_contain_text("personen sa ja 2026-11-24")
