"""Response headers both web apps send: nothing cached, nothing third-party."""

from __future__ import annotations

from werkzeug.datastructures import Headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


# The public site runs one same-origin script (the quick exit); everything
# works without it.
PUBLIC_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "default-src 'none'", "default-src 'none'; script-src 'self'"
)

# The console runs one same-origin script (the queue badge) that asks the
# console itself for counts, and plays the hotline's voice messages from
# itself; nothing else.
CONSOLE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "default-src 'none'",
    "default-src 'none'; script-src 'self'; connect-src 'self'; media-src 'self'",
)


def set_strict_headers(
    headers: Headers, *, https: bool, policy: str = CONTENT_SECURITY_POLICY
) -> None:
    headers["Content-Security-Policy"] = policy
    headers["Cache-Control"] = "no-store"
    headers["Pragma"] = "no-cache"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if https:
        headers["Strict-Transport-Security"] = "max-age=63072000"
