"""A team's place on the region's public site: one regional team, listings, audited."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from support import TeamFixture, create_malmo
from utvag_cli_support import UTVAG

from intake_web.i18n import LANGUAGES
from utvag.config import Config
from utvag.console_keys import ConsoleKeys
from utvag.repo.public_texts import PUBLIC_LANGUAGES
from utvag.store.models import AuditEvent, Team


def test_the_texts_speak_every_language_of_the_public_site() -> None:
    assert set(PUBLIC_LANGUAGES) == set(LANGUAGES)


def _teams(session_factory) -> dict[str, tuple[bool, str]]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return {
            team.slug: (team.regional, team.public_listing)
            for team in session.scalars(select(Team))
        }


def test_one_regional_team_set_and_unset_on_the_command_line_and_audited(
    config: Config,
    team: TeamFixture,
    console_keys: ConsoleKeys,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    create_malmo(session_factory, console_keys)
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env["UTVAG_DATA_DIR"] = str(Path(config.data_dir))
    env["UTVAG_DATABASE_URL"] = config.database_url

    def utvag(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [UTVAG, *args], env=env, capture_output=True, text=True, timeout=60, check=False
        )

    marked = utvag("team", "regional", "vagvalet")
    assert marked.returncode == 0, marked.stderr
    second = utvag("team", "regional", "malmo")
    assert second.returncode != 0
    assert "'vagvalet' is already the regional team" in second.stderr
    assert _teams(session_factory)["malmo"] == (False, "hidden")

    assert utvag("team", "regional", "vagvalet", "--off").returncode == 0
    assert utvag("team", "regional", "malmo").returncode == 0
    assert utvag("team", "listing", "malmo", "direct").returncode == 0
    bad = utvag("team", "listing", "malmo", "everywhere")
    assert bad.returncode != 0
    unknown = utvag("team", "regional", "nobody")
    assert "no team called 'nobody'" in unknown.stderr

    assert _teams(session_factory) == {"vagvalet": (False, "hidden"), "malmo": (True, "direct")}
    with session_factory() as session:
        events = [
            (event.action, event.details)
            for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if event.action in ("team_regional_changed", "public_listing_changed")
        ]
    assert events == [
        ("team_regional_changed", {"regional": True}),
        ("team_regional_changed", {"regional": False}),
        ("team_regional_changed", {"regional": True}),
        ("public_listing_changed", {"listing": "direct"}),
    ]


@pytest.mark.usefixtures("team")
def test_a_new_team_is_hidden_until_its_lead_chooses(
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    assert _teams(session_factory) == {"vagvalet": (False, "hidden")}
