"""A LangChain chat model (`TransformersChatModel`) that runs a local text-generation model through transformers,
used for `MENTOR_LLM="transformers:/path/to/local/model"`: tokenizer and causal LM are read once, lazily, from
that folder only (never the hub), messages are rendered with the tokenizer's chat template or a plain
"System/User/Assistant" transcript, and only the new text is returned, cut at the first `stop` string; torch and
transformers are imported inside functions so importing this module is cheap.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ChatMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from assistant.errors import ConfigurationError

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}
_FALLBACK_LABELS = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool"}


def _role(message: BaseMessage) -> str:
    if isinstance(message, ChatMessage):
        return message.role
    return _ROLES.get(message.type, message.type)


def _cut_at_stop(text: str, stop: list[str] | None) -> str:
    """`text` up to (not including) the earliest occurrence of any stop string."""
    positions = [i for s in stop or [] if s and (i := text.find(s)) >= 0]
    return text[: min(positions)] if positions else text


class TransformersChatModel(BaseChatModel):
    """A causal LM from a local folder, as a LangChain chat model. `temperature=0` means greedy decoding."""

    model_path: str
    max_new_tokens: int = 256
    temperature: float = 0.0
    device: str = "cpu"

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _tokenizer: Any = PrivateAttr(default=None)
    _model: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "transformers-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path,
            "max_new_tokens": self.max_new_tokens,
            "temperature": self.temperature,
            "device": self.device,
        }

    # -- loading -------------------------------------------------------------------------------------------

    def _load(self) -> tuple[Any, Any]:
        """The (tokenizer, model) pair, loaded from `model_path` on first use; thread-safe, loads once."""
        if self._model is not None:
            return self._tokenizer, self._model
        with self._lock:
            if self._model is None:
                tokenizer, model = self._load_from_folder()
                self._tokenizer = tokenizer
                self._model = model  # set last: a non-None model means both are ready
        return self._tokenizer, self._model

    def _load_from_folder(self) -> tuple[Any, Any]:
        folder = Path(self.model_path).expanduser()
        if not folder.is_dir():  # checked first, so a bad path is never mistaken for a hub name
            raise ConfigurationError(f"local LLM folder {str(folder)!r} does not exist or is not a directory.")

        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True)
            model.to(self.device)
        except Exception as exc:  # no config/weights/tokenizer files, unknown architecture, bad device...
            raise ConfigurationError(
                f"cannot load a local LLM from {str(folder)!r} ({exc.__class__.__name__}: {exc}). "
                "The folder must hold a transformers causal-LM and its tokenizer (save_pretrained output)."
            ) from exc
        model.eval()
        return tokenizer, model

    # -- prompting -----------------------------------------------------------------------------------------

    def _render_prompt(self, messages: list[BaseMessage]) -> str:
        """The prompt text: the tokenizer's chat template when it has one, a plain transcript otherwise."""
        tokenizer, _ = self._load()
        turns = [{"role": _role(m), "content": str(m.text)} for m in messages]
        if getattr(tokenizer, "chat_template", None):
            return tokenizer.apply_chat_template(turns, tokenize=False, add_generation_prompt=True)
        lines = [f"{_FALLBACK_LABELS.get(t['role'], t['role'].capitalize())}: {t['content']}" for t in turns]
        return "\n\n".join([*lines, "Assistant:"])

    # -- generation ----------------------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        import torch

        tokenizer, model = self._load()
        prompt = self._render_prompt(messages)
        # A chat template writes its own special tokens (BOS...); the plain transcript lets the tokenizer add them.
        templated = bool(getattr(tokenizer, "chat_template", None))
        encoded = tokenizer(prompt, return_tensors="pt", add_special_tokens=not templated)
        # Only ids and mask: some tokenizers add token_type_ids, which many causal LMs' generate() rejects.
        inputs = {k: encoded[k].to(self.device) for k in ("input_ids", "attention_mask") if k in encoded}

        max_new_tokens = int(kwargs.get("max_new_tokens", self.max_new_tokens))
        temperature = float(kwargs.get("temperature", self.temperature))
        options: dict[str, Any] = {"max_new_tokens": max_new_tokens}
        if temperature > 0:
            options.update(do_sample=True, temperature=temperature)
        else:
            options.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        if pad_id is not None:
            options["pad_token_id"] = pad_id

        with torch.inference_mode():
            output = model.generate(**inputs, **options)
        prompt_length = inputs["input_ids"].shape[-1]
        new_tokens = output[0, prompt_length:]
        text = _cut_at_stop(tokenizer.decode(new_tokens, skip_special_tokens=True), stop)

        usage = {
            "input_tokens": int(prompt_length),
            "output_tokens": int(new_tokens.shape[-1]),
            "total_tokens": int(prompt_length + new_tokens.shape[-1]),
        }
        message = AIMessage(content=text, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])
