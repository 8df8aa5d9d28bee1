"""What a lead reads when a hand-over to another team is refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from utvag.repo.handover import HandoverProblem

HANDOVER_PROBLEM_TEXT = {
    HandoverProblem.NO_SUCH_TEAM: _l(
        "There is no such team on this install. Choose one of the teams in the list."
    ),
    HandoverProblem.OWN_TEAM: _l("The contact is already your team's. Choose another team."),
    HandoverProblem.NO_CONSENT: _l(
        "The person must have said yes to the hand-over. Nothing was handed over."
    ),
    HandoverProblem.NO_CONSENT_DAY: _l("Write the day the person said yes."),
    HandoverProblem.CONSENT_IN_FUTURE: _l("The day of the person's yes cannot be in the future."),
    HandoverProblem.CONSENT_BEFORE_CONTACT: _l(
        "The day of the person's yes cannot be before the contact came in."
    ),
    HandoverProblem.NOTHING_LEFT: _l(
        "What the person wrote is already deleted: there is nothing to hand over."
    ),
    HandoverProblem.RECEIVER_HAS_NO_KEY: _l(
        "The receiving team has no key in use yet, so nothing can be sealed to it."
    ),
    HandoverProblem.CANNOT_OPEN: _l(
        "Something of the contact is sealed to a key you do not hold, so it cannot be re-sealed"
        " for the receiving team. Nothing was handed over. Ask an admin."
    ),
}
