"""The registry of sealed columns is the whole truth about binary columns:
a model that gains a ``LargeBinary`` column fails here until the column is
registered as sealed (with what opens it and what retention does) or listed
as not sealed, with the reason."""

from __future__ import annotations

from sqlalchemy import LargeBinary

from utvag.store.db import Base
from utvag.store.models.sealed import (
    NOT_SEALED,
    SEALED_COLUMNS,
    AtRetention,
    ContactLink,
    SealedTo,
    purged_at_retention,
    sealed_to_team,
)


def _binary_columns() -> set[tuple[str, str]]:
    return {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    }


def _registered() -> set[tuple[str, str]]:
    return {(entry.model.__tablename__, entry.column) for entry in SEALED_COLUMNS}


def _allowed() -> set[tuple[str, str]]:
    return {(model.__tablename__, column) for model, column in NOT_SEALED}


def test_every_binary_column_is_registered_as_sealed_or_said_not_to_be() -> None:
    binary = _binary_columns()
    assert len(binary) >= 20  # the walk found the columns it is meant to check
    assert binary - _registered() - _allowed() == set(), (
        "register these in utvag/store/models/sealed.py"
    )


def test_the_registry_names_only_real_binary_columns_and_each_once() -> None:
    assert _registered() <= _binary_columns()
    assert _allowed() <= _binary_columns()
    assert not _registered() & _allowed()
    assert len(_registered()) == len(SEALED_COLUMNS)
    for reason in NOT_SEALED.values():
        assert len(reason) > 20


def test_every_entry_says_what_opens_it_and_what_retention_does() -> None:
    for entry in SEALED_COLUMNS:
        assert entry.holds, entry.name
        assert entry.sealed_to, entry.name
        if entry.retention is not AtRetention.KEPT:
            assert entry.link is not ContactLink.NONE, entry.name
            assert SealedTo.TEAM_KEY in entry.sealed_to, entry.name
        if entry.key_id_column is not None:
            assert entry.key_id_column in entry.model.__table__.c, entry.name


def test_everything_a_person_wrote_is_team_sealed_and_goes_at_retention() -> None:
    team = {entry.name for entry in sealed_to_team()}
    purged = {entry.name for entry in purged_at_retention()}
    assert {
        "contacts.sealed_content",
        "contact_messages.sealed_content",
        "contact_messages.sealed_for_team",
        "voice_messages.sealed_audio",
        "call_attempts.sealed_note",
        "call_from_changes.sealed_reason",
        "cases.sealed_notes",
        "case_checks.sealed_note",
        "case_assessments.sealed_content",
        "case_meetings.sealed_notes",
        "case_partner_meetings.sealed_notes",
        "case_register_checks.sealed_note",
        "case_consents.sealed_content",
        "case_retention_extensions.sealed_reason",
        "case_investigations.sealed_reason",
        "case_funds_applications.sealed_note",
        "outside_referrals.sealed_note",
        "case_clock_exceptions.sealed_reason",
    } == purged
    assert purged | {"staff_members.sealed_phone"} == team
