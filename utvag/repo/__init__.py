"""Data access, one module per aggregate, so views read like behaviour."""
