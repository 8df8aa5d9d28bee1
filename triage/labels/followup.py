"""Swedish words for the follow-up after a case: partner meetings, outcome
checks and what the console says when one is refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from utvag.repo.case_followup import FollowupError, FollowupProblem
from utvag.store.models import Answer, PartnerMeetingOutcome

PARTNER_ROLE_NAMES = {
    "police": _l("police"),
    "social_services": _l("social services"),
    "programme": _l("the programme"),
    "other": _l("other"),
}
PARTNER_OUTCOME_NAMES = {
    PartnerMeetingOutcome.PLAN_CONTINUES.value: _l("the plan continues"),
    PartnerMeetingOutcome.PLAN_CHANGED.value: _l("the plan is changed"),
    PartnerMeetingOutcome.CLOSE_PROPOSED.value: _l("closing the case is proposed"),
    PartnerMeetingOutcome.OTHER.value: _l("other outcome"),
}
ANSWER_NAMES = {
    Answer.YES.value: _l("yes"),
    Answer.NO.value: _l("no"),
    Answer.UNKNOWN.value: _l("unknown"),
}
OUTCOME_QUESTION_NAMES = {
    "left_group": _l("Has left the criminal group"),
    "no_new_sanction": _l("No new conviction or sanction"),
    "housing": _l("Has housing"),
    "work_or_studies": _l("Works or studies"),
}
FOLLOWUP_PROBLEM_TEXT = {
    FollowupProblem.DATE_IN_FUTURE: _l("The day cannot be in the future."),
    FollowupProblem.DATE_BEFORE_CONTACT: _l(
        "The day cannot be before the person first contacted us."
    ),
    FollowupProblem.DATE_BEFORE_CLOSE: _l("An outcome check cannot be before the case closed."),
    FollowupProblem.UNKNOWN_ROLE: _l("Choose the roles from the list."),
    FollowupProblem.NO_ROLE: _l("Choose who took part."),
    FollowupProblem.NOT_CLOSED: _l("Outcome checks are made after the case has closed."),
    FollowupProblem.NO_SUCH_CHECK: _l("Choose 6, 12 or 24 months."),
    FollowupProblem.ALREADY_CHECKED: _l("That outcome check is already recorded on this case."),
}


def followup_error_text(error: FollowupError) -> str:
    return str(FOLLOWUP_PROBLEM_TEXT[error.problem])


def followup_label_globals() -> dict[str, object]:
    return {
        "partner_role_names": PARTNER_ROLE_NAMES,
        "partner_outcome_names": PARTNER_OUTCOME_NAMES,
        "answer_names": ANSWER_NAMES,
        "outcome_question_names": OUTCOME_QUESTION_NAMES,
    }
