"""Running and keeping Utväg: the `utvag` command (its key and console-secrets
commands too), starting the processes (gunicorn and the worker), the gunicorn
settings, backup and restore."""
