"""A console POST without its token, or with a wrong one: another website's
forged request, or a session that ended. The page shows the free text to
copy and a link back to the form's own page; it is never a form that
carries the refused request's fields behind a fresh token."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from utvag.store.models import AuditEvent, Enrolment, Team


def _main(html: str) -> str:
    """The page below its header (the header's log-out form aside)."""
    return html.split("<main", 1)[1]


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_forged_invitation_of_an_admin_is_not_one_click_from_done(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    token: str | None,
) -> None:
    data = {"username": "mallory", "role": "admin"}
    response = logged_in_staff.post(
        "/admin/members", data={**data, **({"csrf_token": token} if token else {})}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Inget sparades" in html
    assert "en annan webbplats kan ha försökt göra något i ditt namn" in html
    assert "<form" not in _main(html)
    assert "mallory" not in html
    assert 'value="admin"' not in html
    assert '<a href="/admin/members">Tillbaka till sidan</a>' in html
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Enrolment)) == 0
        assert "account_invited" not in session.scalars(select(AuditEvent.action)).all()


def test_a_forged_duty_phone_change_changes_nothing(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = logged_in_staff.post(
        "/team/hours",
        data={"hours": "mon-sun 00:00-23:59", "duty_phone": "070-999 00 11", "note": "<i>x</i>"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<form" not in _main(html)
    assert "070-999 00 11" not in html
    assert "readonly>&lt;i&gt;x&lt;/i&gt;</textarea>" in html  # free text: escaped, to copy
    assert '<a href="/team">Tillbaka till sidan</a>' in html
    with session_factory() as session:
        assert session.scalars(select(Team)).one().duty_phone is None
