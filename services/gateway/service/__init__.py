"""The gateway's application layer: one module per router in ``api/`` (and the token issuer,
passwords, signing keys, revocation list and bootstrap they share)."""
