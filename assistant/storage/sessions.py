"""The console sessions repository: a sign-in with a staff token opens a session whose random id is what
the console's cookie holds (never the token itself); only the id's SHA-256 is stored. Signing out deletes
the session, a revoked token ends its sessions, and a session expires after the hours it was opened for.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from assistant.storage.models import StaffSession, StaffToken
from assistant.storage.records import StaffIdentity, now
from assistant.storage.repository import Repository
from assistant.storage.tokens import TokenRepository


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionRepository(TokenRepository, Repository):
    def open_session(self, token: str, hours: float) -> tuple[str, StaffIdentity] | None:
        """A new session for a valid token: (its id, to put in the cookie, and who it is); None otherwise."""
        identity = self.verify_token(token)
        if identity is None:
            return None
        session_id = secrets.token_urlsafe(32)
        token_id = token.split("_", 2)[1]
        with self.db.session() as s:
            s.execute(delete(StaffSession).where(StaffSession.expires_at < now()))  # the expired go as new come
            s.add(StaffSession(id_hash=_hash(session_id), token_id=token_id, expires_at=now() + timedelta(hours=hours)))
        return session_id, identity

    def session_identity(self, session_id: str | None) -> StaffIdentity | None:
        """Who this session belongs to, while it is open, unexpired and its token not revoked."""
        if not session_id or len(session_id) > 128:
            return None
        with self.db.session() as s:
            row = s.execute(
                select(StaffToken.name, StaffToken.role)
                .join(StaffSession, StaffSession.token_id == StaffToken.id)
                .where(
                    StaffSession.id_hash == _hash(session_id),
                    StaffSession.expires_at > now(),
                    StaffToken.revoked_at.is_(None),
                )
            ).first()
        return StaffIdentity(row.name, row.role) if row is not None else None

    def close_session(self, session_id: str | None) -> bool:
        """Sign out: the session stops working at once, on every worker."""
        if not session_id:
            return False
        with self.db.session() as s:
            return s.execute(delete(StaffSession).where(StaffSession.id_hash == _hash(session_id))).rowcount > 0
