"""Test helpers shared by every service's tests (the pytest plugin is ``shared.testing.plugin``)."""
