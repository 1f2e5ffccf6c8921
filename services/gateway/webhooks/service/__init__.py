"""The webhooks application layer: what the routers ask, over the repositories in ``db/``."""
