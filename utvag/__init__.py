"""Utväg's shared data layer: configuration, models, migrations, office hours,
the outbox and the command line.

Nothing in this package can unwrap a team private key or open a sealed
envelope; an import-linter contract in pyproject.toml keeps it that way.
"""
