"""Gunicorn settings for both web apps.

No access log at all: an access log line carries the client address and user
agent, which must never be written anywhere. Errors go to stderr (journald)
and carry no request data beyond the path.
"""

accesslog = None
disable_redirect_access_to_syslog = True
errorlog = "-"
loglevel = "info"
workers = 2
timeout = 30
# Forwarded headers are not trusted: nothing here uses the client address.
forwarded_allow_ips = ""
limit_request_line = 4094
limit_request_fields = 50
