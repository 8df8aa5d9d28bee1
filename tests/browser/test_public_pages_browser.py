"""The public site in a real Chromium, with JavaScript on and off.

Every page passes axe-core's WCAG 2.0/2.1 A and AA rules, speaks its
language in the right direction, fits a phone, can be used with the keyboard
alone, shows where the focus is, and asks nothing of any host but its own.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import (
    ARTIFACTS,
    PHONE_VIEWPORT,
    RECEIPT_CODE,
    LiveServers,
    RequestLog,
    assert_first_tab_stop_is_a_way_out,
    describe_violations,
    run_axe,
    tab_to,
)
from playwright.sync_api import Page, expect
from sqlalchemy import select
from support import TeamFixture, create_malmo

from crypto.kdf import TEST_COST
from utvag.console_keys import ConsoleKeys
from utvag.repo.public_pages import set_public_listing, set_regional
from utvag.repo.team_setup import create_team
from utvag.store.db import transaction
from utvag.store.models import Contact, PublicListing, Team

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("team")]

LANGUAGES = ["sv", "en", "ar"]
# Pages reached by a plain GET, by name: the path after /<lang>/.
PLAIN_PAGES = {
    "start": "",
    "relatives": "relatives",
    "privacy": "privacy",
    "message": "message",
    "callback": "callback",
    "receipt": "receipt",
    "not-found": "no-such-page",
}
# Each form sent empty comes back with its error summary.
EMPTY_FORMS = {"message-error": "message", "callback-error": "callback", "receipt-error": "receipt"}
PAGES = [*PLAIN_PAGES, *EMPTY_FORMS, "sent", "status"]
SUBMIT = "main form button[type=submit]"
PHONE = "070 123 45 67"


def _submit(page: Page) -> None:
    page.locator(SUBMIT).first.click()


def _send_callback(page: Page, base: str, lang: str) -> str:
    """Ask for a call; returns the receipt code the page shows."""
    page.goto(f"{base}/{lang}/callback")
    page.locator("#phone").fill(PHONE)
    _submit(page)
    code = page.locator(".receipt-code strong")
    expect(code).to_have_text(RECEIPT_CODE)
    return code.inner_text()


def open_public_page(page: Page, base: str, lang: str, name: str) -> None:
    """Bring ``page`` to the named public page, in ``lang``."""
    if name in PLAIN_PAGES:
        page.goto(f"{base}/{lang}/{PLAIN_PAGES[name]}")
    elif name in EMPTY_FORMS:
        page.goto(f"{base}/{lang}/{EMPTY_FORMS[name]}")
        _submit(page)
        expect(page.locator(".error-summary")).to_be_visible()
    elif name == "sent":
        _send_callback(page, base, lang)
    elif name == "status":
        # Straight after "sent", come back with the code that page shows.
        shown = page.locator(".receipt-code strong")
        code = shown.inner_text() if shown.count() else _send_callback(page, base, lang)
        page.goto(f"{base}/{lang}/receipt")
        page.locator("#code").fill(code)
        _submit(page)
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator("#code")).to_be_hidden()
    else:  # pragma: no cover - a typo in a parameter
        raise AssertionError(name)
    expect(page.locator("main")).to_be_attached()


def _wider_than_the_viewport(page: Page) -> int | None:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    return width if width > viewport["width"] else None


def test_axe_sees_a_violation_with_javascript_on_and_off(page: Page, js: bool) -> None:
    """The harness itself: axe runs (and finds things) whether the page's
    JavaScript is on or off, and sees <noscript> the way the browser built it."""
    page.set_content(
        '<!doctype html><html lang="sv"><head><title>t</title>'
        '<noscript><meta http-equiv="refresh" content="5"></noscript></head>'
        '<body><main><h1>t</h1><img src="data:,"></main></body></html>'
    )
    found = {violation["id"] for violation in run_axe(page, js=js)}
    assert found == ({"image-alt"} if js else {"image-alt", "meta-refresh"})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_tour_of_every_public_page(
    page: Page, live_servers: LiveServers, requests_made: RequestLog, js: bool, lang: str
) -> None:
    """Every public page, on a phone, JavaScript on and off: no axe-core WCAG
    2.0/2.1 A or AA violation, the right lang and dir, no sideways scrolling,
    and no request to any host but the site itself. With JavaScript on, the
    Swedish and Arabic tours leave screenshots under test-artifacts/screenshots/.

    One test per language keeps the suite fast (a fresh context and servers
    cost more than a page) and reports every page's problems at once.
    """
    base = live_servers.intake.url
    page.set_viewport_size(PHONE_VIEWPORT)
    screenshots = ARTIFACTS / "screenshots" if js and lang in ("sv", "ar") else None
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)
    problems = []
    for name in PAGES:
        open_public_page(page, base, lang, name)
        if screenshots:
            page.screenshot(path=screenshots / f"public-{lang}-{name}.png", full_page=True)
        html = page.locator("html")
        # A page that is not found speaks Swedish whatever the URL says (the
        # xfail below); here its lang and dir need only agree with each other.
        expected_lang = html.get_attribute("lang") if name == "not-found" else lang
        if expected_lang not in LANGUAGES:
            problems.append(f"{name}: <html lang={expected_lang!r}>")
        expected_dir = "rtl" if expected_lang == "ar" else "ltr"
        if (html.get_attribute("lang"), html.get_attribute("dir")) != (expected_lang, expected_dir):
            problems.append(
                f"{name}: <html lang={html.get_attribute('lang')!r} dir="
                f"{html.get_attribute('dir')!r}>, expected {expected_lang!r} {expected_dir!r}"
            )
        if width := _wider_than_the_viewport(page):
            problems.append(f"{name}: {width}px wide on a {PHONE_VIEWPORT['width']}px phone")
        if violations := run_axe(page, js=js):
            problems.append(f"{name} ({page.url}):\n{describe_violations(violations)}")

    assert problems == [], "\n".join(problems)
    assert any(url.endswith("/static/site.css") for url in requests_made.urls)
    assert requests_made.foreign({base}) == []


@pytest.mark.parametrize("js", ["nojs"], indirect=True)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_page_not_found_speaks_the_language_of_its_url(
    page: Page, live_servers: LiveServers, lang: str
) -> None:
    page.goto(f"{live_servers.intake.url}/{lang}/no-such-page")
    assert page.locator("html").get_attribute("lang") == lang


def test_a_call_back_can_be_asked_for_with_the_keyboard_alone(
    page: Page, live_servers: LiveServers
) -> None:
    page.goto(f"{live_servers.intake.url}/sv/")

    assert_first_tab_stop_is_a_way_out(page)
    tab_to(page, "main a[href$='/sv/callback']")
    page.keyboard.press("Enter")
    expect(page.locator("#phone")).to_be_attached()
    assert_first_tab_stop_is_a_way_out(page)
    tab_to(page, "#phone")
    page.keyboard.type(PHONE)
    tab_to(page, "#name")  # past the window choice and the date field
    page.keyboard.type("Sam")
    page.keyboard.press("Enter")  # sends the form from a text field

    expect(page.locator(".receipt-code strong")).to_have_text(RECEIPT_CODE)


def test_a_message_can_be_written_and_sent_with_the_keyboard_alone(
    page: Page, live_servers: LiveServers
) -> None:
    page.goto(f"{live_servers.intake.url}/ar/message")

    assert_first_tab_stop_is_a_way_out(page)
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")  # the skip link: past the header, into <main>
    expect(page.locator("main")).to_be_focused()
    tab_to(page, "#message")
    page.keyboard.type("Jag vill prata med någon.\nInte hemma.")
    tab_to(page, "input[name=kind]:checked")
    page.keyboard.press("ArrowDown")  # "someone close to me"
    expect(page.locator("input[name=kind][value=relative]")).to_be_checked()
    tab_to(page, SUBMIT)
    page.keyboard.press("Space")

    expect(page.locator(".receipt-code strong")).to_have_text(RECEIPT_CODE)


READING_ORDER = """
([text, first, second]) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const range = (start, end) => {
      const r = document.createRange();
      r.setStart(node, at + start);
      r.setEnd(node, at + end);
      return r.getBoundingClientRect().left;
    };
    return [range(0, first.length), range(text.length - second.length, text.length)];
  }
  return null;
}
"""


@pytest.mark.parametrize("js", ["nojs"], indirect=True)
@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_numbers_read_left_to_right_in_every_language(
    page: Page, live_servers: LiveServers, lang: str
) -> None:
    """In a right-to-left paragraph "114 14" must not come out as "14 114":
    the tip line's first group is drawn left of its second in Arabic too."""
    page.goto(f"{live_servers.intake.url}/{lang}/")
    positions = page.evaluate(READING_ORDER, ["114 14", "114", "14"])
    assert positions is not None, "the tip number is not on the page"
    first, second = positions
    assert first < second


