"""Storage: SQLAlchemy models, Alembic migrations, and the `Store` the rest of the assistant uses."""

from assistant.errors import NotFoundError
from assistant.storage.database import Database, default_url
from assistant.storage.store import ROLES, ParticipantInfo, StaffIdentity, Store, pseudonym

__all__ = [
    "ROLES",
    "Database",
    "NotFoundError",
    "ParticipantInfo",
    "StaffIdentity",
    "Store",
    "default_url",
    "pseudonym",
]
