"""Territories in the matching service: the NUTS 2024 regions and LAU municipalities that offers
and service points will refer to by code; the reader of the official files (``files.py``), their
import, and the committed cut for tests and the demo (``subset/``, with its provenance).
Territorial units: NUTS 2024 and LAU 2024 © European Union, Eurostat (GISCO)."""
