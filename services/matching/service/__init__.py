"""Matching's application layer: one module per router of ``api/`` (``api/offers.py`` ->
``service/offers.py``), orchestrating the repositories (``db/``), the engine (``domain/``), the
events and the calls to other services (``clients/``)."""
