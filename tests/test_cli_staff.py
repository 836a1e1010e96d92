"""`mentor staff`: tokens printed alone on stdout once, revoked at once, listed without secrets."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Settings
from assistant.runtime import Runtime

runner = CliRunner()


def mentor(*args: str, data_dir) -> object:
    return runner.invoke(app, ["--data-dir", str(data_dir), *args], env={"MENTOR_EMBEDDING_MODEL": "hash"})


def store(data_dir):
    return Runtime(Settings(data_dir=data_dir, embedding_model="hash", _env_file=None)).store


def test_create_token_prints_only_the_token(tmp_path):
    result = mentor("staff", "create-token", "amina", "--role", "admin", data_dir=tmp_path)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert re.fullmatch(r"mnt_[0-9a-f]{16}_[A-Za-z0-9_-]{20,}", token)
    assert result.stdout == token + "\n"
    assert "cannot be shown again" in result.stderr
    identity = store(tmp_path).verify_token(token)
    assert (identity.name, identity.role) == ("amina", "admin")


def test_revoke_stops_the_token(tmp_path):
    token = mentor("staff", "create-token", "luz", data_dir=tmp_path).stdout.strip()
    result = mentor("staff", "revoke", "luz", data_dir=tmp_path)
    assert result.exit_code == 0 and "revoked" in result.stderr
    assert store(tmp_path).verify_token(token) is None
    again = mentor("staff", "revoke", "luz", data_dir=tmp_path)
    assert again.exit_code == 1 and "no active token named 'luz'" in again.stderr


def test_bad_role_and_duplicate_name_are_clear_errors(tmp_path):
    bad = mentor("staff", "create-token", "kim", "--role", "root", data_dir=tmp_path)
    assert bad.exit_code == 2 and "unknown role 'root'" in bad.stderr and bad.stdout == ""
    mentor("staff", "create-token", "joy", data_dir=tmp_path)
    duplicate = mentor("staff", "create-token", "joy", data_dir=tmp_path)
    assert duplicate.exit_code == 2 and "already exists" in duplicate.stderr and duplicate.stdout == ""


def test_list_never_shows_secrets(tmp_path):
    token = mentor("staff", "create-token", "ana", "--role", "evaluator", data_dir=tmp_path).stdout.strip()
    mentor("staff", "revoke", "ana", data_dir=tmp_path)
    listed = mentor("staff", "list", data_dir=tmp_path)
    assert listed.exit_code == 0
    assert "evaluator" in listed.stdout and "revoked" in listed.stdout
    secret = token.split("_", 2)[2]  # the secret itself may contain "_"
    assert secret and secret not in listed.stdout
