"""The installation's secret key: 32 random bytes generated on the first start, kept in
`<data dir>/installation.key` (mode 0600), read on every later start.

It keys the pseudonyms that logs and a few tables use instead of a channel user id (`records.pseudonym`:
HMAC-SHA256, not a bare hash, so a phone number cannot be recovered from its pseudonym by trying every
number). Several workers sharing one data directory read the same key: the file is written under a
temporary name and linked into place, so a second worker starting at the same moment reads the first one's
key instead of writing its own.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

KEY_FILE = "installation.key"
KEY_BYTES = 32


def installation_key(data_dir: Path) -> bytes:
    """The key of the installation in `data_dir`, created (0600) when there is none yet."""
    path = data_dir / KEY_FILE
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = data_dir / f".{KEY_FILE}.{secrets.token_hex(6)}"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
        with contextlib.suppress(FileExistsError):  # another worker wrote its key first: that one is read
            os.link(partial, path)  # atomic, and never replaces a key
    finally:
        partial.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 16:
        raise ValueError(f"{path.name} is too short to be the installation key")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # only the server's user may read it
    return key
