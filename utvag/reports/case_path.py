"""The case's path in the yearly follow-up: avhopparmedel, and referrals to
a service outside by kind.

Counted only from clear fields retention keeps (days, outcomes, amounts), and
handed to ``utvag.reports.followup``, which suppresses small numbers like
every other count there: the sum granted is shown only where the number of
grants it rests on is (``CASE_PATH_DERIVED``), and the referrals by kind add
up to their total, so one hidden kind hides another (``CASE_PATH_PARTITIONS``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.store.models import (
    Case,
    FundsApplication,
    FundsOutcome,
    OutsideReferral,
    ReferralKind,
    Team,
)


def case_path_figures(session: Session, team: Team, year: int) -> dict[str, float | None]:
    """Applications made in ``year``; answers given in it, and the kronor granted."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    applications = session.execute(
        select(
            FundsApplication.applied_on,
            FundsApplication.outcome,
            FundsApplication.decided_on,
            FundsApplication.amount_granted_kr,
        )
        .join(Case, Case.id == FundsApplication.case_id)
        .where(Case.team_id == team.id)
    ).all()
    answered = [row for row in applications if row.decided_on and first <= row.decided_on <= last]
    granted = [row for row in answered if row.outcome == FundsOutcome.GRANTED.value]
    figures: dict[str, float | None] = {
        "funds_applied": sum(1 for row in applications if first <= row.applied_on <= last),
        "funds_granted": len(granted),
        "funds_refused": sum(1 for row in answered if row.outcome == FundsOutcome.REFUSED.value),
        "funds_granted_kronor": sum(row.amount_granted_kr or 0 for row in granted),
    }
    kinds = session.scalars(
        select(OutsideReferral.kind).where(
            OutsideReferral.team_id == team.id,
            OutsideReferral.referred_on >= first,
            OutsideReferral.referred_on <= last,
        )
    ).all()
    figures["referrals_out"] = len(kinds)
    for kind in ReferralKind:
        figures[f"referrals_out_{kind.value}"] = sum(1 for each in kinds if each == kind.value)
    return figures


# The parts that add up to their total.
CASE_PATH_PARTITIONS: dict[str, list[list[str]]] = {
    "referrals_out": [[f"referrals_out_{kind.value}" for kind in ReferralKind]],
}
# Shown only when the count it rests on could be shown.
CASE_PATH_DERIVED: dict[str, tuple[str, str | None]] = {
    "funds_granted_kronor": ("funds_granted", None),
}
CASE_PATH_LABELS: dict[str, str] = {
    "funds_applied": "Ansökningar om avhopparmedel",
    "funds_granted": "Avhopparmedel beviljade (svar under året)",
    "funds_refused": "Avhopparmedel avslagna (svar under året)",
    "funds_granted_kronor": "Avhopparmedel beviljat, kronor",
    "referrals_out": "Hänvisade till annan verksamhet, med samtycke",
    "referrals_out_home_care": "  till hemmaplansvården",
    "referrals_out_sig": "  till social insatsgrupp (SIG)",
    "referrals_out_victim_support": "  till brottsofferstöd",
    "referrals_out_other_municipality": "  till en annan kommuns avhopparverksamhet",
    "referrals_out_other": "  till annan verksamhet",
}
