"""A local stand-in for the parts of Twilio's REST API the worker uses.

It speaks Twilio's URLs and JSON, checks HTTP basic auth with the account
SID and auth token, and keeps what it holds (calls with their legs,
recordings with their audio, text messages) so a test can see what was
deleted. It can be
told to answer 500 (to everything, or to fetching one recording's audio)
or to refuse deleting a call still in progress. Calls
made through it (``POST Calls.json``) are kept with their parameters.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from utvag.config import Config, TwilioConfig

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-test-auth-token"
PUBLIC_URL = "https://kontakt.example.se"
HOTLINE = "+46101234567"
# The second number, the one that names nothing when rung back.
NEUTRAL = "+46107654321"

_CALLS = re.compile(rf"^/2010-04-01/Accounts/{ACCOUNT_SID}/Calls\.json$")
_CALL = re.compile(rf"^/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/(CA\w+)\.json$")
_RECORDING = re.compile(rf"^/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/(RE\w+)\.(mp3|json)$")
_MESSAGES = re.compile(rf"^/2010-04-01/Accounts/{ACCOUNT_SID}/Messages\.json$")
_MESSAGE = re.compile(rf"^/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/(SM\w+)\.json$")


@dataclass
class FakeTwilio:
    """What the fake holds, and how it misbehaves."""

    url: str = ""
    # call sid -> parent call sid (None for a call someone made to us)
    calls: dict[str, str | None] = field(default_factory=dict)
    recordings: dict[str, bytes] = field(default_factory=dict)
    in_progress: set[str] = field(default_factory=set)
    # Recordings whose audio Twilio will not hand over (500), though they
    # can still be deleted.
    unfetchable: set[str] = field(default_factory=set)
    failing: bool = False
    # Seconds to wait before answering anything: a Twilio that hangs.
    hanging: float = 0.0
    requests: list[tuple[str, str]] = field(default_factory=list)
    # Calls made through the API: their form parameters, in order.
    created: list[dict[str, str]] = field(default_factory=list)
    unauthorised: int = 0
    # Called while a call is being created, before Twilio answers: to see
    # what the caller holds open meanwhile.
    while_creating: Callable[[], None] | None = None
    # Messages (SMS) Twilio holds: sid -> To, From, Body, DateCreated.
    messages: dict[str, dict[str, str]] = field(default_factory=dict)
    # Every message ever created, in order (deleted ones too).
    sent_messages: list[dict[str, str]] = field(default_factory=list)
    # Create the next message, then answer 500 as if the answer were lost.
    lose_message_answer: bool = False
    # Messages still on their way: Twilio refuses to delete them until
    # delivery has ended.
    messages_in_flight: bool = False

    def add_call(self, sid: str, *, legs: tuple[str, ...] = ()) -> None:
        self.calls[sid] = None
        for leg in legs:
            self.calls[leg] = sid


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _send(
            self, status: int, body: bytes = b"", content_type: str = "application/json"
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, message: str) -> None:
            body = {"code": 20000 + status, "message": message, "status": status}
            self._send(status, json.dumps(body).encode())

        def _admitted(self) -> bool:
            fake.requests.append((self.command, self.path))
            if fake.hanging:
                time.sleep(fake.hanging)
            if self.headers.get("Authorization") != expected:
                fake.unauthorised += 1
                self._error(401, "Authenticate")
                return False
            if fake.failing:
                self._error(500, "Internal Server Error")
                return False
            return True

        def do_GET(self) -> None:  # noqa: N802
            if not self._admitted():
                return
            parts = urlsplit(self.path)
            if _CALLS.match(parts.path):
                parent = parse_qs(parts.query).get("ParentCallSid", [""])[0]
                legs = [
                    {"sid": sid, "parent_call_sid": parent, "account_sid": ACCOUNT_SID}
                    for sid, of in fake.calls.items()
                    if of == parent
                ]
                page = {
                    "calls": legs,
                    "first_page_uri": parts.path,
                    "next_page_uri": None,
                    "previous_page_uri": None,
                    "page": 0,
                    "page_size": 50,
                    "start": 0,
                    "end": len(legs),
                    "uri": self.path,
                }
                self._send(200, json.dumps(page).encode())
                return
            if _MESSAGES.match(parts.path):
                query = parse_qs(parts.query)
                to, sender = query.get("To", [None])[0], query.get("From", [None])[0]
                listed = [
                    {
                        "sid": sid,
                        "to": held["To"],
                        "from": held["From"],
                        "body": held["Body"],
                        "date_created": held["DateCreated"],
                        "account_sid": ACCOUNT_SID,
                    }
                    for sid, held in fake.messages.items()
                    if to in (None, held["To"]) and sender in (None, held["From"])
                ]
                page = {
                    "messages": listed,
                    "first_page_uri": parts.path,
                    "next_page_uri": None,
                    "previous_page_uri": None,
                    "page": 0,
                    "page_size": 50,
                    "start": 0,
                    "end": len(listed),
                    "uri": self.path,
                }
                self._send(200, json.dumps(page).encode())
                return
            found = _RECORDING.match(parts.path)
            if found and found.group(2) == "mp3":
                audio = fake.recordings.get(found.group(1))
                if found.group(1) in fake.unfetchable:
                    self._error(500, "Internal Server Error")
                elif audio is None:
                    self._error(404, "The requested resource was not found")
                else:
                    self._send(200, audio, "audio/mpeg")
                return
            self._error(404, "The requested resource was not found")

        def do_POST(self) -> None:  # noqa: N802
            if not self._admitted():
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if _MESSAGES.match(urlsplit(self.path).path):
                self._create_message(form)
                return
            if not _CALLS.match(urlsplit(self.path).path):
                self._error(404, "The requested resource was not found")
                return
            if fake.while_creating is not None:
                fake.while_creating()
            sid = f"CA{len(fake.created) + 1:032d}"
            fake.created.append(form)
            fake.calls[sid] = None
            body = {"sid": sid, "to": form.get("To"), "from": form.get("From"), "status": "queued"}
            self._send(201, json.dumps(body).encode())

        def _create_message(self, form: dict[str, str]) -> None:
            sid = f"SM{len(fake.sent_messages) + 1:032d}"
            held = {
                "To": form.get("To", ""),
                "From": form.get("From", ""),
                "Body": form.get("Body", ""),
                "DateCreated": formatdate(time.time(), usegmt=True),
            }
            fake.sent_messages.append(held)
            fake.messages[sid] = held
            if fake.lose_message_answer:
                fake.lose_message_answer = False
                self._error(500, "Internal Server Error")
                return
            body = {"sid": sid, "to": held["To"], "from": held["From"], "status": "queued"}
            self._send(201, json.dumps(body).encode())

        def do_DELETE(self) -> None:  # noqa: N802
            if not self._admitted():
                return
            path = urlsplit(self.path).path
            call = _CALL.match(path)
            recording = _RECORDING.match(path)
            message = _MESSAGE.match(path)
            if message:
                if fake.messages_in_flight and message.group(1) in fake.messages:
                    self._error(
                        400, "Cannot delete message because delivery has not been completed"
                    )
                elif fake.messages.pop(message.group(1), None) is None:
                    self._error(404, "The requested resource was not found")
                else:
                    self._send(204)
            elif call:
                sid = call.group(1)
                if sid in fake.in_progress:
                    self._error(400, "Cannot delete a call that is in progress")
                elif fake.calls.pop(sid, "missing") == "missing":
                    self._error(404, "The requested resource was not found")
                else:
                    self._send(204)
            elif recording and recording.group(2) == "json":
                if fake.recordings.pop(recording.group(1), None) is None:
                    self._error(404, "The requested resource was not found")
                else:
                    self._send(204)
            else:
                self._error(404, "The requested resource was not found")

    return Handler


class FakeTwilioServer:
    """``with FakeTwilioServer() as fake:`` serves on a free loopback port."""

    def __init__(self) -> None:
        self.fake = FakeTwilio()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.fake.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTwilio:
        self._thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def with_hotline(
    config: Config,
    fake: FakeTwilio,
    auth_token: str = AUTH_TOKEN,
    neutral_number: str | None = NEUTRAL,
) -> Config:
    """``config`` with the hotline (and, unless told otherwise, the number
    that names nothing) on, its REST calls going to ``fake``."""
    return config.with_changes(
        public_url=PUBLIC_URL,
        twilio=TwilioConfig(
            account_sid=ACCOUNT_SID,
            auth_token=auth_token,
            number=HOTLINE,
            api_url=fake.url,
            neutral_number=neutral_number,
        ),
    )
