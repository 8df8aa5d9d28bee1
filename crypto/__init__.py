"""Utväg's cryptography: small, pure functions from bytes to bytes.

This package file is deliberately empty. Importing ``crypto`` must not load
``crypto.opening`` or ``crypto.unwrapping``: the public intake app may import
``crypto.sealing``, ``crypto.codes`` and ``crypto.receipts``, but never the
modules that can decrypt a submission or unwrap a team key.
"""
