"""What Utväg asks of Twilio's REST API: the worker forgets calls and
fetches and forgets recordings, sends staff their content-free notices and
forgets those messages; the console starts a call through the switchboard.

Everything goes to ``UTVAG_TWILIO_API_URL`` (Twilio's own API in
production, a local fake in tests) with the account's SID and auth token.
Twilio keeps the caller's number in its call log and the audio of a message
until they are deleted, so deleting is the point; "not found" counts as
deleted, which makes every call here safe to repeat.

Failures are raised as ``TwilioUnavailable`` with a message that names no
call, recording or number: the Twilio SDK's own errors quote the request
URL, and the worker's job failures end up in logs and in Redis. The SDK's
request logger and urllib3's request lines are switched off for the same
reason.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from base64 import b64encode
from datetime import datetime

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from utvag.config import TwilioConfig

REQUEST_TIMEOUT_SECONDS = 15
# The longest message the hotline records is two minutes; Twilio's MP3 of it
# is well under this. Anything larger is refused rather than held in memory.
MAX_RECORDING_BYTES = 8 * 1024 * 1024
NOT_FOUND = 404

_silent = logging.getLogger("utvag.telephony.twilio_api.sdk")
_silent.disabled = True  # the SDK logs every request URL, ids included
# urllib3 (under the SDK's requests) logs every request line at DEBUG, and a
# Twilio URL names the call or recording: never wanted, whatever the level.
logging.getLogger("urllib3.connectionpool").setLevel(logging.WARNING)


class TwilioUnavailable(Exception):
    """Twilio did not do what was asked (an error, a timeout); try again later."""


class RecordingTooLarge(Exception):
    """Twilio offers a recording larger than the hotline ever records: never
    read into memory, never kept; asking again would not change it."""


class TwilioApi:
    def __init__(self, twilio: TwilioConfig) -> None:
        self._twilio = twilio
        http_client = TwilioHttpClient(timeout=REQUEST_TIMEOUT_SECONDS, logger=_silent)
        self._http_client = http_client
        self._client = Client(twilio.account_sid, twilio.auth_token, http_client=http_client)
        self._client.api.base_url = twilio.api_url.rstrip("/")
        self._account = self._client.api.v2010.accounts(twilio.account_sid)

    def __enter__(self) -> TwilioApi:
        return self

    def __exit__(self, *exc: object) -> None:
        session = self._http_client.session
        if session is not None:
            session.close()

    def forget_call(self, call_sid: str) -> None:
        """Delete the call and every leg it started (a forwarded call's leg
        to the duty phone, a bridged call's leg to the person)."""
        try:
            legs = self._account.calls.list(parent_call_sid=call_sid)
            for leg in legs:
                self._delete(self._account.calls(leg.sid).delete)
            self._delete(self._account.calls(call_sid).delete)
        except TwilioUnavailable:
            raise
        except TwilioRestException as error:
            raise TwilioUnavailable(f"Twilio answered {error.status} to listing legs") from None
        except (TwilioException, OSError) as error:
            raise TwilioUnavailable(f"Twilio could not be reached ({_kind(error)})") from None

    def bridge(
        self,
        member_phone: str,
        person_phone: str,
        status_callback: str,
        announcement: str,
        *,
        caller_id: str,
    ) -> str:
        """Ring the member's own phone from the hotline's number; when they
        answer, say ``announcement`` (Swedish, from the console's catalogue)
        and dial the person with ``caller_id`` (one of our Twilio numbers:
        the one the person chose to be called from), never recorded. Twilio
        reports how the person's leg ended to ``status_callback``. Returns
        the new call's SID (to forget it later)."""
        twiml = VoiceResponse()
        twiml.say(announcement, language="sv-SE", voice="alice")
        dial = twiml.dial(caller_id=caller_id, record="do-not-record")
        dial.number(
            person_phone,
            status_callback=status_callback,
            status_callback_event="completed",
            status_callback_method="POST",
        )
        try:
            call = self._account.calls.create(
                to=member_phone, from_=self._twilio.number, twiml=str(twiml), record=False
            )
        except TwilioRestException as error:
            raise TwilioUnavailable(f"Twilio answered {error.status} to a new call") from None
        except (TwilioException, OSError) as error:
            raise TwilioUnavailable(f"Twilio could not be reached ({_kind(error)})") from None
        if not call.sid:
            raise TwilioUnavailable("Twilio did not say which call it made")
        return str(call.sid)

    def fetch_recording(self, recording_sid: str) -> bytes | None:
        """The recording's audio (MP3), or None if Twilio no longer has it;
        RecordingTooLarge past ``MAX_RECORDING_BYTES``."""
        url = (
            f"{self._twilio.api_url.rstrip('/')}/2010-04-01/Accounts/"
            f"{self._twilio.account_sid}/Recordings/{recording_sid}.mp3"
        )
        if not url.startswith(("https://", "http://")):
            raise TwilioUnavailable("UTVAG_TWILIO_API_URL is not an http(s) URL")
        credentials = f"{self._twilio.account_sid}:{self._twilio.auth_token}".encode()
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            url, headers={"Authorization": "Basic " + b64encode(credentials).decode()}
        )
        try:
            # http(s) only, checked above: the configured API URL.
            with urllib.request.urlopen(  # noqa: S310  # nosec B310
                request, timeout=REQUEST_TIMEOUT_SECONDS
            ) as response:
                audio = response.read(MAX_RECORDING_BYTES + 1)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == NOT_FOUND:
                return None
            raise TwilioUnavailable(f"Twilio answered {error.code} for a recording") from None
        except (OSError, ValueError) as error:
            raise TwilioUnavailable(f"Twilio could not be reached ({_kind(error)})") from None
        if len(audio) > MAX_RECORDING_BYTES:
            raise RecordingTooLarge("a recording is larger than the hotline ever records")
        return audio

    def send_sms(self, to: str, body: str) -> str:
        """Send an SMS from the hotline's number; returns the message's SID
        (to delete it once sent). The body is the caller's fixed text."""
        try:
            message = self._account.messages.create(to=to, from_=self._twilio.number, body=body)
        except TwilioRestException as error:
            raise TwilioUnavailable(f"Twilio answered {error.status} to a new message") from None
        except (TwilioException, OSError) as error:
            raise TwilioUnavailable(f"Twilio could not be reached ({_kind(error)})") from None
        if not message.sid:
            raise TwilioUnavailable("Twilio did not say which message it made")
        return str(message.sid)

    def find_sms(self, to: str, body: str, since: datetime) -> str | None:
        """The SID of a message with this body we sent ``to`` at or after
        ``since`` and have not deleted yet, if any: what a job asks before
        sending again after a fault, so the member never gets two."""
        try:
            messages = self._account.messages.list(to=to, from_=self._twilio.number, limit=50)
        except TwilioRestException as error:
            raise TwilioUnavailable(f"Twilio answered {error.status} to listing messages") from None
        except (TwilioException, OSError) as error:
            raise TwilioUnavailable(f"Twilio could not be reached ({_kind(error)})") from None
        for message in messages:
            created = message.date_created
            if message.body == body and created is not None and created >= since:
                return str(message.sid)
        return None

    def forget_message(self, message_sid: str) -> None:
        """Delete a message at Twilio (its log keeps the number and text
        until then); "not found" counts as deleted."""
        self._delete(self._account.messages(message_sid).delete)

    def forget_recording(self, recording_sid: str) -> None:
        self._delete(self._account.recordings(recording_sid).delete)

    @staticmethod
    def _delete(delete: object) -> None:
        try:
            delete()  # type: ignore[operator]
        except TwilioRestException as error:
            if error.status == NOT_FOUND:
                return
            raise TwilioUnavailable(f"Twilio answered {error.status} to a deletion") from None
        except (TwilioException, OSError) as error:
            raise TwilioUnavailable(f"Twilio could not be reached ({_kind(error)})") from None


def _kind(error: BaseException) -> str:
    """The error's class name only: its text may quote a URL with an id in it."""
    return type(error).__name__
