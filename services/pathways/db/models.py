"""The pathways service's tables."""

from sqlalchemy.orm import DeclarativeBase

from shared.access_mirror import access_table, grant_table
from shared.db import make_metadata
from shared.events import inbox_table

metadata = make_metadata()
beneficiary_access = access_table(metadata)
beneficiary_grant = grant_table(metadata)
inbox = inbox_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata
