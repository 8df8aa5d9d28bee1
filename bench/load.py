"""A small HTTP load client: several people at once, every answer checked.

Each client is a thread with its own cookie jar and CSRF token (got once from
the form page, as a browser would), posting a 1 KB message. Every person
comes from an address of their own (``X-Forwarded-For`` to an app told to
trust one proxy), so the per-network limits let each in, as they would many
real people. Every response is checked: status 200 and a receipt code on the
page, and for the product, a receipt for the queue (not the unverified list).
A response that fails the check stops the bench: a fast wrong answer is not
a measurement.
"""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

RECEIPT = re.compile(r'class="receipt-code"[^>]*><strong>([^<]+)</strong>')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MESSAGE = "Jag vill prata med någon om att lämna. " * 26  # about 1 KB


class WrongAnswer(AssertionError):
    """The server answered, but not with what a person needs."""


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Round:
    requests: int
    wall_seconds: float
    p50: float
    p95: float

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_seconds


def _request(
    port: int, method: str, path: str, body: str | None, headers: dict[str, str]
) -> tuple[int, str, list[tuple[str, str]]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return response.status, response.read().decode(), response.getheaders()
    finally:
        connection.close()


class Person:
    """One client: a form page once, then submissions."""

    def __init__(self, port: int, number: int, needs_form: bool, team: str | None = None) -> None:
        self.port = port
        # The form under a team's own path (/en/<team>/message), else the
        # pages with no team in their path.
        self.path = f"/en/{team}/message" if team else "/en/message"
        self.number = number
        self.cookie = ""
        self.token = ""
        self.sent = 0
        if needs_form:
            status, page, headers = _request(port, "GET", self.path, None, self._headers())
            if status != 200:
                raise WrongAnswer(f"form page answered {status}")
            match = CSRF.search(page)
            if match is None:
                raise WrongAnswer("the form page has no CSRF token")
            self.token = match.group(1)
            self.cookie = "; ".join(
                value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie"
            )

    def _headers(self) -> dict[str, str]:
        # A network of its own for each submission: 10.<client>.<n>.1
        address = f"10.{self.number % 250}.{self.sent % 250}.{1 + self.sent // 250 % 250}"
        headers = {"X-Forwarded-For": address, "User-Agent": "utvag-bench"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        return headers

    def submit(self, expect_queued: bool) -> str:
        body = urllib.parse.urlencode({"csrf_token": self.token, "message": MESSAGE})
        headers = {**self._headers(), "Content-Type": "application/x-www-form-urlencoded"}
        self.sent += 1
        status, page, _ = _request(self.port, "POST", self.path, body, headers)
        if status != 200:
            raise WrongAnswer(f"a submission answered {status}: {page[:200]!r}")
        match = RECEIPT.search(page)
        if match is None:
            raise WrongAnswer("a submission answered without a receipt code")
        if expect_queued and "by hand" in page:
            raise WrongAnswer("a submission went to the unverified list, not the queue")
        return match.group(1)


def run_round(
    people: list[Person], requests_each: int, expect_queued: bool
) -> tuple[Round, list[str]]:
    """Every person sends ``requests_each`` submissions at once; all checked."""
    samples = [Sample() for _ in people]
    failures: list[BaseException] = []

    def work(person: Person, sample: Sample) -> None:
        try:
            for _ in range(requests_each):
                started = time.perf_counter()
                sample.receipts.append(person.submit(expect_queued))
                sample.seconds.append(time.perf_counter() - started)
        except BaseException as error:  # noqa: BLE001 - reported to the caller
            failures.append(error)

    threads = [
        threading.Thread(target=work, args=(person, sample))
        for person, sample in zip(people, samples, strict=True)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise failures[0]
    seconds = sorted(s for sample in samples for s in sample.seconds)
    receipts = [r for sample in samples for r in sample.receipts]
    p95 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.95))]
    return Round(len(seconds), wall, statistics.median(seconds), p95), receipts