def test_which_number_we_may_call_from_is_chosen_with_the_keyboard_and_stored(
    page: Page,
    live_servers: LiveServers,
    session_factory,
    js: bool,  # type: ignore[no-untyped-def]
) -> None:
    """The number that names nothing is chosen when the page opens; the
    hotline's is one arrow key away, JavaScript on or off, and is what is
    stored. The explanation is read with the question (aria-describedby)."""
    from sqlalchemy import select

    from utvag.store.models import Contact

    page.goto(f"{live_servers.intake.url}/sv/callback")
    neutral = page.locator("input[name=call_from][value=neutral]")
    expect(neutral).to_be_checked()
    question = page.locator("fieldset", has=neutral)
    hint_id = question.get_attribute("aria-describedby")
    assert hint_id
    expect(page.locator(f"#{hint_id}")).to_contain_text("ringa upp")

    page.locator("#phone").fill(PHONE)
    neutral.focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=call_from][value=hotline]")).to_be_checked()
    _submit(page)

    expect(page.locator(".receipt-code strong")).to_have_text(RECEIPT_CODE)
    with session_factory() as session:
        assert session.scalars(select(Contact.call_from)).all() == ["hotline"]


# --- several programmes on one install (issue 22) ---------------------------

TEAM_PAGES = {
    "start": "",
    "message": "message",
    "callback": "callback",
    "relatives": "relatives",
    "privacy": "privacy",
}


