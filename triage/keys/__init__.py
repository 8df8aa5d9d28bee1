"""All the console does with keys: staff sessions and the team keys they carry
(keyring), enrolment, recovery and re-sealing. The only code that unwraps a
private key or opens a key's lock (import-linter: crypto.unwrapping,
crypto.kdf and crypto.key_unlocking are protected)."""
