"""Storage: SQLAlchemy models, Alembic migrations, and the `Store` the rest of the assistant uses.

- `database`: the `Database` (engine, sessions, migrations) and the default URL.
- `models`: the SQLAlchemy tables.
- `migrations/`: the Alembic migrations.
- `records`: the plain records handed out (`ParticipantInfo`, `StaffIdentity`) and the shared row helpers.
- `volatile`: `BoundedLRU`, the bounded memory of people who have not consented.
- `repository`: `Repository`, the base every repository shares (the database, the memory of turns).
- `participants`: participants, consent and profile.
- `conversations`: conversation state, messages, turns, handoffs to staff and staff messages.
- `answers`: answers given and the feedback on them.
- `analytics`: content gaps and usage statistics.
- `gap_groups`: each gap's vector and group, and the bounded summaries the gaps view reads.
- `deliveries`: replies a channel could not deliver.
- `pairings`: pairings and who was shown to whom.
- `progress`: pathway modules given and completed, and her recent questions.
- `nudges`: follow-up nudges and her answers to them.
- `inbound`: message ids already handled (deduplication), and those begun by a worker that died.
- `locks`: locks that cross processes and hosts (PostgreSQL advisory locks): per person, and named leaders.
- `tokens`: staff tokens and their `ROLES`.
- `sessions`: console sign-ins (the cookie holds a session id, revoked at sign-out).
- `jobs`: long-running jobs and their progress.
- `keys`: the installation's secret key (keyed pseudonyms).
- `ratelimits`: `DatabaseStorage`, rate-limit counters shared by every worker on the database.
- `store`: `Store`, every repository in one, and `forget`.
"""

from assistant.errors import NotFoundError
from assistant.storage.answers import FEEDBACK_REASONS
from assistant.storage.database import Database, default_url
from assistant.storage.inbound import DEDUP_WINDOW
from assistant.storage.keys import installation_key
from assistant.storage.ratelimits import DatabaseStorage
from assistant.storage.records import use_pseudonym_key
from assistant.storage.store import ROLES, ParticipantInfo, StaffIdentity, Store, pseudonym

__all__ = [
    "DEDUP_WINDOW",
    "FEEDBACK_REASONS",
    "ROLES",
    "Database",
    "DatabaseStorage",
    "NotFoundError",
    "ParticipantInfo",
    "StaffIdentity",
    "Store",
    "default_url",
    "installation_key",
    "pseudonym",
    "use_pseudonym_key",
]