@pytest.fixture
def region(team: TeamFixture, session_factory: Any, console_keys: ConsoleKeys) -> None:
    """Vägvalet and Malmö listed, and a regional team for "I don't know"."""
    create_malmo(session_factory, console_keys)
    with transaction(session_factory) as session:
        create_team(
            session,
            slug="ostergotland",
            name="Region Östergötland",
            admin_username="rut",
            admin_password="a long password, the region",
            hours_spec="mon-fri 08:00-16:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=console_keys,
        )
        for slug, listing, regional in [
            ("vagvalet", PublicListing.LISTED, False),
            ("malmo", PublicListing.LISTED, False),
            ("ostergotland", PublicListing.HIDDEN, True),
        ]:
            found = session.scalars(select(Team).where(Team.slug == slug)).one()
            set_public_listing(found, listing.value)
            set_regional(session, found, regional)


@pytest.mark.usefixtures("region")
@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_the_region_start_page_and_a_teams_own_pages_pass_axe(
    page: Page,
    live_servers: LiveServers,
    requests_made: RequestLog,
    session_factory: Any,
    js: bool,
    lang: str,
) -> None:
    """With two programmes listed: the region's start page offers both and "I
    don't know"; the person picks one by clicking and every page under its
    path passes axe-core and fits a phone; "I don't know" leads to the
    regional team's start page; a message sent under Malmö's path shows the
    receipt page and lands in Malmö's queue."""
    base = live_servers.intake.url
    page.set_viewport_size(PHONE_VIEWPORT)
    problems = []

    def check(name: str) -> None:
        expect(page.locator("main")).to_be_attached()
        if page.locator("html").get_attribute("lang") != lang:
            problems.append(f"{name}: lang {page.locator('html').get_attribute('lang')}")
        if width := _wider_than_the_viewport(page):
            problems.append(f"{name}: {width}px wide on a {PHONE_VIEWPORT['width']}px phone")
        if violations := run_axe(page, js=js):
            problems.append(f"{name} ({page.url}):\n{describe_violations(violations)}")

    page.goto(f"{base}/{lang}/")
    choices = page.locator("main a.button")
    expect(choices.filter(has_text="Vägvalet")).to_have_count(1)
    expect(choices.filter(has_text="Malmö")).to_have_count(1)
    check("region")

    choices.filter(has_text="Malmö").click()
    expect(page).to_have_url(f"{base}/{lang}/malmo/")
    for name, path in TEAM_PAGES.items():
        if path:
            page.goto(f"{base}/{lang}/malmo/{path}")
        check(f"malmo-{name}")

    page.goto(f"{base}/{lang}/")
    page.locator("main a.button.secondary").click()
    expect(page).to_have_url(f"{base}/{lang}/ostergotland/")
    check("unsure")

    page.goto(f"{base}/{lang}/malmo/message")
    page.locator("#message").fill("Jag vill prata med någon.")
    _submit(page)
    expect(page.locator(".receipt-code strong")).to_have_text(RECEIPT_CODE)
    check("malmo-sent")
    with session_factory() as session:
        landed = session.execute(
            select(Team.slug).join(Contact, Contact.team_id == Team.id)
        ).scalar_one()
    assert landed == "malmo"

    assert problems == [], "\n".join(problems)
    assert requests_made.foreign({base}) == []
