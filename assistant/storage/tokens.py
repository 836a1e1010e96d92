"""The tokens repository: staff tokens, their roles (`ROLES`), and checking a token.

A token reads `mnt_<id>_<secret>`; only the secret's hash is stored, so a token can be shown once, when
it is created. A revoked token's row is kept under a tombstone name, which frees the name for a new one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assistant.errors import InputError
from assistant.storage.models import StaffToken
from assistant.storage.records import StaffIdentity, log, now, utc
from assistant.storage.repository import Repository

ROLES = ("staff", "admin", "evaluator")
TOKEN_PREFIX = "mnt"


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenRepository(Repository):
    def create_token(self, name: str, role: str) -> str:
        """A new token for `name`; only its hash is stored, so this is the one time it can be shown."""
        name = name.strip()
        if not name:
            raise InputError("the token needs a name")
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        try:
            with self.db.session() as s:
                s.add(StaffToken(id=token_id, name=name, role=role, secret_hash=_hash_secret(secret)))
        except IntegrityError:
            raise InputError(f"a token named {name!r} already exists: revoke it first") from None
        log.info("staff token created for %s (%s)", name, role)
        return f"{TOKEN_PREFIX}_{token_id}_{secret}"

    def revoke_token(self, name: str) -> bool:
        with self.db.session() as s:
            row = s.scalar(select(StaffToken).filter_by(name=name, revoked_at=None))
            if row is None:
                return False
            # The name is freed for a new token; the revoked row is kept under a unique tombstone name.
            row.revoked_at = now()
            row.name = f"{name}#revoked-{row.id}"
        log.info("staff token revoked for %s", name)
        return True

    def verify_token(self, token: str | None) -> StaffIdentity | None:
        """The staff member a token belongs to, or None. The secret is compared in constant time."""
        parts = (token or "").split("_", 2)
        token_id = parts[1] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else ""
        secret = parts[2] if len(parts) == 3 else ""
        with self.db.session() as s:
            row = s.get(StaffToken, token_id) if token_id else None
            expected = row.secret_hash if row is not None else _hash_secret("\x00no token")
            matches = hmac.compare_digest(_hash_secret(secret), expected)
            if row is None or not matches or row.revoked_at is not None:
                return None
            return StaffIdentity(row.name, row.role)

    def tokens(self) -> list[dict]:
        with self.db.session() as s:
            rows = s.scalars(select(StaffToken).order_by(StaffToken.created_at)).all()
            return [
                {
                    "name": r.name,
                    "role": r.role,
                    "created_at": utc(r.created_at).isoformat(),
                    "revoked": r.revoked_at is not None,
                }
                for r in rows
            ]
