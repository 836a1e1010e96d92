"""TransformersChatModel against a tiny, randomly initialised GPT-2 built in tmp_path (no download, real loading)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.answering.local_llm import TransformersChatModel
from assistant.errors import ConfigurationError

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} {% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
SENTENCES = [
    "how do I open a bank account",
    "a budget helps you save money every month",
    "the mentor answers questions about loans and interest",
    "you can ask the system about taxes savings and credit",
    "user asks assistant what is compound interest",
]
MESSAGES = [SystemMessage("You are a helpful mentor."), HumanMessage("how do I save money")]


def _build_model(folder: Path, chat_template: str | None) -> Path:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    specials = ["<unk>", "<pad>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>"]
    raw = Tokenizer(models.WordLevel(unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    raw.train_from_iterator(SENTENCES, trainers.WordLevelTrainer(special_tokens=specials))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, unk_token="<unk>", pad_token="<pad>", bos_token="<s>", eos_token="</s>"
    )
    if chat_template:
        tokenizer.chat_template = chat_template
    tokenizer.save_pretrained(folder)

    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=128,
        n_layer=1,
        n_head=2,
        n_embd=32,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,  # a tied random model just repeats the last prompt token; untied, it varies
    )
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def templated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_model(tmp_path_factory.mktemp("templated"), CHAT_TEMPLATE)


@pytest.fixture(scope="module")
def plain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_model(tmp_path_factory.mktemp("plain"), None)


def _chat(folder: Path, **kwargs) -> TransformersChatModel:
    return TransformersChatModel(model_path=str(folder), **{"max_new_tokens": 12, **kwargs})


@pytest.mark.parametrize("variant", ["templated_dir", "plain_dir"])
def test_invoke_returns_deterministic_ai_message(variant: str, request: pytest.FixtureRequest) -> None:
    chat = _chat(request.getfixturevalue(variant))
    first = chat.invoke(MESSAGES)
    second = chat.invoke(MESSAGES)
    assert isinstance(first, AIMessage)
    assert isinstance(first.content, str)
    assert first.content.strip(), "the seeded random model should produce some text"
    assert first.content == second.content
    assert first.usage_metadata["output_tokens"] > 0
    assert chat._llm_type == "transformers-local"


def test_chat_template_is_used_when_present(templated_dir: Path) -> None:
    prompt = _chat(templated_dir)._render_prompt(MESSAGES)
    assert prompt == "<|system|> You are a helpful mentor. <|user|> how do I save money <|assistant|>"


def test_plain_transcript_without_template(plain_dir: Path) -> None:
    prompt = _chat(plain_dir)._render_prompt([*MESSAGES, AIMessage("open an account"), HumanMessage("and then")])
    assert prompt == (
        "System: You are a helpful mentor.\n\nUser: how do I save money\n\n"
        "Assistant: open an account\n\nUser: and then\n\nAssistant:"
    )


def test_stop_string_cuts_the_output(templated_dir: Path) -> None:
    chat = _chat(templated_dir)
    full = chat.invoke(MESSAGES).content
    words = full.split()
    assert len(words) >= 2, f"need at least two words to pick a stop string, got {full!r}"
    stop = words[1]
    expected = full[: full.find(stop)]
    assert len(expected) < len(full)

    cut = chat.invoke(MESSAGES, stop=[stop]).content
    assert cut == expected
    assert stop not in cut
    assert chat.invoke(MESSAGES, stop=["no-such-stop-string"]).content == full


def test_missing_folder_raises_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ConfigurationError, match="nowhere"):
        _chat(missing).invoke(MESSAGES)


def test_folder_without_model_raises_configuration_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty-model"
    empty.mkdir()
    (empty / "README.md").write_text("not a model", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="empty-model"):
        _chat(empty).invoke(MESSAGES)


def test_model_is_loaded_once(templated_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    loads: list[str] = []
    original = transformers.AutoModelForCausalLM.from_pretrained

    def counting(*args, **kwargs):
        loads.append(str(args[0]))
        return original(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", counting)
    chat = _chat(templated_dir, max_new_tokens=3)

    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(chat.invoke(MESSAGES).content)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    model = chat._model
    answers.append(chat.invoke(MESSAGES).content)

    assert len(answers) == 5 and len(set(answers)) == 1  # every concurrent call succeeded, same greedy text
    assert loads == [str(templated_dir)]
    assert model is not None and chat._model is model


def test_import_is_cheap() -> None:
    code = "import sys, assistant.answering.local_llm; print('torch' in sys.modules, 'transformers' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
