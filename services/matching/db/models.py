"""The matching service's tables."""

from sqlalchemy.orm import DeclarativeBase

from shared.db import make_metadata

metadata = make_metadata()


class Base(DeclarativeBase):
    metadata = metadata
