"""Event payloads exchanged between services: plain, versioned Pydantic models, so producer and
consumers agree on one definition. Payloads carry ids and only the personal data a consumer needs
(matching's read model needs the matching-relevant profile; nothing else needs a profile)."""
