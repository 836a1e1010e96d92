"""The `mentor` CLI: contracts, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.phrases import phrase
from tests.conftest import GUIDES

runner = CliRunner()
HASH = {"MENTOR_EMBEDDING_MODEL": "hash"}


def mentor(*args: str, data_dir) -> object:
    return runner.invoke(app, ["--data-dir", str(data_dir), *args], env=HASH)


def test_ingest_prints_a_summary(tmp_path, small_corpus):
    result = mentor("ingest", str(small_corpus), data_dir=tmp_path)
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.stdout
    assert "en 2, es 1, fr 2" in result.stdout


def test_ingest_json_summary_lists_skipped_files_with_reasons(tmp_path, small_corpus):
    (small_corpus / "empty.txt").write_text("")
    result = mentor("ingest", str(small_corpus), "--json", data_dir=tmp_path)
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["documents"] == 5
    assert summary["skipped"] == [{"path": str(small_corpus / "empty.txt"), "reason": "empty file"}]
    assert summary["seconds"] >= 0


def test_ingest_names_a_question_file_it_left_out_and_indexes_the_guide(tmp_path, small_corpus):
    broken = small_corpus.parent / "questions" / "en" / "credit.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text('"Savings groups": "one question, not a list"\n', encoding="utf-8")
    result = mentor("ingest", str(small_corpus), data_dir=tmp_path)
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.stdout
    assert "questions left out:" in result.stdout and "questions/en/credit.yaml" in result.stdout


def test_ingest_missing_path_exits_2_with_one_line_naming_it(tmp_path):
    result = mentor("ingest", str(tmp_path / "nowhere"), data_dir=tmp_path)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "nowhere" in lines[0] and "does not exist" in lines[0]


def test_search_before_ingest_tells_the_user_what_to_do(tmp_path):
    result = mentor("search", "credit", data_dir=tmp_path)
    assert result.exit_code == 1
    assert "mentor ingest" in result.stderr


@pytest.mark.parametrize("query", ["", "   "])
def test_search_empty_query_is_a_clear_error(tmp_path, small_corpus, query):
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    result = mentor("search", query, data_dir=tmp_path)
    assert result.exit_code == 2
    assert "empty" in result.stderr
    assert "Traceback" not in result.output


def test_search_json_shape(tmp_path, small_corpus):
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    result = mentor("search", "microfinance savings groups", "--k", "2", "--json", data_dir=tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == "microfinance savings groups"
    assert data["language"] == "en"
    assert len(data["results"]) == 2
    first = data["results"][0]
    assert list(first) == ["rank", "chunk_id", "doc_id", "title", "language", "score", "text"]
    assert first["chunk_id"] == "credit.en#savings-groups-1"


def test_search_rejects_an_unknown_language(tmp_path, small_corpus):
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    result = mentor("search", "credit", "--lang", "de", data_dir=tmp_path)
    assert result.exit_code == 2
    assert "fr, es, en" in result.stderr


def test_kb_list_and_remove(tmp_path, small_corpus):
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    listed = json.loads(mentor("kb", "list", "--json", data_dir=tmp_path).stdout)
    assert [d["key"] for d in listed] == ["credit.en", "credit.fr", "ferias.es", "meetings.en", "meetings.fr"]
    removed = mentor("kb", "remove", "credit", data_dir=tmp_path)
    assert removed.exit_code == 0 and "credit.en, credit.fr" in removed.stdout
    missing = mentor("kb", "remove", "credit", data_dir=tmp_path)
    assert missing.exit_code == 1 and "no document" in missing.stderr


def test_data_dirs_are_separate(tmp_path, small_corpus):
    mentor("ingest", str(small_corpus), data_dir=tmp_path / "a")
    assert mentor("search", "credit", data_dir=tmp_path / "a").exit_code == 0
    assert mentor("search", "credit", data_dir=tmp_path / "b").exit_code == 1


def test_data_dir_from_environment(tmp_path, small_corpus):
    env = {**HASH, "MENTOR_DATA_DIR": str(tmp_path / "env")}
    assert runner.invoke(app, ["ingest", str(small_corpus)], env=env).exit_code == 0
    assert (tmp_path / "env" / "index" / "CURRENT").exists()


def test_invalid_setting_is_reported_clearly(tmp_path):
    result = runner.invoke(app, ["kb", "list"], env={"MENTOR_CHUNK_TOKENS": "three"})
    assert result.exit_code == 2
    assert "MENTOR_CHUNK_TOKENS" in result.stderr


def test_unknown_command_exits_non_zero():
    result = runner.invoke(app, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.output


@pytest.mark.integration
def test_real_cli_ingests_the_knowledge_base_and_searches(tmp_path):
    """The installed console script, the real bundled model, the real knowledge base."""
    base = [sys.executable, "-m", "assistant.cli", "--data-dir", str(tmp_path)]
    ingest = subprocess.run([*base, "ingest", str(GUIDES), "--json"], capture_output=True, text=True, timeout=600)
    assert ingest.returncode == 0, ingest.stderr
    assert json.loads(ingest.stdout)["skipped"] == []
    found = subprocess.run(
        [*base, "search", "¿cuántos países tiene el programa?", "--json"], capture_output=True, text=True, timeout=120
    )
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    assert data["language"] == "es"
    assert data["results"][0]["language"] == "es"


def test_ask_json_shape_and_sources(tmp_path, small_corpus):
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    result = runner.invoke(
        app,
        ["--data-dir", str(tmp_path), "ask", "how do I prepare a loan file to obtain credit", "--json"],
        env={**HASH, "MENTOR_ABSTAIN_THRESHOLD": "0.3"},
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data)[:6] == ["question", "language", "answer", "abstained", "citations", "latency_ms"]
    assert data["language"] == "en" and not data["abstained"]
    assert data["citations"][0]["doc_id"] == "credit"


def test_ask_prints_numbered_sources(tmp_path, small_corpus):
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    result = runner.invoke(
        app,
        ["--data-dir", str(tmp_path), "ask", "comment préparer un dossier de prêt pour un crédit"],
        env={**HASH, "MENTOR_ABSTAIN_THRESHOLD": "0.3"},
    )
    assert result.exit_code == 0
    # Each guide once, with the section quoted.
    assert "Sources :" in result.stdout and "[1] Accès au crédit — Préparer un dossier de prêt (fr)" in result.stdout


def test_ask_empty_question_is_a_clear_error(tmp_path, small_corpus):
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    result = mentor("ask", "  ", data_dir=tmp_path)
    assert result.exit_code == 2
    assert "empty" in result.stderr and "Traceback" not in result.output


def test_chat_remembers_the_previous_question(tmp_path, small_corpus):
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    result = runner.invoke(
        app,
        ["--data-dir", str(tmp_path), "chat"],
        input="how do I prepare a loan file to obtain credit\nand after that?\n/quit\n",
        env={**HASH, "MENTOR_ABSTAIN_THRESHOLD": "0.3"},
    )
    assert result.exit_code == 0, result.output
    second = result.stdout.split("\n> ")[2]  # "and after that?" means nothing without the first question
    assert "Sources:" in second and "Access to credit" in second
    assert "do not answer" not in second


def test_chat_runs_the_conversation_engine_with_numbered_buttons(tmp_path, small_corpus):
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    result = runner.invoke(
        app,
        ["--data-dir", str(tmp_path), "chat", "--user", "ana"],
        input="/start\n2\n/lang\n9\n/quit\n",  # "2" presses the second button shown: Español
        env=HASH,
    )
    assert result.exit_code == 0, result.output
    turns = result.stdout.split("\n> ")
    assert "[1] Français   [2] Español   [3] English" in turns[1]
    assert "español" in turns[2].lower() and "Entendido" in turns[2]  # the language was switched, in Spanish
    assert phrase("choose_language", "es") in turns[3]  # /lang now asks in Spanish
    # "9" is not one of the 3 buttons shown: not a press, and no question for the guides either: the buttons are
    # listed again with their numbers (said in Spanish).
    assert phrase("choice_number_range", "es", count=3) in " ".join(turns[4].split())
    assert "Entendido" not in turns[4]
    # Nothing was kept about her: no consent was given in this conversation.
    from assistant.storage import Database, Store

    store = Store(Database(f"sqlite:///{tmp_path / 'mentor.db'}"))
    assert store.participant("terminal", "ana") is None


def test_telegram_without_a_token_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "telegram"], env={**HASH, "MENTOR_TELEGRAM_TOKEN": ""})
    assert result.exit_code == 2
    assert "MENTOR_TELEGRAM_TOKEN" in result.stderr and "Traceback" not in result.output


def test_the_terminal_chat_shows_no_info_log_lines(tmp_path, small_corpus):
    """`mentor chat` opened on ten lines of database migrations and printed "consent recorded..." between the
    replies: in a conversation only warnings and errors are shown (a server keeps its INFO lines)."""
    mentor("ingest", str(small_corpus), data_dir=tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(tmp_path), "chat"],
        input="/start\n3\n1\n/quit\n",
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **HASH, "MENTOR_LOG_LEVEL": "INFO"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "INFO" not in done.stderr and "INFO" not in done.stdout
