"""What staff read about avhopparmedel, in Swedish."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from utvag.repo.defector_funds import FundsError, FundsProblem
from utvag.store.models import FundsOutcome

FUNDS_OUTCOME_NAMES = {
    FundsOutcome.GRANTED.value: _l("granted"),
    FundsOutcome.REFUSED.value: _l("refused"),
}
# By the refusal's code; a test checks every code has its text here.
FUNDS_PROBLEM_TEXT = {
    FundsProblem.NOT_ACCEPTED: _l(
        "Avhopparmedel can be applied for only for a person accepted into the programme."
    ),
    FundsProblem.ONE_WAITING: _l(
        "An application is already waiting for an answer: record the answer first."
    ),
    FundsProblem.NO_SUCH_APPLICATION: _l("There is no such application on this case."),
    FundsProblem.ALREADY_DECIDED: _l("The answer to that application is already recorded."),
    FundsProblem.DATE_IN_FUTURE: _l("The day cannot be in the future."),
    FundsProblem.DATE_BEFORE_CASE: _l("The day cannot be before the case was opened."),
    FundsProblem.DATE_BEFORE_APPLICATION: _l(
        "The answer cannot be dated before the application was made."
    ),
    FundsProblem.NO_AMOUNT: _l("Write the amount in whole kronor, for example 12 000."),
    FundsProblem.AMOUNT_NOT_WHOLE: _l(
        "Write the amount in whole kronor, without decimals, for example 12 000."
    ),
    FundsProblem.AMOUNT_NOT_POSITIVE: _l("The amount must be more than 0 kronor."),
    FundsProblem.AMOUNT_TOO_LARGE: _l(
        "The amount is too large: at most 1 000 000 kronor. Check the zeros."
    ),
    FundsProblem.AMOUNT_UNREADABLE: _l(
        "Write the amount with digits only, in whole kronor, for example 12 000."
    ),
}


def funds_error_text(error: FundsError) -> str:
    return str(FUNDS_PROBLEM_TEXT[error.problem])


def kronor(amount: int | None) -> str:
    """12000 -> "12 000 kr", as Swedish writes it (a no-break space)."""
    if amount is None:
        return "–"
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def funds_label_globals() -> dict[str, object]:
    return {"funds_outcome_names": FUNDS_OUTCOME_NAMES, "kronor": kronor}
