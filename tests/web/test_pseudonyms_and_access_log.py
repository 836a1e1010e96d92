"""Log pseudonyms are keyed and the access log carries no query string (issue 19, point 8).

A pseudonym is an HMAC keyed with the installation's secret (generated on the first start, 0600 in the data
directory), so hashing every phone number no longer finds whose it is. The real `mentor serve` process logs
its access lines without the query: what she searched for and the webhook's verify token stay out of it."""

from __future__ import annotations

import hashlib
import hmac
import stat

import httpx

from assistant.runtime import Runtime
from assistant.storage import installation_key, pseudonym
from assistant.storage.keys import KEY_FILE
from testkit.process import mentor_serve

NUMBER = "22177123456"


def test_a_pseudonym_is_not_the_bare_hash_anyone_could_recompute(hash_runtime):
    _ = hash_runtime.store  # the first start makes the key
    plain = hashlib.sha256(f"whatsapp:{NUMBER}".encode()).hexdigest()
    assert not plain.startswith(pseudonym("whatsapp", NUMBER))
    key = installation_key(hash_runtime.settings.data_dir)
    keyed = hmac.new(key, f"whatsapp:{NUMBER}".encode(), hashlib.sha256).hexdigest()
    assert keyed.startswith(pseudonym("whatsapp", NUMBER))


def test_the_key_is_made_once_kept_0600_and_read_again(tmp_path, settings):
    first = installation_key(settings.data_dir)
    path = settings.data_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) == 32
    assert installation_key(settings.data_dir) == first  # the next start reads it
    assert installation_key(tmp_path / "another") != first  # another installation, another key


def test_pseudonyms_are_stable_across_restarts_and_differ_between_installations(tmp_path, settings):
    Runtime(settings).database.dispose()
    before = pseudonym("whatsapp", NUMBER)
    Runtime(settings).database.dispose()
    assert pseudonym("whatsapp", NUMBER) == before
    other = settings.model_copy(update={"data_dir": tmp_path / "other"})
    Runtime(other).database.dispose()
    assert pseudonym("whatsapp", NUMBER) != before


def test_the_access_log_of_the_real_server_names_paths_without_their_query(corpus_runtime):
    env = {"MENTOR_EMBEDDING_MODEL": "hash", "MENTOR_WHATSAPP_APP_SECRET": "s", "MENTOR_WHATSAPP_VERIFY_TOKEN": "vt-9"}
    with mentor_serve(corpus_runtime.settings.data_dir, env) as server:
        httpx.get(f"{server.url}/v1/search", params={"q": "my name is Aminata Diallo", "k": 2}, timeout=30)
        params = {"hub.mode": "subscribe", "hub.verify_token": "guess-3f9", "hub.challenge": "77"}
        httpx.get(f"{server.url}/webhooks/whatsapp", params=params, timeout=30)
    log = server.log_text()
    assert '"GET /v1/search HTTP/1.1"' in log and '"GET /webhooks/whatsapp HTTP/1.1"' in log  # still logged
    assert "Aminata" not in log and "guess-3f9" not in log and "hub.verify_token" not in log
