"""Gunicorn settings for both web apps.

No access log at all: an access log line carries the client address and user
agent, which must never be written anywhere. Errors go to stderr (journald)
and carry no request data beyond the path. The level is UTVAG_LOG_LEVEL's.
"""

from typing import Any

from utvag.config import load_config
from utvag.logs import configure_logging

accesslog = None
disable_redirect_access_to_syslog = True
errorlog = "-"
loglevel = load_config().log_level.lower()
workers = 2
timeout = 30
# Forwarded headers are not trusted: nothing here uses the client address.
forwarded_allow_ips = ""
limit_request_line = 4094
limit_request_fields = 50


def post_worker_init(_worker: Any) -> None:
    """The apps' own loggers, in each worker process, at the same level."""
    configure_logging(load_config().log_level)
