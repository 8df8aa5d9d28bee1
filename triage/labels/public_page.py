"""Swedish words for the team's public page: where each text stands, and
what each listing means."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from utvag.repo.public_pages import PublicPageProblem
from utvag.repo.public_texts import PublicTextProblem
from utvag.store.models import PublicListing, PublicTextSlot

SLOT_NAMES = {
    PublicTextSlot.INTRO.value: _l("Introduction (the start page's first paragraph)"),
    PublicTextSlot.WHO_WE_ARE.value: _l("Who we are (below the programme's name)"),
    PublicTextSlot.AFTER_YOU_WRITE.value: _l("What happens after you get in touch"),
    PublicTextSlot.HOURS_LINE.value: _l("The line under the opening hours"),
    PublicTextSlot.STATUS_RECEIVED.value: _l("Status: received"),
    PublicTextSlot.STATUS_TRIED.value: _l("Status: we tried to call"),
    PublicTextSlot.STATUS_TALKED.value: _l("Status: we have talked"),
    PublicTextSlot.STATUS_CLOSED.value: _l("Status: closed"),
}
# Where on the receipt page a status text is shown.
SLOT_HINTS = {
    PublicTextSlot.WHO_WE_ARE.value: _l("Empty: only the programme's name is shown."),
    PublicTextSlot.STATUS_RECEIVED.value: _l("Shown while the contact is new."),
    PublicTextSlot.STATUS_TRIED.value: _l("Shown after a call that did not reach the person."),
    PublicTextSlot.STATUS_TALKED.value: _l(
        "Shown after the person was reached, or given information."
    ),
    PublicTextSlot.STATUS_CLOSED.value: _l("Shown when the contact is closed."),
}
LISTING_NAMES = {
    PublicListing.HIDDEN.value: _l(
        "Hidden: not on the public site; its address answers as if the team did not exist."
    ),
    PublicListing.DIRECT.value: _l(
        "Only by our own address: not in the region's list, but the address we hand out works."
    ),
    PublicListing.LISTED.value: _l("Listed: people can choose us on the region's start page."),
}
PUBLIC_TEXT_PROBLEM_TEXT = {
    PublicTextProblem.TOO_LONG: _l("The text is too long (at most 4000 characters)."),
    PublicTextProblem.NOT_CONFIRMED: _l(
        "The sanitiser changed the text. Look at the difference below; nothing is saved yet."
    ),
}
PUBLIC_PAGE_PROBLEM_TEXT = {
    PublicPageProblem.UNKNOWN_LISTING: _l("Choose one of the three."),
    PublicPageProblem.ANOTHER_IS_REGIONAL: _l("Another team is already the regional team."),
}
# The listing as the audit trail says it.
LISTING_SHORT_NAMES = {
    PublicListing.HIDDEN.value: _l("hidden"),
    PublicListing.DIRECT.value: _l("only by its own address"),
    PublicListing.LISTED.value: _l("listed"),
}
