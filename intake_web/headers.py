"""Headers for every public response."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, request

from intake_web.state import state
from web_common.headers import PUBLIC_CONTENT_SECURITY_POLICY, set_strict_headers


def apply_security_headers(response: Response) -> Response:
    config = state().config
    set_strict_headers(
        response.headers, https=config.public_is_https, policy=PUBLIC_CONTENT_SECURITY_POLICY
    )
    if config.onion_address:
        # Percent-encoded again: a decoded path may hold a newline or other
        # bytes that cannot be in a header (or a log line).
        path = quote(request.path, safe="/-._~!$&'()*+,;=:@")
        response.headers["Onion-Location"] = f"http://{config.onion_address}{path}"
    return response
