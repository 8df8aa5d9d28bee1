"""A removed team's yearly follow-up, kept for the board.

Before ``utvag team remove SLUG --keep-counts`` deletes the team's rows, the
report of every year the team worked is built exactly as the console and
``utvag report followup`` build it, suppressed, and only its cells are kept
(``KeptTeamReport``): the same text comes out afterwards, and nothing kept
can be worked back to a person or a row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from utvag.reports.followup import FIRST_YEAR, PARTITIONS, Cell, Report, build
from utvag.store.models import Case, Contact, KeptTeamReport, Team


def years_worked(session: Session, team: Team, today: date) -> range:
    """From the year of the team's first contact, case or creation to this year."""
    starts = [
        team.created_at,
        session.scalar(select(func.min(Contact.created_at)).where(Contact.team_id == team.id)),
        session.scalar(select(func.min(Case.opened_at)).where(Case.team_id == team.id)),
    ]
    first = min(start.year for start in starts if start is not None)
    return range(max(min(first, today.year), FIRST_YEAR), today.year + 1)


def _cells(report: Report) -> dict[str, Any]:
    return {
        key: {str(year): [cell.value, cell.suppressed] for year, cell in by_year.items()}
        for key, by_year in report.figures.items()
    }


def keep_reports(session: Session, team: Team, today: date) -> list[int]:
    """Keep the team's report of every year it worked; returns the years kept.

    A year kept before for the same slug (a team of that name removed
    earlier) is replaced: the slug names one team at a time.
    """
    years = list(years_worked(session, team, today))
    kept = {
        row.year: row
        for row in session.scalars(
            select(KeptTeamReport).where(KeptTeamReport.team_slug == team.slug)
        )
    }
    for year in years:
        report = build(session, team, year, today)
        row = kept.get(year) or KeptTeamReport(team_slug=team.slug, year=year)
        row.team_name = team.name
        row.figures = _cells(report)
        row.has_data = report.has_data
        session.add(row)
    session.flush()
    return years


def kept_report(session: Session, slug: str, year: int) -> Report | None:
    """The kept report of a removed team for ``year``, as it was built."""
    row = session.scalar(
        select(KeptTeamReport).where(KeptTeamReport.team_slug == slug, KeptTeamReport.year == year)
    )
    if row is None:
        return None
    report = Report(year=row.year, team_name=row.team_name, has_data=row.has_data)
    report.figures = {
        key: {int(each): Cell(value, suppressed) for each, (value, suppressed) in by_year.items()}
        for key, by_year in row.figures.items()
    }
    report.groups = {
        total: [part for parts in partitions for part in parts]
        for total, partitions in PARTITIONS.items()
    }
    return report


def kept_years(session: Session, slug: str) -> list[int]:
    return list(
        session.scalars(
            select(KeptTeamReport.year)
            .where(KeptTeamReport.team_slug == slug)
            .order_by(KeptTeamReport.year)
        )
    )
