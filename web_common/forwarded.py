"""Which client a request comes from, as far as the rate limits need to know.

Behind ``hops`` proxies (``UTVAG_PUBLIC_PROXY_HOPS``, ``UTVAG_CONSOLE_PROXY_HOPS``)
the client is read from ``X-Forwarded-For``, which must then hold exactly
``hops`` entries: the outermost proxy *sets* the header (deploy/nginx: the
client's /24 or /64 from the map, or a Tor circuit's address), each proxy
after it adds one. Anything else is unreadable: no header, an empty one, an
entry that is empty, more entries than proxies (a client's own header that a
proxy appended to instead of replacing: whatever the client wrote is in it),
fewer. An unreadable client counts in the shared bucket (utvag.repo.throttle),
never in none: a forged header can neither pick another client's bucket nor
switch the limits off.

Werkzeug's ``ProxyFix`` still reads the scheme (``X-Forwarded-Proto``); it no
longer touches the address, and ``REMOTE_ADDR`` (the proxy's) is never used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Where the middleware leaves the client address it read (None: unreadable).
CLIENT_ADDRESS = "utvag.client_address"


def forwarded_client(header: str | None, hops: int) -> str | None:
    """The client entry of an ``X-Forwarded-For`` written by ``hops`` proxies,
    or None if the header is not exactly that."""
    if not header or hops < 1:
        return None
    entries = [entry.strip() for entry in header.split(",")]
    if len(entries) != hops or not all(entries):
        return None
    return entries[0]


class TrustedProxies:
    """The WSGI middleware for an app behind ``hops`` proxies."""

    def __init__(self, app: WSGIApplication, hops: int) -> None:
        self.hops = hops
        self.app = ProxyFix(app, x_for=0, x_proto=hops)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[CLIENT_ADDRESS] = forwarded_client(environ.get("HTTP_X_FORWARDED_FOR"), self.hops)
        return self.app(environ, start_response)
