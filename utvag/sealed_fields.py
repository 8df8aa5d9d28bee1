"""The sealed document format: what a person (or staff, in a note) typed.

Fields go into one JSON document, sealed to a team public key. Opening is the
console's business (triage/), never this package's.
"""

from __future__ import annotations

import json

from crypto.sealing import seal

CONTENT_VERSION = 1


def seal_fields(public_key: bytes, fields: dict[str, str]) -> bytes:
    """Seal the non-empty fields; empty ones are left out rather than stored."""
    document = {"v": CONTENT_VERSION, "fields": {k: v for k, v in fields.items() if v}}
    return seal(public_key, json.dumps(document, ensure_ascii=False).encode())
