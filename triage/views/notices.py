"""A member's own choice of the content-free staff notices: on, to a mobile
they give, or off (the number is then forgotten). Self-service: only the
member changes it, for themselves."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from triage import current
from triage.labels.names import problem_text
from triage.phone_check import refusal_text
from triage.roles import requires
from triage.state import state
from utvag.phones import phone_for_display
from utvag.repo import staff_notices
from utvag.repo.staff_notices import NOTICE_TEXT
from utvag.repo.teams import TeamError
from utvag.store.db import transaction
from utvag.store.models import Role, StaffMember, Team

bp = Blueprint("notices", __name__)


def _back() -> ResponseReturnValue:
    return redirect(url_for("notices.mine"))


@bp.route("/account/notices", methods=["GET", "POST"])
@requires(Role.COORDINATOR)
def mine() -> ResponseReturnValue:
    if request.method == "GET":
        with state().session_factory() as db:
            member = db.get(StaffMember, current.member().id)
            team = db.get(Team, current.member().team_id)
            if member is None or team is None:
                abort(404)
            phone = member.notice_phone
            times = team.notice_times
        return render_template(
            "notices.html",
            phone_display=phone_for_display(phone) if phone else None,
            times=times,
            text=NOTICE_TEXT,
            sending=state().config.twilio is not None,
        )
    turning_on = request.form.get("action") == "on"
    try:
        with transaction(state().session_factory) as db:
            member = db.get(StaffMember, current.member().id)
            if member is None:
                abort(404)
            if turning_on:
                staff_notices.turn_on(
                    member, request.form.get("phone", ""), state().config.call_countries
                )
                current.record(db, "notices_turned_on")
            else:
                staff_notices.turn_off(member)
                current.record(db, "notices_turned_off")
    except staff_notices.NoticePhoneRefused as error:
        flash(refusal_text(error.refusal), "error")
        return _back()
    except TeamError as error:
        flash(problem_text(error), "error")
        return _back()
    flash(gettext("The notices are on.") if turning_on else gettext("The notices are off."))
    return _back()
