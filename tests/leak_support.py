"""Searching for what must never be kept: the secrets a test typed or was
shown, and the places to look (shared by the in-process and end-to-end leak
tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from crypto.codes import normalise_code


def phone_forms(typed: str) -> list[str]:
    """Every way a number could be written down: as typed, digits, national,
    international, the subscriber part."""
    digits = re.sub(r"\D", "", typed)
    national = "0" + digits[2:] if digits.startswith("46") else digits
    subscriber = national.lstrip("0")
    return [typed, digits, "+" + digits, national, subscriber, "+46" + subscriber, subscriber[-7:]]


def address_forms(address: str) -> list[str]:
    """The address, and its /24 (what the throttle looks at, only in memory)."""
    return [address, address.rsplit(".", 1)[0] + "."]


@dataclass
class Secrets:
    """Everything that must not be found at rest, with why it is secret."""

    found: dict[str, str] = field(default_factory=dict)

    def add(self, what: str, *values: str) -> None:
        for value in values:
            assert value, f"empty secret for {what}"
            self.found[value] = what

    def add_code(self, what: str, code: str, length: int) -> None:
        canonical = normalise_code(code, length)
        assert canonical is not None
        self.add(what, code, canonical)


def files_text(directory: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace")
        for path in directory.rglob("*")
        if path.is_file()
    )


def find_leaks(places: dict[str, str], secrets: Secrets) -> list[str]:
    return [
        f"{what} ({value!r}) found in the {place}"
        for place, content in places.items()
        for value, what in secrets.found.items()
        if value in content
    ]
