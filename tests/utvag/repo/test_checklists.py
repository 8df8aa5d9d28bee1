"""The programme presets (issue 21: "each programme preset (all four seeds)
shows its own path"): every preset makes a team with its own checklist, its
own agreement clocks and its own rule on who decides, and Linköping's is read
from its policy (shared/seeds/000-002)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from utvag.repo.checklists import CLOCKS, DECIDED_BY_SOCIAL_SERVICES, PRESETS, Clocks
from utvag.store.models import ChecklistItem, Team
from utvag.store.models.case import ChecklistKind

THE_FOUR_SEEDS = {"vagvalet", "kunskapscentrum", "konsultationsteamet", "linkoping"}


def _create(session_factory, console_keys, preset: str) -> int:  # type: ignore[no-untyped-def]
    from crypto.kdf import TEST_COST
    from utvag.repo.team_setup import create_team
    from utvag.store.db import transaction

    with transaction(session_factory) as session:
        created = create_team(
            session,
            slug=preset,
            name=preset,
            admin_username=f"admin-{preset}",
            admin_password="a long enough test password",
            hours_spec="mon-fri 08:00-16:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=console_keys,
            checklist_preset=preset,
        )
        return created.team.id


def test_there_is_a_preset_for_each_of_the_four_programmes_in_the_seeds() -> None:
    assert set(PRESETS) == THE_FOUR_SEEDS
    assert set(CLOCKS) == set(PRESETS)
    assert set(PRESETS) >= DECIDED_BY_SOCIAL_SERVICES
    checklists = [tuple(c.label for c in criteria) for criteria in PRESETS.values()]
    assert len(set(checklists)) == len(checklists), "two presets share a checklist"


@pytest.mark.parametrize("preset", sorted(THE_FOUR_SEEDS))
def test_a_team_made_from_a_preset_has_its_checklist_clocks_and_decider_rule(
    preset: str,
    session_factory,  # type: ignore[no-untyped-def]
    console_keys,  # type: ignore[no-untyped-def]
) -> None:
    assert preset in CLOCKS, f"the {preset} preset has no clocks"
    team_id = _create(session_factory, console_keys, preset)
    with session_factory() as session:
        team = session.get(Team, team_id)
        items = session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.team_id == team_id)
            .order_by(ChecklistItem.position)
        ).all()
        made = [(item.label, item.kind) for item in items]
        clocks = Clocks(
            mapping_min_days=team.mapping_min_days,
            mapping_max_days=team.mapping_max_days,
            register_check_days=team.register_check_days,
            adults_only=team.adults_only,
        )
        needs_decider = team.decision_needs_decider
    expected = [(c.label, c.kind.value if c.kind else None) for c in PRESETS[preset]]
    assert made == expected
    assert clocks == CLOCKS[preset]
    assert needs_decider is (preset in DECIDED_BY_SOCIAL_SERVICES)


def test_linkopings_preset_is_what_its_policy_says_and_no_more() -> None:
    labels = [c.label for c in PRESETS["linkoping"]]
    # "väljer att lämna ett kriminellt gäng eller organiserad brottslighet som
    # bestraffar utträde och därmed har en latent eller konkret hotbild"
    assert any("lämna ett kriminellt gäng" in label for label in labels)
    assert any("latent eller konkret hotbild" in label for label in labels)
    assert any("samlad bedömning" in label for label in labels)
    # The policy names no consent, no decider, no age and no clocks.
    assert all(c.kind is not ChecklistKind.CONSENT for c in PRESETS["linkoping"])
    assert "linkoping" not in DECIDED_BY_SOCIAL_SERVICES
    assert CLOCKS["linkoping"] == Clocks(
        mapping_min_days=14, mapping_max_days=28, register_check_days=90, adults_only=False
    )


def test_team_create_offers_every_preset() -> None:
    from utvag.ops.cli import cli

    shown = CliRunner().invoke(cli, ["team", "create", "--help"], terminal_width=200).output
    for preset in THE_FOUR_SEEDS:
        assert preset in shown
