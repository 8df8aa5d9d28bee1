"""What staff read about the social services' investigation and decision, in Swedish."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from utvag.repo.investigations import DecisionError, DecisionProblem
from utvag.store.models import DecisionOutcome

DECISION_OUTCOME_NAMES = {
    DecisionOutcome.GRANTED.value: _l("granted"),
    DecisionOutcome.REFUSED.value: _l("refused"),
}
# By the refusal's code; a test checks every code has its text here.
DECISION_PROBLEM_TEXT = {
    DecisionProblem.NOT_PENDING: _l("This case has already been decided."),
    DecisionProblem.ALREADY_OPEN: _l("An investigation is already open on this case."),
    DecisionProblem.NO_INVESTIGATION: _l("Open the investigation before recording a decision."),
    DecisionProblem.ALREADY_DECIDED: _l("The decision is already recorded."),
    DecisionProblem.NO_SUCH_MEMBER: _l("Choose who opened the investigation from the team."),
    DecisionProblem.NOT_A_DECIDER: _l(
        "Only a member with the right to decide for social services can record the decision. "
        "Ask an admin."
    ),
    DecisionProblem.NOT_A_LEAD: _l("Only the programme lead can record the decision."),
    DecisionProblem.DATE_IN_FUTURE: _l("The day cannot be in the future."),
    DecisionProblem.BEFORE_CONTACT: _l("The day cannot be before the contact came in."),
    DecisionProblem.BEFORE_INVESTIGATION: _l(
        "The decision cannot be dated before the investigation was opened."
    ),
    DecisionProblem.NO_REASON: _l("Write the reason for a decision to refuse."),
}


def decision_error_text(error: DecisionError) -> str:
    return str(DECISION_PROBLEM_TEXT[error.problem])


def decision_label_globals() -> dict[str, object]:
    return {"decision_outcome_names": DECISION_OUTCOME_NAMES}
