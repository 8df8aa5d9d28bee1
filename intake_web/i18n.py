"""The person's language comes from the URL (/sv/, /en/, /ar/), never a cookie."""

from __future__ import annotations

from flask import abort, request

LANGUAGES = ("sv", "en", "ar")
DEFAULT_LANGUAGE = "sv"
RIGHT_TO_LEFT = frozenset({"ar"})
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English", "ar": "العربية"}


def select_locale() -> str:
    lang = (request.view_args or {}).get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def text_direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def require_known_language(endpoint: str | None, values: dict[str, object] | None) -> None:
    """Unknown language prefixes are a 404, not a page in a default language."""
    if values is not None and "lang" in values and values["lang"] not in LANGUAGES:
        abort(404)
