"""The applications the bench runs under gunicorn, side by side.

- ``product``: the public app exactly as shipped.
- ``noop_sealer``: the same app, the same handler, with sealing replaced by
  padding only: what the product would cost if encryption were free.
- ``openpgp``: the same handler sealing with OpenPGP to an RSA-4096 key the
  way SecureDrop does it (``gpg`` run for each submission, through
  python-gnupg); ``openpgp-rsa4096.asc`` is a public key only, made for the
  bench, whose private half was never kept.
- ``bare_insert``: a Flask handler that inserts the same contact row (same
  table, same clear columns, the same number of sealed bytes) and answers
  with a code: the floor any design must stand on.

Each reads the usual ``UTVAG_*`` settings, so the bench points them at the
same database and Redis.
"""

from __future__ import annotations

import atexit
import json
import secrets
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Flask, request
from sqlalchemy import insert, select

import intake_web.sealing
from crypto.padding import pad
from intake_web import create_app
from utvag.clock import utcnow
from utvag.config import load_config
from utvag.store.db import make_engine, transaction
from utvag.store.db import make_session_factory as make_factory
from utvag.store.models import Contact, OutboxEntry, Team, TeamKey

PUBLIC_KEY = Path(__file__).with_name("openpgp-rsa4096.asc")


def product() -> Flask:
    return create_app()


def noop_sealer() -> Flask:
    """The product with encryption taken out (padding kept): the cost of
    everything but the cryptography."""

    def padded_only(public_key: bytes, fields: dict[str, str]) -> bytes:
        return pad(json.dumps({"v": 1, "fields": fields}, ensure_ascii=False).encode())

    intake_web.sealing.seal_fields = padded_only
    return create_app()


def _forget_gpg_home(home: str) -> None:
    """Stop the gpg-agent gpg started for this home, then remove it: nothing
    of a bench run stays behind on the machine."""
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["gpgconf", "--homedir", home, "--kill", "gpg-agent"],  # noqa: S607 - gpg's own tool
        check=False,
        capture_output=True,
    )
    shutil.rmtree(home, ignore_errors=True)


def openpgp() -> Flask:
    """The product sealing with server-side OpenPGP, as SecureDrop does."""
    import gnupg

    home = tempfile.mkdtemp(prefix="utvag-bench-gpg-")
    atexit.register(_forget_gpg_home, home)
    gpg = gnupg.GPG(gnupghome=home)
    imported = gpg.import_keys(PUBLIC_KEY.read_text())
    fingerprint = imported.fingerprints[0]
    gpg.trust_keys(fingerprint, "TRUST_ULTIMATE")

    def encrypted(public_key: bytes, fields: dict[str, str]) -> bytes:
        document = json.dumps({"v": 1, "fields": fields}, ensure_ascii=False)
        result = gpg.encrypt(document, fingerprint, armor=False, always_trust=True)
        if not result.ok:
            raise RuntimeError(f"gpg failed: {result.status}")
        return bytes(result.data)

    intake_web.sealing.seal_fields = encrypted
    return create_app()


def bare_insert() -> Flask:
    """One INSERT of the same row, one outbox row, in one transaction."""
    config = load_config()
    engine = make_engine(config.database_url)
    factory = make_factory(engine)
    app = Flask(__name__)
    with factory() as session:
        team_id = session.scalar(select(Team.id).order_by(Team.id).limit(1))
        key_id = session.scalar(select(TeamKey.key_id).where(TeamKey.team_id == team_id))

    @app.post("/<lang>/message")
    def message(lang: str) -> str:
        text = request.form.get("message", "")
        now = utcnow()
        with transaction(factory) as session:
            contact_id = session.execute(
                insert(Contact)
                .values(
                    team_id=team_id,
                    kind="defector",
                    channel="web",
                    wants_callback=False,
                    status="received",
                    created_at=now,
                    due_at=now + timedelta(minutes=5),
                    queue_due_at=now + timedelta(minutes=5),
                    attempt_count=0,
                    key_id=key_id,
                    sealed_content=pad(text.encode()) + secrets.token_bytes(59),
                    receipt_digest=secrets.token_hex(32),
                    reply_public_key=secrets.token_bytes(32),
                )
                .returning(Contact.id)
            ).scalar_one()
            session.execute(
                insert(OutboxEntry).values(
                    job_name="notify_new_contact",
                    job_args=[contact_id],
                    created_at=now,
                    enqueue_count=0,
                )
            )
        code = secrets.token_hex(8).upper()
        return f'<p class="receipt-code"><strong>{code}</strong></p>'

    return app
