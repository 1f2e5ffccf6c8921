"""Typed clients for pathways' calls to other services (the services' shared token)."""
