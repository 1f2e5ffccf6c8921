"""Typed clients for matching's calls to other services (the services' shared token)."""
