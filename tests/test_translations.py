"""Catalogues: Swedish complete, compiled files current, Arabic marked for review."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("*/translations/*/LC_MESSAGES/messages.po"))


def _read_po(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def test_there_are_catalogues() -> None:
    locales = {(p.parts[-5], p.parts[-3]) for p in CATALOGUES}
    assert {("intake_web", "sv"), ("intake_web", "ar"), ("triage", "sv")} <= locales


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_every_string_is_translated_and_compiled(po_path: Path) -> None:
    catalogue = _read_po(po_path)
    with (po_path.parent.parent.parent / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    with po_path.with_suffix(".mo").open("rb") as handle:
        compiled = read_mo(handle)

    wanted = {message.id for message in template if message.id}
    translated = {message.id: message.string for message in catalogue if message.id}
    assert wanted - {k for k, v in translated.items() if v} == set(), "untranslated strings"
    for msgid, string in translated.items():
        assert compiled.get(msgid) is not None, f"{msgid!r} not compiled: run make translations"
        compiled_string = compiled[msgid].string
        if isinstance(string, tuple):  # plural forms come back from the .mo as a list
            compiled_string = tuple(compiled_string)
        assert compiled_string == string, f"{msgid!r} compiled from an old .po"


def test_arabic_is_marked_for_a_native_reviewer() -> None:
    [arabic] = [p for p in CATALOGUES if p.parts[-3] == "ar"]
    for message in _read_po(arabic):
        if message.id:
            assert any("needs native review" in c for c in message.user_comments), message.id
