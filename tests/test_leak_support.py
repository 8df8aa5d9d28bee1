"""The leak search itself can fail: a secret planted in any kind of Redis
key, or in an RQ job's pickled arguments, is found."""

from __future__ import annotations

import pytest
import redis
from leak_support import Secrets, find_leaks, redis_text
from rq import Queue

SECRET = "Planterad-Hemlighet-8080"


def _plant(client: redis.Redis, kind: str) -> None:
    value = f"before {SECRET} after"
    if kind == "string":
        client.set("planted", value)
    elif kind == "hash":
        client.hset("planted", mapping={"field": value})
    elif kind == "hash key":
        client.hset("planted", mapping={value: "1"})
    elif kind == "list":
        client.rpush("planted", "other", value)
    elif kind == "set":
        client.sadd("planted", "other", value)
    elif kind == "sorted set":
        client.zadd("planted", {"other": 1, value: 2})
    elif kind == "stream":
        client.xadd("planted", {"field": value})
    elif kind == "an RQ job's arguments":
        Queue("planted", connection=client).enqueue("worker.does_not_exist", value)


@pytest.mark.parametrize(
    "kind",
    [
        "string",
        "hash",
        "hash key",
        "list",
        "set",
        "sorted set",
        "stream",
        "an RQ job's arguments",
    ],
)
def test_a_secret_in_any_kind_of_redis_key_is_found(redis_client: redis.Redis, kind: str) -> None:
    secrets = Secrets()
    secrets.add("a planted secret", SECRET)
    assert find_leaks({"redis": redis_text(redis_client)}, secrets) == []
    _plant(redis_client, kind)
    assert find_leaks({"redis": redis_text(redis_client)}, secrets) == [
        f"a planted secret ({SECRET!r}) found in the redis"
    ]
