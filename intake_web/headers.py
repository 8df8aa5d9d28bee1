"""Headers for every public response."""

from __future__ import annotations

from flask import Response, request

from intake_web.state import state
from utvag.http_headers import PUBLIC_CONTENT_SECURITY_POLICY, set_strict_headers


def apply_security_headers(response: Response) -> Response:
    config = state().config
    set_strict_headers(
        response.headers, https=config.public_is_https, policy=PUBLIC_CONTENT_SECURITY_POLICY
    )
    if config.onion_address:
        response.headers["Onion-Location"] = f"http://{config.onion_address}{request.path}"
    return response
