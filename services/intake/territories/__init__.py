"""Where people live, by territory code: the command that reads the codes of the records named
before codes existed (``python -m services.intake.territories resolve``)."""
