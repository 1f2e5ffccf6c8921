"""An offer's kinds and the states of its publication."""

from __future__ import annotations

from enum import StrEnum


class OfferType(StrEnum):
    TRAINING = "training"
    LANGUAGE_COURSE = "language_course"
    INTERNSHIP = "internship"
    JOB = "job"
    ENTREPRENEURSHIP = "entrepreneurship"


class OfferStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
