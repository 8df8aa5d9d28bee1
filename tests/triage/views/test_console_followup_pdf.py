"""The yearly report as a PDF for the board: WeasyPrint draws it from the
report's own HTML (inline SVG charts, the table), in Swedish, fetching
nothing from anywhere; the download is audited like the CSV."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, sealed_submission

from triage.views import followup as followup_view
from utvag.repo.contacts import create_contact
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Case, OutcomeCheck, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _closed_cases(session_factory, team: TeamFixture, number: int) -> None:  # type: ignore[no-untyped-def]
    came = datetime.fromisoformat("2026-02-02T10:00:00+01:00")
    with transaction(session_factory) as session:
        for each in range(number):
            contact, _ = create_contact(
                session,
                session.get(Team, team.created.team.id),
                sealed_submission(),
                now=came + timedelta(days=each),
            )
            contact.status = "case_opened"
            case = Case(
                team_id=contact.team_id,
                contact_id=contact.id,
                opened_at=came + timedelta(days=each),
                status="closed",
                decided_at=came + timedelta(days=each + 2),
                closed_on=date(2026, 5, 1),
                close_reason="established",
                ended_at=datetime.fromisoformat("2026-05-01T12:00:00+02:00"),
            )
            session.add(case)
            session.flush()
            session.add(
                OutcomeCheck(
                    case_id=case.id,
                    months=6,
                    checked_on=date(2026, 11, 2),
                    left_group="yes",
                    no_new_sanction="yes",
                    housing="yes",
                    work_or_studies="unknown",
                )
            )


def test_the_lead_downloads_the_report_as_a_pdf_audited(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _closed_cases(session_factory, team, 6)
    drawn: list[str] = []
    real = followup_view.report_pdf

    def spy(html: str) -> bytes:
        drawn.append(html)
        return real(html)

    monkeypatch.setattr(followup_view, "report_pdf", spy)
    page = logged_in_staff.get("/reports/followup?year=2026").get_data(as_text=True)
    assert "/reports/followup.pdf?year=2026" in page

    response = logged_in_staff.get("/reports/followup.pdf?year=2026")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert 'filename="uppfoljning-2026.pdf"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF-")
    html = drawn[0]
    assert '<html lang="sv">' in html
    assert "Uppföljningar 6 månader efter avslut" in html
    assert html.count("<svg") == 4  # months, channels, 6 months, days to decision/close
    assert "Uppföljning 24 månader efter avslut: svarat ja: inget att visa" in html
    assert "<script" not in html
    with session_factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [event.details for event in events] == [{"what": "followup", "year": 2026, "as": "pdf"}]

    bad = logged_in_staff.get("/reports/followup.pdf?year=2099")
    assert bad.status_code == 400
    assert "Välj ett år" in bad.get_data(as_text=True)


def test_the_pdf_fetches_nothing_from_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    refuse = followup_view._NothingFetched.fetch

    def record(self, url: str, headers: object = None):  # type: ignore[no-untyped-def]
        asked.append(url)
        return refuse(self, url, headers)

    monkeypatch.setattr(followup_view._NothingFetched, "fetch", record)
    document = followup_view.report_pdf(
        '<html><head><link rel="stylesheet" href="https://example.org/x.css"></head>'
        '<body><p>Hej</p><img src="file:///etc/hostname"></body></html>'
    )
    assert document.startswith(b"%PDF-")
    assert sorted(asked) == ["file:///etc/hostname", "https://example.org/x.css"]
    with pytest.raises(Exception, match="nothing is fetched"):
        refuse(followup_view._NothingFetched(), "https://example.org/y.png")
