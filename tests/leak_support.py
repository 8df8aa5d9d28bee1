"""Searching for what must never be kept: the secrets a test typed or was
shown, and the places to look (shared by the in-process and end-to-end leak
tests, and the hotline's)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import redis
from rq.job import Job

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


def redis_text(client: redis.Redis) -> str:
    """Every key in Redis and everything it holds, whatever its type, as text.

    Strings, hashes (where RQ keeps a queued job), lists, sets, sorted sets
    and streams: a check that read strings only would never see a job's
    arguments. A key of a type this does not know fails the search rather
    than being skipped. RQ's jobs are also decoded (their arguments are
    pickled), so what a job carries is searched as the worker will read it.
    """
    readers = {
        "string": lambda key: [client.get(key)],
        "hash": lambda key: [item for pair in client.hgetall(key).items() for item in pair],
        "list": lambda key: client.lrange(key, 0, -1),
        "set": lambda key: list(client.smembers(key)),
        "zset": lambda key: client.zrange(key, 0, -1),
        "stream": lambda key: [
            item for _, fields in client.xrange(key) for pair in fields.items() for item in pair
        ],
    }
    parts = []
    for key in client.scan_iter():
        parts.append(key.decode("utf-8", "replace"))
        kind = client.type(key).decode()
        assert kind in readers, f"Redis key {key!r} has a type the leak search cannot read: {kind}"
        for value in readers[kind](key):
            if value is not None:
                parts.append(
                    value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                )
        if key.startswith(b"rq:job:") and kind == "hash":
            job = Job.fetch(key.decode().removeprefix("rq:job:"), connection=client)
            parts.append(repr((job.func_name, job.args, job.kwargs)))
    return "\n".join(parts)
