"""Utväg's shared core, used by both web apps, the worker and the command:
``store/`` (database and Redis), ``repo/`` (data access), ``calendar/``,
``telephony/``, ``reports/``, ``jobs/`` (what runs in the background) and
``ops/`` (the command, serving, backup), over a few modules every part needs
(config, clock, logs, phone numbers, sealed fields, the server's secrets and
the console's own). ARCHITECTURE.md draws the layers.

Nothing in this package can unwrap a team private key or open a sealed
envelope, and none of it is web request code; import-linter contracts in
pyproject.toml keep it that way.
"""
